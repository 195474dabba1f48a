#!/usr/bin/env bash
# Synchronisation benchmark: a border post offline for DAYS days of a busy
# crossing (PER_DAY travellers a day, one in 25 a hit, every hit adjudicated,
# every crossing decided) catches up with the centre with one
# `centinela sync`. Prints the records queued, the catch-up time, and
# records/s pushed and applied (end to end: read at the post, sent over
# loopback HTTP, checked and applied at the centre in one transaction per
# batch, then acknowledged at the post).
#
# The peer, in the same run: the very rows the centre then holds (users,
# crossings, inspections, hits, adjudications, decisions, referrals, the
# post's audit chain, the received uids) bulk-loaded by the database's own
# loader into an empty database of the same schema — same indexes,
# constraints and triggers — in one transaction: PostgreSQL's COPY (psql
# \copy from files dumped beforehand), or for SQLite `INSERT … SELECT` from
# the centre's file ATTACHed (no text parsing at all: a stricter bound than
# sqlite3's .import, which could not load the audit chain's hashes either).
# That is the floor for storing those rows; the sync does everything else
# on top (reading at the post, JSON, HTTP, checking every record and audit
# link, deduplication, acknowledgements, one commit per batch).
#
#   bench/sync.sh [--quick]        (--quick: 1 day)
#   DAYS=N PER_DAY=N BATCH=N       (defaults 7, 4000, 500)
#   CENTINELA=path/to/centinela    use this binary (default: build one)
#   CENTRE_PG=postgres://…/db      the centre on PostgreSQL (an empty
#                                  database; the peer loads into a database
#                                  named DB_raw on the same server, dropped
#                                  and created; default: a SQLite centre)
#
# Outputs go to bench-out/sync/ (git-ignored). Needs sqlite3 or psql.
set -euo pipefail
cd "$(dirname "$0")/.."
days=${DAYS:-7}; per_day=${PER_DAY:-4000}; batch=${BATCH:-500}
if [ "${1:-}" = "--quick" ]; then days=1; fi
out=bench-out/sync; mkdir -p "$out"
if [ -n "${CENTINELA:-}" ]; then
    bin="$CENTINELA"    # a binary built beforehand
else
    cargo build --release --locked -p centinela >&2
    bin="${CARGO_TARGET_DIR:-target}/release/centinela"
fi
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

post="$out/post-$days-$per_day.db"
centre="${CENTRE_PG:-$out/centre.db}"
rm -f "$post"* "$out"/centre.db* "$out"/raw.db* "$out"/raw-*.copy
key=$($bin --db "$centre" posts add --code GTM-TECUNUMAN --name "Tecún Umán" --country GTM)
fill=$($bin --db "$post" bench sync-fill --post GTM-TECUNUMAN --days "$days" --per-day "$per_day")
echo "post filled: $fill" >&2

port=${PORT:-18090}
RUST_LOG=warn $bin --db "$centre" serve --addr 127.0.0.1:$port --purge-every-hours 0 2>"$out/centre.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
    sleep 0.2
done
start=$(date +%s.%N)
report=$(CENTINELA_POST_KEY="$key" $bin --db "$post" sync --central "http://127.0.0.1:$port" --batch "$batch")
end=$(date +%s.%N)
kill -TERM $server; wait $server || true
trap - EXIT

# The peer: the same rows, loaded by the database itself.
tables="users crossings inspections hits adjudications decisions referrals sync_audit sync_received"
if [ -n "${CENTRE_PG:-}" ]; then
    base="${CENTRE_PG%%\?*}"; server_url="${base%/*}"; rawdb="${base##*/}_raw"
    psql -X -q "$server_url/postgres" -c "DROP DATABASE IF EXISTS $rawdb" -c "CREATE DATABASE $rawdb" >&2
    $bin --db "$server_url/$rawdb" migrate >&2
    copies=()
    for t in $tables; do
        psql -X -q "$CENTRE_PG" -c "\\copy $t TO '$out/raw-$t.copy'"
        copies+=(-c "\\copy $t FROM '$out/raw-$t.copy'")
    done
    raw_start=$(date +%s.%N)
    psql -X -q -1 -v ON_ERROR_STOP=1 "$server_url/$rawdb" "${copies[@]}"
    raw_end=$(date +%s.%N)
    raw_rows=$(psql -X -qtA "$server_url/$rawdb" -c \
        "SELECT (SELECT count(*) FROM crossings) + (SELECT count(*) FROM inspections) + (SELECT count(*) FROM hits) \
         + (SELECT count(*) FROM adjudications) + (SELECT count(*) FROM decisions) + (SELECT count(*) FROM referrals) \
         + (SELECT count(*) FROM sync_audit)")
    peer="postgresql COPY (psql \\copy), one transaction"
else
    raw="$out/raw.db"
    $bin --db "$raw" migrate >&2
    sql="PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; ATTACH '$centre' AS c; BEGIN IMMEDIATE;"
    for t in $tables; do sql+=" INSERT INTO main.$t SELECT * FROM c.$t;"; done
    sql+=" COMMIT;"
    raw_start=$(date +%s.%N)
    sqlite3 "$raw" "$sql" >/dev/null
    raw_end=$(date +%s.%N)
    raw_rows=$(sqlite3 "$raw" "SELECT (SELECT count(*) FROM crossings) + (SELECT count(*) FROM inspections) \
        + (SELECT count(*) FROM hits) + (SELECT count(*) FROM adjudications) + (SELECT count(*) FROM decisions) \
        + (SELECT count(*) FROM referrals) + (SELECT count(*) FROM sync_audit)")
    peer="sqlite3 INSERT … SELECT from the ATTACHed centre, one transaction"
fi
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$fill" "$report" "$start" "$end" "$days" "$per_day" "$batch" "${CENTRE_PG:+postgresql}" \
    "$raw_start" "$raw_end" "$raw_rows" "$peer" "$load_start" "$load_end" "$(git rev-parse --short HEAD)" <<'PY'
import json, sys
a = sys.argv
fill, report = json.loads(a[1]), json.loads(a[2])
secs = float(a[4]) - float(a[3])
raw_secs = float(a[10]) - float(a[9])
pushed = report["pushed"]
print(json.dumps({
    "commit": a[15], "days_offline": int(a[5]), "travellers_per_day": int(a[6]), "batch": int(a[7]),
    "centre": a[8] or "sqlite",
    "records_queued": fill["records_queued"], "records_pushed": pushed, "applied": report["applied"],
    "catch_up_secs": round(secs, 2), "records_per_sec": round(pushed / secs),
    "peer": a[12], "peer_rows": int(a[11]), "peer_secs": round(raw_secs, 2),
    "peer_records_per_sec": round(int(a[11]) / raw_secs),
    "sync_time_over_peer": round(secs / raw_secs, 2),
    "loadavg_before": a[13], "loadavg_after": a[14],
}))
PY
