#!/usr/bin/env bash
# annotate_speed.sh - a profile with one million cost lines (made by
# build/tools/gen_profile, which the benches reuse) is read and reported in
# well under a second: the best of three runs must take less than 1 s
# (typically ~0.25 s; Valgrind's Python cg_annotate takes ~5 s).  Also checks
# that the report of the big file is complete (totals = its summary: line).
. "$TOP/tests/e2e/lib.sh"
gen=$TOP/build/tools/gen_profile
[ -x "$gen" ] || { nok "gen_profile built"; done_testing; }
"$gen" -n 1000000 big.cgout || { nok "gen_profile"; done_testing; }
check_eq "$(grep -c '^[0-9]' big.cgout)" 1000000 "generated 1,000,000 cost lines"

best=999999
for run in 1 2 3; do
  t0=$(date +%s%N)
  "$CACHESIM_ANNOTATE" big.cgout >big.txt; rc=$?
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  [ $ms -lt $best ] && best=$ms
done
check_eq "$rc" 0 "report of the big profile (exit status)"
echo "# best of 3: ${best} ms for 1,000,000 cost lines"
[ $best -lt 1000 ] && ok "read and reported in ${best} ms (< 1000 ms)" || nok "read and reported in ${best} ms (< 1000 ms)"

# Commified summary counts (sed inserts a comma before each group of three digits).
want=$(sed -n 's/^summary: *//p' big.cgout | tr ' ' '\n' | grep . | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' | paste -sd' ')
got=$("$CACHESIM_ANNOTATE" --no-show-percs --no-annotate big.cgout | sed -n 's/  PROGRAM TOTALS$//p' | tr -s ' ' | sed 's/^ //; s/ $//')
[ -n "$want" ] && check_eq "$got" "$want" "totals row = summary: line"

t0=$(date +%s%N)
"$CACHESIM_ANNOTATE" --format=json big.cgout >big.json; rc=$?
t1=$(date +%s%N)
check_eq "$rc" 0 "JSON report of the big profile (exit status)"
echo "# JSON: $(( (t1 - t0) / 1000000 )) ms"
done_testing
