"""The findings pages and their JSON twins, in process (httpx ASGITransport, CSRF on).

Permission and four-eyes outcomes are the service layer's; these tests check that the
web shows them truthfully: a viewer cannot assess, an assessor cannot sign off their own
work, an "established" finding without evidence is refused with the service's reason.
All people, places and units are fictional.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from .conftest import USERS, Client

SECOND_LEGAL = "lee-two"
SECOND_LEGAL_PW = "pw-lee-two-fictional"
SUSPECT_LEGAL_NAME = "Fictional Suspect Qanary"  # protected: must never be shown


@pytest.fixture(scope="module")
def fx(app: Any, seeded: dict[str, Any]) -> dict[str, Any]:
    """Records of this module's own (the case is shared with other test modules)."""
    from dalil.services import corroboration, persons, records, users

    case = app.state.case
    out: dict[str, Any] = {}
    with case.act(USERS["admin"]) as ctx:
        users.add_user(ctx, SECOND_LEGAL, "legal", SECOND_LEGAL_PW)
        out["token2"], _ = users.issue_token(ctx, SECOND_LEGAL, label="tests")
        inc = records.add(
            ctx,
            "incident",
            title="Fictional shelling of Wadi (fictional)",
            incident_type="shelling",
            date_start="2025-05-02",
            place_name="Wadi (fictional)",
            lat=35.2,
            lon=36.0,
            coord_precision="locality",
        )
        out["incident"] = inc.id
        out["act"] = records.add(
            ctx,
            "act",
            incident_id=inc.id,
            act_type="killing",
            victim_id=seeded["person"] + 4,
            date="2025-05-02",
        ).id
        out["act_api"] = records.add(
            ctx,
            "act",
            incident_id=inc.id,
            act_type="killing",
            victim_id=seeded["person"] + 5,
            date="2025-05-02",
        ).id
        out["site"] = records.add(
            ctx,
            "site",
            name="Fictional well site",
            site_type="burial",
            status="reported",
            incident_id=inc.id,
        ).id
        top = records.add(ctx, "unit", name="Fictional Command", kind="state_force")
        child = records.add(
            ctx, "unit", name="Fictional 7th Company", kind="unit", parent_id=top.id
        )
        out["units"] = (top.id, child.id)
        suspect = persons.add_person(
            ctx, pseudonym="S-1", legal_name=SUSPECT_LEGAL_NAME, roles=["suspect"]
        )
        out["suspect"] = suspect.id
        records.add(
            ctx,
            "membership",
            person_id=suspect.id,
            organization_id=child.id,
            rank="Fictional Sergeant",
            date_start="2024-01",
            date_end="2025-12",
        )
        claim = corroboration.add_claim(
            ctx,
            "toll",
            "32 civilians killed in Qarya (fictional)",
            low=32,
            high=32,
            incident_id=seeded["incident"],
        )
        corroboration.add_carrier(ctx, claim, seeded["source"], "B2")
        corroboration.add_carrier(ctx, claim, seeded["source2"], "C3")
        out["claim"] = claim
    return out


def _client(make_client: Any, role: str) -> Client:
    c: Client = make_client()
    c.login(role)
    return c


def _login_as(make_client: Any, name: str, password: str) -> Client:
    c: Client = make_client()
    token = c.csrf("/login")
    r = c.post(
        "/login", data={"username": name, "password": password, "csrf_token": token, "next": "/"}
    )
    assert r.status_code == 303, r.text
    return c


def _post(c: Client, url: str, data: dict[str, Any], **kw: Any) -> Any:
    return c.post(url, data={**data, "csrf_token": c.csrf("/findings")}, **kw)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _audit_actions(app: Any, action: str) -> list[Any]:
    from dalil.services import audit as audit_log

    with app.state.case.act(USERS["admin"], write=False) as ctx:
        return list(audit_log.show(ctx, action=action, limit=1000))


# --- pages render, in both languages ------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_findings_page_renders_for_a_viewer_in_both_languages(
    make_client: Any, fx: dict[str, Any], seeded: dict[str, Any], lang: str
) -> None:
    c = _client(make_client, "viewer")
    pages = [
        "/findings",
        f"/findings/acts/{fx['act']}",
        f"/findings/incidents/{fx['incident']}",
        f"/findings/sites/{fx['site']}",
        "/findings/units",
        "/findings/corroboration",
        "/findings/vetting",
        "/findings/reports",
        "/findings/timeline",
    ]
    direction = "rtl" if lang == "ar" else "ltr"
    for url in pages:
        r = c.get(f"{url}?lang={lang}")
        assert r.status_code == 200, (url, r.status_code)
        assert f'<html lang="{lang}" dir="{direction}">' in r.text, url
        assert 'href="/findings" aria-current="page"' in r.text, url  # nav entry marked
    r = c.get(f"/findings/acts/{fx['act']}?lang=ar")
    assert "قائمة الأركان" in r.text and "التكييفات القانونية المقترحة" in r.text


def test_a_viewer_sees_no_assessment_or_signoff_form(make_client: Any, fx: dict[str, Any]) -> None:
    r = _client(make_client, "viewer").get(f"/findings/acts/{fx['act']}")
    assert "/assess" not in r.text and "/sign-off" not in r.text
    r = _client(make_client, "legal").get(f"/findings/acts/{fx['act']}")
    assert f'action="/findings/acts/{fx["act"]}/assess"' in r.text
    assert f'action="/findings/acts/{fx["act"]}/sign-off"' in r.text


def test_record_pages_link_to_their_findings_pages(
    make_client: Any, seeded: dict[str, Any]
) -> None:
    c = _client(make_client, "viewer")
    for kind in ("acts", "incidents", "sites"):
        page = c.get(f"/{kind}/{seeded[kind[:-1]]}").text
        assert f'href="/findings/{kind}/{seeded[kind[:-1]]}"' in page, kind


def test_unknown_act_is_404_on_page_and_api(make_client: Any, seeded: dict[str, Any]) -> None:
    c = _client(make_client, "viewer")
    assert c.get("/findings/acts/999999").status_code == 404
    r = c.get("/api/v1/findings/acts/999999", headers=_bearer(seeded["tokens"]["viewer"]))
    # The answer names what was not found without repeating the submitted value.
    assert r.status_code == 404 and "no act" in r.json()["error"]
    assert "999999" not in r.text
    assert c.get("/findings/acts/not-a-number").status_code == 404
    for odd in ("%C2%B2", "%D9%A3"):  # "²" and Arabic-Indic "٣" pass str.isdigit()
        assert c.get(f"/findings/acts/{odd}").status_code == 404
        assert (
            c.get(
                f"/api/v1/findings/sites/{odd}", headers=_bearer(seeded["tokens"]["viewer"])
            ).status_code
            == 404
        )


# --- the legal assessment: permission outcomes through the web ------------------------


def test_viewer_cannot_assess_through_page_or_api(
    make_client: Any, fx: dict[str, Any], seeded: dict[str, Any], app: Any
) -> None:
    before = len(_audit_actions(app, "assessment.add"))
    c = _client(make_client, "viewer")
    r = _post(c, f"/findings/acts/{fx['act']}/assess", {"element": "civilian", "finding": "likely"})
    assert r.status_code == 403
    r = c.post(
        f"/api/v1/findings/acts/{fx['act']}/assess",
        headers=_bearer(seeded["tokens"]["viewer"]),
        json={"element": "civilian", "finding": "likely"},
    )
    assert r.status_code == 403 and "error" in r.json()
    assert len(_audit_actions(app, "assessment.add")) == before


def test_assessment_form_without_csrf_token_is_refused(
    make_client: Any, fx: dict[str, Any]
) -> None:
    c = _client(make_client, "legal")
    r = c.post(
        f"/findings/acts/{fx['act']}/assess", data={"element": "civilian", "finding": "likely"}
    )
    assert r.status_code == 403


def test_established_without_evidence_is_refused_with_the_services_reason(
    make_client: Any, fx: dict[str, Any], seeded: dict[str, Any]
) -> None:
    c = _client(make_client, "legal")
    r = _post(
        c,
        f"/findings/acts/{fx['act']}/assess",
        {
            "element": "deliberate",
            "finding": "established",
            "evidence": "",
            "note": "fictional note kept in the form",
        },
    )
    assert r.status_code == 422
    assert 'role="alert"' in r.text and "without evidence" in r.text
    assert "fictional note kept in the form" in r.text  # the form keeps what was typed
    r = c.post(
        f"/api/v1/findings/acts/{fx['act']}/assess",
        headers=_bearer(seeded["tokens"]["legal"]),
        json={"element": "deliberate", "finding": "established", "evidence": []},
    )
    assert r.status_code == 422 and "without evidence" in r.json()["error"]
    shown = c.get(
        f"/api/v1/findings/acts/{fx['act']}", headers=_bearer(seeded["tokens"]["legal"])
    ).json()
    assert not [h for h in shown["history"] if h["element"] == "deliberate"]


def _assess_all(c: Client, act: int, evidence: str) -> None:
    for element in ("civilian", "deliberate", "identity", "party", "nexus"):
        finding = "established" if element in ("civilian", "deliberate", "nexus") else "likely"
        r = _post(
            c,
            f"/findings/acts/{act}/assess",
            {
                "element": element,
                "finding": finding,
                "evidence": evidence if finding == "established" else "",
            },
        )
        assert r.status_code == 303, r.text[:500]
        assert r.headers["location"] == f"/findings/acts/{act}#checklist"


def test_assessor_cannot_sign_off_own_work_but_a_second_legal_analyst_can(
    make_client: Any, fx: dict[str, Any], seeded: dict[str, Any], app: Any
) -> None:
    act, ev = fx["act"], seeded["evidence"]
    assessor = _client(make_client, "legal")
    _assess_all(assessor, act, ev[:16])
    page = assessor.get(f"/findings/acts/{act}").text
    row = page.split('data-element="civilian"', 1)[1].split("</tr>", 1)[0]
    assert "established" in row and ev in row and USERS["legal"] in row
    # suggestions are shown as suggestions, never as decisions
    assert "War crime of murder" in page and "people decide" in page
    assert 'data-qualification="war_crime_murder"' in page

    r = _post(assessor, f"/findings/acts/{act}/sign-off", {"note": "own work"})
    assert r.status_code == 409
    assert "cannot sign off an assessment they took part in" in r.text and 'role="alert"' in r.text
    r = assessor.post(
        f"/api/v1/findings/acts/{act}/sign-off", headers=_bearer(seeded["tokens"]["legal"]), json={}
    )
    assert r.status_code == 409
    assert not _signoffs(app, act)

    reviewer = _login_as(make_client, SECOND_LEGAL, SECOND_LEGAL_PW)
    r = _post(reviewer, f"/findings/acts/{act}/sign-off", {"note": "reviewed (fictional)"})
    assert r.status_code == 303
    data = reviewer.get(f"/api/v1/findings/acts/{act}", headers=_bearer(fx["token2"])).json()
    assert data["status"] == "signed"
    assert [s["reviewer"] for s in data["sign_offs"]] == [SECOND_LEGAL]
    assert _signoffs(app, act) == [SECOND_LEGAL]
    assert (
        'Signed off by <bdi dir="auto">lee-two</bdi>' in reviewer.get(f"/findings/acts/{act}").text
    )


def _signoffs(app: Any, act: int) -> list[str]:
    return [
        e["actor"]
        for e in _audit_actions(app, "assessment.signoff")
        if f"act:{act}" in e["object_ids"]
    ]


def test_api_assessment_twin_matches_the_service(
    make_client: Any, fx: dict[str, Any], seeded: dict[str, Any], app: Any
) -> None:
    from dalil.services import assessments

    c = make_client()
    r = c.post(
        f"/api/v1/findings/acts/{fx['act_api']}/assess",
        headers=_bearer(seeded["tokens"]["legal"]),
        json={
            "element": "civilian",
            "finding": "established",
            "evidence": [seeded["evidence"]],
            "note": "api (fictional)",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["element"] == "civilian" and r.json()["assessor"] == USERS["legal"]
    got = c.get(
        f"/api/v1/findings/acts/{fx['act_api']}", headers=_bearer(seeded["tokens"]["viewer"])
    ).json()
    with app.state.case.act(USERS["viewer"], write=False) as ctx:
        want = assessments.show_assessment(ctx, fx["act_api"])
    assert {k: got[k] for k in want} == want
    assert got["record"]["id"] == fx["act_api"]


# --- incidents --------------------------------------------------------------------------


def test_incident_page_shows_coding_aggregate_line_and_export_links(
    make_client: Any, fx: dict[str, Any], seeded: dict[str, Any]
) -> None:
    c = _client(make_client, "analyst")
    r = _post(
        c,
        f"/findings/incidents/{fx['incident']}/coding",
        {
            "event_type": "Explosions/Remote violence",
            "sub_event_type": "Shelling/artillery/missile attack",
            "civilian_targeting": "yes",
            "actor1": "Fictional Brigade",
            "geo_precision": "near",
            "sources_best": seeded["evidence"][:12],
        },
    )
    assert r.status_code == 303, r.text[:400]
    data = c.get(
        f"/api/v1/findings/incidents/{fx['incident']}", headers=_bearer(seeded["tokens"]["analyst"])
    ).json()
    assert data["coding"]["actor1"] == "Fictional Brigade"
    assert data["coding"]["civilian_targeting"] is True
    page = c.get(f"/findings/incidents/{fx['incident']}").text
    agg = data["aggregate"]
    line = (
        f"{agg['assessed']} acts assessed; {agg['deliberate']} deliberate; "
        f"{agg['identity_targeted']} identity-targeted; {agg['unlawful']} unlawful"
    )
    assert line in page
    for fmt in ("acled", "ucdp", "csv"):
        assert f'href="/findings/export/{fmt}"' in page
    assert 'href="/findings/timeline"' in page


def test_stated_toll_shows_its_sources_or_that_none_is_cited(
    make_client: Any, seeded: dict[str, Any], fx: dict[str, Any]
) -> None:
    c = _client(make_client, "viewer")
    page = c.get(f"/findings/incidents/{seeded['incident']}").text
    row = page.split('<th scope="row">best</th>', 1)[1].split("</tr>", 1)[0]
    assert "32" in row
    data = c.get(
        f"/api/v1/findings/incidents/{seeded['incident']}",
        headers=_bearer(seeded["tokens"]["viewer"]),
    ).json()
    cited = data["coding"]["fatalities"]["sources"].get("best", [])
    if cited:
        assert ", ".join(cited) in row
    else:
        assert "no source cited yet" in row


def test_incident_level_attack_element_feeds_the_acts_suggestions(
    make_client: Any, fx: dict[str, Any], seeded: dict[str, Any]
) -> None:
    c = _client(make_client, "legal")
    url = f"/findings/incidents/{fx['incident']}"
    r = _post(c, url + "/assess", {"finding": "established", "evidence": ""})
    assert r.status_code == 422 and "without evidence" in r.text
    r = _post(
        c,
        url + "/assess",
        {"finding": "established", "evidence": seeded["evidence"][:12], "note": "pattern"},
    )
    assert r.status_code == 303
    page = c.get(url).text
    line = page.split('data-element="attack"', 1)[1].split("</p>", 1)[0]
    assert "established" in line and USERS["legal"] in line
    shown = c.get(
        f"/api/v1/findings/acts/{fx['act']}", headers=_bearer(seeded["tokens"]["legal"])
    ).json()
    assert [e["element"] for e in shown["incident_elements"]] == ["attack"]
    r = c.post(
        f"/api/v1/findings/incidents/{fx['incident']}/assess",
        headers=_bearer(seeded["tokens"]["viewer"]),
        json={"finding": "likely"},
    )
    assert r.status_code == 403


def test_coding_refusal_is_shown_on_the_incident_page(make_client: Any, fx: dict[str, Any]) -> None:
    c = _client(make_client, "analyst")
    r = _post(
        c,
        f"/findings/incidents/{fx['incident']}/coding",
        {"event_type": "Protests", "sub_event_type": "Air/drone strike"},
    )
    assert r.status_code == 422 and 'role="alert"' in r.text


def test_export_downloads_csv_and_is_audited(
    make_client: Any, app: Any, fx: dict[str, Any]
) -> None:
    before = len(_audit_actions(app, "incident.export"))
    c = _client(make_client, "legal")
    r = c.get("/findings/export/acled")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    header = r.text.splitlines()[0]
    assert "event_type" in header and "fatalities" in header
    assert "Fictional shelling of Wadi" in r.text or "Wadi (fictional)" in r.text
    assert len(_audit_actions(app, "incident.export")) == before + 1
    assert _client(make_client, "viewer").get("/findings/export/csv").status_code == 403
    assert c.get("/findings/export/xml").status_code == 422


def test_timeline_twin_lists_incidents_in_date_order(
    make_client: Any, seeded: dict[str, Any]
) -> None:
    c = make_client()
    items = c.get("/api/v1/findings/timeline", headers=_bearer(seeded["tokens"]["viewer"])).json()
    dates = [i["date_start"] for i in items if i["date_start"]]
    assert dates == sorted(dates) and len(items) >= 2


# --- sites, units, corroboration ------------------------------------------------------


def test_site_status_moves_forward_only(
    make_client: Any, fx: dict[str, Any], seeded: dict[str, Any]
) -> None:
    c = _client(make_client, "investigator")
    url = f"/findings/sites/{fx['site']}"
    r = _post(
        c,
        url + "/status",
        {
            "status": "located",
            "on": "2025-05-10",
            "evidence": seeded["evidence"][:12],
            "note": "fictional survey",
        },
    )
    assert r.status_code == 303
    r = _post(c, url + "/status", {"status": "reported", "on": "2025-05-11"})
    assert r.status_code == 422 and "only moves forward" in r.text
    r = _post(c, url + "/status", {"status": "secured", "on": "2025-05-01"})
    assert r.status_code == 422 and "before the previous change" in r.text
    data = c.get(
        f"/api/v1/findings/sites/{fx['site']}", headers=_bearer(seeded["tokens"]["investigator"])
    ).json()
    assert data["status"] == "located"
    assert [(h["status"], h["on"]) for h in data["history"]] == [("located", "2025-05-10")]
    page = c.get(url).text
    assert "fictional survey" in page and 'aria-current="step"' in page
    assert (
        _post(
            _client(make_client, "legal"),
            url + "/status",
            {"status": "secured", "on": "2025-05-12"},
        ).status_code
        == 403
    )


def test_units_page_shows_hierarchy_and_dated_membership(
    make_client: Any, fx: dict[str, Any], seeded: dict[str, Any]
) -> None:
    c = _client(make_client, "viewer")
    data = c.get("/api/v1/findings/units", headers=_bearer(seeded["tokens"]["viewer"])).json()
    top, child = fx["units"]
    by_id = {u["id"]: u for u in data["units"]}
    assert by_id[child]["depth"] == by_id[top]["depth"] + 1
    order = [u["id"] for u in data["units"]]
    assert order.index(top) < order.index(child)
    assert [m["person_id"] for m in by_id[child]["members"]] == [fx["suspect"]]
    page = c.get("/findings/units").text
    assert "Fictional 7th Company" in page and "2024-01" in page
    # the child's list item is nested inside its parent's (still open when it starts)
    between = page.split(f'data-unit="{top}"', 1)[1].split(f'data-unit="{child}"', 1)[0]
    assert "<ul" in between and between.count("</li>") <= between.count("<li")
    assert 'style="' not in page  # the CSP forbids inline styles
    assert SUSPECT_LEGAL_NAME not in page


def test_corroboration_matrix_shows_grades_and_groups(
    make_client: Any, fx: dict[str, Any], seeded: dict[str, Any]
) -> None:
    c = _client(make_client, "analyst")
    data = c.get(
        "/api/v1/findings/corroboration", headers=_bearer(seeded["tokens"]["analyst"])
    ).json()
    row = next(r for r in data["claims"] if r["claim"]["id"] == str(fx["claim"]))
    assert sorted(s["grade"] for s in row["sources"]) == ["B2", "C3"]
    page = c.get("/findings/corroboration").text
    assert f'data-claim="{fx["claim"]}"' in page
    cells = page.split(f'data-claim="{fx["claim"]}"', 1)[1].split("</tr>", 1)[0]
    assert "B2" in cells and "C3" in cells
    assert data["grouping"] in page.replace("&#39;", "'")


# --- vetting ------------------------------------------------------------------------


def _job_done(app: Any, r: Any, timeout: float = 120) -> int:
    """The job a form queued (303 to its page), once it has finished successfully."""
    import re

    from dalil.services import jobs

    assert r.status_code == 303, r.text[:500]
    m = re.fullmatch(r"/jobs/(\d+)", r.headers["location"])
    assert m, r.headers["location"]
    jid = int(m.group(1))
    assert jobs.wait(app.state.case, jid, timeout=timeout) == "done"
    return jid


def _api_job_result(app: Any, c: Client, r: Any, token: str) -> dict[str, Any]:
    """The result of the job an API call queued (202), read back through the API."""
    from dalil.services import jobs

    assert r.status_code == 202, r.text[:500]
    jid = int(r.json()["id"])
    assert jobs.wait(app.state.case, jid, timeout=120) == "done"
    got = c.get(f"/api/v1/jobs/{jid}", headers=_bearer(token))
    assert got.status_code == 200
    return dict(got.json()["result"])


def _job_inputs(app: Any, jid: int) -> list[str]:
    from sqlalchemy import select

    from dalil.model.job import JobFile

    with app.state.case.system_session(write=False) as s:
        return list(
            s.scalars(select(JobFile.name).where(JobFile.job_id == jid, JobFile.role == "input"))
        )


def _leftovers(root: Path) -> set[str]:
    return {str(p) for p in root.rglob("*") if "personnel" in p.name or "dalil-vet" in p.name}


def _temp_entries() -> set[str]:
    out: set[str] = set()
    for d in ("/dev/shm", tempfile.gettempdir()):
        if os.path.isdir(d):
            out |= {n for n in os.listdir(d) if n.startswith("dalil-vet-")}
    return out


def test_vetting_upload_shows_candidates_for_human_review_and_leaves_no_file(
    make_client: Any, fx: dict[str, Any], seeded: dict[str, Any], app: Any
) -> None:
    before_temp = _temp_entries()
    c = _client(make_client, "legal")
    csv = (
        b"name,unit,rank\nFictional Suspect Kanary,Fictional 7th Company,Sergeant\n"
        b"Someone Else Entirely,Fictional Bakery,\n"
    )
    r = _post(
        c,
        "/findings/vetting",
        {"threshold": "0.5"},
        files={"file": ("applicants-fictional.csv", csv, "text/csv")},
    )
    # Queued as a job (long work never inside the request); its page links to the result.
    jid = _job_done(app, r)
    job_page = c.get(f"/jobs/{jid}")
    assert f'href="/findings/vetting?job={jid}#candidates"' in job_page.text
    assert "Fictional Suspect Kanary" not in job_page.text  # candidates only on the vetting page
    assert not _job_inputs(app, jid)  # the uploaded file is gone with the finished job
    r = c.get(f"/findings/vetting?job={jid}")
    assert r.status_code == 200, r.text[:500]
    assert "for human review, not a verdict" in r.text and "Records screened" in r.text
    assert "Fictional Suspect Kanary" in r.text and "S-1" in r.text  # pseudonym, not name
    assert SUSPECT_LEGAL_NAME not in r.text
    assert not _leftovers(Path(seeded["root"]))
    assert _temp_entries() == before_temp
    entries = _audit_actions(app, "vetting.screen")
    assert entries and SUSPECT_LEGAL_NAME not in str(entries[-1])

    api = make_client().post(
        "/api/v1/findings/vetting",
        params={"name": "a.csv"},
        headers=_bearer(seeded["tokens"]["investigator"]),
        content=csv,
    )
    body = _api_job_result(app, make_client(), api, seeded["tokens"]["investigator"])
    assert body["file"] == "a.csv" and body["records"] == 2 and "human review" in body["note"]
    assert any(x["suspect"] == str(fx["suspect"]) for x in body["candidates"])
    assert SUSPECT_LEGAL_NAME not in str(body)


def test_vetting_bad_file_is_a_clear_refusal(
    make_client: Any, seeded: dict[str, Any], app: Any
) -> None:
    c = _client(make_client, "legal")
    r = _post(
        c,
        "/findings/vetting",
        {},
        files={"file": ("bad.csv", b"colour,flavour\nred,sweet\n", "text/csv")},
    )
    assert r.status_code == 422 and 'role="alert"' in r.text
    assert "/dev/shm" not in r.text and tempfile.gettempdir() + "/" not in r.text
    assert "a column mapping HEADER=FIELD" in r.text and "--column" not in r.text
    r = _post(
        c,
        "/findings/vetting",
        {"columns": "colour=name\nflavour=ignore"},
        files={"file": ("bad.csv", b"colour,flavour\nred,sweet\n", "text/csv")},
    )
    jid = _job_done(app, r)
    r = c.get(f"/findings/vetting?job={jid}")
    assert r.status_code == 200 and "Records screened" in r.text
    api = make_client().post(
        "/api/v1/findings/vetting",
        params={"name": "b.csv", "column": ["colour=name", "flavour=ignore"]},
        headers=_bearer(seeded["tokens"]["legal"]),
        content=b"colour,flavour\nred,sweet\n",
    )
    assert _api_job_result(app, make_client(), api, seeded["tokens"]["legal"])["records"] == 1
    api = make_client().post(
        "/api/v1/findings/vetting",
        params={"name": "b.csv"},
        headers=_bearer(seeded["tokens"]["legal"]),
        content=b"colour,flavour\nred,sweet\n",
    )
    assert api.status_code == 422  # checked before anything is queued
    assert (
        _post(
            _client(make_client, "analyst"),
            "/findings/vetting",
            {},
            files={"file": ("x.csv", b"name\nA\n", "text/csv")},
        ).status_code
        == 403
    )


# --- reports ------------------------------------------------------------------------


def test_report_is_built_downloaded_and_audited(
    make_client: Any, app: Any, seeded: dict[str, Any]
) -> None:
    import base64
    import hashlib

    before = len(_audit_actions(app, "report.build"))
    c = _client(make_client, "analyst")
    r = _post(
        c,
        "/findings/reports",
        {
            "audience": "internal",
            "format": "html",
            "report_lang": "ar",
            "title": "Fictional report",
        },
    )
    # Built in a job, not in the request; the job page offers the file.
    jid = _job_done(app, r)
    assert f'href="/jobs/{jid}/files/report.html"' in c.get(f"/jobs/{jid}").text
    r = c.get(f"/jobs/{jid}/files/report.html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "attachment" in r.headers["content-disposition"]
    assert r.headers["x-content-sha256"] == hashlib.sha256(r.content).hexdigest()
    assert int(r.headers["content-length"]) == len(r.content)  # streamed from the vault
    digest = base64.b64encode(hashlib.sha256(r.content).digest()).decode()
    assert r.headers["repr-digest"] == f"sha-256=:{digest}:"
    assert b"<html" in r.content[:500].lower() and "Fictional report" in r.text
    assert len(_audit_actions(app, "report.build")) == before + 1
    # public reports need report.public: the analyst is refused, the legal user is not
    assert (
        _post(c, "/findings/reports", {"audience": "public", "format": "html"}).status_code == 403
    )
    r = make_client().post(
        "/api/v1/findings/reports",
        headers=_bearer(seeded["tokens"]["legal"]),
        json={"audience": "public", "format": "html", "lang": "en"},
    )
    assert r.status_code == 202
    _api_job_result(app, make_client(), r, seeded["tokens"]["legal"])
    f = make_client().get(
        f"/api/v1/jobs/{r.json()['id']}/files/report.html",
        headers=_bearer(seeded["tokens"]["legal"]),
    )
    assert f.status_code == 200 and b"<html" in f.content[:500].lower()
    assert LEGAL_NAME_CANARY not in f.text
    jid = _job_done(app, _post(c, "/findings/reports", {"audience": "internal", "format": "pdf"}))
    r = c.get(f"/jobs/{jid}/files/report.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    # Another analyst may not read it (it is the owner's); a viewer may not queue one.
    other = _client(make_client, "viewer")
    assert other.get(f"/jobs/{jid}/files/report.pdf").status_code == 403
    assert _post(other, "/findings/reports", {"audience": "internal"}).status_code == 403


def test_evidence_bag_export_runs_as_a_job_and_downloads_a_valid_bag(
    make_client: Any, app: Any, tmp_path: Path
) -> None:
    import io
    import zipfile

    import bagit

    before = len(_audit_actions(app, "export.bag"))
    c = _client(make_client, "legal")
    assert 'action="/findings/export-bag"' in c.get("/findings/reports").text
    jid = _job_done(app, _post(c, "/findings/export-bag", {}))
    assert 'href="/jobs/' + str(jid) + '/files/evidence-bag.zip"' in c.get(f"/jobs/{jid}").text
    r = c.get(f"/jobs/{jid}/files/evidence-bag.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        names = z.namelist()
        assert "evidence-bag/bagit.txt" in names and "evidence-bag/manifest-sha256.txt" in names
        assert LEGAL_NAME_CANARY.encode() not in b"".join(z.read(n) for n in names)
        z.extractall(tmp_path)
    bagit.Bag(str(tmp_path / "evidence-bag")).validate()  # raises if a file does not match
    assert len(_audit_actions(app, "export.bag")) == before + 1
    assert not list((Path(app.state.case.root) / "tmp").glob("job-bag-*"))  # removed
    # The analyst has no export.bag permission: refused at once, nothing queued.
    assert _post(_client(make_client, "analyst"), "/findings/export-bag", {}).status_code == 403


LEGAL_NAME_CANARY = "Fictional Canary Name"


def test_an_evidence_bag_too_large_for_a_job_fails_with_the_reason(
    make_client: Any, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dalil.services import job_kinds, jobs

    monkeypatch.setattr(job_kinds, "BAG_JOB_MAX_BYTES", 1000)  # the seeded case is larger
    c = _client(make_client, "legal")
    r = _post(c, "/findings/export-bag", {})
    assert r.status_code == 303
    jid = int(r.headers["location"].rsplit("/", 1)[1])
    assert jobs.wait(app.state.case, jid, timeout=120) == "failed"
    page = c.get(f"/jobs/{jid}").text
    assert "a job keeps: export it with dalil export bag on the server" in page
    assert "evidence-bag.zip" not in page
    assert not list((Path(app.state.case.root) / "tmp").glob("job-bag-*"))


def test_a_sign_off_before_a_later_change_of_the_act_is_shown_as_no_longer_valid(
    make_client: Any, fx: dict[str, Any], seeded: dict[str, Any], app: Any
) -> None:
    from dalil.services import records

    with app.state.case.act(USERS["admin"]) as ctx:
        act = records.add(
            ctx,
            "act",
            incident_id=fx["incident"],
            act_type="killing",
            victim_id=seeded["person"] + 3,
            date="2025-05-02",
        ).id
    assessor = _client(make_client, "legal")
    _assess_all(assessor, act, seeded["evidence"][:16])
    reviewer = _login_as(make_client, SECOND_LEGAL, SECOND_LEGAL_PW)
    r = _post(reviewer, f"/findings/acts/{act}/sign-off", {"note": "reviewed (fictional)"})
    assert r.status_code == 303
    assert "no longer valid" not in reviewer.get(f"/findings/acts/{act}").text
    r = reviewer.request(
        "PATCH",
        f"/api/v1/acts/{act}",
        json={"method": "shooting"},
        headers=_bearer(seeded["tokens"]["investigator"]),
    )
    assert r.status_code == 200, r.text
    page = reviewer.get(f"/findings/acts/{act}").text
    assert "Given before a later change of the act: no longer valid." in page
    data = reviewer.get(f"/api/v1/findings/acts/{act}", headers=_bearer(fx["token2"])).json()
    assert data["sign_offs"][0]["before_change"] is True


@pytest.mark.parametrize(
    ("columns", "data"),
    [
        ("", b"colour,flavour\nred,sweet\n"),  # columns not mapped (the form's words)
        ("colour=bogus", b"colour\nred\n"),  # a mapping to an unknown field
        ("", b"name,start\nFictional One,2020-13-45\n"),  # an invalid date
        ("", b""),  # an empty upload
    ],
)
def test_a_vetting_file_refused_is_refused_in_arabic_on_an_arabic_page(
    make_client: Any, columns: str, data: bytes
) -> None:
    """The roster's refusal beside the form in the page's language: Arabic words, no
    Latin word left but the upload's own (its name, headers, values) and the field names
    a mapping takes."""
    import re
    from html import unescape

    from dalil.findings.vetting import PERSONNEL_FIELDS

    c: Client = make_client()
    c.get("/login?lang=ar")
    c.login("legal")
    r = _post(c, "/findings/vetting", {"columns": columns},
              files={"file": ("bad.csv", data, "text/csv")})  # fmt: skip
    assert r.status_code == 422, r.text[-1500:]
    box = re.search(r'<p class="error" role="alert">(.*?)</p>', r.text, re.S)
    assert box is not None, r.text[-1500:]
    words = unescape(re.sub(r"<[^>]+>", "", box.group(1)))
    assert any("\u0600" <= ch <= "\u06ff" for ch in words), words
    own = {"bad", "csv", "colour", "flavour", "red", "sweet", "bogus", "ignore"}
    own |= {w for f in PERSONNEL_FIELDS for w in f.split("_")}
    assert not set(re.findall(r"[A-Za-z]{3,}", words)) - own, words


def test_findings_pages_label_incidents_and_acts_in_words(
    app: Any, make_client: Any, fx: dict[str, Any]
) -> None:
    """Issue #11 item 4: an incident is linked by its title and an act by its type in words
    and its victim's pseudonym (the labels the record pages use), in the page's language;
    was 'Incident N' / 'Act N'."""
    import re
    from html import unescape

    from dalil.services import persons, records

    with app.state.case.act(USERS["admin"], write=False) as ctx:
        act = records.get(ctx, "act", fx["act"])
        victim = persons.get_person(ctx, act.victim_id).pseudonym
    title = "Fictional shelling of Wadi (fictional)"

    def link(html: str, href: str) -> str:
        m = re.search(rf'<a href="{href}">(.*?)</a>', html, re.S)
        assert m is not None, (href, html[-3000:])
        return " ".join(unescape(re.sub(r"<[^>]+>", " ", m.group(1))).split())

    c = _client(make_client, "viewer")
    for lang, act_words in (("ar", f"قتل: الضحية {victim}"), ("en", f"killing of {victim}")):
        for url in (f"/findings/acts/{fx['act']}", f"/findings/sites/{fx['site']}"):
            page = c.get(f"{url}?lang={lang}").text
            assert link(page, f"/findings/incidents/{fx['incident']}") == title, (lang, url)
        for url in ("/findings", f"/findings/incidents/{fx['incident']}"):
            page = c.get(f"{url}?lang={lang}").text
            assert link(page, f"/findings/acts/{fx['act']}") == act_words, (lang, url)
        page = c.get(f"/findings?lang={lang}").text
        row = page[page.index(f'href="/findings/acts/{fx["act"]}"') :].split("</li>")[0]
        assert title in unescape(row), row
