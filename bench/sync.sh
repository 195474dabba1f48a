#!/usr/bin/env bash
# Synchronisation benchmark: a border post offline for DAYS days of a busy
# crossing (PER_DAY travellers a day, one in 25 a hit, every hit adjudicated,
# every crossing decided) catches up with the centre with one
# `centinela sync`. Prints the records queued, the catch-up time, and
# records/s pushed and applied (end to end: read at the post, sent over
# loopback HTTP, applied at the centre in one transaction per batch, then
# acknowledged at the post).
#
#   bench/sync.sh [--quick]        (--quick: 1 day)
#   DAYS=N PER_DAY=N BATCH=N       (defaults 7, 4000, 500)
#   CENTRE_PG=postgres://…/db      the centre on PostgreSQL (an empty
#                                  database; default: a SQLite centre)
#
# Outputs go to bench-out/sync/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
days=${DAYS:-7}; per_day=${PER_DAY:-4000}; batch=${BATCH:-500}
if [ "${1:-}" = "--quick" ]; then days=1; fi
out=bench-out/sync; mkdir -p "$out"
cargo build --release --locked -p centinela >&2
bin="${CARGO_TARGET_DIR:-target}/release/centinela"

post="$out/post-$days-$per_day.db"
centre="${CENTRE_PG:-$out/centre.db}"
rm -f "$post"* "$out"/centre.db*
key=$($bin --db "$centre" posts add --code GTM-TECUNUMAN --name "Tecún Umán" --country GTM)
fill=$($bin --db "$post" bench sync-fill --post GTM-TECUNUMAN --days "$days" --per-day "$per_day")
echo "post filled: $fill" >&2

port=${PORT:-18090}
RUST_LOG=warn $bin --db "$centre" serve --addr 127.0.0.1:$port 2>"$out/centre.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
    sleep 0.2
done
start=$(date +%s.%N)
report=$($bin --db "$post" sync --central "http://127.0.0.1:$port" --post-key "$key" --batch "$batch")
end=$(date +%s.%N)
kill -TERM $server; wait $server || true
trap - EXIT
python3 - "$fill" "$report" "$start" "$end" "$days" "$per_day" "$batch" "${CENTRE_PG:+postgresql}" <<'PY'
import json, sys
fill, report = json.loads(sys.argv[1]), json.loads(sys.argv[2])
secs = float(sys.argv[4]) - float(sys.argv[3])
days, per_day, batch, backend = sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8] or "sqlite"
print(json.dumps({
    "days_offline": int(days), "travellers_per_day": int(per_day), "batch": int(batch), "centre": backend,
    "records_queued": fill["records_queued"], "records_pushed": report["pushed"], "applied": report["applied"],
    "catch_up_secs": round(secs, 2), "records_per_sec": round(report["pushed"] / secs),
}))
PY
