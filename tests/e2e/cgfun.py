#!/usr/bin/env python3
"""cgfun.py FILE FN [EVENT...] - sums a function's costs in a Cachegrind-format
profile (all files, all lines) and prints them space-separated; default Ir.
Used by the end-to-end tests to compare cachesim's numbers with Cachegrind's."""
import sys

def main():
    path, fn, events = sys.argv[1], sys.argv[2], sys.argv[3:] or ["Ir"]
    names, cur, tot = [], None, None
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("events:"):
            names = line.split()[1:]
            tot = [0] * len(names)
        elif line.startswith("fn="):
            cur = line[3:].rstrip("\n")
        elif line.startswith("fl="):
            cur = None
        elif line[:1].isdigit() and cur == fn:
            vals = [int(v) for v in line.split()[1:]]
            for i, v in enumerate(vals):
                tot[i] += v
    print(" ".join(str(tot[names.index(e)]) for e in events))

main()
