"""Sources on a case: add (from a file or an upload stream), read, compare, graph.

**Adding.** With a file, the file is stored (blob first) as an evidentiary EvidenceItem
linked to the new Source, in one transaction with the Source itself. Then, if text can
be extracted (:func:`dalil.sources.text.extract_text`), the text is kept as a *working
copy* item ``derived_from`` the original. A web upload gives the same result without a
file on disk: the stream is hashed and encrypted into the vault as it is read (no
plaintext temporary file); up to :data:`dalil.sources.text.MAX_BYTES` of it are kept in
memory so that its text can be extracted afterwards; a larger file is stored but gets no
working copy (``text_error`` says why). Permissions and field values are checked before
anything is stored.

**Reading and comparing.** Everything goes through a :class:`dalil.core.context.Context`
(permissions and audit in one place). A source's text is its working copy (text
extracted by ``source add``) or, failing that, its evidentiary original extracted again.
Reading it is evidence content: it needs ``evidence.read`` (``evidence.read_sensitive``
for sensitive items) and is logged as ``evidence.read``. The comparison is logged as
``sources.compare`` and the graph as ``sources.graph`` — with ids and counts only, never
any document text.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import select

from dalil.core import access
from dalil.core.access import Actor
from dalil.display.messages import N_, Message
from dalil.errors import InputError, NotFound, PermissionDenied
from dalil.services import evidence, records
from dalil.sources.compare import Document, analyse, compare
from dalil.sources.text import MAX_BYTES, extract_bytes

if TYPE_CHECKING:
    from dalil.core.case import Case
    from dalil.core.context import Context

_ID = re.compile(r"^(?:source:)?(\d{1,18})$")


def parse_source_ref(ref: str) -> int | None:
    """``7`` or ``source:7`` → 7; anything else → None."""
    m = _ID.match(ref.strip())
    return int(m.group(1)) if m else None


def typed_day(value: str) -> str | None:
    """A day typed as people write it (``8 March 2025``, ``٨ آذار ٢٠٢٥``, ``2025/03/08``
    …) as ``YYYY-MM-DD``; None when blank. A date that is not a day (``March 2025``)
    raises InputError with ``code="not_a_day"``; one that is no date, ``invalid_date``."""
    from dalil.model.fields import parse_partial_date

    if not value.strip():
        return None
    pd = parse_partial_date(value)
    if pd.precision != "day":
        raise InputError(f"{value!r} is a {pd.precision}: a day is needed", code="not_a_day")
    return pd.text


def _published(value: str | None) -> date | None:
    if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _readable_items(ctx: Context, source_id: int) -> list[Any]:
    from dalil.model.evidence import EvidenceItem

    items = list(
        ctx.session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.source_id == source_id)
            .order_by(EvidenceItem.id)
        )
    )

    # Working text copies first, then other text, then originals.
    def rank(it: Any) -> tuple[int, int]:
        text = (it.media_type or "").startswith("text/plain")
        return (0 if it.copy_kind == "working" and text else 1 if text else 2, it.id)

    return sorted(items, key=rank)


def source_text(ctx: Context, source_id: int, *, reason: str) -> tuple[str, Any]:
    """The extracted text of a stored source and its record (audited as an evidence read).

    Raises NotFound for an unknown id, PermissionDenied when the user may not read its
    evidence, InputError when it has no file or no readable text.
    """
    from dalil.core.context import oid
    from dalil.model.source import Source

    ctx.require(access.CASE_READ, "read sources")
    src = ctx.session.get(Source, source_id)
    if src is None:
        raise NotFound(f"no source with id {source_id}")
    items = _readable_items(ctx, source_id)
    if not items:
        raise InputError(f"source {source_id} has no file: add the source's document first")
    ctx.require(access.EVIDENCE_READ, "read source texts")
    allowed = [it for it in items if not it.sensitive or ctx.can(access.EVIDENCE_READ_SENSITIVE)]
    if not allowed:
        raise PermissionDenied(
            f"user {ctx.actor.name!r} (role {ctx.actor.role}) may not read the sensitive "
            f"evidence of source {source_id}"
        )
    last_error: str | None = None
    for it in allowed:
        if it.size > MAX_BYTES:
            last_error = f"source {source_id}: evidence {it.sha256[:12]} is too large"
            continue
        data = b"".join(ctx.case.blobs.open(it.sha256))
        name = it.original_name or f"source-{source_id}"
        try:
            ex = extract_bytes(data, name)
        except InputError as e:
            last_error = str(e)
            continue
        ctx.audit(
            "evidence.read",
            [oid("evidence", it.sha256), oid("source", source_id)],
            detail={"reason": reason, "sha256": it.sha256, "size": it.size},
        )
        return ex.text, src
    raise InputError(last_error or f"source {source_id} has no readable text")


def source_document(ctx: Context, source_id: int, *, reason: str) -> Document:
    """The analysed text of a stored source (see :func:`source_text`)."""
    text, src = source_text(ctx, source_id, reason=reason)
    return analyse(
        text,
        id=f"source:{source_id}",
        title=src.title,
        doc_date=_published(src.published),
        author=src.publisher or None,
    )


def compare_sources(
    ctx: Context,
    earlier: int | Document,
    later: int | Document,
    *,
    source_ids: Sequence[int] = (),
) -> dict[str, Any]:
    """Compare two sources, each a stored source id or an already analysed document
    (a file, or a source loaded with :func:`source_document` — name those in
    *source_ids* so the audit entry lists them); the comparison result of docs/sources.md ("Compare")."""
    from dalil.core.context import oid

    ids = [x for x in (earlier, later) if isinstance(x, int)] + list(source_ids)
    a = (
        source_document(ctx, earlier, reason="sources.compare")
        if isinstance(earlier, int)
        else earlier
    )
    b = source_document(ctx, later, reason="sources.compare") if isinstance(later, int) else later
    result = compare(a, b)
    ctx.audit(
        "sources.compare",
        [oid("source", i) for i in ids],
        detail={
            "direction": result["direction"],
            "containment": result["reuse"]["containment"],
            "quotes": len(result["quotes"]),
            "additions": len(result["additions"]),
            "omissions": len(result["omissions"]),
            "files": 2 - len(ids),
        },
    )
    return result


def graph_sources(
    ctx: Context, *, threshold: float = 0.1, claims: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Derivation graph over every source of the case with readable text.

    Sources without a file, or whose files this user may not read, are listed under
    ``stats.skipped`` with the reason, not silently dropped.
    """
    from dalil.core.context import oid
    from dalil.model.source import Source
    from dalil.sources.graph import GraphDoc, build_graph, independent_groups

    ctx.require(access.CASE_READ, "read sources")
    ctx.require(access.EVIDENCE_READ, "read source texts")
    docs: list[GraphDoc] = []
    skipped: list[dict[str, Any]] = []
    for sid in ctx.session.scalars(select(Source.id).order_by(Source.id)):
        try:
            text, rec = source_text(ctx, sid, reason="sources.graph")
        except (InputError, PermissionDenied) as e:
            skipped.append({"id": f"source:{sid}", "reason": str(e)})
            continue
        docs.append(GraphDoc(f"source:{sid}", text, rec.title, _published(rec.published)))
    g = build_graph(docs, threshold=threshold)
    out = g.to_dict()
    out["stats"]["skipped"] = skipped
    if claims:
        texts = {d.id: d.text for d in docs}
        out["claims"] = [
            {"claim": c, "independent_groups": independent_groups(g, c, texts)} for c in claims
        ]
    ctx.audit(
        "sources.graph",
        [oid("source", d.id.split(":", 1)[1]) for d in docs],
        detail={"documents": len(docs), "edges": len(g.edges), "skipped": len(skipped)},
    )
    return out


def _extract_file(path: os.PathLike[str] | str) -> tuple[str | None, str | None, str | None]:
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


def _held_as_source(
    ctx: Context, put: Any, *, name: str, sensitive: bool, capture: dict[str, Any]
) -> dict[str, Any] | None:
    """When the uploaded file is already held as a source's document: that source and
    its evidence item, with ``already_held: "source"`` (no second source is created; the
    upload is logged as evidence already held, and marks it sensitive if asked)."""
    from dalil.model.evidence import EvidenceItem
    from dalil.model.source import Source

    held = ctx.session.scalar(select(EvidenceItem).where(EvidenceItem.sha256 == put.sha256))
    if held is None or held.source_id is None:
        return None
    res = evidence.record_blob(
        ctx, put, name=name, source_id=held.source_id, sensitive=sensitive, capture=capture
    )
    src = ctx.get(Source, held.source_id, "source")
    return {
        "source": src.to_dict(),
        "evidence": evidence.item_dict(ctx, res.item),
        "text": None,
        "text_error": None,
        "already_held": "source",
    }


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
        held = _held_as_source(
            ctx, put, name=name, sensitive=sensitive, capture={"file_modified": mtime}
        )
        if held is not None:
            return held
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
        text, media, why = _extract_file(p)
        keep_working_text(
            case, actor, out, text, media, why,
            original_sha256=put.sha256, name=name, source_id=src_id, sensitive=sensitive,
        )  # fmt: skip
    _after_ingest(case, actor, res, out, ocr=extract)
    return out


def _after_ingest(
    case: Case, actor: Actor, res: evidence.AddResult, out: dict[str, Any], *, ocr: bool
) -> None:
    """Media analysis of the source's file and, when no text could be extracted from a
    PDF or an image, OCR queued (``out["ocr_job"]``: its text becomes the source's)."""
    evidence.after_ingest(case, actor, res, ocr=ocr and not out["text"])
    if "ocr_job" in res.data:
        out["ocr_job"] = res.data["ocr_job"]
    if "media_error" in res.data:
        out["media_error"] = res.data["media_error"]


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
        out["text_error"] = why  # its English words; a Message keeps its id (see _text_error)


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


def _extract_upload(data: bytes, name: str) -> tuple[str | None, str | None, str | None]:
    """(text, media type, why not); never raises for a hostile or broken document."""
    try:
        from dalil.sources.text import extract_bytes
    except ImportError:
        return None, None, "text extraction unavailable (dalil.sources.text missing)"
    try:
        ext = extract_bytes(data, name)
    except InputError as e:
        return None, None, e.words if isinstance(e.words, Message) else str(e)
    except Exception as e:
        return (
            None,
            None,
            Message(
                N_("text extraction failed (%(fault)s); the file is kept as is"),
                fault=type(e).__name__,
            ),
        )
    return ext.text, ext.media_type, None


def _too_large_for_text(name: str, limit: int) -> Message:
    return Message(
        N_(
            "%(file)s: too large to extract text from here (over %(max)s bytes); the file "
            "is kept as is"
        ),
        file=name,
        max=str(limit),
    )


def _text_error(out: dict[str, Any], why: str | None) -> None:
    """``text_error`` (English words) and, when *why* is a message id, ``text_error_message``
    (``{id, params}``: the job's page puts it in the reader's language)."""
    out["text_error"] = str(why) if why is not None else None
    if isinstance(why, Message):
        out["text_error_message"] = {"id": why.msgid, "params": why.to_json()["p"]}


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
    text_job: bool = False,
    **fields: Any,
) -> dict[str, Any]:
    """Create a Source whose document is read from *stream*. Returns the same summary as
    ``add_source``: ``{"source", "evidence", "text", "text_error"}``.

    *text_job* (a web or API upload): the text is not extracted here but by a
    ``source_text`` job reading the stored original (:func:`queue_text_job`); its id is
    ``out["text_job"]`` and ``text`` stays None until it has run."""
    from dalil.sources.text import MAX_BYTES

    actor = user if isinstance(user, Actor) else case.actor(user)
    case.require(actor, access.RECORD_WRITE, "add sources")
    case.require(actor, access.EVIDENCE_ADD, "add evidence")
    with case.act(actor, write=False) as ctx:  # validate the fields before storing anything
        records.validate(ctx, "source", **fields)
    clean = evidence.sanitise_name(name)
    tee = _Tee(stream, 0 if text_job or not extract else MAX_BYTES)
    put = case.blobs.put(tee, progress=progress)  # type: ignore[arg-type]
    out: dict[str, Any] = {"source": None, "evidence": None, "text": None, "text_error": None}
    with case.act(actor) as ctx:
        held = _held_as_source(
            ctx, put, name=clean, sensitive=sensitive, capture=dict(capture or {})
        )
        if held is not None:
            return held
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
        _after_ingest(case, actor, res, out, ocr=False)
        return out
    if text_job and put.size <= MAX_BYTES:
        _after_ingest(case, actor, res, out, ocr=False)  # OCR, if needed, after the text job
        out["text_job"] = queue_text_job(
            case, actor, src_id, original_sha256=put.sha256, name=clean, sensitive=sensitive
        )
        return out
    if tee.overflow or put.size > MAX_BYTES:
        out["text_error"] = str(_too_large_for_text(clean, MAX_BYTES))
        _after_ingest(case, actor, res, out, ocr=False)
        return out
    data, tee.kept = bytes(tee.kept), bytearray()
    text, media, why = _extract_upload(data, clean)
    del data
    keep_working_text(
        case, actor, out, text, media, why,
        original_sha256=put.sha256, name=clean, source_id=src_id, sensitive=sensitive,
    )  # fmt: skip
    _after_ingest(case, actor, res, out, ocr=True)
    return out


# ------------------------------------------------------------------ text extraction job

#: Kind of the job that extracts a stored source document's text (see :func:`text_job`).
TEXT_JOB = "source_text"


def _text_lock(source_id: int) -> str:
    # In clear in the jobs table: the source's id only, so its page can find the job.
    return f"source-text:{int(source_id)}"


def queue_text_job(
    case: Case,
    actor: Actor,
    source_id: int,
    *,
    original_sha256: str,
    name: str,
    sensitive: bool,
) -> int:
    """Queue the ``source_text`` job extracting the text of source *source_id*'s stored
    document (checked as ``job.submit``); returns its id. One such job per source runs
    at a time."""
    from dalil.services import jobs

    params = {
        "source": int(source_id),
        "sha256": original_sha256,
        "name": name,
        "sensitive": bool(sensitive),
    }
    with case.act(actor) as ctx:
        row = jobs.submit(ctx, TEXT_JOB, params, lock_key=_text_lock(source_id))
    return int(row["id"])


def text_job(ctx: Context, source_id: int) -> dict[str, Any] | None:
    """The newest text-extraction job of source *source_id* (``id``, ``state``,
    ``error``), or None when its text was never extracted by a job."""
    from dalil.model.job import Job

    ctx.require(access.CASE_READ, "read sources")
    row = ctx.session.execute(
        select(Job.id, Job.state, Job.error)
        .where(Job.kind == TEXT_JOB, Job.lock_key == _text_lock(source_id))
        .order_by(Job.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"id": int(row[0]), "state": str(row[1]), "error": row[2]}


def extract_stored_text(
    case: Case,
    user: str | Actor | None,
    source_id: int,
    *,
    original_sha256: str,
    name: str,
    sensitive: bool,
) -> dict[str, Any]:
    """Extract the text of source *source_id*'s stored document *original_sha256* and
    keep it as a working copy (as an upload did before); when none could be extracted
    from a PDF or an image, queue OCR. Returns ``{"source", "text" (the working copy's
    SHA-256 or None), "text_error", "ocr_job"?}``. Run twice, it finds the working copy
    already held and stores nothing new."""
    from dalil.model.evidence import EvidenceItem
    from dalil.services import ocr as ocr_service

    actor = user if isinstance(user, Actor) else case.actor(user)
    case.require(actor, access.EVIDENCE_ADD, "add evidence")
    with case.act(actor, write=False) as ctx:
        item = ctx.session.scalar(
            select(EvidenceItem).where(
                EvidenceItem.sha256 == original_sha256, EvidenceItem.source_id == source_id
            )
        )
        if item is None:
            raise NotFound(
                Message(
                    N_("source %(source)s holds no document %(sha)s"),
                    source=str(source_id),
                    sha=original_sha256[:12],
                )
            )
        item_id, size, media_type = item.id, item.size, item.media_type
    out: dict[str, Any] = {"source": int(source_id), "text": None, "text_error": None}
    if size > MAX_BYTES:
        _text_error(out, _too_large_for_text(name, MAX_BYTES))
        return out
    data = b"".join(case.blobs.open(original_sha256))
    text, media, why = _extract_upload(data, name)
    del data
    kept: dict[str, Any] = {"text": None, "text_error": None}
    keep_working_text(
        case, actor, kept, text, media, why,
        original_sha256=original_sha256, name=name, source_id=source_id, sensitive=sensitive,
    )  # fmt: skip
    _text_error(out, kept["text_error"])
    if kept["text"]:
        out["text"] = kept["text"].get("sha256")
    elif ocr_service.needs_ocr(media_type):
        job = ocr_service.queue_at_ingest(case, actor, item_id)
        if job is not None:
            out["ocr_job"] = job
    return out
