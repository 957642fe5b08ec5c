"""Perpetrator persons on acts and dated site status changes, in the forms and the API
(the same service functions, the same audit). All data fictional."""

from __future__ import annotations

from typing import Any

from dalil.services import persons, records

from .conftest import USERS, Client


def _bearer(seeded: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded['tokens'][role]}"}


def _form(c: Client, url: str, data: dict[str, Any]) -> Any:
    token = c.csrf(url)
    return c.post(url, data={**data, "csrf_token": token})


def test_perpetrator_persons_in_the_form_api_and_person_page(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    with app.state.case.act(USERS["admin"]) as ctx:
        s1 = persons.add_person(ctx, pseudonym="S-Web-Fict-1", roles=["suspect"]).id
        s2 = persons.add_person(ctx, pseudonym="S-Web-Fict-2", roles=["suspect"]).id
        victim = persons.add_person(ctx, pseudonym="V-Web-Fict", roles=["victim"]).id
    client.login("investigator")
    page = client.get("/acts/new")
    assert 'name="perpetrator_ids"' in page.text and "multiple" in page.text
    r = _form(
        client,
        "/acts/new",
        {
            "incident_id": str(seeded["incident"]),
            "victim_id": str(victim),
            "act_type": "killing",
            # the hidden empty input, and two persons chosen (one in Arabic-Indic digits)
            "perpetrator_ids": [
                "",
                str(s1),
                str(s2).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
            ],
        },
    )
    assert r.status_code == 303, r.text
    act_id = int(r.headers["location"].split("/")[2].split("?")[0])
    api = client.get(f"/api/v1/acts/{act_id}", headers=_bearer(seeded, "viewer"))
    assert api.json()["perpetrator_ids"] == [s1, s2]
    etag = api.headers["ETag"]
    shown = client.get(f"/acts/{act_id}")
    assert "S-Web-Fict-1" in shown.text and "S-Web-Fict-2" in shown.text
    got = client.get(f"/api/v1/persons/{s1}", headers=_bearer(seeded, "viewer")).json()
    assert got["acts_as_perpetrator"] == [act_id] and got["acts_as_victim"] == []
    got = client.get(f"/api/v1/persons/{victim}", headers=_bearer(seeded, "viewer")).json()
    assert got["acts_as_victim"] == [act_id] and got["acts_as_perpetrator"] == []
    person = client.get(f"/persons/{s1}")
    assert "Acts as perpetrator" in person.text and f'href="/acts/{act_id}"' in person.text
    # The API edits them by id; an unknown person is refused and nothing changes.
    h = {**_bearer(seeded, "analyst"), "If-Match": etag}
    bad = client.request(
        "PATCH", f"/api/v1/acts/{act_id}", json={"perpetrator_ids": [s1, 987654]}, headers=h
    )
    assert bad.status_code == 404 and bad.json()["field"] == "perpetrator_ids"
    ok = client.request(
        "PATCH", f"/api/v1/acts/{act_id}", json={"perpetrator_ids": [s2]}, headers=h
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["perpetrator_ids"] == [s2]
    assert f'href="/acts/{act_id}"' not in client.get(f"/persons/{s1}").text
    got = client.get(f"/api/v1/persons/{s1}", headers=_bearer(seeded, "viewer")).json()
    assert got["acts_as_perpetrator"] == []


def test_site_status_change_in_the_form_and_the_api(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    with app.state.case.act(USERS["admin"]) as ctx:
        sid = records.add(ctx, "site", name="Fictional grave for status", site_type="burial").id
    client.login("investigator")
    page = client.get(f"/sites/{sid}/edit")
    assert 'id="status-event"' in page.text and 'name="status"' not in page.text
    r = _form(
        client,
        f"/sites/{sid}/edit",
        {"name": "Fictional grave for status", "site_type": "burial",
         "ev_status": "located", "ev_on": "٢٠٢٥-٠٤-٠٢", "ev_note": "Fictional survey"},
    )  # fmt: skip
    assert r.status_code == 303, r.text
    site = client.get(f"/api/v1/sites/{sid}", headers=_bearer(seeded, "viewer")).json()
    assert site["status"] == "located"
    # Backwards is refused, the input kept, nothing stored.
    r = _form(
        client,
        f"/sites/{sid}/edit",
        {"name": "Fictional grave renamed", "site_type": "burial",
         "ev_status": "reported", "ev_on": "2025-05-01"},
    )  # fmt: skip
    assert r.status_code in (409, 422) and 'id="form-problem"' in r.text
    assert 'value="Fictional grave renamed"' in r.text
    assert client.get(f"/api/v1/sites/{sid}", headers=_bearer(seeded, "viewer")).json()["name"] == (
        "Fictional grave for status"
    )
    # The API: a status_event in the PATCH body.
    h = _bearer(seeded, "analyst")
    r = client.request(
        "PATCH",
        f"/api/v1/sites/{sid}",
        json={"status_event": {"status": "secured", "on": "2025-05-03", "note": "Fictional"}},
        headers=h,
    )
    assert r.status_code == 200, r.text and r.json()["status"] == "secured"
    assert r.json()["status"] == "secured"
    r = client.request(
        "PATCH", f"/api/v1/sites/{sid}", json={"status_event": {"status": "exhumed"}}, headers=h
    )
    assert r.status_code == 422 and r.json()["field"] == "status_event"
    r = client.request(
        "PATCH",
        f"/api/v1/acts/{seeded['act']}",
        json={"status_event": {"status": "located"}},
        headers=h,
    )
    assert r.status_code == 422
    hist = client.get(f"/api/v1/findings/sites/{sid}", headers=_bearer(seeded, "viewer")).json()
    assert [h["status"] for h in hist["history"]] == ["located", "secured"]
