#!/usr/bin/env bash
# MRZ benchmark: agreement with an independent implementation, and throughput, in one run.
#
#   bench/mrz.sh            5,000 valid + 5,000 corrupted documents (all five formats)
#   bench/mrz.sh --quick    1,000 + 1,000, a shorter timing loop
#
# Peer: the PyPI package `mrz` (TD1/TD2/TD3/MRVA/MRVBCodeChecker), installed into a
# throwaway virtualenv under a temporary directory.
# Steps: build `centinela` --release; generate documents with `centinela mrz --generate`
# (deterministic seeds; the corrupted set has one character replaced in every block);
# verify them with `centinela mrz` and with the peer (bench/mrz_compare.py), counting
# agreement and sorting every disagreement into its documented cause; time our in-process
# parse+verify (crates/centinela-mrz/benches/parse.rs) and the peer's checker, both in
# documents per CPU second on one core, and report the ratio.
#
# Environment: MRZ_DOCS (documents per set), BENCH_OUT (default bench-out; the report goes
# to $BENCH_OUT/mrz-report.md), CARGO_TARGET_DIR as usual.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUICK=0
for a in "$@"; do
    case "$a" in
        --quick) QUICK=1 ;;
        -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "mrz.sh: unknown argument $a" >&2; exit 2 ;;
    esac
done
N="${MRZ_DOCS:-$([ "$QUICK" = 1 ] && echo 1000 || echo 5000)}"
OUT="${BENCH_OUT:-$ROOT/bench-out}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "mrz.sh: building centinela --release" >&2
(cd "$ROOT" && cargo build --release --quiet -p centinela)
BIN="$TARGET/release/centinela"

echo "mrz.sh: installing the peer (PyPI mrz) into a throwaway virtualenv" >&2
python3 -m venv "$TMP/venv"
"$TMP/venv/bin/pip" install --quiet --disable-pip-version-check "mrz==0.6.2"
PY="$TMP/venv/bin/python"

echo "mrz.sh: generating $N valid and $N corrupted documents" >&2
"$BIN" mrz --generate "$N" --seed 11 > "$TMP/valid.txt"
"$BIN" mrz --generate "$N" --seed 12 --corrupt 1 > "$TMP/corrupted.txt"

REPORT="$OUT/mrz-report.md"
{
    echo "# MRZ: centinela vs PyPI mrz $("$PY" -c 'import importlib.metadata as m; print(m.version("mrz"))')"
    echo
    echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
} > "$REPORT"

CLI_DOCS=0
CLI_START=$(date +%s.%N)
for set in valid corrupted; do
    status=0
    "$BIN" mrz "$TMP/$set.txt" > "$TMP/$set.jsonl" || status=$?
    if [ "$status" != 0 ]; then
        echo "mrz.sh: centinela mrz exited $status on the $set set (every generated block is readable)" >&2
        exit 1
    fi
    CLI_DOCS=$((CLI_DOCS + N))
done
CLI_END=$(date +%s.%N)

for set in valid corrupted; do
    "$PY" "$ROOT/bench/mrz_compare.py" "$TMP/$set.txt" "$TMP/$set.jsonl" --label "$set" \
        --json "$TMP/$set.json" >> "$REPORT"
    echo >> "$REPORT"
done

echo "mrz.sh: timing our parse+verify (cargo bench, one core)" >&2
BENCH_ARGS=()
[ "$QUICK" = 1 ] && BENCH_ARGS=(-- --quick)
(cd "$ROOT" && cargo bench --quiet -p centinela-mrz --bench parse "${BENCH_ARGS[@]}") > "$TMP/bench.txt"

"$PY" - "$TMP/valid.json" "$TMP/corrupted.json" "$TMP/bench.txt" "$CLI_DOCS" "$CLI_START" "$CLI_END" \
    >> "$REPORT" <<'EOF'
import json, sys
valid, corrupted = (json.load(open(p)) for p in sys.argv[1:3])
ours = dict(l.strip().split("=", 1) for l in open(sys.argv[3]) if "=" in l)
docs, start, end = int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
py_rate = (valid["documents"] + corrupted["documents"]) / (valid["python_cpu_seconds"] + corrupted["python_cpu_seconds"])
verify = float(ours["parse_verify_per_cpu_sec"])
document = float(ours["parse_document_per_cpu_sec"])
print("## Throughput (one core, documents per CPU second)")
print(f"- centinela parse+verify (no allocation): {verify:,.0f}/s")
print(f"- centinela parse+verify+owned document: {document:,.0f}/s")
print(f"- PyPI mrz checker: {py_rate:,.0f}/s")
print(f"- ratio: {verify / py_rate:,.0f}x (parse+verify), {document / py_rate:,.0f}x (owned document)")
print(f"- `centinela mrz` end to end (read, verify, JSON out; wall clock incl. process start): "
      f"{docs / (end - start):,.0f} documents/s")
EOF

cat "$REPORT"
