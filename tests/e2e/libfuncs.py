#!/usr/bin/env python3
"""libfuncs.py A B PREFIX... - compares two Cachegrind-format profiles function by
function (Ir, Dr, Dw summed over all files and lines).  Functions whose file name
starts with one of PREFIX are the library's ("???" for a static library without
debug information; the nameless function "???" is never one).  Prints the share of the library's Ir
(in A) that lies in functions whose Ir, Dr and Dw are equal in B, then the
functions that differ, largest first.  Exit 0 always; the caller judges."""
import sys


def load(path):
    names, fl, fn, funcs = [], None, None, {}
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("events:"):
            names = line.split()[1:]
        elif line.startswith("fl="):
            fl = line[3:].rstrip("\n")
        elif line.startswith("fn="):
            fn = line[3:].rstrip("\n")
        elif line[:1].isdigit():
            v = [int(x) for x in line.split()[1:]]
            d = dict(zip(names, v))
            f = funcs.setdefault(fn, {"Ir": 0, "Dr": 0, "Dw": 0, "files": set()})
            f["files"].add(fl)
            for e in ("Ir", "Dr", "Dw"):
                f[e] += d.get(e, 0)
    return funcs


def main():
    a, b, prefixes = load(sys.argv[1]), load(sys.argv[2]), sys.argv[3:]
    lib = {k: v for k, v in a.items()
           if k != "???" and any(fl.startswith(p) for fl in v["files"] for p in prefixes)}
    total = sum(v["Ir"] for v in lib.values()) or 1
    same, diff = 0, []
    for k, v in lib.items():
        w = b.get(k)
        if w and all(v[e] == w[e] for e in ("Ir", "Dr", "Dw")):
            same += v["Ir"]
        else:
            diff.append((v["Ir"], k, v, w))
    print("%.4f %d %d" % (same / total, len(lib), len(diff)))
    for ir, k, v, w in sorted(diff, key=lambda t: -t[0])[:10]:
        got = "missing" if not w else "%d %d %d" % (w["Ir"], w["Dr"], w["Dw"])
        print("# %s: %d %d %d vs %s" % (k, v["Ir"], v["Dr"], v["Dw"], got))


main()
