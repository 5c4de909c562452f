#!/usr/bin/env bash
# annotate_big.sh - a profile with one million cost lines (made by
# build/tools/gen_profile, which `make bench` reuses to time us against
# cg_annotate) is reported completely: exit 0, totals row = its summary: line,
# text and JSON.  Speed is measured by `make bench`, not asserted here.
. "$TOP/tests/e2e/lib.sh"
gen=$TOP/build/tools/gen_profile
[ -x "$gen" ] || { nok "gen_profile built"; done_testing; }
"$gen" -n 1000000 big.cgout || { nok "gen_profile"; done_testing; }
check_eq "$(grep -c '^[0-9]' big.cgout)" 1000000 "generated 1,000,000 cost lines"
"$CACHESIM_ANNOTATE" big.cgout >big.txt
check_eq "$?" 0 "report of the big profile (exit status)"
# Commified summary counts (sed inserts a comma before each group of three digits).
want=$(sed -n 's/^summary: *//p' big.cgout | tr ' ' '\n' | grep . | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' | paste -sd' ')
got=$("$CACHESIM_ANNOTATE" --no-show-percs --no-annotate big.cgout | sed -n 's/  PROGRAM TOTALS$//p' | tr -s ' ' | sed 's/^ //; s/ $//')
[ -n "$want" ] && check_eq "$got" "$want" "totals row = summary: line"
"$CACHESIM_ANNOTATE" --format=json big.cgout >big.json
check_eq "$?" 0 "JSON report of the big profile (exit status)"
done_testing
