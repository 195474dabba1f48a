"""The outside world's validators on Centinela's exports (see scripts/conformance).

Usage: conformance.py WORK_DIR — the directory scripts/conformance filled.
Prints one line per check and exits 1 when any failed.
"""

import csv
import io
import json
import pathlib
import re
import sys

import networkx
import pandas
from followthemoney import model
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

work = pathlib.Path(sys.argv[1])
failures = []


def check(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}")
    if not ok:
        failures.append(name)


# OpenAPI.
spec, _ = read_from_filename(str(work / "openapi.json"))
try:
    validate(spec)
    check("openapi-spec-validator: /api/openapi.json", True)
except Exception as e:  # the validator's own error, printed whole
    check("openapi-spec-validator: /api/openapi.json", False, str(e)[:2000])
ids = [op.get("operationId") for item in spec["paths"].values() for op in item.values() if isinstance(op, dict)]
check("OpenAPI: every operationId unique", len(ids) == len(set(ids)), str(sorted(i for i in ids if ids.count(i) > 1)))

# FollowTheMoney.
entities = [json.loads(line) for line in (work / "export.ftm").read_text("utf-8").splitlines() if line.strip()]
STRICT = {"country", "date", "gender", "entity"}
bad = []
for data in entities:
    try:
        proxy = model.get_proxy(data, cleaned=False)
    except Exception as e:
        bad.append(f"{data.get('id')}: {e}")
        continue
    for name, values in data.get("properties", {}).items():
        prop = proxy.schema.get(name)
        if prop is None:
            bad.append(f"{data['id']}: {proxy.schema.name} has no property {name}")
            continue
        clean = getattr(prop.type, "clean_text", None) or prop.type.clean
        for v in values:
            c = clean(v)
            if c is None or (prop.type.name in STRICT and c != v):
                bad.append(f"{data['id']}: {name}={v!r} is not a valid {prop.type.name} (FtM reads {c!r})")
check(f"followthemoney: {len(entities)} exported entities valid (cleaned=False)", not bad, "; ".join(bad[:10]))
persons = {e["id"] for e in entities if e["schema"] == "Person"}
links = [e for e in entities if e["schema"] in ("Associate", "UnknownLink")]
refs_ok = all(
    v in persons
    for e in entities
    for k in ("person", "associate", "subject", "object", "holder")
    for v in e["properties"].get(k, [])
)
check("followthemoney: every reference names an exported person", refs_ok)
documents = sum(len(e["properties"].get("passportNumber", [])) for e in entities if e["schema"] == "Person")
identifications = sum(1 for e in entities if e["schema"] == "Identification")
check("followthemoney: one Identification per document number", documents == identifications,
      f"{documents} numbers, {identifications} Identification entities")
# Centinela reads its own export back as an alert list: every person, no value dropped.
imported = (work / "import.txt").read_text("utf-8")
m = re.search(r"imported (\d+), rejected 0", imported)
check("round trip: every exported person imported back", bool(m) and int(m.group(1)) == len(persons), imported.strip())
check("round trip: no value dropped", "dropped" not in imported, imported.strip())

# followthemoney's own `ftm validate` (scripts/conformance ran it): it read
# both exports and wrote every entity back with every value it accepts.
def props(path):
    out = {}
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            e = json.loads(line)
            out[e["id"]] = (e["schema"], {k: sorted(map(str, v)) for k, v in e.get("properties", {}).items()})
    return out


for name in ("export", "reexport"):
    given, validated = props(work / f"{name}.ftm"), props(work / f"{name}.validated.ftm")
    lost = [i for i, v in given.items() if validated.get(i) != v]
    check(f"ftm validate: {name}.ftm, {len(given)} entities given back whole", given and not lost,
          f"{len(lost)} changed, first: {lost[:3]}")

# Export -> import -> export: every person again, with every name (primary,
# aliases), birth date, nationality, gender and document number.
again = {i: p for i, (schema, p) in props(work / "reexport.ftm").items() if schema == "Person"}
first = {i: p for i, (schema, p) in props(work / "export.ftm").items() if schema == "Person"}
NAMES = ("name", "alias", "weakAlias", "previousName")
lost = []
for i, p in first.items():
    q = again.get(i)
    if q is None:
        lost.append(f"{i}: missing")
        continue
    names = lambda x: {n for k in NAMES for n in x.get(k, [])}
    if not names(p) <= names(q):
        lost.append(f"{i}: names {sorted(names(p) - names(q))}")
    for k in ("birthDate", "nationality", "gender", "passportNumber"):
        if sorted(set(p.get(k, []))) != sorted(set(q.get(k, []))):
            lost.append(f"{i}: {k} {p.get(k)} became {q.get(k)}")
check(f"round trip: export -> import -> export keeps {len(first)} persons whole", first and not lost and len(again) == len(first),
      f"{len(lost)} lost, {len(again)} persons again; first: {lost[:5]}")

# GraphML read by networkx: the FtM export's persons and links.
g = networkx.read_graphml(work / "export.graphml")
node_persons = {"centinela-" + d.get("person_id", n) for n, d in g.nodes(data=True)}
check("networkx: GraphML nodes are the FtM persons", node_persons == persons,
      f"{len(node_persons)} nodes, {len(persons)} persons")
pairs = set()
for e in links:
    p = e["properties"]
    a, b = (p.get("person") or p.get("subject"))[0], (p.get("associate") or p.get("object"))[0]
    pairs.add(frozenset((a, b)))
id_of = {n: "centinela-" + d.get("person_id", n) for n, d in g.nodes(data=True)}
edges = {frozenset((id_of[a], id_of[b])) for a, b in g.edges()}
check("networkx: GraphML edges are the FtM relationships", edges == pairs, f"{len(edges)} edges, {len(pairs)} links")

# HTCDS: every exported column an official field in force (IOM's field
# list, docs/htcds-2.0-fields.csv) or one of the export's keys, every
# picklist value one of the field's official values, every country an ISO
# 3166 code (FtM's own country table) in the form asked for; the JSON
# export's keys likewise, no DEPRECATED field anywhere.
from followthemoney.types import registry

root = pathlib.Path(__file__).resolve().parent.parent
with open(root / "docs" / "htcds-2.0-fields.csv", newline="", encoding="utf-8") as f:
    official = {r["field"]: r for r in csv.DictReader(f)}
check("HTCDS: the official field list holds the standard's 83 fields", len(official) == 83, str(len(official)))
KEYS = {"case_id", "version", "opened_at", "updated_at", "organisation_id"}
COUNTRY = {"prs_Citizenship", "prs_MailingCountry", "org_ShippingCountry", "hte_Country"}


def picklist(field):
    r = official[field]
    return set(r["values"].split()) if "Picklist" in r["type"] and not r["values"].startswith("Use ISO") else None


def iso(code, width):
    return len(code) == width and registry.country.clean(code) is not None


for folder, width in (("cases", 3), ("cases-alpha2", 2)):
    problems, values = [], 0
    for path in sorted((work / folder).glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                for col, v in row.items():
                    if col in KEYS:
                        continue
                    if col not in official or official[col]["status"]:
                        problems.append(f"{path.name}: {col} is {official.get(col, {}).get('status') or 'not an HTCDS 2.0 field'}")
                        continue
                    allowed = picklist(col)
                    for part in (v.split(";") if v else []):
                        values += 1
                        if allowed is not None and part not in allowed:
                            problems.append(f"{path.name}: {col}={part!r} is not an official value")
                        if col in COUNTRY and not iso(part, width):
                            problems.append(f"{path.name}: {col}={part!r} is not an ISO 3166 alpha-{width} code")
    check(f"HTCDS {folder}: {values} values, every column and value official (alpha-{width} countries)",
          values > 0 and not problems, "; ".join(sorted(set(problems))[:10]))
exported = json.loads((work / "cases" / "cases.json").read_text("utf-8"))
SECTIONS = {"person", "organisations", "victim", "perpetrators", "case", "consent", "events", "support_plans", "comments", "id"}
bad = set()


def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k not in SECTIONS and (k not in official or official[k]["status"]):
                bad.add(k)
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)


for c in exported:
    walk(c["record"])
check(f"HTCDS cases.json: {len(exported)} cases, every key an official field in force", exported and not bad, str(sorted(bad)))
refs = [(c["record"]["case"].get("cas_ReferringOrganisation", ""), {o["id"] for o in c["record"].get("organisations", [])}) for c in exported]
check("HTCDS cases.json: every cas_ReferringOrganisation names an organisation of its case",
      all(r in ids for r, ids in refs if r) and any(r for r, _ in refs))

# CSV: Python's csv and pandas read each file identically; CRLF; a BOM only with --excel.
csvs = sorted(p for p in work.rglob("*.csv"))
check("CSV: exports found", len(csvs) >= 10, f"{len(csvs)} files")
for path in csvs:
    raw = path.read_bytes()
    rel = path.relative_to(work)
    excel = "excel" in str(rel)
    check(f"CSV {rel}: CRLF line ends", raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""))
    check(f"CSV {rel}: byte-order mark {'present' if excel else 'absent'}", raw.startswith(b"\xef\xbb\xbf") == excel)
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    frame = pandas.read_csv(io.StringIO(text, newline=""), dtype=str, keep_default_na=False, skip_blank_lines=False)
    same = rows[0] == list(frame.columns) and rows[1:] == frame.values.tolist()
    check(f"CSV {rel}: csv and pandas read {len(rows) - 1} rows alike", same)
    formulas = [c for r in rows[1:] for c in r if c[:1] in ("=", "@", "+", "-", "\t", "\r") and not re.fullmatch(r"[-+]?\d+(\.\d+)?", c)]
    check(f"CSV {rel}: no field a spreadsheet would evaluate", not formulas, str(formulas[:5]))
for path in (work / "cases").glob("*.csv"):
    twin = work / "cases-excel" / path.name
    check(f"CSV {path.name}: --excel is the same file after a BOM", twin.read_bytes() == b"\xef\xbb\xbf" + path.read_bytes())
check("CSV api-stats: excel=true is the same file after a BOM",
      (work / "api-stats-excel.csv").read_bytes() == b"\xef\xbb\xbf" + (work / "api-stats.csv").read_bytes())

print(f"{len(failures)} check(s) failed" if failures else "every conformance check passed")
sys.exit(1 if failures else 0)
