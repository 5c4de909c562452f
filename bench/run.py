#!/usr/bin/env python3
"""make bench: speed and memory of cachesim side by side with native runs and
Valgrind's Cachegrind, in one run, interleaved (round robin, so machine noise
hits every contender alike), ratios printed, table written to
docs/performance.md with the date.

Workloads (bench/workloads/*.c): zlib compress2+uncompress, pointer chasing,
a hash table, SQLite, and /bin/true (start-up cost).  Each runs natively, under
cachesim with and without cache simulation, and under Cachegrind with and
without it; the same size for every contender of a row, so the ratios compare
like with like.

Rows, one per engine and workload:
  - `--engine=dbt` (the translator) at real sizes: zlib on 2 MiB (480 M
    instructions with this input; the issue quotes ~620 M for its own), the
    others sized to run 0.2-1 s natively (pointer-chase 24 M instructions, all
    cache misses; hash-table 160 M; sqlite 840 M).  When this cachesim has no
    dbt engine (`--engine=dbt` exits 2) these rows are skipped with a note,
    and the step rows are run instead.
  - zlib once more with the caches each tool detects on this machine (no
    --I1/--D1/--LL: what a user who gives none gets; cachesim detects what
    Cachegrind does), where the other rows give both the same explicit
    geometry (GEOM).  On a Zen 4 that is a 48 KiB 12-way D1 and a 32 MiB
    direct-mapped LL.
  - `--engine=step` (the single-step reference, ~30,000 instructions a second)
    at small sizes (0.3-2 M instructions), only with BENCH_STEP=1: over ten
    minutes a round.

Environment:
  BENCH_ROUNDS=N   rounds (default 3); each contender's best wall time is kept
  BENCH_STEP=1     also the step engine rows
  BENCH_SMALL=1    the dbt rows at the step engine's small sizes (smoke test)
  BENCH_OUT=FILE   where the table goes (default docs/performance.md, between
                   its two "<!-- bench table -->" markers); "-": printed only
  CACHESIM_BIN     the cachesim to measure (default bin/cachesim)

Targets (issue 5, for the dbt rows; reported per row, never asserted): full
simulation <= 5x native and <= 0.25x Cachegrind; --cache-sim=no <= 2x native;
`cachesim /bin/true` within 0.1 s of native; peak memory <= Cachegrind's.  The
last column says which hold.  A row whose program printed something else under
cachesim than natively says so there too: a fast wrong engine counts for nothing.

Also: cachesim-annotate against Valgrind's cg_annotate on a profile of one
million cost lines (build/tools/gen_profile).

Peak memory: the largest resident set of any one process of the run (cachesim
and its program are separate processes, so this is the larger of the two;
Cachegrind is one process holding both), from the rusage bench/maxrss reads.
"""
import datetime
import os
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHESIM = os.environ.get("CACHESIM_BIN") or os.path.join(TOP, "bin", "cachesim")
ANNOTATE = os.path.join(TOP, "bin", "cachesim-annotate")
GEN = os.path.join(TOP, "build", "tools", "gen_profile")
MAXRSS = os.path.join(TOP, "build", "bench", "maxrss")
GEOM = ["--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64"]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WITH_STEP = os.environ.get("BENCH_STEP", "") not in ("", "0")
SMALL = os.environ.get("BENCH_SMALL", "") not in ("", "0")
OUT = os.environ.get("BENCH_OUT", os.path.join(TOP, "docs", "performance.md"))

# name, source, libs, args for the step engine, args at real size (dbt)
WORKLOADS = [
    ("zlib", "zlibw.c", ["-lz"], ["4"], ["2048"]),
    ("pointer-chase", "chase.c", [], ["4000", "4"], ["500000", "4"]),
    ("hash-table", "hasht.c", [], ["3000"], ["2000000"]),
    ("sqlite", "sqlitew.c", ["-lsqlite3"], ["50"], ["100000"]),
]
KINDS = ("native", "cachesim", "cachesim no-sim", "cachegrind", "cachegrind no-sim")


def run(cmd, cwd):
    """(wall time, peak RSS in KiB) of cmd and all its descendants, measured by
    bench/maxrss (a small C program: see there why not from Python); None if
    it failed."""
    t0 = time.perf_counter()
    out = subprocess.run([MAXRSS] + cmd, cwd=cwd,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        print("bench: %s failed" % " ".join(cmd), file=sys.stderr, flush=True)
        return None
    return wall, int(out.stdout.decode().split()[-1])


def contenders(engine, exe, args, geom):
    cs = [CACHESIM, "-q", "--engine=" + engine, "--out-file=/dev/null"]
    return [
        ("native", [exe] + args),
        ("cachesim", cs + geom + [exe] + args),
        ("cachesim no-sim", cs + ["--cache-sim=no", exe] + args),
        ("cachegrind", ["valgrind", "-q", "--tool=cachegrind", "--cache-sim=yes",
                        "--cachegrind-out-file=/dev/null"] + geom + [exe] + args),
        ("cachegrind no-sim", ["valgrind", "-q", "--tool=cachegrind", "--cache-sim=no",
                               "--cachegrind-out-file=/dev/null", exe] + args),
    ]


def measure(rows, tmp):
    """rows: [(label, [(name, cmd)])] -> {label: {name: (best wall, max rss) or None}}.
    A contender that fails once is not run again."""
    res = {label: {} for label, _ in rows}
    for r in range(ROUNDS):
        for label, cands in rows:
            for name, cmd in cands:
                if name in res[label] and res[label][name] is None:
                    continue
                got = run(cmd, tmp)
                best = res[label].get(name)
                if got is None:
                    res[label][name] = None
                elif best is None:
                    res[label][name] = got
                else:
                    res[label][name] = (min(got[0], best[0]), max(got[1], best[1]))
        print("bench: round %d of %d done" % (r + 1, ROUNDS), flush=True)
    return res


def probe(engine, exe, args, tmp):
    """(instructions, program output, cachesim's exit status) of one count-only run."""
    out = os.path.join(tmp, "count.out")
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run([CACHESIM, "-q", "--engine=" + engine, "--cache-sim=no",
                        "--out-file=" + out, exe] + args,
                       cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    ir = 0
    if os.path.exists(out):
        for line in open(out):
            if line.startswith("summary:"):
                ir = int(line.split()[1])
    return ir, p.stdout, p.returncode


def engine_available(engine):
    p = subprocess.run([CACHESIM, "-q", "--engine=" + engine, "--out-file=/dev/null", "/bin/true"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return p.returncode != 2


def secs(v):
    return "%.3f s" % v if v < 0.1 else "%.2f s" % v


def targets(engine, label, r, notes):
    """The issue-5 targets that apply to a dbt row, each marked yes or NO."""
    if engine != "dbt":
        return "; ".join(notes) or "(reference engine)"
    out = list(notes)

    def mark(what, holds):
        out.append("%s %s" % (what, "yes" if holds else "NO"))

    n, cs, cn, cg = (r.get(k) for k in ("native", "cachesim", "cachesim no-sim", "cachegrind"))
    if label == "/bin/true":
        if n and cs:
            mark("+%.3f s <= 0.1 s:" % (cs[0] - n[0]), cs[0] - n[0] <= 0.1)
    else:
        if n and cs:
            mark("sim <= 5x native:", cs[0] <= 5 * n[0])
        if cs and cg:
            mark("<= 0.25x Cachegrind:", cs[0] <= 0.25 * cg[0])
        if n and cn:
            mark("no-sim <= 2x native:", cn[0] <= 2 * n[0])
    if cs and cg:
        mark("RSS <= Cachegrind's:", cs[1] <= cg[1])
    return "; ".join(out)


def row_line(engine, label, args, ir, r, notes):
    def t(k):
        return secs(r[k][0]) if r.get(k) else "failed"

    def ratio(a, b, fmt):
        return fmt % (r[a][0] / r[b][0]) if r.get(a) and r.get(b) else "-"

    def mib(k):
        return "%.0f" % (r[k][1] / 1024) if r.get(k) else "-"

    return "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s |" % (
        engine, label, " ".join(args), "{:,}".format(ir) if ir else "-", t("native"),
        t("cachesim"), ratio("cachesim", "native", "%.1fx"), ratio("cachesim", "cachegrind", "%.3fx"),
        t("cachesim no-sim"), ratio("cachesim no-sim", "native", "%.1fx"),
        t("cachegrind"), t("cachegrind no-sim"), mib("cachesim"), mib("cachegrind"),
        targets(engine, label, r, notes))


def main():
    tmp = tempfile.mkdtemp(prefix="cachesim-bench.")
    # cachesim's decode and symbol stores (docs/usage.md): the bench's own,
    # empty at the start, so round 1 runs cold and the later rounds warm, as
    # repeated runs do.
    os.environ["CACHESIM_CACHE_DIR"] = os.path.join(tmp, "stores")
    engines, skipped = [], []
    if engine_available("dbt"):
        engines.append("dbt")
    else:
        skipped.append("`--engine=dbt` rows skipped: this cachesim has no dbt engine yet "
                       "(`--engine=dbt` exits 2)")
    if WITH_STEP or not engines:
        engines.append("step")

    rows, info = [], {}
    for name, src, libs, small, real in WORKLOADS:
        exe = os.path.join(tmp, name)
        subprocess.run(["gcc", "-O2", "-g", "-o", exe, os.path.join(TOP, "bench", "workloads", src)]
                       + libs, check=True)
    for engine in engines:
        progs = [(name, os.path.join(tmp, name), small if engine == "step" or SMALL else real, GEOM)
                 for name, _, _, small, real in WORKLOADS]
        zlib = next(p for p in progs if p[0] == "zlib")
        progs.insert(progs.index(zlib) + 1, ("zlib, caches detected", zlib[1], zlib[2], []))
        progs.append(("/bin/true", "/bin/true", [], GEOM))
        for name, exe, args, geom in progs:
            label = (engine, name)
            native = subprocess.run([exe] + args, cwd=tmp, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, check=False)
            ir, output, status = probe(engine, exe, args, tmp)
            notes = []
            if output != native.stdout:
                notes.append("OUTPUT DIFFERS from native")
            if status != native.returncode:
                notes.append("EXIT STATUS %d, native %d" % (status, native.returncode))
            rows.append((label, contenders(engine, exe, args, geom)))
            info[label] = (args, ir, notes)
            print("bench: %s %s %s: %s instructions" % (engine, name, " ".join(args),
                                                        "{:,}".format(ir)), flush=True)
    print("bench: %d rounds, interleaved; best wall time of each" % ROUNDS, flush=True)
    res = measure(rows, tmp)

    lines = ["| engine | workload | args | Ir | native | cachesim | x native | x Cachegrind "
             "| cachesim no-sim | x native | Cachegrind | Cachegrind no-sim "
             "| peak RSS cachesim / Cachegrind (MiB) | targets (issue 5) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for label, _ in rows:
        args, ir, notes = info[label]
        lines.append(row_line(label[0], label[1], args, ir, res[label], notes))

    # cachesim-annotate vs cg_annotate on one million cost lines.
    big = os.path.join(tmp, "big.cgout")
    subprocess.run([GEN, "-n", "1000000", big], check=True, stdout=subprocess.DEVNULL)
    ann = measure([("annotate", [("cachesim-annotate", [ANNOTATE, big]),
                                 ("cg_annotate", ["cg_annotate", big])])], tmp)["annotate"]
    if ann.get("cachesim-annotate") and ann.get("cg_annotate"):
        a, c = ann["cachesim-annotate"][0], ann["cg_annotate"][0]
        ann_line = ("| cachesim-annotate, 1,000,000 cost lines | %.2f s | cg_annotate (Valgrind 3.19, Perl) "
                    "| %.2f s | ratio %.3f |" % (a, c, a / c))
    else:
        ann_line = "| cachesim-annotate, 1,000,000 cost lines | failed | cg_annotate | | |"

    table = "\n".join(lines)
    note = "".join("\n%s.\n" % s for s in skipped)
    print(table)
    print(note)
    print(ann_line)
    if OUT == "-":
        return
    date = datetime.date.today().isoformat()
    text = open(OUT).read() if os.path.exists(OUT) else ""
    marker = "<!-- bench table -->"
    new = "%s\nLatest `make bench`, %s (%d rounds, best of each; cachesim's decode and symbol stores empty in the first round):\n\n%s\n%s\n| annotate | ours | reference | theirs | |\n|---|---|---|---|---|\n%s\n%s" % (
        marker, date, ROUNDS, table, note, ann_line, marker)
    if text.count(marker) >= 2:
        head, _, rest = text.partition(marker)
        _, _, tail = rest.partition(marker)
        text = head + new + tail
    else:
        text = text + "\n" + new + "\n"
    open(OUT, "w").write(text)
    print("\nwritten to %s" % os.path.relpath(OUT, TOP))


main()
