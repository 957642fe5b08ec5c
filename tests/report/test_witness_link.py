"""testimony_of: the explicit link from a testimony to its witness, validated, and the
public report never naming the witness of a linked testimony (all names fictional)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from dalil.core.case import Case
from dalil.errors import InputError
from dalil.model.provenance import PROVENANCE_ROLES, WITNESS_ROLE
from dalil.services import evidence, persons, records
from dalil.services.reports import build_report

PSEUDONYM = "W-Qamariyya"  # a pseudonym is not for publication either
LEGAL = "Canaryname Witnessova"
CONTACT = "+000 fictional 5550199"


def _text(path: Path) -> str:
    return html.unescape(path.read_text(encoding="utf-8"))


@pytest.fixture
def linked(case: Case, tmp_path: Path) -> dict[str, int]:
    t = tmp_path / "statement.txt"
    t.write_text(f"Fictional statement given by {PSEUDONYM} about the fictional quarter.")
    t2 = tmp_path / "audio-note.txt"
    t2.write_text("Fictional second statement, recorded as a separate file.")
    with case.act() as ctx:
        w = persons.add_person(
            ctx, pseudonym=PSEUDONYM, legal_name=LEGAL, contact=CONTACT, roles=["witness"]
        )
        w2 = persons.add_person(ctx, pseudonym="W-Second", roles=["witness"])
        src = records.add(
            ctx, "source", kind="testimony", title=f"Statement of {PSEUDONYM}, fictional quarter"
        )
        inc = records.add(ctx, "incident", title="Fictional killings", date_start="2021-04-14")
    [res] = evidence.add_files(case, None, [t], source_id=src.id, sensitive=True)
    [res2] = evidence.add_files(case, None, [t2], sensitive=True)
    with case.act() as ctx:
        records.add(ctx, "provenance", subject_kind="person", subject_id=w.id,
                    source_id=src.id, role=WITNESS_ROLE)  # fmt: skip
        records.add(ctx, "provenance", subject_kind="person", subject_id=w2.id,
                    evidence_id=res2.item.id, role=WITNESS_ROLE)  # fmt: skip
        for ev in (res.item.id, res2.item.id):
            records.add(ctx, "provenance", subject_kind="incident", subject_id=inc.id,
                        evidence_id=ev, role="supports")  # fmt: skip
    return {"witness": w.id, "source": src.id, "item": res.item.id, "item2": res2.item.id}


def test_witness_role_is_an_allowed_provenance_role() -> None:
    assert WITNESS_ROLE in PROVENANCE_ROLES and len(WITNESS_ROLE) <= 16


def test_public_report_never_names_the_witness_of_a_linked_testimony(
    case: Case, linked: dict[str, int], tmp_path: Path
) -> None:
    for lang in ("en", "ar"):
        out = tmp_path / f"public-{lang}.html"
        build_report(case, None, audience="public", fmt="html", out=out, lang=lang)
        text = _text(out)
        for secret in (PSEUDONYM, "W-Second", LEGAL, CONTACT, "Qamariyya", "statement.txt"):
            assert secret not in text, (lang, secret)
        if lang == "en":
            assert "Testimony of Witness 1" in text and "Testimony of Witness 2" in text
    internal = tmp_path / "internal.html"
    build_report(case, None, audience="internal", fmt="html", out=internal)
    assert PSEUDONYM in _text(internal)  # the team sees who it is; the public does not


def test_pdf_public_report_never_names_the_witness(
    case: Case, linked: dict[str, int], tmp_path: Path
) -> None:
    from pypdf import PdfReader

    out = tmp_path / "public.pdf"
    build_report(case, None, audience="public", fmt="pdf", out=out)
    text = " ".join(p.extract_text() or "" for p in PdfReader(out).pages)
    assert "Witness 1" in text
    for secret in (PSEUDONYM, LEGAL, "Qamariyya"):
        assert secret not in re.sub(r"\s+", "", text) and secret not in text


def test_witness_link_validated(case: Case, linked: dict[str, int], tmp_path: Path) -> None:
    with case.act() as ctx:
        victim = persons.add_person(ctx, pseudonym="V-1", roles=["victim"])
        report = records.add(ctx, "source", kind="report", title="Fictional NGO report")
        inc = records.list_(ctx, "incident")[0]
    bad = [
        (dict(subject_kind="person", subject_id=victim.id, source_id=linked["source"]),
         "is not tagged witness"),
        (dict(subject_kind="person", subject_id=linked["witness"], source_id=report.id),
         "is a report, not a testimony"),
        (dict(subject_kind="incident", subject_id=inc.id, source_id=linked["source"]),
         "subject must be a person"),
    ]  # fmt: skip
    with case.act() as ctx:
        other = persons.add_person(ctx, pseudonym="W-Other", roles=["witness"])
    bad.append(
        (dict(subject_kind="person", subject_id=other.id, source_id=linked["source"]),
         f"already the testimony of person {linked['witness']}")
    )  # fmt: skip
    f = tmp_path / "open.txt"
    f.write_text("a fictional open document")
    [plain] = evidence.add_files(case, None, [f])
    bad.append(
        (dict(subject_kind="person", subject_id=other.id, evidence_id=plain.item.id),
         "is not marked sensitive")
    )  # fmt: skip
    for values, why in bad:
        with pytest.raises(InputError, match=re.escape(why)), case.act() as ctx:
            records.add(ctx, "provenance", role=WITNESS_ROLE, **values)
    with case.act(write=False) as ctx:
        roles = [p.role for p in records.list_(ctx, "provenance")]
    assert roles.count(WITNESS_ROLE) == 2


def test_cli_refuses_a_witness_link_to_a_non_testimony(
    case: Case, linked: dict[str, int], dalil
) -> None:  # type: ignore[no-untyped-def]
    src = dalil.json("source", "add", "--kind", "article", "--title", "Fictional article")
    r = dalil(
        "provenance", "add", "--subject-kind", "person", "--subject-id", str(linked["witness"]),
        "--source", str(src["source"]["id"]), "--role", WITNESS_ROLE,
    )  # fmt: skip
    assert r.exit_code == 2 and "not a testimony" in r.stderr
