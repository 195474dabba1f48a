#!/usr/bin/env python3
"""Candidate recall of the screener's retrieval on a stream (issue 19).

    screen_csv screen --list S/list.csv --queries S/queries.csv --retrieved --out retrieved.csv
    screen_csv screen --list S/list.csv --queries S/queries.csv --pairs S/truth.csv --out pairs.csv
    python3 bench/candidate_recall.py S retrieved.csv [pairs.csv] [--misses] [--threshold 0.25]

Of the stream's listed travellers, the share whose listed entry is among the
entries retrieval hands to the scorer (before any is bounded or scored), and
the misses classed by what tells the traveller's record from the listed one
(the birth date's kind; the name's: accents dropped, fields swapped, a
surname or given name dropped, a letter typed wrong, a sound spelled
otherwise). `--misses` prints every miss, the query beside the entry. With
the scores of each listed traveller against their own entry (`--pairs`),
the misses are split into those that would have been alerts had they been
retrieved (score at least the threshold: retrieval's loss) and the others
(the score's).
"""
import csv
import sys
import unicodedata
from collections import Counter


def fold(s):
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).upper()


def edit1(a, b):
    """One substitution, insertion, deletion or adjacent transposition."""
    if a == b:
        return False
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        d = [i for i in range(len(a)) if a[i] != b[i]]
        if len(d) == 1:
            return True
        return len(d) == 2 and d[1] == d[0] + 1 and a[d[0]] == b[d[1]] and a[d[1]] == b[d[0]]
    if len(a) > len(b):
        a, b = b, a
    return any(b[:i] + b[i + 1:] == a for i in range(len(b)))


def date_kind(q, l):
    if not q:
        return "date:none"
    if q == l:
        return "date:equal"
    qy, qm, qd = q.split("-")
    ly, lm, ld = l.split("-")
    if (qy, qm, qd) == (ly, ld, lm):
        return "date:day-month-swapped"
    if (qm, qd) == (lm, ld) and abs(int(qy) - int(ly)) == 1:
        return "date:year-off-by-one"
    if (qy, qm) == (ly, lm) and qd == "01":
        return "date:day-set-to-1st"
    return "date:other"


def name_kinds(q, l):
    """What tells the query's name from the listed one (a set of labels)."""
    kinds = set()
    qg, qs, lg, ls = q["given_names"], q["surnames"], l["given_names"], l["surnames"]
    if (qg, qs) != (fold(qg), fold(qs)) or (lg, ls) == (fold(lg), fold(ls)):
        pass
    else:
        kinds.add("accents-dropped")
    qg, qs, lg, ls = (fold(x).split() for x in (qg, qs, lg, ls))
    if sorted(qg) == sorted(ls) and sorted(qs) == sorted(lg) and qg + qs != lg + ls:
        kinds.add("fields-swapped")
        qg, qs = qs, qg
    elif set(qg) & set(ls) and not set(qg) & set(lg):
        kinds.add("fields-swapped")
        qg, qs = qs, qg
    if len(qs) < len(ls) and qs and qs[0] in ls:
        kinds.add("surname-dropped")
    if len(qg) < len(lg):
        kinds.add("given-dropped")
    if len(qg) >= 2 and qg == list(reversed(lg)):
        kinds.add("given-order")
    lt = set(lg + ls)
    for t in set(qg + qs) - lt:
        if any(edit1(t, x) for x in lt):
            kinds.add("typo")
        else:
            kinds.add("respelt")
    return kinds or {"name-equal"}


def main():
    argv = sys.argv[1:]
    threshold = 0.25
    if "--threshold" in argv:
        i = argv.index("--threshold")
        threshold = float(argv[i + 1])
        del argv[i:i + 2]
    args = [a for a in argv if not a.startswith("--")]
    show = "--misses" in argv
    stream, retrieved = args[:2]
    pair_score = {}
    if len(args) > 2:
        pair_score = {r["qid"]: float(r["score"]) for r in csv.DictReader(open(args[2], newline="", encoding="utf-8"))}
    rows = lambda p: list(csv.DictReader(open(p, newline="", encoding="utf-8")))
    truth = {r["qid"]: r for r in rows(f"{stream}/truth.csv") if r["kind"] == "listed"}
    got = {}
    for r in rows(retrieved):
        got.setdefault(r["qid"], set()).add(r["list_id"])
    misses = [qid for qid, t in truth.items() if t["list_id"] not in got.get(qid, ())]
    n = len(truth)
    print(f"listed travellers {n}, listed entry retrieved {n - len(misses)}: candidate recall {1 - len(misses) / max(n, 1):.4f}")
    if pair_score:
        alertable = [q for q in truth if pair_score.get(q, 0.0) >= threshold]
        lost = [q for q in misses if pair_score.get(q, 0.0) >= threshold]
        print(f"would be alerts if retrieved (score >= {threshold}): {len(alertable)};"
              f" of them not retrieved: {len(lost)} (retrieval's loss of recall {len(lost) / max(n, 1):.4f})")
    below = [q for q in truth if q in pair_score and pair_score[q] < threshold]
    if not misses and not below:
        return
    need_q = set(misses) | set(below)
    need_l = {truth[q]["list_id"] for q in need_q}
    queries = {r["qid"]: r for r in rows(f"{stream}/queries.csv") if r["qid"] in need_q}
    listed = {r["id"]: r for r in rows(f"{stream}/list.csv") if r["id"] in need_l}
    by_date, by_name, together = Counter(), Counter(), Counter()
    for qid in misses:
        q, l = queries[qid], listed[truth[qid]["list_id"]]
        d = date_kind(q["birth_date"], l["birth_date"])
        ks = sorted(name_kinds(q, l))
        if pair_score:
            sc = pair_score.get(qid, 0.0)
            d = ("ALERTABLE " if sc >= threshold else "") + d
        by_date[d] += 1
        for k in ks:
            by_name[k] += 1
        together[(d, "+".join(ks))] += 1
        if show:
            sc = f" score {pair_score[qid]:.3f}" if qid in pair_score else ""
            print(f"  {qid}: {q['given_names']} | {q['surnames']} | {q['birth_date'] or '-'}"
                  f"  <-  {l['given_names']} | {l['surnames']} | {l['birth_date']}   [{d}; {', '.join(ks)}]{sc}")
    print("misses by birth date:", ", ".join(f"{k} {v}" for k, v in by_date.most_common()))
    print("misses by name (a miss may have several):", ", ".join(f"{k} {v}" for k, v in by_name.most_common()))
    for (d, k), v in together.most_common():
        print(f"  {v:4d}  {d}  {k}")
    if below:
        # The score's share: listed travellers their own entry scores under
        # the threshold, retrieved or not.
        by_date, by_name = Counter(), Counter()
        for qid in below:
            q, l = queries[qid], listed[truth[qid]["list_id"]]
            by_date[date_kind(q["birth_date"], l["birth_date"])] += 1
            for k in name_kinds(q, l):
                by_name[k] += 1
        print(f"own entry scored under {threshold}: {len(below)} ({len(below) / max(n, 1):.4f} of recall)")
        print("  by birth date:", ", ".join(f"{k} {v}" for k, v in by_date.most_common()))
        print("  by name:", ", ".join(f"{k} {v}" for k, v in by_name.most_common()))


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        pass
