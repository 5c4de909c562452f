# cachesim-diff on profiles written live: Valgrind's Cachegrind and cachesim
# each run tests/diff/work.c twice (1000 and 2000 elements).  The difference's
# summary must be B - A of the two summary lines, Valgrind's cg_annotate 3.19
# must read it with PROGRAM TOTALS = B - A, --functions must agree with
# Valgrind's cg_diff function by function, and the gate must fail the bigger
# run (exit 3) and pass the smaller one (exit 0).
. "$TOP/tests/e2e/lib.sh"
command -v valgrind >/dev/null && command -v cg_annotate >/dev/null && command -v cg_diff >/dev/null || {
  echo "valgrind, cg_annotate or cg_diff not installed"; exit 77; }
D=$CACHESIM_DIFF
gcc -g -O1 -o work "$TOP/tests/diff/work.c" || { nok "compile work.c"; done_testing; }
G="--I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64"
valgrind -q --tool=cachegrind --cache-sim=yes $G --cachegrind-out-file=a.cg ./work 1000 2>/dev/null
valgrind -q --tool=cachegrind --cache-sim=yes $G --cachegrind-out-file=b.cg ./work 2000 2>/dev/null
check_grep '^summary: ' a.cg "Cachegrind wrote a.cg"
check_grep '^summary: ' b.cg "Cachegrind wrote b.cg"

# summary_diff A B: the summary line B - A, column by column.
summary_diff() {
  paste -d' ' <(grep '^summary:' "$1" | cut -d' ' -f2-) <(grep '^summary:' "$2" | cut -d' ' -f2-) |
    awk '{ n = NF / 2; s = "summary:"; for (i = 1; i <= n; i++) s = s " " ($(i + n) - $i); print s }'
}
# totals_of ANNOTATION: cg_annotate's PROGRAM TOTALS without commas and percentages.
totals_of() { grep 'PROGRAM TOTALS' "$1" | sed 's/ *([^)]*)//g; s/ *PROGRAM TOTALS//; s/,//g; s/  */ /g; s/^ //; s/ $//'; }

want=$(summary_diff a.cg b.cg)
"$D" a.cg b.cg >d.cg; check_eq $? 0 "diff of Cachegrind's profiles"
check_eq "$(tail -n 1 d.cg)" "$want" "summary = B - A of the summary lines"
check_eq "$(head -n 3 d.cg)" "desc: Files compared:   a.cg; b.cg
cmd: ./work 1000; ./work 2000
events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw" "cg_diff's header"
cg_annotate d.cg >ann 2>ann.err; check_eq "$?:$(wc -c <ann.err)" "0:0" "cg_annotate 3.19 reads the per-line diff"
check_eq "summary: $(totals_of ann)" "$want" "cg_annotate: PROGRAM TOTALS = B - A"
"$CACHESIM_ANNOTATE" d.cg >cann 2>cann.err; check_eq "$?:$(wc -c <cann.err)" "0:0" "cachesim-annotate reads the diff"
"$CACHESIM_ANNOTATE" --diff a.cg b.cg >cann2 2>/dev/null
check_eq "$(grep 'PROGRAM TOTALS' cann)" "$(grep 'PROGRAM TOTALS' cann2)" "cachesim-annotate: diff file = --diff a b"

# --functions against Valgrind's cg_diff, record by record (cg_diff prints
# them in hash order, so both sides are sorted).
records() { awk '/^fl=/{fl=$0} /^fn=/{fn=$0} /^0 /{print fl "|" fn "|" $0} /^summary:/{print}' "$1" | LC_ALL=C sort; }
"$D" --functions a.cg b.cg >f.cg; check_eq $? 0 "--functions"
cg_diff a.cg b.cg >cgd.cg 2>/dev/null; check_eq $? 0 "cg_diff ran"
records f.cg >ours; records cgd.cg >theirs
check_eq "$(wc -l <ours)" "$(wc -l <theirs)" "--functions: as many records as cg_diff ($(wc -l <theirs))"
check_file_eq ours theirs "--functions: every (file, function) equal to cg_diff's"
cg_annotate f.cg >ann 2>ann.err; check_eq "$?:$(wc -c <ann.err)" "0:0" "cg_annotate reads the --functions diff"
check_eq "summary: $(totals_of ann)" "$want" "cg_annotate: --functions totals = B - A"

# The gate: 1000 -> 2000 elements is far more than 1% more Ir; the way back
# is an improvement.
"$D" --limit Ir=1% a.cg b.cg >rep; check_eq $? 3 "Ir=1%: the bigger run fails (exit 3)"
"$D" --limit Ir=1% b.cg a.cg >rep; check_eq $? 0 "Ir=1%: the smaller run passes (exit 0)"
"$D" --limit Ir=1% --format=json a.cg b.cg >rep.json
ir_a=$(grep '^summary:' a.cg | cut -d' ' -f2); ir_b=$(grep '^summary:' b.cg | cut -d' ' -f2)
check_grep "\{\"name\": \"Ir\", \"formula\": null, \"old\": $ir_a, \"new\": $ir_b, \"delta\": $((ir_b - ir_a)), " rep.json \
  "json: Ir old/new/delta from the summary lines"
# EstCycles from the summary lines: Ir+Dr+Dw + 4*(I1mr+D1mr+D1mw) + 30*(ILmr+DLmr+DLmw).
est() { grep '^summary:' "$1" | awk '{ print $2+$5+$8 + 4*($3+$6+$9) + 30*($4+$7+$10) }'; }
check_grep "\{\"name\": \"EstCycles\", \"formula\": \"L1hits \+ 5 \* LLhits \+ 35 \* RAMhits\", \"old\": $(est a.cg), \"new\": $(est b.cg), " \
  rep.json "json: EstCycles from the summary lines"

# cachesim's own profiles, as docs/ci.md uses them: deterministic runs of one
# input are identical (Ir=0 passes), and the diff's summary is B - A.
"$CACHESIM" --deterministic=yes -q --out-file=a.cs ./work 1000; check_eq $? 0 "cachesim run 1000"
"$CACHESIM" --deterministic=yes -q --out-file=a2.cs ./work 1000; check_eq $? 0 "cachesim run 1000 again"
"$CACHESIM" --deterministic=yes -q --out-file=b.cs ./work 2000; check_eq $? 0 "cachesim run 2000"
"$D" --limit Ir=0,EstCycles=0 a.cs a2.cs >rep; check_eq $? 0 "same input twice: within Ir=0, EstCycles=0"
"$D" a.cs b.cs >d.cs; check_eq "$(tail -n 1 d.cs)" "$(summary_diff a.cs b.cs)" "cachesim profiles: summary = B - A"
cg_annotate d.cs >ann 2>ann.err; check_eq "$?:$(wc -c <ann.err)" "0:0" "cg_annotate reads the diff of cachesim profiles"
"$D" --limit Ir=1% --format=markdown a.cs b.cs >rep.md; check_eq $? 3 "markdown gate on cachesim profiles: exit 3"
check_grep '^### cachesim-diff: 1 of 1 limit exceeded$' rep.md "markdown headline"
done_testing
