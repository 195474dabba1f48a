"""Booth inspections while a list is imported (bench/list_import.sh).

    python3 bench/import_latency.py PORT TOKEN STOP_FILE OUT_JSONL

CLIENTS threads (default 4), each posting one inspection at a time and then
pausing PAUSE_MS (default 20 ms), like booths; every answer's start time
(Unix seconds), latency (ms) and status go to OUT_JSONL until STOP_FILE
exists. `summary` reads it back:

    python3 bench/import_latency.py summary OUT_JSONL T0 T1

and prints, for the inspections started in [T0, T1] (the import) and for
the others (no import), their count, p50, p99 and max latency.
"""
import http.client
import json
import os
import sys
import threading
import time


def client(port, token, stop, out, lock, k):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    pause = float(os.environ.get("PAUSE_MS", "20")) / 1000
    i = 0
    while not os.path.exists(stop):
        i += 1
        body = json.dumps({
            "post": "GTM-TECUNUMAN", "direction": "entry",
            "travellers": [{"given_names": "Ana María", "surnames": f"López Bench {k} {i}",
                            "birth_date": "1990-01-01", "nationality": "GTM"}],
        })
        t = time.time()
        conn.request("POST", "/api/inspections", body,
                     {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        r = conn.getresponse()
        r.read()
        ms = (time.time() - t) * 1000
        with lock:
            out.write(json.dumps({"t": t, "ms": round(ms, 2), "status": r.status}) + "\n")
        time.sleep(pause)


def run(port, token, stop, path):
    lock = threading.Lock()
    with open(path, "w") as out:
        threads = [threading.Thread(target=client, args=(int(port), token, stop, out, lock, k))
                   for k in range(int(os.environ.get("CLIENTS", "4")))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def stats(xs):
    xs = sorted(xs)
    if not xs:
        return {"n": 0}
    pick = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]
    return {"n": len(xs), "p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": xs[-1]}


def summary(path, t0, t1):
    rows = [json.loads(l) for l in open(path)]
    during = [r["ms"] for r in rows if t0 <= r["t"] <= t1]
    other = [r["ms"] for r in rows if not t0 <= r["t"] <= t1]
    bad = sum(1 for r in rows if r["status"] != 201)
    print(json.dumps({"during_import": stats(during), "without_import": stats(other), "non_201": bad,
                      "import_s": round(t1 - t0, 1)}))


if __name__ == "__main__":
    if sys.argv[1] == "summary":
        summary(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    else:
        run(*sys.argv[1:5])
