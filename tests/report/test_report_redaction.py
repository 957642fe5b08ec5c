"""Public reports leak no protected value (canaries from the demo case); PDFs render."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from dalil.demo import story as S
from dalil.report.assemble import assemble
from dalil.report.data import CaseSnapshot


def canaries(snap: CaseSnapshot) -> list[str]:
    vals: list[str] = []
    for p in snap.persons.values():
        for v in (p.protected_legal_name, p.protected_contact, p.protected_address):
            if v:
                vals.append(v)
        if p.role == "witness" and p.pseudonym:
            vals.append(p.pseudonym)  # the public report numbers witnesses instead
        if p.role == "suspect" and p.pseudonym:
            vals.append(p.pseudonym)
    for s in snap.sites:
        vals += [v for v in (s.access_note, s.protection_note) if v]
        vals += [f"{s.latitude:.3f}", f"{s.longitude:.3f}"]
    return sorted(set(vals))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def test_public_html_contains_no_protected_value(
    snapshot: CaseSnapshot, rendered: dict[str, Path]
) -> None:
    html = squash(rendered["public.html"].read_text(encoding="utf-8"))
    leaked = [c for c in canaries(snapshot) if squash(c) in html]
    assert not leaked, f"protected values in the public HTML: {len(leaked)}"
    for user in (S.ASSESSOR, S.REVIEWER):
        assert not re.search(rf"\b{user}\b", rendered["public.html"].read_text(encoding="utf-8"))


def test_public_pdf_contains_no_protected_value(
    snapshot: CaseSnapshot, rendered: dict[str, Path]
) -> None:
    for name in ("public.pdf", "public-ar.pdf"):
        text = squash(pdf_text(rendered[name]))
        assert "Witness1" in text or name.endswith("ar.pdf")
        leaked = [c for c in canaries(snapshot) if squash(c) in text]
        assert not leaked, f"protected values in {name}: {len(leaked)}"


def test_canary_check_can_fail_internal_report_carries_them(
    snapshot: CaseSnapshot, rendered: dict[str, Path]
) -> None:
    # Positive control: the same extraction finds victims' and suspects' names in the internal PDF.
    text = squash(pdf_text(rendered["internal.pdf"]))
    victims = [
        p.protected_legal_name
        for p in snapshot.persons.values()
        if p.role == "victim" and p.protected_legal_name
    ]
    assert victims and all(squash(v) in text for v in victims)
    suspects = [p.protected_legal_name for p in snapshot.persons.values() if p.role == "suspect"]
    assert any(squash(s or "") in text for s in suspects)


def test_public_context_is_allow_listed_and_numbers_witnesses(snapshot: CaseSnapshot) -> None:
    ctx = assemble(snapshot, "public")
    assert [w["label"] for w in ctx["witnesses"]] == [
        f"Witness {i}" for i in range(1, len(S.WITNESSES) + 1)
    ]  # type: ignore[index, union-attr]
    assert ctx["suspects"] == []
    for site in ctx["sites"]:  # type: ignore[union-attr]
        assert "access" not in site and "protection" not in site and "victims" not in site
    for act in ctx["acts"]:  # type: ignore[union-attr]
        assert "assessors" not in act
    blob = repr(ctx)
    assert not [c for c in canaries(snapshot) if c in blob]


def test_every_figure_and_finding_cites_evidence(snapshot: CaseSnapshot) -> None:
    ctx = assemble(snapshot, "internal")
    labels = {e["label"] for e in ctx["evidence_index"]}  # type: ignore[union-attr, index]
    for inc in ctx["incidents"]:  # type: ignore[union-attr]
        for k in ("low", "best", "high"):
            if inc[k] is not None:
                assert inc[f"cite_{k}"] and set(inc[f"cite_{k}"]) <= labels
    for act in ctx["acts"]:  # type: ignore[union-attr]
        for el in act["elements"]:
            if el["finding"] in ("established", "contradicted"):
                assert el["cite"] and set(el["cite"]) <= labels
    for a in ctx["aggregates"]:  # type: ignore[union-attr]
        assert a["cite"]
    for e in ctx["estimates"]:  # type: ignore[union-attr]
        assert e["cite"]
    ids = {e["id"] for e in ctx["evidence_index"]}  # type: ignore[union-attr, index]
    assert "t_salma" in ids  # internal index maps labels to real evidence ids


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed"
)
def test_pdf_pages_render_non_blank(rendered: dict[str, Path], tmp_path: Path) -> None:
    from PIL import Image

    for name in ("public.pdf", "public-ar.pdf"):
        prefix = tmp_path / name.replace(".", "-")
        subprocess.run(
            ["pdftoppm", "-r", "30", "-gray", str(rendered[name]), str(prefix)], check=True
        )
        pages = sorted(tmp_path.glob(prefix.name + "*.pgm"))
        assert len(pages) == len(PdfReader(str(rendered[name])).pages) >= 3
        for p in pages:
            img = Image.open(p)
            lo, hi = img.getextrema()  # type: ignore[misc]
            dark = sum(img.histogram()[:128])
            assert hi - lo > 100 and dark > 10, f"{p.name} looks blank"


def test_arabic_edition_is_rtl(snapshot: CaseSnapshot) -> None:
    from dalil.report.render import render_html

    html = render_html(snapshot, "public", "ar")
    assert '<html lang="ar" dir="rtl">' in html
    assert "الملخص" in html and "ثابت" in html
