"""``source add``: create a Source, optionally from a file kept as evidentiary evidence.

With a file: the file is stored (blob first) as an evidentiary EvidenceItem linked to
the new Source, in one transaction with the Source itself. Then, if text can be
extracted (:func:`dalil.sources.text.extract_text`, the source-verification
capability), the text is kept as a *working copy* item ``derived_from`` the original.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dalil import access
from dalil.access import Actor
from dalil.errors import InputError
from dalil.services import evidence, records

if TYPE_CHECKING:
    from dalil.case import Case


def _extract(path: os.PathLike[str] | str) -> tuple[str | None, str | None, str | None]:
    """(text, media type, why not) — integration point with dalil.sources.text."""
    try:
        from dalil.sources.text import extract_text
    except ImportError:  # capability not installed
        return None, None, "text extraction unavailable (dalil.sources.text missing)"
    try:
        ext = extract_text(os.fspath(path))
    except InputError as e:
        return None, None, str(e)
    except Exception as e:  # a hostile or broken file must not undo the stored source
        return None, None, f"text extraction failed ({type(e).__name__}); the file is kept as is"
    return ext.text, ext.media_type, None


def add_source(
    case: Case,
    user: str | Actor | None,
    path: str | os.PathLike[str] | None = None,
    *,
    sensitive: bool = False,
    extract: bool = True,
    **fields: Any,
) -> dict[str, Any]:
    """Create a Source (and its evidence when *path* is given). Returns a summary dict:
    ``{"source": {...}, "evidence": {...}|None, "text": {...}|None, "text_error": str|None}``."""
    actor = user if isinstance(user, Actor) else case.actor(user)
    case.require(actor, access.RECORD_WRITE, "add sources")
    out: dict[str, Any] = {"source": None, "evidence": None, "text": None, "text_error": None}
    if path is None:
        with case.act(actor) as ctx:
            out["source"] = records.add(ctx, "source", **fields).to_dict()
        return out
    case.require(actor, access.EVIDENCE_ADD, "add evidence")
    p = evidence.check_file(path)
    with case.act(actor, write=False) as ctx:  # validate the fields before storing anything
        records.validate(ctx, "source", **fields)
    name = evidence.sanitise_name(p.name)
    mtime = datetime.fromtimestamp(p.stat().st_mtime, UTC).isoformat(timespec="seconds")
    put = case.blobs.put_path(p)
    with case.act(actor) as ctx:
        src = records.add(ctx, "source", **fields)
        res = evidence.record_blob(
            ctx,
            put,
            name=name,
            source_id=src.id,
            sensitive=sensitive,
            capture={"file_modified": mtime},
        )
        if not res.created and res.item.source_id is None:
            res.item.source_id = src.id
        out["source"] = src.to_dict()
        out["evidence"] = evidence.item_dict(ctx, res.item)
        src_id = src.id
    if extract:
        text, media, why = _extract(p)
        keep_working_text(
            case, actor, out, text, media, why,
            original_sha256=put.sha256, name=name, source_id=src_id, sensitive=sensitive,
        )  # fmt: skip
    return out


def keep_working_text(
    case: Case,
    actor: Actor,
    out: dict[str, Any],
    text: str | None,
    media: str | None,
    why: str | None,
    *,
    original_sha256: str,
    name: str,
    source_id: int | None,
    sensitive: bool,
) -> None:
    """Store extracted *text* as a working copy derived from the evidentiary original
    and record the outcome in *out* (``text``, or ``text_error`` with *why*).

    Shared by file intake (``dalil source add``) and stream intake (web upload)."""
    if text and hashlib.sha256(text.encode("utf-8")).hexdigest() == original_sha256:
        text, why = None, None  # already plain UTF-8 text: no separate working copy
    if text:
        stem = name.rsplit(".", 1)[0] if "." in name else name
        res = evidence.add_bytes(
            case, actor, text.encode("utf-8"), name=f"{stem}.txt", source_id=source_id,
            copy_kind="working", derived_from=original_sha256, sensitive=sensitive,
            media_type="text/plain; charset=utf-8",
            capture={"extracted_from": original_sha256, "extracted_media_type": media},
        )  # fmt: skip
        out["text"] = res.data
    else:
        out["text_error"] = why
