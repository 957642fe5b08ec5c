"""Retract and restore in the pages and the API: through the service layer (same
permission, same audit), the record leaves lists and search, its page says who retracted
it, when and why. All data fictional."""

from __future__ import annotations

from typing import Any

from dalil.core import audit
from dalil.services import records

from .conftest import USERS, Client


def _bearer(seeded: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded['tokens'][role]}"}


def _form(c: Client, url: str, data: dict[str, Any], csrf_from: str) -> Any:
    token = c.csrf(csrf_from)
    return c.post(url, data={**data, "csrf_token": token})


def _new_incident(app: Any, title: str) -> int:
    with app.state.case.act(USERS["admin"]) as ctx:
        return int(records.add(ctx, "incident", title=title).id)


def _log(app: Any, **kw: Any) -> list[dict[str, Any]]:
    with app.state.case.system_session() as s:
        return [e.to_dict() for e in audit.query(s, **kw)]


def test_api_retract_and_restore(client: Client, seeded: dict[str, Any], app: Any) -> None:
    iid = _new_incident(app, "Fictional incident retracted through the API")
    url = f"/api/v1/incidents/{iid}"
    # A viewer's retraction answers 403 and is logged; nothing changes.
    r = client.post(
        f"{url}/retract", json={"reason": "viewer tries"}, headers=_bearer(seeded, "viewer")
    )
    assert r.status_code == 403, r.text
    denied = _log(app, actor=USERS["viewer"], action="access.denied")
    assert denied and denied[-1]["detail"]["permission"] == "record.write"
    assert "retraction" not in client.get(url, headers=_bearer(seeded, "viewer")).json()
    # No reason: refused before anything is written.
    r = client.post(f"{url}/retract", json={"reason": ""}, headers=_bearer(seeded, "investigator"))
    assert r.status_code == 422
    r = client.post(
        f"{url}/retract",
        json={"reason": "entered twice (fictional)"},
        headers=_bearer(seeded, "investigator"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["by"] == USERS["investigator"]
    shown = client.get(url, headers=_bearer(seeded, "viewer")).json()
    assert shown["retraction"]["reason"] == "entered twice (fictional)"
    assert shown["retraction"]["by"] == USERS["investigator"]
    listed = client.get("/api/v1/incidents?limit=500", headers=_bearer(seeded, "viewer")).json()
    assert iid not in {i["id"] for i in listed["items"]}
    only = client.get(
        "/api/v1/incidents?retracted=only&limit=500", headers=_bearer(seeded, "viewer")
    ).json()
    assert iid in {i["id"] for i in only["items"]}
    assert (
        client.get(
            "/api/v1/incidents?retracted=bogus", headers=_bearer(seeded, "viewer")
        ).status_code
        == 422
    )
    # Twice: 409; restore with a reason; restore twice: 409.
    again = client.post(
        f"{url}/retract", json={"reason": "again"}, headers=_bearer(seeded, "admin")
    )
    assert again.status_code == 409
    r = client.post(
        f"{url}/restore", json={"reason": "not a duplicate"}, headers=_bearer(seeded, "analyst")
    )
    assert r.status_code == 200, r.text
    assert (
        client.post(
            f"{url}/restore", json={"reason": "again"}, headers=_bearer(seeded, "analyst")
        ).status_code
        == 409
    )
    listed = client.get("/api/v1/incidents?limit=500", headers=_bearer(seeded, "viewer")).json()
    assert iid in {i["id"] for i in listed["items"]}
    actions = [e["action"] for e in _log(app, object_id=f"incident:{iid}")]
    assert actions == ["incident.add", "incident.retract", "incident.restore"]


def test_page_retract_shows_who_when_why_and_leaves_the_list(client: Client, app: Any) -> None:
    iid = _new_incident(app, "Fictional incident retracted in the browser")
    client.login("investigator")
    page = client.get(f"/incidents/{iid}")
    assert 'id="retract-form"' in page.text and "data-confirm=" in page.text
    r = _form(client, f"/incidents/{iid}/retract", {"reason": "x"}, f"/incidents/{iid}")
    # refused: the page again, the refusal next to the field and the reason kept
    assert r.status_code == 422 and 'id="retract-error"' in r.text
    assert '<textarea id="retract-reason"' in r.text and ">x</textarea>" in r.text
    r = _form(
        client,
        f"/incidents/{iid}/retract",
        {"reason": "Fictional reason: recorded in the wrong case"},
        f"/incidents/{iid}",
    )
    assert r.status_code == 303 and r.headers["location"] == f"/incidents/{iid}?retract=retracted"
    page = client.get(r.headers["location"])
    assert 'id="retraction"' in page.text and 'id="retract-done"' in page.text
    assert "Fictional reason: recorded in the wrong case" in page.text
    assert USERS["investigator"] in page.text
    assert f'action="/incidents/{iid}/restore"' in page.text
    assert f'href="/incidents/{iid}/edit"' not in page.text  # restore first, then edit
    assert f'href="/incidents/{iid}"' not in client.get("/incidents?limit=500").text
    assert f'href="/incidents/{iid}"' in client.get("/incidents?retracted=only&limit=500").text
    # In Arabic, the notice is translated.
    ar = client.get(f"/incidents/{iid}?lang=ar")
    assert 'id="retraction"' in ar.text and "مسحوب" in ar.text
    # A viewer sees the notice, never the form.
    viewer = Client(app)
    try:
        viewer.login("viewer")
        vpage = viewer.get(f"/incidents/{iid}")
        assert 'id="retraction"' in vpage.text and 'id="retract-form"' not in vpage.text
    finally:
        viewer.close()
    r = _form(
        client,
        f"/incidents/{iid}/restore",
        {"reason": "Fictional: it was right"},
        f"/incidents/{iid}",
    )
    assert r.headers["location"] == f"/incidents/{iid}?retract=restored"
    assert f'href="/incidents/{iid}"' in client.get("/incidents?limit=500").text


def test_evidence_is_retracted_by_its_sha256(client: Client, seeded: dict[str, Any]) -> None:
    sha = seeded["evidence"]
    url = f"/api/v1/evidence/{sha}"
    r = client.post(
        f"{url}/retract",
        json={"reason": "Fictional: wrong upload"},
        headers=_bearer(seeded, "admin"),
    )
    assert r.status_code == 200, r.text
    try:
        listed = client.get("/api/v1/evidence?limit=500", headers=_bearer(seeded, "admin")).json()
        assert sha not in {i["sha256"] for i in listed["items"]}
        assert (
            client.get(url, headers=_bearer(seeded, "admin")).json()["retraction"]["by"]
            == USERS["admin"]
        )
    finally:
        r = client.post(
            f"{url}/restore",
            json={"reason": "Fictional: restored"},
            headers=_bearer(seeded, "admin"),
        )
        assert r.status_code == 200, r.text


def test_an_act_of_a_retracted_victim_keeps_its_victim_in_the_edit_form(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    """The choice lists leave retracted records out; the value a record holds stays
    chosen, so saving the form does not lose it."""
    from dalil.services import persons, retractions

    with app.state.case.act(USERS["admin"]) as ctx:
        victim = persons.add_person(ctx, pseudonym="V-Retracted-Fict", roles=["victim"]).id
        act = records.add(
            ctx, "act", incident_id=seeded["incident"], victim_id=victim, act_type="injury"
        ).id
        retractions.retract(ctx, "person", victim, reason="Fictional: entered twice")
    client.login("investigator")
    form = client.get(f"/acts/{act}/edit").text
    assert f'<option value="{victim}" selected>#{victim}</option>' in form
    assert "V-Retracted-Fict" not in client.get("/acts/new").text


def test_the_retract_form_lists_dependants_and_retracts_them_too_if_asked(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    from dalil.services import persons

    with app.state.case.act(USERS["admin"]) as ctx:
        inc = records.add(ctx, "incident", title="Fictional raid on Qaryat-Zeta").id
        victim = persons.add_person(ctx, pseudonym="V-Cascade-Fict", roles=["victim"]).id
        act = records.add(ctx, "act", incident_id=inc, victim_id=victim, act_type="killing").id
    r = client.get(f"/api/v1/incidents/{inc}/dependants", headers=_bearer(seeded, "viewer"))
    assert r.status_code == 200, r.text
    assert [(d["kind"], d["id"], d["href"]) for d in r.json()] == [("act", act, f"/acts/{act}")]
    client.login("investigator")
    page = client.get(f"/incidents/{inc}").text
    form = page[page.index('id="retract-form"') :].split("</form>")[0]
    assert 'id="retract-dependants"' in form and f'href="/acts/{act}"' in form
    assert 'name="with_dependants"' in form
    ar = client.get(f"/incidents/{inc}?lang=ar").text
    assert "السجلات التي تعتمد عليه" in ar
    r = _form(
        client,
        f"/incidents/{inc}/retract",
        {"reason": "Fictional: the raid was entered in the wrong case", "with_dependants": "1"},
        f"/incidents/{inc}",
    )
    assert r.status_code == 303 and r.headers["location"].endswith("?retract=retracted")
    assert 'id="retraction"' in client.get(f"/acts/{act}").text  # retracted with it
    page = client.get(f"/incidents/{inc}").text
    restore = page[page.index('id="restore-with"') :].split("</div>")[0]
    assert f'href="/acts/{act}"' in restore  # the restore form says what comes back
    [entry] = _log(app, action="incident.retract", object_id=f"act:{act}")
    assert entry["object_ids"] == [f"incident:{inc}", f"act:{act}"]
    r = _form(client, f"/incidents/{inc}/restore", {"reason": "Fictional: right case"},
              f"/incidents/{inc}")  # fmt: skip
    assert r.headers["location"].endswith("?retract=restored")
    page = client.get(f"/acts/{act}").text
    assert 'id="retraction"' not in page and 'id="upstream"' not in page
    # Only the victim this time: the act stays in force and says what it rests on.
    r = client.post(
        f"/api/v1/persons/{victim}/retract",
        json={"reason": "Fictional: a placeholder person"},
        headers=_bearer(seeded, "investigator"),
    )
    assert r.status_code == 200, r.text
    [dep] = r.json()["dependants"]
    assert (dep["kind"], dep["id"], dep["cascade"]) == ("act", act, False)
    page = client.get(f"/acts/{act}").text
    assert 'id="retraction"' not in page
    notice = page[page.index('id="upstream"') :].split("</div>")[0]
    assert f'href="/persons/{victim}"' in notice and "Fictional: a placeholder person" in notice
    assert "يعتمد على سجل مسحوب" in client.get(f"/acts/{act}?lang=ar").text


def test_an_estimate_page_says_it_predates_a_retraction(client: Client, app: Any) -> None:
    from dalil.estimate import CaptureTable, estimate
    from dalil.services import estimates, persons, retractions

    table = CaptureTable.from_patterns(["A", "B"], {"11": 40, "10": 25, "01": 30})
    result = estimate(table, method="loglinear").to_dict()
    with app.state.case.act(USERS["analyst"]) as ctx:
        eid = estimates.record_estimate(ctx, "Fictional estimate before", result)
    client.login("analyst")
    block = client.get("/estimates").text
    block = block[block.index(f'id="estimate-{eid}"') :].split("</section>")[0]
    assert f'id="estimate-{eid}-stale"' not in block
    with app.state.case.act(USERS["admin"]) as ctx:
        p = persons.add_person(ctx, pseudonym="V-Stale-Fict", roles=["victim"]).id
        retractions.retract(ctx, "person", p, reason="Fictional: not a victim")
    for lang, words in (
        ("en", "Computed before 1 records were retracted"),
        ("ar", "حُسب قبل سحب 1"),
    ):
        page = client.get(f"/estimates?lang={lang}").text
        block = page[page.index(f'id="estimate-{eid}"') :].split("</section>")[0]
        assert f'id="estimate-{eid}-stale"' in block and words in block
