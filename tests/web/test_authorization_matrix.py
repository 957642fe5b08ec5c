"""Every route × every role (anonymous included) against the expected allow/deny table.

The table is checked against the app's own route list: a route added to the app but
missing here fails ``test_every_route_is_in_the_table`` (and a stale entry here fails
too), so no route escapes the matrix.

Outcomes: ``ALLOW`` (2xx/3xx, not a redirect to the login form), ``DENY`` (403 for a
logged-in user; 401 from the API or a redirect to /login for anonymous visitors),
``PENDING`` (501: the capability behind the route has not landed in the service layer;
the anonymous visitor must still be turned away).
"""

from __future__ import annotations

from typing import Any

import pytest

from dalil.testing import run_job
from dalil.web.app import route_table

from .conftest import NOTE_TEXT, ROLES, USERS, Client

ANON = "anonymous"
ALL_ROLES = frozenset(ROLES)
EVERYONE = frozenset({*ROLES, ANON})
PENDING = "pending"

READ = ALL_ROLES  # case.read
WRITE = frozenset({"admin", "investigator", "analyst"})  # record.write
REVEAL = frozenset({"admin", "investigator", "legal"})  # protected.reveal
ADMIN = frozenset({"admin"})

RECORD_KINDS = (
    "persons",
    "sources",
    "incidents",
    "acts",
    "sites",
    "units",
    "memberships",
    "provenance",
    "evidence",
)
#: Kinds created and edited in forms (/{kind}/new, /{kind}/{id}/edit) and the API
#: (POST /api/v1/{kind}, PATCH /api/v1/{kind}/{id}); sources are created on /sources/new.
NEW_KINDS = ("incidents", "persons", "acts", "sites", "units", "memberships", "provenance")
EDIT_KINDS = (*NEW_KINDS, "sources")
AVAILABLE_KINDS = set(RECORD_KINDS)  # kinds whose service functions exist today
EVIDENCE_READ = frozenset({"admin", "investigator", "analyst", "legal"})
AUDIT_READ = EVIDENCE_READ  # audit.read
FIXITY = EVIDENCE_READ  # fixity.run
EVIDENCE_ADD = WRITE
ANALYSIS = frozenset({"admin", "analyst"})  # analysis.run
LINKAGE_REVEAL = frozenset({"admin", "investigator", "analyst", "legal"})  # linkage.reveal
LINKAGE_DECIDE = frozenset({"admin", "investigator", "analyst"})  # linkage.decide

# (method, path template) -> roles allowed, or PENDING.
EXPECTED: dict[tuple[str, str], frozenset[str] | str] = {
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): EVERYONE,
    ("GET", "/login/totp"): EVERYONE,
    ("POST", "/login/totp"): EVERYONE,
    ("POST", "/logout"): EVERYONE,
    ("GET", "/static"): EVERYONE,
    ("GET", "/api/v1/openapi.json"): EVERYONE,
    ("GET", "/"): READ,
    ("GET", "/sources/new"): READ,
    ("POST", "/sources/new"): WRITE,
    ("GET", "/sources/compare"): EVIDENCE_READ,
    ("GET", "/evidence/upload"): READ,
    ("GET", "/evidence/{sha256}/download"): EVIDENCE_READ,
    ("GET", "/evidence/{item_id}/transcript"): EVIDENCE_READ,
    ("POST", "/evidence/{item_id}/transcript"): EVIDENCE_ADD,
    ("POST", "/evidence/{item_id}/ocr"): EVIDENCE_ADD,
    ("POST", "/evidence/{item_id}/location"): REVEAL,
    ("GET", "/incidents/timeline"): READ,
    ("GET", "/incidents/map"): READ,
    ("POST", "/persons/{item_id}/reveal"): REVEAL,
    ("GET", "/audit"): AUDIT_READ,
    ("POST", "/audit/verify"): READ,
    ("POST", "/fixity"): FIXITY,
    ("GET", "/users"): READ,
    ("POST", "/users"): ADMIN,
    ("POST", "/users/{name}/revoke-tokens"): ADMIN,
    ("POST", "/users/{name}/end-sessions"): ADMIN,
    ("POST", "/users/{name}/reset-totp"): ADMIN,
    ("GET", "/evidence/{sha256}/edit"): WRITE,
    ("POST", "/evidence/{sha256}/edit"): WRITE,
    ("PATCH", "/api/v1/evidence/{sha256}"): WRITE,
    ("GET", "/case"): READ,
    ("POST", "/case"): WRITE,
    ("GET", "/record-killing"): WRITE,
    ("POST", "/record-killing"): WRITE,
    ("POST", "/users/{name}/role"): ADMIN,
    ("POST", "/users/{name}/disable"): ADMIN,
    ("POST", "/users/{name}/enable"): ADMIN,
    ("POST", "/users/{name}/password"): ADMIN,
    ("POST", "/users/{name}/token"): ADMIN,
    ("POST", "/users/{name}/unlock"): ADMIN,
    ("GET", "/account/totp"): READ,
    ("POST", "/account/totp"): READ,  # a wrong code redirects back to the page
    ("POST", "/account/totp/disable"): READ,
    ("GET", "/account/password"): READ,
    ("POST", "/account/password"): READ,  # the matrix sends two different new passwords
    ("GET", "/api/v1/me"): READ,
    ("GET", "/api/v1/dashboard"): READ,
    ("GET", "/api/v1/search"): READ,
    ("POST", "/api/v1/persons/{item_id}/reveal"): REVEAL,
    ("POST", "/api/v1/persons/duplicates"): WRITE,  # compares protected names (keys only)
    ("POST", "/api/v1/sources"): WRITE,
    ("POST", "/api/v1/sources/upload"): WRITE,  # record.write and evidence.add
    ("GET", "/api/v1/sources/{item_id}/reading"): EVIDENCE_READ,
    ("GET", "/api/v1/compare"): EVIDENCE_READ,
    ("POST", "/api/v1/evidence"): EVIDENCE_ADD,
    ("GET", "/api/v1/evidence/{sha256}/content"): EVIDENCE_READ,
    ("GET", "/api/v1/evidence/{sha256}/custody"): AUDIT_READ,
    ("POST", "/api/v1/fixity"): FIXITY,
    ("GET", "/api/v1/audit"): AUDIT_READ,
    ("POST", "/api/v1/audit/verify"): READ,
    ("GET", "/api/v1/users"): READ,
    ("POST", "/api/v1/users/{name}/revoke-tokens"): ADMIN,
    ("POST", "/api/v1/users/{name}/end-sessions"): ADMIN,
    ("POST", "/sources/compare"): READ,
    ("GET", "/lists"): READ,
    ("POST", "/lists/review"): LINKAGE_REVEAL,
    ("POST", "/lists/decide"): LINKAGE_DECIDE,
    ("GET", "/lists/clusters/{person_id}"): READ,
    ("POST", "/lists/clusters/{person_id}/names"): LINKAGE_REVEAL,
    ("POST", "/lists/clusters/{person_id}/split"): LINKAGE_DECIDE,
    ("POST", "/lists/clusters/{person_id}/merge"): LINKAGE_DECIDE,
    ("GET", "/estimates"): READ,
    ("POST", "/estimates/run"): ANALYSIS,
    ("POST", "/estimates/record"): ANALYSIS,
    ("POST", "/estimates/{estimate_id}/publish"): frozenset({"admin", "legal"}),
    ("GET", "/api/v1/estimates"): READ,
    ("POST", "/api/v1/estimates/run"): ANALYSIS,
    ("POST", "/api/v1/estimates/record"): ANALYSIS,
    ("POST", "/api/v1/estimates/{estimate_id}/publish"): frozenset({"admin", "legal"}),
    ("GET", "/api/v1/lists"): READ,
    ("GET", "/api/v1/lists/review"): READ,
    ("POST", "/api/v1/lists/review"): LINKAGE_REVEAL,
    ("POST", "/api/v1/lists/decide"): LINKAGE_DECIDE,
    ("GET", "/api/v1/lists/histories"): READ,
    ("GET", "/api/v1/lists/{list_id}/records"): READ,  # open fields only, as /lists/{list_id}
    ("POST", "/api/v1/estimate"): ANALYSIS,  # a quick estimate, queued as a job
    ("POST", "/lists/link"): ANALYSIS,
    ("GET", "/lists/import"): READ,
    ("POST", "/lists/import"): WRITE,  # reads the upload's columns: importers only (issue 18)
    ("POST", "/lists/import/check"): READ,  # without an upload in the session: back to the form
    ("POST", "/lists/import/confirm"): WRITE,  # record.write and evidence.add
    ("GET", "/lists/jobs/{job_id}"): READ,  # now a redirect to /jobs/{job_id}
    ("POST", "/api/v1/lists/link"): ANALYSIS,
    # pair review by a team (issue 11 item 6) and blind double review (issue 16 item 4)
    ("GET", "/lists/pairs/{pair}"): READ,
    ("POST", "/lists/review-session"): LINKAGE_REVEAL,
    ("POST", "/lists/review-session/end"): READ,  # ends the user's own session, if any
    ("POST", "/lists/pairs/{pair}/decide"): LINKAGE_DECIDE,
    ("POST", "/lists/pairs/{pair}/undo"): LINKAGE_DECIDE,
    ("GET", "/lists/decisions"): READ,
    ("GET", "/lists/blind"): READ,  # the agreement report; queues for deciders only
    ("POST", "/lists/blind/start"): LINKAGE_DECIDE,
    ("POST", "/lists/pairs/{pair}/blind-vote"): LINKAGE_DECIDE,
    ("POST", "/lists/pairs/{pair}/blind-settle"): LINKAGE_DECIDE,
    ("POST", "/api/v1/lists/review-sessions"): LINKAGE_REVEAL,
    ("POST", "/api/v1/lists/review-sessions/{session_id}/end"): LINKAGE_REVEAL,  # one's own
    ("GET", "/api/v1/lists/pairs/{pair}"): READ,
    ("POST", "/api/v1/lists/pairs/{pair}/names"): LINKAGE_REVEAL,
    ("POST", "/api/v1/lists/pairs/{pair}/undo"): LINKAGE_DECIDE,
    ("GET", "/api/v1/lists/decisions"): READ,
    ("GET", "/api/v1/lists/blind"): LINKAGE_DECIDE,
    ("GET", "/api/v1/lists/blind/agreement"): READ,
    ("POST", "/api/v1/lists/blind/start"): LINKAGE_DECIDE,
    ("POST", "/api/v1/lists/blind/vote"): LINKAGE_DECIDE,
    ("POST", "/api/v1/lists/blind/settle"): LINKAGE_DECIDE,
    ("GET", "/jobs"): READ,
    ("GET", "/jobs/{job_id}"): READ,
    ("POST", "/jobs/{job_id}/cancel"): ADMIN,  # the owner (admin here) or an admin
    ("GET", "/jobs/{job_id}/files/{name}"): ANALYSIS,  # owner, admin, roles that may run it
    ("GET", "/api/v1/jobs"): READ,
    ("GET", "/api/v1/jobs/{job_id}"): READ,
    ("POST", "/api/v1/jobs/{job_id}/cancel"): ADMIN,
    ("GET", "/api/v1/jobs/{job_id}/files/{name}"): ANALYSIS,
    ("POST", "/api/v1/compare"): READ,
    # reading evidence: OCR, transcripts, media metadata, similar media, same-media queue
    ("POST", "/api/v1/evidence/{item_id}/ocr"): EVIDENCE_ADD,
    ("GET", "/api/v1/evidence/{item_id}/transcript"): EVIDENCE_READ,
    ("POST", "/api/v1/evidence/{item_id}/transcript"): EVIDENCE_ADD,
    ("GET", "/api/v1/evidence/{item_id}/metadata"): EVIDENCE_READ,
    ("POST", "/api/v1/evidence/{item_id}/metadata/reveal"): REVEAL,
    ("GET", "/api/v1/evidence/{item_id}/similar"): READ,
    ("GET", "/api/v1/same-media"): READ,
    ("POST", "/api/v1/same-media/decide"): WRITE,
    ("GET", "/search"): READ,
    ("POST", "/search"): REVEAL,  # legal names too: reveal permission, a reason, logged
    ("GET", "/same-media"): READ,
    ("POST", "/same-media/decide"): WRITE,
    # viewing evidence in the browser (streamed, logged evidence.view)
    ("GET", "/evidence/{sha256}/view"): EVIDENCE_READ,
    ("GET", "/api/v1/evidence/{item_id}/view"): EVIDENCE_READ,
}
# Findings pages and their JSON twins (tests/web/test_findings_pages.py covers behaviour).
ASSESS = frozenset({"admin", "legal"})  # finding.assess
SIGNOFF = frozenset({"admin", "legal"})  # finding.signoff
EXPORT = frozenset({"admin", "investigator", "analyst", "legal"})  # export.records
REPORT = frozenset({"admin", "investigator", "analyst", "legal"})  # report.internal
for _prefix in ("", "/api/v1"):
    EXPECTED.update(
        {
            ("GET", f"{_prefix}/findings/acts/{{item_id}}"): READ,
            ("POST", f"{_prefix}/findings/acts/{{item_id}}/assess"): ASSESS,
            ("POST", f"{_prefix}/findings/acts/{{item_id}}/sign-off"): SIGNOFF,
            ("GET", f"{_prefix}/findings/incidents/{{item_id}}"): READ,
            ("POST", f"{_prefix}/findings/incidents/{{item_id}}/coding"): WRITE,
            ("POST", f"{_prefix}/findings/incidents/{{item_id}}/assess"): ASSESS,
            ("GET", f"{_prefix}/findings/export/{{fmt}}"): EXPORT,
            ("GET", f"{_prefix}/findings/timeline"): READ,
            ("GET", f"{_prefix}/findings/sites/{{item_id}}"): READ,
            ("POST", f"{_prefix}/findings/sites/{{item_id}}/status"): WRITE,
            ("GET", f"{_prefix}/findings/units"): READ,
            ("GET", f"{_prefix}/findings/corroboration"): READ,
            ("POST", f"{_prefix}/findings/vetting"): REVEAL,
            ("POST", f"{_prefix}/findings/reports"): REPORT,
        }
    )
EXPECTED.update(
    {
        ("GET", "/findings"): READ,
        ("GET", "/api/v1/findings"): READ,
        ("GET", "/findings/vetting"): READ,
        ("GET", "/findings/reports"): READ,
        ("POST", "/findings/export-bag"): frozenset({"admin", "investigator", "legal"}),
    }
)
for _k in RECORD_KINDS:
    _allowed: frozenset[str] | str = READ if _k in AVAILABLE_KINDS else PENDING
    EXPECTED[("GET", f"/{_k}")] = _allowed
    EXPECTED[("GET", f"/{_k}/{{item_id}}")] = _allowed
    EXPECTED[("GET", f"/api/v1/{_k}")] = _allowed
    EXPECTED[("GET", f"/api/v1/{_k}/{{item_id}}")] = _allowed

for _k in NEW_KINDS:
    EXPECTED[("GET", f"/{_k}/new")] = WRITE
    EXPECTED[("POST", f"/{_k}/new")] = WRITE
    EXPECTED[("POST", f"/api/v1/{_k}")] = WRITE
for _k in EDIT_KINDS:
    EXPECTED[("GET", f"/{_k}/{{item_id}}/edit")] = WRITE
    EXPECTED[("POST", f"/{_k}/{{item_id}}/edit")] = WRITE
    EXPECTED[("PATCH", f"/api/v1/{_k}/{{item_id}}")] = WRITE

# Retract and restore (pages and API), for every kind; on records of their own (the
# seeded records are shared by the other tests).
for _k in RECORD_KINDS:
    for _verb in ("retract", "restore"):
        EXPECTED[("POST", f"/{_k}/{{item_id}}/{_verb}")] = WRITE
        EXPECTED[("POST", f"/api/v1/{_k}/{{item_id}}/{_verb}")] = WRITE
# Victim lists and their records: their pages (/lists/{id}, /lists/records/{id}) and
# the API. What depends on a record and what retracting it changes: every kind, for
# every role that reads the case.
for _k in ("lists", "list_records"):
    for _verb in ("retract", "restore"):
        EXPECTED[("POST", f"/api/v1/{_k}/{{item_id}}/{_verb}")] = WRITE
for _path in ("/lists/{item_id}", "/lists/records/{item_id}"):
    for _verb in ("retract", "restore"):
        EXPECTED[("POST", f"{_path}/{_verb}")] = WRITE
EXPECTED[("GET", "/lists/{list_id}")] = READ
EXPECTED[("GET", "/lists/records/{record_id}")] = READ
for _k in (*RECORD_KINDS, "lists", "list_records"):
    EXPECTED[("GET", f"/api/v1/{_k}/{{item_id}}/dependants")] = READ
    EXPECTED[("GET", f"/api/v1/{_k}/{{item_id}}/impact")] = READ
_RETRACTABLE: dict[str, str] = {}


def _prepare_retractables(app: Any) -> None:
    """One record of each kind that only the retract and restore routes touch."""
    import tempfile
    from pathlib import Path

    from dalil.services import evidence, persons, records

    case = app.state.case
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "matrix-retract.txt"
        f.write_bytes(b"Fictional file for the retraction routes of the matrix.")
        item = evidence.add_files(case, USERS["admin"], [f], ocr=False)[0].item
    with case.act(USERS["admin"]) as ctx:
        person = persons.add_person(ctx, pseudonym="M-retract-1", roles=["victim"])
        inc = records.add(ctx, "incident", title="Fictional matrix incident to retract")
        unit = records.add(ctx, "unit", name="Fictional matrix unit to retract", kind="militia")
        src = records.add(ctx, "source", kind="report", title="Fictional source to retract")
        made = {
            "persons": person.id,
            "incidents": inc.id,
            "units": unit.id,
            "sources": src.id,
            "acts": records.add(
                ctx, "act", incident_id=inc.id, victim_id=person.id, act_type="injury"
            ).id,
            "sites": records.add(
                ctx, "site", name="Fictional site to retract", site_type="burial"
            ).id,
            "memberships": records.add(
                ctx, "membership", person_id=person.id, organization_id=unit.id
            ).id,
            "provenance": records.add(
                ctx,
                "provenance",
                subject_kind="incident",
                subject_id=inc.id,
                source_id=src.id,
                role="context",
            ).id,
        }
    _RETRACTABLE.update({k: str(v) for k, v in made.items()})
    _RETRACTABLE["evidence"] = item.sha256
    # a list of its own (two fictional rows), so that the shared lists stay in force
    from sqlalchemy import select

    from dalil.model.lists import ListRecord
    from dalil.services import lists

    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "matrix-list.csv"
        f.write_text(
            "record_id,full_name,sex,age\n1,Fictional Zubayda Qorvath,male,77\n"
            "2,Fictional Yusriyya Pelmanov,female,88\n",
            encoding="utf-8",
        )
        vl = lists.import_list(case, USERS["admin"], f, list_name="Fictional matrix list")
    list_id = int(vl["id"])
    with case.act(USERS["admin"], write=False) as ctx:
        rec = ctx.session.scalar(select(ListRecord.id).where(ListRecord.list_id == list_id))
    _RETRACTABLE.update(lists=str(list_id), list_records=str(rec))


#: A harmless field per kind that an edit in the matrix sets (the seeded records are shared).
EDIT_FIELD = {
    "incidents": "description",
    "persons": "notes",
    "acts": "notes",
    "sites": "access_notes",
    "units": "notes",
    "memberships": "notes",
    "provenance": "notes",
    "sources": "notes",
}
_SEEDED: dict[str, Any] = {}


def _new_record(kind: str, role: str) -> dict[str, Any]:
    n = next(_counter)
    ids = _SEEDED
    return {
        "incidents": {"title": f"Fictional matrix incident {n}"},
        "persons": {"pseudonym": f"M-{role}-{n}"},
        "acts": {
            "incident_id": ids["incident"],
            "victim_id": ids["person"] + 2,
            "act_type": "injury",
        },
        "sites": {"name": f"Fictional matrix site {n}", "site_type": "burial"},
        "units": {"name": f"Fictional matrix unit {n}", "kind": "militia"},
        "memberships": {"person_id": ids["person"] + 4, "organization_id": ids["unit"]},
        "provenance": {
            "subject_kind": "incident",
            "subject_id": ids["incident"],
            "source_id": ids["source"],
            "role": "context",
        },
    }[kind]


LOGIN_FLOW = {
    ("POST", "/login"),
    ("GET", "/login/totp"),
    ("POST", "/login/totp"),
    ("POST", "/logout"),
}


def app_routes(app: Any) -> set[tuple[str, str]]:
    return route_table(app)


def test_every_route_is_in_the_table(app: Any) -> None:
    routes = app_routes(app)
    missing = routes - set(EXPECTED)
    stale = set(EXPECTED) - routes
    assert not missing, f"routes without an expected allow/deny entry: {sorted(missing)}"
    assert not stale, f"table entries for routes that no longer exist: {sorted(stale)}"


SEED_KEY = {
    "persons": "person",
    "sources": "source",
    "incidents": "incident",
    "acts": "act",
    "sites": "site",
    "units": "unit",
    "memberships": "membership",
    "provenance": "provenance",
    "evidence": "evidence",
}


def _concrete(path: str, seeded: dict[str, Any]) -> str:
    if path == "/static":
        return "/static/app.css"
    if "/findings/" in path:
        return _findings_concrete(path, seeded)
    if path.endswith(("/ocr", "/metadata", "/metadata/reveal", "/similar", "/location", "/view")):
        path = path.replace("{item_id}", str(_MEDIA["photo"]))
    if path.endswith("/view"):
        path = path.replace("{sha256}", _PHOTO_SHA[0])
    if path in ("/lists/clusters/{person_id}/merge", "/lists/clusters/{person_id}/names"):
        path = path.replace("{person_id}", str(seeded["list_merge"][0]))
    if path.endswith("/transcript"):
        path = path.replace("{item_id}", seeded["note_evidence"])
    if path.startswith("/lists/records/"):
        path = path.replace("{item_id}", _RETRACTABLE["list_records"])
        path = path.replace("{record_id}", _RETRACTABLE["list_records"])
    if path.startswith(("/lists/{", "/api/v1/lists/{list_id}")):
        path = path.replace("{item_id}", _RETRACTABLE["lists"])
        path = path.replace("{list_id}", _RETRACTABLE["lists"])
    if path.endswith(("/retract", "/restore", "/dependants", "/impact")):
        kind = path.removeprefix("/api/v1").split("/")[1]
        path = path.replace("{item_id}", _RETRACTABLE[kind])
    if "{item_id}" in path:
        kind = path.removeprefix("/api/v1").split("/")[1]
        path = path.replace("{item_id}", str(seeded[SEED_KEY[kind]]))
    return (
        path.replace("/files/{name}", "/files/none.txt")
        .replace("{sha256}", seeded["evidence"])
        .replace("{name}", "tmp-user")
        .replace("{job_id}", _JOB["id"])
        .replace("{estimate_id}", _JOB.get("gated_estimate", "0"))
        .replace("{person_id}", str(seeded["list_person"]))
    )


_JOB: dict[str, str] = {}
_MEDIA: dict[str, int] = {}
_PHOTO_SHA: list[str] = []


def _prepare_media(app: Any) -> None:
    """A fictional photo and a resized copy of it (a pair in the same-media queue)."""
    import tempfile
    from pathlib import Path

    from dalil.services import evidence
    from dalil.synth.media_images import jpeg, scene, transform

    case = app.state.case
    with tempfile.TemporaryDirectory() as d:
        photo, copy = Path(d) / "matrix-photo.jpg", Path(d) / "matrix-copy.jpg"
        photo.write_bytes(jpeg(scene(41)))
        copy.write_bytes(transform(scene(41), "resize", seed=5))
        added = evidence.add_files(case, USERS["admin"], [photo, copy], ocr=False)
    _MEDIA["photo"], _MEDIA["copy"] = added[0].item.id, added[1].item.id
    _PHOTO_SHA.append(added[0].item.sha256)


def _wait_for_jobs(app: Any) -> None:
    from sqlalchemy import select

    from dalil.model.job import Job
    from dalil.services import jobs

    case = app.state.case
    with case.system_session(write=False) as s:
        open_ids = list(s.scalars(select(Job.id).where(Job.state.in_(("queued", "running")))))
    for jid in open_ids:
        assert jobs.wait(case, jid, timeout=120) == "done", "job did not finish"


_counter = iter(range(10**6))


def _payload(method: str, path: str, role: str) -> dict[str, Any]:
    """Valid input for each unsafe route, so that an allowed role gets a success."""
    parts = path.removeprefix("/api/v1").split("/")
    if method == "POST" and len(parts) == 3 and parts[2] == "new" and parts[1] in NEW_KINDS:
        return {"data": _new_record(parts[1], role)}
    if (
        method == "POST"
        and path.startswith("/api/v1/")
        and len(parts) == 2
        and parts[1] in NEW_KINDS
    ):
        return {"json": _new_record(parts[1], role)}
    if path.endswith("/{item_id}/edit") and method == "POST":
        return {"data": {EDIT_FIELD[parts[1]]: f"Fictional matrix edit by {role}"}}
    if method == "PATCH" and parts[1] in EDIT_FIELD:
        return {"json": {EDIT_FIELD[parts[1]]: f"Fictional matrix edit by {role}"}}
    if path == "/evidence/{sha256}/edit" and method == "POST":
        return {"data": {"source_id": str(_SEEDED["source"]), "notes": f"Matrix note {role}"}}
    if path == "/api/v1/evidence/{sha256}":
        return {"json": {"notes": f"Matrix note {role}"}}
    if path == "/case":
        # The shared case keeps its description; the title set is the folder name it shows.
        return {"data": {"title": "case", "summary": ""}}
    if path == "/api/v1/persons/duplicates":
        return {"json": {"name": "Fictional Canary Name", "sex": "female"}}
    if path == "/record-killing":
        n = next(_counter)
        return {
            "data": {
                "inc_id": str(_SEEDED["incident"]),
                "vic_pseudonym": f"V-matrix-{role}-{n}",
                "act_type": "killing",
            }
        }
    if path == "/users/{name}/role":
        return {"data": {"role": "viewer"}}  # tmp-user's role: unchanged for other tests
    if path == "/users/{name}/password":
        return {"data": {"password": "pw-tmp-user-fictional"}}
    if path == "/users/{name}/token":
        return {"data": {"label": "matrix"}}
    if path.endswith("/reveal"):
        if path.startswith("/api/"):
            return {"json": {"reason": "authorization matrix test (fictional case)"}}
        return {"data": {"reason": "authorization matrix test (fictional case)"}}
    if path == "/users":
        return {
            "data": {
                "name": f"m-{role}-{next(_counter)}",
                "role": "viewer",
                "password": "pw-matrix-fictional",
            }
        }
    if path == "/sources/new":
        return {"data": {"title": "Fictional report", "kind": "report"}}
    if path == "/api/v1/sources":
        return {"json": {"title": "Fictional report"}}
    if path == "/lists/import":
        return {
            "data": {"name": f"Fictional matrix list {role}"},
            "files": {"file": ("l.csv", b"record_id,full_name\n1,Fictional Name\n", "text/csv")},
        }
    if path == "/api/v1/sources/upload":
        return {
            "params": {"name": "fictional.txt", "title": "Fictional upload"},
            "content": b"Fictional report text, uploaded in the matrix test.",
        }
    if path == "/api/v1/evidence":
        return {"params": {"name": "fictional.txt"}, "content": b"fictional evidence"}
    if path.endswith("/lists/review"):
        reason = "matrix test (fictional lists)"
        return (
            {"json": {"reason": reason}}
            if path.startswith("/api/")
            else {"data": {"reason": reason}}
        )
    if path == "/lists/clusters/{person_id}/names":
        return {"data": {"reason": "matrix test (fictional lists)"}}
    if path == "/lists/clusters/{person_id}/merge":
        return {"data": {"other": str(_SEEDED["list_merge"][1]), "note": "matrix (fictional)"}}
    if path.endswith("/lists/decide"):
        body = {"pair": "1-4", "verdict": "accept"}
        return {"json": body} if path.startswith("/api/") else {"data": body}
    if path.endswith("/review-sessions"):
        return {"json": {"reason": "authorization matrix test (fictional lists)"}}
    if path.endswith("/blind/start"):
        return {"json": {"pairs": ["4-5"]}}
    if path.endswith("/pairs/{pair}/undo") and path.startswith("/api/"):
        return {"json": {"note": "matrix test"}}
    if path.endswith("/review-session"):
        return {"data": {"reason": "authorization matrix test (fictional lists)"}}
    if "/lists/pairs/" in path and path.endswith(("/decide", "/blind-vote")):
        return {"data": {"verdict": "accept"}}
    if path.endswith("/blind-settle"):
        return {"data": {"verdict": "reject", "note": "matrix test"}}
    if "/findings/" in path:
        return _findings_payload(path, role)
    if path == "/api/v1/estimate":
        return {"json": {"method": "loglinear"}}
    if path.endswith("/estimates/run"):
        body: dict[str, Any] = {"method": "loglinear", "linkage_draws": 0}
        return {"json": body} if path.startswith("/api/") else {"data": body}
    if path.endswith("/estimates/record"):
        body = {"job": int(_JOB["estimate_job"]), "label": f"Fictional matrix estimate {role}"}
        return {"json": body} if path.startswith("/api/") else {"data": body}
    if path.endswith("/publish"):
        body = {"reason": f"matrix test: fictional reason given by {role}"}
        return {"json": body} if path.startswith("/api/") else {"data": body}
    if path == "/account/password":
        # Refused (the two new passwords differ): the shared users keep their passwords.
        return {"data": {"current": "x", "password": "pw-new-one-1", "again": "pw-new-two-2"}}
    if path.endswith(("/retract", "/restore")):
        body = {"reason": f"authorization matrix test by {role} (fictional)"}
        return {"json": body} if path.startswith("/api/") else {"data": body}
    if path.endswith(("/reset-totp", "/unlock")):
        return {"data": {"reason": "authorization matrix test (fictional case)"}}
    if path == "/login":
        return {"data": {"username": "nobody", "password": "wrong-password"}}
    if path == "/login/totp":
        return {"data": {"code": "000000"}}
    if path == "/evidence/{item_id}/transcript" and method == "POST":
        # The seeded case is shared by the web tests: corrections go to a note that no other
        # test reads, each adding a line so it is a new version.
        corrected = NOTE_TEXT.decode() + f"Corrected by {role} {next(_counter)}.\n"
        return {"data": {"text": corrected}}
    if path == "/api/v1/search":
        return {"params": {"q": "Qarya"}}
    if path == "/api/v1/evidence/{item_id}/transcript" and method == "POST":
        corrected = NOTE_TEXT.decode() + f"Corrected via the API by {role} {next(_counter)}.\n"
        return {"json": {"text": corrected, "note": "matrix test"}}
    if path == "/evidence/{item_id}/location":
        return {"data": {"reason": "authorization matrix test (fictional photo)"}}
    if path.endswith("/metadata/reveal"):
        return {"json": {"reason": "authorization matrix test (fictional photo)"}}
    if path.endswith("/same-media/decide"):
        body = {"a": _MEDIA["photo"], "b": _MEDIA["copy"], "verdict": "accept"}
        body["reason"] = "matrix test"
        return {"json": body} if path.startswith("/api/") else {"data": body}
    if path == "/search" and method == "POST":
        return {"data": {"q": "Qarya", "reason": "authorization matrix test (fictional)"}}
    if path == "/search":
        return {"params": {"q": "Qarya"}}
    if method == "GET" and path in ("/api/v1/compare", "/sources/compare"):
        return {"params": {"a": "1", "b": "2"}}
    if path == "/sources/compare":
        return {"data": {"earlier": "A fictional text.", "later": "A fictional text, copied."}}
    if path == "/api/v1/compare":
        return {
            "json": {
                "earlier": {"text": "A fictional text."},
                "later": {"text": "A fictional text, copied."},
            }
        }
    return {}


def _classify(r: Any, *, api: bool) -> str:
    if r.status_code == 501:
        return PENDING
    if r.status_code in (401, 403):
        return "deny"
    if r.status_code in (301, 302, 303, 307) and r.headers.get("location", "").startswith("/login"):
        return "deny"
    if r.status_code < 400:
        return "allow"
    path = r.request.url.path
    if r.status_code == 409 and path.endswith("/cancel"):
        return "allow"  # permitted; the (finished) job just cannot be cancelled any more
    if r.status_code == 422 and path == "/account/password":
        return "allow"  # permitted; the two new passwords differed (nothing changed)
    if r.status_code == 409 and path.endswith(("/retract", "/restore")):
        return "allow"  # permitted; the record is already retracted (or not retracted)
    if r.status_code == 404 and "/files/" in path:
        return "allow"  # permitted; the linkage job simply keeps no file of that name
    return f"error {r.status_code}"


@pytest.fixture(scope="module")
def clients(app: Any, seeded: dict[str, Any]) -> Any:
    _prepare_findings(app, seeded)
    _SEEDED.update(seeded)
    _prepare_media(app)
    _prepare_retractables(app)
    out: dict[str, Client] = {}
    for role in ROLES:
        c = Client(app)
        c.login(role)
        out[role] = c
    out[ANON] = Client(app)
    out[ANON].get("/login")  # an anonymous session, so the CSRF token exists
    r = out["admin"].post(
        "/api/v1/lists/link", headers={"Authorization": f"Bearer {seeded['tokens']['admin']}"}
    )
    assert r.status_code == 202, r.text
    _JOB["id"] = str(r.json()["id"])
    _wait_for_jobs(app)
    _prepare_estimates(app)
    yield out
    for c in out.values():
        c.close()


def _prepare_estimates(app: Any) -> None:
    """A finished estimate job (to record) and a recorded estimate its gates hold back
    (an LCMCR run stopped far short of its targets), for the estimate routes."""
    from dalil.estimate import CaptureTable, estimate
    from dalil.services import estimates

    case = app.state.case
    with case.act(USERS["admin"]) as ctx:
        jid = int(estimates.submit_estimate(ctx, {"linkage_draws": 0, "seed": 1})["id"])
    # the app's own runner is started by web submissions only
    assert run_job(case, jid, timeout=120) == "done"
    _JOB["estimate_job"] = str(jid)
    table = CaptureTable.from_patterns(
        ["A", "B", "C"], {"111": 72, "110": 155, "101": 7, "100": 71, "011": 13, "010": 53}
    )
    short = estimate(table, method="lcmcr", seed=1, burnin=50, samples=20, thinning=1)
    assert not short.to_dict()["publication"]["ok"]
    with case.act(USERS["admin"]) as ctx:
        rid = estimates.record_estimate(ctx, "Fictional gated estimate", short.to_dict())
    _JOB["gated_estimate"] = str(rid)


#: The seeded lists hold records 1-3 (list A) and 4-6 (list B); 1-4 and 2-6 are the same
#: fictional people. Each role that may decide gets a pair of its own where a vote or a
#: settlement counts once.
_BLIND_VOTE = {"admin": "1-3", "investigator": "1-5", "analyst": "1-6"}
_BLIND_SETTLE = {"admin": ("2-5", "ivy", "ana"), "investigator": ("3-4", "coordinator", "ana"),
                 "analyst": ("3-6", "coordinator", "ivy")}  # fmt: skip


def _pair_for(app: Any, method: str, path: str, role: str) -> str:
    """The pair a request of *role* names, with what it needs stored first (a decision
    to undo, a pair in blind review to vote on, a disagreement to settle)."""
    from dalil.services import blind_review, lists

    case = app.state.case
    if path.endswith("/undo"):
        with case.act(USERS["admin"]) as ctx:
            lists.decide(ctx, "3-5", "reject", note="matrix test: undone next")
        return "3-5"
    if path.endswith("/blind-vote"):
        pair = _BLIND_VOTE.get(role, "2-3")
        with case.act(USERS["admin"]) as ctx:
            blind_review.start(ctx, [pair])
        return pair
    if path.endswith("/blind-settle"):
        pair, first, second = _BLIND_SETTLE.get(role, ("2-4", "coordinator", "ivy"))
        with case.act(USERS["admin"]) as ctx:
            new = bool(blind_review.start(ctx, [pair])["started"])
        for who, verdict in ((first, "accept"), (second, "reject")) if new else ():
            with case.act(who) as ctx:
                blind_review.vote(ctx, pair, verdict)
        return pair
    return "2-6" if path.endswith("/decide") else "1-4"


def _fresh_blind(app: Any, pair: str) -> None:
    """Forget *pair*'s blind review and decision (the matrix reuses its few pairs)."""
    from sqlalchemy import delete, select

    from dalil.model.lists import BlindItem, BlindVote, LinkDecision

    a, b = (int(x) for x in pair.split("-"))
    with app.state.case.act(USERS["admin"]) as ctx:
        item = ctx.session.scalar(select(BlindItem.id).where(BlindItem.pair == pair))
        ctx.session.execute(delete(BlindVote).where(BlindVote.item_id == item))
        ctx.session.execute(delete(BlindItem).where(BlindItem.pair == pair))
        ctx.session.execute(
            delete(LinkDecision).where(LinkDecision.record_a == a, LinkDecision.record_b == b)
        )


def _review_session(app: Any, role: str) -> int:
    """A review session of *role*'s user (one that may not have one: an admin's)."""
    from dalil.services import pair_review

    who = USERS[role] if role in ("admin", "investigator", "analyst", "legal") else USERS["admin"]
    with app.state.case.act(who) as ctx:
        return int(pair_review.start_review(ctx, "matrix test (fictional lists)")["id"])


def _split_target(app: Any) -> tuple[int, int]:
    """A victim whose cluster holds two records or more as the case stands now, and the
    newest of them, such that none of the pairs the split decides is in blind double
    review: a split (or a linkage run) by another test in this process may already have
    taken record 4 off the seeded victim, the matrix's blind-review routes hold some
    pairs open, and xdist may run this route's case before or after the matrix's own
    decide and link cases."""
    from sqlalchemy import select

    from dalil.model.lists import ListRecord
    from dalil.services.blind_review import pairs_in_blind_review
    from dalil.services.lists import pair_key

    with app.state.case.act(USERS["admin"], write=False) as ctx:
        held = pairs_in_blind_review(ctx)
        clusters: dict[int, list[int]] = {}
        for rid, pid in ctx.session.execute(
            select(ListRecord.id, ListRecord.person_id).where(ListRecord.person_id.is_not(None))
        ):
            clusters.setdefault(int(pid), []).append(int(rid))
    for person, members in sorted(clusters.items()):
        if len(members) < 2:
            continue
        record = max(members)
        if not any(pair_key(f"{record}-{other}") in held for other in members if other != record):
            return person, record
    raise AssertionError(f"no victim has two records free of blind review: {clusters}, {held}")


def _request(c: Client, method: str, path: str, role: str, seeded: dict[str, Any]) -> Any:
    url = _concrete(path, seeded)
    if path.endswith(("/blind-vote", "/blind/vote")):
        _fresh_blind(c.app, _BLIND_VOTE.get(role, "2-3"))
    if path.endswith(("/blind-settle", "/blind/settle")):
        _fresh_blind(c.app, _BLIND_SETTLE.get(role, ("2-4", "", ""))[0])
    if "{pair}" in url:
        url = url.replace("{pair}", _pair_for(c.app, method, path, role))
    if "{session_id}" in url:
        url = url.replace("{session_id}", str(_review_session(c.app, role)))
    kw = _payload(method, path, role)
    if path == "/lists/clusters/{person_id}/split":
        person, record = _split_target(c.app)
        url = f"/lists/clusters/{person}/split"
        kw = {"data": {"record": str(record), "note": "matrix (fictional)"}}
    if path.endswith("/pairs/{pair}/names"):
        kw = {"json": {"review_session": _review_session(c.app, role)}}
    if path.endswith(("/blind/vote", "/blind/settle")):
        pair = _pair_for(c.app, method, path.replace("/blind/", "/blind-"), role)
        kw = {"json": {"pair": pair, "verdict": "accept"}}
    headers: dict[str, str] = {}
    if url.startswith("/api/v1/") and role != ANON and url != "/api/v1/openapi.json":
        headers["Authorization"] = f"Bearer {seeded['tokens'][role]}"
    elif method in ("POST", "PATCH"):
        # Forms carry the session's CSRF token (the matrix tests authorization, not CSRF).
        token = c.csrf("/login") if role == ANON else c.csrf("/users")
        if "data" in kw:
            kw["data"] = {**kw["data"], "csrf_token": token}
        else:
            headers["X-CSRF-Token"] = token
    return c.request(method, url, headers=headers, **kw)


@pytest.mark.parametrize("route", sorted(EXPECTED), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_allows_exactly_the_expected_roles(
    route: tuple[str, str], clients: dict[str, Client], seeded: dict[str, Any], app: Any
) -> None:
    fresh: list[Client] = []
    if route == ("POST", "/logout"):
        # Logging out would end the shared sessions: use fresh ones.
        clients = {role: Client(app) for role in (*ROLES, ANON)}
        fresh = list(clients.values())
        for role in ROLES:
            clients[role].login(role)
    try:
        _check_route(route, clients, seeded, app)
    finally:
        for c in fresh:
            c.close()


def _check_route(
    route: tuple[str, str], clients: dict[str, Client], seeded: dict[str, Any], app: Any
) -> None:
    method, path = route
    expected = EXPECTED[route]
    api = path.startswith("/api/")
    if "/users/{name}/" in path:
        # tmp-user as the admin routes find it enabled: the disable route's case may have
        # run before in this process and the enable route's in another (xdist splits the
        # parametrized cases), and a disabled user gets no token
        from dalil.services import users

        with app.state.case.act(USERS["admin"]) as ctx:
            users.update_user(ctx, "tmp-user", disabled=False)
    got: dict[str, str] = {}
    statuses: dict[str, int] = {}
    for role in (*ROLES, ANON):
        r = _request(clients[role], method, path, role, seeded)
        if path.endswith("/lists/link"):
            _wait_for_jobs(app)  # one linkage run at a time
        got[role] = _classify(r, api=api)
        statuses[role] = r.status_code
        if role == ANON and api and path != "/api/v1/openapi.json":
            assert r.status_code == 401, f"{method} {path}: anonymous API call got {r.status_code}"
    if expected == PENDING:
        assert got[ANON] == "deny", f"{method} {path}: anonymous visitor not turned away"
        assert all(got[r] == PENDING for r in ROLES), got
        return
    assert isinstance(expected, frozenset)
    want = {role: ("allow" if role in expected else "deny") for role in (*ROLES, ANON)}
    if route in LOGIN_FLOW:
        # The login flow is public; its answers (a 401 form for a wrong password, back
        # to /login without a pending second factor) are not permission decisions, but
        # it must never answer 403 or fail.
        assert all(v in ("allow", "deny") for v in got.values()), got
        assert all(_status != 403 for _status in statuses.values()), statuses
        return
    assert got == want, f"{method} {path}"


def test_users_named_in_matrix_exist() -> None:
    assert set(USERS) == set(ROLES)


# --- findings: records of their own, so that each allowed role's request can succeed ----

_FINDINGS: dict[str, Any] = {}
MATRIX_REVIEWEE = "lee-matrix"  # a second legal user who assesses the act signed off here
SITE_STEPS = {"admin": "located", "investigator": "secured", "analyst": "exhumed"}


def _prepare_findings(app: Any, seeded: dict[str, Any]) -> None:
    """An act fully assessed by another legal user (so admin and legal may both sign it
    off) and one fresh site per route (page, API) whose status the writers advance."""
    from dalil.services import assessments, records, users

    case = app.state.case
    with case.act(USERS["admin"]) as ctx:
        users.add_user(ctx, MATRIX_REVIEWEE, "legal", "pw-matrix-legal-fictional")
        act = records.add(
            ctx,
            "act",
            incident_id=seeded["incident"],
            act_type="killing",
            victim_id=seeded["person"] + 3,
            status="likely",
        )
        sites = [
            records.add(
                ctx,
                "site",
                name=f"Fictional matrix site {i}",
                site_type="mass_grave",
                status="reported",
            )
            for i in range(2)
        ]
    with case.act(MATRIX_REVIEWEE) as ctx:
        for element in ("civilian", "deliberate", "identity", "party", "nexus"):
            assessments.assess(ctx, act.id, element, "likely", note="matrix test (fictional)")
    _FINDINGS.update(
        evidence=seeded["evidence"], signed_act=act.id, site_page=sites[0].id, site_api=sites[1].id
    )


def _findings_concrete(path: str, seeded: dict[str, Any]) -> str:
    api = path.startswith("/api/")
    if "/acts/" in path:
        ident = _FINDINGS["signed_act"] if path.endswith("/sign-off") else seeded["act"]
    elif "/sites/" in path:
        ident = _FINDINGS["site_api" if api else "site_page"]
    else:
        ident = seeded["incident"]
    return path.replace("{item_id}", str(ident)).replace("{fmt}", "csv")


def _findings_payload(path: str, role: str) -> dict[str, Any]:
    api = path.startswith("/api/")
    body: dict[str, Any] = {}
    if path.endswith("/assess") and "/incidents/" in path:
        body = {"finding": "likely", "note": f"matrix {role}"}
    elif path.endswith("/assess"):
        body = {"element": "civilian", "finding": "likely", "note": f"matrix {role}"}
    elif path.endswith("/coding"):
        ev = _FINDINGS["evidence"]  # the stated toll must cite its source
        body = (
            {"actor1": "Fictional Brigade", "fatality_sources": {"best": [ev]}}
            if api
            else {"actor1": "Fictional Brigade", "sources_best": ev}
        )
    elif path.endswith("/status"):
        body = {"status": SITE_STEPS.get(role, "located"), "on": "2025-04-01"}
    elif path.endswith("/reports"):
        body = {"audience": "internal", "format": "html"}
    elif path.endswith("/vetting"):
        csv = b"name,unit\nFictional Applicant,Fictional Brigade\n"
        if api:
            return {"params": {"name": "personnel-fictional.csv"}, "content": csv}
        return {
            "data": {"threshold": "0.5"},
            "files": {"file": ("personnel-fictional.csv", csv, "text/csv")},
        }
    elif path.endswith("/sign-off"):
        body = {"note": f"matrix {role}"} if api else {}
    return {"json": body} if api else {"data": body}
