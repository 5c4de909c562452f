#!/usr/bin/env python3
"""make bench: speed and memory of cachesim side by side with native runs and
Valgrind's Cachegrind, in one run, interleaved (round robin, so machine noise
hits every contender alike), ratios printed, table written to
docs/performance.md with the date.

Workloads (bench/workloads/*.c): zlib compress2+uncompress, pointer chasing,
a hash table, SQLite.  Each runs natively, under cachesim with and without
cache simulation, and under Cachegrind with and without it.  Sizes are given
per engine: the single-step reference engine runs about 30,000 instructions a
second, so its sizes are small; the same sizes are used for every contender of
a row, so the ratios compare like with like.

Also: cachesim-annotate against Valgrind's cg_annotate on a profile of one
million cost lines (build/tools/gen_profile).

Targets (issue 5): full simulation <= 5x native and <= 0.25x Cachegrind;
count-only <= 2x native; `cachesim /bin/true` within 0.1 s of native; peak
memory <= Cachegrind's.  The table says which hold.

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
CACHESIM = os.path.join(TOP, "bin", "cachesim")
ANNOTATE = os.path.join(TOP, "bin", "cachesim-annotate")
GEN = os.path.join(TOP, "build", "tools", "gen_profile")
MAXRSS = os.path.join(TOP, "build", "bench", "maxrss")
GEOM = ["--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64"]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))

# name, source, libs, args (sized for the single-step engine)
WORKLOADS = [
    ("zlib", "zlibw.c", ["-lz"], ["4"]),
    ("pointer-chase", "chase.c", [], ["4000", "4"]),
    ("hash-table", "hasht.c", [], ["3000"]),
    ("sqlite", "sqlitew.c", ["-lsqlite3"], ["50"]),
]


def run(cmd, cwd):
    """Wall time and peak RSS (KiB) of cmd and all its descendants, measured by
    bench/maxrss (a small C program: see there why not from Python)."""
    t0 = time.perf_counter()
    out = subprocess.run([MAXRSS] + cmd, cwd=cwd,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        sys.exit("bench: %s failed with status %d" % (" ".join(cmd), out.returncode))
    return wall, int(out.stdout.decode().split()[-1])


def contenders(exe, args):
    return [
        ("native", [exe] + args),
        ("cachesim", [CACHESIM, "-q", "--out-file=/dev/null"] + GEOM + [exe] + args),
        ("cachesim no-sim", [CACHESIM, "-q", "--cache-sim=no", "--out-file=/dev/null", exe] + args),
        ("cachegrind", ["valgrind", "-q", "--tool=cachegrind", "--cache-sim=yes",
                        "--cachegrind-out-file=/dev/null"] + GEOM + [exe] + args),
        ("cachegrind no-sim", ["valgrind", "-q", "--tool=cachegrind", "--cache-sim=no",
                               "--cachegrind-out-file=/dev/null", exe] + args),
    ]


def measure(rows, tmp):
    """rows: [(label, [(name, cmd)])] -> {label: {name: (best wall, max rss)}}"""
    res = {label: {} for label, _ in rows}
    for _ in range(ROUNDS):
        for label, cands in rows:
            for name, cmd in cands:
                wall, rss = run(cmd, tmp)
                best = res[label].get(name)
                res[label][name] = (min(wall, best[0]) if best else wall,
                                    max(rss, best[1]) if best else rss)
    return res


def instructions(exe, args, tmp):
    out = os.path.join(tmp, "count.out")
    subprocess.run([CACHESIM, "-q", "--cache-sim=no", "--out-file=" + out, exe] + args,
                   cwd=tmp, check=True, stdout=subprocess.DEVNULL)
    for line in open(out):
        if line.startswith("summary:"):
            return int(line.split()[1])
    return 0


def main():
    tmp = tempfile.mkdtemp(prefix="cachesim-bench.")
    rows, sizes = [], {}
    for name, src, libs, args in WORKLOADS:
        exe = os.path.join(tmp, name)
        subprocess.run(["gcc", "-O2", "-g", "-o", exe, os.path.join(TOP, "bench", "workloads", src)]
                       + libs, check=True)
        rows.append((name, contenders(exe, args)))
        sizes[name] = (args, instructions(exe, args, tmp))
    rows.append(("/bin/true", contenders("/bin/true", [])))
    sizes["/bin/true"] = ([], instructions("/bin/true", [], tmp))
    print("bench: %d rounds, interleaved; best wall time of each" % ROUNDS, flush=True)
    res = measure(rows, tmp)

    lines = ["| workload | args | Ir | native | cachesim | x native | x Cachegrind | cachesim no-sim "
             "| x native | Cachegrind | Cachegrind no-sim | RSS cachesim / Cachegrind (MiB) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for label, _ in rows:
        r = res[label]
        n, cs, cn, cg, cgn = (r[k][0] for k in ("native", "cachesim", "cachesim no-sim",
                                                "cachegrind", "cachegrind no-sim"))
        lines.append("| %s | %s | %s | %.3f s | %.2f s | %.0fx | %.2fx | %.2f s | %.0fx | %.2f s "
                     "| %.2f s | %.0f / %.0f |" % (
                         label, " ".join(sizes[label][0]), "{:,}".format(sizes[label][1]), n, cs,
                         cs / n, cs / cg, cn, cn / n, cg, cgn, r["cachesim"][1] / 1024,
                         r["cachegrind"][1] / 1024))

    # cachesim-annotate vs cg_annotate on one million cost lines.
    big = os.path.join(tmp, "big.cgout")
    subprocess.run([GEN, "-n", "1000000", big], check=True, stdout=subprocess.DEVNULL)
    ann = measure([("annotate", [("cachesim-annotate", [ANNOTATE, big]),
                                 ("cg_annotate", ["cg_annotate", big])])], tmp)["annotate"]
    a, c = ann["cachesim-annotate"][0], ann["cg_annotate"][0]
    ann_line = ("| cachesim-annotate, 1,000,000 cost lines | %.2f s | cg_annotate (Valgrind 3.19, Perl) "
                "| %.2f s | ratio %.3f |" % (a, c, a / c))

    table = "\n".join(lines)
    print(table)
    print()
    print(ann_line)
    date = datetime.date.today().isoformat()
    perf = os.path.join(TOP, "docs", "performance.md")
    text = open(perf).read() if os.path.exists(perf) else ""
    marker = "<!-- bench table -->"
    new = "%s\nLatest `make bench`, %s (%d rounds, best of each):\n\n%s\n\n| annotate | ours | reference | theirs | |\n|---|---|---|---|---|\n%s\n%s" % (
        marker, date, ROUNDS, table, ann_line, marker)
    if text.count(marker) >= 2:
        head, _, rest = text.partition(marker)
        _, _, tail = rest.partition(marker)
        text = head + new + tail
    else:
        text = text + "\n" + new + "\n"
    open(perf, "w").write(text)
    print("\nwritten to docs/performance.md")


main()
