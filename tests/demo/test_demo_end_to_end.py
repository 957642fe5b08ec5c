"""The demo case builds end to end through the CLI and its public reports leak nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from dalil.demo import story as S
from dalil.testing import DalilRunner


def protected_values() -> list[str]:
    """Every protected value the demo stores (canaries): identities of witnesses,
    victims' names in both scripts, suspects' names and aliases."""
    vals: list[str] = []
    for w in S.WITNESSES:
        vals += [w.legal_name, w.contact, w.address]
    vs = {v.key: v for v in S.victims("small")}
    for a in S.acts("small"):
        vals += [vs[a.victim].latin(), vs[a.victim].arabic()]
    for sp in S.SUSPECTS:
        vals += [sp.legal_name, sp.arabic_name]
    for site in S.SITES:
        vals += [str(site["access"]), str(site["protection"])]
    return vals


PSEUDONYMS = [w.pseudonym for w in S.WITNESSES] + ["Abu Layth"]


def squash(t: str) -> str:
    return re.sub(r"\s+", "", t)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("demo") / "demo-case"
    runner = DalilRunner({})  # the root conftest clears DALIL_PASSPHRASE/CASE/USER
    r = runner("demo", "--dir", str(root), "--no-serve")
    assert r.exit_code == 0, r.stderr
    return root, r.stdout


@pytest.mark.slow
def test_demo_builds_every_step_and_prints_where_things_are(demo: tuple[Path, str]) -> None:
    root, out = demo
    for step in (
        "init",
        "ingest",
        "compare",
        "link",
        "estimate",
        "assess",
        "sites",
        "corroborate",
        "report",
    ):
        assert re.search(rf"^\s+{step}\s", out, re.M), f"step {step} missing"
    assert "skipped" not in out  # every capability has landed in this tree
    assert "fictional-demo-passphrase" in out  # no DALIL_PASSPHRASE: prints the demo one
    for name in (
        "internal-en.html",
        "public-en.html",
        "public-ar.html",
        "internal-en.pdf",
        "public-en.pdf",
        "public-ar.pdf",
    ):
        assert (root / "reports" / name).stat().st_size > 10_000
    assert (root / "FICTIONAL-DEMO-CASE.txt").exists()


@pytest.mark.slow
def test_demo_public_reports_contain_no_protected_value(demo: tuple[Path, str]) -> None:
    root, _ = demo
    canaries = protected_values()
    for name in ("public-en.html", "public-ar.html"):
        text = (root / "reports" / name).read_text(encoding="utf-8")
        assert not [c for c in canaries if squash(c) in squash(text)], name
        assert not [p for p in PSEUDONYMS if re.search(rf"\b{p}\b", text)], name
        assert "Witness 1" in text or "Witness 1" in text.replace("&nbsp;", " ")
    for name in ("public-en.pdf", "public-ar.pdf"):
        text = "".join(
            p.extract_text() or "" for p in PdfReader(str(root / "reports" / name)).pages
        )
        assert len(text) > 2000
        assert not [c for c in canaries if squash(c) in squash(text)], name
        assert not [p for p in PSEUDONYMS if re.search(rf"\b{p}\b", text)], name
    # positive control: the internal report does carry victims' names
    internal = squash(
        "".join(
            p.extract_text() or ""
            for p in PdfReader(str(root / "reports" / "internal-en.pdf")).pages
        )
    )
    vs = {v.key: v for v in S.victims("small")}
    assert all(squash(vs[a.victim].latin()) in internal for a in S.acts("small"))


@pytest.mark.slow
def test_demo_case_is_usable_from_the_cli_and_audit_verifies(
    demo: tuple[Path, str], dalil_env: Callable[..., DalilRunner]
) -> None:
    root, _ = demo
    run = dalil_env(
        DALIL_CASE=str(root / "case"), DALIL_PASSPHRASE="fictional-demo-passphrase-marjan-2021"
    )
    assert run("audit", "verify").exit_code == 0
    tl = run.json("timeline")
    assert [t["date_start"] for t in tl] == sorted(t["date_start"] for t in tl) and len(tl) == 3
    shown = run.json("assess", "1", "--show")
    assert shown["status"] == "signed" and shown["suggested_qualifications"]
    acled = run("incidents", "export", "--format", "acled")
    assert acled.exit_code == 0 and "Civilian targeting" in acled.stdout
    m = run.json("corroboration")
    statuses = {c["claim"]["text"][:20]: c["status"] for c in m["claims"]}
    assert statuses["More than 300 people"] == "single source"
    assert statuses["Killings committed b"] == "contested"


@pytest.mark.slow
def test_demo_refuses_a_folder_that_is_not_empty(demo: tuple[Path, str]) -> None:
    root, _ = demo
    r = DalilRunner({})("demo", "--dir", str(root), "--no-serve")
    assert r.exit_code == 2 and "not empty" in r.stderr
