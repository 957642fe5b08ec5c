"""Case-wide search: one function, :func:`search`, for the CLI, the API and the web box.

What is searched (each a *document* of the index, with the access class that decides who
may see it):

| hit kind  | document                                     | access class |
|-----------|----------------------------------------------|--------------|
| source    | title, publisher, author, notes              | open         |
| source    | its text (working copy, OCR or corrected)    | content / sensitive |
| evidence  | notes; file name (hidden name if sensitive)  | open / sensitive |
| evidence  | text of an item without a source (OCR, transcript) | content / sensitive |
| incident  | title, type, place, description              | open         |
| act       | type, method, perpetrator affiliation, notes | open         |
| site      | name, place, access notes                    | open         |
| unit      | name, abbreviation, notes                    | open         |
| person    | pseudonym, notes                             | open         |
| person    | legal name and aliases (protected)           | protected    |

``open`` needs ``case.read``; ``content`` needs ``evidence.read``; ``sensitive`` also
``evidence.read_sensitive``; ``protected`` needs ``protected.reveal`` **and** an explicit
request with a reason (``include_protected=True, reason=…``), and is logged like a reveal
(``person.search_protected``). A search that shows any part of evidence content (a
snippet of a text) is logged as ``search.read`` naming those items, so it appears in
their custody ledgers. Neither entry holds the query: only a keyed digest of it.

**The index never reaches a disk in plaintext.** It is held in memory and saved in the
case folder (``index/``) encrypted with AES-256-GCM under a key derived from the case
data key, so a copy of the case folder reveals the index's size and when it changed,
nothing of its content. It is brought up to date at each search: per table, a count,
highest id and newest change time tell whether anything changed; only changed records
are read again and go into a small new segment, and segments are merged when there
are many (see docs/search.md).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, literal, select, union_all

from dalil.core import access
from dalil.core.context import Context, oid
from dalil.errors import InputError
from dalil.model.act import Act
from dalil.model.evidence import EvidenceItem
from dalil.model.incident import Incident
from dalil.model.media import MediaInfo
from dalil.model.organization import Organization
from dalil.model.person import Person
from dalil.model.site import Site
from dalil.model.source import Source
from dalil.search.index import Doc, Index, Segment
from dalil.search.query import parse

KINDS = ("source", "evidence", "incident", "act", "site", "unit", "person")
OPEN, CONTENT, SENSITIVE, PROTECTED = "open", "content", "sensitive", "protected"
INDEX_DIR = "index"
MANIFEST = "manifest.bin"
_AAD = b"dalil-search-index-v1\x00"
#: Merge the segments into one when there are more than this many.
MAX_SEGMENTS = 8
#: Largest text indexed per document, in characters (the rest is not searchable).
MAX_DOC_CHARS = 2_000_000
MAX_LIMIT = 100


# ------------------------------------------------------------------------ result shape


def result_dict(
    query: str, total: int, hits: list[dict[str, Any]], limit: int, offset: int
) -> dict[str, Any]:
    return {"query": query, "total": total, "limit": limit, "offset": offset, "hits": hits}


# ----------------------------------------------------------------------- the documents

Family = Callable[[Context], dict[str, tuple[str, Callable[[], Doc]]]]


def _iso(v: Any) -> str:
    return v.isoformat() if v is not None else ""


def _join(*values: Any) -> str:
    return "\n".join(str(v) for v in values if v not in (None, ""))


def _read_text(ctx: Context, sha: str) -> str:
    chunks: list[bytes] = []
    size = 0
    for c in ctx.case.blobs.open(sha):
        chunks.append(c)
        size += len(c)
        if size > MAX_DOC_CHARS * 4:
            break
    return b"".join(chunks).decode("utf-8", errors="replace")[:MAX_DOC_CHARS]


def _text_doc(
    ctx: Context, key: str, kind: str, ref: int, access_class: str, stamp: str, sha: str
) -> Doc:
    return Doc(key, kind, ref, access_class, stamp, _read_text(ctx, sha))


def _caption_doc(ctx: Context, key: str, ref: int, access_class: str, stamp: str, enc: str) -> Doc:
    meta = ctx.decrypt(enc, f"evidence:{ref}:metadata") or {}
    summary = meta.get("summary") or {}
    return Doc(key, "evidence", ref, access_class, stamp, str(summary.get("caption") or ""))


def _fam_sources(ctx: Context) -> dict[str, tuple[str, Callable[[], Doc]]]:
    out: dict[str, tuple[str, Callable[[], Doc]]] = {}
    rows = ctx.session.execute(
        select(
            Source.id, Source.updated_at, Source.title, Source.publisher, Source.author,
            Source.notes,
        )
    ).all()  # fmt: skip
    for sid, upd, title, pub, author, notes in rows:
        text = _join(title, pub, author, notes)
        out[f"source:{sid}"] = (
            _iso(upd),
            functools.partial(Doc, f"source:{sid}", "source", sid, OPEN, _iso(upd), text, 2.0),
        )
    return out


def _text_items(ctx: Context) -> list[Any]:
    return list(
        ctx.session.execute(
            select(
                EvidenceItem.id, EvidenceItem.sha256, EvidenceItem.source_id,
                EvidenceItem.derived_from_id, EvidenceItem.copy_kind, EvidenceItem.media_type,
                EvidenceItem.sensitive, EvidenceItem.updated_at, EvidenceItem.original_name,
                EvidenceItem.notes,
            ).order_by(EvidenceItem.id)
        ).all()
    )  # fmt: skip


def _is_text(media: str | None) -> bool:
    return bool(media) and str(media).startswith("text/plain")


def _fam_evidence(ctx: Context) -> dict[str, tuple[str, Callable[[], Doc]]]:
    """Evidence names and notes, source texts and texts of items without a source."""
    out: dict[str, tuple[str, Callable[[], Doc]]] = {}
    rows = _text_items(ctx)
    by_id = {r.id: r for r in rows}

    def root(r: Any) -> Any:
        seen = 0
        while r.derived_from_id is not None and r.derived_from_id in by_id and seen < 50:
            r = by_id[r.derived_from_id]
            seen += 1
        return r

    # newest text per source and per root item (later ids are later versions)
    source_text: dict[int, Any] = {}
    item_text: dict[int, Any] = {}
    for r in rows:
        if not _is_text(r.media_type):
            continue
        if r.source_id is not None:
            cur = source_text.get(r.source_id)
            if cur is None or (r.copy_kind == "working") >= (cur.copy_kind == "working"):
                source_text[r.source_id] = r
        elif r.derived_from_id is not None and r.copy_kind == "working":
            base = root(r)
            if base.source_id is not None:
                source_text[base.source_id] = r
            else:
                item_text[base.id] = r
        else:
            item_text.setdefault(r.id, r)
    for r in rows:
        if r.derived_from_id is not None:
            continue  # working copies are found through their original
        key = f"evidence:{r.id}"
        out[key] = (
            _iso(r.updated_at),
            functools.partial(Doc, key, "evidence", r.id, OPEN, _iso(r.updated_at), _join(
                None if r.sensitive else r.original_name, r.notes)),
        )  # fmt: skip
        if r.sensitive and r.original_name:
            k2 = f"evidence:{r.id}:name"
            out[k2] = (
                _iso(r.updated_at),
                functools.partial(
                    Doc, k2, "evidence", r.id, SENSITIVE, _iso(r.updated_at), r.original_name
                ),
            )
    # captions and descriptions embedded in photos and videos (encrypted metadata)
    for iid, upd, enc in ctx.session.execute(
        select(MediaInfo.item_id, MediaInfo.updated_at, MediaInfo.metadata_enc).where(
            MediaInfo.metadata_enc.is_not(None)
        )
    ).all():
        r = by_id.get(iid)
        if r is None or r.derived_from_id is not None:
            continue
        key = f"evidence:{iid}:caption"
        stamp = _iso(upd)
        out[key] = (
            stamp,
            functools.partial(
                _caption_doc, ctx, key, int(iid), SENSITIVE if r.sensitive else CONTENT, stamp,
                str(enc),
            ),
        )  # fmt: skip
    for sid, t in source_text.items():
        key = f"source:{sid}:text"
        stamp = f"{t.sha256}:{int(bool(t.sensitive))}"
        out[key] = (
            stamp,
            functools.partial(
                _text_doc, ctx, key, "source", sid, SENSITIVE if t.sensitive else CONTENT, stamp,
                t.sha256,
            ),
        )  # fmt: skip
    for eid, t in item_text.items():
        key = f"evidence:{eid}:text"
        sens = bool(t.sensitive or by_id[eid].sensitive)
        stamp = f"{t.sha256}:{int(sens)}"
        out[key] = (
            stamp,
            functools.partial(
                _text_doc, ctx, key, "evidence", eid, SENSITIVE if sens else CONTENT, stamp,
                t.sha256,
            ),
        )  # fmt: skip
    return out


def _simple(model: Any, kind: str, *cols: str) -> Family:
    def fam(ctx: Context) -> dict[str, tuple[str, Callable[[], Doc]]]:
        out: dict[str, tuple[str, Callable[[], Doc]]] = {}
        columns = [getattr(model, c) for c in cols]
        for row in ctx.session.execute(select(model.id, model.updated_at, *columns)).all():
            rid, upd, *vals = row
            key = f"{kind}:{rid}"
            out[key] = (
                _iso(upd),
                functools.partial(Doc, key, kind, rid, OPEN, _iso(upd), _join(*vals), 1.5),
            )
        return out

    return fam


def _fam_persons(ctx: Context) -> dict[str, tuple[str, Callable[[], Doc]]]:
    out: dict[str, tuple[str, Callable[[], Doc]]] = {}
    rows = ctx.session.execute(
        select(
            Person.id, Person.updated_at, Person.pseudonym, Person.notes,
            Person.legal_name_enc, Person.aliases_enc,
        )
    ).all()  # fmt: skip
    for pid, upd, pseud, notes, ln, al in rows:
        key = f"person:{pid}"
        out[key] = (
            _iso(upd),
            functools.partial(Doc, key, "person", pid, OPEN, _iso(upd), _join(pseud, notes), 1.5),
        )
        if ln or al:
            k2 = f"person:{pid}:names"

            def names(pid: int = pid, upd: Any = upd, ln: Any = ln, al: Any = al,
                      k2: str = k2) -> Doc:  # fmt: skip
                parts = []
                if ln:
                    parts.append(ctx.decrypt(ln, f"person:{pid}:legal_name"))
                if al:
                    parts.extend(ctx.decrypt(al, f"person:{pid}:aliases") or [])
                return Doc(k2, "person", pid, PROTECTED, _iso(upd), _join(*parts), 1.5)

            out[k2] = (_iso(upd), names)
    return out


#: family name -> (tables whose change triggers it, loader)
FAMILIES: dict[str, tuple[tuple[Any, ...], Family]] = {
    "source": ((Source,), _fam_sources),
    "evidence": ((EvidenceItem, MediaInfo), _fam_evidence),
    "incident": (
        (Incident,),
        _simple(Incident, "incident", "title", "incident_type", "place_name", "description"),
    ),
    "act": (
        (Act,),
        _simple(Act, "act", "act_type", "method", "perpetrator_affiliation", "notes"),
    ),
    "site": ((Site,), _simple(Site, "site", "name", "place_name", "access_notes")),
    "unit": ((Organization,), _simple(Organization, "unit", "name", "abbreviation", "notes")),
    "person": ((Person,), _fam_persons),
}


def _family_of(key: str) -> str:
    kind = key.split(":", 1)[0]
    return "evidence" if key.endswith(":text") or kind == "evidence" else kind


def watermark(ctx: Context) -> dict[str, list[Any]]:
    """Per family, something that changes whenever its records do (count, last id,
    newest change)."""
    # One statement for every table (a round trip each was most of a search's cost).
    parts = []
    for n, t in enumerate(t for tables, _fam in FAMILIES.values() for t in tables):
        pk = t.item_id if t is MediaInfo else t.id
        parts.append(select(literal(n), func.count(), func.max(pk), func.max(t.updated_at)))
    rows = {int(r[0]): r for r in ctx.session.execute(union_all(*parts))}
    out: dict[str, list[Any]] = {}
    n = 0
    for name, (tables, _fam) in FAMILIES.items():
        vals: list[Any] = []
        for _t in tables:
            row = rows[n]
            vals.extend([int(row[1] or 0), int(row[2] or 0), _iso(row[3])])
            n += 1
        out[name] = vals
    return out


# ------------------------------------------------------------------ encrypted storage


@dataclass
class _State:
    index: Index
    watermark: dict[str, list[Any]]
    stamp: tuple[int, int] = (0, 0)
    segments: list[str] = field(default_factory=list)


_CACHE: dict[str, _State] = {}
_LOCK = threading.Lock()


def _dir(ctx: Context) -> Path:
    return Path(ctx.case.root) / INDEX_DIR


def _aead(ctx: Context) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(ctx.case.keys.search_key)


def _write(ctx: Context, name: str, data: bytes) -> None:
    d = _dir(ctx)
    d.mkdir(mode=0o700, exist_ok=True)
    nonce = secrets.token_bytes(12)
    blob = b"DSX1" + nonce + _aead(ctx).encrypt(nonce, data, _AAD + name.encode())
    tmp = d / f".{name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, d / name)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _read(ctx: Context, name: str) -> bytes:
    blob = (_dir(ctx) / name).read_bytes()
    if blob[:4] != b"DSX1":
        raise ValueError("not an encrypted search index file")
    return bytes(_aead(ctx).decrypt(blob[4:16], blob[16:], _AAD + name.encode()))


def _manifest_stamp(ctx: Context) -> tuple[int, int]:
    try:
        st = (_dir(ctx) / MANIFEST).stat()
    except FileNotFoundError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


def _load(ctx: Context) -> _State | None:
    try:
        man = json.loads(_read(ctx, MANIFEST))
        segs = [Segment.from_bytes(_read(ctx, n)) for n in man["segments"]]
    except Exception:  # missing, damaged or from another key: rebuild
        return None
    return _State(Index(segs, man.get("removed", [])), man["watermark"], segments=man["segments"])


def _save(ctx: Context, st: _State, new: list[tuple[str, Segment]]) -> None:
    for name, seg in new:
        _write(ctx, name, seg.to_bytes())
    man = {"segments": st.segments, "removed": sorted(st.index.removed),
           "watermark": st.watermark}  # fmt: skip
    _write(ctx, MANIFEST, json.dumps(man).encode())
    keep = set(st.segments) | {MANIFEST}
    for p in _dir(ctx).iterdir():
        if p.name not in keep and p.name.startswith("seg-"):
            with contextlib.suppress(OSError):
                p.unlink()
    st.stamp = _manifest_stamp(ctx)


@contextlib.contextmanager
def _file_lock(ctx: Context) -> Iterator[None]:
    import fcntl

    d = _dir(ctx)
    d.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(d / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def current_index(ctx: Context) -> Index:
    """The case's index, brought up to date (loaded, built or extended as needed)."""
    key = str(Path(ctx.case.root).resolve())
    wm = watermark(ctx)
    with _LOCK:
        st = _CACHE.get(key)
        if st is not None and st.watermark == wm:
            return st.index
        with _file_lock(ctx):
            if st is None or st.stamp != _manifest_stamp(ctx):
                st = _load(ctx) or _State(Index(), {}, segments=[])
                st.stamp = _manifest_stamp(ctx)
            if st.watermark != wm:
                _update(ctx, st, wm)
            _CACHE[key] = st
        return st.index


def _update(ctx: Context, st: _State, wm: dict[str, list[Any]]) -> None:
    changed_fams = [f for f in FAMILIES if st.watermark.get(f) != wm[f]]
    have = st.index.stamps()
    new_docs: list[Doc] = []
    removed: list[str] = []
    for fam in changed_fams:
        current = FAMILIES[fam][1](ctx)
        for k, (stamp, make) in current.items():
            if have.get(k) != stamp:
                new_docs.append(make())
        removed.extend(k for k in have if _family_of(k) == fam and k not in current)
    new: list[tuple[str, Segment]] = []
    if new_docs or removed:
        seg = Segment.build(new_docs)
        st.index.add(seg, removed)
        name = f"seg-{secrets.token_hex(8)}.bin"
        st.segments.append(name)
        new.append((name, seg))
        base = st.index.segments[0].n_docs if st.index.segments else 0
        if len(st.index.segments) > MAX_SEGMENTS or (
            len(st.index.segments) > 1 and st.index.n_docs - base > max(2000, base // 5)
        ):
            st.index = st.index.compact()
            name = f"seg-{secrets.token_hex(8)}.bin"
            st.segments = [name]
            new = [(name, st.index.segments[0])]
    st.watermark = wm
    _save(ctx, st, new)


def rebuild(ctx: Context) -> dict[str, Any]:
    """Throw the saved index away and build it again from the case (admin maintenance)."""
    ctx.require(access.CASE_READ, "rebuild the search index")
    key = str(Path(ctx.case.root).resolve())
    with _LOCK, _file_lock(ctx):
        st = _State(Index(), {}, segments=[])
        _update(ctx, st, watermark(ctx))
        if len(st.index.segments) > 1:
            st.index = st.index.compact()
        _CACHE[key] = st
    return {"documents": st.index.n_docs, "segments": len(st.index.segments)}


# ------------------------------------------------------------------------- searching


def _allowed(ctx: Context, include_protected: bool) -> set[str]:
    out = {OPEN}
    if ctx.can(access.EVIDENCE_READ):
        out.add(CONTENT)
        if ctx.can(access.EVIDENCE_READ_SENSITIVE):
            out.add(SENSITIVE)
    if include_protected:
        out.add(PROTECTED)
    return out


def _labels(ctx: Context, kind: str, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    if kind == "source":
        q = select(Source.id, Source.title).where(Source.id.in_(ids))
    elif kind == "incident":
        q = select(Incident.id, Incident.title).where(Incident.id.in_(ids))
    elif kind == "site":
        q = select(Site.id, Site.name).where(Site.id.in_(ids))
    elif kind == "unit":
        q = select(Organization.id, Organization.name).where(Organization.id.in_(ids))
    elif kind == "person":
        q = select(Person.id, Person.pseudonym).where(Person.id.in_(ids))
    elif kind == "act":
        q = select(Act.id, Act.act_type).where(Act.id.in_(ids))
    else:
        rows = ctx.session.execute(
            select(EvidenceItem.id, EvidenceItem.original_name, EvidenceItem.sensitive).where(
                EvidenceItem.id.in_(ids)
            )
        ).all()
        sens_ok = ctx.can(access.EVIDENCE_READ_SENSITIVE)
        return {i: (n if n and (not s or sens_ok) else f"evidence {i}") for i, n, s in rows}
    out = {int(i): str(v) for i, v in ctx.session.execute(q).all()}
    if kind == "act":
        out = {i: f"act {i}: {v}" for i, v in out.items()}
    return out


def query_digest(ctx: Context, query: str) -> str:
    """A keyed digest of the query for the audit log (the query itself may be a name)."""
    norm = " ".join(query.casefold().split())
    return hmac.new(
        ctx.case.keys.token_key, b"search\x00" + norm.encode(), hashlib.sha256
    ).hexdigest()[:32]


def check_kinds(kinds: list[str] | tuple[str, ...] | set[str] | None) -> set[str] | None:
    if not kinds:
        return None
    bad = sorted(set(kinds) - set(KINDS))
    if bad:
        raise InputError(f"unknown kind {bad[0]!r}: choose from {', '.join(KINDS)}")
    return set(kinds)


def search(
    ctx: Context,
    query: str,
    *,
    kinds: list[str] | tuple[str, ...] | set[str] | None = None,
    limit: int = 20,
    offset: int = 0,
    include_protected: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    """Search the case within the caller's permissions.

    Returns ``{"query", "total", "limit", "offset", "hits": [{"kind", "id", "label",
    "snippet", "score"}]}``, best first; ``snippet`` is HTML-escaped text with each
    matching word in ``<mark>``. ``include_protected`` (needs ``protected.reveal`` and
    a *reason*) also searches legal names and aliases, and is logged like a reveal.
    """
    ctx.require(access.CASE_READ, "search the case")
    kind_set = check_kinds(kinds)
    if limit < 1 or limit > MAX_LIMIT or offset < 0:
        raise InputError(f"invalid page: limit must be 1-{MAX_LIMIT}, offset 0 or more")
    if include_protected:
        ctx.require(access.PROTECTED_REVEAL, "search protected names")
        reason = (reason or "").strip()
        if len(reason) < 3:
            raise InputError("searching protected names needs a reason (why you need them)")
    parts = parse(query)
    if not parts:
        return result_dict(query, 0, [], limit, offset)
    index = current_index(ctx)
    allowed = _allowed(ctx, include_protected)
    from dalil.services.retractions import hidden

    total, hits = index.search(
        parts,
        allowed,
        kinds=kind_set,
        hidden=frozenset(hidden(ctx)),
        limit=limit,
        offset=offset,
    )
    labels: dict[str, dict[int, str]] = {}
    for kind in {h.kind for h in hits}:
        labels[kind] = _labels(ctx, kind, [h.ref for h in hits if h.kind == kind])
    out = [
        {
            "kind": h.kind,
            "id": h.ref,
            "label": labels.get(h.kind, {}).get(h.ref, f"{h.kind} {h.ref}"),
            "snippet": h.snippet,
            "score": h.score,
        }
        for h in hits
    ]
    _log(ctx, query, hits, include_protected, reason)
    return result_dict(query, total, out, limit, offset)


def _log(ctx: Context, query: str, hits: list[Any], protected: bool, reason: str | None) -> None:
    """Audit what the search showed: protected names (always, when asked for) and
    evidence content (the items whose text gave a snippet). Committed before returning."""
    entries: list[tuple[str, list[str], dict[str, Any]]] = []
    digest = query_digest(ctx, query)
    if protected:
        persons = sorted({h.ref for h in hits if h.doc_key.endswith(":names")})
        entries.append((
            "person.search_protected",
            [oid("person", p) for p in persons],
            {"reason": reason, "fields": ["legal_name", "aliases"], "matches": len(persons),
             "via": "search", "query_digest": digest},
        ))  # fmt: skip
    content = [h for h in hits if h.doc_key.endswith(":text")]
    if content:
        shas = sorted({h.stamp.split(":")[0] for h in content})
        entries.append((
            "search.read",
            [oid("evidence", s) for s in shas],
            {"items": len(shas), "query_digest": digest},
        ))  # fmt: skip
    if not entries:
        return
    if ctx.writable:
        for action, ids, detail in entries:
            ctx.audit(action, ids, detail=detail)
        return
    with ctx.case.act(ctx.actor) as wctx:
        for action, ids, detail in entries:
            wctx.audit(action, ids, detail=detail)
