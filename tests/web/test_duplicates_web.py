"""Possible duplicates while a victim is typed in, in the record-a-killing flow, the
person form and the API; dates typed as people write them; a file already held.
Names and data fictional."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from dalil.core import audit

from .conftest import LEGAL_NAME, Client

ARABIC = "سلمى نبيل حداد"  # fictional


def _bearer(seeded: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded['tokens'][role]}"}


def _form(c: Client, url: str, data: dict[str, Any]) -> Any:
    return c.post(url, data={**data, "csrf_token": c.csrf(url)})


def _person_with_arabic_name(c: Client, seeded: dict[str, Any]) -> int:
    r = c.post(
        "/api/v1/persons",
        headers=_bearer(seeded, "investigator"),
        json={"pseudonym": f"V-dupe-{secrets.token_hex(6)}", "roles": ["victim"], "sex": "female",
              "age": 30, "legal_name": ARABIC},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_api_finds_the_arabic_name_typed_in_latin_by_pseudonym_only(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    pid = _person_with_arabic_name(client, seeded)
    r = client.post(
        "/api/v1/persons/duplicates",
        headers=_bearer(seeded, "analyst"),  # may write, may not reveal
        json={"name": "Salma Haddad", "sex": "female", "age": 31},
    )
    assert r.status_code == 200, r.text
    matches = r.json()["matches"]
    assert matches[0]["kind"] == "person" and matches[0]["person_id"] == pid
    assert matches[0]["likely"] and matches[0]["label"].startswith("V-dupe-")
    assert ARABIC not in r.text and "Salma" not in r.text
    r = client.post(
        "/api/v1/persons/duplicates",
        headers=_bearer(seeded, "investigator"),
        json={"name": "Fictional Canary Name"},
    )
    assert r.status_code == 200 and LEGAL_NAME not in r.text
    assert "W-1" in [m["label"] for m in r.json()["matches"]]
    r = client.post(
        "/api/v1/persons/duplicates", headers=_bearer(seeded, "viewer"), json={"name": "Salma"}
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/persons/duplicates",
        headers=_bearer(seeded, "analyst"),
        json={"name": "Salma", "date": "31 June 2025"},
    )
    assert r.status_code == 422 and "date" in r.text
    with app.state.case.system_session() as s:
        entries = [e.to_dict() for e in audit.query(s)]
    logged = [e for e in entries if e["action"] == "person.search_duplicates"]
    assert logged and f"person:{pid}" in logged[-2]["object_ids"] + logged[-1]["object_ids"]
    every = json.dumps(entries, ensure_ascii=False)
    assert "Salma Haddad" not in every


def test_record_killing_check_step_then_picking_the_suggested_person(
    client: Client, seeded: dict[str, Any]
) -> None:
    pid = _person_with_arabic_name(client, seeded)
    client.login("investigator")
    page = client.get("/record-killing").text
    assert 'name="vic_name" type="password"' in page and 'id="check-dupes"' in page
    typed = {
        "inc_id": str(seeded["incident"]),
        "vic_name": "Salma Nabil Hadad",  # a typo, Latin script
        "vic_pseudonym": "V-dupe-new",
        "vic_sex": "female",
        "act_type": "killing",
        "act_date": "٨ آذار ٢٠٢٥",
    }
    r = _form(client, "/record-killing", {**typed, "check": "1"})  # the no-script step
    assert r.status_code == 200
    assert 'id="dupes-heading"' in r.text and f'value="{pid}"' in r.text
    assert ARABIC not in r.text
    assert 'value="Salma Nabil Hadad"' in r.text  # the user's own input, kept (masked)
    before = client.get("/api/v1/persons", headers=_bearer(seeded, "viewer")).json()["total"]
    r = _form(client, "/record-killing", typed)  # saving without having chosen
    assert r.status_code == 409 and 'id="dupes-first"' in r.text
    r = _form(client, "/record-killing", {**typed, "vic_pick": str(pid)})
    assert r.status_code == 303, r.text
    act = client.get(r.headers["location"]).text
    assert f'href="/persons/{pid}"' in act and "2025-03-08" in act
    after = client.get("/api/v1/persons", headers=_bearer(seeded, "viewer")).json()["total"]
    assert after == before  # the suggested person was used, none created
    r = _form(client, "/record-killing", {**typed, "vic_pick": ""})  # "None of these"
    assert r.status_code == 303
    after = client.get("/api/v1/persons", headers=_bearer(seeded, "viewer")).json()["total"]
    assert after == before + 1


def test_analyst_record_killing_has_no_name_input(client: Client) -> None:
    client.login("analyst")
    page = client.get("/record-killing").text
    assert 'name="vic_name"' not in page and 'id="check-dupes"' in page


def test_person_form_warns_before_creating_a_duplicate(
    client: Client, seeded: dict[str, Any]
) -> None:
    pid = _person_with_arabic_name(client, seeded)
    client.login("investigator")
    typed = {"pseudonym": "V-dupe-form", "roles": ["victim"], "sex": "female",
             "legal_name": "Salma Haddad"}  # fmt: skip
    r = _form(client, "/persons/new", {**typed, "check": "1"})
    assert r.status_code == 200 and f'href="/persons/{pid}"' in r.text
    assert ARABIC not in r.text
    r = _form(client, "/persons/new", typed)
    assert r.status_code == 409 and 'name="dupes_seen"' in r.text
    r = _form(client, "/persons/new", {**typed, "dupes_seen": "1"})
    assert r.status_code == 303, r.text


def test_dates_typed_as_people_write_them_in_every_form(
    client: Client, seeded: dict[str, Any]
) -> None:
    client.login("investigator")
    cases = [
        ("/incidents/new", {"title": "Fictional dated incident", "date_start": "8 March 2025"},
         "2025-03-08"),
        ("/incidents/new", {"title": "Fictional dated incident 2", "date_start": "آذار ٢٠٢٥"},
         "2025-03"),
        ("/sites/new", {"name": "Fictional dated site", "site_type": "burial"}, None),
        ("/units/new", {"name": "Fictional dated unit", "kind": "militia"}, None),
    ]  # fmt: skip
    for url, data, shown in cases:
        r = _form(client, url, data)
        assert r.status_code == 303, (url, r.text[:300])
        if shown:
            assert shown in client.get(r.headers["location"]).text
    r = _form(
        client,
        "/acts/new",
        {"incident_id": str(seeded["incident"]), "victim_id": str(seeded["person"] + 4),
         "act_type": "killing", "date": "2025/3/9"},
    )  # fmt: skip
    assert r.status_code == 303 and "2025-03-09" in client.get(r.headers["location"]).text
    r = _form(
        client, "/sources/new", {"title": "Fictional dated source", "published": "March 2025"}
    )
    assert r.status_code == 303, r.text
    assert "2025-03" in client.get(r.headers["location"]).text


def test_source_form_error_next_to_the_field_with_input_kept(client: Client) -> None:
    client.login("investigator")
    r = _form(
        client,
        "/sources/new?lang=ar",
        {"title": "Fictional kept source", "publisher": "Fictional Watch", "published": "31/02"},
    )
    assert r.status_code == 422
    assert 'id="err-published"' in r.text and 'aria-invalid="true"' in r.text
    assert 'value="Fictional kept source"' in r.text and 'value="31/02"' in r.text
    assert "ليس تاريخًا" in r.text


def test_a_file_already_held_answers_that_source_or_item(
    client: Client, seeded: dict[str, Any]
) -> None:
    body = b"Fictional statement, held once only.\n"
    h = {**_bearer(seeded, "investigator"), "Content-Type": "application/octet-stream"}
    r = client.post("/api/v1/sources/upload?name=held.txt&title=Fictional+held", headers=h,
                    content=body)  # fmt: skip
    assert r.status_code == 202, r.text  # stored; its text extracted by a job
    sid = r.json()["source"]["id"]
    count = client.get("/api/v1/sources", headers=_bearer(seeded, "viewer")).json()["total"]
    r = client.post("/api/v1/sources/upload?name=again.txt&title=Fictional+again", headers=h,
                    content=body)  # fmt: skip
    assert r.status_code == 200 and r.json()["already_held"] == "source"
    assert r.json()["source"]["id"] == sid
    assert client.get("/api/v1/sources", headers=_bearer(seeded, "viewer")).json()["total"] == count
    r = client.post("/api/v1/evidence?name=again2.txt", headers=h, content=body)
    assert r.status_code == 200 and r.json()["already_held"] == "evidence"
    assert r.json()["source_id"] == sid
    client.login("investigator")
    page = client.get("/sources/new").text
    assert re.search(r'data-held="Already held as source \{n\}:"', page)


def test_compare_dates_typed_as_people_write_them(client: Client) -> None:
    client.login("viewer")
    texts = {"earlier": "Fictional text: 7 civilians were killed.", "later": "Fictional text."}
    r = _form(client, "/sources/compare", {**texts, "earlier_date": "٨ آذار ٢٠٢٥"})
    assert r.status_code == 200 and 'id="comparison-result"' in r.text
    r = _form(client, "/sources/compare?lang=ar", {**texts, "later_date": "March 2025"})
    assert r.status_code == 422 and 'id="err-later_date"' in r.text and "يلزم يوم هنا" in r.text
    assert 'value="March 2025"' in r.text and "7 civilians were killed" in r.text
    r = _form(client, "/sources/compare", {**texts, "earlier_date": "8 Marsh 2025"})
    assert r.status_code == 422 and 'id="err-earlier_date"' in r.text
