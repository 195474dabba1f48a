#!/usr/bin/env bash
# Intelligence benchmark: identity resolution, facilitators and rings against the synthetic
# country's ground truth, speed and memory at growing sizes, and Splink as the peer, in one run.
#
#   bench/intel.sh            accuracy on seeds 1 and 2 (Scale::Full), speed on 1, 4 and 8 stacked
#                             countries (~0.27M, 1.1M, 2.2M crossings), Splink on seed 1
#   bench/intel.sh --quick    seed 1 only, speed on 1 country
#
# Environment:
#   INTEL_SEEDS="1 2"          accuracy seeds (Scale::Full each)
#   INTEL_SIZES="1 4 8"        stacked countries for the speed runs (seeds 1..N, ids prefixed;
#                              37 ≈ 10 M crossings, a 1.9 GB CSV: check `df` first)
#   INTEL_REPEAT=3             repetitions of each speed run (the median is reported)
#   INTEL_SKIP_PEER=1          no Splink
#   BENCH_OUT=bench-out        where sets, outputs, the venv and the report go (git-ignored)
#   CARGO_TARGET_DIR           as usual
# Peer: Splink 4 (PyPI `splink`, DuckDB backend) in a throwaway virtualenv ($BENCH_OUT/intel-venv),
# run by bench/intel_splink.py on the same CSV. Scoring: bench/intel_score.py.
# Output: Markdown on stdout and in $BENCH_OUT/intel-report.md, raw JSON beside it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUICK=0
for a in "$@"; do
    case "$a" in
        --quick) QUICK=1 ;;
        -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "intel.sh: unknown argument $a" >&2; exit 2 ;;
    esac
done
OUT="${BENCH_OUT:-$ROOT/bench-out}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
if [[ $QUICK == 1 ]]; then
    SEEDS="${INTEL_SEEDS:-1}"; SIZES="${INTEL_SIZES:-1}"; REPEAT="${INTEL_REPEAT:-1}"
else
    SEEDS="${INTEL_SEEDS:-1 2}"; SIZES="${INTEL_SIZES:-1 4 8}"; REPEAT="${INTEL_REPEAT:-3}"
fi
SKIP_PEER="${INTEL_SKIP_PEER:-0}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/release/centinela"
GEN="$TARGET/release/examples/intel_synth"
RAW="$OUT/intel-raw.jsonl"
: > "$RAW"
log() { echo "[intel.sh $(date -u +%H:%M:%S)] $*" >&2; }

log "building"
# Two invocations: `--example` alone would leave the binary unbuilt.
(cd "$ROOT" && cargo build --release -q -p centinela --bin centinela \
    && cargo build --release -q -p centinela-intel --example intel_synth)

PY=python3
if [[ $SKIP_PEER != 1 ]]; then
    PINS="splink==4.0.16"
    VENV="$OUT/intel-venv"
    if [[ ! -x "$VENV/bin/python" || "$(cat "$VENV/.pins" 2>/dev/null)" != "$PINS" ]]; then
        log "creating $VENV with $PINS"
        rm -rf "$VENV"; python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS
        echo "$PINS" > "$VENV/.pins"
    fi
    PY="$VENV/bin/python"
fi

# /usr/bin/time -v: wall seconds and peak resident memory of one command.
measure() { # LABEL CMD...
    local t="$OUT/time.txt"
    /usr/bin/time -v -o "$t" "${@:2}"
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$t")
    rss=$(awk -F': ' '/Maximum resident set size/{print $2/1024}' "$t")
    echo "{\"what\":\"$1\",\"wall_s\":$wall,\"max_rss_mib\":$rss}" >> "$RAW"
    log "$1: ${wall}s, ${rss} MiB"
}

# --- accuracy -------------------------------------------------------------------------------
for s in $SEEDS; do
    d="$OUT/intel/seed$s"
    [[ -s "$d/crossings.csv" ]] || "$GEN" --seeds "$s" --scale full --out "$d"
    measure "ours persons seed $s" "$BIN" intel persons --crossings "$d/crossings.csv" --out "$d/ours.csv"
    "$BIN" intel facilitators --crossings "$d/crossings.csv" > "$d/facilitators.jsonl"
    "$BIN" intel rings --crossings "$d/crossings.csv" > "$d/rings.jsonl"
    echo "{\"what\":\"ours accuracy seed $s\",\"persons\":$(python3 "$ROOT/bench/intel_score.py" persons "$d/truth_persons.csv" "$d/ours.csv"),\"facilitators\":$(python3 "$ROOT/bench/intel_score.py" facilitators "$d/truth_persons.csv" "$d/truth.json" "$d/facilitators.jsonl"),\"rings\":$(python3 "$ROOT/bench/intel_score.py" rings "$d/truth_persons.csv" "$d/truth.json" "$d/rings.jsonl" "$d/ours.csv")}" >> "$RAW"
    if [[ $SKIP_PEER != 1 ]]; then
        measure "splink persons seed $s" "$PY" "$ROOT/bench/intel_splink.py" "$d/crossings.csv" "$d/splink.csv"
        echo "{\"what\":\"splink accuracy seed $s\",\"persons\":$(python3 "$ROOT/bench/intel_score.py" persons "$d/truth_persons.csv" "$d/splink.csv")}" >> "$RAW"
    fi
done

# --- speed and memory -----------------------------------------------------------------------
for n in $SIZES; do
    d="$OUT/intel/stack$n"
    [[ -s "$d/crossings.csv" ]] || "$GEN" --seeds "$(seq -s, 1 "$n")" --scale full --out "$d"
    rows=$(($(wc -l < "$d/crossings.csv") - 1))
    echo "{\"what\":\"size $n\",\"crossings\":$rows}" >> "$RAW"
    for r in $(seq 1 "$REPEAT"); do
        measure "ours persons x$n run $r" "$BIN" intel persons --timings --crossings "$d/crossings.csv" --out "$d/ours.csv"
        measure "ours rings x$n run $r" sh -c "'$BIN' intel rings --timings --crossings '$d/crossings.csv' > '$d/rings.jsonl'"
    done
done

python3 - "$RAW" <<'PY' | tee "$OUT/intel-report.md"
import json, sys, statistics
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| set | system | B³ P | B³ R | pairwise P | pairwise R | wall s | peak MiB |")
print("|---|---|---|---|---|---|---|---|")
t = {r["what"]: r for r in rows}
for r in rows:
    if "accuracy" in r["what"]:
        who, _, seed = r["what"].partition(" accuracy ")
        p = r["persons"]; m = t.get(f"{who} persons {seed}", {})
        print(f"| {seed} | {who} | {p['bcubed']['precision']:.4f} | {p['bcubed']['recall']:.4f} | "
              f"{p['pairwise']['precision']:.4f} | {p['pairwise']['recall']:.4f} | {m.get('wall_s','')} | {m.get('max_rss_mib',0):.0f} |")
print()
for r in rows:
    if r["what"].startswith("ours accuracy"):
        print(f"- {r['what']}: facilitators {json.dumps(r['facilitators'])}; rings {json.dumps(r['rings'])}")
print()
print("| crossings | persons: median wall s | peak MiB | persons+facilitators+rings: median wall s | peak MiB |")
print("|---|---|---|---|---|")
sizes = [r for r in rows if r["what"].startswith("size ")]
for s in sizes:
    n = s["what"].split()[1]
    a = [r for r in rows if r["what"].startswith(f"ours persons x{n} ")]
    b = [r for r in rows if r["what"].startswith(f"ours rings x{n} ")]
    med = lambda v, k: statistics.median(x[k] for x in v) if v else float("nan")
    print(f"| {s['crossings']:,} | {med(a,'wall_s'):.1f} | {med(a,'max_rss_mib'):.0f} | {med(b,'wall_s'):.1f} | {med(b,'max_rss_mib'):.0f} |")
PY
