#!/usr/bin/env bash
# Runs every tests/e2e/*.sh (or those named on the command line), each in its own
# fresh temporary directory (elfutils style), and adds up their results.
# A script prints "ok N - ..." / "not ok N - ..." lines (see lib.sh) and exits 0
# when all passed, 77 when skipped, anything else on failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export TOP=$top
export CACHESIM=${CACHESIM_BIN:-$top/bin/cachesim} CACHESIM_ANNOTATE=$top/bin/cachesim-annotate CACHESIM_DIFF=$top/bin/cachesim-diff
scripts=("$@"); [ ${#scripts[@]} -eq 0 ] && scripts=("$top"/tests/e2e/*.sh)
pass=0; fail=0; skipped=0; bad=0
for s in "${scripts[@]}"; do
  case "$s" in */lib.sh) continue;; esac
  d=$(mktemp -d); start=$(date +%s)
  # Each script's runs share a decode store of their own (core/dcache.h):
  # the first of them cold, the rest warm, and nothing kept in $HOME.
  out=$(cd "$d" && CACHESIM_CACHE_DIR="$d/.decodes" bash "$s" 2>&1); rc=$?
  secs=$(( $(date +%s) - start ))
  p=$(grep -c '^ok ' <<<"$out"); f=$(grep -c '^not ok ' <<<"$out")
  pass=$((pass + p)); fail=$((fail + f))
  name=$(basename "$s")
  if [ $rc -eq 77 ]; then skipped=$((skipped + 1)); echo "skip: $name"
  elif [ $rc -ne 0 ] || [ "$f" -ne 0 ]; then
    bad=1; [ "$f" -eq 0 ] && fail=$((fail + 1))
    echo "FAIL: $name (exit $rc, ${secs}s)"; grep -v '^ok ' <<<"$out" | head -60
  else echo "ok: $name ($p checks, ${secs}s)"; fi
  rm -rf "$d"
done
echo "e2e: $pass passed, $fail failed, $skipped skipped"
exit $bad
