#!/usr/bin/env bash
# make bench: see bench/run.py.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
make -C "$top" -s all build/tools/gen_profile
mkdir -p "$top/build/bench"
gcc -O2 -Wall -o "$top/build/bench/maxrss" "$top/bench/maxrss.c"
exec python3 "$top/bench/run.py"
