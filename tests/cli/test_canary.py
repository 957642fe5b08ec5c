"""Canary: protected plaintext never lands on disk under the case folder or in a default export.

The attack: someone copies the case folder (database, WAL, SHM, blobs, temp files,
logs) or receives an export, and searches it for a witness's name or a phrase from a
testimony.
"""

from __future__ import annotations

from pathlib import Path

from dalil.core.case import Case
from dalil.testing import DalilRunner

LEGAL_NAME = "Zubaydah Canarywitness Fictional"
ALIAS = "Umm Canaryalias"
ARABIC = "زبيدة الكناري الخيالية"  # fictional
ADDRESS = "7 Canary Lane, Fictional Town"
PHRASE = "CANARY-PHRASE the fictional officer gave the order"


def _needles() -> list[bytes]:
    out = []
    for s in (LEGAL_NAME, ALIAS, ADDRESS, PHRASE, ARABIC):
        out += [s.encode("utf-8"), s.encode("utf-16-le"), s.lower().encode("utf-8")]
    out.append(b"Canarywitness")
    out.append(b"CANARY-PHRASE")
    return out


def _scan(root: Path) -> list[str]:
    hits = []
    for p in root.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            hits += [f"{p.relative_to(root)}: {n[:20]!r}" for n in _needles() if n in data]
    return hits


def test_legal_name_and_evidence_phrase_never_plaintext_on_disk(
    case: Case, dalil: DalilRunner, tmp_path: Path
) -> None:
    doc = tmp_path / "testimony.txt"
    doc.write_text(f"Fictional testimony. {PHRASE}. Signed {LEGAL_NAME}.\n" * 50)
    dalil.json(
        "person",
        "add",
        "--pseudonym",
        "W-1",
        "--legal-name",
        LEGAL_NAME,
        "--alias",
        ALIAS,
        "--alias",
        ARABIC,
        "--exact-address",
        ADDRESS,
        "--role",
        "witness",
    )
    dalil.json("person", "update", "1", "--sensitive-notes", f"lives with {LEGAL_NAME}")
    dalil.json("evidence", "add", doc, "--sensitive")
    dalil.json("source", "add", doc, "--kind", "testimony", "--title", "Fictional testimony W-1")
    dalil.json("person", "show", "1", "--reveal", "--reason", "canary test reveal")
    dalil.json("person", "list", "--reveal", "--reason", "canary list reveal")
    out = tmp_path / "plain.txt"
    dalil.json("evidence", "get", "1", "--out", out)  # the export itself is plaintext, elsewhere
    dalil.json("export", "bag", tmp_path / "bag")
    dalil.json("export", "json", tmp_path / "records.json")
    dalil.json("export", "csv", tmp_path / "records-csv")
    # the search index holds the testimony's text and, after a protected search, the name
    assert dalil.json("search", "fictional officer")["total"] >= 1
    found = dalil.json("search", "Canarywitness", "--protected", "--reason", "canary search")
    assert "person" in {h["kind"] for h in found["hits"]}
    assert (case.root / "index").is_dir()
    assert dalil("fixity").exit_code == 0 and dalil("audit", "verify").exit_code == 0
    # WAL and SHM files exist while the db is in use; scan them too (and after close).
    assert _scan(case.root) == []
    case.close()
    assert _scan(case.root) == []
    for exported in ("bag", "records.json", "records-csv"):
        p = tmp_path / exported
        found = _scan(p) if p.is_dir() else [n for n in _needles() if n in p.read_bytes()]
        assert found == [], f"{exported} leaks protected content: {found}"


def test_include_protected_export_does_contain_them(
    case: Case, dalil: DalilRunner, tmp_path: Path
) -> None:
    """Control for the canary: the scan would find the name where it is allowed to be."""
    dalil.json("person", "add", "--pseudonym", "W-1", "--legal-name", LEGAL_NAME)
    dalil.json("export", "json", tmp_path / "r.json", "--include-protected", "--reason", "court")
    assert LEGAL_NAME.encode() in (tmp_path / "r.json").read_bytes()
