"""Case-wide search through the service, the CLI and the API: roles, audit, freshness and
the canary (no plaintext on disk because of the index), on SQLite and PostgreSQL.
Every name and text here is fictional."""

from __future__ import annotations

from pathlib import Path

import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.services import evidence, persons, records, search, sources, users
from dalil.testing import DalilRunner

LEGAL = "Zubaydah Canarysearch Fictional"
PHRASE = "SEARCHCANARY the fictional officer ordered the shooting"


def _setup(case: Case, tmp_path: Path) -> None:
    with case.act() as ctx:
        users.add_user(ctx, "vera", "viewer")
        users.add_user(ctx, "ana", "analyst")
        users.add_user(ctx, "ivo", "investigator")
        persons.add_person(ctx, pseudonym="W-7", roles=["witness"], legal_name=LEGAL)
        records.add(
            ctx, "incident", title="Shooting at the fictional bakery", date_start="2025-03-07"
        )
    t = tmp_path / "statement.txt"
    t.write_text(f"Fictional statement. {PHRASE}. المقبرة الجماعية قرب المدرسة.\n")
    sources.add_source(case, None, t, kind="testimony", title="Statement of W-7")
    s = tmp_path / "secret.txt"
    s.write_text("Fictional sensitive note: the convoy left at dawn.\n")
    evidence.add_files(case, None, [s], sensitive=True)


def _search(case: Case, user: str, q: str, **kw: object) -> dict:
    with case.act(user) as ctx:
        return search.search(ctx, q, **kw)  # type: ignore[arg-type]


def test_roles_see_what_they_may(any_case: Case, tmp_path: Path) -> None:
    case = any_case
    _setup(case, tmp_path)
    # everyone finds open records
    for u in ("vera", "ana", "ivo"):
        hits = _search(case, u, "bakery shooting")["hits"]
        assert [(h["kind"], h["label"]) for h in hits][:1] == [
            ("incident", "Shooting at the fictional bakery")
        ]
    # evidence text: not for a viewer; for an analyst; Arabic folded
    assert _search(case, "vera", "officer ordered")["total"] == 0
    hits = _search(case, "ana", '"officer ordered"')["hits"]
    assert hits and hits[0]["kind"] == "source" and "<mark>officer</mark>" in hits[0]["snippet"]
    assert _search(case, "ana", "مقبره جماعيه")["total"] == 1
    # sensitive evidence: not for the analyst, yes for the investigator
    assert _search(case, "ana", "convoy")["total"] == 0
    assert _search(case, "ivo", "convoy")["total"] == 1
    # protected names: never without asking; refused for the analyst; logged for ivo
    assert _search(case, "ivo", "Canarysearch")["total"] == 0
    assert _search(case, "vera", "Canarysearch")["total"] == 0
    from dalil.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        _search(case, "ana", "Canarysearch", include_protected=True, reason="probing")
    res = _search(case, "ivo", "canarysearch", include_protected=True, reason="find W-7 file")
    assert [(h["kind"], h["label"]) for h in res["hits"]] == [("person", "W-7")]
    with case.act(write=False) as ctx:
        entries = [e.to_dict() for e in audit.query(ctx.session)]
    prot = [e for e in entries if e["action"] == "person.search_protected"]
    assert prot and prot[-1]["actor"] == "ivo" and prot[-1]["detail"]["reason"] == "find W-7 file"
    assert "person:1" in prot[-1]["object_ids"]
    assert not any("canarysearch" in str(e).lower() for e in entries)
    denied = [e for e in entries if e["action"] == "access.denied" and e["actor"] == "ana"]
    assert denied
    # a snippet of evidence content is in the custody ledger of the item shown
    reads = [e for e in entries if e["action"] == "search.read"]
    assert reads and all(o.startswith("evidence:") for o in reads[-1]["object_ids"])


def test_index_follows_changes(any_case: Case, tmp_path: Path) -> None:
    case = any_case
    _setup(case, tmp_path)
    assert _search(case, "admin", "lighthouse")["total"] == 0
    with case.act() as ctx:
        inc = records.add(ctx, "incident", title="Fictional lighthouse raid")
    assert _search(case, "admin", "lighthouse")["total"] == 1
    with case.act() as ctx:
        records.update(ctx, "incident", inc.id, title="Fictional harbour raid")
    assert _search(case, "admin", "lighthouse")["total"] == 0
    assert _search(case, "admin", "harbour")["total"] == 1
    # a new process (empty cache) reads the saved, encrypted index
    search._CACHE.clear()
    assert _search(case, "admin", "harbour")["total"] == 1
    with case.act(write=False) as ctx:
        assert search.rebuild(ctx)["documents"] > 0
    assert _search(case, "admin", "harbour")["total"] == 1


def _scan(root: Path, needles: list[bytes]) -> list[str]:
    hits = []
    for p in root.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            hits += [f"{p.relative_to(root)}: {n[:20]!r}" for n in needles if n in data]
    return hits


def test_canary_index_holds_no_plaintext(any_case: Case, tmp_path: Path) -> None:
    case = any_case
    _setup(case, tmp_path)
    _search(case, "ivo", "officer", include_protected=True, reason="canary")
    _search(case, "ivo", "Canarysearch", include_protected=True, reason="canary")
    assert (case.root / "index" / "manifest.bin").exists()
    needles = []
    for s in (LEGAL, "Canarysearch", "SEARCHCANARY", "المقبرة الجماعية", "convoy left"):
        needles += [s.encode(), s.lower().encode(), s.encode("utf-16-le")]
    # the index also holds folded forms: look for those too
    needles += [b"canarysearch", "مقبره".encode(), b"searchcanari"]
    assert _scan(case.root, needles) == []
    case.close()
    assert _scan(case.root, needles) == []


def test_cli_search(case: Case, dalil: DalilRunner, tmp_path: Path) -> None:
    _setup(case, tmp_path)
    out = dalil.json("search", "bakery", "--kind", "incident")
    assert out["total"] == 1 and out["hits"][0]["kind"] == "incident"
    r = dalil("search", "bakery")
    assert r.exit_code == 0 and "[Shooting]" not in r.stdout and "bakery" in r.stdout.lower()
    r = dalil("search", "x", "--kind", "nonsense")
    assert r.exit_code == 2 and "unknown kind" in r.stderr
    r = dalil("search", "Canarysearch", "--protected", "--user", "ivo")
    assert r.exit_code == 2 and "reason" in r.stderr
