#!/usr/bin/env python3
"""Turns a screening queries CSV into inspection request bodies (JSON lines)
for bench/serve.sh: mostly one traveller, every tenth a family of three."""
import csv
import json
import os
import sys

# BODIES_DOCUMENTS=0: travellers typed without a document number.
with_documents = os.environ.get("BODIES_DOCUMENTS", "1") != "0"

rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
for i, r in enumerate(rows):
    t = {k: r[k] for k in ("given_names", "surnames", "birth_date", "nationality", "sex") if r.get(k)}
    if with_documents:
        t["document_number"] = f"B{i:08d}"
    travellers = [t]
    if i % 10 == 0:
        travellers.append({"given_names": "Lucía", "surnames": r["surnames"], "birth_date": "2016-05-04", "relation": "child"})
        travellers.append({"given_names": "Mateo", "surnames": r["surnames"], "birth_date": "2019-01-20", "relation": "child"})
    body = {"post": "GTM-TECUNUMAN", "direction": "entry" if i % 2 else "exit", "travellers": travellers}
    print(json.dumps(body, ensure_ascii=False))
