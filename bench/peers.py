#!/usr/bin/env python3
"""Peer name screeners for Centinela's benchmark: rapidfuzz and nomenklatura.

Our own small runners around two public libraries, used the way their users
use them (no code of theirs is copied here):

- rapidfuzz: `fuzz.token_sort_ratio` on the full name "given surnames"
  (accents folded, `utils.default_process`), candidates by
  `process.cdist` / `process.extract`. Names only: it sees no birth date,
  nationality or sex.
- nomenklatura: the `logic-v2` algorithm (`nomenklatura.matching.LogicV2`,
  yente's default scorer) comparing followthemoney `Person` entities built
  from the CSV rows (firstName, lastName, name, birthDate, nationality,
  gender). Like yente it needs a candidate (blocking) step in front of it;
  ours stands in for yente's Elasticsearch query: the union of the rapidfuzz
  top BLOCK_SORT by token_sort_ratio and top BLOCK_SET by token_set_ratio
  (the latter finds a traveller whose second surname or middle name was
  dropped). Blocking recall is reported.

Subcommands (each prints one JSON object per line on stdout):
  accuracy --set DIR [--k 50] [--hits-dir D]   both peers on a namegen.py set, each at
                                                 its *best possible* threshold (swept)
  speed --list L --queries Q [--sample N] [--nk-sample M]
                                               per-query latency / throughput at one size
  stream --set DIR [--sample N] [--nk-sample M]
                                               both peers on a border stream (streamgen.py: most
                                               travellers on no list), on a sample of its queries:
                                               false alerts per 1,000 ordinary travellers and per
                                               1,000 namesakes at the threshold that reaches each
                                               recall on listed travellers (swept)
"""
import argparse
import csv
import json
import os
import resource
import statistics
import sys
import time
import unicodedata

import numpy as np
from rapidfuzz import fuzz, process, utils

BLOCK_SORT = 40
BLOCK_SET = 20

# Queries with very common Hispanic surnames, the worst case for any index
# that looks candidates up by name token. Same list as the Rust harness.
COMMON_QUERIES = [
    ("José", "Hernández"), ("María", "García"), ("Juan Carlos", "López Martínez"),
    ("Ana", "Rodríguez González"), ("Luis", "Martínez"), ("Guadalupe", "Hernández García"),
    ("Carlos", "Pérez"), ("Rosa María", "Sánchez Ramírez"), ("", "García"),
    ("Jesús", "González López"), ("Francisco", "Rodríguez"), ("Miguel Ángel", "Hernández Hernández"),
]


def fold(s):
    s = unicodedata.normalize("NFD", s)
    return utils.default_process("".join(c for c in s if unicodedata.category(c) != "Mn"))


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def full_name(row):
    return f"{row['given_names']} {row['surnames']}".strip()


# --- threshold sweep --------------------------------------------------------------------

def sweep(rows, truth):
    """Best F1 over every threshold, scoring as shared/eval/score.py does.

    rows: (qid, list_id, score) candidates, at most one row per (qid, list_id).
    An alert is a row with score >= threshold; a true alert names the query's target.
    """
    positives = sum(1 for v in truth.values() if v)
    rows = sorted(rows, key=lambda r: -r[2])
    tp = fp = 0
    best = dict(f1=0.0, threshold=1.0, precision=0.0, recall=0.0, alerts=0)
    i = 0
    while i < len(rows):
        s = rows[i][2]
        while i < len(rows) and rows[i][2] == s:
            qid, lid, _ = rows[i]
            if truth.get(qid, "") == lid:
                tp += 1
            else:
                fp += 1
            i += 1
        p = tp / (tp + fp)
        r = tp / positives if positives else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best["f1"]:
            best = dict(f1=f1, threshold=s, precision=p, recall=r, alerts=tp + fp)
    return best


def at_threshold(rows, truth, t):
    positives = sum(1 for v in truth.values() if v)
    tp = sum(1 for q, l, s in rows if s >= t and truth.get(q, "") == l)
    fp = sum(1 for q, l, s in rows if s >= t and truth.get(q, "") != l)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / positives if positives else 0.0
    return dict(threshold=t, precision=p, recall=r, f1=2 * p * r / (p + r) if p + r else 0.0)


def dob_factor(a, b):
    if not a or not b:
        return 0.95
    if a == b:
        return 1.0
    if a[:4] == b[:4]:
        return 0.9
    return 0.75


def recall_at(cands, truth, k):
    positives = [q for q, v in truth.items() if v]
    found = sum(1 for q in positives if truth[q] in [lid for lid, _ in cands.get(q, [])[:k]])
    return found / len(positives) if positives else 0.0


def write_hits(path, cands):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["qid", "list_id", "score"])
        for q, cs in cands.items():
            for lid, s in cs:
                w.writerow([q, lid, f"{s:.6f}"])


# --- rapidfuzz ---------------------------------------------------------------------------

class RapidfuzzPeer:
    def __init__(self, entries):
        self.ids = [e["id"] for e in entries]
        self.names = [fold(full_name(e)) for e in entries]

    def topk(self, queries, k, scorer=fuzz.token_sort_ratio, workers=1, chunk=256):
        """{qid: [(list_id, score in [0,1]), ...]} best first, by cdist in chunks."""
        out = {}
        for start in range(0, len(queries), chunk):
            part = queries[start:start + chunk]
            m = process.cdist([fold(full_name(q)) for q in part], self.names, scorer=scorer,
                              dtype=np.uint8, workers=workers)
            kk = min(k, m.shape[1])
            idx = np.argpartition(-m.astype(np.int16), kk - 1, axis=1)[:, :kk]
            for row, q in enumerate(part):
                cols = sorted(idx[row], key=lambda c: (-int(m[row, c]), c))
                out[q["qid"]] = [(self.ids[c], int(m[row, c]) / 100.0) for c in cols]
        return out

    def extract_one(self, q, k=10):
        return process.extract(fold(full_name(q)), self.names, scorer=fuzz.token_sort_ratio,
                               processor=None, limit=k)


# --- nomenklatura ------------------------------------------------------------------------

class NomenklaturaPeer:
    def __init__(self):
        from followthemoney import model
        from nomenklatura.matching import get_algorithm

        self.model = model
        self.algo = get_algorithm("logic-v2")
        self.config = self.algo.default_config()
        self.cache = {}

    def entity(self, row, key):
        e = self.model.make_entity("Person")
        e.id = row[key]
        if row["given_names"]:
            e.add("firstName", row["given_names"])
        if row["surnames"]:
            e.add("lastName", row["surnames"])
        e.add("name", full_name(row))
        if row.get("birth_date"):
            e.add("birthDate", row["birth_date"])
        if row.get("nationality"):
            e.add("nationality", row["nationality"])  # followthemoney maps MEX -> mx
        g = {"M": "male", "F": "female", "X": "other"}.get(row.get("sex", ""))
        if g:
            e.add("gender", g)
        return e

    def score(self, q_entity, r_entity):
        return self.algo.compare(q_entity, r_entity, self.config).score


def nk_block(rf, queries, workers=1):
    """Candidate ids per query: token_sort top BLOCK_SORT, then token_set top BLOCK_SET."""
    a = rf.topk(queries, BLOCK_SORT, fuzz.token_sort_ratio, workers)
    b = rf.topk(queries, BLOCK_SET, fuzz.token_set_ratio, workers)
    out = {}
    for q in queries:
        seen = []
        for lid, _ in a[q["qid"]] + b[q["qid"]]:
            if lid not in seen:
                seen.append(lid)
        out[q["qid"]] = seen
    return out


# --- commands ----------------------------------------------------------------------------

def cmd_accuracy(args):
    d = args.set
    entries = read_csv(os.path.join(d, "list.csv"))
    queries = read_csv(os.path.join(d, "queries.csv"))
    truth = {r["qid"]: r["list_id"] for r in read_csv(os.path.join(d, "truth.csv"))}
    name = os.path.basename(os.path.normpath(d))
    rf = RapidfuzzPeer(entries)

    t0 = time.perf_counter()
    cands = rf.topk(queries, args.k, workers=args.workers)
    t_rf = time.perf_counter() - t0
    rows = [(q, lid, s) for q, cs in cands.items() for lid, s in cs]
    best = sweep(rows, truth)
    if args.hits_dir:
        os.makedirs(args.hits_dir, exist_ok=True)
        write_hits(os.path.join(args.hits_dir, f"rapidfuzz-{name}.csv"), cands)
    print(json.dumps(dict(peer="rapidfuzz", set=name, scorer="token_sort_ratio (full name, accents folded)",
                          threshold_mode="best possible (swept on this set)", **best,
                          recall_at_10=recall_at(cands, truth, 10), seconds=round(t_rf, 2))), flush=True)


    # A stronger name-only-library baseline of our own: the same candidates with the
    # token_sort score multiplied by a birth-date factor (same date 1.0, either side
    # unknown 0.95, same year 0.9, otherwise 0.75), top candidate per query only.
    by_id = {e["id"]: e for e in entries}
    qby = {q["qid"]: q for q in queries}
    rows = []
    for q, cs in cands.items():
        scored = [(lid, s * dob_factor(qby[q]["birth_date"], by_id[lid]["birth_date"])) for lid, s in cs]
        if scored:
            rows.append((q,) + max(scored, key=lambda x: x[1]))
    best = sweep(rows, truth)
    print(json.dumps(dict(peer="rapidfuzz+dob", set=name,
                          scorer="token_sort_ratio x birth-date factor (our rule), top-1 per query",
                          threshold_mode="best possible (swept on this set)", **best)), flush=True)

    if args.skip_nomenklatura:
        return
    nk = NomenklaturaPeer()
    t0 = time.perf_counter()
    blocks = nk_block(rf, queries, workers=args.workers)
    t_block = time.perf_counter() - t0
    block_recall = sum(1 for q, v in truth.items() if v and v in blocks[q]) / max(1, sum(1 for v in truth.values() if v))
    t0 = time.perf_counter()
    nk_cands = {}
    n_cmp = 0
    for q in queries:
        qe = nk.entity(q, "qid")
        scored = []
        for lid in blocks[q["qid"]]:
            scored.append((lid, nk.score(qe, nk.entity(by_id[lid], "id"))))
            n_cmp += 1
        scored.sort(key=lambda x: -x[1])
        nk_cands[q["qid"]] = scored
    t_nk = time.perf_counter() - t0
    rows = [(q, lid, s) for q, cs in nk_cands.items() for lid, s in cs]
    best = sweep(rows, truth)
    if args.hits_dir:
        write_hits(os.path.join(args.hits_dir, f"nomenklatura-{name}.csv"), nk_cands)
    print(json.dumps(dict(peer="nomenklatura", set=name, scorer="logic-v2 (yente default)",
                          blocking=f"rapidfuzz token_sort top-{BLOCK_SORT} ∪ token_set top-{BLOCK_SET}",
                          blocking_recall=block_recall, threshold_mode="best possible (swept on this set)", **best,
                          at_yente_default_0_70=at_threshold(rows, truth, 0.70),
                          recall_at_10=recall_at(nk_cands, truth, 10), comparisons=n_cmp,
                          seconds_blocking=round(t_block, 2), seconds_scoring=round(t_nk, 2),
                          ms_per_comparison=round(1000 * t_nk / max(1, n_cmp), 3))), flush=True)


def stream_sweep(rows, truth, recalls=(0.85, 0.90, 0.93, 0.95, 0.97)):
    """For each recall on listed travellers, the false alerts at the highest threshold reaching it.

    rows: (qid, list_id, score); truth: {qid: (list_id, kind)}. A query alerts on every row scoring at
    least the threshold; a listed traveller is found when its entry is among its alerts; an ordinary
    traveller or a namesake is falsely alerted when it has any alert that is not its entry."""
    n = {k: sum(1 for _, kd in truth.values() if kd == k) for k in ("listed", "ordinary", "namesake")}
    rows = sorted(rows, key=lambda r: -r[2])
    found, wrong = set(), {"ordinary": set(), "namesake": set(), "listed": set()}
    out, want, i = {}, list(recalls), 0
    best = 0.0
    while i < len(rows):
        s = rows[i][2]
        if s <= 0:
            break  # a threshold of 0 alerts on every candidate the blocking found: no screening
        while i < len(rows) and rows[i][2] == s:
            q, lid, _ = rows[i]
            target, kind = truth[q]
            if target and lid == target:
                found.add(q)
            else:
                wrong[kind].add(q)
            i += 1
        r = len(found) / max(1, n["listed"])
        best = r
        while want and r >= want[0]:
            out[f"{want.pop(0):.2f}"] = dict(
                threshold=s, false_per_1000_ordinary=round(1000 * len(wrong["ordinary"]) / max(1, n["ordinary"]), 2),
                false_per_1000_namesakes=round(1000 * len(wrong["namesake"]) / max(1, n["namesake"]), 1))
    return dict(at_recall=out, max_recall=round(best, 4), **{f"n_{k}": v for k, v in n.items()})


def stratified(queries, truth, n):
    """About n queries: every listed traveller up to a quarter of n (recall needs them), the rest every
    k-th of the namesakes and ordinary travellers alike (their false-alert rates stay unbiased)."""
    listed = [q for q in queries if truth[q["qid"]][1] == "listed"]
    others = [q for q in queries if truth[q["qid"]][1] != "listed"]
    listed = listed[:: max(1, -(-len(listed) // max(1, n // 4)))]
    k = max(1, -(-len(others) // max(1, n - len(listed))))
    return listed + others[::k]


def cmd_stream(args):
    d = args.set
    entries = read_csv(os.path.join(d, "list.csv"))
    queries = read_csv(os.path.join(d, "queries.csv"))
    truth_all = {r["qid"]: (r["list_id"], r["kind"]) for r in read_csv(os.path.join(d, "truth.csv"))}
    name = os.path.basename(os.path.normpath(d))
    sample = stratified(queries, truth_all, args.sample)
    truth = {q["qid"]: truth_all[q["qid"]] for q in sample}
    rf = RapidfuzzPeer(entries)
    t0 = time.perf_counter()
    cands = rf.topk(sample, args.k, workers=args.workers)
    t_rf = time.perf_counter() - t0
    rows = [(q, lid, s) for q, cs in cands.items() for lid, s in cs]
    print(json.dumps(dict(peer="rapidfuzz", set=name, queries=len(sample), scorer="token_sort_ratio",
                          seconds=round(t_rf, 1), **stream_sweep(rows, truth))), flush=True)
    by_id = {e["id"]: e for e in entries}
    qby = {q["qid"]: q for q in sample}
    rows = []
    for q, cs in cands.items():
        scored = [(lid, s * dob_factor(qby[q]["birth_date"], by_id[lid]["birth_date"])) for lid, s in cs]
        if scored:
            rows.append((q,) + max(scored, key=lambda x: x[1]))
    print(json.dumps(dict(peer="rapidfuzz+dob", set=name, queries=len(sample),
                          scorer="token_sort_ratio x birth-date factor (our rule), top-1 per query",
                          **stream_sweep(rows, truth))), flush=True)
    if args.nk_sample <= 0:
        return
    nk_sample = stratified(sample, truth, args.nk_sample)
    nk_truth = {q["qid"]: truth[q["qid"]] for q in nk_sample}
    nk = NomenklaturaPeer()
    blocks = nk_block(rf, nk_sample, workers=args.workers)
    t0 = time.perf_counter()
    rows = []
    for q in nk_sample:
        qe = nk.entity(q, "qid")
        for lid in blocks[q["qid"]]:
            rows.append((q["qid"], lid, nk.score(qe, nk.entity(by_id[lid], "id"))))
    t_nk = time.perf_counter() - t0
    print(json.dumps(dict(peer="nomenklatura", set=name, queries=len(nk_sample), scorer="logic-v2 (yente default)",
                          blocking=f"rapidfuzz token_sort top-{BLOCK_SORT} ∪ token_set top-{BLOCK_SET}",
                          seconds_scoring=round(t_nk, 1), **stream_sweep(rows, nk_truth))), flush=True)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def lat_summary(xs):
    return dict(n=len(xs), p50_ms=round(1000 * pct(xs, 50), 3), p90_ms=round(1000 * pct(xs, 90), 3),
                p99_ms=round(1000 * pct(xs, 99), 3), max_ms=round(1000 * max(xs), 3),
                mean_ms=round(1000 * statistics.fmean(xs), 3))


def sample_queries(queries, n):
    common = [dict(qid=f"C{i:03d}", given_names=g, surnames=s, birth_date="1980-01-01", nationality="MEX", sex="")
              for i, (g, s) in enumerate(COMMON_QUERIES)]
    step = max(1, len(queries) // max(1, n - len(common)))
    return common + queries[::step][: max(0, n - len(common))]


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cmd_speed(args):
    t0 = time.perf_counter()
    entries = read_csv(args.list)
    t_read = time.perf_counter() - t0
    queries = read_csv(args.queries)
    n = len(entries)
    t0 = time.perf_counter()
    rf = RapidfuzzPeer(entries)
    t_build = time.perf_counter() - t0
    rss_after_build = rss_mb()

    # rapidfuzz: single query, one core (process.extract is single-threaded).
    sample = sample_queries(queries, args.sample)
    for q in queries[-3:]:  # warm-up, not timed
        rf.extract_one(q, 10)
    lat = []
    for q in sample:
        t = time.perf_counter()
        rf.extract_one(q, 10)
        lat.append(time.perf_counter() - t)
    # rapidfuzz: bulk with cdist on `--workers` threads.
    bulk = queries[: args.bulk]
    t = time.perf_counter()
    rf.topk(bulk, 10, workers=args.workers, chunk=64)
    bulk_s = time.perf_counter() - t
    print(json.dumps(dict(peer="rapidfuzz", list_size=n, build_s=round(t_build, 3), csv_read_s=round(t_read, 3),
                          rss_mb=round(rss_after_build, 1),
                          single_query=dict(**lat_summary(lat), note="process.extract token_sort_ratio, 1 thread"),
                          bulk=dict(queries=len(bulk), workers=args.workers, seconds=round(bulk_s, 3),
                                    queries_per_s=round(len(bulk) / bulk_s, 2), note="process.cdist"))), flush=True)

    # nomenklatura: logic-v2 on the blocked candidates of a smaller sample.
    nk = NomenklaturaPeer()
    by_id = {e["id"]: e for e in entries}
    nk_sample = sample_queries(queries, args.nk_sample)
    for q in queries[-3:]:  # warm-up, not timed: loads rigour's name data and builds its taggers
        qe = nk.entity(q, "qid")
        for lid in nk_block(rf, [q])[q["qid"]][:5]:
            nk.score(qe, nk.entity(by_id[lid], "id"))
    block_lat, score_lat, ncands = [], [], []
    for q in nk_sample:
        t = time.perf_counter()
        cand = nk_block(rf, [q])[q["qid"]]
        block_lat.append(time.perf_counter() - t)
        t = time.perf_counter()
        qe = nk.entity(q, "qid")
        scores = sorted((nk.score(qe, nk.entity(by_id[lid], "id")) for lid in cand), reverse=True)
        score_lat.append(time.perf_counter() - t)
        ncands.append(len(cand))
        del scores
    total = [a + b for a, b in zip(block_lat, score_lat)]
    print(json.dumps(dict(peer="nomenklatura", list_size=n, algorithm="logic-v2",
                          candidates_per_query=round(statistics.fmean(ncands), 1),
                          scoring_only=dict(**lat_summary(score_lat),
                                            note="logic-v2 on the blocked candidates, 1 thread; what yente spends per query after Elasticsearch"),
                          blocking=dict(**lat_summary(block_lat), note="our rapidfuzz blocking stand-in for Elasticsearch, 1 thread"),
                          total=lat_summary(total),
                          rss_mb=round(rss_mb(), 1))), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("accuracy")
    a.add_argument("--set", required=True)
    a.add_argument("--k", type=int, default=50, help="rapidfuzz candidates kept per query for the sweep")
    a.add_argument("--workers", type=int, default=1)
    a.add_argument("--hits-dir")
    a.add_argument("--skip-nomenklatura", action="store_true")
    s = sub.add_parser("speed")
    s.add_argument("--list", required=True)
    s.add_argument("--queries", required=True)
    s.add_argument("--sample", type=int, default=200, help="rapidfuzz single-query sample")
    s.add_argument("--bulk", type=int, default=500, help="rapidfuzz bulk queries")
    s.add_argument("--nk-sample", type=int, default=50, help="nomenklatura query sample")
    s.add_argument("--workers", type=int, default=2)
    t = sub.add_parser("stream")
    t.add_argument("--set", required=True)
    t.add_argument("--sample", type=int, default=5000,
                   help="travellers screened by rapidfuzz (listed ones up to a quarter, the rest every k-th)")
    t.add_argument("--nk-sample", type=int, default=400, help="of those, queries scored by nomenklatura")
    t.add_argument("--k", type=int, default=10, help="rapidfuzz candidates kept per query")
    t.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    {"accuracy": cmd_accuracy, "speed": cmd_speed, "stream": cmd_stream}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
