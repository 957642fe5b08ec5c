"""Evidence seen in the browser: which items may be shown inline, and the decrypted bytes
of one view, streamed (the one door of the web page, the API and the same-media review).

* Only images, audio, video and PDFs are shown (:data:`INLINE`). The type sent is the
  one the content's first bytes show (magic numbers), never the stored label or the file
  name: an HTML or SVG file labelled ``image/png`` is refused here (it can still be
  downloaded, as an attachment of type ``application/octet-stream``).
* Image, audio and video bytes stream from the vault decrypted chunk by chunk; a byte
  range (HTTP ``Range``: a seek in a video) decrypts only the chunks that hold it.
* A PDF is never sent to the browser: one page is rendered to a PNG on the server by
  ``pdftoppm`` (through pipes, no file written: see :mod:`dalil.media.tool`). A PDF can
  carry JavaScript, forms, links and embedded files; as a picture none of them reaches
  the browser.
* Nothing is written to disk: no temp file, no cache of rendered pages.
* The permission is that of reading the content (``evidence.read``, and
  ``evidence.read_sensitive`` for a sensitive item); every view is logged
  (``evidence.view`` with the byte range or page) before its first byte is decrypted.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from dalil.core.access import Actor
from dalil.core.context import oid
from dalil.errors import InputError, NotFound
from dalil.services.evidence import check_read, item_dict, resolve_item
from dalil.vault.blobs import BlobError

if TYPE_CHECKING:
    from dalil.core.case import Case
    from dalil.model.evidence import EvidenceItem

#: Media types shown in the browser, and how (by what the content's bytes are).
INLINE: Final[dict[str, str]] = {
    "image/jpeg": "image",
    "image/png": "image",
    "image/gif": "image",
    "image/webp": "image",
    "image/bmp": "image",
    "audio/mpeg": "audio",
    "audio/ogg": "audio",
    "audio/wav": "audio",
    "audio/flac": "audio",
    "audio/mp4": "audio",
    "video/mp4": "video",
    "video/webm": "video",
    "application/pdf": "pdf",
}
#: Largest PDF rendered for viewing (it is decrypted into memory to be rendered), most
#: pages, and the resolution of a rendered page (a page of A4 is about 900×1300 pixels).
MAX_PDF_BYTES: Final = 256 * 1024 * 1024
MAX_PAGE: Final = 100_000
PAGE_DPI: Final = 110

_RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")


class RangeNotSatisfiable(InputError):
    """A byte range that lies outside the item (HTTP 416)."""

    def __init__(self, total: int) -> None:
        super().__init__(f"the range asked for is outside the item ({total} bytes)",
                         code="range_not_satisfiable")  # fmt: skip
        self.total = total


@dataclass
class View:
    """One view of an item: the bytes to send and how to send them."""

    item: dict[str, Any]
    kind: str  # image | audio | video | pdf
    media_type: str  # of the bytes sent (a PDF page: image/png)
    total: int  # size of the whole representation
    start: int
    end: int  # inclusive
    partial: bool  # a byte range (206) rather than the whole
    chunks: Iterator[bytes]
    graphic: bool
    page: int | None = None
    pages: int | None = None

    @property
    def length(self) -> int:
        return self.end - self.start + 1 if self.total else 0


def view_kind(media_type: str | None) -> str | None:
    """How an item of this (stored) media type is shown: image, audio, video, pdf, or
    ``None`` (not shown in the browser; it can be downloaded)."""
    return INLINE.get(str(media_type or "").split(";")[0].strip().lower())


def shown_as(case: Case, item: EvidenceItem) -> str | None:
    """How *item* would be shown (its stored type, checked against its first bytes), or
    ``None``: for a page deciding whether to offer a view. Checks no permission."""
    kind = view_kind(item.media_type)
    if kind is None:
        return None
    try:
        _check_content(case, item.sha256, kind, item_id=item.id)
    except (InputError, BlobError):
        return None
    return kind


def parse_range(header: str | None, total: int) -> tuple[int, int] | None:
    """The one byte range (first, last inclusive) asked for by an HTTP ``Range`` header,
    or ``None`` for the whole (no header, several ranges, or one not understood: RFC 9110
    lets a server ignore those). Raises :class:`RangeNotSatisfiable` for a range that
    lies outside *total* bytes."""
    if not header:
        return None
    m = _RANGE.match(header.strip().replace(" ", ""))
    if m is None:
        return None
    first, last = m.group(1), m.group(2)
    if not first and not last:
        return None
    if not first:  # the last N bytes
        n = int(last)
        if n == 0 or total == 0:
            raise RangeNotSatisfiable(total)
        return max(0, total - n), total - 1
    start = int(first)
    if last and int(last) < start:
        return None  # not a valid range: ignored
    if start >= total:
        raise RangeNotSatisfiable(total)
    return start, min(int(last) if last else total - 1, total - 1)


def open_view(
    case: Case,
    user: str | Actor | None,
    ref: str | int,
    *,
    byte_range: str | None = None,
    page: int | None = None,
    via: str = "web",
) -> View:
    """Check that *user* may see the content of item *ref*, log the view
    (``evidence.view``) and return its bytes as a :class:`View` (not yet decrypted).

    *byte_range* is an HTTP ``Range`` header (images, audio, video); *page* the page of a
    PDF (from 1). Raises :class:`PermissionDenied` (logged), :class:`NotFound`,
    :class:`InputError` (``not_viewable``: the item is not shown in a browser) or
    :class:`RangeNotSatisfiable`."""
    with case.act(user) as ctx:
        item = resolve_item(ctx, ref)
        check_read(ctx, item)
        kind = view_kind(item.media_type)
        if kind is None:
            raise InputError(
                f"item {item.id} cannot be shown in the browser ({item.media_type}); "
                "download it instead (logged)",
                code="not_viewable",
            )
        meta = item_dict(ctx, item)
        sha = item.sha256
        total = case.blobs.plain_size(sha)
        span = None if kind == "pdf" else parse_range(byte_range, total)
        if kind == "pdf":
            page = 1 if page is None else page
            if not 1 <= page <= MAX_PAGE:
                raise NotFound(f"item {item.id} has no page {page}")
        ctx.audit(
            "evidence.view",
            [oid("evidence", sha)],
            detail={
                "sha256": sha,
                "kind": kind,
                "range": f"{span[0]}-{span[1]}" if span else None,
                "page": page if kind == "pdf" else None,
                "via": via[:20],
            },
        )
    sent_type = _check_content(case, sha, kind, item_id=int(meta["id"]))
    graphic = bool(meta.get("graphic"))
    if kind == "pdf":
        assert page is not None
        png, pages = _pdf_page(case, sha, total, page, item_id=int(meta["id"]))
        return View(meta, kind, "image/png", len(png), 0, len(png) - 1, False,
                    iter((png,)), graphic, page=page, pages=pages)  # fmt: skip
    if total == 0:
        return View(meta, kind, sent_type, 0, 0, -1, False, iter(()), graphic)
    start, end = span if span else (0, total - 1)
    chunks = case.blobs.open_range(sha, start, end)
    return View(meta, kind, sent_type, total, start, end, span is not None, chunks, graphic)


def _check_content(case: Case, sha: str, kind: str, *, item_id: int) -> str:
    """The media type the content's first bytes show, if it is shown as *kind*; else the
    item is refused (its stored label does not match what it holds)."""
    from dalil.media.sniff import HEAD, sniff

    head = b""
    for chunk in case.blobs.open(sha):
        head = chunk[:HEAD]
        break
    sniffed = sniff(head)
    if sniffed is None or INLINE.get(sniffed) != kind:
        raise InputError(
            f"item {item_id} is not what its type says; it is not shown in the browser "
            "(download it instead, logged)",
            code="not_viewable",
        )
    return sniffed


def _pdf_page(case: Case, sha: str, total: int, page: int, *, item_id: int) -> tuple[bytes, int]:
    """Page *page* of the PDF *sha* rendered as a PNG, and the number of pages. The PDF is
    decrypted into memory (bounded by :data:`MAX_PDF_BYTES`) and rendered through pipes."""
    from dalil.ocr.engine import render_pdf_page

    if total > MAX_PDF_BYTES:
        raise InputError(
            f"item {item_id} is too large to show in the browser ({total} bytes); "
            "download it instead (logged)",
            code="not_viewable",
        )
    buf = io.BytesIO()
    for chunk in case.blobs.open(sha):
        buf.write(chunk)
    data = buf.getvalue()
    pages = pdf_pages(data, item_id=item_id)
    if page > pages:
        raise NotFound(f"item {item_id} has no page {page} (it has {pages})")
    return render_pdf_page(data, page, dpi=PAGE_DPI), pages


def pdf_pages(data: bytes, *, item_id: int) -> int:
    """How many pages the PDF *data* has (:class:`InputError` when it cannot be read)."""
    from pypdf import PdfReader

    try:
        return len(PdfReader(io.BytesIO(data), strict=False).pages)
    except Exception:
        raise InputError(
            f"item {item_id}: damaged or unreadable PDF", code="not_viewable"
        ) from None


_PAGE_COUNTS: dict[str, int] = {}  # by content hash (an item's content never changes)


def pdf_page_count(case: Case, user: str | Actor | None, ref: str | int) -> int | None:
    """How many pages the PDF item *ref* has, for a pager (``None`` when it cannot be
    read), for a user who may see its content. Not a view (nothing is shown): not logged;
    the count is kept in memory by content hash."""
    with case.act(user, write=False) as ctx:
        item = resolve_item(ctx, ref)
        check_read(ctx, item)
        if view_kind(item.media_type) != "pdf":
            return None
        sha, item_id = item.sha256, item.id
    if sha in _PAGE_COUNTS:
        return _PAGE_COUNTS[sha]
    if case.blobs.plain_size(sha) > MAX_PDF_BYTES:
        return None
    data = b"".join(case.blobs.open(sha))
    try:
        n = pdf_pages(data, item_id=item_id)
    except InputError:
        return None
    if len(_PAGE_COUNTS) > 1000:
        _PAGE_COUNTS.clear()
    _PAGE_COUNTS[sha] = n
    return n
