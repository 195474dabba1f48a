#!/usr/bin/env python3
"""Compare `centinela mrz` with the PyPI `mrz` checkers (TD1/TD2/TD3/MRVA/MRVB CodeChecker).

    mrz_compare.py BLOCKS.txt OURS.jsonl [--label NAME] [--json OUT.json]

BLOCKS.txt: MRZ blocks separated by blank lines (as `centinela mrz --generate` prints);
OURS.jsonl: `centinela mrz BLOCKS.txt`, one JSON object per block, same order.

For every document it compares validity and each check digit the format has, sorts
disagreements into known, principled causes (see REASONS) and times the Python
checker (CPU time, one core). Prints a short report; --json writes the figures.
"""

import argparse
import json
import sys
import time

from mrz.checker.mrva import MRVACodeChecker
from mrz.checker.mrvb import MRVBCodeChecker
from mrz.checker.td1 import TD1CodeChecker
from mrz.checker.td2 import TD2CodeChecker
from mrz.checker.td3 import TD3CodeChecker

CHECKERS = {"TD1": TD1CodeChecker, "TD2": TD2CodeChecker, "TD3": TD3CodeChecker,
            "MRVA": MRVACodeChecker, "MRVB": MRVBCodeChecker}

# Where the two disagree on purpose. Each entry: code, explanation.
REASONS = {
    "sex_x": "sex X: Doc 9303 (8th ed.) allows M, F, X, <; mrz 0.6 knows only M, F, <",
    "partial_birth_date": "birth date with unknown day/month (<<) or all fillers: Doc 9303 Part 3 allows it; "
                          "mrz parses dates with strptime",
    "long_document_number": "TD1/TD2 document number over 9 characters (< in the check-digit position, "
                            "continuation in the optional data, Doc 9303 Parts 5/6); mrz checks only 9",
    "document_code_digit": "document code with a digit as second character: we require a letter or <; "
                           "mrz accepts any",
    "crew_certificate_ac": "document code AC (crew member certificate, Doc 9303 Part 5); mrz rejects AC",
    "code_list": "issuing state/nationality code on one list only (we: all ISO 3166-1 incl. DEU, ZIM, XDC, "
                 "XES, XMP, XPO, XXC; mrz: ANT, NTZ, INP, no DEU)",
    "name_fillers": "letters after a second << or 3+ fillers in the name (OCR noise): we warn "
                    "(letters_among_fillers) and keep the document valid, mrz rejects the identifier",
    "name_digits_or_start": "name rules (digits, leading filler, more than two identifiers)",
    "other": "not explained",
}


def read_blocks(path):
    blocks, cur = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                cur.append(line)
            elif cur:
                blocks.append(cur)
                cur = []
    if cur:
        blocks.append(cur)
    return blocks


def py_check(fmt, lines):
    """(valid, {check: bool}) from the Python checker; valid None when it refuses the input."""
    try:
        c = CHECKERS[fmt]("\n".join(lines))
    except Exception:  # noqa: BLE001 - the checker raises various errors on bad input
        return None, {}
    checks = {
        "document_number": bool(c.document_number_hash),
        "birth_date": bool(c.birth_date_hash),
        "expiry_date": bool(c.expiry_date_hash),
    }
    if fmt == "TD3":
        checks["optional_data"] = bool(c.optional_data_hash)
    if fmt in ("TD1", "TD2", "TD3"):
        checks["composite"] = bool(c.final_hash)
    return bool(c), checks


def fields_of(fmt, lines):
    if fmt == "TD1":
        return {"code": lines[0][0:2], "state": lines[0][2:5], "nat": lines[1][15:18],
                "birth": lines[1][0:6], "sex": lines[1][7], "name": lines[2], "doc_cd": lines[0][14]}
    return {"code": lines[0][0:2], "state": lines[0][2:5], "nat": lines[1][10:13], "birth": lines[1][13:19],
            "sex": lines[1][20], "name": lines[0][5:], "doc_cd": lines[1][9]}


PY_CODES = None


def reason(fmt, lines, ours):
    global PY_CODES
    if PY_CODES is None:
        import mrz.base.countries as countries
        PY_CODES = {v.rstrip("<") for v in countries.english.values()}
    f = fields_of(fmt, lines)
    warnings = set(ours.get("warnings", []))
    if f["sex"] == "X":
        return "sex_x"
    if "<" in f["birth"]:
        return "partial_birth_date"
    if fmt in ("TD1", "TD2") and f["doc_cd"] == "<":
        return "long_document_number"
    if f["code"] == "AC":
        return "crew_certificate_ac"
    if f["code"][1].isdigit():
        return "document_code_digit"
    for code in (f["state"].rstrip("<"), f["nat"].rstrip("<")):
        ours_known = not ({"unknown_issuing_state", "unknown_nationality"} & warnings) or code in PY_CODES
        if (code in PY_CODES) != ours_known or code in ("DEU", "ZIM", "XDC", "XES", "XMP", "XPO", "XXC"):
            return "code_list"
    name = f["name"].rstrip("<")
    if "letters_among_fillers" in warnings or "" in name.split("<<"):
        return "name_fillers"
    if any(ch.isdigit() for ch in name) or name.startswith("<") or len(name.split("<<")) > 2:
        return "name_digits_or_start"
    return "other"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("blocks")
    ap.add_argument("ours")
    ap.add_argument("--label", default="documents")
    ap.add_argument("--json")
    a = ap.parse_args()

    blocks = read_blocks(a.blocks)
    with open(a.ours, encoding="utf-8") as f:
        ours = [json.loads(line) for line in f if line.strip()]
    if len(blocks) != len(ours):
        sys.exit(f"mrz_compare: {len(blocks)} blocks but {len(ours)} results")

    # Time the Python checker alone (CPU time of this process, one core).
    t0 = time.process_time()
    py = [py_check(o.get("format"), b) if "format" in o else (None, {}) for b, o in zip(blocks, ours)]
    py_cpu = time.process_time() - t0

    n = len(blocks)
    agree_valid = 0
    check_total = check_agree = 0
    check_disagree_long = 0
    reasons = {}
    examples = []
    ours_valid = py_valid = 0
    for b, o, (pv, pchecks) in zip(blocks, ours, py):
        ov = o.get("valid")
        ours_valid += bool(ov)
        py_valid += bool(pv)
        for k, v in pchecks.items():
            check_total += 1
            if o["checks"].get(k) == v:
                check_agree += 1
            elif fields_of(o["format"], b)["doc_cd"] == "<" and o["format"] in ("TD1", "TD2"):
                check_disagree_long += 1
        if bool(ov) == bool(pv):
            agree_valid += 1
            continue
        r = reason(o["format"], b, o) if "format" in o else "other"
        reasons[r] = reasons.get(r, 0) + 1
        if r == "other" and len(examples) < 5:
            examples.append({"lines": b, "ours": o, "python_valid": pv, "python_checks": pchecks})

    explained = sum(v for k, v in reasons.items() if k != "other")
    out = {
        "label": a.label,
        "documents": n,
        "ours_valid": ours_valid,
        "python_valid": py_valid,
        "validity_agree": agree_valid,
        "validity_disagree_explained": explained,
        "validity_disagree_unexplained": reasons.get("other", 0),
        "check_digits_compared": check_total,
        "check_digits_agree": check_agree,
        "check_digits_disagree_long_number": check_disagree_long,
        "disagreements": reasons,
        "python_cpu_seconds": py_cpu,
        "python_docs_per_cpu_sec": n / py_cpu if py_cpu > 0 else None,
    }
    print(f"## {a.label}: {n} documents")
    print(f"- valid: ours {ours_valid}, mrz {py_valid}; same verdict on {agree_valid} "
          f"({100 * agree_valid / max(n, 1):.2f}%)")
    print(f"- check digits: {check_agree}/{check_total} individual results agree; "
          f"{check_disagree_long} of the {check_total - check_agree} others are long TD1/TD2 document numbers")
    for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"- {v} disagree: {k} — {REASONS[k]}")
    for e in examples:
        print("  unexplained example:", json.dumps(e))
    print(f"- mrz checker: {out['python_docs_per_cpu_sec']:.0f} documents per CPU second")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
