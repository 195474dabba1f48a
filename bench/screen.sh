#!/usr/bin/env bash
# Name-screening benchmark: Centinela against two peers, accuracy and speed, in one run.
#
#   bench/screen.sh            full run: 1,000,000-entry list (tens of minutes on 2 cores)
#   bench/screen.sh --quick    smoke test: 20,000-entry list, names-dev only (a few minutes)
#
# Peers, installed from PyPI into a throwaway virtualenv (bench-out/venv, git-ignored):
#   rapidfuzz     token_sort_ratio on the full name (bench/peers.py)
#   nomenklatura  logic-v2, yente's scorer, behind a rapidfuzz blocking step (bench/peers.py)
# Peers are scored at their best possible threshold (swept on each set); Centinela at the
# threshold it ships (`centinela screen` without --threshold).
#
# Environment (defaults for the full run; --quick changes the first three):
#   SCREEN_LIST_SIZE=1000000   speed list size (Centinela; peers too unless SCREEN_PEER_LIST_SIZE)
#   SCREEN_SPEED_QUERIES=20000 queries generated for the speed set
#   SCREEN_SEEDS="2 3 4"       extra accuracy sets (namegen seeds, names-dev's size)
#   SCREEN_PEER_LIST_SIZE=     list size for the peers' speed (default: SCREEN_LIST_SIZE)
#   SCREEN_RF_SAMPLE=200       rapidfuzz single-query sample; SCREEN_RF_BULK=500 bulk queries
#   SCREEN_NK_SAMPLE=50        nomenklatura query sample (it does ~4 queries/s/core)
#   SCREEN_STREAMS="100000:50000:0.02:0.05:103 1000000:100000:0.01:0.03:202"
#                              border streams (streamgen.py, real name frequencies; most travellers
#                              on no list): list size:travellers:prevalence:namesakes:seed
#                              (seeds 101, 102 and 201 are the score's fitting sets: not reported)
#   SCREEN_STREAM_RF_SAMPLE=5000  stream travellers screened by rapidfuzz (every n-th)
#   SCREEN_STREAM_NK_SAMPLE=400   of those, travellers scored by nomenklatura
#   SCREEN_THREADS=2           threads for bulk screening
#   SCREEN_SKIP_PEERS=1        Centinela only
#   BENCH_OUT=bench-out        where sets, hits, the venv and the report go
#   SHARED_EVAL=../shared/eval namegen.py, score.py and names-dev
#   CARGO_TARGET_DIR           as usual
# Output: a Markdown report on stdout and in $BENCH_OUT/screen-report.md, raw JSON beside it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUICK=0
for a in "$@"; do
    case "$a" in
        --quick) QUICK=1 ;;
        -h|--help) sed -n '2,28p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "screen.sh: unknown argument $a" >&2; exit 2 ;;
    esac
done

OUT="${BENCH_OUT:-$ROOT/bench-out}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
SHARED_EVAL="${SHARED_EVAL:-$ROOT/../shared/eval}"
[[ -d "$SHARED_EVAL" ]] || SHARED_EVAL=/work/shared/eval
if [[ $QUICK == 1 ]]; then
    LIST_SIZE="${SCREEN_LIST_SIZE:-20000}"
    SPEED_QUERIES="${SCREEN_SPEED_QUERIES:-2000}"
    SEEDS="${SCREEN_SEEDS:-}"
    STREAMS="${SCREEN_STREAMS:-20000:5000:0.02:0.05:103}"
else
    LIST_SIZE="${SCREEN_LIST_SIZE:-1000000}"
    SPEED_QUERIES="${SCREEN_SPEED_QUERIES:-20000}"
    SEEDS="${SCREEN_SEEDS:-2 3 4}"
    STREAMS="${SCREEN_STREAMS:-100000:50000:0.02:0.05:103 1000000:100000:0.01:0.03:202}"
fi
STREAM_RF_SAMPLE="${SCREEN_STREAM_RF_SAMPLE:-5000}"
STREAM_NK_SAMPLE="${SCREEN_STREAM_NK_SAMPLE:-400}"
PEER_LIST_SIZE="${SCREEN_PEER_LIST_SIZE:-$LIST_SIZE}"
RF_SAMPLE="${SCREEN_RF_SAMPLE:-200}"
RF_BULK="${SCREEN_RF_BULK:-500}"
NK_SAMPLE="${SCREEN_NK_SAMPLE:-50}"
THREADS="${SCREEN_THREADS:-2}"
SKIP_PEERS="${SCREEN_SKIP_PEERS:-0}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/release/centinela"
RUN="$OUT/run"
rm -rf "$RUN"
mkdir -p "$RUN/hits" "$OUT/sets"
log() { echo "[screen.sh $(date -u +%H:%M:%S)] $*" >&2; }

# --- 1. throwaway virtualenv with the peers (pinned) -----------------------------------------
PINS="faker==40.54.0 rapidfuzz==3.14.6 nomenklatura==4.17.4 followthemoney==4.11.2 numpy==2.4.6 names-dataset==3.3.1"
VENV="$OUT/venv"
if [[ ! -x "$VENV/bin/python" || "$(cat "$VENV/.pins" 2>/dev/null)" != "$PINS" ]]; then
    log "creating $VENV with $PINS"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    # shellcheck disable=SC2086
    "$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS
    echo "$PINS" > "$VENV/.pins"
fi
PY="$VENV/bin/python"

# --- 2. evaluation and speed sets (cached in $OUT/sets by their parameters) ------------------
gen() { # DIR LIST_SIZE QUERIES SEED
    if [[ ! -s "$1/truth.csv" ]]; then
        log "namegen.py: $2 entries, $3 queries, seed $4 -> $1"
        "$PY" "$SHARED_EVAL/namegen.py" --out "$1.tmp" --list-size "$2" --queries "$3" --seed "$4"
        rm -rf "$1" && mv "$1.tmp" "$1"
    fi
}
ACC_SETS=("$SHARED_EVAL/names-dev")
for s in $SEEDS; do
    gen "$OUT/sets/seed$s" 20000 2000 "$s"
    ACC_SETS+=("$OUT/sets/seed$s")
done
SPEED="$OUT/sets/speed-$LIST_SIZE-$SPEED_QUERIES"
gen "$SPEED" "$LIST_SIZE" "$SPEED_QUERIES" 11
PEER_SPEED="$SPEED"
if [[ "$PEER_LIST_SIZE" != "$LIST_SIZE" ]]; then
    PEER_SPEED="$OUT/sets/speed-$PEER_LIST_SIZE-$SPEED_QUERIES"
    gen "$PEER_SPEED" "$PEER_LIST_SIZE" "$SPEED_QUERIES" 11
fi

STREAM_SETS=()
for spec in $STREAMS; do
    IFS=: read -r n q prev ns seed <<< "$spec"
    dir="$OUT/sets/stream-$n-$q-$seed"
    if [[ ! -s "$dir/truth.csv" ]]; then
        log "streamgen.py: $n entries, $q travellers (listed $prev, namesakes $ns), seed $seed -> $dir"
        "$PY" "$SHARED_EVAL/streamgen.py" --out "$dir.tmp" --list-size "$n" --queries "$q" \
            --prevalence "$prev" --namesakes "$ns" --seed "$seed"
        rm -rf "$dir" && mv "$dir.tmp" "$dir"
    fi
    STREAM_SETS+=("$dir")
done

# --- 3. build -----------------------------------------------------------------------------
log "cargo build --release -p centinela"
(cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build --release --quiet -p centinela)

# --- 4. accuracy ----------------------------------------------------------------------------
for set in "${ACC_SETS[@]}"; do
    name="$(basename "$set")"
    log "accuracy, Centinela at its shipped threshold: $name"
    "$BIN" screen --list "$set/list.csv" --queries "$set/queries.csv" --out "$RUN/hits/centinela-$name.csv" 2>> "$RUN/centinela.log"
    "$BIN" screen --list "$set/list.csv" --queries "$set/queries.csv" --candidates 10 \
        --out "$RUN/hits/centinela-top10-$name.csv" 2>> "$RUN/centinela.log"
    printf '%s %s\n' "$name" "$(python3 "$SHARED_EVAL/score.py" "$set/truth.csv" "$RUN/hits/centinela-$name.csv")" >> "$RUN/centinela-accuracy.txt"
    printf '%s %s\n' "$name" "$(python3 "$SHARED_EVAL/score.py" "$set/truth.csv" "$RUN/hits/centinela-top10-$name.csv" --threshold 2)" >> "$RUN/centinela-recall10.txt"
    if [[ $SKIP_PEERS != 1 ]]; then
        log "accuracy, peers at their best threshold: $name"
        "$PY" "$ROOT/bench/peers.py" accuracy --set "$set" --workers "$THREADS" --hits-dir "$RUN/hits" >> "$RUN/peers-accuracy.jsonl"
    fi
done

# --- 4b. border streams: the headline screening figures ---------------------------------------
for set in "${STREAM_SETS[@]}"; do
    name="$(basename "$set")"
    log "stream, Centinela at its shipped threshold: $name"
    "$BIN" screen --list "$set/list.csv" --queries "$set/queries.csv" --out "$RUN/hits/centinela-$name.csv" 2>> "$RUN/centinela.log"
    printf '%s %s\n' "$name" "$(python3 "$SHARED_EVAL/stream_score.py" "$set/truth.csv" "$RUN/hits/centinela-$name.csv")" >> "$RUN/centinela-stream.txt"
    printf '%s %s\n' "$name" "$(python3 "$ROOT/bench/stream_calibration.py" "$set/truth.csv" "$RUN/hits/centinela-$name.csv")" >> "$RUN/centinela-calibration.txt"
    if [[ $SKIP_PEERS != 1 ]]; then
        log "stream, peers on a sample ($STREAM_RF_SAMPLE travellers; nomenklatura $STREAM_NK_SAMPLE): $name"
        "$PY" "$ROOT/bench/peers.py" stream --set "$set" --sample "$STREAM_RF_SAMPLE" --nk-sample "$STREAM_NK_SAMPLE" \
            --workers "$THREADS" >> "$RUN/peers-stream.jsonl"
    fi
done

# --- 5. speed -------------------------------------------------------------------------------
cat /proc/loadavg > "$RUN/loadavg.txt" 2>/dev/null || true
log "speed, Centinela: $LIST_SIZE entries, bulk on $THREADS threads"
"$BIN" bench screen --list "$SPEED/list.csv" --queries "$SPEED/queries.csv" --threads "$THREADS" \
    > "$RUN/centinela-speed.json" 2>> "$RUN/centinela.log"
if [[ $SKIP_PEERS != 1 ]]; then
    log "speed, peers: $PEER_LIST_SIZE entries (rapidfuzz $RF_SAMPLE queries, nomenklatura $NK_SAMPLE)"
    "$PY" "$ROOT/bench/peers.py" speed --list "$PEER_SPEED/list.csv" --queries "$PEER_SPEED/queries.csv" \
        --sample "$RF_SAMPLE" --bulk "$RF_BULK" --nk-sample "$NK_SAMPLE" --workers "$THREADS" > "$RUN/peers-speed.jsonl"
fi

# --- 6. report ------------------------------------------------------------------------------
CMD="bench/screen.sh $*"
"$PY" "$ROOT/bench/screen_report.py" --run "$RUN" --command "${CMD% }" | tee "$OUT/screen-report.md"
cp "$RUN"/*.json* "$RUN"/*.txt "$OUT/" 2>/dev/null || true
