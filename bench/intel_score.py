#!/usr/bin/env python3
"""Scores intelligence outputs against the synthetic country's truth.

    intel_score.py persons TRUTH_PERSONS.csv PREDICTED.csv
    intel_score.py facilitators TRUTH_PERSONS.csv TRUTH.json FACILITATORS.jsonl
    intel_score.py rings TRUTH_PERSONS.csv TRUTH.json RINGS.jsonl PERSONS.csv

Prints one JSON object. Persons: pairwise and B-cubed precision/recall/F1 over
every crossing of the truth (a crossing missing from the prediction is its own
person). Facilitators: each reported person is the true person behind most of
its crossing_ids; precision at 10/20/all and recall. Rings: each predicted
member likewise; a true ring is recovered when one predicted ring holds at
least half of its members and at least half of that ring's members are in it.
"""
import csv, json, sys
from collections import Counter, defaultdict


def read_persons(path):
    with open(path, newline="") as f:
        return {r["crossing_id"]: r["person_id"] for r in csv.DictReader(f)}


def pairs(n):
    return n * (n - 1) // 2


def persons(truth_path, pred_path):
    truth = read_persons(truth_path)
    pred = read_persons(pred_path)
    t = list(truth.values())
    p = [pred.get(c, "missing:" + c) for c in truth]
    st, sp, joint = Counter(t), Counter(p), Counter(zip(p, t))
    tp = sum(pairs(x) for x in joint.values())
    pp = sum(pairs(x) for x in sp.values())
    tt = sum(pairs(x) for x in st.values())
    n = len(t)
    bp = sum(x * x / sp[a] for (a, b), x in joint.items()) / n
    br = sum(x * x / st[b] for (a, b), x in joint.items()) / n
    f = lambda a, b: 2 * a * b / (a + b) if a + b else 0.0
    prec, rec = tp / pp if pp else 1.0, tp / tt if tt else 1.0
    return {"crossings": n, "persons": len(sp), "true_persons": len(st),
            "pairwise": {"precision": prec, "recall": rec, "f1": f(prec, rec)},
            "bcubed": {"precision": bp, "recall": br, "f1": f(bp, br)}}


def majority(truth, crossing_ids):
    c = Counter(truth.get(x, "") for x in crossing_ids)
    return max(sorted(c), key=lambda k: c[k]) if c else ""


def facilitators(truth_path, truth_json, facs_path):
    truth = read_persons(truth_path)
    planted = {f["person_id"] for f in json.load(open(truth_json))["facilitators"]}
    top = [majority(truth, json.loads(l)["crossing_ids"]) for l in open(facs_path) if l.strip()]
    at = lambda k: sum(1 for p in top[:k] if p in planted) / max(1, min(k, len(top)))
    return {"reported": len(top), "planted": len(planted), "precision_at_10": at(10),
            "precision_at_20": at(20), "precision_at_all": at(len(top)),
            "recall": len(planted & set(top)) / max(1, len(planted))}


def rings(truth_path, truth_json, rings_path, persons_path):
    truth = read_persons(truth_path)
    pred_persons = read_persons(persons_path)
    crossings_of = defaultdict(list)
    for c, p in pred_persons.items():
        crossings_of[p].append(c)
    true_rings = [set(r["person_ids"]) for r in json.load(open(truth_json))["rings"]]
    pred = []
    for l in open(rings_path):
        if l.strip():
            r = json.loads(l)
            pred.append({majority(truth, crossings_of[p]) for p in r["person_ids"]})
    recovered, jac = 0, []
    for t in true_rings:
        best = max((len(t & p) / len(t | p) for p in pred), default=0.0)
        jac.append(best)
        if any(len(t & p) >= len(t) / 2 and len(t & p) >= len(p) / 2 for p in pred):
            recovered += 1
    return {"true_rings": len(true_rings), "predicted_rings": len(pred), "recovered": recovered,
            "mean_best_jaccard": sum(jac) / max(1, len(jac))}


if __name__ == "__main__":
    what, args = sys.argv[1], sys.argv[2:]
    out = {"persons": persons, "facilitators": facilitators, "rings": rings}[what](*args)
    print(json.dumps(out))
