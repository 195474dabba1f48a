#!/usr/bin/env python3
"""The booth's travel history and the supervisors' queue, timed on a demo
database (SQLite), with the same SQL the store runs.

    centinela demo --db demo.db --no-serve
    python3 bench/recent_crossings.py demo.db

Prints p50/p90/p99 of `Store::recent_crossings` for 2,000 travellers sampled
from the imported crossings (country-wide and at their own post), the time
of the same query for the most frequent crossers, and the time of the
queue's first page. Uses the system's SQLite with a 64 MiB page cache, as
the server's pool."""
import random
import sqlite3
import sys
import time

db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA cache_size = -65536")


def recent_sql(by_name):
    terms = ["(document_number = ? AND issuing_state = ?)"]
    if by_name:
        terms.append("(surnames = ? AND given_names = ? AND birth_date = ?)")
    return ("SELECT crossing_id, post, direction, crossed_at FROM crossings WHERE (" + " OR ".join(terms)
            + ") AND (? = '' OR post = ?) ORDER BY crossed_at DESC, crossing_id DESC LIMIT 5")


def pct(ts, p):
    return ts[min(len(ts) - 1, int(len(ts) * p))] * 1e6


rows = db.execute("SELECT document_number, issuing_state, surnames, given_names, birth_date, post FROM crossings "
                  "WHERE document_number <> '' AND source = 'import'").fetchall()
random.seed(7)
sample = random.sample(rows, min(2000, len(rows)))
for label, bound in (("country-wide", False), ("at the traveller's post", True)):
    times = []
    for number, state, surnames, given, birth, post in sample:
        full = len(birth) == 10
        p = post if bound else ""
        args = (number, state) + ((surnames, given, birth) if full else ()) + (p, p)
        t = time.perf_counter()
        db.execute(recent_sql(full), args).fetchall()
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"recent_crossings, {label}: n={len(times)} p50={pct(times, .5):.0f} µs "
          f"p90={pct(times, .9):.0f} µs p99={pct(times, .99):.0f} µs max={times[-1] * 1e6:.0f} µs")

for number, state, n in db.execute("SELECT document_number, issuing_state, COUNT(*) FROM crossings "
                                   "WHERE document_number <> '' GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 2").fetchall():
    times = []
    for _ in range(200):
        t = time.perf_counter()
        db.execute(recent_sql(False), (number, state, "", "")).fetchall()
        times.append(time.perf_counter() - t)
    times.sort()
    print(f"recent_crossings, a document crossed {n} times: min={times[0] * 1e6:.0f} µs p50={pct(times, .5):.0f} µs")

severity = ("CASE h.list_kind WHEN 'wanted' THEN 3 WHEN 'missing' THEN 3 WHEN 'documents' THEN 2 "
            "WHEN 'watch' THEN 1 ELSE 0 END DESC, h.score DESC, h.created_at, h.id")
where = ("FROM hits h JOIN crossings c ON c.crossing_id = h.crossing_id WHERE (? = '' OR c.post = ?) "
         "AND (? = '' OR h.list_name = ?) AND NOT EXISTS (SELECT 1 FROM adjudications a WHERE a.hit_id = h.id)")
page = ("SELECT h.*, c.post, c.crossed_at, c.given_names, c.surnames, "
        "(SELECT d.decision FROM decisions d WHERE d.crossing_id = h.crossing_id "
        "ORDER BY d.at DESC, d.origin DESC, d.id DESC LIMIT 1), "
        "(SELECT i.result FROM inspections i WHERE i.crossing_id = h.crossing_id) "
        + where + " ORDER BY " + severity + " LIMIT 25")
post = db.execute("SELECT c.post FROM hits h JOIN crossings c ON c.crossing_id = h.crossing_id "
                  "GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1").fetchone()
for label, args in (("all posts", ("", "", "", "")), (f"post {post[0] if post else ''}", (post[0],) * 2 + ("", ""))):
    times = []
    for _ in range(50):
        t = time.perf_counter()
        shown = db.execute(page, args).fetchall()
        times.append(time.perf_counter() - t)
    total = db.execute("SELECT COUNT(*) " + where, args).fetchone()[0]
    times.sort()
    print(f"hit queue, first page, {label}: {len(shown)} of {total} open hits, p50={pct(times, .5) / 1000:.2f} ms")
