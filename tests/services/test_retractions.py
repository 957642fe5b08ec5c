"""Retraction: a record withdrawn with a reason is gone from lists, search results and
court exports, kept in its history, the audit log and internal exports; restored with a
reason. Refusals (viewer, no reason, twice) change nothing. All data fictional."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dalil.core import audit
from dalil.core.access import Actor
from dalil.core.case import Case
from dalil.errors import Conflict, InputError, PermissionDenied
from dalil.services import evidence, export, persons, records, retractions, search, users


@pytest.fixture
def two(any_case: Case) -> tuple[Case, int, int, int]:
    with any_case.act() as ctx:
        a = records.add(ctx, "incident", title="Fictional raid on Qaryat-Alpha")
        b = records.add(ctx, "incident", title="Fictional raid on Qaryat-Beta")
        p = persons.add_person(ctx, pseudonym="V-Fict-1", roles=["victim"])
        return any_case, a.id, b.id, p.id


def _entries(case: Case, object_id: str) -> list[dict]:
    with case.system_session() as s:
        return [e.to_dict() for e in audit.query(s, object_id=object_id)]


def test_retracted_record_leaves_lists_and_counts_but_its_page_and_log_keep_it(two) -> None:
    case, a, b, p = two
    with case.act() as ctx:
        retractions.retract(ctx, "incident", b, reason="entered twice (same as the first)")
        retractions.retract(ctx, "person", p, reason="not a victim of this case")
    with case.act(write=False) as ctx:
        assert [r.id for r in records.list_(ctx, "incident")] == [a]
        assert [r["id"] for r in records.list_open(ctx, "incident")] == [a]
        assert [r["id"] for r in records.list_open(ctx, "incident", order="-title")] == [a]
        assert records.count(ctx, "incident") == 1
        assert [r.id for r in records.list_(ctx, "incident", retracted="only")] == [b]
        assert records.count(ctx, "incident", retracted="include") == 2
        assert persons.list_persons(ctx) == [] and persons.count_persons(ctx) == 0
        assert persons.list_persons_open(ctx, role="victim") == []
        assert persons.count_persons(ctx, retracted="only") == 1
        # Its page still answers, and says who, when, why.
        assert records.get(ctx, "incident", b).title.endswith("Beta")
        held = retractions.status(ctx, "incident", b)
        assert held is not None
        assert held["by"] == "admin" and held["reason"] == "entered twice (same as the first)"
        assert retractions.status(ctx, "incident", a) is None
    [add, retract] = [e for e in _entries(case, f"incident:{b}")]
    assert (add["action"], retract["action"]) == ("incident.add", "incident.retract")
    assert retract["detail"]["reason"] == "entered twice (same as the first)"


def test_restore_brings_it_back_and_the_log_keeps_both_steps(two) -> None:
    case, a, b, _p = two
    with case.act() as ctx:
        retractions.retract(ctx, "incident", b, reason="looked like a duplicate")
    with case.act() as ctx:
        retractions.restore(ctx, "incident", b, reason="a different raid after all")
    with case.act(write=False) as ctx:
        assert [r.id for r in records.list_(ctx, "incident")] == [a, b]
        assert retractions.status(ctx, "incident", b) is None
    actions = [e["action"] for e in _entries(case, f"incident:{b}")]
    assert actions == ["incident.add", "incident.retract", "incident.restore"]
    restore = _entries(case, f"incident:{b}")[-1]["detail"]
    assert restore["reason"] == "a different raid after all"
    assert restore["retraction_reason"] == "looked like a duplicate"


def test_a_retracted_record_is_not_edited_in_silence_until_restored(two) -> None:
    case, _a, b, p = two
    with case.act() as ctx:
        retractions.retract(ctx, "incident", b, reason="entered twice (same as the first)")
        retractions.retract(ctx, "person", p, reason="not a victim of this case")
    with pytest.raises(Conflict, match="restore it"), case.act() as ctx:
        records.update(ctx, "incident", b, title="Fictional raid, edited while withdrawn")
    with pytest.raises(Conflict, match="restore it"), case.act() as ctx:
        persons.update_person(ctx, p, notes="edited while withdrawn")
    with case.act(write=False) as ctx:
        assert records.get(ctx, "incident", b).title.endswith("Beta")
        assert persons.get_person(ctx, p).notes is None
    assert [e["action"] for e in _entries(case, f"incident:{b}")][-1] == "incident.retract"
    with case.act() as ctx:
        retractions.restore(ctx, "incident", b, reason="a different raid after all")
    with case.act() as ctx:
        records.update(ctx, "incident", b, title="Fictional raid on Qaryat-Beta (checked)")
    with case.act(write=False) as ctx:
        assert records.get(ctx, "incident", b).title.endswith("(checked)")


def test_refusals_change_nothing(two) -> None:
    case, _a, b, _p = two
    with case.act() as ctx:
        users.add_user(ctx, "vic", "viewer", "pw-viewer-fictional")
    with pytest.raises(PermissionDenied), case.act(Actor("vic", "viewer")) as ctx:
        retractions.retract(ctx, "incident", b, reason="a viewer tries")
    with case.system_session() as s:
        denied = audit.query(s, actor="vic", action="access.denied")
    assert denied and denied[-1].to_dict()["detail"]["permission"] == "record.write"
    for bad in ("", "  ", "no"):
        with pytest.raises(InputError) as err, case.act() as ctx:
            retractions.retract(ctx, "incident", b, reason=bad)
        assert err.value.field == "reason"
    with pytest.raises(Conflict), case.act() as ctx:
        retractions.restore(ctx, "incident", b, reason="it was never retracted")
    with case.act() as ctx:
        retractions.retract(ctx, "incident", b, reason="first retraction")
    with pytest.raises(Conflict), case.act() as ctx:
        retractions.retract(ctx, "incident", b, reason="second retraction")
    with case.act(write=False) as ctx:
        assert retractions.status(ctx, "incident", b)["reason"] == "first retraction"  # type: ignore[index]
    actions = [e["action"] for e in _entries(case, f"incident:{b}")]
    assert actions == ["incident.add", "incident.retract"]


def test_search_leaves_out_retracted_records(two) -> None:
    case, a, b, _p = two
    with case.act(write=False) as ctx:
        before = {h["id"] for h in search.search(ctx, "fictional raid")["hits"]}
    assert before == {a, b}
    with case.act() as ctx:
        retractions.retract(ctx, "incident", b, reason="entered twice")
    with case.act(write=False) as ctx:
        res = search.search(ctx, "fictional raid")
    assert {h["id"] for h in res["hits"]} == {a} and res["total"] == 1
    with case.act() as ctx:
        retractions.restore(ctx, "incident", b, reason="restored for the test")
    with case.act(write=False) as ctx:
        assert {h["id"] for h in search.search(ctx, "fictional raid")["hits"]} == {a, b}


def test_court_bag_leaves_out_retracted_records_and_items_internal_export_keeps_them(
    two, tmp_path: Path
) -> None:
    case, a, b, p = two
    (tmp_path / "in").mkdir()
    for name in ("kept.txt", "gone.txt"):
        (tmp_path / "in" / name).write_bytes(f"fictional {name}".encode())
    evidence.add_files(case, None, [tmp_path / "in" / "kept.txt"])
    evidence.add_files(case, None, [tmp_path / "in" / "gone.txt"])
    with case.act() as ctx:
        gone = evidence.list_items(ctx)[1]
        retractions.retract(ctx, "evidence", gone.sha256, reason="wrong file uploaded")
        retractions.retract(ctx, "incident", b, reason="entered twice")
        assert [i.original_name for i in evidence.list_items(ctx)] == ["kept.txt"]
        assert evidence.count_items(ctx) == 1
    res = export.export_bag(case, None, tmp_path / "bag")
    assert res["items"] == 1
    files = [f.name for f in (tmp_path / "bag" / "data" / "evidence").rglob("*") if f.is_file()]
    assert files == ["kept.txt"]
    recs = json.loads((tmp_path / "bag" / "data" / "metadata" / "records.json").read_text())
    assert [r["id"] for r in recs["incident"]] == [a]
    # The internal records export keeps it, marked.
    export.export_records(case, None, tmp_path / "records.json", "json")
    internal = json.loads((tmp_path / "records.json").read_text())
    by_id = {r["id"]: r for r in internal["incident"]}
    assert set(by_id) == {a, b}
    assert by_id[a]["retraction"] is None
    assert by_id[b]["retraction"]["reason"] == "entered twice"
    assert internal["person"][0]["id"] == p and internal["person"][0]["retraction"] is None


def test_cli_retract_show_and_restore(dalil, case: Case) -> None:
    with case.act() as ctx:
        iid = records.add(ctx, "incident", title="Fictional raid for the CLI").id
    r = dalil("incident", "retract", str(iid))
    assert r.exit_code == 2 and "--reason" in r.output  # the reason is required
    r = dalil("incident", "retract", str(iid), "--reason", "no")
    assert r.exit_code == 2 and "reason" in r.output
    r = dalil("incident", "retract", str(iid), "--reason", "Fictional: entered twice")
    assert r.exit_code == 0 and f"retracted incident {iid}" in r.output
    shown = dalil.json("incident", "show", str(iid))
    assert shown["retraction"]["reason"] == "Fictional: entered twice"
    assert iid not in {i["id"] for i in dalil.json("incident", "list")}
    r = dalil("incident", "retract", str(iid), "--reason", "Fictional: again")
    assert r.exit_code != 0 and "already retracted" in r.output
    r = dalil("incident", "restore", str(iid), "--reason", "Fictional: restored")
    assert r.exit_code == 0
    assert "retraction" not in dalil.json("incident", "show", str(iid))


def test_one_read_of_dependants_and_related_records_still_leaves_out_retracted(two) -> None:
    """A record page reads what depends on a person (retracted records too) and then the
    person's acts in force: the second is the first less the retracted ones, in either
    order, in one read-only transaction."""
    case, a, _b, p = two
    with case.act() as ctx:
        kept = records.add(ctx, "act", incident_id=a, victim_id=p, act_type="killing")
        gone = records.add(ctx, "act", incident_id=a, victim_id=p, act_type="detention")
        retractions.retract(ctx, "act", gone.id, reason="entered on the wrong person")
    with case.act(write=False) as ctx:
        deps = retractions.dependants(ctx, "person", p)
        assert {(d["id"], d["retracted"]) for d in deps} == {(kept.id, False), (gone.id, True)}
        assert [r.id for r in records.list_(ctx, "act", victim_id=p)] == [kept.id]
        assert [r.id for r in records.list_(ctx, "act", victim_id=p, retracted="only")] == [gone.id]
    with case.act(write=False) as ctx:
        assert [r.id for r in records.list_(ctx, "act", victim_id=p)] == [kept.id]
        deps = retractions.dependants(ctx, "person", p)
        assert {(d["id"], d["retracted"]) for d in deps} == {(kept.id, False), (gone.id, True)}
