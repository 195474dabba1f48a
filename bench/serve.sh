#!/usr/bin/env bash
# Inspection load benchmark: `centinela serve` on loopback with a
# 1,000,000-entry alert list (and a stolen/lost documents list), driven by
# wrk (Debian) posting inspections for DURATION seconds with CONNECTIONS
# open connections on 2 threads. Prints sustained inspections/s and p50/p99
# latency, then checks that every acknowledged inspection is stored (the
# server answers 201 only after its group commit).
#
#   bench/serve.sh [--quick]      (--quick: 100,000 entries, 10 s)
#   CONNECTIONS=N                 open connections (default 16)
#   DURATION=S                    seconds of load (default 30)
#   DELAY_MS=MS                   each connection pauses MS ms between an answer and its next request
#   CENTINELA_BIN=PATH            serve with this binary (A/B against another build)
#   BENCH_DB=PATH                 start from a copy of this database (same data for A/B runs)
#
# Outputs go to bench-out/serve/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
entries=1000000; duration=${DURATION:-30}; connections=${CONNECTIONS:-16}
if [ "${1:-}" = "--quick" ]; then entries=100000; duration=10; fi
out=bench-out/serve; mkdir -p "$out"
command -v wrk >/dev/null || { echo "installing wrk (Debian)" >&2; apt-get install -y wrk >/dev/null; }
tgt="${CARGO_TARGET_DIR:-target}"
if [ -n "${CENTINELA_BIN:-}" ]; then bin=$CENTINELA_BIN; else
    cargo build --release --locked -p centinela >&2
    bin=$tgt/release/centinela
fi
cargo build --release --locked -p centinela-lists --example gen_lists >&2

# The list and the travellers come from the shared name generator (the
# same sets bench/screen.sh uses), in a throwaway virtualenv with faker.
set_dir=bench-out/sets/speed-$entries-20000
if [ ! -s "$set_dir/truth.csv" ]; then
    venv=bench-out/venv-namegen
    [ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet faker==40.54.0; }
    "$venv/bin/python" ../shared/eval/namegen.py --out "$set_dir.tmp" --list-size "$entries" --queries 20000 --seed 11
    rm -rf "$set_dir" && mv "$set_dir.tmp" "$set_dir"
fi
"$tgt/release/examples/gen_lists" documents 1000000 "$out/documents.csv"
db="$out/bench-$entries.db"
if [ -n "${BENCH_DB:-}" ]; then
    rm -f "$db"*; cp "$BENCH_DB" "$db"
    # The audit log is sealed with the key beside the database.
    if [ -f "$BENCH_DB.audit-key" ]; then cp "$BENCH_DB.audit-key" "$db.audit-key"; fi
fi
if [ ! -f "$db" ]; then
    rm -f "$db"*
    $bin --db "$db" lists import --name wanted --kind wanted --format csv "$set_dir/list.csv" >&2
    $bin --db "$db" lists import --name sltd --kind documents --format documents "$out/documents.csv" >&2
    $bin --db "$db" posts add --code GTM-TECUNUMAN --name "Tecún Umán" --country GTM >/dev/null
    printf 'bench password 123\n' | $bin --db "$db" users add --username bench --role officer --post GTM-TECUNUMAN --password-stdin >&2
fi
python3 bench/inspection_bodies.py "$set_dir/queries.csv" > "$out/bodies.jsonl"

port=18080
RUST_LOG=${RUST_LOG:-warn} $bin --db "$db" serve --addr 127.0.0.1:$port 2>"$out/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
    kill -0 $server 2>/dev/null || { cat "$out/server.log" >&2; echo "serve.sh: the server stopped" >&2; exit 1; }
    sleep 0.5
done
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$server/status)
token=$(curl -fs -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench password 123"}' \
    "http://127.0.0.1:$port/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
count() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM crossings').fetchone()[0])" "$db"; }
before=$(count)
ticks() { awk '{print $14+$15}' /proc/$server/stat; }
cpu0=$(ticks)
result=$(DELAY_MS=${DELAY_MS:-} TOKEN=$token BODIES=$out/bodies.jsonl wrk -t2 -c$connections -d${duration}s --latency -s bench/inspect.lua \
    "http://127.0.0.1:$port" | tail -n 1)
cpu1=$(ticks)
kill -TERM $server; wait $server || true
trap - EXIT
after=$(count)
echo "$result" | python3 -c "
import json, sys
r = json.loads(sys.stdin.read())
r.update(entries=$entries, connections=$connections, delay_ms='${DELAY_MS:-0}', server_rss_mb=round($rss_kb/1024), stored=$after-$before)
# The server's own CPU time (user + system) per inspection: what the
# throughput would be bounded by on idle cores, whatever else runs.
hz = $(getconf CLK_TCK)
r['server_cpu_us_per_inspection'] = round(($cpu1 - $cpu0) / hz * 1e6 / max(r['requests'], 1))
r['load_average'] = open('/proc/loadavg').read().split()[0]
ok = r['requests'] - r['non_201']
r['all_acknowledged_stored'] = (r['stored'] >= ok)
print(json.dumps(r))
" | tee "$out/result-$entries.json"
