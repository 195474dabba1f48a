#!/usr/bin/env bash
# A list import beside the booths: `centinela serve` takes inspections from
# CLIENTS booths (default 4, each pausing PAUSE_MS=20 ms between
# travellers) while `centinela lists import` writes version 3 of a
# ROWS-entry wanted list (default 600,000) into the same SQLite database
# (so version 1's rows are purged as well). Prints the inspections'
# latency during the import and outside it (count, p50, p99, max).
#
#   bench/list_import.sh
#   ROWS=N                    entries of the list (default 600000)
#   CENTINELA_BIN=PATH        serve and import with this binary (A/B against another build)
#
# Outputs go to bench-out/list-import/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-600000}
out=bench-out/list-import; mkdir -p "$out"
tgt="${CARGO_TARGET_DIR:-target}"
if [ -n "${CENTINELA_BIN:-}" ]; then bin=$CENTINELA_BIN; else
    cargo build --release --locked -p centinela >&2
    bin=$tgt/release/centinela
fi
if [ -n "${GEN_LISTS_BIN:-}" ]; then gen=$GEN_LISTS_BIN; else
    cargo build --release --locked -p centinela-lists --example gen_lists >&2
    gen=$tgt/release/examples/gen_lists
fi
list="$out/list-$rows.csv"
[ -s "$list" ] || "$gen" list "$rows" "$list"

db="$out/bench.db"
rm -f "$db" "$db"-*
# Versions 1 and 2 before the server starts: the measured import (version
# 3) stages its rows, switches, and purges version 1's.
for _ in 1 2; do $bin --db "$db" lists import --name wanted --kind wanted --format csv "$list" >&2; done
$bin --db "$db" posts add --code GTM-TECUNUMAN --name "Tecún Umán" --country GTM >/dev/null
printf 'bench password 123\n' | $bin --db "$db" users add --username bench --role officer --post GTM-TECUNUMAN --password-stdin >&2

port=18081
RUST_LOG=${RUST_LOG:-warn} $bin --db "$db" serve --addr 127.0.0.1:$port 2>"$out/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
    sleep 0.5
done
token=$(curl -fs -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench password 123"}' \
    "http://127.0.0.1:$port/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
stop="$out/stop"; rm -f "$stop"
python3 bench/import_latency.py "$port" "$token" "$stop" "$out/latencies.jsonl" &
driver=$!
sleep 5
t0=$(date +%s.%N)
$bin --db "$db" lists import --name wanted --kind wanted --format csv "$list" >&2
t1=$(date +%s.%N)
sleep 5
touch "$stop"; wait $driver
kill -TERM $server; wait $server || true
trap - EXIT
python3 bench/import_latency.py summary "$out/latencies.jsonl" "$t0" "$t1" | python3 -c "
import json, sys
r = json.loads(sys.stdin.read())
r.update(rows=$rows, clients=${CLIENTS:-4}, load_average=open('/proc/loadavg').read().split()[0])
print(json.dumps(r))
" | tee "$out/result.json"
