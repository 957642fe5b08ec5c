"""Retraction downstream: a retracted list record, list or victim is not linked by the
next linkage run nor counted by the next estimate; results computed before a retraction
say so; a cascade retraction and its restore leave the case as it was. Fictional lists
(dalil.synth) only."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import Conflict, InputError
from dalil.model.lists import ListRecord, VictimList
from dalil.services import (
    corroboration,
    estimates,
    lists,
    persons,
    records,
    reports,
    retractions,
)
from dalil.synth.lists import generate
from dalil.testing import TEST_PASSPHRASE, DalilRunner


@pytest.fixture(scope="module")
def linked_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two small fictional lists, imported and linked once; each test gets a copy."""
    base = tmp_path_factory.mktemp("linked")
    generate(40, 2, seed=7, out_dir=base / "lists")
    case = Case.init(base / "case", TEST_PASSPHRASE, admin="admin")
    try:
        for i, name in enumerate(("committee", "hospital"), start=1):
            lists.import_list(case, "admin", base / "lists" / f"list_{i}.csv", list_name=name)
        with case.act() as ctx:
            lists.link(ctx)
    finally:
        case.close()
    return base / "case"


@pytest.fixture
def linked(linked_template: Path, tmp_path: Path) -> Iterator[Case]:
    root = tmp_path / "linked"
    shutil.copytree(linked_template, root)
    case = Case.open(root, TEST_PASSPHRASE)
    try:
        yield case
    finally:
        case.close()


def _observed(case: Case) -> int:
    with case.act(write=False) as ctx:
        _names, rows = lists.case_histories(ctx)
    return sum(r["count"] for r in rows)


def _a_record_seen_twice(case: Case) -> ListRecord:
    """A list record whose victim is on both lists (retracting it changes the pattern
    of that victim, not the number of victims) — or any record otherwise."""
    with case.act(write=False) as ctx:
        recs = list(ctx.session.scalars(select(ListRecord).order_by(ListRecord.id)))
        ctx.session.expunge_all()
    alone = [r for r in recs if sum(x.person_id == r.person_id for x in recs) == 1]
    return alone[0]


def test_a_retracted_list_record_is_not_linked_nor_counted_until_restored(
    linked: Case,
) -> None:
    before = _observed(linked)
    rec = _a_record_seen_twice(linked)  # the only record of its victim
    with linked.act() as ctx:
        retractions.retract(ctx, "list_record", rec.id, reason="a test row, not a victim")
    # counted no more, even before the next run
    assert _observed(linked) == before - 1
    with linked.act() as ctx:
        total = ctx.session.scalar(select(ListRecord.id).order_by(ListRecord.id.desc()))
        summary = lists.link(ctx)
    assert summary["records"] == len(range(1, total + 1)) - 1
    assert summary["records_unlinked_retracted"] == 1
    with linked.act(write=False) as ctx:
        again = ctx.session.get(ListRecord, rec.id)
        assert again is not None and again.person_id is None
        inp = estimates.case_linkage_input(ctx)
        assert str(rec.id) not in {rid for rid, _ in inp.records}
    assert _observed(linked) == before - 1
    with linked.act() as ctx:
        retractions.restore(ctx, "list_record", rec.id, reason="it was a victim after all")
    with pytest.raises(Conflict, match="not linked"):
        _observed(linked)  # restored, it waits for the next run
    with linked.act() as ctx:
        lists.link(ctx)
    assert _observed(linked) == before


def _queued_lists(case: Case) -> set[str]:
    with case.act(write=False) as ctx:
        return {side["list"] for q in lists.review(ctx, limit=500) for side in (q["a"], q["b"])}


def test_a_retracted_list_leaves_the_estimate_and_the_run(linked: Case) -> None:
    with linked.act() as ctx:  # strict: pairs left to review
        lists.link(ctx, threshold=0.995, review_low=0.2)
    assert "hospital" in _queued_lists(linked)  # pairs to review before
    with linked.act() as ctx:
        hospital = ctx.session.scalar(select(VictimList.id).where(VictimList.name == "hospital"))
        out = retractions.retract(ctx, "list", hospital, reason="list not verified yet")
    assert "hospital" not in _queued_lists(linked)  # none with its records after
    assert out["dependants"] and not any(d["cascade"] for d in out["dependants"])
    with linked.act(write=False) as ctx:
        marks = {v["name"]: v["retracted"] for v in lists.list_lists(ctx)}
        assert marks == {"committee": False, "hospital": True}  # listed, marked
        names, _rows = lists.case_histories(ctx)
        assert names == ["committee"]
        with pytest.raises(InputError, match=r"found 1 list column\(s\) \(committee\)"):
            estimates.case_capture_data(ctx)  # the hospital list is not an input any more
    with linked.act() as ctx:
        committee = ctx.session.scalar(
            select(ListRecord.id).where(ListRecord.list_id != hospital).limit(1)
        )
        summary = lists.link(ctx)
        n = len(list(ctx.session.scalars(select(ListRecord).where(ListRecord.list_id != hospital))))
    assert summary["records"] == n and committee is not None


def test_a_retracted_victim_is_not_counted_nor_compared(linked: Case) -> None:
    before = _observed(linked)
    with linked.act() as ctx:
        victim = ctx.session.scalar(select(ListRecord.person_id).limit(1))
        assert victim is not None
        retractions.retract(ctx, "person", victim, reason="not a civilian of this case")
    assert _observed(linked) == before - 1
    with linked.act() as ctx:
        lists.link(ctx)
        kept = list(ctx.session.scalars(select(ListRecord).where(ListRecord.person_id == victim)))
    assert kept, "the records of a retracted victim keep it (restore brings them back)"
    assert _observed(linked) == before - 1
    with linked.act() as ctx:
        retractions.restore(ctx, "person", victim, reason="a civilian after all")
    assert _observed(linked) == before


def test_an_estimate_recorded_before_a_retraction_says_so(linked: Case) -> None:
    dalil = DalilRunner({"DALIL_CASE": str(linked.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    with linked.act() as ctx:
        data = estimates.case_capture_data(ctx)
        from dalil.estimate import estimate

        result = estimate(data, method="loglinear").to_dict()
        eid = estimates.record_estimate(ctx, "Fictional two lists", result)
    with linked.act(write=False) as ctx:
        row = next(r for r in estimates.estimates(ctx) if r.id == eid)
        assert estimates.estimate_staleness(ctx, row) == {"retracted": 0, "restored": 0}
    rec = _a_record_seen_twice(linked)
    with linked.act() as ctx:
        retractions.retract(ctx, "list_record", rec.id, reason="entered twice")
        retractions.restore(ctx, "list_record", rec.id, reason="not twice after all")
        retractions.retract(ctx, "list_record", rec.id, reason="entered twice, checked")
    with linked.act(write=False) as ctx:
        row = next(r for r in estimates.estimates(ctx) if r.id == eid)
        assert estimates.estimate_staleness(ctx, row) == {"retracted": 2, "restored": 1}
    [listed] = dalil.json("finding", "estimates")
    assert listed["stale"] == {"retracted": 2, "restored": 1}
    said = dalil("finding", "estimates").stdout
    assert f"{eid}: computed before 2 records were retracted and 1 restored" in said
    with linked.act() as ctx:
        snap = reports.snapshot(ctx, "internal", title="Fictional")
    assert any("Fictional two lists" in n and "run it again" in n for n in snap.notes)


def _verify(case: Case) -> bool:
    with case.system_session() as s:
        return bool(audit.verify(s, case.audit_public_key()).ok)


def test_cascade_retract_and_restore_round_trip(any_case: Case) -> None:
    case = any_case
    with case.act() as ctx:
        inc = records.add(ctx, "incident", title="Fictional shelling of Qaryat-Gamma").id
        other = records.add(ctx, "incident", title="Fictional raid on Qaryat-Delta").id
        v1 = persons.add_person(ctx, pseudonym="V-Fict-A", roles=["victim"]).id
        v2 = persons.add_person(ctx, pseudonym="V-Fict-B", roles=["victim"]).id
        a1 = records.add(ctx, "act", incident_id=inc, victim_id=v1, act_type="killing").id
        a2 = records.add(ctx, "act", incident_id=inc, victim_id=v2, act_type="killing").id
        a3 = records.add(ctx, "act", incident_id=other, victim_id=v2, act_type="killing").id
        # a2 retracted on its own before: the cascade leaves it to its own restore
        retractions.retract(ctx, "act", a2, reason="entered against the wrong victim")
    with case.act(write=False) as ctx:
        before = retractions.hidden(ctx)
        deps = retractions.dependants(ctx, "incident", inc)
    assert [(d["kind"], d["id"], d["retracted"]) for d in deps] == [
        ("act", a1, False),
        ("act", a2, True),
    ]
    with case.act() as ctx:
        out = retractions.retract(
            ctx, "incident", inc, reason="a duplicate of a later entry", with_dependants=True
        )
    assert [d["id"] for d in out["dependants"] if d["cascade"]] == [a1]
    with case.act(write=False) as ctx:
        assert retractions.hidden(ctx) == before | {("incident", inc), ("act", a1)}
        assert [a.id for a in records.list_(ctx, "act")] == [a3]
    with case.system_session() as s:
        [entry] = [e.to_dict() for e in audit.query(s, action="incident.retract")]
    assert entry["object_ids"] == [f"incident:{inc}", f"act:{a1}"]
    assert entry["detail"]["dependants"] == [f"act:{a1}"]
    with case.act() as ctx:
        back = retractions.restore(ctx, "incident", inc, reason="not a duplicate after all")
    assert back["dependants"] == [f"act:{a1}"]
    with case.act(write=False) as ctx:
        assert retractions.hidden(ctx) == before  # a2 stays retracted: not this operation's
    assert _verify(case)


def test_without_dependants_they_stay_and_say_what_they_depend_on(case: Case) -> None:
    with case.act() as ctx:
        inc = records.add(ctx, "incident", title="Fictional raid on Qaryat-Epsilon").id
        v = persons.add_person(ctx, pseudonym="V-Fict-C", roles=["victim"]).id
        act = records.add(ctx, "act", incident_id=inc, victim_id=v, act_type="killing").id
        retractions.retract(ctx, "person", v, reason="the name was a placeholder")
    with case.act(write=False) as ctx:
        [up] = retractions.upstream(ctx, "act", act)
        assert (up["kind"], up["id"], up["reason"]) == ("person", v, "the name was a placeholder")
        assert retractions.upstream(ctx, "incident", inc) == []
        assert [a.id for a in records.list_(ctx, "act")] == [act]  # still in force
        snap = reports.snapshot(ctx, "internal", title="Fictional")
    assert snap.acts == []  # but not reported: its victim is retracted


def test_a_retracted_source_carries_no_claim_and_is_flagged(case: Case) -> None:
    with case.act() as ctx:
        s1 = records.add(ctx, "source", kind="report", title="Fictional NGO report").id
        s2 = records.add(ctx, "source", kind="article", title="Fictional daily").id
        claim = corroboration.add_claim(ctx, "method", "Fictional shelling on 7 March")
        corroboration.add_carrier(ctx, claim, s1, "B2")
        corroboration.add_carrier(ctx, claim, s2, "C3")
        deps = retractions.retract(ctx, "source", s2, reason="fabricated article")["dependants"]
    assert [(d["kind"], d["id"], d["retractable"]) for d in deps] == [("claim", claim, False)]
    with case.act(write=False) as ctx:
        m = corroboration.corroboration(ctx)
    assert m["sources"] == [str(s1)]
    assert m["retracted_sources"] == [
        {"source": str(s2), "title": "Fictional daily", "claims": [str(claim)]}
    ]


def test_findings_citing_a_retracted_source_are_flagged_and_counts_leave_its_acts(
    case: Case,
) -> None:
    from dalil.services import assessments, evidence

    with case.act() as ctx:
        src = records.add(ctx, "source", kind="testimony", title="Fictional testimony").id
        inc = records.add(ctx, "incident", title="Fictional raid on Qaryat-Eta").id
        v1 = persons.add_person(ctx, pseudonym="V-Fict-E", roles=["victim"]).id
        v2 = persons.add_person(ctx, pseudonym="V-Fict-F", roles=["victim"]).id
        a1 = records.add(ctx, "act", incident_id=inc, victim_id=v1, act_type="killing").id
        records.add(ctx, "act", incident_id=inc, victim_id=v2, act_type="killing")
    item = evidence.add_bytes(
        case, case.actor("admin"), b"Fictional statement.", name="s.txt", source_id=src
    ).item.id
    with case.act() as ctx:
        assessments.assess(ctx, a1, "civilian", "established", evidence=[item])
    with case.act(write=False) as ctx:
        assert assessments.show_assessment(ctx, a1)["retracted_evidence"] == []
        [before] = assessments.aggregates(ctx, inc)
    with case.act() as ctx:
        deps = retractions.retract(ctx, "source", src, reason="the witness was not there")
    kinds = [(d["kind"], d["retractable"]) for d in deps["dependants"]]
    assert kinds == [("evidence", True), ("assessment", False)]
    with case.act() as ctx:
        assert assessments.show_assessment(ctx, a1)["retracted_evidence"] == [str(item)]
        retractions.retract(ctx, "person", v1, reason="entered twice")
        [after] = assessments.aggregates(ctx, inc)
    assert after != before and after["acts"] == before["acts"] - 1


def _audit_count(case: Case) -> int:
    with case.system_session() as s:
        return len(list(s.scalars(select(audit.AuditEntry.seq))))


def test_the_preview_of_a_list_record_retraction_says_what_it_changes(linked: Case) -> None:
    """Before a retraction is confirmed, the page shows what it will change: the list
    records that leave the linkage and the estimates, the victims linked to them, the
    estimates and linkage runs that will then predate it. The preview changes nothing."""
    with linked.act() as ctx:
        data = estimates.case_capture_data(ctx)
        from dalil.estimate import estimate

        estimates.record_estimate(
            ctx, "Fictional preview", estimate(data, method="loglinear").to_dict()
        )
    rec = _a_record_seen_twice(linked)
    entries = _audit_count(linked)
    with linked.act(write=False) as ctx:
        seen = retractions.impact(ctx, "list_record", rec.id)
    assert _audit_count(linked) == entries  # a preview is not an operation
    assert seen["retracted"] is False and seen["restore"] is False
    assert (seen["list_records"], seen["victims"]) == (1, 1)
    assert seen["estimates"] == 1 and seen["linkage_runs"] >= 1
    assert seen["findings"] == 0 and seen["dependants"] == []
    with linked.act(write=False) as ctx:  # its victim: the same record leaves with them
        victim = retractions.impact(ctx, "person", rec.person_id)
    assert (victim["list_records"], victim["victims"], victim["estimates"]) == (1, 1, 1)
    with linked.act() as ctx:
        retractions.retract(ctx, "list_record", rec.id, reason="a test row, not a victim")
    with linked.act(write=False) as ctx:
        back = retractions.impact(ctx, "list_record", rec.id)
    assert back["retracted"] is True and back["restore"] is True
    assert back["list_records"] == 1 and back["estimates"] == 1  # it comes back


def test_the_preview_of_a_list_retraction_counts_its_records(linked: Case) -> None:
    with linked.act(write=False) as ctx:
        hospital = ctx.session.scalar(select(VictimList.id).where(VictimList.name == "hospital"))
        n = len(
            list(ctx.session.scalars(select(ListRecord.id).where(ListRecord.list_id == hospital)))
        )
        one = ctx.session.scalar(select(ListRecord.id).where(ListRecord.list_id == hospital))
    with linked.act() as ctx:
        retractions.retract(ctx, "list_record", one, reason="entered by mistake")
    with linked.act(write=False) as ctx:
        seen = retractions.impact(ctx, "list", hospital)
    assert seen["list_records"] == n - 1  # the one already retracted is out already
    assert len(seen["dependants"]) == n and seen["estimates"] == 0
    with linked.act() as ctx:
        retractions.retract(ctx, "list", hospital, reason="not verified", with_dependants=True)
    with linked.act(write=False) as ctx:
        back = retractions.impact(ctx, "list", hospital)
    # restoring the list puts back the records withdrawn with it, not the one retracted alone
    assert back["restore"] is True and back["list_records"] == n - 1
    assert len(back["dependants"]) == n - 1


def test_a_victim_list_and_its_records_without_names(linked: Case) -> None:
    """The list page reads a list and a page of its records (open fields, never the
    names); a retracted record leaves the page and is found with retracted=only."""
    with linked.act(write=False) as ctx:
        committee = ctx.session.scalar(select(VictimList.id).where(VictimList.name == "committee"))
        page = lists.victim_list(ctx, committee, limit=500)
    assert page["list"]["name"] == "committee" and page["list"]["retraction"] is None
    first = page["records"][0]
    assert {"id", "record", "row", "sex", "age", "person_id"} <= set(first)
    assert not {"full_name", "names", "data_enc"} & set(first)
    assert page["total"] == len(page["records"]) and page["retracted_records"] == 0
    with linked.act() as ctx:
        retractions.retract(ctx, "list_record", first["id"], reason="a test row")
    with linked.act(write=False) as ctx:
        page = lists.victim_list(ctx, committee, limit=500)
        gone = lists.victim_list(ctx, committee, retracted="only")
        one = lists.list_record(ctx, first["id"])
    assert first["id"] not in {r["id"] for r in page["records"]}
    assert [r["id"] for r in gone["records"]] == [first["id"]]
    assert page["retracted_records"] == 1
    assert one["list"] == {"id": committee, "name": "committee", "retracted": False}
    assert one["retraction"]["reason"] == "a test row" and "full_name" not in one
