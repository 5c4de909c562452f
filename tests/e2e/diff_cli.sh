# cachesim-diff on the hand-written fixtures in tests/diff (their comments and
# README give every expected number): the difference profiles, the three
# report layouts byte for byte, every exit status, limits (absolute, percent,
# derived, exactly at the limit), error messages, and that Valgrind's own
# cg_annotate 3.19 reads the profiles we write.
. "$TOP/tests/e2e/lib.sh"
cp "$TOP"/tests/diff/* .
D=$CACHESIM_DIFF

# run WANT_STATUS WHAT ARGS... : stdout to out, stderr to err, check the status.
run() { local want=$1 what=$2; shift 2; "$D" "$@" >out 2>err; check_eq "$?" "$want" "$what: exit status"; }
# fails WANT_STATUS WHAT MESSAGE ARGS... : exactly one line "cachesim-diff: error: MESSAGE".
fails() {
  local want=$1 what=$2 msg=$3; shift 3
  run "$want" "$what" "$@"
  check_eq "$(cat err)" "cachesim-diff: error: $msg" "$what: message"
  check_eq "$(wc -c <out)" 0 "$what: nothing on stdout"
}

# --- difference profiles -------------------------------------------------
run 0 "per-line diff" old.cgout new.cgout
check_file_eq out expect_lines.cgout "per-line diff: B - A, cg_diff's header"
check_eq "$(wc -c <err)" 0 "per-line diff: quiet"
run 0 "--functions" --functions old.cgout new.cgout
check_file_eq out expect_functions.cgout "--functions: every function on line 0"
run 0 "-o FILE" -o d.cgout old.cgout new.cgout
check_file_eq d.cgout expect_lines.cgout "-o writes the same profile"
check_eq "$(wc -c <out)" 0 "-o: stdout stays empty"
check_eq "$(ls -a | grep -c '^\.d\.cgout\.')" 0 "-o: no temporary file left"
run 0 "-o -" -o - old.cgout new.cgout
check_file_eq out expect_lines.cgout "-o - is stdout"
"$D" - new.cgout <old.cgout >out; check_eq $? 0 "OLD from stdin"
check_eq "$(head -1 out)" "desc: Files compared:   -; new.cgout" "stdin is named '-'"
check_eq "$(tail -1 out)" "summary: 100 -1 -1 2 1 0 -9 -1 0" "stdin: same summary"

# diff(A, A) is all zero, with A's keys.
run 0 "diff(A, A)" old.cgout old.cgout
check_eq "$(grep -Ec '^[0-9]+( 0){9}$' out)" 6 "diff(A, A): six zero cost lines"
check_eq "$(grep -Ec '^[0-9]+ ' out)" 6 "diff(A, A): no other cost line"
check_eq "$(tail -1 out)" "summary: 0 0 0 0 0 0 0 0 0" "diff(A, A): zero summary"

# --mod-filename / --mod-funcname rewrite names while reading, like cg_diff.
run 0 "--mod-*" --functions --mod-filename='s/prog\.c/p.c/' --mod-funcname='s/^(w)ork$/\1/' old.cgout new.cgout
check_eq "$(grep -c '^fl=p.c$' out)" 1 "--mod-filename renames prog.c"
check_eq "$(grep -A1 '^fn=w$' out | tail -1)" "0 193 0 0 10 2 1 10 1 1" "--mod-funcname renames work, counts kept"
# Two names mapped onto one are summed: init and main -> x.
# old: init 100 + main 55 = 155, new: main 57 -> x changes by -98.
run 0 "--mod-funcname merges" --functions --mod-funcname='s/^(init|main)$/x/' old.cgout new.cgout
check_eq "$(grep -A1 '^fn=x$' out | tail -1 | cut -d' ' -f1-2)" "0 -98" "merged functions are summed"

# Valgrind's cg_annotate 3.19 (Perl) reads both profiles; totals are B - A.
if command -v cg_annotate >/dev/null; then
  for f in expect_lines.cgout expect_functions.cgout; do
    cg_annotate "$f" >ann 2>ann.err; rc=$?
    check_eq "$rc:$(wc -c <ann.err)" "0:0" "cg_annotate reads $f"
    check_eq "$(grep 'PROGRAM TOTALS' ann | sed 's/ *([^)]*)//g; s/ *PROGRAM TOTALS//; s/  */ /g; s/ $//')" \
      "100 -1 -1 2 1 0 -9 -1 0" "cg_annotate: PROGRAM TOTALS of $f = B - A"
  done
else
  nok "cg_annotate (valgrind) is not installed"
fi

# --- the gate report ------------------------------------------------------
run 3 "Ir=1% regression" --limit Ir=1% old.cgout new.cgout
check_file_eq out expect_report.txt "text report"
check_eq "$(wc -c <err)" 0 "a regression is not an error message"
run 3 "markdown report" --limit Ir=4%,EstCycles=58 --format=markdown old.cgout new.cgout
check_file_eq out expect_report.md "markdown report"
run 3 "json report" --limit Ir=1% --limit EstCycles=1.2% --format=json --top=2 old.cgout new.cgout
check_file_eq out expect_report.json "json report"
if command -v python3 >/dev/null; then
  python3 -c 'import json,sys; d=json.load(open("out")); sys.exit(0 if d["version"]==1 and d["exceeded"]==1 else 1)'
  check_eq $? 0 "json report parses (python3 json), version 1"
fi

# Improvement: NEW and OLD swapped, Ir drops by 100: never a failure.
run 0 "Ir=1% improvement" --limit Ir=1% new.cgout old.cgout
check_eq "$(tail -1 out)" "Result: within limits (1 limit checked)" "improvement: within limits"
check_grep '^Ir +3,300 +3,200 +-100 +-3\.03% +1% +ok$' out "improvement row: -100/3,300 = -3.03%"

# Exact edges: +100 Ir is exactly 3.125% and exactly 100.
run 0 "Ir=3.125% (at the limit)" --limit Ir=3.125% old.cgout new.cgout
run 3 "Ir=3.124999%" --limit Ir=3.124999% old.cgout new.cgout
run 0 "Ir=100 (at the limit)" --limit Ir=100 old.cgout new.cgout
run 3 "Ir=99" --limit Ir=99 old.cgout new.cgout
check_grep '^  Ir grew by \+100 \(\+3\.13%\), limit 99$' out "Ir=99: reason line"
# Derived events: EstCycles 4,990 -> 5,049 (+59, +1.18%).
run 0 "EstCycles=59" --limit EstCycles=59 old.cgout new.cgout
run 3 "EstCycles=58" --limit EstCycles=58 old.cgout new.cgout
run 3 "EstCycles=1.18%" --limit EstCycles=1.18% old.cgout new.cgout
run 0 "EstCycles=1.19%" --limit EstCycles=1.19% old.cgout new.cgout
# D = Dr + Dw: 900 -> 893; L1m 50 -> 49; LLm 23 -> 22: all improved.
run 0 "D, L1m, LLm at 0" --limit D=0,L1m=0,LLm=0 --show=D,L1m,LLm,L1hits,LLhits,RAMhits old.cgout new.cgout
check_grep '^D +900 +893 +-7 +-0\.78% +0 +ok$' out "D row: 900 -> 893"
check_grep '^L1hits +4,050 +4,144 +\+94 +\+2\.32%$' out "L1hits row: 4,050 -> 4,144"
check_grep '^RAMhits +23 +22 +-1 +-4\.35%$' out "RAMhits row: 23 -> 22"
check_grep '^  D = Dr \+ Dw$' out "formulas of derived rows: D"
check_grep '^  LLhits = \(I1mr \+ D1mr \+ D1mw\) - \(ILmr \+ DLmr \+ DLmw\)$' out "formulas of derived rows: LLhits"
# Several limits: one fails, exit 3, the result counts them.
run 3 "two limits, one exceeded" --limit Dr=0 --limit Dr=2 old.cgout new.cgout
check_grep '^Dr +760 +762 +\+2 +\+0\.26% +0, 2 +EXCEEDED$' out "both limits on one row"
check_eq "$(grep -A1 '^Result' out)" "Result: 1 of 2 limits exceeded
  Dr grew by +2 (+0.26%), limit 0" "result names the exceeded limit"
# --sort and --top choose the function list.
run 0 "--sort=Dw --top=1" --sort=Dw --top=1 old.cgout new.cgout
check_eq "$(grep -A2 '^Functions' out)" "Functions that changed most in Dw (1 of 3 changed):
Old  New  Delta    Change  Function
 20    0    -20  -100.00%  prog.c:init" "--sort=Dw: init lost 20 Dw (3 functions changed Dw)"
run 0 "--report, no limits" --report --top=0 ir.cgout ir.cgout
check_eq "$(cat out)" "old: ir.cgout (cmd: ./prog)
new: ir.cgout (cmd: ./prog)

Event  Old  New  Delta  Change
Ir       7    7      0   0.00%

No function changed in Ir.

Result: no limits given" "report without limits, Ir-only profile: no EstCycles row"
# The profile still goes to -o while stdout carries the report.
run 3 "report and -o" --limit Ir=1% -o p.cgout old.cgout new.cgout
check_file_eq p.cgout expect_lines.cgout "-o with a report: the profile"
check_file_eq out expect_report.txt "-o with a report: the report"

# --- bad input: exit 1 ----------------------------------------------------
fails 1 "missing file" "unable to open 'nosuch.cgout': No such file or directory" nosuch.cgout new.cgout
fails 1 "damaged OLD" "damaged.cgout:7: malformed count '.'" damaged.cgout new.cgout
printf 'cmd: ./prog\nevents: Ir Dr\nfl=prog.c\nfn=main\n10 5 1\nsummary: 5 1\n' >irdr.cgout
fails 1 "damaged NEW" "damaged.cgout:7: malformed count '.'" --limit Ir=1% irdr.cgout damaged.cgout
fails 1 "mismatched events" \
  "ir.cgout:2: events in data files don't match ('Ir' here, 'Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw ' before)" \
  old.cgout ir.cgout
printf 'cmd: x\nevents: Ir\nfl=a\nfn=f\n1 5\nsummary: 5' >trunc.cgout
fails 1 "truncated file" "trunc.cgout:6: incomplete last line (no newline at end of file: truncated?)" trunc.cgout trunc.cgout
printf 'cmd: x\nevents: Ir\nfl=a\nfn=f\n1 5\nsummary: 6\n' >badsum.cgout
fails 1 "wrong summary" \
  "badsum.cgout:6: 'summary:' line doesn't match computed total: Ir is 6 in the summary, 5 in the cost lines" \
  ir.cgout badsum.cgout
fails 1 "-o into a missing directory" \
  "unable to create a temporary file for 'no/such/dir/d.cgout': No such file or directory" \
  -o no/such/dir/d.cgout old.cgout new.cgout

# --- usage: exit 2 --------------------------------------------------------
fails 2 "no operands" "expected two profiles, OLD and NEW, got 0 (see --help)"
fails 2 "three operands" "expected two profiles, OLD and NEW, got 3 (see --help)" old.cgout new.cgout new.cgout
fails 2 "unknown option" "unknown option '--bogus' (see --help)" --bogus old.cgout new.cgout
fails 2 "limit without a value" "option '--limit' needs a value" old.cgout new.cgout --limit
fails 2 "bad limit" "--limit: invalid limit 'Ir': expected EVENT=N or EVENT=PERCENT%" --limit Ir old.cgout new.cgout
fails 2 "negative limit" \
  "--limit: invalid limit 'Ir=-5': expected a count (a whole number >= 0) or a percentage such as 1%" \
  --limit Ir=-5 old.cgout new.cgout
fails 2 "unknown event" "--limit Foo=1: unknown event 'Foo'" --limit Foo=1 old.cgout new.cgout
fails 2 "EstCycles without cache events" \
  "--limit EstCycles=1%: event 'EstCycles' needs 'Dr', which the profile does not record (events: Ir)" \
  --limit EstCycles=1% ir.cgout ir.cgout
fails 2 "D without Dr" "--show: event 'D' needs 'Dr', which the profile does not record (events: Ir)" \
  --show=D ir.cgout ir.cgout
fails 2 "bad format" "--format: unknown format 'xml' (text, json or markdown)" --format=xml old.cgout new.cgout
fails 2 "bad --top" "--top: expected a number from 0 to 1000000000, not '-1'" --top=-1 old.cgout new.cgout
fails 2 "bad --mod-filename" \
  "--mod-filename: invalid substitution 's/x': expected s/old/new/ with optional flags g and i" \
  --mod-filename=s/x old.cgout new.cgout
fails 2 "two stdins" "only one of the profiles can be read from stdin ('-')" - -
fails 2 "report to -o -" "-o -: stdout carries the report; give -o a file name" --report -o - old.cgout new.cgout
"$D" --help >out 2>err; check_eq "$?:$(wc -c <err)" "0:0" "--help: exit 0"
check_grep '^usage: cachesim-diff \[options\] OLD NEW$' out "--help: usage line"
"$D" --version >out; check_eq "$?" 0 "--version: exit 0"
check_grep '^cachesim-diff [0-9]' out "--version: name and number"
done_testing
