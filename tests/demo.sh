#!/usr/bin/env bash
# make demo: build the bundled example, run it under cachesim, show the summary,
# where the profile went, and the annotated report.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/demo
mkdir -p "$out"
gcc -g -O1 -o "$out/demo" "$top/tests/progs/demo.c"
cd "$out"
rm -f cachesim.out.demo
echo "\$ cachesim --I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64 --out-file=cachesim.out.demo ./demo"
"$top/bin/cachesim" --I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64 --out-file=cachesim.out.demo ./demo
echo
echo "profile written to $out/cachesim.out.demo"
if [ -x "$top/bin/cachesim-annotate" ]; then
  echo
  echo "\$ cachesim-annotate cachesim.out.demo"
  "$top/bin/cachesim-annotate" cachesim.out.demo
fi
