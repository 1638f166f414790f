#!/usr/bin/env python3
"""Scores `civindex --entities` output against a labelled set.

    score.py LABELLED.tsv OUTPUT.txt [--min-precision P] [--min-recall R] [--show-errors]

LABELLED.tsv: sentence <TAB> expected forms (comma-separated); lines
starting with # are comments. OUTPUT.txt: one line per labelled sentence,
the forms civindex printed. Prints precision and recall per kind (the
part before the first colon) and exits 1 when a kind falls below the
thresholds. Standard library only.
"""
import sys
from collections import defaultdict


def split_forms(s):
    # casename:"a, b v c" may hold commas inside its quotes.
    out, cur, q = [], "", False
    for ch in s.strip():
        if ch == '"':
            q = not q
        if ch == "," and not q:
            if cur.strip():
                out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def main():
    args = sys.argv[1:]
    minp, minr, show = 0.97, 0.93, False
    files = []
    i = 0
    while i < len(args):
        if args[i] == "--min-precision":
            minp = float(args[i + 1]); i += 2
        elif args[i] == "--min-recall":
            minr = float(args[i + 1]); i += 2
        elif args[i] == "--show-errors":
            show = True; i += 1
        else:
            files.append(args[i]); i += 1
    labelled, output = files
    rows = []
    with open(labelled, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            sent, _, exp = line.partition("\t")
            rows.append((sent, exp))
    with open(output, encoding="utf-8") as f:
        got = [l.rstrip("\n") for l in f]
    if len(got) != len(rows):
        print("score: %d output lines for %d sentences" % (len(got), len(rows)))
        return 1
    tp, fp, fn = defaultdict(int), defaultdict(int), defaultdict(int)
    negatives = 0
    for (sent, exp), out in zip(rows, got):
        e, g = set(split_forms(exp)), set(split_forms(out))
        if not e:
            negatives += 1
        for x in e & g:
            tp[x.split(":")[0]] += 1
        for x in g - e:
            fp[x.split(":")[0]] += 1
        for x in e - g:
            fn[x.split(":")[0]] += 1
        if show and e != g:
            print("  %s\n    want %s\n    got  %s" % (sent, ",".join(sorted(e)), ",".join(sorted(g))))
    kinds = sorted(set(tp) | set(fp) | set(fn))
    print("%d sentences (%d with no entity)" % (len(rows), negatives))
    print("%-10s %6s %5s %5s %9s %7s" % ("kind", "TP", "FP", "FN", "precision", "recall"))
    bad = []
    for k in kinds:
        p = tp[k] / (tp[k] + fp[k]) if tp[k] + fp[k] else 1.0
        r = tp[k] / (tp[k] + fn[k]) if tp[k] + fn[k] else 1.0
        flag = ""
        if p < minp or r < minr:
            bad.append(k)
            flag = "  BELOW"
        print("%-10s %6d %5d %5d %9.3f %7.3f%s" % (k, tp[k], fp[k], fn[k], p, r, flag))
    if bad:
        print("score: below precision %.2f or recall %.2f: %s" % (minp, minr, " ".join(bad)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
