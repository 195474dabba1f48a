#!/usr/bin/env python3
"""Reliability of Centinela's alerts on a border stream: of the alerts scored in each band, the share
that name the right person (the score is meant to be that probability).
Usage: stream_calibration.py TRUTH HITS   (HITS: qid,list_id,score, alerts at the shipped threshold)
Prints one line: band=lo-hi:alerts:share ..."""
import csv
import sys

truth = {r["qid"]: r["list_id"] for r in csv.DictReader(open(sys.argv[1]))}
bands = [(0.5, 0.7), (0.7, 0.9), (0.9, 1.0001)]
n = [0] * len(bands)
same = [0] * len(bands)
for r in csv.DictReader(open(sys.argv[2])):
    s = float(r["score"])
    for i, (lo, hi) in enumerate(bands):
        if lo <= s < hi:
            n[i] += 1
            same[i] += truth.get(r["qid"], "") == r["list_id"]
print(" ".join(f"band={lo:.1f}-{min(hi, 1):.1f}:{k}:{(s / k if k else float('nan')):.3f}"
               for (lo, hi), k, s in zip(bands, n, same)))
