"""Arabic PDFs from several generators against the same text in .txt.

For each generator (Chromium print to PDF, WeasyPrint, LibreOffice Writer when
installed, and a visual-order PDF built here: shaped presentation forms drawn left to
right, as legacy generators write them) a fictional Arabic report is rendered to PDF,
its text extracted by ``dalil.sources.text.extract_text``, and the source comparison run
against the .txt. Printed per generator: the baseline (the reader's plain text, before
the Arabic repair) and the repaired text — containment, passage kinds and direction —
and the share of the .txt's words found in the same order (word bigram recall).

    python benchmarks/pdf_arabic.py [--keep DIR]

All text is fictional.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import re
import shutil
import tempfile
import time
import unicodedata
from pathlib import Path

from dalil.synth.arabic_pdf import (
    chromium_pdf,
    fictional_text,
    html_doc,
    libreoffice_pdf,
    visual_pdf,
)


def baseline_text(pdf: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    return "\n\n".join((p.extract_text() or "").strip() for p in reader.pages)


def bigram_recall(ref: str, got: str) -> float:
    def words(t: str) -> list[str]:
        t = unicodedata.normalize("NFKC", t)
        t = re.sub("[\u064b-\u0652]", "", t)
        return re.findall(r"\w+", t)

    a, b = words(ref), words(got)
    have = set(itertools.pairwise(b))
    pairs = list(itertools.pairwise(a))
    return sum(p in have for p in pairs) / max(len(pairs), 1)


def main() -> None:
    from dalil.sources.compare import analyse, compare
    from dalil.sources.text import extract_text

    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", type=Path, help="keep the generated PDFs in this folder")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="pdf-arabic-"))
    work.mkdir(parents=True, exist_ok=True)
    text = fictional_text()
    txt = work / "report.txt"
    txt.write_text(text, encoding="utf-8")
    html = work / "report.html"
    html.write_text(html_doc(text), encoding="utf-8")
    made: dict[str, Path] = {}
    if chromium_pdf(html, work / "chromium.pdf"):
        made["Chromium print"] = work / "chromium.pdf"
    import weasyprint

    weasyprint.HTML(filename=str(html)).write_pdf(work / "weasyprint.pdf")
    made["WeasyPrint"] = work / "weasyprint.pdf"
    if libreoffice_pdf(txt, work / "libreoffice.pdf"):
        made["LibreOffice Writer"] = work / "libreoffice.pdf"
    visual_pdf(text, work / "visual.pdf")
    made["visual order (constructed)"] = work / "visual.pdf"
    ref = analyse(text, id="txt")
    print(f"load: {os.getloadavg()[0]:.2f}; text: {len(text.split())} words (fictional)")
    print(f"{'generator':28} {'text':9} {'containment':>11} {'verbatim':>8} {'bigrams':>8} "
          f"{'direction':>22} {'ms':>6}")  # fmt: skip
    for name, pdf in made.items():
        t0 = time.perf_counter()
        repaired = extract_text(pdf).text
        ms = (time.perf_counter() - t0) * 1000
        for label, got in (("baseline", baseline_text(pdf)), ("repaired", repaired)):
            res = compare(ref, analyse(got, id=label))
            kinds = [p["kind"] for p in res["reuse"]["passages"]]
            share = kinds.count("verbatim") / len(kinds) if kinds else 0.0
            print(
                f"{name:28} {label:9} {res['reuse']['containment']:11.2f} {share:8.2f} "
                f"{bigram_recall(text, got):8.2f} {res['direction']:>22} "
                f"{ms if label == 'repaired' else 0:6.0f}"
            )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
