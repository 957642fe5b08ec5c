"""Victim lists in a case: import, link, review, decide, histories (fictional data)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dalil.core.case import Case
from dalil.model.evidence import EvidenceItem
from dalil.model.lists import ListRecord, VictimList
from dalil.model.person import Person
from dalil.services.lists import case_histories
from dalil.synth.lists import generate
from dalil.testing import DalilRunner


@pytest.fixture
def lists_dir(tmp_path: Path) -> Path:
    generate(150, 3, seed=21, out_dir=tmp_path / "lists")
    return tmp_path / "lists"


def _import_all(dalil: DalilRunner, folder: Path) -> None:
    for i, name in enumerate(("committee", "network", "hospital"), start=1):
        r = dalil("lists", "import", folder / f"list_{i}.csv", "--list", name)
        assert r.exit_code == 0, r.stderr


def test_import_keeps_original_as_evidence_and_names_encrypted(
    case: Case, dalil: DalilRunner, lists_dir: Path
) -> None:
    res = dalil.json("lists", "import", lists_dir / "list_1.csv", "--list", "committee")
    assert res["report"]["imported"] == res["records"] > 0
    with case.act(write=False) as ctx:
        item = ctx.session.scalar(
            select(EvidenceItem).where(EvidenceItem.sha256 == res["evidence"])
        )
        assert item is not None and item.sensitive
        n = ctx.session.scalar(select(func.count()).select_from(ListRecord))
        assert n == res["records"]
    # a name from the list must not be readable in the database file (attack: copy case.db)
    with (lists_dir / "list_1.csv").open(encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    name = row.get("full_name") or row["first_name"]
    raw = b"".join(p.read_bytes() for p in case.root.glob("case.db*"))
    assert name.encode("utf-8") not in raw


def test_failed_import_changes_nothing(case: Case, dalil: DalilRunner, tmp_path: Path) -> None:
    bad = tmp_path / "dup.csv"
    bad.write_text("record_id,full_name\n1,Sami Haddad\n1,Rami Najjar\n", encoding="utf-8")
    r = dalil("lists", "import", bad, "--list", "mosque")
    assert r.exit_code == 2 and "duplicated record id" in r.stderr
    with case.act(write=False) as ctx:
        assert ctx.session.scalar(select(func.count()).select_from(VictimList)) == 0
        assert ctx.session.scalar(select(func.count()).select_from(EvidenceItem)) == 0


def test_link_creates_victims_that_keep_their_list_records(
    case: Case, dalil: DalilRunner, lists_dir: Path
) -> None:
    _import_all(dalil, lists_dir)
    res = dalil.json("lists", "link")
    with case.act(write=False) as ctx:
        victims = ctx.session.scalars(select(Person)).all()
        assert len(victims) == res["victims"] and all(p.roles == ["victim"] for p in victims)
        unlinked = ctx.session.scalar(
            select(func.count()).select_from(ListRecord).where(ListRecord.person_id.is_(None))
        )
        assert unlinked == 0
        names, rows = case_histories(ctx, ["sex"])
    assert names == ["committee", "network", "hospital"]
    assert sum(r["count"] for r in rows) == res["victims"]
    assert all(any(r[n] for n in names) for r in rows)  # no all-zero pattern
    # re-running updates the same persons instead of creating new ones
    again = dalil.json("lists", "link")
    assert again["persons_created"] == 0 and again["victims"] == res["victims"]


def test_rejected_pair_stays_apart_and_accepted_pair_joins_on_every_rerun(
    case: Case, dalil: DalilRunner, lists_dir: Path
) -> None:
    _import_all(dalil, lists_dir)
    dalil.json("lists", "link")
    with case.act(write=False) as ctx:
        recs = ctx.session.scalars(select(ListRecord).order_by(ListRecord.id)).all()
        by_person: dict[int, list[int]] = {}
        for r in recs:
            assert r.person_id is not None
            by_person.setdefault(r.person_id, []).append(r.id)
        linked = next(ids for ids in by_person.values() if len(ids) >= 2)
        singles = [ids[0] for ids in by_person.values() if len(ids) == 1][:2]
    a, b = linked[0], linked[1]
    dalil.json("lists", "decide", f"{a}-{b}", "reject")
    c, d = singles
    dalil.json("lists", "decide", f"{d}-{c}", "accept")
    for _ in range(2):
        dalil.json("lists", "link")
        with case.act(write=False) as ctx:
            pa = ctx.session.get(ListRecord, a)
            pb = ctx.session.get(ListRecord, b)
            pc = ctx.session.get(ListRecord, c)
            pd = ctx.session.get(ListRecord, d)
            assert pa and pb and pc and pd
            assert pa.person_id != pb.person_id
            assert pc.person_id == pd.person_id


def test_viewer_cannot_decide_or_link(case: Case, dalil: DalilRunner, lists_dir: Path) -> None:
    from dalil.services import users

    _import_all(dalil, lists_dir)
    with case.act() as ctx:
        users.add_user(ctx, "vera", "viewer")
    r = dalil("lists", "decide", "1-2", "accept", "--user", "vera")
    assert r.exit_code == 2 and "error:" in r.stderr
    r = dalil("lists", "link", "--user", "vera")
    assert r.exit_code == 2


def test_review_shows_names_only_with_a_logged_reason(
    case: Case, dalil: DalilRunner, lists_dir: Path
) -> None:
    from dalil.core import audit

    _import_all(dalil, lists_dir)
    dalil.json("lists", "link", "--review-low", "0.05")
    plain = dalil.json("lists", "review")
    assert plain, "expected uncertain pairs in the generated lists"
    assert all("names" not in item["a"] for item in plain)
    named = dalil.json("lists", "review", "--reason", "deciding uncertain pairs")
    assert all("names" in item["a"] for item in named)
    with case.act(write=False) as ctx:
        entries = audit.query(ctx.session, action="linkage.reveal")
    assert entries


def test_import_link_decide_on_sqlite_and_postgresql(
    any_case: Case, dalil_env: Callable[..., DalilRunner], lists_dir: Path
) -> None:
    """The same flow on both databases (PostgreSQL skipped when not configured)."""
    from dalil.testing import TEST_PASSPHRASE

    run = dalil_env(DALIL_CASE=str(any_case.root), DALIL_PASSPHRASE=TEST_PASSPHRASE)
    _import_all(run, lists_dir)
    first = run.json("lists", "link")
    with any_case.act(write=False) as ctx:
        recs = ctx.session.scalars(select(ListRecord).order_by(ListRecord.id)).all()
        groups: dict[int, list[int]] = {}
        for r in recs:
            assert r.person_id is not None
            groups.setdefault(r.person_id, []).append(r.id)
        a, b = next(ids for ids in groups.values() if len(ids) >= 2)[:2]
    run.json("lists", "decide", f"{a}-{b}", "reject")
    second = run.json("lists", "link")
    assert second["decisions_applied"] == {"accept": 0, "reject": 1}
    assert second["persons_created"] >= 1 and first["persons_created"] == first["victims"]
    with any_case.act(write=False) as ctx:
        ra, rb = ctx.session.get(ListRecord, a), ctx.session.get(ListRecord, b)
        assert ra is not None and rb is not None and ra.person_id != rb.person_id
