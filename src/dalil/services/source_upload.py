"""A Source from a stream (a web upload): the same result as ``dalil source add FILE``
(:func:`dalil.services.source_intake.add_source`) without a file on disk.

The stream is hashed and encrypted into the vault as it is read (no plaintext temporary
file). While it passes, up to :data:`dalil.sources.text.MAX_BYTES` of it are kept in
memory so that its text can be extracted afterwards with
:func:`dalil.sources.text.extract_bytes`; a larger file is stored but gets no working
copy (``text_error`` says why). Order and rules are those of ``add_source``: permissions
and field values checked before anything is stored, blob first, then the Source and its
evidentiary item with their audit entries in one transaction, then the extracted text as
a *working* copy ``derived_from`` the original.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from dalil import access
from dalil.access import Actor
from dalil.errors import InputError
from dalil.services import evidence, records
from dalil.services.source_intake import keep_working_text

if TYPE_CHECKING:
    from dalil.case import Case


class _Tee:
    """A file-like ``read`` that keeps a copy of the first *limit* bytes read."""

    def __init__(self, src: BinaryIO, limit: int) -> None:
        self.src, self.limit = src, limit
        self.kept = bytearray()
        self.overflow = False

    def read(self, n: int = -1) -> bytes:
        data = self.src.read(n)
        if data and not self.overflow:
            if len(self.kept) + len(data) > self.limit:
                self.overflow = True
                self.kept = bytearray()  # too large to extract: drop the copy at once
            else:
                self.kept += data
        return bytes(data)

    def readable(self) -> bool:
        return True


def _extract(data: bytes, name: str) -> tuple[str | None, str | None, str | None]:
    """(text, media type, why not); never raises for a hostile or broken document."""
    try:
        from dalil.sources.text import extract_bytes
    except ImportError:
        return None, None, "text extraction unavailable (dalil.sources.text missing)"
    try:
        ext = extract_bytes(data, name)
    except InputError as e:
        return None, None, str(e)
    except Exception as e:
        return None, None, f"text extraction failed ({type(e).__name__}); the file is kept as is"
    return ext.text, ext.media_type, None


def add_source_stream(
    case: Case,
    user: str | Actor | None,
    stream: BinaryIO,
    *,
    name: str,
    sensitive: bool = False,
    extract: bool = True,
    progress: Callable[[int], None] | None = None,
    capture: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Create a Source whose document is read from *stream*. Returns the same summary as
    ``add_source``: ``{"source", "evidence", "text", "text_error"}``."""
    from dalil.sources.text import MAX_BYTES

    actor = user if isinstance(user, Actor) else case.actor(user)
    case.require(actor, access.RECORD_WRITE, "add sources")
    case.require(actor, access.EVIDENCE_ADD, "add evidence")
    with case.act(actor, write=False) as ctx:  # validate the fields before storing anything
        records.validate(ctx, "source", **fields)
    clean = evidence.sanitise_name(name)
    tee = _Tee(stream, MAX_BYTES if extract else 0)
    put = case.blobs.put(tee, progress=progress)  # type: ignore[arg-type]
    out: dict[str, Any] = {"source": None, "evidence": None, "text": None, "text_error": None}
    with case.act(actor) as ctx:
        src = records.add(ctx, "source", **fields)
        res = evidence.record_blob(
            ctx, put, name=clean, source_id=src.id, sensitive=sensitive, capture=dict(capture or {})
        )
        if not res.created and res.item.source_id is None:
            res.item.source_id = src.id
        out["source"] = src.to_dict()
        out["evidence"] = evidence.item_dict(ctx, res.item)
        src_id = src.id
    if not extract:
        return out
    if tee.overflow:
        out["text_error"] = (
            f"{clean}: too large to extract text from here (over {MAX_BYTES} "
            "bytes); the file is kept as is"
        )
        return out
    data, tee.kept = bytes(tee.kept), bytearray()
    text, media, why = _extract(data, clean)
    del data
    keep_working_text(
        case, actor, out, text, media, why,
        original_sha256=put.sha256, name=clean, source_id=src_id, sensitive=sensitive,
    )  # fmt: skip
    return out
