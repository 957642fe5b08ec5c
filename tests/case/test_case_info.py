"""Case title and summary: set at init, changed with `case update`, used by reports."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.core.case import Case, CaseConfig
from dalil.testing import TEST_PASSPHRASE, DalilRunner


def test_init_stores_title_and_summary_and_reports_use_them(tmp_path: Path) -> None:
    summary = tmp_path / "summary.txt"
    summary.write_text('First fictional paragraph.\n\nSecond, with "quotes" and عربي.\n')
    runner = DalilRunner({"DALIL_PASSPHRASE": TEST_PASSPHRASE})
    r = runner(
        "init",
        str(tmp_path / "c"),
        "--title",
        "Fictional case: Port Salam",
        "--summary-file",
        str(summary),
    )
    assert r.exit_code == 0, r.stderr
    runner = DalilRunner({"DALIL_PASSPHRASE": TEST_PASSPHRASE, "DALIL_CASE": str(tmp_path / "c")})
    shown = runner.json("case", "show")
    assert shown["title"] == "Fictional case: Port Salam"
    assert shown["summary"] == ["First fictional paragraph.", 'Second, with "quotes" and عربي.']
    out = tmp_path / "r.html"
    assert (
        runner("report", "--audience", "public", "--format", "html", "--out", str(out)).exit_code
        == 0
    )
    html = out.read_text()
    assert "Fictional case: Port Salam" in html and "First fictional paragraph." in html
    # --title/--summary still override the case's own
    other = tmp_path / "other.txt"
    other.write_text("An overriding fictional summary.")
    out2 = tmp_path / "r2.html"
    r = runner(
        "report", "--audience", "public", "--format", "html", "--out", str(out2),
        "--title", "Another fictional title", "--summary", str(other),
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    html2 = out2.read_text()
    assert "Another fictional title" in html2 and "An overriding fictional summary." in html2
    assert "First fictional paragraph." not in html2


def test_case_update_is_logged_and_persists(case: Case, dalil: DalilRunner) -> None:
    d = dalil.json("case", "update", "--title", "  Fictional   renamed case ")
    assert d["title"] == "Fictional renamed case" and d["changed"] == ["title"]
    assert Case.open(case.root).config.title == "Fictional renamed case"
    [entry] = dalil.json("audit", "show", "--action", "case.update")
    assert entry["object_ids"] == ["case:self"] and entry["detail"]["fields"] == ["title"]
    assert dalil("audit", "verify").exit_code == 0


def test_viewer_cannot_rename_the_case(case: Case, dalil: DalilRunner) -> None:
    dalil.json("user", "add", "vera", "--role", "viewer")
    r = dalil("case", "update", "--title", "Fictional hijack", "--user", "vera")
    assert r.exit_code == 2 and "may not" in r.stderr
    assert Case.open(case.root).config.title == ""
    assert [e["actor"] for e in dalil.json("audit", "show", "--action", "access.denied")] == [
        "vera"
    ]


def test_empty_title_and_bad_summary_file_refused(
    case: Case, dalil: DalilRunner, tmp_path: Path
) -> None:
    r = dalil("case", "update", "--title", "   ")
    assert r.exit_code == 2 and r.stderr.startswith("error: the case title must not be empty")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"caf\xe9")
    r = dalil("case", "update", "--summary-file", str(bad))
    assert r.exit_code == 2 and "latin1.txt: not UTF-8 text" in r.stderr
    assert dalil("case", "update").exit_code == 2
    assert not dalil.json("audit", "show", "--action", "case.update")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80), st.text(max_size=200))
def test_case_toml_round_trips_any_title_and_summary(title: str, summary: str) -> None:
    cfg = CaseConfig(1, "case.db", "2026-01-01T00:00:00+00:00", "admin", "fp", title, summary)
    data = tomllib.loads(cfg.dump())
    assert (data["title"], data["summary"]) == (title, summary)


def test_case_show_json_on_a_case_without_title(case: Case, dalil: DalilRunner) -> None:
    d = dalil.json("case", "show")
    assert d["title"] == "" and d["summary"] == [] and d["path"] == str(case.root)
    assert json.loads(json.dumps(d)) == d
