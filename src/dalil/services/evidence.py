"""Evidence: ingest files into the vault, read them back (logged), check fixity, custody.

Ingest order (crash safety): the blob is written first (temp file + atomic rename, by
:class:`dalil.vault.blobs.BlobStore`), *outside* any database transaction, then the
record and its audit entry are written in one short transaction. A process killed in
between leaves at most an unreferenced blob, which ``fixity`` reports as harmless; it
never leaves a record without its blob. Long reads (``get``, ``fixity``) likewise run
outside write transactions so other writers are not blocked; the read is logged first.

Object ids in the audit log: ``evidence:<sha256>``. The custody ledger of an item is
the audit entries naming it (:func:`custody`).
"""

from __future__ import annotations

import mimetypes
import os
import stat
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import func, select

from dalil.core import access
from dalil.core.access import Actor
from dalil.core.context import Context, oid
from dalil.display.messages import N_, Message
from dalil.errors import InputError, NotFound
from dalil.model.common import utcnow
from dalil.model.evidence import COPY_KINDS as COPY_KINDS
from dalil.model.evidence import EvidenceItem
from dalil.model.fields import check_choice, check_text
from dalil.model.source import Source

if TYPE_CHECKING:
    from dalil.core.case import Case
    from dalil.vault.blobs import PutResult

_HEX = set("0123456789abcdef")


def sanitise_name(name: str) -> str:
    """A display name for a received file: the last path component only, no control
    characters, no leading dots, at most 200 characters and 200 UTF-8 bytes (file
    systems allow 255 bytes in a name: 154 Arabic letters are 305 bytes), cut in the stem
    so the extension stays. ``../../x`` → ``x``."""
    n = unicodedata.normalize("NFC", str(name)).replace("\\", "/")
    n = n.rstrip("/").rsplit("/", 1)[-1]
    n = "".join(c for c in n if unicodedata.category(c)[0] != "C")
    n = n.strip().lstrip(".").strip()
    if len(n) > 200:
        stem, dot, ext = n.rpartition(".")
        n = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) < 16 else n[:200]
    if len(n.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, ext = n.rpartition(".")
        if not (dot and stem and len((dot + ext).encode("utf-8")) < 32):
            stem, dot, ext = n, "", ""
        room = MAX_NAME_BYTES - len((dot + ext).encode("utf-8"))
        cut = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip()
        n = cut + dot + ext
    return n or "unnamed"


#: Longest file name written anywhere (bytes of UTF-8), under the usual 255-byte limit
#: with room for the suffix of a file being written (``.…part``).
MAX_NAME_BYTES = 200


def is_sha256(text: str) -> bool:
    return len(text) == 64 and set(text) <= _HEX


def check_file(path: str | os.PathLike[str]) -> Path:
    """Refuse symlinks, folders and special files before anything is stored."""
    p = Path(path)
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        raise InputError(f"no such file: {sanitise_name(str(p))}") from None
    except OSError as e:
        raise InputError(f"cannot read {sanitise_name(str(p))}: {e.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        raise InputError(f"refusing symbolic link: {sanitise_name(str(p))}")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"not a regular file: {sanitise_name(str(p))}")
    return p


def resolve_item(ctx: Context, ref: str | int) -> EvidenceItem:
    """An item by id, full SHA-256 or unique SHA-256 prefix (at least 8 hex digits)."""
    s = str(ref).strip().lower()
    if s.isdigit() and len(s) < 12:
        row = ctx.session.get(EvidenceItem, int(s))
        if row is None:
            raise NotFound(Message(N_("no evidence item with id %(ref)s"), ref=str(s)))
        return row
    if len(s) < 8 or not set(s) <= _HEX:
        raise InputError(
            Message(N_("not an evidence id or SHA-256: %(value)s"), value=repr(str(ref)[:80]))
        )
    if is_sha256(s):
        row = ctx.session.scalar(select(EvidenceItem).where(EvidenceItem.sha256 == s))
        if row is None:
            raise NotFound(Message(N_("no evidence item with sha256 %(ref)s"), ref=str(s)))
        return row
    rows = list(ctx.session.scalars(select(EvidenceItem).where(EvidenceItem.sha256.startswith(s))))
    if not rows:
        raise NotFound(Message(N_("no evidence item with sha256 starting %(ref)s"), ref=str(s)))
    if len(rows) > 1:
        raise InputError(
            Message(
                N_("sha256 prefix %(ref)s is ambiguous (%(count)s items)"),
                ref=str(s),
                count=str(len(rows)),
            )
        )
    return rows[0]


def item_dict(ctx: Context, item: EvidenceItem) -> dict[str, Any]:
    """Metadata of *item*; a sensitive item's original name only for permitted users."""
    d = item.to_dict()
    derived = ctx.session.get(EvidenceItem, item.derived_from_id) if item.derived_from_id else None
    d["derived_from"] = derived.sha256 if derived is not None else None
    if item.sensitive and not ctx.can(access.EVIDENCE_READ_SENSITIVE):
        d["original_name"] = None
        d["capture"] = {}
    return d


def label(ident: int, name: str | None, sensitive: bool, *, may_read_sensitive: bool) -> str:
    """How a page names an item: its file name; a sensitive item, for a reader who may
    not read sensitive items (``evidence.read_sensitive``), "withheld item N" (nothing of
    its name); an item without a name by its number. Never a hash. Words are a
    :class:`Message`, put into the reader's language where they are shown."""
    if sensitive and not may_read_sensitive:
        return Message(N_("withheld item %(id)s"), id=str(ident))
    return name or Message(N_("evidence item %(id)s"), id=str(ident))


@dataclass
class AddResult:
    item: EvidenceItem
    stored_new: bool  # the blob was new in the vault
    created: bool  # a new record (False: the same content was already held)
    data: dict[str, Any] = field(default_factory=dict)


def add_files(
    case: Case,
    user: str | Actor | None,
    paths: Sequence[str | os.PathLike[str]],
    *,
    source_id: int | None = None,
    copy_kind: str = "evidentiary",
    derived_from: str | None = None,
    sensitive: bool = False,
    notes: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    ocr: bool = True,
    graphic: bool = False,
) -> list[AddResult]:
    """Ingest *paths* (each: blob first, then record + audit in one transaction), then
    :func:`after_ingest` (media analysis; with *ocr*, OCR of scans and images queued)."""
    actor = user if isinstance(user, Actor) else case.actor(user)
    case.require(actor, access.EVIDENCE_ADD, "add evidence")
    copy_kind = check_choice(copy_kind, COPY_KINDS, "copy kind")
    files = [check_file(p) for p in paths]
    if not files:
        raise InputError("no files given")
    with case.act(actor, write=False) as ctx:  # validate references before storing anything
        if source_id is not None:
            ctx.get(Source, source_id, "source")
        if derived_from is not None:
            resolve_item(ctx, derived_from)
    results = []
    for p in files:
        size = os.stat(p).st_size
        name = sanitise_name(p.name)
        cb = (lambda n, _name=name, _size=size: progress(_name, n, _size)) if progress else None
        put = case.blobs.put_path(p, progress=cb)
        mtime = datetime.fromtimestamp(os.stat(p).st_mtime, UTC).isoformat(timespec="seconds")
        with case.act(actor) as ctx:
            results.append(
                record_blob(
                    ctx,
                    put,
                    name=name,
                    source_id=source_id,
                    copy_kind=copy_kind,
                    derived_from=derived_from,
                    sensitive=sensitive,
                    notes=notes,
                    capture={"file_modified": mtime},
                    graphic=graphic,
                )
            )
    for r in results:
        after_ingest(case, actor, r, ocr=ocr)
    return results


def after_ingest(
    case: Case, actor: Actor, res: AddResult, *, ocr: bool = True, media_job: bool = False
) -> None:
    """What follows the ingest of a new evidentiary item: metadata, keyframes and
    perceptual hash of a photo, audio or video (:mod:`dalil.services.media`; a file that
    cannot be read keeps the item as stored and says why in ``res.data["media_error"]``;
    with *media_job*, queued as a ``media`` job instead, its id in
    ``res.data["media_job"]``), and, with *ocr*, an OCR job queued for a PDF or an image
    (its id in ``res.data["ocr_job"]``; the job leaves a PDF with a text layer alone)."""
    if not res.created or res.item.copy_kind != "evidentiary":
        return
    from dalil.services import media
    from dalil.services import ocr as ocr_service

    if media.is_media(res.item.media_type) and media_job:
        queued = media.queue_at_ingest(case, actor, res.item.id)
        if queued is not None:
            res.data["media_job"] = queued
    elif media.is_media(res.item.media_type):
        why = media.analyse_quietly(case, actor, res.item.id)
        if why:
            res.data["media_error"] = why
    if ocr and ocr_service.needs_ocr(res.item.media_type):
        job = ocr_service.queue_at_ingest(case, actor, res.item.id)
        if job is not None:
            res.data["ocr_job"] = job


def add_bytes(ctx_case: Case, actor: Actor, data: bytes, **kw: Any) -> AddResult:
    """Store *data* (e.g. extracted text) as an item; same rules as :func:`add_files`."""
    import io

    ctx_case.require(actor, access.EVIDENCE_ADD, "add evidence")
    put = ctx_case.blobs.put(io.BytesIO(data))
    with ctx_case.act(actor) as ctx:
        return record_blob(ctx, put, **kw)


def add_stream(
    case: Case,
    user: str | Actor | None,
    stream: BinaryIO,
    *,
    name: str,
    source_id: int | None = None,
    copy_kind: str = "evidentiary",
    derived_from: str | None = None,
    sensitive: bool = False,
    notes: str | None = None,
    media_type: str | None = None,
    capture: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    ocr: bool = True,
    media_job: bool = False,
    graphic: bool = False,
) -> AddResult:
    """Ingest one item from a binary file object (an upload, a pipe): ``read(n)`` is
    called until it returns ``b""``. The content is hashed and encrypted as it is read;
    no plaintext temporary file is written. Same order and rules as :func:`add_files`:
    permission and references checked before anything is stored, blob first, then record
    + ``evidence.add`` audit entry in one transaction. *media_job*: analyse a photo, audio
    or video in a ``media`` job rather than before returning (see :func:`after_ingest`)."""
    actor = user if isinstance(user, Actor) else case.actor(user)
    case.require(actor, access.EVIDENCE_ADD, "add evidence")
    copy_kind = check_choice(copy_kind, COPY_KINDS, "copy kind")
    clean = sanitise_name(name)
    with case.act(actor, write=False) as ctx:  # validate references before storing anything
        if source_id is not None:
            ctx.get(Source, source_id, "source")
        if derived_from is not None:
            resolve_item(ctx, derived_from)
    put = case.blobs.put(stream, progress=progress)
    with case.act(actor) as ctx:
        res = record_blob(
            ctx,
            put,
            name=clean,
            source_id=source_id,
            copy_kind=copy_kind,
            derived_from=derived_from,
            sensitive=sensitive,
            notes=notes,
            media_type=media_type,
            capture=capture,
            graphic=graphic,
        )
    after_ingest(case, actor, res, ocr=ocr, media_job=media_job)
    return res


def open_content(
    case: Case, user: str | Actor | None, ref: str | int, *, reason: str | None = None
) -> tuple[dict[str, Any], Iterator[bytes]]:
    """Metadata of an item and a decrypting iterator over its content, for streaming it
    out (a download). The permission is checked and the read is logged
    (``evidence.get``, committed) before the first byte is decrypted, as
    :func:`get_to_path` does. The iterator authenticates each chunk and raises
    :class:`dalil.vault.blobs.BlobCorrupt` on a damaged one."""
    with case.act(user) as ctx:
        item = resolve_item(ctx, ref)
        check_read(ctx, item)
        meta = item_dict(ctx, item)
        ctx.audit(
            "evidence.get",
            [oid("evidence", item.sha256)],
            detail={"sha256": item.sha256, "size": item.size, "reason": (reason or "")[:500]},
        )
    return meta, case.blobs.open(meta["sha256"])


def content_type(ctx: Context, sha256: str, by_name: str | None) -> str | None:
    """The media type from the stored content's first bytes (magic numbers); the name's
    guess only refines plain text (``.csv`` → ``text/csv``) or fills in when unknown."""
    from dalil.media.sniff import HEAD, sniff

    head = b""
    for chunk in ctx.case.blobs.open(sha256):
        head = chunk[:HEAD]
        break
    sniffed = sniff(head)
    if sniffed is None:
        return by_name
    binary = ("image/", "video/", "audio/", "application/pdf", "application/zip")
    if sniffed == "text/plain" and by_name and not by_name.startswith(binary):
        return by_name  # .csv, .json, .md … are text: the name says which
    if sniffed == "application/zip" and by_name and by_name.startswith("application/"):
        return by_name
    return sniffed


def record_blob(
    ctx: Context,
    put: PutResult,
    *,
    name: str,
    source_id: int | None = None,
    copy_kind: str = "evidentiary",
    derived_from: str | None = None,
    sensitive: bool = False,
    notes: str | None = None,
    media_type: str | None = None,
    capture: dict[str, Any] | None = None,
    graphic: bool = False,
) -> AddResult:
    """Create (or find) the record for a stored blob and log ``evidence.add``. *graphic*:
    shown blurred until the viewer chooses (content already held keeps the flag set)."""
    ctx.require(access.EVIDENCE_ADD, "add evidence")
    existing = ctx.session.scalar(select(EvidenceItem).where(EvidenceItem.sha256 == put.sha256))
    if existing is not None:
        change: dict[str, Any] = {"already_held": True}
        if sensitive and not existing.sensitive:
            # Content already held as ordinary evidence, added again as sensitive: the
            # stricter flag wins (once it answered 201 and left the item readable by
            # roles that must not read sensitive items). Never loosened this way.
            existing.sensitive = change["sensitive"] = True
        if graphic and not existing.graphic:  # the warning is kept, never dropped this way
            existing.graphic = change["graphic"] = True
        ctx.audit(
            "evidence.add",
            [oid("evidence", put.sha256)],
            change=change,
            detail={"sha256": put.sha256, "size": put.size, "already_held": True},
        )
        return AddResult(existing, put.stored_new, False, item_dict(ctx, existing))
    parent = resolve_item(ctx, derived_from) if derived_from else None
    if source_id is not None:
        ctx.get(Source, source_id, "source")
    guessed = mimetypes.guess_type(name)[0] if name else None
    if media_type is None or media_type == "application/octet-stream":
        media_type = None
        guessed = content_type(ctx, put.sha256, guessed)
    elif not media_type.startswith("text/"):
        # a declared type (an upload's) yields to the content's for binary media
        sniffed = content_type(ctx, put.sha256, media_type)
        if sniffed and sniffed.startswith(("image/", "video/", "audio/", "application/pdf")):
            media_type = sniffed
    now = utcnow()
    item = EvidenceItem(
        sha256=put.sha256,
        size=put.size,
        media_type=media_type or guessed or "application/octet-stream",
        original_name=name,
        copy_kind=copy_kind,
        derived_from_id=parent.id if parent else None,
        source_id=source_id,
        sensitive=sensitive,
        graphic=bool(graphic),
        capture={
            **(capture or {}),
            "ingested_at": now.isoformat(timespec="seconds"),
            "ingested_by": ctx.actor.name,
        },
        added_by=ctx.actor.name,
        notes=check_text(notes, "notes") if notes else None,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(item)
    ctx.session.flush()
    ids = [oid("evidence", put.sha256)] + ([oid("evidence", parent.sha256)] if parent else [])
    ctx.audit(
        "evidence.add",
        ids,
        change={
            "sha256": put.sha256,
            "size": put.size,
            "copy_kind": copy_kind,
            "source_id": source_id,
            "sensitive": sensitive,
            "graphic": bool(graphic),
            "name": name,
        },
        detail={
            "sha256": put.sha256,
            "size": put.size,
            "copy_kind": copy_kind,
            "sensitive": sensitive,
            "stored_new": put.stored_new,
            "derived_from": parent.sha256 if parent else None,
        },
    )
    return AddResult(item, put.stored_new, True, item_dict(ctx, item))


def _item_filters(
    q: Any, source_id: int | None, copy_kind: str | None, sensitive: bool | None
) -> Any:
    if source_id is not None:
        q = q.where(EvidenceItem.source_id == source_id)
    if copy_kind is not None:
        q = q.where(EvidenceItem.copy_kind == check_choice(copy_kind, COPY_KINDS, "copy kind"))
    if sensitive is not None:
        q = q.where(EvidenceItem.sensitive.is_(sensitive))
    return q


def list_items(
    ctx: Context,
    *,
    source_id: int | None = None,
    copy_kind: str | None = None,
    sensitive: bool | None = None,
    limit: int | None = None,
    offset: int = 0,
    retracted: str = "hide",
    after: int | None = None,
    before: int | None = None,
) -> list[EvidenceItem]:
    """Items in id order; ``limit``/``offset`` (or a keyset bound *after*/*before* an
    item id) cut a page in the database (default: all). Retracted items are left out
    unless *retracted* is ``only`` or ``include``."""
    from dalil.services import keyset, retractions

    ctx.require(access.CASE_READ, "list evidence")
    if (limit is not None and limit < 0) or offset < 0:
        raise InputError(f"invalid page: limit {limit}, offset {offset} (must be 0 or more)")
    q = _item_filters(
        select(EvidenceItem).order_by(EvidenceItem.id), source_id, copy_kind, sensitive
    )
    q = retractions.narrow(q, "evidence", EvidenceItem.id, retracted)
    q, backwards = keyset.cut(q, EvidenceItem.id, after=after, before=before, order=None)
    if limit is not None:
        q = q.limit(limit)
    if offset and after is None and before is None:
        q = q.offset(offset)
    rows = list(ctx.session.scalars(q))
    return rows[::-1] if backwards else rows


def count_items(
    ctx: Context,
    *,
    source_id: int | None = None,
    copy_kind: str | None = None,
    sensitive: bool | None = None,
    retracted: str = "hide",
) -> int:
    """How many items :func:`list_items` lists with the same filters and no limit."""
    from dalil.services import retractions

    ctx.require(access.CASE_READ, "list evidence")
    q = _item_filters(
        select(func.count()).select_from(EvidenceItem), source_id, copy_kind, sensitive
    )
    q = retractions.narrow(q, "evidence", EvidenceItem.id, retracted)
    return int(ctx.session.scalar(q) or 0)


def get_item(ctx: Context, ref: str | int) -> EvidenceItem:
    ctx.require(access.CASE_READ, "read evidence metadata")
    return resolve_item(ctx, ref)


def update_item(
    ctx: Context,
    ref: str | int,
    *,
    source_id: int | None = None,
    sensitive: bool | None = None,
    notes: str | None = None,
    graphic: bool | None = None,
    if_version: str | None = None,
) -> EvidenceItem:
    """Change an item's metadata (never its content): source, sensitivity, notes, and
    whether it is graphic (shown blurred until the viewer chooses to see it). With
    *if_version* (``records.version_of`` of the item the edit is based on), an edit of
    metadata changed since is refused (:class:`Conflict`, naming who and which fields)."""
    from dalil.services import records

    ctx.require(access.RECORD_WRITE, "update evidence metadata")
    item = resolve_item(ctx, ref)
    records.check_version(
        ctx, "evidence item", item, if_version, object_id=oid("evidence", item.sha256)
    )
    from dalil.services import retractions

    retractions.refuse_edit_if_retracted(ctx, "evidence", item.id)
    before = {
        "source_id": item.source_id,
        "sensitive": item.sensitive,
        "notes": item.notes,
        "graphic": item.graphic,
    }
    change: dict[str, Any] = {}
    if source_id is not None:
        ctx.get(Source, source_id, "source")
        item.source_id = change["source_id"] = source_id
    if sensitive is not None:
        if item.sensitive and not sensitive:
            ctx.require(access.EVIDENCE_READ_SENSITIVE, "unmark sensitive evidence")
        item.sensitive = change["sensitive"] = sensitive
    if notes is not None:
        item.notes = check_text(notes, "notes") or None
        change["notes"] = item.notes
    if graphic is not None:
        item.graphic = change["graphic"] = bool(graphic)
    if not change:
        raise InputError(
            "nothing to update: give a source, the sensitivity, notes or the graphic flag",
            code="nothing_to_update",
        )
    item.updated_at = utcnow()
    changed = sorted(k for k in change if change[k] != before[k])
    ctx.audit(
        "evidence.update",
        [oid("evidence", item.sha256)],
        change=change,
        detail={
            "fields": changed,
            "before": {k: before[k] for k in changed},
            "after": {k: change[k] for k in changed},
        },
    )
    return item


def check_read(ctx: Context, item: EvidenceItem) -> None:
    ctx.require(access.EVIDENCE_READ, "read evidence content")
    if item.sensitive:
        ctx.require(access.EVIDENCE_READ_SENSITIVE, "read sensitive evidence")


def get_to_path(
    case: Case,
    user: str | Actor | None,
    ref: str,
    out: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    """Decrypt an item to *out*. The read is logged (``evidence.get``) before it happens."""
    out_path = Path(out)
    if out_path.is_symlink():
        raise InputError(f"refusing to write through a symbolic link: {out_path}")
    if out_path.exists() and not overwrite:
        raise InputError(
            f"{out_path} exists; choose another output file or allow overwriting",
            field="out",
            code="exists",
        )
    if out_path.parent and not out_path.parent.is_dir():
        raise InputError(f"folder {out_path.parent} does not exist")
    with case.act(user) as ctx:
        item = resolve_item(ctx, ref)
        check_read(ctx, item)
        sha, size = item.sha256, item.size
        ctx.audit(
            "evidence.get",
            [oid("evidence", sha)],
            detail={"sha256": sha, "size": size, "reason": (reason or "")[:500]},
        )
    written = case.blobs.export_to(sha, out_path, overwrite=overwrite)
    return {"sha256": sha, "size": written, "out": str(out_path)}


def custody(ctx: Context, ref: str | int) -> list[dict[str, Any]]:
    """The custody ledger of an item: every audit entry naming it, oldest first."""
    from dalil.core import audit

    ctx.require(access.AUDIT_READ, "read the custody ledger")
    item = resolve_item(ctx, ref)
    return [e.to_dict() for e in audit.query(ctx.session, object_id=oid("evidence", item.sha256))]


@dataclass
class FixityReport:
    checked: int = 0
    ok: int = 0
    missing: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)
    unreferenced: list[str] = field(default_factory=list)
    temp_removed: int = 0

    @property
    def passed(self) -> bool:
        return not self.missing and not self.corrupt

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.passed,
            "checked": self.checked,
            "intact": self.ok,
            "missing": self.missing,
            "corrupt": self.corrupt,
            "unreferenced": self.unreferenced,
            "temp_removed": self.temp_removed,
        }


def fixity(
    case: Case,
    user: str | Actor | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> FixityReport:
    """Re-verify every blob (decrypt, re-hash); log the result as ``evidence.fixity``.

    *progress(done, total)* is called after each blob (a job's progress report)."""
    from dalil.vault.blobs import BlobCorrupt, BlobMissing

    actor = user if isinstance(user, Actor) else case.actor(user)
    case.require(actor, access.FIXITY_RUN, "run fixity checks")
    with case.act(actor, write=False) as ctx:
        shas = list(ctx.session.scalars(select(EvidenceItem.sha256).order_by(EvidenceItem.id)))
    rep = FixityReport(temp_removed=case.blobs.cleanup_temp())
    expected: set[Path] = set()
    for sha in shas:
        rep.checked += 1
        expected.add(case.blobs.path_for(sha))
        try:
            case.blobs.verify(sha)
            rep.ok += 1
        except BlobMissing:
            rep.missing.append(sha)
        except BlobCorrupt:
            rep.corrupt.append(sha)
        if progress is not None:
            progress(rep.checked, len(shas))
    with case.system_session(write=False) as s:  # job output files are blobs of the case
        from dalil.services.jobs import output_blobs

        expected.update(case.blobs.path_for(sha) for sha in output_blobs(s))
    tmp_dir = case.blobs.tmp_dir.resolve()
    for p in sorted(case.evidence_dir.rglob("*")):
        if p.is_file() and tmp_dir not in p.resolve().parents and p not in expected:
            rep.unreferenced.append(str(p.relative_to(case.evidence_dir)))
    with case.act(actor) as ctx:
        ctx.audit(
            "evidence.fixity",
            [oid("evidence", s) for s in shas],
            detail={
                "checked": rep.checked,
                "intact": rep.ok,
                "missing": rep.missing,
                "corrupt": rep.corrupt,
                "unreferenced": len(rep.unreferenced),
            },
        )
    return rep


def evidence_ids(ctx: Context, refs: Sequence[str | int]) -> list[int]:
    """Resolve evidence references (id, SHA-256 or prefix); unknown ones raise NotFound."""
    out: list[int] = []
    for r in refs:
        if str(r).strip() == "":
            continue
        item = resolve_item(ctx, r)
        if item.id not in out:
            out.append(item.id)
    return out
