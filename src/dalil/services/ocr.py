"""OCR of scanned documents and images, and corrected transcripts, as working copies.

The original stays untouched: OCR text is stored as a *working copy* derived from it
(``copy_kind="working"``, ``derived_from`` the original), with the engine, its version,
the languages, the resolution and each page's mean word confidence in the item's
capture record and in the ``evidence.ocr`` audit entry (so the custody ledger of the
original shows the OCR step). A person who corrects the transcript stores a new working
copy derived from the version they corrected (``evidence.transcript``): every version
is kept, with its author.

OCR is long work: :func:`run_ocr` takes a progress callback, and the ``ocr`` job kind
runs it from the durable job queue (``dalil evidence ocr ITEM --background``, or the web).
At ingest (``dalil evidence add``, ``dalil source add``, uploads) every new evidentiary
image and every PDF is queued for OCR by :func:`queue_at_ingest`: the job first checks
whether a PDF has a text layer (then nothing is stored), and an image in which Tesseract
finds no word stores no empty working copy.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from dalil.core import access
from dalil.core.access import Actor
from dalil.core.context import Context, oid
from dalil.display.messages import N_, Message
from dalil.errors import InputError
from dalil.model.evidence import EvidenceItem
from dalil.services import evidence, jobs

if TYPE_CHECKING:
    from dalil.core.case import Case

TEXT_TYPE = "text/plain; charset=utf-8"
#: Longest transcript accepted from a person, in characters.
MAX_TRANSCRIPT = 5_000_000


def _actor(case: Case, user: str | Actor | None) -> Actor:
    return user if isinstance(user, Actor) else case.actor(user)


def _head(case: Case, sha: str) -> bytes:
    for chunk in case.blobs.open(sha):
        return chunk[:4096]
    return b""


def media_type_of(case: Case, item: EvidenceItem) -> str:
    """The item's type from its content (falls back to the recorded type)."""
    from dalil.media.sniff import sniff

    return sniff(_head(case, item.sha256)) or (item.media_type or "")


def needs_ocr(media_type: str | None) -> bool:
    """Whether an item of *media_type* may hold text only OCR can read (a PDF, an image)."""
    from dalil.ocr.engine import IMAGE_TYPES, PDF_TYPE

    m = (media_type or "").split(";")[0].strip().lower()
    return m == PDF_TYPE or m in IMAGE_TYPES


def queue_at_ingest(
    case: Case, user: str | Actor | None, item_id: int, *, check_text_layer: bool = True
) -> int | None:
    """Queue the ``ocr`` job for a newly stored scanned PDF or image; returns the job id
    (``None`` when the user may not run OCR). With *check_text_layer* the job first
    looks for a PDF text layer and stops there when it finds one."""
    actor = _actor(case, user)
    if not (actor.can(access.EVIDENCE_ADD) and actor.can(access.EVIDENCE_READ)):
        return None
    params: dict[str, Any] = {"item": item_id, "auto": True}
    if check_text_layer:
        params["only_scanned"] = True
    with case.act(actor) as ctx:
        item = ctx.session.get(EvidenceItem, item_id)
        if item is None or (item.sensitive and not ctx.can(access.EVIDENCE_READ_SENSITIVE)):
            return None  # the uploader could not read what OCR would read
        return int(jobs.submit(ctx, "ocr", params)["id"])


def _has_text_layer(data: bytes) -> bool:
    from dalil.sources.text import extract_bytes

    try:
        return bool(extract_bytes(data, "document.pdf").text.strip())
    except InputError:
        return False
    except Exception:  # a broken PDF: let OCR try (it fails with its own message)
        return False


def run_ocr(
    case: Case,
    user: str | Actor | None,
    ref: str | int,
    *,
    languages: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    only_scanned: bool = False,
    skip_empty: bool = False,
) -> dict[str, Any]:
    """OCR evidence item *ref* (a PDF or an image) into a working copy; returns
    ``{"item": original, "text": the working copy, "ocr": engine/version/languages/
    per-page confidence}``. Needs the right to read the item and to add evidence.

    *only_scanned*: a PDF with a text layer is left alone; *skip_empty*: no working copy
    when no word was read. Either way the answer then has ``"text": None`` and
    ``"skipped"`` saying why."""
    from dalil.ocr.engine import DEFAULT_LANGUAGES, MAX_BYTES, check_languages, ocr_document

    actor = _actor(case, user)
    case.require(actor, access.EVIDENCE_ADD, "store OCR text")
    langs = check_languages(languages or DEFAULT_LANGUAGES)
    with case.act(actor, write=False) as ctx:
        item = evidence.resolve_item(ctx, ref)
        evidence.check_read(ctx, item)
        if item.copy_kind == "working" and item.derived_from_id is not None:
            raise InputError(
                Message(
                    N_("item %(id)s is a working copy: run OCR on its original"), id=str(item.id)
                )
            )
        if item.size > MAX_BYTES:
            raise InputError(
                Message(
                    N_("item %(id)s is too large for OCR (%(size)s bytes)"),
                    id=str(item.id),
                    size=str(item.size),
                )
            )
        sha, name, sensitive, source_id = (
            item.sha256,
            item.original_name,
            item.sensitive,
            item.source_id,
        )
        item_id = item.id
    media = media_type_of(case, item)
    data = b"".join(case.blobs.open(sha))
    summary = {"id": item_id, "sha256": sha, "media_type": media}
    if only_scanned and media == "application/pdf" and _has_text_layer(data):
        return {"item": summary, "text": None, "ocr": None,
                "skipped": Message(N_("the PDF has a text layer: no OCR needed"))}  # fmt: skip
    result = ocr_document(data, media, langs, progress=progress)
    del data
    custody = result.custody()
    if skip_empty and not any(p.words for p in result.pages):
        return {"item": summary, "text": None, "ocr": custody,
                "skipped": Message(N_("no text found by OCR"))}  # fmt: skip
    text = result.text
    put = case.blobs.put(io.BytesIO(text.encode("utf-8")))  # blob first, then the record
    stem = (name or f"item-{item_id}").rsplit(".", 1)[0]
    with case.act(actor) as ctx:
        res = evidence.record_blob(
            ctx, put, name=f"{stem}.ocr.txt", source_id=source_id, copy_kind="working",
            derived_from=sha, sensitive=sensitive, media_type=TEXT_TYPE,
            capture={"derived_by": "ocr", "ocr": custody, "transcript_of": sha, "version": 1},
        )  # fmt: skip
        ctx.audit(
            "evidence.ocr",
            [oid("evidence", sha), oid("evidence", put.sha256)],
            detail={"original": sha, "text": put.sha256, "media_type": media, **custody},
        )
        return {
            "item": summary,
            "text": evidence.item_dict(ctx, res.item),
            "ocr": custody,
        }


# ---------------------------------------------------------------------- transcripts


def _versions(ctx: Context, original: EvidenceItem) -> list[EvidenceItem]:
    """Text working copies of *original* (OCR and corrections), oldest first."""
    rows = list(
        ctx.session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.copy_kind == "working")
            .order_by(EvidenceItem.id)
        )
    )
    by_id = {r.id: r for r in rows}
    out = []
    for r in rows:
        cur: EvidenceItem | None = r
        seen = 0
        while cur is not None and cur.derived_from_id is not None and seen < 100:
            if cur.derived_from_id == original.id:
                break
            cur = by_id.get(cur.derived_from_id)
            seen += 1
        if (
            cur is not None
            and cur.derived_from_id == original.id
            and str(r.media_type or "").startswith("text/plain")
        ):
            out.append(r)
    return out


def _is_text(item: EvidenceItem) -> bool:
    return str(item.media_type or "").startswith("text/plain")


def has_transcript(ctx: Context, item: EvidenceItem) -> bool:
    """Whether item *item* has a text to read or correct (OCR, corrections, or is text)."""
    return _is_text(item) or bool(_versions(ctx, item))


def _original(ctx: Context, ref: str | int) -> EvidenceItem:
    item = evidence.resolve_item(ctx, ref)
    seen = 0
    while item.copy_kind == "working" and item.derived_from_id is not None and seen < 100:
        parent = ctx.session.get(EvidenceItem, item.derived_from_id)
        if parent is None:
            break
        item = parent
        seen += 1
    return item


def _transcript_versions(ctx: Context, ref: str | int) -> tuple[EvidenceItem, list[EvidenceItem]]:
    """The original of item *ref* (its read checked) and its transcript versions, oldest
    first; a typed text is its own version 1."""
    original = _original(ctx, ref)
    evidence.check_read(ctx, original)
    versions = _versions(ctx, original)
    if _is_text(original):
        versions = [original, *versions]
    return original, versions


def _version_dict(r: EvidenceItem, n: int) -> dict[str, Any]:
    cap = r.capture or {}
    return {
        "version": n,
        "id": r.id,
        "sha256": r.sha256,
        "author": r.added_by,
        "created_at": r.created_at.isoformat() if r.created_at else None,
        "kind": cap.get("derived_by") or ("original" if r.copy_kind == "evidentiary" else "text"),
        "confidence": (cap.get("ocr") or {}).get("mean_confidence"),
    }


def transcript(ctx: Context, ref: str | int, *, reason: str = "read transcript") -> dict[str, Any]:
    """The newest transcript of item *ref* and the list of its versions (reading it is
    logged as ``evidence.get``)."""
    ctx.require(access.CASE_READ, "read transcripts")
    original, versions = _transcript_versions(ctx, ref)
    if not versions:
        raise InputError(
            Message(
                N_("item %(id)s has no transcript yet: run dalil evidence ocr"), id=str(original.id)
            )
        )
    latest = versions[-1]
    ctx.audit(
        "evidence.get",
        [oid("evidence", latest.sha256)],
        detail={"sha256": latest.sha256, "size": latest.size, "reason": reason[:500]},
    )
    text = b"".join(ctx.case.blobs.open(latest.sha256)).decode("utf-8", "replace")
    return {
        "item": {"id": original.id, "sha256": original.sha256},
        "text": text,
        "versions": [_version_dict(v, i + 1) for i, v in enumerate(versions)],
    }


def correct_transcript(
    case: Case, user: str | Actor | None, ref: str | int, text: str, *, note: str | None = None
) -> dict[str, Any]:
    """Store *text* as the new version of item *ref*'s transcript (derived from the
    newest version; the author is the acting user)."""
    actor = _actor(case, user)
    case.require(actor, access.EVIDENCE_ADD, "correct a transcript")
    if not isinstance(text, str) or not text.strip():
        raise InputError("the corrected transcript is empty")
    if len(text) > MAX_TRANSCRIPT:
        raise InputError(
            Message(
                N_("the transcript is too long (over %(max)s characters)"),
                max=str(MAX_TRANSCRIPT),
            )
        )
    with case.act(actor, write=False) as ctx:
        original, versions = _transcript_versions(ctx, ref)
        if not versions:
            raise InputError(
                Message(
                    N_("item %(id)s has no transcript to correct: run OCR first"),
                    id=str(original.id),
                )
            )
        prev = versions[-1]
        prev_sha, n = prev.sha256, len(versions)
        orig_sha, orig_id = original.sha256, original.id
        sensitive, source_id, name = original.sensitive, original.source_id, original.original_name
    body = text.replace("\r\n", "\n")
    if not body.endswith("\n"):
        body += "\n"
    put = case.blobs.put(io.BytesIO(body.encode("utf-8")))
    stem = (name or f"item-{orig_id}").rsplit(".", 1)[0]
    with case.act(actor) as ctx:
        if put.sha256 == prev_sha:
            raise InputError("the transcript is unchanged: nothing to store")
        res = evidence.record_blob(
            ctx, put, name=f"{stem}.transcript-v{n + 1}.txt", source_id=source_id,
            copy_kind="working", derived_from=prev_sha, sensitive=sensitive,
            media_type=TEXT_TYPE, notes=note,
            capture={"derived_by": "correction", "transcript_of": orig_sha,
                     "corrected_from": prev_sha, "version": n + 1},
        )  # fmt: skip
        ctx.audit(
            "evidence.transcript",
            [oid("evidence", orig_sha), oid("evidence", prev_sha), oid("evidence", put.sha256)],
            detail={"original": orig_sha, "from": prev_sha, "to": put.sha256, "version": n + 1},
        )
        return {"item": {"id": orig_id, "sha256": orig_sha}, "version": n + 1,
                "text": evidence.item_dict(ctx, res.item)}  # fmt: skip


# ----------------------------------------------------------------------------- job


@jobs.job_kind("ocr", permission=access.EVIDENCE_ADD, title="OCR")
def ocr_job(
    job: jobs.JobContext, params: dict[str, Any], progress: jobs.Progress
) -> dict[str, Any]:
    """OCR one evidence item (``params``: ``item``, optional ``languages``; ``auto`` and
    ``only_scanned`` when queued at ingest). Storing the same text twice finds it already
    held, so a retried job gives the same outcome."""
    item = params.get("item")
    if item is None:
        raise InputError(Message(N_("an OCR job needs the item to read")))

    def each(done: int, total: int) -> None:
        progress(
            N_("read page %(done)s of %(total)s"),
            fraction=done / total if total else 1.0,
            done=done,
            total=total,
        )

    auto = bool(params.get("auto"))
    progress(N_("reading the document"))
    out = run_ocr(
        job.case, job.owner, str(item), languages=params.get("languages"), progress=each,
        only_scanned=bool(params.get("only_scanned")), skip_empty=auto,
    )  # fmt: skip
    if out["text"] is None:
        skipped = out["skipped"]
        progress(skipped if isinstance(skipped, Message) else Message(str(skipped)), fraction=1.0)
        return {"item": out["item"], "text": None, "ocr": out["ocr"], "skipped": out["skipped"]}
    return {"item": out["item"], "text": out["text"]["sha256"], "ocr": out["ocr"]}


def submit_ocr(ctx: Context, ref: str | int, *, languages: str | None = None) -> dict[str, Any]:
    """Queue an OCR job for item *ref* (checked and logged as ``job.submit``)."""
    item = evidence.resolve_item(ctx, ref)
    evidence.check_read(ctx, item)
    if item.copy_kind == "working" and item.derived_from_id is not None:
        raise InputError(
            Message(N_("item %(id)s is a working copy: run OCR on its original"), id=str(item.id))
        )
    if not needs_ocr(item.media_type):
        raise InputError(
            Message(
                N_("OCR reads PDFs and images; item %(id)s is %(media_type)s"),
                id=str(item.id),
                media_type=str(item.media_type),
            )
        )
    params: dict[str, Any] = {"item": item.id}
    if languages:
        params["languages"] = languages
    return dict(jobs.submit(ctx, "ocr", params))
