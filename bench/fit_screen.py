#!/usr/bin/env python3
"""Fit the name-screening score's weights from labelled pairs, and check them on held-out sets.

The score (crates/centinela-names/src/model.rs) is a logistic regression on features the engine
computes for a traveller and a list entry (`centinela screen --features`): the information of the
matched name tokens by field, the unmatched tokens (and whether the listed first surname is the one
left out), how much the name's tokens counted apart overstate the whole name's information, how the
birth dates agree, ln N and how many entries could carry the name by chance, nationality and sex.
This script

  1. runs `centinela screen --candidates K --features` on every set (the K best candidates of each
     query under the weights the binary was built with, with their features),
  2. labels each (query, entry) pair from the set's truth.csv (same person or not),
  3. fits the weights by maximum likelihood with a small ridge penalty (Newton's method), under the
     sign constraints the screener's exact pruning needs (costs not positive, matched information
     not negative: see `name_logit_bound` in screener/name.rs); a weight that leaves its sign is fixed at 0
     and the rest refitted,
  4. reports, on the held-out sets, per-query alerting at candidate thresholds (recall on listed
     travellers, false alerts per 1,000 ordinary travellers and per 1,000 namesakes, precision) and a
     reliability table (of pairs scored in each band, the share that are the same person),
  5. prints the WEIGHTS block for model.rs (--write replaces it in the file).

Sets: directories with list.csv, queries.csv, truth.csv (streamgen.py's, with a kind column, or
namegen.py's). Features are cached in --work by set directory and binary.

Usage:
  fit_screen.py --bin target/release/centinela --fit DIR... --test DIR... [--k 10] [--work DIR]
                [--ridge 1.0] [--tie FEAT=SIBLING,...] [--without FEAT,...]
                [--write crates/centinela-names/src/model.rs]
  --tie      fits FEAT and SIBLING as one feature (their columns added) and gives FEAT the sibling's
             weight: the shipped model keeps the two year-typo kinds tied so
             (date_year_digit=date_year_typo,year_typo_excess=near_date_excess); a tied feature is
             not weighed BY_CHANCE.
  --without  leaves features out of the fit (weight 0): the same refit without a new feature, to
             tell what the feature brings from what refitting alone moves.
  --same-ratio FEAT=R  weighs a feature the sets never show for a same person by an assumed ratio
             (see SAME_RATIO_SIBLING) instead of fitting it.
Needs numpy."""
import argparse
import csv
import hashlib
import math
import os
import re
import subprocess
import sys
from collections import defaultdict

import numpy as np

MODEL_RS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "centinela-names", "src", "model.rs")
# The cap of the name's net evidence, as the screener applies it (read from model.rs).
NAME_CAP = float(re.search(r"pub const NAME_CAP: f64 = ([0-9.]+);", open(MODEL_RS).read()).group(1))
# Sign constraints: +1 not negative, -1 not positive (see screener/name.rs, `name_logit_bound` and the
# birth-date pruning: a clearly different date must stay strong evidence against).
SIGNS = {"given": 1, "surname": 1, "other": 1, "initial": 1, "cross_field": -1, "conflict_surname": -1,
         "conflict_given": -1, "extra_traveller": -1, "extra_listed_given": -1, "extra_listed_surname": -1,
         "near_date_excess": 1, "year_typo_excess": 1, "exact_date_excess": 1, "no_date_excess": 1, "name_chance": -1, "nat_agree": 1,
         "sex_agree": 1, "sex_clash": -1, "nat_clash": -1, "date_different": -1,
         "extra_listed_first_surname": -1, "whole_name_overstated": -1}
# Birth-date levels the labelled sets do not sample (partial dates; streamgen writes full dates only,
# so the few pairs that show them are chance coincidences, e.g. a traveller born on 1 January facing a
# namesake of the same year, which the screener reads as a year-only placeholder): never fitted, their
# weight is the reasoned log-likelihood ratio (dates.rs) scaled as the fitted equal-date weight scales
# the reasoned one, and their columns are left out of the fit.
REASONED = {"date_exact": 9.0, "date_consistent_ym": 5.0, "date_consistent_y": 3.0, "date_close": -3.0}
NOT_SAMPLED = ["date_consistent_ym", "date_consistent_y", "date_close"]
# Near-date kinds the sets sample by chance only (streamgen moves a listed person's year by one, never by
# another digit): weighed as their sampled sibling less the log of how much more often a non-matching pair
# shows them (their chance window, measured on the fit sets' non-matching pairs), i.e. assuming a same
# person shows them no more often than the sibling. Their pairs are left out of the fit.
BY_CHANCE = {"date_year_digit": "date_year_typo"}
# Name features the streams never sample for a same person (streamgen drops a listed person's second
# surname, never the first): with --same-ratio FEAT=R, FEAT (added to its sibling, the extra listed
# surname) is weighed ln(R / chance ratio), R the assumed ratio of how often a same person shows FEAT
# rather than the sibling alone, the chance ratio measured on the fit sets' non-matching pairs with one
# extra listed surname; its pairs are left out of the fit. Fitted directly instead, its weight is set by
# the ridge alone (no same-person pair holds it back).
SAME_RATIO_SIBLING = {"extra_listed_first_surname": "extra_listed_surname"}
# Features the name's cap applies to (the tokens and ln N).
NET = ["ln_n", "given", "surname", "other", "initial", "cross_field"]


def features(binary, d, k, work):
    """(qid, list_id, feature row) of the K best candidates of every query of set d."""
    st = os.stat(binary)
    tag = hashlib.sha1(f"{os.path.abspath(d)} {st.st_mtime_ns} {k}".encode()).hexdigest()[:12]
    out = os.path.join(work, f"{os.path.basename(os.path.normpath(d))}-{tag}.csv")
    if not os.path.exists(out):
        print(f"[fit] features of {d}", file=sys.stderr)
        subprocess.run([binary, "screen", "--list", f"{d}/list.csv", "--queries", f"{d}/queries.csv",
                        "--candidates", str(k), "--features", "--out", out + ".tmp"], check=True,
                       stderr=subprocess.DEVNULL)
        os.replace(out + ".tmp", out)
    with open(out) as fh:
        r = csv.reader(fh)
        head = next(r)
        names = head[3:]
        qids, lids, rows = [], [], []
        for row in r:
            qids.append(row[0]); lids.append(row[1]); rows.append([float(x) for x in row[3:]])
    return names, qids, lids, np.array(rows, dtype=np.float64)


def truth(d):
    t = {}
    with open(f"{d}/truth.csv") as fh:
        for r in csv.DictReader(fh):
            lid = (r.get("list_id") or "").strip()
            kind = (r.get("kind") or ("listed" if lid else "ordinary")).strip()
            t[r["qid"]] = (lid, kind)
    return t


def load(binary, d, k, work):
    names, qids, lids, X = features(binary, d, k, work)
    t = truth(d)
    y = np.array([1.0 if t[q][0] == l else 0.0 for q, l in zip(qids, lids)])
    return dict(dir=d, names=names, qids=qids, lids=lids, X=X, y=y, truth=t)


def fit(X, y, ridge, free):
    """Ridge-penalised logistic regression on the columns in `free` (others 0). Newton's method."""
    w = np.zeros(X.shape[1])
    idx = np.array(sorted(free))
    Xf = X[:, idx]
    wf = np.zeros(len(idx))
    pen = np.full(len(idx), ridge)
    pen[0] = 1e-6 if idx[0] == 0 else ridge  # the bias is not penalised
    for _ in range(50):
        z = Xf @ wf
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
        g = Xf.T @ (p - y) + pen * wf
        h = (Xf * (p * (1 - p))[:, None]).T @ Xf + np.diag(pen)
        step = np.linalg.solve(h, g)
        wf -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    w[idx] = wf
    return w


def fit_constrained(X, y, names, ridge):
    free = set(range(len(names)))
    # Columns no pair uses cannot be fitted: left at 0.
    free -= {i for i in range(len(names)) if not np.any(X[:, i])}
    while True:
        w = fit(X, y, ridge, free)
        bad = [i for i in free if SIGNS.get(names[i], 0) * w[i] < 0]
        if not bad:
            return w, free
        worst = max(bad, key=lambda i: abs(w[i]))
        print(f"[fit] {names[worst]} = {w[worst]:+.3f} has the wrong sign: fixed at 0", file=sys.stderr)
        free.discard(worst)


def logits(s, w):
    names = s["names"]
    net_i = [names.index(n) for n in NET]
    X = s["X"]
    z = X @ w
    net = X[:, net_i] @ w[net_i]
    return z - net + np.minimum(net, NAME_CAP)


def per_query(s, w, t):
    """Alerts at threshold t: recall, precision, false alerts per 1,000 ordinary / namesakes."""
    z = logits(s, w)
    p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
    alerts = defaultdict(set)
    for q, l, pi in zip(s["qids"], s["lids"], p):
        if pi >= t:
            alerts[q].add(l)
    n = defaultdict(int); wrong = defaultdict(int); tp = fp = found = 0
    for q, (target, kind) in s["truth"].items():
        n[kind] += 1
        got = alerts.get(q, set())
        tp += target in got
        bad = len(got - {target})
        fp += bad
        wrong[kind] += bad > 0
        found += bool(target) and target in got
    return dict(recall=found / max(n["listed"], 1), precision=tp / max(tp + fp, 1),
                ordinary=1000 * wrong["ordinary"] / max(n["ordinary"], 1),
                namesake=1000 * wrong["namesake"] / max(n["namesake"], 1) if n["namesake"] else float("nan"),
                listed=n["listed"])


def reliability(sets, w):
    bands = [(0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]
    rows = []
    for lo, hi in bands:
        k = same = 0
        for s in sets:
            z = logits(s, w)
            p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
            m = (p >= lo) & (p < hi)
            k += int(m.sum()); same += int(s["y"][m].sum())
            mean = None
        rows.append((lo, min(hi, 1.0), k, same / k if k else float("nan")))
    return rows


def write_weights(path, names, w, note):
    src = open(path).read()
    lines = [f"    {w[i]:.4f}, // {n}" for i, n in enumerate(names)]
    block = "pub const WEIGHTS: [f64; NF] = [\n" + "\n".join(lines) + "\n];"
    src2, k = re.subn(r"pub const WEIGHTS: \[f64; NF\] = \[\n.*?\n\];", block, src, flags=re.S)
    assert k == 1, "WEIGHTS block not found"
    src2 = re.sub(r"/// Fitted by `bench/fit_screen.py`.*?\n", f"/// Fitted by `bench/fit_screen.py`: {note}\n", src2)
    open(path, "w").write(src2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--fit", nargs="+", required=True)
    ap.add_argument("--test", nargs="*", default=[])
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--work", default="bench-out/fit")
    ap.add_argument("--ridge", type=float, default=1.0)
    ap.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7,0.8,0.9")
    ap.add_argument("--tie", default="")
    ap.add_argument("--without", default="")
    ap.add_argument("--same-ratio", default="")
    ap.add_argument("--write")
    a = ap.parse_args()
    ties = dict(t.split("=") for t in a.tie.split(",") if t)
    without = [n for n in a.without.split(",") if n]
    same_ratio = {k: float(v) for k, v in (t.split("=") for t in a.same_ratio.split(",") if t)}
    os.makedirs(a.work, exist_ok=True)
    fit_sets = [load(a.bin, d, a.k, a.work) for d in a.fit]
    names = fit_sets[0]["names"]
    # Every set weighs the same in the fit, whatever its number of pairs.
    Xs, ys = [], []
    total = sum(len(s["y"]) for s in fit_sets)
    for s in fit_sets:
        rep = max(1, round(total / len(fit_sets) / len(s["y"])))
        Xs += [s["X"]] * rep; ys += [s["y"]] * rep
    X = np.vstack(Xs); y = np.concatenate(ys)
    print(f"[fit] {len(y)} pairs ({int(y.sum())} same person) from {len(fit_sets)} sets", file=sys.stderr)
    for n in NOT_SAMPLED:
        i = names.index(n)
        print(f"[fit] {n}: {int(np.count_nonzero(X[:, i]))} pairs show it by chance; not fitted", file=sys.stderr)
        X[:, i] = 0.0
    for n in without:
        X[:, names.index(n)] = 0.0
        print(f"[fit] {n}: left out of the fit (weight 0)", file=sys.stderr)
    for n, sib in ties.items():
        i, j = names.index(n), names.index(sib)
        X[:, j] += X[:, i]
        X[:, i] = 0.0
        print(f"[fit] {n}: tied to {sib}", file=sys.stderr)
    for n in ["extra_listed_first_surname", "extra_listed_surname"]:
        i = names.index(n)
        print(f"[fit] {n}: shown by {int(np.count_nonzero(X[y == 1, i]))} same-person pairs and "
              f"{int(np.count_nonzero(X[y == 0, i]))} others", file=sys.stderr)
    chance_ratio = {}
    for n, r in same_ratio.items():
        i, j = names.index(n), names.index(SAME_RATIO_SIBLING[n])
        one = (y == 0) & (X[:, j] == 1)
        chance_ratio[n] = float(np.count_nonzero(X[one, i])) / max(1, np.count_nonzero(X[one, i] == 0))
        print(f"[fit] {n}: non-matching pairs with one extra listed surname show it {chance_ratio[n]:.3f} times as "
              f"often as the other surname left out; a same person assumed {r:g} times as often: not fitted "
              f"(its pairs left out)", file=sys.stderr)
        keep = X[:, i] == 0
        X, y = X[keep], y[keep]
    for n, sib in BY_CHANCE.items():
        if n in ties:
            continue
        i, j = names.index(n), names.index(sib)
        neg = y == 0
        chance_ratio[n] = float(np.count_nonzero(X[neg, i])) / max(1, np.count_nonzero(X[neg, j]))
        print(f"[fit] {n}: {int(np.count_nonzero(X[y == 1, i]))} same-person pairs; non-matching pairs show it "
              f"{chance_ratio[n]:.2f} times as often as {sib}; not fitted (its pairs left out)", file=sys.stderr)
        keep = X[:, i] == 0
        X, y = X[keep], y[keep]
    w, free = fit_constrained(X, y, names, a.ridge)
    ie = names.index("date_exact")
    for n in NOT_SAMPLED:
        i = names.index(n)
        w[i] = REASONED[n] * w[ie] / REASONED["date_exact"]
        print(f"[fit] {n}: reasoned weight scaled: {w[i]:+.3f}", file=sys.stderr)
    for n, sib in BY_CHANCE.items():
        if n in ties:
            continue
        i = names.index(n)
        w[i] = w[names.index(sib)] - math.log(max(chance_ratio[n], 1.0))
        print(f"[fit] {n}: {sib} less ln {chance_ratio[n]:.2f}: {w[i]:+.3f}", file=sys.stderr)
    for n, sib in ties.items():
        w[names.index(n)] = w[names.index(sib)]
    for n, r in same_ratio.items():
        i = names.index(n)
        w[i] = min(0.0, math.log(r / max(chance_ratio[n], 1e-9)))
        print(f"[fit] {n}: ln({r:g} / {chance_ratio[n]:.3f}) = {w[i]:+.3f} on top of "
              f"{SAME_RATIO_SIBLING[n]}", file=sys.stderr)
    for i, n in enumerate(names):
        print(f"{n:22s} {w[i]:+9.4f}{'' if i in free else '  (not fitted)'}")
    test_sets = [load(a.bin, d, a.k, a.work) for d in a.test]
    ts = [float(x) for x in a.thresholds.split(",")]
    for s in fit_sets + test_sets:
        role = "fit " if s in fit_sets else "test"
        for t in ts:
            r = per_query(s, w, t)
            print(f"{role} {os.path.basename(os.path.normpath(s['dir'])):12s} t={t:.2f} recall={r['recall']:.4f} "
                  f"precision={r['precision']:.4f} false/1000 ordinary={r['ordinary']:.2f} "
                  f"namesakes={r['namesake']:.1f}")
    if test_sets:
        print("reliability on the test sets (pairs scored in band: share same person)")
        for lo, hi, k, share in reliability(test_sets, w):
            print(f"  {lo:.1f}-{hi:.1f}: {k} pairs, {share:.3f} same")
    if a.write:
        sets = " ".join(os.path.basename(os.path.normpath(s["dir"])) for s in fit_sets)
        write_weights(a.write, names, w, f"sets {sets}, K={a.k}, ridge {a.ridge}.")
        print(f"[fit] wrote {a.write}", file=sys.stderr)


if __name__ == "__main__":
    main()
