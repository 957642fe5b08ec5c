"""Tesseract OCR over PDFs and images, through pipes, with limits.

* A PDF is rendered page by page at :data:`DPI` by ``pdftoppm`` (PNG on standard
  output); an image is passed as it is (a multi-page TIFF gives several pages).
* Each page goes to ``tesseract stdin stdout -l LANGS tsv``; the TSV gives every word
  with its confidence, block, paragraph and line, from which the page text is rebuilt
  (lines joined by newlines, paragraphs by blank lines) and the page confidence is the
  mean word confidence (0–100).
* A page read with low confidence (under :data:`RETRY_BELOW`) is checked for its
  orientation (Tesseract's OSD); a page turned 90°, 180° or 270° is turned upright and
  read again, and the better reading is kept.

Every external process runs through :func:`dalil.media.tool.run_tool`: no shell, a
wall-clock timeout, CPU-time and address-space limits, no file written (``RLIMIT_FSIZE``
0), standard error discarded and standard output read up to a size limit. Errors are :class:`dalil.errors.InputError` naming the step, never
the document's content.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from dalil.errors import InputError

DPI = 300
DEFAULT_LANGUAGES = "ara+eng"
RETRY_BELOW = 60.0
#: Limits of one external process.
TIMEOUT_S = 300
MEMORY_BYTES = 2 * 1024**3
#: Largest document accepted for OCR, and most pages read.
MAX_BYTES = 256 * 1024 * 1024
MAX_PAGES = 2000
#: Most output read from one run: Tesseract's TSV of a page, a page rendered as PNG.
MAX_TSV = 64 * 1024**2
MAX_PNG = 256 * 1024**2

IMAGE_TYPES = ("image/jpeg", "image/png", "image/tiff", "image/webp", "image/gif", "image/bmp")
PDF_TYPE = "application/pdf"
_LANG = re.compile(r"^[a-z_]{3,8}(\+[a-z_]{3,8})*$")

Progress = Callable[[int, int], None]


@dataclass
class PageText:
    page: int
    text: str
    confidence: float  # mean word confidence 0-100 (0 when no words)
    words: int
    rotated: int = 0  # degrees the page was turned before reading


@dataclass
class OcrResult:
    engine: str
    version: str
    languages: str
    dpi: int | None
    pages: list[PageText] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n\f\n\n".join(p.text for p in self.pages).strip() + "\n"

    @property
    def confidence(self) -> float:
        words = sum(p.words for p in self.pages)
        if not words:
            return 0.0
        return round(sum(p.confidence * p.words for p in self.pages) / words, 1)

    def custody(self) -> dict[str, Any]:
        """What the custody record keeps (no text): engine, version, languages, pages."""
        return {
            "engine": self.engine,
            "version": self.version,
            "languages": self.languages,
            "dpi": self.dpi,
            "mean_confidence": self.confidence,
            "pages": [{k: v for k, v in asdict(p).items() if k != "text"} for p in self.pages],
        }


def _run(args: list[str], data: bytes, what: str, *, max_output: int = MAX_TSV) -> bytes:
    """One bounded run of a tool (:func:`dalil.media.tool.run_tool`): timeout, CPU,
    memory and output limits, no file written, standard error discarded."""
    from dalil.media.tool import run_tool

    return run_tool(args, data, what, timeout=TIMEOUT_S, memory=MEMORY_BYTES,
                    max_output=max_output, env={"OMP_THREAD_LIMIT": "1"})  # fmt: skip


@lru_cache(maxsize=1)
def tesseract_version() -> str:
    out = _run(["tesseract", "--version"], b"", "read the Tesseract version")
    first = out.decode("utf-8", "replace").splitlines()[0] if out else ""
    m = re.search(r"(\d+\.\d+(?:\.\d+)?)", first)
    return m.group(1) if m else first.strip()


@lru_cache(maxsize=1)
def installed_languages() -> tuple[str, ...]:
    out = _run(["tesseract", "--list-langs"], b"", "list Tesseract languages")
    lines = out.decode("utf-8", "replace").splitlines()
    return tuple(ln.strip() for ln in lines[1:] if ln.strip())


def check_languages(languages: str) -> str:
    langs = (languages or DEFAULT_LANGUAGES).strip()
    if not _LANG.match(langs):
        raise InputError(f"invalid OCR languages {langs!r}: use codes joined by +, e.g. ara+eng")
    missing = [x for x in langs.split("+") if x not in installed_languages()]
    if missing:
        raise InputError(
            f"Tesseract language data not installed: {', '.join(missing)} "
            "(Debian: apt-get install tesseract-ocr-ara tesseract-ocr-eng)"
        )
    return langs


def _tsv_pages(tsv: bytes) -> dict[int, tuple[str, float, int]]:
    """page number -> (text, mean confidence, words) from Tesseract's TSV."""
    reader = csv.reader(io.StringIO(tsv.decode("utf-8", "replace")), delimiter="\t",
                        quoting=csv.QUOTE_NONE)  # fmt: skip
    header = next(reader, None)
    if not header or "text" not in header:
        return {}
    col = {name: i for i, name in enumerate(header)}
    pages: dict[int, list[tuple[int, int, int, str, float]]] = {}
    for row in reader:
        if len(row) < len(header):
            continue
        word = row[col["text"]].strip()
        try:
            conf = float(row[col["conf"]])
        except ValueError:
            continue
        if not word or conf < 0:
            continue
        key = (int(row[col["block_num"]]), int(row[col["par_num"]]), int(row[col["line_num"]]))
        pages.setdefault(int(row[col["page_num"]]), []).append((*key, word, conf))
    out: dict[int, tuple[str, float, int]] = {}
    for page, words in pages.items():
        paras: list[list[str]] = []
        last_par: tuple[int, int] | None = None
        last_line: tuple[int, int, int] | None = None
        for b, p, ln, word, _conf in words:
            if (b, p) != last_par:
                paras.append([word])
            elif (b, p, ln) != last_line:
                paras[-1].append("\n" + word)
            else:
                paras[-1].append(" " + word)
            last_par, last_line = (b, p), (b, p, ln)
        text = "\n\n".join("".join(p) for p in paras)
        confs = [w[4] for w in words]
        out[page] = (text, round(sum(confs) / len(confs), 1), len(confs))
    return out


def _osd_rotation(image: bytes) -> int:
    """Degrees to turn the page clockwise to make it upright (0 when unknown)."""
    try:
        out = _run(["tesseract", "stdin", "stdout", "--psm", "0"], image, "detect orientation")
    except InputError:
        return 0
    m = re.search(r"Rotate:\s*(\d+)", out.decode("utf-8", "replace"))
    return int(m.group(1)) % 360 if m else 0


def _rotate(image: bytes, degrees: int) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(image)) as im:
        turned = im.rotate(-degrees, expand=True)
        buf = io.BytesIO()
        turned.save(buf, format="PNG")
    return buf.getvalue()


def ocr_image(image: bytes, languages: str = DEFAULT_LANGUAGES, *, page: int = 1,
              dpi: int | None = None) -> list[PageText]:  # fmt: skip
    """Read one image (several pages for a multi-page TIFF)."""
    args = ["tesseract", "stdin", "stdout", "-l", languages, "--psm", "3"]
    if dpi:
        args += ["--dpi", str(dpi)]
    tsv = _run([*args, "tsv"], image, "read the image with Tesseract")
    pages = _tsv_pages(tsv)
    if not pages:
        return [PageText(page, "", 0.0, 0)]
    out = []
    for n in sorted(pages):
        text, conf, words = pages[n]
        out.append(PageText(page + n - 1, text, conf, words))
    if len(out) == 1 and out[0].confidence < RETRY_BELOW:
        rot = _osd_rotation(image)
        if rot:
            again = _tsv_pages(_run([*args, "tsv"], _rotate(image, rot), "read the turned page"))
            if again:
                text, conf, words = again[min(again)]
                if conf > out[0].confidence:
                    out = [PageText(page, text, conf, words, rotated=rot)]
    return out


def pdf_page_count(data: bytes) -> int:
    from pypdf import PdfReader

    try:
        return len(PdfReader(io.BytesIO(data), strict=False).pages)
    except Exception:
        raise InputError("damaged or unreadable PDF (cannot count its pages)") from None


def render_pdf_page(data: bytes, page: int, dpi: int = DPI) -> bytes:
    """One page of a PDF as a PNG (``pdftoppm``, through pipes)."""
    return _run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile", "-"],
        data,
        f"render PDF page {page}",
        max_output=MAX_PNG,
    )


def ocr_document(
    data: bytes,
    media_type: str,
    languages: str = DEFAULT_LANGUAGES,
    *,
    progress: Progress | None = None,
) -> OcrResult:
    """OCR a PDF or an image; *progress(done, total)* after every page."""
    if len(data) > MAX_BYTES:
        raise InputError(f"too large for OCR ({len(data)} bytes; the limit is {MAX_BYTES})")
    langs = check_languages(languages)
    media = (media_type or "").split(";")[0].strip().lower()
    result = OcrResult("tesseract", tesseract_version(), langs, None)
    if media == PDF_TYPE:
        n = pdf_page_count(data)
        if n > MAX_PAGES:
            raise InputError(f"too many pages for OCR ({n}; the limit is {MAX_PAGES})")
        result.dpi = DPI
        for i in range(1, n + 1):
            png = render_pdf_page(data, i)
            result.pages.extend(ocr_image(png, langs, page=i, dpi=DPI))
            if progress:
                progress(i, n)
        return result
    if media in IMAGE_TYPES:
        result.pages.extend(ocr_image(data, langs))
        if progress:
            progress(1, 1)
        return result
    raise InputError(f"OCR reads PDFs and images (JPEG, PNG, TIFF …), not {media or 'this file'}")
