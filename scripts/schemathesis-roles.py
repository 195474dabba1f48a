#!/usr/bin/env python3
"""Runs schemathesis once per role against a served demo database (called by
scripts/schemathesis, which builds the database and starts the server).

For each role only the operations that role may call (the document's
`x-roles`) are tested, with the role's token on every request, so that no
run is a wall of 401/403; path ids and the bodies a generator cannot guess
(passwords, versions) are pinned to records of the seeded database, so that
every operation is served at least once in each phase. Schemathesis's
warnings are printed; the warnings meaning "this operation was never served"
(missing_auth, missing_test_data, method_not_allowed) fail the run, like a
5xx. validation_mismatch ("most generated bodies were refused") is printed
but does not fail: on POST /api/sync/push and POST /api/intel/decisions,
whose valid bodies depend on what is stored, it comes and goes between runs
of one seed near its threshold, and a gate that flips on its own is worse
than none (to do: pin those bodies so that it can fail the run again).

    schemathesis-roles.py ST BASE_URL PASSWORDS_FILE WORK_DIR MAX_EXAMPLES POST_KEY ADMIN2_PASSWORD
"""

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

st, base, passwords_file, work, examples, post_key, admin2_password = sys.argv[1:8]
FAIL_ON = ["missing_auth", "missing_test_data", "method_not_allowed"]
# The user of each role the runs sign in as.
USERS = {
    "admin": "admin",
    "supervisor": "supervisor.tecunuman",
    "officer": "oficial1.tecunuman",
    "analyst": "analista",
    "auditor": "auditor",
    "protection": "proteccion",
    # The air post's supervisor: the flights and the booth's manifest
    # look-up are an airport's (a land post's supervisor is refused them).
    "supervisor_air": "supervisor.gua",
}
# The operations of an air post, run as its supervisor only.
AIR_OPS = {"GET /api/flights", "GET /api/flights/{id}", "POST /api/flights/hits/{id}/adjudication",
           "GET /api/posts/{code}/api-record"}
# Operations left out, and why: signing in and out would end or replace the
# token the run uses, and a password change ends the user's sessions (the
# API tests cover all three).
LEFT_OUT = {"POST /api/session", "DELETE /api/session", "POST /api/session/password"}
STRONG = "Centinela-schemathesis-9x!Q"


def call(method, path, token=None, body=None, key=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token or key:
        req.add_header("Authorization", f"Bearer {token or key}")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text and text[0] in "[{" else text)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def login(username, password):
    status, answer = call("POST", "/api/session", body={"username": username, "password": password})
    if status != 200:
        sys.exit(f"schemathesis: cannot sign in as {username}: {status} {answer}")
    return answer["token"]


passwords = {}
for line in open(passwords_file, encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    fields = line.split()
    passwords[fields[0]] = fields[-1]
tokens = {role: login(user, passwords[user]) for role, user in USERS.items()}
doc = call("GET", "/api/openapi.json")[1]
operations = []
for path, item in doc["paths"].items():
    for verb, op in item.items():
        if verb in ("get", "post", "put", "patch", "delete"):
            operations.append((f"{verb.upper()} {path}", op.get("x-roles")))


def items(answer):
    """The records of a list answer (a list, or a page with one list in it)."""
    if isinstance(answer, list):
        return answer
    if isinstance(answer, dict):
        for v in answer.values():
            if isinstance(v, list):
                return v
    return []


def ids(role, path, field="id", **match):
    status, answer = call("GET", path, tokens[role])
    if status != 200:
        sys.exit(f"schemathesis: GET {path} as {role}: {status} {answer}")
    return [r[field] for r in items(answer) if all(r.get(k) == v for k, v in match.items())]


def post_of(username):
    return next(u["post"] for u in users if u["username"] == username)


# The seeded records the runs act on, and more made here: account requests
# of a second administrator (an administrator never approves their own),
# new cases (at version 1, for updates), referrals waiting for an answer,
# cases shared with the users of the other roles (whom a case is not shared
# with reads it as not found). Spare users, never the ones the runs sign in
# as, take the account operations, a few for each so that one operation's
# change (disabling) does not refuse another's (a password reset).
users = call("GET", "/api/users", tokens["admin"])[1]
spare = [u["id"] for u in users if u["username"] not in USERS.values() and u["role"] == "officer"]
if len(spare) < 8:
    sys.exit("schemathesis: the demo database has too few spare users")
spare_sets = {"spare_read": spare[0:2], "spare_state": spare[2:4], "spare_reset": spare[4:6], "spare_change": spare[6:8]}
admin2 = login("admin2", admin2_password)
for i in range(40):
    call("POST", "/api/users", admin2, {"username": f"pedido{i}", "role": "protection", "post": None,
                                        "password": STRONG})
requests = ids("admin", "/api/users/requests")
all_hits = items(call("GET", "/api/hits?limit=500", tokens["supervisor"])[1])
crossings = sorted({h["crossing_id"] for h in all_hits})
for c in crossings[-16:]:
    call("POST", f"/api/crossings/{c}/decision", tokens["supervisor"],
         {"decision": "refer_to_protection", "reason": "schemathesis"})
# Person hits of the supervisor's post dismissed as "not this person", so
# that clearing has records to act on, and some cleared, to revoke.
sup_post = post_of(USERS["supervisor"])
dismissed = []
for h in all_hits:
    if len(dismissed) >= 30:
        break
    if h.get("kind") == "person" and h.get("adjudication") is None and sup_post in (None, h.get("post")):
        status, _ = call("POST", f"/api/hits/{h['id']}/adjudication", tokens["supervisor"],
                         {"decision": "dismissed", "reason": "schemathesis"})
        if status in (200, 201):
            dismissed.append(h["id"])
half = len(dismissed) // 2
clearances = []
for hit in dismissed[:half]:
    status, answer = call("POST", f"/api/hits/{hit}/clearance", tokens["supervisor"], {"reason": "schemathesis"})
    if status in (200, 201) and isinstance(answer, dict) and "uid" in answer:
        clearances.append(answer["uid"])
# Lookouts to read, change and cancel: the supervisor's for their own post
# (a user bound to a post issues for that post only), the analyst's for
# every post.


def seed_lookouts(role, scope_posts):
    made = []
    for i in range(25):
        status, answer = call("POST", "/api/lookouts", tokens[role], {
            "kind": "document", "document_number": f"SCH{role[:3].upper()}{i:05d}", "issuing_state": "GTM",
            "reason": "schemathesis", "action": "secondary_inspection", "valid_hours": 48,
            "scope_posts": scope_posts})
        if status in (200, 201) and isinstance(answer, dict) and "uid" in answer:
            made.append(answer["uid"])
    return made


lookouts = {"supervisor": seed_lookouts("supervisor", [sup_post] if sup_post else []),
            "analyst": seed_lookouts("analyst", [])}
# The air post's flights (the demo's are past, so not in its list of the
# next hours: found by id), their pre-arrival hits, and the bookings on
# them, masked by scripts/schemathesis so that unmasking has versions.
air_post = post_of(USERS["supervisor_air"])
flights, prearrival_hits, bookings = [], [], set()
for fid in range(1, 41):
    status, answer = call("GET", f"/api/flights/{fid}", tokens["supervisor_air"])
    if status != 200:
        continue
    flights.append(fid)
    for person in answer.get("persons", []):
        prearrival_hits += [h["id"] for h in person.get("hits", []) if h.get("decision") is None]
        if person.get("booking"):
            bookings.add(tuple(person["booking"].split("/", 1)))
carrier = sorted(bookings)[0][0] if bookings else ""
locators = sorted(loc for c, loc in bookings if c == carrier)
booking_versions = []
for loc in locators:
    status, answer = call("GET", f"/api/intel/bookings/{carrier}/{loc}", tokens["analyst"])
    if status == 200:
        booking_versions += [v["id"] for v in answer.get("versions", []) if v.get("masked_at")]
referrals = ids("protection", "/api/referrals?waiting=true&limit=500")
cases = ids("protection", "/api/cases?limit=500")
fresh_cases = []
for _ in range(40):
    status, answer = call("POST", "/api/cases", tokens["protection"], {"record": {}})
    if status in (200, 201):
        fresh_cases.append(answer["id"])
user_ids = {u["username"]: u["id"] for u in users}
for role, user in USERS.items():
    if role != "protection":
        for c in cases[:4]:
            call("POST", f"/api/cases/{c}/shares", tokens["protection"], {"user_id": user_ids[user], "active": True})
rules = items(call("GET", "/api/rules", tokens["analyst"])[1])
rule_text = next(r["text"] for r in rules if r.get("text"))
persons = ids("analyst", "/api/intel/persons?limit=50", "person_id")
rings = ids("analyst", "/api/intel/rings", "ring_id")
decisions = []
for a, b in zip(crossings[0::2], crossings[1::2]):
    status, answer = call("POST", "/api/intel/decisions", tokens["analyst"],
                          {"kind": "split", "crossing_a": a, "crossing_b": b, "reason": "schemathesis"})
    if status in (200, 201) and isinstance(answer, dict) and "id" in answer:
        decisions.append(answer["id"])
for name, values in [("account requests", requests), ("crossings", crossings), ("waiting referrals", referrals),
                     ("cases", cases), ("new cases", fresh_cases), ("rules", rules), ("persons", persons),
                     ("rings", rings), ("intel decisions", decisions), ("dismissed person hits", dismissed[half:]),
                     ("clearances", clearances), ("supervisor's lookouts", lookouts["supervisor"]),
                     ("analyst's lookouts", lookouts["analyst"]), ("flights", flights),
                     ("pre-arrival hits", prearrival_hits), ("bookings", locators),
                     ("masked booking versions", booking_versions)]:
    if not values:
        sys.exit(f"schemathesis: no {name} to test with ({len(all_hits)} hits seen by the supervisor, "
                 f"{len(dismissed)} person hits dismissed, {len(clearances)} cleared)")


def config_for(role):
    """The schemathesis.toml of one role's run: its records to act on."""
    user = USERS.get(role)
    post = post_of(user) if user else None
    # The crossings and hits a user of a post sees are those of the post.
    mine = [h for h in all_hits if post is None or h.get("post") in (None, post)]
    dictionaries = dict(spare_sets)
    dictionaries.update({
        "requests": requests, "referrals": referrals, "fresh_cases": fresh_cases,
        "cases": cases if role in ("protection", "post") else cases[:4],
        "crossings": sorted({h["crossing_id"] for h in mine}) or crossings,
        "hits": [h["id"] for h in mine if h.get("adjudication") is None] or [h["id"] for h in all_hits],
        "rules": [r["id"] for r in rules], "persons": persons, "rings": rings, "decisions": decisions,
        "dismissed": dismissed[half:], "clearances": clearances,
        "lookouts": lookouts.get(role) or lookouts["analyst"],
        "flights": flights, "prearrival_hits": prearrival_hits, "locators": locators,
        "booking_versions": booking_versions,
        "user_ids": list(user_ids.values()), "case_ids": cases,
        "new_usernames": [f"nuevo.{role}.{i}" for i in range(200)],
        "reasons": ["documento con señales de alteración", "entrevista en segunda línea", "viaja sin su tutor"],
    })
    lines = ["[warnings]", f"fail-on = {json.dumps(FAIL_ON)}", ""]
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]

    def pin(name, coverage=True, **params):
        lines.extend(["[[operations]]", f"include-name = {json.dumps(name)}"])
        if not coverage:
            # The coverage phase's boundary values replace the pinned path
            # ids ("0"): on an operation whose records are a post's, none is
            # served. The other phases act on the pinned records.
            lines.append("phases = { coverage = { enabled = false } }")
        lines.append("parameters = { " + ", ".join(
            f"{json.dumps(k)} = {{ dictionary = {json.dumps(v[1:])} }}" if isinstance(v, str) and v.startswith("@")
            else f"{json.dumps(k)} = {json.dumps(v)}" for k, v in params.items()) + " }")
        lines.append("")

    for name in ["GET /api/users/{id}", "DELETE /api/users/{id}/sessions"]:
        pin(name, **{"path.id": "@spare_read"})
    for name in ["POST /api/users/{id}/disable", "POST /api/users/{id}/enable"]:
        pin(name, **{"path.id": "@spare_state"})
    for name in ["PUT /api/users/{id}/post", "PUT /api/users/{id}/role"]:
        pin(name, **{"path.id": "@spare_change"})
    pin("POST /api/users/{id}/password", **{"path.id": "@spare_reset", "body.password": STRONG})
    pin("POST /api/users", **{"body.username": "@new_usernames", "body.password": STRONG,
                              "body.post": "GTM-TECUNUMAN"})
    for name in ["POST /api/users/requests/{id}/approve", "POST /api/users/requests/{id}/reject"]:
        pin(name, **{"path.id": "@requests"})
    pin("POST /api/hits/{id}/adjudication", **{"path.id": "@hits"})
    pin("POST /api/hits/{id}/clearance", coverage=False, **{"path.id": "@dismissed", "body.reason": "@reasons"})
    pin("POST /api/clearances/{uid}/revoke", coverage=False, **{"path.uid": "@clearances", "body.reason": "@reasons"})
    for name in ["GET /api/crossings/{id}", "GET /api/crossings/{id}/timeline"]:
        pin(name, **{"path.id": "@crossings"})
    pin("POST /api/crossings/{id}/decision", coverage=False,
        **{"path.id": "@crossings", "body.reason": "@reasons", "body.confirm": True})
    pin("POST /api/inspections", **{"body.post": post or "GTM-TECUNUMAN"})
    pin("GET /api/referrals/{id}", **{"path.id": "@referrals"})
    pin("POST /api/referrals/{id}/answer", **{"path.id": "@referrals", "body.case_id": "@case_ids"})
    for name in ["GET /api/cases/{id}", "GET /api/cases/{id}/versions"]:
        pin(name, **{"path.id": "@cases"})
    pin("POST /api/cases/{id}/shares", **{"path.id": "@cases", "body.user_id": "@user_ids"})
    pin("PUT /api/cases/{id}", **{"path.id": "@fresh_cases", "body.base_version": 1})
    for name in ["POST /api/rules/{id}/enable", "POST /api/rules/{id}/disable", "GET /api/rules/{id}/versions"]:
        pin(name, **{"path.id": "@rules"})
    pin("POST /api/rules/backtest", **{"body.text": rule_text, "body.from": "2025-01-01", "body.to": "2027-01-01"})
    for name in ["GET /api/intel/persons/{id}", "GET /api/intel/persons/{id}/crossings",
                 "GET /api/intel/persons/{id}/network"]:
        pin(name, **{"path.id": "@persons"})
    pin("GET /api/intel/rings/{id}/network", **{"path.id": "@rings"})
    pin("POST /api/intel/decisions/{id}/withdraw", **{"path.id": "@decisions"})
    for name in ["GET /api/lookouts/{uid}", "PATCH /api/lookouts/{uid}"]:
        pin(name, coverage=False, **{"path.uid": "@lookouts"})
    pin("POST /api/lookouts/{uid}/cancel", coverage=False, **{"path.uid": "@lookouts", "body.reason": "@reasons"})
    pin("GET /api/flights", **{"query.post": air_post})
    pin("GET /api/flights/{id}", coverage=False, **{"path.id": "@flights"})
    pin("POST /api/flights/hits/{id}/adjudication", coverage=False,
        **{"path.id": "@prearrival_hits", "body.reason": "@reasons"})
    pin("GET /api/posts/{code}/api-record", **{"path.code": post or air_post})
    pin("GET /api/intel/bookings/{carrier}/{locator}", coverage=False,
        **{"path.carrier": carrier, "path.locator": "@locators"})
    pin("POST /api/intel/booking-versions/{id}/unmask", coverage=False,
        **{"path.id": "@booking_versions", "body.reason": "@reasons"})
    path = f"{work}/schemathesis-{role}.toml"
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


status = 0
# The administrator last: its account operations may end other users'
# sessions. Each run signs in afresh.
order = ["officer", "supervisor", "supervisor_air", "analyst", "auditor", "protection", "post", "admin"]
if os.environ.get("SCHEMATHESIS_ROLES"):
    order = [r for r in order if r in os.environ["SCHEMATHESIS_ROLES"].split()]
for role in order:
    if role == "post":
        token, names = post_key, [n for n, roles in operations if roles is None]
    else:
        token = login(USERS[role], passwords[USERS[role]])
        # The air post's supervisor runs what is an airport's, and only that.
        as_role = "supervisor" if role == "supervisor_air" else role
        names = [n for n, roles in operations if roles is not None and (not roles or as_role in roles)]
        names = [n for n in names if (n in AIR_OPS) == (role == "supervisor_air")]
    names = [n for n in names if n not in LEFT_OUT]
    log = f"{work}/st-{role}.log"
    args = [st, "--config-file", config_for(role), "run", f"{base}/api/openapi.json", "--checks",
            "not_a_server_error", "-H", f"Authorization: Bearer {token}", "--max-examples", examples,
            "--seed", "1", "--workers", "2", "--phases", "examples,coverage,fuzzing",
            "--suppress-health-check", "all",
            "--include-name-regex", "^(" + "|".join(re.escape(n) for n in names) + ")$"]
    env = dict(os.environ, SCHEMATHESIS_HOOKS="schemathesis_hooks",
               PYTHONPATH=os.path.dirname(os.path.abspath(__file__)))
    if os.environ.get("SCHEMATHESIS_KEEP"):
        # Every request and answer, for looking into a warning.
        args += ["--report", "har", "--report-dir", f"{work}/har-{role}"]
    print(f"schemathesis: as {role}: {len(names)} operations, {examples} examples each", file=sys.stderr)
    ok = False
    for attempt in (1, 2):
        with open(log, "w", encoding="utf-8") as out:
            rc = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, env=env).returncode
        text = open(log, encoding="utf-8").read()
        if rc == 0:
            ok = True
            break
        # The seed is fixed, so a 5xx or a warning comes back on a second
        # run; a transport hiccup of a loaded machine ("Runtime Error") may
        # not: only then is the run repeated.
        print(f"schemathesis: {role} failed (attempt {attempt})", file=sys.stderr)
        if "Runtime Error" not in text:
            break
    # The warnings and the summary, always printed.
    lines = [l for l in text.splitlines() if l.strip()]
    start = next((i for i, l in enumerate(lines) if "WARNINGS" in l or "FAILURES" in l or "ERRORS" in l), None)
    shown = lines[start:] if start is not None else lines[-4:]
    print("\n".join("    " + l for l in shown[-120:]), file=sys.stderr)
    if not ok:
        status = 1
sys.exit(status)
