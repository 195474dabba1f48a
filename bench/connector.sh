#!/usr/bin/env bash
# A connector refreshing an Interpol-shaped feed: NOTICES Red notices
# (default 10,000; pages of 160, each notice's detail with its ETag) served
# from memory on 127.0.0.1 by `centinela bench connector`, pulled into a
# fresh SQLite database three times: cold (every detail fetched), unchanged
# (every detail answers 304), and with 1 % changed and 0.5 % withdrawn.
# Prints the JSON (seconds, requests, added / changed / withdrawn per pull).
#
#   bench/connector.sh
#   NOTICES=N                 notices in the feed (default 10000)
#   RATE=R                    requests per second the connector allows itself (default 0: none)
#   THUMBNAILS=1              each notice links a 4 KiB JPEG thumbnail, fetched and stored
#   CENTINELA_BIN=PATH        run this binary (A/B against another build)
#
# Outputs go to bench-out/connector/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench-out/connector; mkdir -p "$out"
tgt="${CARGO_TARGET_DIR:-target}"
if [ -n "${CENTINELA_BIN:-}" ]; then bin=$CENTINELA_BIN; else
    cargo build --release --locked -p centinela >&2
    bin=$tgt/release/centinela
fi
db="$out/bench.db"
rm -f "$db" "$db-wal" "$db-shm" "$db.audit-key"
"$bin" --db "$db" bench connector --notices "${NOTICES:-10000}" --rate "${RATE:-0}" ${THUMBNAILS:+--thumbnails} | tee "$out/result.json"
