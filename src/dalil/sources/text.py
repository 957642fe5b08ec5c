"""Plain text out of the documents investigators collect (.txt, .html, .pdf, .docx).

:func:`extract_text` is the one entry point.  Every offset that source verification
reports (quotes, passages, quantities) refers to ``ExtractedText.text``, so the text is
normalised once here and never again: line endings become ``\\n``, the text is put in
Unicode NFC, and nothing else changes.

Rules for plain-text encodings (written down in docs/sources.md as well):

1. A byte-order mark decides: UTF-8 BOM → UTF-8; UTF-16 LE/BE BOM → UTF-16;
   UTF-32 LE/BE BOM → UTF-32.
2. Without a BOM, a NUL byte means the file is binary (refused).
3. Strict UTF-8 is tried next (ASCII is a subset).
4. Then Windows-1256 (Arabic), accepted only if Arabic letters make up at least 30 % of
   all letters of the decoded text (every byte decodes in Windows-1256, so this gate is
   what keeps a damaged Latin-script file from being read as Arabic).
5. Then Windows-1252 / Latin-1, accepted only if no control characters result.
6. Otherwise the file is refused as "unknown encoding".

Decoded text with more than 1 % control characters (other than tab, newline, carriage
return, form feed) is refused as binary.  Files larger than :data:`MAX_BYTES` are refused
before being read, so memory stays bounded.
"""

from __future__ import annotations

import io
import logging
import os
import re
import unicodedata
import warnings
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dalil.display.messages import N_, Message
from dalil.errors import InputError

#: Largest file accepted, in bytes (64 MiB).  A larger file is refused with a clear message.
MAX_BYTES = 64 * 1024 * 1024
#: Largest extracted text accepted, in characters (a guard against decompression bombs).
MAX_CHARS = 32 * 1024 * 1024
#: Largest total uncompressed size of a .docx package (zip bomb guard).
MAX_DOCX_UNCOMPRESSED = 256 * 1024 * 1024

TEXT_SUFFIXES = {".txt", ".text", ".md", ".csv", ".tsv"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FF]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_CONTROL = re.compile(r"[\x00-\x08\x0B\x0E-\x1F\x7F-\x9F]")
_ENGLISH_WORDS = re.compile(r"\b(?:the|and|of|to|in|that|was|were|said|is|for)\b", re.I)
_FRENCH_WORDS = re.compile(r"\b(?:le|la|les|des|et|du|une|est|dans|pour|que)\b", re.I)


@dataclass
class ExtractedText:
    """Text extracted from one file, with what could be detected about it.

    ``text`` is the working text every offset refers to.  ``media_type`` is the detected
    type (``text/plain``, ``text/html``, ``application/pdf``, ``application/vnd.openxmlformats-
    officedocument.wordprocessingml.document``).  ``title``, ``language`` (ISO 639-1 where
    detectable) and ``published`` (ISO date ``YYYY-MM-DD``) are ``None`` when unknown.
    ``encoding`` names the decoding used for plain text and HTML.
    """

    text: str
    media_type: str
    title: str | None = None
    language: str | None = None
    published: str | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


MEDIA_TXT = "text/plain"
MEDIA_HTML = "text/html"
MEDIA_PDF = "application/pdf"
MEDIA_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def normalise_text(text: str) -> str:
    """Line endings to ``\\n``, NFC, no NUL; the one normalisation every text gets."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return unicodedata.normalize("NFC", text)


def guess_language(text: str) -> str | None:
    """A script-and-stopword guess: ``ar``, ``en``, ``fr`` or ``None`` (no models)."""
    sample = text[:20000]
    arabic = len(_ARABIC_LETTER.findall(sample))
    latin = len(_LATIN_LETTER.findall(sample))
    if arabic + latin < 20:
        return None
    if arabic >= latin:
        return "ar"
    en = len(_ENGLISH_WORDS.findall(sample))
    fr = len(_FRENCH_WORDS.findall(sample))
    if en >= 3 and en >= fr:
        return "en"
    if fr >= 3:
        return "fr"
    return None


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    return len(_CONTROL.findall(text[:200000])) / min(len(text), 200000)


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode plain-text bytes by the rules in this module's docstring.

    Returns ``(text, encoding)``; raises :class:`InputError` naming *name*.
    """
    boms = [
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ]
    for bom, enc in boms:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", "")
            except UnicodeDecodeError:
                raise InputError(
                    Message(
                        N_(
                            "%(file)s: starts with a %(enc)s byte-order mark but is not valid %(enc)s"
                        ),
                        file=name,
                        enc=str(enc),
                    )
                ) from None
    if b"\x00" in data[:1_000_000]:
        raise InputError(
            Message(
                N_("%(file)s: looks binary (contains NUL bytes), not a text document"), file=name
            )
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1256")
        arabic = len(_ARABIC_LETTER.findall(text))
        letters = sum(1 for ch in text if ch.isalpha())
        if arabic and arabic * 10 >= letters * 3 and not _CONTROL.search(text):
            return text, "cp1256"
    except UnicodeDecodeError:
        pass
    for enc in ("cp1252", "latin-1"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if not _CONTROL.search(text):
            return text, enc
    raise InputError(
        Message(
            N_(
                "%(file)s: unknown text encoding (not UTF-8/16/32, Windows-1256 or "
                "Windows-1252); convert it to UTF-8"
            ),
            file=name,
        )
    )


def _cannot_read(name: str, e: OSError) -> InputError:
    return InputError(
        Message(
            N_("%(file)s: cannot read (%(reason)s)"), file=name, reason=str(e.strerror or "error")
        )
    )


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(Message(N_("%(file)s: no such file"), file=name)) from None
    except OSError as e:
        raise _cannot_read(name, e) from None
    if not path.is_file():
        raise InputError(Message(N_("%(file)s: not a regular file"), file=name))
    if size > max_bytes:
        raise InputError(
            Message(
                N_(
                    "%(file)s: too large (%(size)s bytes; the limit is %(max)s bytes) — "
                    "split the document or extract its text first"
                ),
                file=name,
                size=str(size),
                max=str(max_bytes),
            )
        )
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as e:
        raise _cannot_read(name, e) from None
    if len(data) > max_bytes:
        raise InputError(
            Message(
                N_("%(file)s: too large (the limit is %(max)s bytes)"),
                file=name,
                max=str(max_bytes),
            )
        )
    if not data.strip():
        raise InputError(Message(N_("%(file)s: is empty"), file=name))
    return data


def _sniff(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    head = data[:2048].lstrip()
    if data.startswith(b"%PDF-"):
        return MEDIA_PDF
    if data.startswith(b"PK\x03\x04"):
        if suffix == ".docx" or b"word/" in data[:65536]:
            return MEDIA_DOCX
        raise InputError(
            Message(N_("%(file)s: a zip archive that is not a .docx document"), file=str(path))
        )
    if suffix == ".pdf":
        raise InputError(
            Message(N_("%(file)s: has a .pdf name but is not a PDF file"), file=str(path))
        )
    if suffix == ".docx":
        raise InputError(
            Message(
                N_("%(file)s: has a .docx name but is not a Word (.docx) document"), file=str(path)
            )
        )
    if suffix == ".doc":
        raise InputError(
            Message(
                N_("%(file)s: old Word .doc format is not supported; save it as .docx"),
                file=str(path),
            )
        )
    lowered = head[:512].lower()
    if suffix in HTML_SUFFIXES or lowered.startswith((b"<!doctype html", b"<html")):
        return MEDIA_HTML
    if suffix in TEXT_SUFFIXES or suffix == "":
        return MEDIA_TXT
    # Unknown suffix: accept as text if it decodes as text; decode_text refuses binaries.
    return MEDIA_TXT


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


def _decode_html(data: bytes, name: str) -> tuple[str, str]:
    m = _META_CHARSET.search(data[:4096])
    if m and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        enc = m.group(1).decode("ascii").lower()
        try:
            return data.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data, name)


_HTML_LANG = re.compile(r"""<html[^>]*\blang\s*=\s*["']?([A-Za-z]{2,3})""", re.I)

# The tag-strip fallback below is a single left-to-right scan: every search starts where
# the previous one ended and a search that finds nothing ends the scan, so the cost is
# linear in the page whatever its markup (a regular expression such as
# ``<script[^>]*>.*?</script>`` re-scans the rest of the page from every unclosed tag:
# quadratic, 288 KB took 37 s).
_TAG_OPEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,30})|<!--|<[!?]")
_RAW_TEXT = frozenset({"script", "style", "noscript", "template", "textarea", "title"})
_BREAK_OPEN = frozenset({"br", "p", "div", "li", "tr"})
_BREAK_CLOSE = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"})
_RAW_END = {name: re.compile(r"</" + name + r"(?=[\s/>])", re.I) for name in sorted(_RAW_TEXT)}


def _html_chunks(markup: str) -> list[tuple[str, str]]:
    """The page as ``(kind, value)`` pieces in one linear pass: ``("text", s)`` for
    character data, ``("break", "")`` at block boundaries, ``("raw", name)`` followed by
    ``("rawtext", s)`` for the content of raw-text elements (script, style, title …).
    An unclosed comment, tag or raw-text element runs to the end of the page, as in a
    browser."""
    out: list[tuple[str, str]] = []
    n = len(markup)
    i = 0
    while i < n:
        m = _TAG_OPEN.search(markup, i)
        if m is None:
            out.append(("text", markup[i:]))
            break
        if m.start() > i:
            out.append(("text", markup[i : m.start()]))
        tok = m.group(0)
        if tok == "<!--":
            end = markup.find("-->", m.end())
            i = n if end < 0 else end + 3
            continue
        gt = markup.find(">", m.end())
        if gt < 0:
            break  # a tag never closed: the rest is inside it
        i = gt + 1
        if tok in ("<!", "<?"):
            continue
        name = m.group(2).lower()
        closing = m.group(1) == "/"
        if closing:
            if name in _BREAK_CLOSE:
                out.append(("break", ""))
            continue
        if name in _BREAK_OPEN or name in _BREAK_CLOSE:
            out.append(("break", ""))
        if name in _RAW_TEXT and not markup[m.end() : gt].rstrip().endswith("/"):
            end_m = _RAW_END[name].search(markup, i)
            stop = n if end_m is None else end_m.start()
            out.append(("raw", name))
            out.append(("rawtext", markup[i:stop]))
            if end_m is None:
                break
            gt = markup.find(">", end_m.end())
            i = n if gt < 0 else gt + 1
    return out


def _html_title(chunks: list[tuple[str, str]]) -> str | None:
    import html as htmlmod

    for k, (kind, value) in enumerate(chunks):
        if kind == "raw" and value == "title" and k + 1 < len(chunks):
            return " ".join(htmlmod.unescape(chunks[k + 1][1]).split()) or None
    return None


def _html_strip(chunks: list[tuple[str, str]]) -> str:
    """Paragraphs of the page's visible text (script, style, title … dropped)."""
    import html as htmlmod

    paras: list[str] = []
    current: list[str] = []

    def flush() -> None:
        words = " ".join(current).split()
        if words:
            paras.append(" ".join(words))
        current.clear()

    for kind, value in chunks:
        if kind == "text":
            current.append(htmlmod.unescape(value))
        elif kind == "break":
            flush()
    flush()
    return "\n\n".join(paras)


def _extract_html(data: bytes, name: str) -> ExtractedText:
    markup, enc = _decode_html(data, name)
    if _control_share(markup) > 0.01:
        raise InputError(Message(N_("%(file)s: looks binary, not an HTML document"), file=name))
    import trafilatura

    doc: Any = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
        logging.getLogger("htmldate").setLevel(logging.CRITICAL)
        try:
            doc = trafilatura.bare_extraction(
                markup,
                favor_recall=True,
                include_comments=False,
                include_tables=True,
                with_metadata=True,
                as_dict=True,
                date_extraction_params={"extensive_search": False, "original_date": True},
            )
        except MemoryError:  # over the bounded worker's memory limit: say so
            raise
        except Exception as exc:  # a malformed page: fall back to the plain tag strip below
            _reraise_out_of_memory(exc)
            doc = None
    text = ""
    title: str | None = None
    published: str | None = None
    if isinstance(doc, dict):
        text = doc.get("text") or ""
        title = doc.get("title") or None
        published = doc.get("date") or None
    chunks: list[tuple[str, str]] | None = None
    if not text.strip():
        # Very short pages defeat main-text extraction; strip the tags instead.
        chunks = _html_chunks(markup)
        text = _html_strip(chunks)
    if title is None:
        title = _html_title(chunks if chunks is not None else _html_chunks(markup))
    lang_m = _HTML_LANG.search(markup[:4096])
    language = lang_m.group(1).lower()[:2] if lang_m else None
    text = normalise_text(text)
    if published and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
        published = None
    return ExtractedText(
        text=text,
        media_type=MEDIA_HTML,
        title=title,
        language=language or guess_language(text),
        published=published,
        encoding=enc,
    )


def _page_text(page: Any) -> str:
    """One page's text layer; Arabic lines repaired (:mod:`dalil.sources.pdf_arabic`:
    presentation forms, visual order, run order) and Latin ligatures (ﬁ ﬂ …) split."""
    from dalil.sources.pdf_arabic import has_arabic_glyphs, repair_chunks, split_ligatures

    chunks: list[tuple[str, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, _size: Any) -> None:
        x = float(tm[4]) * float(cm[0]) + float(cm[4])
        chunks.append((text, x, float(tm[5]) * float(cm[3]) + float(cm[5])))

    text = page.extract_text(visitor_text=visit) or ""
    if has_arabic_glyphs(text):
        text = repair_chunks(chunks)
    return split_ligatures(text)


def _extract_pdf(data: bytes, name: str) -> ExtractedText:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    ok = bool(reader.decrypt(""))
                except MemoryError:  # over the bounded worker's memory limit: say so
                    raise
                except Exception as exc:
                    _reraise_out_of_memory(exc)
                    ok = False
                if not ok:
                    raise InputError(
                        Message(N_("%(file)s: PDF is encrypted with a password"), file=name)
                    )
            pages: list[str] = []
            total = 0
            for page in reader.pages:
                page_text = _page_text(page)
                total += len(page_text)
                if total > MAX_CHARS:
                    raise InputError(
                        Message(
                            N_("%(file)s: text too long (over %(max)s characters)"),
                            file=name,
                            max=str(MAX_CHARS),
                        )
                    )
                pages.append(page_text)
            meta = reader.metadata
    except InputError:
        raise
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        OSError,
        AssertionError,
        ZeroDivisionError,
    ):
        raise InputError(Message(N_("%(file)s: damaged or unreadable PDF"), file=name)) from None
    text = normalise_text("\n\n".join(p.strip() for p in pages))
    if len(re.sub(r"\s", "", text)) < 3:
        raise InputError(
            Message(
                N_("%(file)s: PDF has no text layer (scanned?) — run OCR on it first"), file=name
            )
        )
    title = None
    try:
        title = (meta.title if meta else None) or None
    except MemoryError:  # over the bounded worker's memory limit: say so
        raise
    except Exception as exc:
        _reraise_out_of_memory(exc)
        title = None
    return ExtractedText(
        text=text,
        media_type=MEDIA_PDF,
        title=str(title).strip() or None if title else None,
        language=guess_language(text),
        published=None,
    )


def _extract_docx(data: bytes, name: str) -> ExtractedText:
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(i.file_size for i in zf.infolist())
            if total > MAX_DOCX_UNCOMPRESSED:
                raise InputError(
                    Message(
                        N_("%(file)s: .docx expands to %(total)s bytes, over the limit %(max)s"),
                        file=name,
                        total=str(total),
                        max=str(MAX_DOCX_UNCOMPRESSED),
                    )
                )
            if "word/document.xml" not in zf.namelist():
                raise InputError(Message(N_("%(file)s: not a Word (.docx) document"), file=name))
    except zipfile.BadZipFile:
        raise InputError(
            Message(N_("%(file)s: damaged .docx (not a valid zip archive)"), file=name)
        ) from None
    try:
        document = docx.Document(io.BytesIO(data))
    except InputError:
        raise
    except MemoryError:  # over the bounded worker's memory limit: say so
        raise
    except Exception as exc:
        _reraise_out_of_memory(exc)
        raise InputError(Message(N_("%(file)s: damaged or unreadable .docx"), file=name)) from None
    paras: list[str] = []
    for para in document.paragraphs:
        t = para.text.strip()
        if t:
            paras.append(t)
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                paras.append(" | ".join(cells))
    text = normalise_text("\n\n".join(paras))
    props = document.core_properties
    title = (props.title or "").strip() or None
    language = (props.language or "").strip().lower()[:2] or None
    return ExtractedText(
        text=text,
        media_type=MEDIA_DOCX,
        title=title,
        language=language or guess_language(text),
        published=None,
    )


def extract_text(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> ExtractedText:
    """Extract the working text of a document file.

    Supports .txt (encoding detected by the documented rules), .html (main text via
    trafilatura, offline), .pdf (text layer via pypdf) and .docx (python-docx).  The
    type is sniffed from the content first and the suffix second.

    Raises :class:`dalil.errors.InputError` (one line, naming the file) for missing,
    empty, binary, undecodable, too large, damaged or scanned (no text layer) files.
    The message never contains document content.
    """
    p = Path(path)
    return extract_bytes(_read_bounded(p, max_bytes), p, max_bytes=max_bytes)


def extract_bytes(
    data: bytes,
    name: str | os.PathLike[str],
    *,
    max_bytes: int = MAX_BYTES,
    limits: Any = None,
) -> ExtractedText:
    """Like :func:`extract_text` for bytes already in memory (e.g. an evidence blob);
    *name* (its suffix helps sniffing) is used in error messages.

    HTML, PDF and Word documents are parsed in a bounded worker process
    (:mod:`dalil.sources.bounded`: processor time, memory and output limits, *limits*
    or the defaults); a document over a limit is refused with a one-line reason naming
    the limit. Plain text is decoded here (linear work, already bounded by *max_bytes*)."""
    path = Path(name)
    name = str(path)
    if len(data) > max_bytes:
        raise InputError(
            Message(
                N_("%(file)s: too large (%(size)s bytes; the limit is %(max)s bytes)"),
                file=name,
                size=str(len(data)),
                max=str(max_bytes),
            )
        )
    if not data.strip():
        raise InputError(Message(N_("%(file)s: is empty"), file=name))
    if _sniff(path, data) == MEDIA_TXT:
        return _extract_inline(data, path)
    from dalil.sources import bounded

    got = bounded.run(
        "dalil.sources.text:_extract_for_worker",
        data,
        name,
        limits=limits or bounded.DEFAULT_LIMITS,
    )
    return ExtractedText(**got)


def _reraise_out_of_memory(exc: BaseException) -> None:
    """lxml and zlib report an allocation that failed as their own error: make it a
    :class:`MemoryError` so the worker names the memory limit."""
    if "memory" in str(exc).lower() and "alloc" in str(exc).lower():
        raise MemoryError from None


def _extract_for_worker(data: bytes, name: str) -> dict[str, Any]:
    """The worker side of :func:`extract_bytes` (runs under the bounded worker's limits)."""
    return _extract_inline(data, Path(name)).to_dict()


def _extract_inline(data: bytes, path: Path) -> ExtractedText:
    name = str(path)
    media = _sniff(path, data)
    if media == MEDIA_PDF:
        result = _extract_pdf(data, name)
    elif media == MEDIA_DOCX:
        result = _extract_docx(data, name)
    elif media == MEDIA_HTML:
        result = _extract_html(data, name)
    else:
        raw, enc = decode_text(data, name)
        if _control_share(raw) > 0.01:
            raise InputError(Message(N_("%(file)s: looks binary, not a text document"), file=name))
        text = normalise_text(raw)
        if text.startswith("\ufeff"):
            text = text[1:]
        title = next((ln.strip() for ln in text.split("\n") if ln.strip()), None)
        if title is not None and len(title) > 200:
            title = None
        result = ExtractedText(
            text=text,
            media_type=MEDIA_TXT,
            title=title,
            language=guess_language(text),
            published=None,
            encoding=enc,
        )
    if not result.text.strip():
        raise InputError(Message(N_("%(file)s: contains no text"), file=name))
    if len(result.text) > MAX_CHARS:
        raise InputError(
            Message(
                N_("%(file)s: text too long (over %(max)s characters)"),
                file=name,
                max=str(MAX_CHARS),
            )
        )
    if result.published is None:
        # A dateline near the top ("PORT SELIN, 14 March 2025 —") gives the date.
        from dalil.sources.dates import guess_document_date

        result.published = guess_document_date(result.text)
    return result
