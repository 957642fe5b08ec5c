"""Findings services on a real case: permissions, four-eyes sign-off, audit, bad input."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from dalil.core import audit
from dalil.errors import Conflict, InputError, NotFound, PermissionDenied
from dalil.model.findings import ElementAssessmentRow, SignOffRow
from dalil.services import assessments, coding, corroboration, sites, units, vetting

if TYPE_CHECKING:
    from findings.conftest import Small

ELEMENTS = ("civilian", "deliberate", "identity", "party", "nexus")


def assess_all(s: Small, user: str = "lina") -> None:
    with s.case.act(user) as ctx:
        for el in ELEMENTS:
            assessments.assess(ctx, s.act, el, "established", [str(s.ev[0])], note="fictional")


def count(s: Small, model: type) -> int:
    with s.case.act(write=False) as ctx:
        return int(ctx.session.scalar(select(func.count()).select_from(model)) or 0)


def test_assessor_cannot_sign_own_assessment_and_second_analyst_can(small: Small) -> None:
    assess_all(small)
    with pytest.raises(Conflict, match="cannot sign off"), small.case.act("lina") as ctx:
        assessments.sign_off(ctx, small.act)
    assert count(small, SignOffRow) == 0
    with small.case.act("omar") as ctx:
        shown = assessments.sign_off(ctx, small.act)
    assert shown["status"] == "signed"
    assert [q["key"] for q in shown["suggested_qualifications"]] == ["war_crime_murder"]
    with small.case.system_session() as session:
        actions = [e.action for e in audit.query(session, action="assessment.*")]
    assert actions.count("assessment.add") == 5 and actions.count("assessment.signoff") == 1


def test_established_without_evidence_refused_nothing_stored(small: Small) -> None:
    with pytest.raises(InputError, match="without evidence"), small.case.act("lina") as ctx:
        assessments.assess(ctx, small.act, "deliberate", "established", [])
    assert count(small, ElementAssessmentRow) == 0


def test_unknown_ids_are_clear_errors(small: Small) -> None:
    with pytest.raises(NotFound, match="no act with id 999"), small.case.act("lina") as ctx:
        assessments.assess(ctx, 999, "deliberate", "likely")
    with pytest.raises(NotFound, match="no evidence item"), small.case.act("lina") as ctx:
        assessments.assess(ctx, small.act, "deliberate", "established", ["4242"])
    assert count(small, ElementAssessmentRow) == 0


def test_roles_without_assessment_permission_are_denied(small: Small) -> None:
    for user in ("vera", "sami", "nadia"):
        with pytest.raises(PermissionDenied), small.case.act(user) as ctx:
            assessments.assess(ctx, small.act, "deliberate", "likely")
    assess_all(small)
    with pytest.raises(PermissionDenied), small.case.act("sami") as ctx:
        assessments.sign_off(ctx, small.act)


def test_aggregates_and_incident_attack_element(small: Small) -> None:
    assess_all(small)
    with small.case.act("lina") as ctx:
        assessments.assess(ctx, small.act2, "deliberate", "likely")
        with pytest.raises(InputError, match="once per incident"):
            assessments.assess(ctx, small.act, "attack", "likely")
        assessments.assess_incident(
            ctx, small.incident, "attack", "established", [str(small.ev[1])]
        )
    with small.case.act(write=False) as ctx:
        agg = assessments.aggregates(ctx)[0]
        shown = assessments.show_assessment(ctx, small.act)
    assert agg["sentence"].startswith(
        "2 acts assessed; 1 deliberate; 1 identity-targeted; 1 unlawful"
    )
    assert {q["key"] for q in shown["suggested_qualifications"]} == {
        "war_crime_murder",
        "cah_murder",
        "cah_persecution",
    }


def test_coding_export_and_timeline(small: Small) -> None:
    with small.case.act() as ctx, pytest.raises(InputError, match="cites no source"):
        coding.set_coding(
            ctx,
            small.incident,
            actor1="Fictional Brigade",
            fatality_sources={"low": [str(small.ev[0])]},
        )
    with small.case.act() as ctx:
        coding.set_coding(
            ctx,
            small.incident,
            actor1="Fictional Brigade",
            fatality_sources={
                "low": [str(small.ev[0])],
                "best": [str(small.ev[1])],
                "high": [str(small.ev[2])],
            },
        )
        text = coding.export_incidents(ctx, "ucdp")
        tl = coding.timeline(ctx)
    assert (
        "Fictional Brigade" in text and ",3,5,9," not in text
    )  # ucdp columns: best, high, low at the end
    assert text.strip().splitlines()[1].endswith("5,9,3")
    assert tl[0]["date_start"] == "2021-04-14"


def test_site_status_moves_forward_and_links_victims(small: Small) -> None:
    with small.case.act("nadia") as ctx:
        sites.site_status(ctx, small.site, "located", "2021-05-10", evidence=[str(small.ev[1])])
        sites.site_details(ctx, small.site, recovered=4, protection="guarded (fictional)")
        sites.site_link_victim(ctx, small.site, small.victim, [str(small.ev[2])])
    with pytest.raises(Conflict, match="only moves forward"), small.case.act("nadia") as ctx:
        sites.site_status(ctx, small.site, "reported", "2021-06-01")
    with small.case.act(write=False) as ctx:
        shown = sites.show_site(ctx, small.site)
    assert (
        shown["status"] == "located"
        and shown["recovered_bodies"] == 4
        and len(shown["victims"]) == 1
    )


def test_corroboration_groups_sources_by_derivation_graph_or_says_why_not(small: Small) -> None:
    with small.case.act() as ctx:
        cid = corroboration.add_claim(ctx, "toll", "More than 100 killed (fictional)")
        corroboration.add_carrier(ctx, cid, small.sources[0], "B2")
        corroboration.add_carrier(ctx, cid, small.sources[1], "C3")
        with pytest.raises(InputError, match="Admiralty"):
            corroboration.add_carrier(ctx, cid, small.sources[1], "Z9")
        m = corroboration.corroboration(ctx)
    row = m["claims"][0]  # type: ignore[index]
    assert row["independent"] == 2  # no readable texts: each source its own group, and it says so
    assert "each source its own group" in m["grouping"]  # type: ignore[operator]


def test_suspects_linked_through_unit_hierarchy(small: Small) -> None:
    with small.case.act(write=False) as ctx:
        links = units.suspects_for_acts(ctx)
    assert [(x["person"], x["act"]) for x in links] == [(str(small.suspect), str(small.act))]
    assert set(links[0]["evidence"]) == {str(small.ev[0]), str(small.ev[3])}  # type: ignore[arg-type]


def test_vetting_screens_audits_and_never_prints_protected_names(
    small: Small, tmp_path: Path
) -> None:
    p = tmp_path / "personnel.csv"
    p.write_text(
        "name,unit,rank,start\nفواز حمدان القرعاوي,2nd Battalion Fictional Brigade,colonel,2020-01-01\nSamir Nobody,Harbour police,lt,2020\n",
        encoding="utf-8",
    )
    with small.case.act("lina") as ctx:
        res = vetting.vet(ctx, p)
    assert [c["record_id"] for c in res["candidates"]] == ["row2"]
    c = res["candidates"][0]
    assert c["suspect"] == str(small.suspect) and c["suspect_label"] == "S-1" and c["unit_match"]
    assert str(small.ev[3]) in c["evidence"] and str(small.act) in c["acts"]
    assert "Fawwaz" not in repr(res)
    with small.case.system_session() as session:
        assert [e.action for e in audit.query(session, action="vetting.*")] == ["vetting.screen"]


def test_vetting_unmappable_columns_exit_2_nothing_logged(
    small: Small, tmp_path: Path, dalil
) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "bad.csv"
    p.write_text("name,shoe_size\nX,44\n", encoding="utf-8")
    r = dalil("vet", str(p), "--user", "lina")
    assert r.exit_code == 2 and "cannot map column" in r.stderr and "shoe_size" in r.stderr
    with small.case.system_session() as session:
        assert not list(audit.query(session, action="vetting.*"))


def test_cli_assess_show_and_sign_off(small: Small, dalil) -> None:  # type: ignore[no-untyped-def]
    r = dalil(
        "assess",
        str(small.act),
        "--element",
        "deliberate",
        "--finding",
        "established",
        "--user",
        "lina",
    )
    assert r.exit_code == 2 and "without evidence" in r.stderr
    for el in ELEMENTS:
        r = dalil(
            "assess",
            str(small.act),
            "--element",
            el,
            "--finding",
            "established",
            "--evidence",
            str(small.ev[0]),
            "--user",
            "lina",
        )
        assert r.exit_code == 0, r.stderr
    r = dalil("assess", str(small.act), "--sign-off", "--user", "lina")
    assert r.exit_code == 2 and "cannot sign off" in r.stderr
    assert dalil("assess", str(small.act), "--sign-off", "--user", "omar").exit_code == 0
    shown = dalil.json("assess", str(small.act), "--show")
    assert shown["status"] == "signed" and shown["sign_offs"][0]["reviewer"] == "omar"
    r = dalil("assess", "999", "--show")
    assert r.exit_code == 2 and "no act with id 999" in r.stderr


def test_assessment_round_trip_on_sqlite_and_postgres(any_case) -> None:  # type: ignore[no-untyped-def]
    from dalil.services import persons, records, users
    from dalil.services.evidence import add_bytes

    with any_case.act() as ctx:
        users.add_user(ctx, "lina", "legal")
        users.add_user(ctx, "omar", "legal")
        inc = records.add(ctx, "incident", title="Fictional incident", date_start="2021-04-14")
        v = persons.add_person(ctx, pseudonym="V-9", roles=["victim"])
        act = records.add(
            ctx, "act", incident_id=str(inc.id), victim_id=str(v.id), act_type="killing"
        )
        act_id, inc_id = act.id, inc.id
    ev = add_bytes(any_case, any_case.actor(), b"fictional statement\n", name="s.txt").item.id
    with any_case.act("lina") as ctx:
        for el in ELEMENTS:
            assessments.assess(ctx, act_id, el, "established", [str(ev)])
    with any_case.act("omar") as ctx:
        assert assessments.sign_off(ctx, act_id)["status"] == "signed"
    with any_case.act(write=False) as ctx:
        agg = assessments.aggregates(ctx, inc_id)[0]
        shown = assessments.show_assessment(ctx, act_id)
    assert agg["unlawful"] == 1 and agg["signed_off"] == 1
    assert shown["elements"][0]["evidence"] == [str(ev)]


def test_report_permissions_and_audit(small: Small, tmp_path: Path) -> None:
    from dalil.services.reports import build_report

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(PermissionDenied):
        build_report(small.case, "vera", audience="internal", fmt="html", out=tmp_path / "r.html")
    with pytest.raises(PermissionDenied):
        build_report(small.case, "nadia", audience="public", fmt="html", out=tmp_path / "r.html")
    assert not list(tmp_path.iterdir())
    res = build_report(small.case, "lina", audience="public", fmt="html", out=tmp_path / "p.html")
    html = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "Canary Victimname" not in html and "Fawwaz" not in html
    inside = build_report(
        small.case, "nadia", audience="internal", fmt="html", out=tmp_path / "i.html"
    )
    assert "Canary Victimname One" in (tmp_path / "i.html").read_text(encoding="utf-8")
    with small.case.system_session() as session:
        logged = [
            e.detail.get("sha256") if isinstance(e.detail, dict) else None
            for e in audit.query(session, action="report.build")
        ]
    assert len(logged) == 2 and res["sha256"] != inside["sha256"]


def test_public_report_withholds_file_names_and_sensitive_items(
    small: Small, tmp_path: Path
) -> None:
    from dalil.services import records
    from dalil.services.evidence import add_bytes
    from dalil.services.reports import build_report

    admin = small.case.actor()
    loose = add_bytes(
        small.case, admin, b"fictional interview\n", name="interview-CanaryFileName.txt"
    ).item.id
    with small.case.act() as ctx:
        src = records.add(ctx, "source", kind="official", title="CanarySensitiveTitle memo")
    secret = add_bytes(
        small.case, admin, b"fictional memo\n", name="memo.txt", source_id=src.id, sensitive=True
    ).item.id
    src_id = src.id
    with small.case.act("lina") as ctx:
        for el in ELEMENTS:
            assessments.assess(ctx, small.act, el, "established", [str(loose), str(secret)])
    with small.case.act("omar") as ctx:
        assessments.sign_off(ctx, small.act)  # signed: the act and its citations are published
    with small.case.act() as ctx:
        cid = corroboration.add_claim(ctx, "method", "Shot at close range (fictional)")
        corroboration.add_carrier(ctx, cid, src_id, "B2")
    build_report(small.case, "omar", audience="public", fmt="html", out=tmp_path / "p.html")
    html = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert html.count("withheld") >= 2  # both items are cited, described as withheld
    assert "CanaryFileName" not in html and "CanarySensitiveTitle" not in html
    build_report(small.case, "lina", audience="internal", fmt="html", out=tmp_path / "i.html")
    assert "CanaryFileName" in (tmp_path / "i.html").read_text(encoding="utf-8")
