"""Create and edit records in the browser forms and the API (POST/PATCH): through the
service layer (same permissions, same audit), errors next to the field with the input
kept, stale edits refused, protected fields never sent back. All data fictional."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dalil.core import audit

from .conftest import LEGAL_NAME, USERS, Client

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _bearer(seeded: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded['tokens'][role]}"}


def _form(c: Client, url: str, data: dict[str, Any]) -> Any:
    token = c.csrf(url)
    return c.post(url, data={**data, "csrf_token": token})


def test_incidents_new_is_a_form_and_creates_an_incident(client: Client) -> None:
    client.login("investigator")
    r = client.get("/incidents/new")
    assert r.status_code == 200
    assert '<form method="post" action="/incidents/new"' in r.text
    assert 'id="f-title"' in r.text and "Type of incident" in r.text
    r = _form(
        client,
        "/incidents/new",
        {
            "title": "Fictional shelling of Tal Abyad (fictional)",
            "incident_type": "shelling",
            "date_start": "٢٠٢٥-٠٣",  # Arabic-Indic digits
            "place_name": "Tal Abyad (fictional)",
            "fatalities_best": "4",
        },
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    assert re.fullmatch(r"/incidents/\d+\?saved=1", url)
    page = client.get(url)
    assert "Saved." in page.text and "Fictional shelling of Tal Abyad" in page.text
    assert "2025-03" in page.text


def test_a_refused_value_is_shown_next_to_its_field_with_the_input_kept(client: Client) -> None:
    client.login("investigator")
    r = _form(
        client,
        "/incidents/new",
        {"title": "Fictional kept title", "date_start": "2025-02-30", "fatalities_best": "x"},
    )
    assert r.status_code == 422
    assert 'id="err-fatalities_best"' in r.text and "Not a whole number" in r.text
    assert 'value="Fictional kept title"' in r.text and 'value="2025-02-30"' in r.text
    r = _form(
        client,
        "/incidents/new",
        {"title": "Fictional kept title", "date_start": "2025-02-30"},
    )
    assert r.status_code == 422
    assert 'id="err-date_start"' in r.text and 'aria-invalid="true"' in r.text
    assert 'value="Fictional kept title"' in r.text
    r = _form(client, "/incidents/new?lang=ar", {"title": "", "date_start": "2025"})
    assert r.status_code == 422 and 'id="err-title"' in r.text and 'dir="rtl"' in r.text
    assert "مطلوب" in r.text


def test_an_act_names_its_victim_and_incident_in_the_form(
    client: Client, seeded: dict[str, Any]
) -> None:
    client.login("analyst")
    r = client.get(f"/acts/new?incident_id={seeded['incident']}")
    assert "W-1 (#" in r.text  # persons offered by pseudonym
    assert f'<option value="{seeded["incident"]}" dir="auto" selected>' in r.text
    r = _form(
        client,
        "/acts/new",
        {
            "incident_id": str(seeded["incident"]),
            "victim_id": str(seeded["person"] + 3),
            "act_type": "killing",
            "date": "2025-03-07",
            "perpetrator_unit_id": str(seeded["unit"]),
            "status": "possible",
        },
    )
    assert r.status_code == 303, r.text


def test_edit_form_is_audited_and_a_stale_version_is_refused(
    make_client: Any, seeded: dict[str, Any], app: Any
) -> None:
    a, b = make_client(), make_client()
    a.login("investigator")
    b.login("admin")
    r = _form(a, "/sites/new", {"name": "Fictional well site", "site_type": "burial"})
    sid = int(r.headers["location"].split("/")[2].split("?")[0])
    form_a = a.get(f"/sites/{sid}/edit").text
    form_b = b.get(f"/sites/{sid}/edit").text
    version = re.search(r'name="version" value="([^"]+)"', form_a).group(1)  # type: ignore[union-attr]
    assert version in form_b
    r = b.post(
        f"/sites/{sid}/edit",
        data={
            "csrf_token": b.csrf(f"/sites/{sid}/edit"),
            "version": version,
            "name": "Fictional well site",
            "site_type": "burial",
            "status": "located",
            "estimated_bodies": "9",
        },
    )
    assert r.status_code == 303, r.text
    r = a.post(
        f"/sites/{sid}/edit",
        data={
            "csrf_token": a.csrf(f"/sites/{sid}/edit"),
            "version": version,
            "name": "Fictional well site (renamed)",
            "site_type": "burial",
            "status": "reported",
        },
    )
    assert r.status_code == 409
    assert "changed by someone else" in r.text and "estimated_bodies" in r.text
    assert 'value="Fictional well site (renamed)"' in r.text  # input kept
    page = a.get(f"/sites/{sid}").text
    assert "Fictional well site (renamed)" not in page
    with app.state.case.system_session() as s:
        entries = [e.to_dict() for e in audit.query(s, object_id=f"site:{sid}")]
    upd = [e for e in entries if e["action"] == "site.update"]
    assert len(upd) == 1 and upd[0]["actor"] == "coordinator"
    assert upd[0]["detail"]["before"]["status"] == "reported"
    assert upd[0]["detail"]["after"]["status"] == "located"


def test_person_form_protected_fields_masked_and_never_sent_back(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    client.login("investigator")
    form = client.get("/persons/new").text
    assert 'id="f-legal_name" name="legal_name" type="password"' in form
    secret = "Fictional Protected Witness Name"
    r = _form(
        client,
        "/persons/new",
        {
            "pseudonym": "W-form-1",
            "roles": ["witness"],
            "sex": "female",
            "legal_name": secret,
            "dupes_seen": "1",  # its possible duplicates were shown (see test_duplicates)
        },
    )
    assert r.status_code == 303, r.text
    pid = r.headers["location"].split("/")[2].split("?")[0]
    for url in (f"/persons/{pid}", f"/persons/{pid}/edit", "/persons"):
        assert secret not in client.get(url).text
    # An error re-renders the form without the typed protected value.
    r = _form(
        client,
        "/persons/new",
        {"pseudonym": "W-form-1", "legal_name": secret, "dupes_seen": "1"},
    )
    assert r.status_code == 422 and "already has this pseudonym" in r.text
    assert secret not in r.text
    # Editing without typing keeps the held value.
    edit = client.get(f"/persons/{pid}/edit").text
    version = re.search(r'name="version" value="([^"]+)"', edit).group(1)  # type: ignore[union-attr]
    r = _form(
        client,
        f"/persons/{pid}/edit",
        {"version": version, "pseudonym": "W-form-1", "roles": ["witness", "victim"]},
    )
    assert r.status_code == 303, r.text
    r = client.post(
        f"/persons/{pid}/reveal",
        data={"csrf_token": client.csrf(f"/persons/{pid}"), "reason": "form test (fictional)"},
    )
    assert secret in r.text


def test_analyst_form_has_no_protected_inputs(client: Client) -> None:
    client.login("analyst")
    form = client.get("/persons/new").text
    assert 'name="pseudonym"' in form and 'name="legal_name"' not in form


@pytest.mark.parametrize("role", ["viewer", "legal"])
def test_roles_without_write_see_no_write_controls_and_are_refused(
    make_client: Any, role: str, seeded: dict[str, Any]
) -> None:
    c = make_client()
    c.login(role)
    assert "/incidents/new" not in c.get("/incidents").text
    assert (
        f"/incidents/{seeded['incident']}/edit"
        not in c.get(f"/incidents/{seeded['incident']}").text
    )
    assert c.get("/incidents/new").status_code == 403
    r = c.post("/incidents/new", data={"csrf_token": c.csrf("/incidents"), "title": "Fictional"})
    assert r.status_code == 403


def test_api_create_patch_with_etag_for_every_kind(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    h = _bearer(seeded, "investigator")
    inc = client.post(
        "/api/v1/incidents",
        json={"title": "Fictional API incident", "date_start": "2025"},
        headers=h,
    )
    assert inc.status_code == 201, inc.text
    iid = inc.json()["id"]
    assert inc.json()["date_start_precision"] == "year"
    person = client.post(
        "/api/v1/persons",
        json={"pseudonym": "V-api-1", "roles": ["victim"], "legal_name": LEGAL_NAME + " API"},
        headers=h,
    )
    assert person.status_code == 201, person.text
    assert "legal_name" not in person.json() and LEGAL_NAME not in person.text
    pid = person.json()["id"]
    unit = client.post(
        "/api/v1/units", json={"name": "Fictional API Battalion", "kind": "unit"}, headers=h
    ).json()
    act = client.post(
        "/api/v1/acts",
        json={"incident_id": iid, "victim_id": pid, "act_type": "killing", "date": "2025-03"},
        headers=h,
    )
    assert act.status_code == 201, act.text
    site = client.post(
        "/api/v1/sites",
        json={"name": "Fictional API site", "site_type": "crime_scene", "incident_id": iid},
        headers=h,
    )
    assert site.status_code == 201, site.text
    mem = client.post(
        "/api/v1/memberships",
        json={"person_id": pid, "organization_id": unit["id"], "rank": "Fictional rank"},
        headers=h,
    )
    assert mem.status_code == 201, mem.text
    prov = client.post(
        "/api/v1/provenance",
        json={
            "subject_kind": "incident",
            "subject_id": iid,
            "source_id": seeded["source"],
            "role": "supports",
            "locator": "p. 3",
        },
        headers=h,
    )
    assert prov.status_code == 201, prov.text
    # PATCH with If-Match: the current ETag succeeds, a stale one is refused (409).
    got = client.get(f"/api/v1/incidents/{iid}", headers=h)
    etag = got.headers["etag"]
    r = client.request(
        "PATCH",
        f"/api/v1/incidents/{iid}",
        json={"fatalities_best": 3},
        headers={**h, "If-Match": etag},
    )
    assert r.status_code == 200 and r.json()["fatalities_best"] == 3
    assert r.headers["etag"] != etag
    r = client.request(
        "PATCH",
        f"/api/v1/incidents/{iid}",
        json={"fatalities_best": 5},
        headers={**h, "If-Match": etag},
    )
    assert r.status_code == 409 and "fatalities_best" in r.json()["error"]
    r = client.request(
        "PATCH", f"/api/v1/persons/{pid}", json={"contact": "fictional@example.org"}, headers=h
    )
    assert r.status_code == 200 and "fictional@example.org" not in r.text
    r = client.request("PATCH", f"/api/v1/acts/{act.json()['id']}", json={"date": "x"}, headers=h)
    assert r.status_code == 422 and "date" in r.json()["error"]


def test_api_viewer_writes_are_403_and_logged(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    h = _bearer(seeded, "viewer")
    r = client.post("/api/v1/incidents", json={"title": "Fictional"}, headers=h)
    assert r.status_code == 403
    r = client.request(
        "PATCH", f"/api/v1/units/{seeded['unit']}", json={"name": "Fictional"}, headers=h
    )
    assert r.status_code == 403
    with app.state.case.system_session() as s:
        denied = audit.query(s, actor="vic", action="access.denied")
    assert len(denied) >= 2


# --- links and words ---------------------------------------------------------------


def test_incident_page_lists_acts_victims_sites_sources_and_evidence_by_name(
    client: Client, seeded: dict[str, Any]
) -> None:
    client.login("analyst")
    page = client.get(f"/incidents/{seeded['incident']}").text
    victim = seeded["person"] + 2
    assert f'<a href="/persons/{victim}"><bdi dir="auto">V-3</bdi></a>' in page
    assert "Fictional burial site" in page and "mass grave" in page  # site, type in words
    assert "Fictional NGO report" in page and "p. 2" in page  # provenance with its locator
    assert "statement-fictional.txt" in page  # evidence by file name, not hash
    assert "Type of incident" in page and "raid" in page
    assert "incident_type" not in page and "date_start_precision" not in page
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}", page)  # no microseconds
    assert "None" not in re.sub(r"<[^>]+>", " ", page).split()


def test_act_page_names_its_victim_incident_and_unit(
    client: Client, seeded: dict[str, Any]
) -> None:
    client.login("viewer")
    page = client.get(f"/acts/{seeded['act']}").text
    assert "Fictional raid on Qarya" in page and ">V-3<" in page
    assert "killing" in page and "likely" in page
    acts = client.get("/acts").text
    assert "Fictional raid on Qarya" in acts and ">V-3<" in acts
    ar = client.get(f"/acts/{seeded['act']}?lang=ar").text
    assert "قتل" in ar and "مرجَّح" in ar  # values in Arabic words


def test_person_page_shows_their_acts_and_evidence_list_shows_file_names(
    client: Client, seeded: dict[str, Any]
) -> None:
    client.login("viewer")
    victim = seeded["person"] + 2
    page = client.get(f"/persons/{victim}").text
    assert f'<a href="/acts/{seeded["act"]}">' in page and "Fictional raid on Qarya" in page
    ev = client.get("/evidence").text
    assert f'<a href="/evidence/{seeded["evidence"]}"><bdi dir="auto">statement-fictional.txt' in ev


def test_list_filters_and_sort_live_in_a_shareable_url(
    client: Client, seeded: dict[str, Any]
) -> None:
    client.login("viewer")
    r = client.get("/incidents?incident_type=raid&order=-date_start")
    assert r.status_code == 200
    assert "Fictional raid on Qarya" in r.text and "Second fictional incident" not in r.text
    assert '<option value="raid" selected>' in r.text
    r = client.get("/incidents?place=tal")
    assert "Second fictional incident" in r.text and "Fictional raid on Qarya" not in r.text
    r = client.get("/persons?role=witness&limit=1")
    assert "role=witness" in r.text  # the pager keeps the filter
    r = client.get("/persons?role=witness&lang=ar")
    assert "رتّب حسب" in r.text and ">V-3<" not in r.text


# --- administration ------------------------------------------------------------------


def test_admin_changes_a_role_disables_resets_a_password_and_issues_a_token(
    make_client: Any, app: Any
) -> None:
    from dalil.services import users

    with app.state.case.act("coordinator") as ctx:
        users.add_user(ctx, "adm-target", "viewer", "pw-adm-target-fictional")
    admin = make_client()
    admin.login("admin")

    def act(path: str, data: dict[str, str] | None = None) -> Any:
        return admin.post(
            f"/users/adm-target/{path}", data={**(data or {}), "csrf_token": admin.csrf("/users")}
        )

    r = act("role", {"role": "analyst"})
    assert r.status_code == 303 and r.headers["location"] == "/users?done=role&who=adm-target"
    assert "Role of adm-target changed." in admin.get(r.headers["location"]).text
    r = act("token", {"label": "field laptop"})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    token = re.search(r'id="token" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    me = admin.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"name": "adm-target", "role": "analyst", "via": "token"}
    assert token not in admin.get("/users").text  # shown once only
    r = act("password", {"password": "pw-adm-target-new-1"})
    assert r.status_code == 303
    r = act("disable")
    assert "adm-target disabled" in admin.get(r.headers["location"]).text
    who = admin.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert who.status_code == 401  # a disabled user's token no longer works
    act("enable")
    c = make_client()
    t = c.csrf("/login")
    r = c.post(
        "/login",
        data={"username": "adm-target", "password": "pw-adm-target-new-1", "csrf_token": t},
    )
    assert r.status_code == 303 and "/login" not in r.headers["location"]
    with app.state.case.system_session() as s:
        actions = [e.action for e in audit.query(s, object_id="user:adm-target")]
    assert actions.count("user.update") == 4 and "user.token_issue" in actions


def test_non_admin_sees_no_admin_controls(client: Client) -> None:
    client.login("investigator")
    assert "/role" not in client.get("/users").text


def test_record_page_shows_its_history_without_protected_values(
    client: Client, seeded: dict[str, Any], make_client: Any
) -> None:
    client.login("investigator")
    h = _bearer(seeded, "investigator")
    pid = client.post(
        "/api/v1/persons", json={"pseudonym": "V-hist-1", "roles": ["victim"]}, headers=h
    ).json()["id"]
    secret = "Fictional History Legal Name"
    r = client.request(
        "PATCH", f"/api/v1/persons/{pid}", json={"sex": "male", "legal_name": secret}, headers=h
    )
    assert r.status_code == 200
    page = client.get(f"/persons/{pid}").text
    assert "History" in page and "recorded" in page and "changed" in page
    assert "Sex:" in page and "male" in page and "Legal name: changed (protected)" in page
    assert secret not in page
    viewer = make_client()
    viewer.login("viewer")  # may not read the audit log: no history
    page = viewer.get(f"/persons/{pid}").text
    assert "V-hist-1" in page and "History" not in page


@pytest.mark.parametrize(
    ("role", "link", "names", "decide"),
    [
        ("viewer", False, False, False),
        ("legal", False, True, False),
        ("investigator", False, True, True),
        ("analyst", True, True, True),
        ("admin", True, True, True),
    ],
)
def test_review_page_offers_only_what_the_role_may_do(
    make_client: Any, role: str, link: bool, names: bool, decide: bool
) -> None:
    c = make_client()
    c.login(role)
    page = c.get("/lists").text
    assert ('action="/lists/link"' in page) is link
    queued = "Nothing to review." not in page  # the pair forms need pairs to review
    assert ('action="/lists/review"' in page) is (names and queued)
    assert ('action="/lists/decide"' in page) is (decide and queued)
    if queued and not decide:
        assert "Your role may not decide pairs." in page
    assert ("/lists/import" in page) is (role in ("admin", "investigator", "analyst"))
    blind = c.get("/lists/blind").text
    assert ('action="/lists/blind/start"' in blind) is decide


def test_header_shows_the_case_title_or_folder(client: Client) -> None:
    client.login("viewer")
    assert '<a class="case-name" href="/case"><bdi>case</bdi></a>' in client.get("/").text


# --- record a killing in one flow -----------------------------------------------------


def test_record_a_killing_in_one_submission(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    client.login("investigator")
    form = client.get("/record-killing").text
    assert 'action="/record-killing"' in form and "Fictional raid on Qarya" in form
    r = _form(
        client,
        "/record-killing",
        {
            "inc_title": "Fictional killing at the Example mill",
            "inc_date": "2025-04",
            "vic_pseudonym": "V-flow-1",
            "vic_sex": "male",
            "vic_age": "٤٢",
            "act_type": "killing",
            "act_date": "2025-04-02",
            "act_unit": str(seeded["unit"]),
            "src_id": str(seeded["source"]),
            "src_locator": "p. 7",
        },
    )
    assert r.status_code == 303, r.text
    act = client.get(r.headers["location"]).text
    assert "Fictional killing at the Example mill" in act and ">V-flow-1<" in act
    assert "Fictional NGO report" in act and "p. 7" in act  # the supporting source


def test_record_a_killing_names_perpetrator_persons(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    from dalil.services import persons

    with app.state.case.act(USERS["admin"]) as ctx:
        s1 = persons.add_person(ctx, pseudonym="S-flow-Fict-1", roles=["suspect"]).id
        s2 = persons.add_person(ctx, pseudonym="S-flow-Fict-2", roles=["suspect"]).id
    client.login("investigator")
    form = client.get("/record-killing").text
    assert 'name="act_perpetrator_ids"' in form and "multiple" in form and "S-flow-Fict-1" in form
    typed = {
        "inc_id": str(seeded["incident"]),
        "vic_pseudonym": "V-flow-perp",
        "act_type": "killing",
        "act_date": "2025-04-03",
    }
    before = client.get("/api/v1/acts", headers=_bearer(seeded, "viewer")).json()["total"]
    bad = _form(client, "/record-killing", {**typed, "act_perpetrator_ids": ["", "987654"]})
    assert bad.status_code == 422 and 'id="err-act_perpetrator_ids"' in bad.text
    assert 'value="V-flow-perp"' in bad.text  # the input is kept
    assert client.get("/api/v1/acts", headers=_bearer(seeded, "viewer")).json()["total"] == before
    assert "V-flow-perp" not in client.get("/persons?limit=500").text  # all or nothing
    ok = _form(
        client,
        "/record-killing",
        {**typed, "act_perpetrator_ids": ["", str(s1), str(s2).translate(ARABIC_INDIC)]},
    )
    assert ok.status_code == 303, ok.text
    act_id = int(ok.headers["location"].split("/")[2].split("?")[0])
    got = client.get(f"/api/v1/acts/{act_id}", headers=_bearer(seeded, "viewer")).json()
    assert got["perpetrator_ids"] == [s1, s2]
    shown = client.get(f"/persons/{s2}").text
    assert "Acts as perpetrator" in shown and f'href="/acts/{act_id}"' in shown


def test_record_a_killing_is_all_or_nothing(client: Client, seeded: dict[str, Any]) -> None:
    client.login("investigator")
    before = client.get("/api/v1/incidents", headers=_bearer(seeded, "viewer")).json()["total"]
    r = _form(
        client,
        "/record-killing",
        {
            "inc_title": "Fictional incident that must not be saved",
            "vic_pseudonym": "V-flow-2",
            "act_type": "killing",
            "act_date": "2025-02-30",  # refused at the act step, after incident and victim
        },
    )
    assert r.status_code == 422 and 'id="err-act_date"' in r.text
    assert 'value="Fictional incident that must not be saved"' in r.text  # input kept
    after = client.get("/api/v1/incidents", headers=_bearer(seeded, "viewer")).json()["total"]
    assert after == before
    persons = client.get("/persons?limit=500").text
    assert "V-flow-2" not in persons


def test_evidence_metadata_edit_in_form_and_api_keeps_the_file(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    client.login("investigator")
    sha = seeded["evidence"]
    assert f'href="/evidence/{sha}/edit"' in client.get(f"/evidence/{sha}").text
    r = _form(
        client,
        f"/evidence/{sha}/edit",
        {"source_id": str(seeded["source"]), "notes": "Fictional note: page 2 is torn"},
    )
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"]).text
    assert "Fictional note: page 2 is torn" in page and "Saved." in page
    h = _bearer(seeded, "investigator")
    r = client.request("PATCH", f"/api/v1/evidence/{sha}", json={"notes": "API note"}, headers=h)
    assert r.status_code == 200 and r.json()["notes"] == "API note" and r.json()["sha256"] == sha
    r = client.request(
        "PATCH", f"/api/v1/evidence/{sha}", json={"notes": "x"}, headers=_bearer(seeded, "viewer")
    )
    assert r.status_code == 403
    with app.state.case.system_session() as s:
        updates = [
            e.to_dict()
            for e in audit.query(s, object_id=f"evidence:{sha}", action="evidence.update")
        ]
    assert updates[-1]["detail"]["before"]["notes"] == "Fictional note: page 2 is torn"
    assert updates[-1]["detail"]["after"]["notes"] == "API note"


def test_case_title_and_description_edited_in_the_web(tmp_path: Any, make_client: Any) -> None:
    from dalil.core.case import Case
    from dalil.services import users
    from dalil.testing import TEST_PASSPHRASE
    from dalil.web import create_app

    case = Case.init(tmp_path / "titled", TEST_PASSPHRASE, admin="coordinator")
    with case.act("coordinator") as ctx:
        users.update_user(ctx, "coordinator", password="pw-admin-fictional-1")
        users.add_user(ctx, "vic", "viewer", "pw-viewer-fictional-1")
    application = create_app(case=case)
    try:
        admin = make_client(application)
        admin.login("admin")
        r = _form(admin, "/case", {"title": "Fictional killings in Qarya", "summary": "A test."})
        assert r.status_code == 303
        assert "<bdi>Fictional killings in Qarya</bdi>" in admin.get("/").text
        r = _form(admin, "/case", {"title": "", "summary": ""})
        assert r.status_code == 422 and "must not be empty" in r.text
        viewer = make_client(application)
        viewer.login("viewer")
        assert 'action="/case"' not in viewer.get("/case").text
        r = viewer.post("/case", data={"csrf_token": viewer.csrf("/case"), "title": "X"})
        assert r.status_code == 403
    finally:
        case.close()


def test_canary_legal_names_never_in_the_new_pages_and_answers(
    client: Client, seeded: dict[str, Any]
) -> None:
    client.login("admin")  # the role that could reveal them, without a reveal
    pid = seeded["person"]
    h = _bearer(seeded, "admin")
    pages = [
        f"/persons/{pid}",
        f"/persons/{pid}/edit",
        f"/persons/{pid + 1}/edit",
        "/persons/new",
        "/acts/new",
        "/memberships/new",
        "/provenance/new",
        "/record-killing",
        "/memberships",
        "/provenance",
        f"/incidents/{seeded['incident']}",
        f"/acts/{seeded['act']}",
        "/persons?role=witness",
    ]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        assert LEGAL_NAME not in r.text and "اسم متخيل" not in r.text, url
    r = client.request("PATCH", f"/api/v1/persons/{pid}", json={"notes": "Fictional"}, headers=h)
    assert r.status_code == 200 and LEGAL_NAME not in r.text
    r = client.get(f"/api/v1/persons/{pid}", headers=h)
    assert LEGAL_NAME not in r.text and "legal_name" not in r.json()
