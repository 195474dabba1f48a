#!/usr/bin/env python3
"""Lookout distribution benchmark (issue 21, part 5): the time from issuing
a lookout at the centre to it being in force at each of POSTS border posts,
all online, over loopback HTTP.

One centre (`centinela serve`, SQLite by default, or the database CENTRE_DB
names, e.g. a PostgreSQL URL) and POSTS posts, each its own `centinela
serve --central … --post-key …` over its own SQLite file, watching the
centre's lookouts long poll as a serving post does. Each round issues one
vehicle lookout through the centre's API and, at every post at once, an
officer's inspection of a party in that vehicle is repeated every POLL ms
until it shows the lookout: "in force" is measured at the booth, through the
post's own inspection, not read from a table. Prints p50, p95 and max over
ROUNDS × POSTS latencies (the poll interval bounds the resolution).

    python3 bench/lookouts.py                     POSTS=10 ROUNDS=5 POLL=20
    CENTINELA=target/release/centinela python3 bench/lookouts.py
    CENTRE_DB=postgres://…/db python3 bench/lookouts.py   (with CENTINELA_AUDIT_KEY set)
    NODES=2 CENTRE_DB=postgres://…/db python3 bench/lookouts.py

NODES (PostgreSQL only) runs that many centre nodes on the one database, as
the central deployment does (`scripts/central-loopback`): the lookout is
issued through node 1 and post i watches node i mod NODES, so half the posts
hear of it through a node that did not write it (the long poll's generation
is the store's stamp, polled about once a second).

Outputs go to bench-out/lookouts/ (git-ignored). Stdlib only.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POSTS = int(os.environ.get("POSTS", "10"))
ROUNDS = int(os.environ.get("ROUNDS", "5"))
POLL = int(os.environ.get("POLL", "20")) / 1000
BASE = int(os.environ.get("BASE_PORT", "18400"))
NODES = int(os.environ.get("NODES", "1"))
PASSWORD = "una clave bastante larga"
OUT = os.path.join(ROOT, "bench-out", "lookouts")


def binary():
    if os.environ.get("CENTINELA"):
        return os.environ["CENTINELA"]
    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "centinela"], cwd=ROOT, check=True)
    return os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "centinela")


def cli(bin_, db, *args, stdin=None):
    r = subprocess.run([bin_, "--db", db, *args], input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"centinela {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout.strip()


def call(url, body=None, token=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait_up(url):
    for _ in range(600):
        try:
            if call(url + "/api/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"{url} did not start")


def login(url, username):
    status, body = call(url + "/api/session", {"username": username, "password": PASSWORD})
    if status != 200:
        sys.exit(f"login {username} at {url}: {status} {body}")
    return body["token"]


def party(code, plate):
    return {"post": code, "direction": "entry", "vehicle": plate,
            "travellers": [{"given_names": "Ana", "surnames": "Prueba", "birth_date": "1980-01-01"}]}


def main():
    bin_ = binary()
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    centre_db = os.environ.get("CENTRE_DB", os.path.join(OUT, "centre.db"))
    if NODES > 1 and not centre_db.startswith("postgres"):
        sys.exit("NODES > 1 needs CENTRE_DB=postgres://… (nodes share one database)")
    nodes = [f"http://127.0.0.1:{BASE}"] + [f"http://127.0.0.1:{BASE + 100 + k}" for k in range(1, NODES)]
    centre = nodes[0]
    codes = [f"BENCH-P{i:02d}" for i in range(POSTS)]
    keys = [cli(bin_, centre_db, "posts", "add", "--code", c, "--name", c, "--country", "GTM") for c in codes]
    cli(bin_, centre_db, "users", "add", "--username", "analista", "--role", "analyst", "--password-stdin",
        stdin=PASSWORD + "\n")
    procs = []
    env = dict(os.environ, RUST_LOG="warn")
    try:
        for k, node in enumerate(nodes):
            log = open(os.path.join(OUT, f"centre{k}.log"), "w")
            procs.append(subprocess.Popen([bin_, "--db", centre_db, "serve", "--addr", node.removeprefix("http://"),
                                           "--purge-every-hours", "0"], stderr=log, env=env))
            wait_up(node)
        posts = []
        for i, (code, key) in enumerate(zip(codes, keys)):
            db = os.path.join(OUT, f"post{i}.db")
            cli(bin_, db, "posts", "add", "--code", code, "--name", code, "--country", "GTM")
            cli(bin_, db, "users", "add", "--username", f"oficial{i}", "--role", "officer", "--post", code,
                "--password-stdin", stdin=PASSWORD + "\n")
            port = BASE + 1 + i
            log = open(os.path.join(OUT, f"post{i}.log"), "w")
            procs.append(subprocess.Popen(
                [bin_, "--db", db, "serve", "--addr", f"127.0.0.1:{port}", "--purge-every-hours", "0",
                 "--central", nodes[i % NODES], "--post-key", key], stderr=log, env=env))
            posts.append((code, f"http://127.0.0.1:{port}", f"oficial{i}"))
        for _, url, _ in posts:
            wait_up(url)
        tokens = [login(url, user) for _, url, user in posts]
        analyst = login(centre, "analista")
        time.sleep(2)  # every post's long poll is waiting
        latencies = []
        for r in range(ROUNDS):
            plate = f"B-{r:03d}XYZ"
            done = [None] * POSTS
            start = time.monotonic()

            def watch(i):
                code, url, _ = posts[i]
                while time.monotonic() - start < 60:
                    status, body = call(url + "/api/inspections", party(code, plate), tokens[i])
                    if status != 201:
                        sys.exit(f"inspection at {code}: {status} {body}")
                    if body["travellers"][0].get("lookouts"):
                        done[i] = time.monotonic() - start
                        return
                    time.sleep(POLL)

            threads = [threading.Thread(target=watch, args=(i,)) for i in range(POSTS)]
            issued_at = time.monotonic()
            status, body = call(centre + "/api/lookouts",
                                {"kind": "vehicle", "plate": plate, "reason": "benchmark",
                                 "action": "secondary_inspection", "valid_hours": 1}, analyst)
            if status != 201:
                sys.exit(f"issue: {status} {body}")
            start = issued_at
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if any(d is None for d in done):
                sys.exit(f"round {r}: not in force at every post within 60 s: {done}")
            latencies.extend(done)
            print(f"round {r}: max {max(done) * 1000:.0f} ms", file=sys.stderr)
            time.sleep(1)
        ms = sorted(d * 1000 for d in latencies)
        p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
        print(json.dumps({"posts": POSTS, "nodes": NODES, "rounds": ROUNDS, "poll_ms": POLL * 1000,
                          "p50_ms": round(statistics.median(ms)), "p95_ms": round(p95), "max_ms": round(ms[-1]),
                          "load": open("/proc/loadavg").read().split()[:3]}))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=10)


if __name__ == "__main__":
    main()
