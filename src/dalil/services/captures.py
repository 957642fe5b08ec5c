"""Web captures (WACZ, WARC) as evidence: one evidentiary item for the capture, its media
as derived working copies, each page's text as the working copy of a source.

Order (nothing half-imported): the archive is read and checked completely first
(:func:`dalil.sources.webcapture.read_capture` refuses a broken one, naming the file
inside it); then every blob is written (the capture, each medium, each page's text); then
one transaction records the sources, items and their ``evidence.add`` entries together.
A failure before that transaction leaves at most unreferenced blobs (harmless; ``fixity``
reports them); it never leaves part of a capture recorded.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import select

from dalil.core import access
from dalil.core.access import Actor
from dalil.display.messages import N_, Message
from dalil.errors import InputError, NotFound
from dalil.model.evidence import EvidenceItem
from dalil.model.source import Source
from dalil.services import evidence, records
from dalil.vault.blobs import PutResult

if TYPE_CHECKING:
    from dalil.core.case import Case
    from dalil.sources.webcapture import Capture


#: A capture the case already holds.
_HELD = N_("%(file)s: this capture is already held (item %(item)s); nothing was added")


def _is_web_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://")) and len(url) <= 2000


def _prepare(case: Case, actor: Actor, source_id: int | None) -> None:
    case.require(actor, access.EVIDENCE_ADD, "add evidence")
    if source_id is not None:
        with case.act(actor, write=False) as ctx:
            ctx.get(Source, source_id, "source")
    else:
        case.require(actor, access.RECORD_WRITE, "add sources")


def add_capture(
    case: Case,
    user: str | Actor | None,
    path: str | os.PathLike[str],
    *,
    source_id: int | None = None,
    sensitive: bool = False,
    notes: str | None = None,
    graphic: bool = False,
) -> dict[str, Any]:
    """Import one web capture. Returns ``{"evidence": item, "capture": summary,
    "sources": [...], "media": [...], "texts": [...]}``. *graphic*: the capture and the
    media inside it are shown blurred until the viewer chooses (as any graphic upload)."""
    from dalil.sources.webcapture import read_capture

    actor = user if isinstance(user, Actor) else case.actor(user)
    p = evidence.check_file(path)
    _prepare(case, actor, source_id)
    cap = read_capture(p)
    mtime = datetime.fromtimestamp(p.stat().st_mtime, UTC).isoformat(timespec="seconds")
    put = case.blobs.put_path(p)
    return _record(
        case, actor, cap, put, evidence.sanitise_name(p.name), source_id, sensitive, notes,
        {"file_modified": mtime}, graphic=graphic,
    )  # fmt: skip


#: Largest capture accepted through a stream (a web upload): it is checked in memory,
#: decrypted back from the vault, never as a plaintext temporary file.
MAX_STREAM_CAPTURE = 256 * 1024 * 1024


def store_capture_stream(
    case: Case,
    user: str | Actor | None,
    stream: BinaryIO,
    *,
    name: str,
    source_id: int | None = None,
) -> PutResult:
    """The part of a web capture's upload done inside the request: the permission and
    the source checked, the stream hashed and encrypted into the vault as it arrives, its
    size checked (up to :data:`MAX_STREAM_CAPTURE`), and refused when the same capture is
    already held. Nothing is recorded: :func:`record_stored_capture` checks and records it
    (a ``capture`` job). A refused or abandoned upload leaves an unreferenced blob only."""
    actor = user if isinstance(user, Actor) else case.actor(user)
    clean = evidence.sanitise_name(name)
    _prepare(case, actor, source_id)
    put = case.blobs.put(stream)
    if put.size > MAX_STREAM_CAPTURE:
        raise InputError(
            Message(
                N_(
                    "%(file)s: too large to check in an upload (%(size)s bytes; the limit is "
                    "%(max)s); add it with dalil evidence add"
                ),
                file=clean,
                size=str(put.size),
                max=str(MAX_STREAM_CAPTURE),
            )
        )
    with case.act(actor, write=False) as ctx:
        held = ctx.session.scalar(select(EvidenceItem.id).where(EvidenceItem.sha256 == put.sha256))
    if held is not None:
        raise InputError(Message(_HELD, file=clean, item=str(held)))
    return put


def record_stored_capture(
    case: Case,
    user: str | Actor | None,
    sha256: str,
    *,
    name: str,
    source_id: int | None = None,
    sensitive: bool = False,
    notes: str | None = None,
    capture: dict[str, Any] | None = None,
    job: int | None = None,
    graphic: bool = False,
) -> dict[str, Any]:
    """Check and record a web capture already stored in the vault by
    :func:`store_capture_stream`: read back into memory (decrypted, never a plaintext
    file), checked completely, then recorded as :func:`add_capture` does. ``job`` (the
    ``capture`` job's number) is kept in the item's capture metadata, so that a job
    retried after its worker died past the commit returns what it recorded instead of
    refusing its own capture as already held."""
    from dalil.sources.webcapture import read_capture_bytes

    actor = user if isinstance(user, Actor) else case.actor(user)
    clean = evidence.sanitise_name(name)
    _prepare(case, actor, source_id)
    meta = {**(capture or {}), **({"job": job} if job is not None else {})}
    if job is not None:
        with case.act(actor, write=False) as ctx:
            item = ctx.session.scalar(select(EvidenceItem).where(EvidenceItem.sha256 == sha256))
            if item is not None and (item.capture or {}).get("job") == job:
                return {
                    "evidence": evidence.item_dict(ctx, item),
                    "capture": (item.capture or {}).get("web_capture"),
                    "recorded_before": True,
                }
    if not case.blobs.exists(sha256):
        raise NotFound(
            Message(N_("%(file)s: the uploaded capture is no longer in the vault"), file=clean)
        )
    data = b"".join(case.blobs.open(sha256))
    put = PutResult(sha256=sha256, size=len(data), stored_new=False)
    cap = read_capture_bytes(clean, data)
    del data
    return _record(case, actor, cap, put, clean, source_id, sensitive, notes, meta, graphic=graphic)


def _record(
    case: Case,
    actor: Actor,
    cap: Capture,
    put: PutResult,
    name: str,
    source_id: int | None,
    sensitive: bool,
    notes: str | None,
    meta: dict[str, Any],
    *,
    graphic: bool = False,
) -> dict[str, Any]:
    summary = cap.summary()
    media_puts = [(m, case.blobs.put(io.BytesIO(m.data))) for m in cap.media]
    text_puts = [
        (pg, case.blobs.put(io.BytesIO(pg.text.encode("utf-8")))) for pg in cap.pages if pg.text
    ]
    out: dict[str, Any] = {"capture": summary, "sources": [], "media": [], "texts": []}
    with case.act(actor) as ctx:
        page_source: dict[str, int] = {}
        if source_id is None:
            for pg in cap.pages:
                if pg.url in page_source:
                    continue
                fields: dict[str, Any] = {
                    "kind": "article",
                    "title": (pg.title or pg.url or name)[:500],
                    "notes": f"Web capture {name}, captured {pg.captured_at or 'at an unknown time'}.",
                }
                if _is_web_url(pg.url):
                    fields["url"] = pg.url
                src = records.add(ctx, "source", **fields)
                page_source[pg.url] = src.id
                out["sources"].append(src.to_dict())
        main_source = source_id if source_id is not None else next(iter(page_source.values()), None)
        res = evidence.record_blob(
            ctx,
            put,
            name=name,
            source_id=main_source,
            sensitive=sensitive,
            notes=notes,
            media_type="application/wacz" if cap.kind == "wacz" else "application/warc",
            capture={**meta, "web_capture": summary},
            graphic=graphic,
        )
        if not res.created:
            raise InputError(Message(_HELD, file=name, item=str(res.item.id)))
        cap_sha = put.sha256
        for m, mput in media_puts:
            r = evidence.record_blob(
                ctx,
                mput,
                name=evidence.sanitise_name(m.url.rsplit("/", 1)[-1] or "media"),
                source_id=main_source,
                copy_kind="working",
                derived_from=cap_sha,
                sensitive=sensitive,
                media_type=m.media_type,
                capture={"url": m.url, "captured_at": m.captured_at, "from_capture": cap_sha},
                graphic=graphic,  # the photos and videos of a graphic capture are too
            )
            out["media"].append(r.data)
        for pg, tput in text_puts:
            r = evidence.record_blob(
                ctx,
                tput,
                name=evidence.sanitise_name((pg.title or "page")[:150]) + ".txt",
                source_id=page_source.get(pg.url, main_source),
                copy_kind="working",
                derived_from=cap_sha,
                sensitive=sensitive,
                media_type="text/plain; charset=utf-8",
                capture={
                    "url": pg.url,
                    "captured_at": pg.captured_at,
                    "extracted_from": cap_sha,
                    "extracted_media_type": "text/html",
                },
            )
            out["texts"].append(r.data)
        out["evidence"] = evidence.item_dict(ctx, res.item)
    return out
