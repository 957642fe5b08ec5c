"""Arabic PDFs read in logical order: made here by WeasyPrint, by Chromium (when present)
and as a visual-order PDF of shaped glyphs; each compared with the same text in .txt
must give verbatim reuse. The text is fictional."""

from __future__ import annotations

import itertools
import re
import unicodedata
from pathlib import Path

import pytest

from dalil.sources.compare import analyse, compare
from dalil.sources.pdf_arabic import is_visual_order, repair, repair_chunks
from dalil.sources.text import extract_text
from dalil.synth import arabic_pdf as bench


def bigram_recall(ref: str, got: str) -> float:
    def words(t: str) -> list[str]:
        return re.findall(r"\w+", re.sub("[\u064b-\u0652]", "", unicodedata.normalize("NFKC", t)))

    a, b = words(ref), words(got)
    have = set(itertools.pairwise(b))
    pairs = list(itertools.pairwise(a))
    return sum(p in have for p in pairs) / max(len(pairs), 1)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import weasyprint

    d = tmp_path_factory.mktemp("pdfar")
    text = bench.fictional_text()
    (d / "report.txt").write_text(text, encoding="utf-8")
    html = d / "report.html"
    html.write_text(bench.html_doc(text), encoding="utf-8")
    out = {"txt": d / "report.txt"}
    weasyprint.HTML(filename=str(html)).write_pdf(d / "weasy.pdf")
    out["weasyprint"] = d / "weasy.pdf"
    bench.visual_pdf(text, d / "visual.pdf")
    out["visual"] = d / "visual.pdf"
    if Path("/usr/bin/chromium").exists() and bench.chromium_pdf(html, d / "chromium.pdf"):
        out["chromium"] = d / "chromium.pdf"
    return out


@pytest.mark.parametrize("generator", ["weasyprint", "visual", "chromium"])
def test_pdf_against_txt_is_verbatim_reuse(made: dict[str, Path], generator: str) -> None:
    if generator not in made:
        pytest.skip("Chromium is not installed (CI provides it at /usr/bin/chromium)")
    txt = made["txt"].read_text(encoding="utf-8")
    got = extract_text(made[generator]).text
    res = compare(analyse(txt, id="txt"), analyse(got, id="pdf"))
    assert res["direction"] == "derivative_of_source"
    assert res["reuse"]["containment"] >= 0.95
    kinds = {p["kind"] for p in res["reuse"]["passages"]}
    assert kinds & {"verbatim", "near_verbatim"}
    # presentation forms gone, figures read the right way round
    assert not any("\ufb50" <= c <= "\ufeff" for c in got)
    assert "٢٠٢٥" in got and "١٠٦٠" in got
    if generator != "visual":
        assert bigram_recall(txt, got) >= 0.97


def test_visual_order_detection() -> None:
    visual = bench.visual_line("قالت المنظمة إن الشهود رأوا المقبرة الجماعية")
    assert is_visual_order(visual)
    assert not is_visual_order("قالت المنظمة إن الشهود رأوا المقبرة الجماعية")
    assert repair(visual) == "قالت المنظمة إن الشهود رأوا المقبرة الجماعية"
    # without shapes: the article at the wrong end of many words
    plain_reversed = "ةيعامجلا ةربقملا اوأر دوهشلا نإ ةمظنملا"
    assert is_visual_order(plain_reversed)


def test_chunks_in_drawing_order_are_reordered() -> None:
    # as a reader gives them: Arabic runs readable, runs left to right, digits reversed
    chunks = [(" شخصا فقدوا", 10.0, 700.0), ("32 ", 10.0, 700.0), (" وقالت إن", 10.0, 700.0),
              ("Fictional Watch ", 10.0, 700.0), ("قتل ٢١ مدنيا\n", 10.0, 700.0)]  # fmt: skip
    assert repair_chunks(chunks) == "قتل ١٢ مدنيا Fictional Watch وقالت إن 32 شخصا فقدوا"
    # chunks already right to left (positions decrease) keep their order
    rtl = [("قالت ", 500.0, 700.0), ("المنظمة", 400.0, 700.0)]
    assert repair_chunks(rtl) == "قالت المنظمة"


def test_latin_pdf_unchanged_but_ligatures_split(tmp_path: Path) -> None:
    import weasyprint

    p = tmp_path / "en.pdf"
    weasyprint.HTML(string="<p>The office filed a first report.</p>").write_pdf(p)
    text = extract_text(p).text
    assert "office" in text and "first" in text and "\ufb01" not in text
