#!/usr/bin/env bash
# Runs each unit-test binary given on the command line; adds up their TAP lines.
set -u
pass=0; fail=0; bad=0
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  p=$(grep -c '^ok ' <<<"$out"); f=$(grep -c '^not ok ' <<<"$out")
  pass=$((pass + p)); fail=$((fail + f))
  if [ $rc -ne 0 ] || [ "$f" -ne 0 ]; then
    bad=1; echo "FAIL: $t (exit $rc)"; grep -A3 '^not ok' <<<"$out" | head -40
    [ "$f" -eq 0 ] && { fail=$((fail + 1)); tail -5 <<<"$out"; }
  else
    echo "ok: $t ($p checks)"
  fi
done
echo "unit: $pass passed, $fail failed"
exit $bad
