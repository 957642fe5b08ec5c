"""The CLI: extract, compare (summary/JSON/HTML), graph, synth documents, and bad input
(exit 2 with one line naming the file, nothing of the document's content)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dalil.cli.app import cli
from dalil.cli.support import run_cli

DATA = Path(__file__).resolve().parents[1] / "data" / "sources"


def run(args: list[str]) -> tuple[int, str, str]:
    """Run the real entry point (run_cli) and capture exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        run_cli(cli, args)
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    finally:
        sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_extract_json_has_every_part() -> None:
    r = CliRunner().invoke(cli, ["sources", "extract", str(DATA / "ngo_release.txt"), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert set(d) >= {"paragraphs", "sentences", "quotes", "quantities", "dates", "entities"}
    assert d["date"] == "2025-03-14"
    assert any(q["speaker"] == "Nadia Qorvan" for q in d["quotes"])
    text = (DATA / "ngo_release.txt").read_text(encoding="utf-8")
    for q in d["quantities"]:
        assert text[q["span"][0] : q["span"][1]] == q["text"]


def test_extract_date_option_resolves_relative_dates(tmp_path: Path) -> None:
    p = tmp_path / "d.txt"
    p.write_text("Gunmen came to the fictional village yesterday.", encoding="utf-8")
    r = CliRunner().invoke(cli, ["source", "extract", str(p), "--date", "2025-03-10", "--json"])
    assert json.loads(r.output)["dates"][0]["value"] == "2025-03-09"


def test_extract_plain_text_output() -> None:
    r = CliRunner().invoke(cli, ["sources", "extract", str(DATA / "ar_release.txt")])
    assert r.exit_code == 0
    assert "أكثر من مئة" in r.output and "quotations (2)" in r.output


def test_compare_summary_json_and_html(tmp_path: Path) -> None:
    a, b = str(DATA / "ngo_release.txt"), str(DATA / "news_trimmed.txt")
    r = CliRunner().invoke(cli, ["sources", "compare", a, b])
    assert r.exit_code == 0 and "trimmed" in r.output and "removed_actor" in r.output
    r = CliRunner().invoke(cli, ["sources", "compare", a, b, "--json"])
    d = json.loads(r.output)
    assert d["direction"] == "derivative_of_source"
    out = tmp_path / "cmp.html"
    r = CliRunner().invoke(cli, ["sources", "compare", a, b, "--html", str(out)])
    assert r.exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "q-trimmed" in html and "q-not_in_source" in html


def test_html_escapes_hostile_document_text(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    evil = '<script>alert(1)</script> <img src=x onerror=alert(2)> "the militias killed them all in the night," said X.'
    a.write_text("Fictional release. " + evil, encoding="utf-8")
    b.write_text("Fictional news. " + evil + " And more <b>text</b>.", encoding="utf-8")
    out = tmp_path / "x.html"
    code, _, err = run(["sources", "compare", str(a), str(b), "--html", str(out)])
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_graph_json_with_claim() -> None:
    r = CliRunner().invoke(
        cli, ["sources", "graph", "--dir", str(DATA), "--json", "--claim", "more than 100"]
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    ids = {n["id"] for n in d["nodes"]}
    assert "unrelated.txt" in ids
    assert all("unrelated.txt" not in (e["source"], e["derivative"]) for e in d["edges"])
    groups = d["claims"][0]["independent_groups"]
    # The English release and its faithful rewrite are one line; the Arabic pair another.
    assert sorted(map(sorted, groups)) == [
        ["ar_news.txt", "ar_release.txt"],
        ["news_faithful.txt", "news_wire.txt", "ngo_release.txt"],
    ]


def test_synth_documents_writes_truth(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        cli,
        ["synth", "documents", "--n", "4", "--seed", "5", "--out", str(tmp_path / "s"), "--json"],
    )
    assert r.exit_code == 0, r.output
    truth = json.loads((tmp_path / "s" / "truth.json").read_text(encoding="utf-8"))
    assert truth["fictional"] is True and len(truth["derivatives"]) == 4
    for d in truth["derivatives"]:
        assert (tmp_path / "s" / d["id"]).exists()


def test_synth_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    for name in ("a", "b"):
        CliRunner().invoke(
            cli, ["synth", "documents", "--n", "3", "--seed", "9", "--out", str(tmp_path / name)]
        )
    assert (tmp_path / "a" / "truth.json").read_bytes() == (
        tmp_path / "b" / "truth.json"
    ).read_bytes()


# ------------------------------------------------------------------------ bad input


def _bad_files(tmp: Path) -> dict[str, Path]:
    from pypdf import PdfWriter

    files = {
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 4,
        "encoding.txt": b"Fictional text with bytes \x81\x8d\x9d that decode nowhere sensible at all",
        "fake.docx": b"not a zip at all",
    }
    out = {}
    for name, data in files.items():
        (tmp / name).write_bytes(data)
        out[name] = tmp / name
    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    with (tmp / "scanned.pdf").open("wb") as fh:
        w.write(fh)
    out["scanned.pdf"] = tmp / "scanned.pdf"
    out["missing.txt"] = tmp / "missing.txt"
    return out


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.txt", "is empty"),
        ("binary.txt", "binary"),
        ("encoding.txt", "unknown text encoding"),
        ("fake.docx", "not a Word"),
        ("scanned.pdf", "no text layer (scanned?)"),
        ("missing.txt", "no such file"),
    ],
)
@pytest.mark.parametrize("command", ["extract", "compare"])
def test_bad_input_exits_2_with_one_line_naming_the_file(
    tmp_path: Path, name: str, reason: str, command: str
) -> None:
    bad = _bad_files(tmp_path)[name]
    good = str(DATA / "ngo_release.txt")
    args = (
        ["sources", "extract", str(bad)]
        if command == "extract"
        else ["sources", "compare", good, str(bad), "--json"]
    )
    code, out, err = run(args)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert name in lines[0] and reason in lines[0]
    assert "Fictional text" not in err  # no document content in errors


def test_bad_date_option_exits_2() -> None:
    code, _, err = run(["sources", "extract", str(DATA / "ngo_release.txt"), "--date", "yesterday"])
    assert code == 2 and "--date" in err


def test_graph_on_missing_or_empty_dir_exits_2(tmp_path: Path) -> None:
    code, _, err = run(["sources", "graph", "--dir", str(tmp_path / "nope")])
    assert code == 2 and "not a directory" in err
    code, _, err = run(["sources", "graph", "--dir", str(tmp_path)])
    assert code == 2 and "no .txt" in err


def test_json_and_html_together_refused(tmp_path: Path) -> None:
    a = str(DATA / "ngo_release.txt")
    code, _, err = run(["sources", "compare", a, a, "--json", "--html", str(tmp_path / "x.html")])
    assert code == 2 and "choose one" in err


def test_html_marks_words_left_out_of_a_quote_in_the_source(tmp_path: Path) -> None:
    out = tmp_path / "t.html"
    r = CliRunner().invoke(
        cli,
        [
            "sources",
            "compare",
            str(DATA / "ngo_release.txt"),
            str(DATA / "news_trimmed.txt"),
            "--html",
            str(out),
        ],
    )
    assert r.exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert 'class="q-omit"' in html
    i = html.index('class="q-omit"')
    assert "Militias affiliated with the government" in html[i : i + 200]


def test_graph_skips_unreadable_files_and_lists_them(tmp_path: Path) -> None:
    import shutil

    for name in ("ngo_release.txt", "news_call.txt"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "empty.txt").write_bytes(b"")
    code, out, err = run(["sources", "graph", "--dir", str(tmp_path), "--json"])
    assert code == 0, err
    d = json.loads(out)
    assert [n["id"] for n in d["nodes"]] == ["news_call.txt", "ngo_release.txt"]
    assert d["stats"]["skipped"] == [
        {"id": "empty.txt", "reason": f"{tmp_path / 'empty.txt'}: is empty"}
    ]
    assert len(d["edges"]) == 1
