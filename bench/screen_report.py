#!/usr/bin/env python3
"""Turn one bench/screen.sh run directory into a Markdown report with ratios."""
import argparse
import json
import os
import platform
import subprocess


def kv(line):
    name, *pairs = line.split()
    return name, {k: float(v) if "." in v else int(v) for k, v in (p.split("=") for p in pairs)}


def load_lines(path, parse):
    if not os.path.exists(path):
        return []
    with open(path) as fh:
        return [parse(line) for line in fh if line.strip()]


def versions():
    out = {}
    try:
        from importlib.metadata import version
        for p in ("rapidfuzz", "nomenklatura", "followthemoney", "rigour", "faker"):
            out[p] = version(p)
    except Exception:  # noqa: BLE001 - only for the report header
        pass
    return out


def f(x, nd=3):
    return "–" if x is None else f"{x:.{nd}f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--command", default="bench/screen.sh")
    a = ap.parse_args()
    r = a.run
    ours_acc = dict(load_lines(os.path.join(r, "centinela-accuracy.txt"), kv))
    ours_r10 = dict(load_lines(os.path.join(r, "centinela-recall10.txt"), kv))
    peers_acc = load_lines(os.path.join(r, "peers-accuracy.jsonl"), json.loads)
    with open(os.path.join(r, "centinela-speed.json")) as fh:
        ours = json.load(fh)
    peers_speed = {p["peer"]: p for p in load_lines(os.path.join(r, "peers-speed.jsonl"), json.loads)}
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    except OSError:
        commit = "?"
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass

    load = ""
    try:
        with open(os.path.join(r, "loadavg.txt")) as fh:
            load = "; load average before the speed runs " + " ".join(fh.read().split()[:3])
    except OSError:
        pass
    L = []
    L.append(f"Command: `{a.command}` (commit {commit}; {os.cpu_count()} cores, {cpu or platform.machine()}; "
             f"peers: {', '.join(f'{k} {v}' for k, v in versions().items())}{load})")
    L.append("")
    L.append("### Accuracy (Centinela at its shipped threshold; peers at their best possible threshold, swept on each set)")
    L.append("")
    L.append("| set | Centinela P / R / F1 (recall@10) | rapidfuzz token_sort F1 (best t) | rapidfuzz × birth date F1 (best t) | nomenklatura logic-v2 F1 (best t; at yente's 0.70) |")
    L.append("|---|---|---|---|---|")
    sets = list(ours_acc) or sorted({p["set"] for p in peers_acc})
    for s in sets:
        o = ours_acc.get(s)
        ours_cell = f"{f(o['precision'])} / {f(o['recall'])} / **{f(o['f1'])}** ({f(ours_r10.get(s, {}).get('recall_at_10'))})" if o else "–"
        cells = []
        for peer in ("rapidfuzz", "rapidfuzz+dob", "nomenklatura"):
            p = next((p for p in peers_acc if p["set"] == s and p["peer"] == peer), None)
            if not p:
                cells.append("–")
            elif peer == "nomenklatura":
                cells.append(f"{f(p['f1'])} ({f(p['threshold'], 2)}; {f(p['at_yente_default_0_70']['f1'])})")
            else:
                cells.append(f"{f(p['f1'])} ({f(p['threshold'], 2)})")
        L.append(f"| {s} | {ours_cell} | " + " | ".join(cells) + " |")
    nk = next((p for p in peers_acc if p["peer"] == "nomenklatura"), None)
    if nk:
        L.append("")
        L.append(f"nomenklatura candidates: {nk['blocking']} (stands in for yente's Elasticsearch query; "
                 f"blocking recall {f(nk['blocking_recall'])} on {nk['set']}). rapidfuzz × birth date is our own "
                 "simple rule on top of token_sort (same date ×1, unknown ×0.95, same year ×0.9, else ×0.75; "
                 "top candidate per query), shown as a stronger library baseline.")

    streams = dict(load_lines(os.path.join(r, "centinela-stream.txt"), kv))
    calib = dict(load_lines(os.path.join(r, "centinela-calibration.txt"), lambda line: (
        line.split()[0], [b.split("=", 1)[1].split(":") for b in line.split()[1:]])))
    peers_stream = load_lines(os.path.join(r, "peers-stream.jsonl"), json.loads)
    if streams:
        L.append("")
        L.append("### Border streams (streamgen.py: real name frequencies, most travellers on no list)")
        L.append("")
        L.append("Centinela at its shipped threshold on every traveller of the stream:")
        L.append("")
        L.append("| stream | recall (listed) | precision | false alerts / 1,000 ordinary | / 1,000 namesakes | alerts 0.5–0.7 / 0.7–0.9 / 0.9–1.0: share true |")
        L.append("|---|---|---|---|---|---|")
        for s_, o in streams.items():
            cal = " / ".join(f"{b[2]} (n={b[1]})" for b in calib.get(s_, []))
            L.append(f"| {s_} ({o['listed']:,} listed, {o['ordinary']:,} ordinary, {o['namesakes']:,} namesakes) | "
                     f"**{f(o['recall'])}** | {f(o['precision'])} | **{o['false_per_1000_ordinary']:.2f}** | "
                     f"{o['false_per_1000_namesakes']:.1f} | {cal or '–'} |")
    if peers_stream:
        L.append("")
        L.append("Peers on a sample of the same streams (every listed traveller up to a quarter of the sample, every k-th "
                 "of the others), each at the threshold that reaches "
                 "the recall shown (swept on the sample): false alerts per 1,000 ordinary travellers (per 1,000 namesakes)")
        L.append("")
        recalls = ["0.85", "0.90", "0.93", "0.95", "0.97"]
        L.append("| stream | peer (travellers) | " + " | ".join(f"recall {x}" for x in recalls) + " | best recall |")
        L.append("|---|---|" + "---|" * (len(recalls) + 1))
        for p in peers_stream:
            cells = []
            for x in recalls:
                v = p["at_recall"].get(x)
                cells.append(f"{v['false_per_1000_ordinary']:.0f} ({v['false_per_1000_namesakes']:.0f})" if v else "not reached")
            L.append(f"| {p['set']} | {p['peer']} ({p['queries']:,}) | " + " | ".join(cells) + f" | {f(p['max_recall'])} |")
    L.append("")
    L.append(f"### Speed: Centinela, {ours['entries']:,} entries")
    L.append("")
    sq = ours["single_query"]
    L.append("| measure | value |")
    L.append("|---|---|")
    L.append(f"| index build | {ours['build_s']:.2f} s (CSV read {ours['read_s']:.2f} s, not included) |")
    L.append(f"| peak RSS (VmHWM) | {ours['rss_mb']['peak']:.0f} MB (after build {ours['rss_mb']['after_build']:.0f} MB) |")
    for k, label in (("all", "all timed queries"), ("from_file", "namegen queries"), ("common_surnames", "common surnames (Hernández, García …)")):
        s = sq[k]
        L.append(f"| single query, 1 thread, {label} (n={s['n']}) | p50 {s['p50_ms']:.3f} ms, p90 {s['p90_ms']:.3f} ms, "
                 f"p99 {s['p99_ms']:.3f} ms, max {s['max_ms']:.3f} ms |")
    b = ours["bulk"]
    L.append(f"| bulk, {b['threads']} threads | {b['queries_per_s']:,.0f} queries/s ({b['queries']:,} queries in {b['seconds']:.2f} s) |")

    rf = peers_speed.get("rapidfuzz")
    nks = peers_speed.get("nomenklatura")
    if rf or nks:
        L.append("")
        size = (rf or nks)["list_size"]
        same = size == ours["entries"]
        L.append(f"### Speed: peers, {size:,} entries{'' if same else ' (ratios below compare unlike list sizes)'}")
        L.append("")
        L.append("| peer | single query p50 / p99 (1 thread) | bulk queries/s | build | RSS | Centinela's advantage |")
        L.append("|---|---|---|---|---|---|")
        o50, o99, oq = sq["all"]["p50_ms"], sq["all"]["p99_ms"], b["queries_per_s"]
        if rf:
            s = rf["single_query"]
            L.append(f"| rapidfuzz `process.extract` token_sort (n={s['n']}) | {s['p50_ms']:.1f} / {s['p99_ms']:.1f} ms | "
                     f"{rf['bulk']['queries_per_s']:,.1f} (`cdist`, {rf['bulk']['workers']} workers) | {rf['build_s']:.1f} s | "
                     f"{rf['rss_mb']:.0f} MB | p50 ×{s['p50_ms'] / o50:,.0f}, p99 ×{s['p99_ms'] / o99:,.0f} faster; "
                     f"bulk ×{oq / rf['bulk']['queries_per_s']:,.0f} |")
        if nks:
            s, t = nks["scoring_only"], nks["total"]
            nk_qps = 2 * 1000.0 / t["mean_ms"]
            L.append(f"| nomenklatura logic-v2, scoring only (n={s['n']}, {nks['candidates_per_query']:.0f} candidates/query) | "
                     f"{s['p50_ms']:.1f} / {s['p99_ms']:.1f} ms | – | – | – | p50 ×{s['p50_ms'] / o50:,.0f}, p99 ×{s['p99_ms'] / o99:,.0f} faster |")
            L.append(f"| nomenklatura incl. our rapidfuzz blocking | {t['p50_ms']:.1f} / {t['p99_ms']:.1f} ms | "
                     f"{nk_qps:,.1f} (2 cores, ideal scaling assumed) | – | {nks['rss_mb']:.0f} MB (with rapidfuzz) | "
                     f"p50 ×{t['p50_ms'] / o50:,.0f} faster; bulk ×{oq / nk_qps:,.0f} |")
        L.append("")
        L.append("nomenklatura's scoring-only time is what yente spends per query after its Elasticsearch candidate "
                 "query, so it flatters the peer; its total adds our brute-force rapidfuzz blocking over the whole list.")
    print("\n".join(L))


if __name__ == "__main__":
    main()
