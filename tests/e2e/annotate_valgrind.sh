#!/usr/bin/env bash
# annotate_valgrind.sh - cachesim-annotate on profiles that Valgrind's
# Cachegrind writes live for a program over real library code (zlib, libc):
# - the PROGRAM TOTALS row carries every count of the file's summary: line;
# - every file:function pair Valgrind's own cg_annotate lists has exactly the
#   same Ir in our File:function section (and the same pairs are listed);
# - several files are merged (totals = sum of the summaries), --diff gives
#   B - A, and the JSON report carries the same numbers as the text report;
# - reading a Valgrind file and writing it back is byte-identical;
# - the outputs of Valgrind's cg_diff and cg_merge are read (and our merge
#   equals cg_merge's).
# Skipped (77) without valgrind, cg_annotate, gcc, zlib or python3.
. "$TOP/tests/e2e/lib.sh"
for t in valgrind cg_annotate gcc python3; do
  command -v $t >/dev/null || { echo "skip: no $t"; exit 77; }
done
[ -f /usr/include/zlib.h ] || { echo "skip: no zlib.h"; exit 77; }

cp "$TOP/tests/annotate/zwork.c" . && gcc -g -O1 -o zwork zwork.c -lz || { nok "build zwork"; done_testing; }
vg() { valgrind --tool=cachegrind --cachegrind-out-file="$1" "${@:2}" >/dev/null 2>&1; }
vg p1 --cache-sim=yes ./zwork 64 && vg p2 --cache-sim=yes ./zwork 96 &&
  vg p3 --cache-sim=yes --branch-sim=yes ./zwork 32 && vg p4 --cache-sim=no ./zwork 16 ||
  { nok "valgrind runs"; done_testing; }
ok "valgrind wrote four profiles"
A=$CACHESIM_ANNOTATE

# The totals row carries every summary count, for each event set.
for p in p1 p3 p4; do
  $A --no-show-percs --no-annotate $p >$p.txt; rc=$?
  check_eq "$rc" 0 "$p: report exit status"
  want=$(sed -n 's/^summary: *//p' $p | python3 -c 'import sys; print(" ".join(f"{int(x):,d}" for x in sys.stdin.read().split()))')
  got=$(sed -n 's/  PROGRAM TOTALS$//p' $p.txt | tr -s ' ' | sed 's/^ //; s/ $//')
  check_eq "$got" "$want" "$p: PROGRAM TOTALS row = summary: line"
done

# Exact Ir of every function Valgrind's cg_annotate lists (its default 0.1%
# threshold on Ir, like ours).
cg_annotate --show=Ir --show-percs=no --auto=no p1 >vg.txt 2>&1
$A --format=json --no-annotate p1 >p1.json
python3 - vg.txt p1.json p1.txt >cmp.txt <<'EOF'
import json, sys, re
vg, js, txt = sys.argv[1:4]
# cg_annotate 3.19: after the "file:function" header, "COUNT  file:function" rows.
lines = open(vg).read().split("\n")
i = next(k for k, l in enumerate(lines) if l.rstrip().endswith("file:function"))
want = {}
for l in lines[i + 2:]:
    if not l.strip():
        break
    m = re.match(r"\s*([\d,]+)\s+(.*)$", l)
    want[m.group(2)] = int(m.group(1).replace(",", ""))
j = json.load(open(js))
ir = j["events"].index("Ir")
got = {f["file"] + ":" + g["function"]: g["counts"][ir] for f in j["file_function"] for g in f["functions"]}
# The same pairs in our text report, parsed from the File:function section.
t = open(txt).read().split("\n")
k = next(n for n, l in enumerate(t) if l.endswith(" file:function"))
text, cur, nev = {}, None, len(j["shown"])
for l in t[k + 2:]:
    if l.startswith("-----"):
        break
    if not l.strip():
        continue
    parts = l[2:].split(None, nev)
    counts, label = [int(x.replace(",", "")) for x in parts[:nev]], parts[nev]
    if l.startswith("< "):
        if label.endswith(":"):
            cur = label[:-1]
        else:
            text[label] = counts[0]
    else:
        text[cur + ":" + label] = counts[0]
print("pairs", len(want))
print("missing", sorted(set(want) - set(got)))
print("extra", sorted(set(got) - set(want)))
print("mismatch", [(p, want[p], got.get(p)) for p in want if got.get(p) != want[p]])
print("text-mismatch", [(p, got[p], text.get(p)) for p in got if text.get(p) != got[p]])
EOF
n=$(sed -n 's/^pairs //p' cmp.txt)
[ "${n:-0}" -ge 5 ] && ok "cg_annotate lists $n functions" || nok "cg_annotate lists functions (got '${n}')"
check_eq "$(sed -n 's/^missing //p' cmp.txt)" "[]" "every function cg_annotate lists is in our report"
check_eq "$(sed -n 's/^extra //p' cmp.txt)" "[]" "we list no function cg_annotate does not"
check_eq "$(sed -n 's/^mismatch //p' cmp.txt)" "[]" "each function's Ir equals cg_annotate's"
check_eq "$(sed -n 's/^text-mismatch //p' cmp.txt)" "[]" "text File:function Ir = JSON Ir"
grep -Eq '^ +(-?[0-9,]+ +)+main$' p1.txt && ok "zwork.c:main listed" || nok "zwork.c:main listed"

# Merge and diff totals, from the summary: lines of the inputs.
sums() { python3 -c '
import sys
s=[[int(x) for x in open(f).read().split("summary:")[1].split()] for f in sys.argv[2:]]
r=[a+b for a,b in zip(*s)] if sys.argv[1]=="+" else [b-a for a,b in zip(*s)]
print(" ".join(f"{x:,d}" for x in r))' "$@"; }
totals() { sed -n 's/  PROGRAM TOTALS$//p' "$1" | tr -s ' ' | sed 's/^ //; s/ $//'; }
$A --no-show-percs --no-annotate p1 p2 >merge.txt
check_eq "$(totals merge.txt)" "$(sums + p1 p2)" "merging two files adds their summaries"
grep -q '^Command 2: *\./zwork 96$' merge.txt && ok "merge shows both commands" || nok "merge shows both commands"
$A --no-show-percs --no-annotate --diff p1 p2 >diff.txt
check_eq "$(totals diff.txt)" "$(sums - p1 p2)" "--diff A B totals = B - A"
$A p1 p3 >/dev/null 2>err.txt; rc=$?
check_eq "$rc" 1 "different events refused"
check_grep "events in data files don't match" err.txt "events mismatch message"

# The files of Valgrind's own cg_diff and cg_merge (3.19's formats: "events:"
# with two spaces, costs on line 0, "LINE   c1 c2 ... " lines) read too.
if command -v cg_diff >/dev/null && command -v cg_merge >/dev/null; then
  cg_diff p1 p2 >vgdiff 2>/dev/null && cg_merge -o vgmerge p1 p2 2>/dev/null
  $A --no-show-percs --no-annotate vgdiff >vgdiff.txt; rc=$?
  check_eq "$rc" 0 "cg_diff output read"
  check_eq "$(totals vgdiff.txt)" "$(sums - p1 p2)" "cg_diff output: totals = B - A"
  $A --no-show-percs --no-annotate vgmerge >vgmerge.txt; rc=$?
  check_eq "$rc" 0 "cg_merge output read"
  check_eq "$(totals vgmerge.txt)" "$(sums + p1 p2)" "cg_merge output: totals = A + B"
  "$TOP/build/tools/profile_rewrite" vgmerge vgmerge.copy && "$TOP/build/tools/profile_rewrite" p1 p2 ours.merge &&
    cmp -s vgmerge.copy ours.merge && ok "our merge equals cg_merge's, cell by cell" || nok "our merge equals cg_merge's"
fi

# JSON = text, every row and every event, with source annotation on.
$A --no-show-percs p1 >full.txt
$A --format=json p1 >full.json
python3 - full.txt full.json >jt.txt <<'EOF'
import json, sys
t = open(sys.argv[1]).read().split("\n")
j = json.load(open(sys.argv[2]))
nev, errs = len(j["shown"]), []
def rows(start_pred):
    """The non-blank rows after the header line that start_pred picks."""
    k = next(n for n, l in enumerate(t) if start_pred(l))
    out = []
    for l in t[k + 2:]:
        if l.startswith("-----"):
            break
        if l.strip():
            out.append(l)
    return out
def cells(s):
    parts = s.split(None, nev)
    return [int(x.replace(",", "")) for x in parts[:nev]], parts[nev] if len(parts) > nev else ""
for sec, key, inner in (("file:function", "file_function", "functions"), ("function:file", "function_file", "files")):
    flat = []
    for g in j[key]:
        name = g["file" if key == "file_function" else "function"]
        if len(g[inner]) == 1 and g[inner][0]["counts"] == g["counts"]:
            flat.append((g["counts"], name + ":" + list(g[inner][0].values())[0]))
        else:
            flat.append((g["counts"], name + ":"))
            flat += [(x["counts"], list(x.values())[0]) for x in g[inner]]
    got = [cells(l[2:]) for l in rows(lambda l, s=sec: l.endswith(" " + s))]
    if got != flat:
        errs.append(sec)
tot, _ = cells(next(l for l in t if l.endswith("PROGRAM TOTALS")))
if tot != j["totals"]:
    errs.append("totals")
k = t.index("-- Annotation summary")
asum = [cells(l)[0] for l in rows(lambda l, h=t[k + 2]: l == h)]
if asum != list(j["annotation_summary"].values()):
    errs.append("annotation summary")
if [sum(c) for c in zip(*asum)] != j["totals"]:
    errs.append("annotation rows do not add up")
ann = [f for f in j["annotated_files"] if f["status"] == "annotated"]
for f in ann:
    k = t.index("-- Annotated source file: " + f["file"])
    lines = {}
    n = 0
    for l in t[k + 4:]:
        if l.startswith("-----"):
            break
        if l.startswith("-- line") or l.startswith("@") or not l.strip():
            continue
        parts = l.split(None, nev)
        if parts[0] == ".":
            continue
        if parts[nev:] and parts[nev] == "<unknown (line 0)>":
            continue
        lines[len(lines)] = [int(x.replace(",", "")) for x in parts[:nev]]
    if list(lines.values()) != [x["counts"] for x in f["lines"]]:
        errs.append("lines of " + f["file"])
print("annotated", len(ann))
print("errors", errs)
EOF
check_eq "$(sed -n 's/^errors //p' jt.txt)" "[]" "JSON equals text (summaries, totals, annotation, lines)"
check_eq "$(sed -n 's/^annotated //p' jt.txt)" 1 "zwork.c annotated from its source"

# Read and write back: byte-identical to Valgrind's file.
for p in p1 p3 p4; do
  "$TOP/build/tools/profile_rewrite" $p $p.copy && cmp -s $p $p.copy && ok "$p rewritten byte-identical" ||
    nok "$p rewritten byte-identical"
done
done_testing
