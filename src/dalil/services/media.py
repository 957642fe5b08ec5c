"""Media evidence: metadata at ingest, consistency flags, keyframes, near-duplicates.

At ingest (``evidence add``, uploads) every image, audio and video item is analysed:

* its embedded metadata (EXIF, XMP, IPTC, container metadata, C2PA — read by ExifTool
  and ffprobe, :mod:`dalil.media.metadata`) is stored **encrypted** with the item
  (``media_info.metadata_enc``); the position (GPS) can locate a witness, so it is shown
  only to roles that may reveal protected fields, with a reason, logged
  (``evidence.reveal_location``);
* a video gets keyframes every 5 seconds as *working copies* derived from it;
* every image and keyframe gets a perceptual hash (encrypted too); an item whose hash is
  close to another's joins the "same media?" review queue (``media_matches``), where a
  person accepts or rejects the pair (``evidence.same_media``, kept as a decision).

:func:`metadata` also computes **flags** for review: the capture time far from the date
of the incidents the item is linked to, the position far from their (or their sites')
coordinates, the same camera (serial number) in other items, and the same media linked
to two different incidents.
"""

from __future__ import annotations

import io
import math
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from dalil.core import access
from dalil.core.access import Actor
from dalil.core.context import Context, oid
from dalil.display.messages import N_, Message
from dalil.errors import InputError, NotFound
from dalil.model.act import Act
from dalil.model.common import utcnow
from dalil.model.evidence import EvidenceItem
from dalil.model.incident import Incident
from dalil.model.media import MATCH_STATUSES, MediaInfo, MediaMatch
from dalil.model.provenance import ProvenanceLink
from dalil.model.site import Site
from dalil.services import evidence

if TYPE_CHECKING:
    from dalil.core.case import Case

#: Largest item analysed (bytes).
MAX_BYTES = 1024**3
#: Flag a position farther than this from the incident or site (km).
GPS_FLAG_KM = 10.0
#: Flag a capture time more than this many days from the incident's dates.
DATE_FLAG_DAYS = 1


def _ctx_meta(item_id: int) -> str:
    return f"evidence:{item_id}:metadata"


def _ctx_hash(item_id: int) -> str:
    return f"evidence:{item_id}:phash"


def is_media(media_type: str | None) -> bool:
    return bool(media_type) and str(media_type).startswith(("image/", "video/", "audio/"))


# ------------------------------------------------------------------------------ ingest


def analyse(case: Case, user: str | Actor | None, ref: str | int) -> dict[str, Any]:
    """Read, store (encrypted) and hash the media of item *ref*; video keyframes become
    working copies. Idempotent: a second run replaces the stored metadata and hashes."""
    from dalil.media.metadata import read_metadata
    from dalil.media.phash import hash_image

    actor = user if isinstance(user, Actor) else case.actor(user)
    case.require(actor, access.EVIDENCE_ADD, "analyse media")
    with case.act(actor, write=False) as ctx:
        item = evidence.resolve_item(ctx, ref)
        if item.size > MAX_BYTES:
            raise InputError(
                Message(
                    N_("item %(id)s is too large to analyse (%(size)s bytes)"),
                    id=str(item.id),
                    size=str(item.size),
                )
            )
        item_id, sha, media = item.id, item.sha256, item.media_type or ""
        sensitive, source_id, name = item.sensitive, item.source_id, item.original_name
    if not is_media(media):
        raise InputError(
            Message(
                N_("item %(id)s is not an image, audio or video (%(media)s)"),
                id=str(item_id),
                media=str(media),
            )
        )
    data = b"".join(case.blobs.open(sha))
    meta = read_metadata(data, media)
    hashes: list[tuple[int, str]] = []  # (item id, hash hex)
    frames_added: list[int] = []
    if media.startswith("image/"):
        try:
            hashes.append((item_id, hash_image(data).to_hex()))
        except Exception:  # an image Pillow cannot decode: metadata only
            meta["summary"]["hash_error"] = "image could not be decoded"
    elif media.startswith("video/"):
        from dalil.media.keyframes import EVERY_SECONDS, keyframes

        stem = (name or f"item-{item_id}").rsplit(".", 1)[0]
        for t, png in keyframes(data):
            put = case.blobs.put(io.BytesIO(png))
            with case.act(actor) as ctx:
                res = evidence.record_blob(
                    ctx, put, name=f"{stem}.keyframe-{t:08.1f}s.png", source_id=source_id,
                    copy_kind="working", derived_from=sha, sensitive=sensitive,
                    media_type="image/png",
                    capture={"derived_by": "keyframe", "seconds": t, "every": EVERY_SECONDS},
                )  # fmt: skip
                frames_added.append(res.item.id)
            hashes.append((res.item.id, hash_image(png).to_hex()))
        meta["summary"]["keyframes"] = len(frames_added)
    del data
    with case.act(actor) as ctx:
        _store(ctx, item_id, meta=meta)
        for iid, h in hashes:
            _store(ctx, iid, phash=h)
        found = _match(ctx, [iid for iid, _ in hashes])
        s = meta["summary"]
        ctx.audit(
            "evidence.media",
            [oid("evidence", sha)],
            detail={
                "fields": sorted(k for k in s if k not in ("gps",)),
                "has_gps": "gps" in s,
                "c2pa": bool(s.get("c2pa")),
                "keyframes": len(frames_added),
                "possible_duplicates": found,
            },
        )
    return {"item": item_id, "keyframes": frames_added, "possible_duplicates": found,
            "fields": sorted(meta["summary"])}  # fmt: skip


def _store(ctx: Context, item_id: int, *, meta: dict[str, Any] | None = None,
           phash: str | None = None) -> None:  # fmt: skip
    row = ctx.session.get(MediaInfo, item_id)
    now = utcnow()
    if row is None:
        row = MediaInfo(item_id=item_id, created_at=now, updated_at=now)
        ctx.session.add(row)
    if meta is not None:
        row.metadata_enc = ctx.encrypt(meta, _ctx_meta(item_id))
    if phash is not None:
        row.phash_enc = ctx.encrypt(phash, _ctx_hash(item_id))
    row.updated_at = now
    ctx.session.flush()


def _all_hashes(ctx: Context) -> dict[int, Any]:
    from dalil.media.phash import MediaHash

    out = {}
    for iid, enc in ctx.session.execute(
        select(MediaInfo.item_id, MediaInfo.phash_enc).where(MediaInfo.phash_enc.is_not(None))
    ).all():
        out[int(iid)] = MediaHash.from_hex(ctx.decrypt(str(enc), _ctx_hash(iid)))
    return out


def _family(ctx: Context, item_id: int) -> int:
    """The original an item (a keyframe) was derived from (itself for an original)."""
    item = ctx.session.get(EvidenceItem, item_id)
    seen = 0
    while item is not None and item.derived_from_id is not None and seen < 50:
        item = ctx.session.get(EvidenceItem, item.derived_from_id)
        seen += 1
    return item.id if item is not None else item_id


def _match(ctx: Context, new_ids: list[int]) -> int:
    """Queue pending pairs for *new_ids* against every hashed item; returns how many."""
    from dalil.media.phash import THRESHOLD, distance

    if not new_ids:
        return 0
    hashes = _all_hashes(ctx)
    added = 0
    for nid in new_ids:
        h = hashes.get(nid)
        if h is None:
            continue
        fam = _family(ctx, nid)
        for other, oh in hashes.items():
            if other == nid or _family(ctx, other) == fam:
                continue
            d = distance(h, oh)
            if d > THRESHOLD:
                continue
            a, b = sorted((_family(ctx, nid), _family(ctx, other)))
            if a == b:
                continue
            exists = ctx.session.scalar(
                select(MediaMatch).where(MediaMatch.a_id == a, MediaMatch.b_id == b)
            )
            if exists is None:
                ctx.session.add(MediaMatch(a_id=a, b_id=b, distance=d, status="pending",
                                           created_at=utcnow()))  # fmt: skip
                ctx.session.flush()
                added += 1
            elif d < exists.distance:
                exists.distance = d
    return added


def queue_at_ingest(case: Case, user: str | Actor | None, item_id: int) -> int | None:
    """Queue the ``media`` job (:func:`analyse` in a job worker) for a newly stored photo,
    audio or video; returns the job id (``None`` when the user may not add evidence). The
    web does this so that reading metadata and cutting video keyframes never runs inside
    the upload request."""
    from dalil.services import jobs

    actor = user if isinstance(user, Actor) else case.actor(user)
    if not actor.can(access.EVIDENCE_ADD):
        return None
    with case.act(actor) as ctx:
        return int(jobs.submit(ctx, "media", {"item": item_id})["id"])


def analyse_quietly(case: Case, user: str | Actor | None, ref: str | int) -> str | None:
    """:func:`analyse` at ingest: a file that cannot be read leaves the stored item as it
    is; the reason is returned (one line), never raised."""
    try:
        analyse(case, user, ref)
    except InputError as e:
        return str(e)
    except Exception as e:  # a hostile file must not undo the ingest
        return f"media analysis failed ({type(e).__name__})"
    return None


# ---------------------------------------------------------------------------- reading


def _load_meta(ctx: Context, item_id: int) -> dict[str, Any] | None:
    row = ctx.session.get(MediaInfo, item_id)
    if row is None or row.metadata_enc is None:
        return None
    value = ctx.decrypt(row.metadata_enc, _ctx_meta(item_id))
    return dict(value) if isinstance(value, dict) else None


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _linked_incidents(ctx: Context, item_ids: list[int]) -> dict[int, set[int]]:
    """item id -> incidents it supports (directly, through an act, or its source's)."""
    out: dict[int, set[int]] = {i: set() for i in item_ids}
    items = {i: ctx.session.get(EvidenceItem, i) for i in item_ids}
    source_of = {i: it.source_id for i, it in items.items() if it is not None and it.source_id}
    conds = [ProvenanceLink.evidence_id.in_(item_ids)]
    if source_of:
        conds.append(ProvenanceLink.source_id.in_(set(source_of.values())))
    for link in ctx.session.scalars(select(ProvenanceLink).where(or_(*conds))):
        targets = [i for i in item_ids if link.evidence_id == i or (
            link.source_id is not None and source_of.get(i) == link.source_id)]  # fmt: skip
        inc: int | None = None
        if link.subject_kind == "incident":
            inc = link.subject_id
        elif link.subject_kind == "act":
            act = ctx.session.get(Act, link.subject_id)
            inc = act.incident_id if act is not None else None
        elif link.subject_kind == "site":
            site = ctx.session.get(Site, link.subject_id)
            inc = getattr(site, "incident_id", None) if site is not None else None
        if inc is not None:
            for t in targets:
                out[t].add(int(inc))
    return out


def _linked_sites(ctx: Context, item_id: int) -> list[Site]:
    q = select(ProvenanceLink.subject_id).where(
        ProvenanceLink.evidence_id == item_id, ProvenanceLink.subject_kind == "site"
    )
    return [s for sid in ctx.session.scalars(q) if (s := ctx.session.get(Site, sid)) is not None]


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def flags(ctx: Context, item: EvidenceItem, summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Consistency flags for review (never verdicts)."""
    out: list[dict[str, Any]] = []
    incidents = _linked_incidents(ctx, [item.id])[item.id]
    captured = _day(summary.get("capture_time"))
    gps = summary.get("gps")
    for inc_id in sorted(incidents):
        inc = ctx.session.get(Incident, inc_id)
        if inc is None:
            continue
        start, end = _day(inc.date_start), _day(inc.date_end) or _day(inc.date_start)
        if captured and start and end:
            days = (start - captured).days if captured < start else (captured - end).days
            if days > DATE_FLAG_DAYS:
                out.append({"flag": "capture_time", "incident": inc_id, "days": days,
                            "message": f"captured {days} days "
                            f"{'before' if captured < start else 'after'} incident {inc_id}"})  # fmt: skip
        if isinstance(gps, dict) and inc.lat is not None and inc.lon is not None:
            km = _haversine_km((gps["lat"], gps["lon"]), (inc.lat, inc.lon))
            if km > GPS_FLAG_KM:
                out.append({"flag": "gps_distance", "incident": inc_id, "km": round(km, 1),
                            "message": f"taken {km:.0f} km from incident {inc_id}"})  # fmt: skip
    if isinstance(gps, dict):
        for site in _linked_sites(ctx, item.id):
            if site.lat is not None and site.lon is not None:
                km = _haversine_km((gps["lat"], gps["lon"]), (site.lat, site.lon))
                if km > GPS_FLAG_KM:
                    out.append({"flag": "gps_distance", "site": site.id, "km": round(km, 1),
                                "message": f"taken {km:.0f} km from site {site.id}"})  # fmt: skip
    serial = (summary.get("device") or {}).get("serial")
    if serial:
        same = []
        for iid, enc in ctx.session.execute(
            select(MediaInfo.item_id, MediaInfo.metadata_enc).where(
                MediaInfo.item_id != item.id, MediaInfo.metadata_enc.is_not(None)
            )
        ).all():
            other = ctx.decrypt(str(enc), _ctx_meta(iid))
            dev = (other.get("summary") or {}).get("device") or {}
            if dev.get("serial") == serial:
                same.append(int(iid))
        if same:
            out.append({"flag": "same_device", "items": same,
                        "message": f"same camera (serial number) as item(s) "
                        f"{', '.join(map(str, same))}"})  # fmt: skip
    alert = same_media_alert(ctx, item.id)
    if alert:
        out.append(alert)
    return out


def same_media_alert(ctx: Context, item_id: int) -> dict[str, Any] | None:
    """The same media (an accepted or pending pair) linked to two or more incidents."""
    pairs = ctx.session.scalars(
        select(MediaMatch).where(
            or_(MediaMatch.a_id == item_id, MediaMatch.b_id == item_id),
            MediaMatch.status != "rejected",
        )
    ).all()
    others = sorted({p.b_id if p.a_id == item_id else p.a_id for p in pairs})
    if not others:
        return None
    linked = _linked_incidents(ctx, [item_id, *others])
    incs = set().union(*linked.values())
    if len(incs) < 2:
        return None
    return {"flag": "same_media_two_incidents", "incidents": sorted(incs), "items": others,
            "message": f"the same media is linked to incidents "
            f"{', '.join(map(str, sorted(incs)))}"}  # fmt: skip


def metadata(
    ctx: Context, ref: str | int, *, reveal_gps: bool = False, reason: str | None = None
) -> dict[str, Any]:
    """Metadata, summary and flags of item *ref* for a user who may read its content;
    the position only with *reveal_gps* (``protected.reveal`` and a reason; logged)."""
    from dalil.media.metadata import without_gps

    ctx.require(access.CASE_READ, "read evidence metadata")
    item = evidence.resolve_item(ctx, ref)
    evidence.check_read(ctx, item)
    meta = _load_meta(ctx, item.id)
    if meta is None:
        raise NotFound(f"item {item.id} has no media metadata (not a photo, audio or video)")
    summary = dict(meta.get("summary") or {})
    out_flags = flags(ctx, item, summary)
    if reveal_gps:
        ctx.require(access.PROTECTED_REVEAL, "reveal where a photo or video was taken")
        r = (reason or "").strip()
        if len(r) < 3:
            raise InputError("revealing the position needs a reason (why you need it)")
        ctx.audit(
            "evidence.reveal_location",
            [oid("evidence", item.sha256)],
            detail={"reason": r[:500], "fields": ["gps"], "has_gps": "gps" in summary},
        )
        shown = meta
    else:
        shown = without_gps(meta)
    return {"item": item.id, "summary": shown["summary"], "tags": shown["tags"],
            "flags": out_flags}  # fmt: skip


def similar(ctx: Context, ref: str | int, *, threshold: int | None = None) -> list[dict[str, Any]]:
    """Items whose perceptual hash is within *threshold* bits of item *ref*'s (for a
    video, of any of its keyframes), closest first, with any decision taken."""
    from dalil.media.phash import THRESHOLD, distance

    ctx.require(access.CASE_READ, "find similar media")
    item = evidence.resolve_item(ctx, ref)
    t = THRESHOLD if threshold is None else int(threshold)
    if not 0 <= t <= 64:
        raise InputError("threshold must be 0-64 bits")
    hashes = _all_hashes(ctx)
    fam = _family(ctx, item.id)
    mine = [h for iid, h in hashes.items() if _family(ctx, iid) == fam]
    if not mine:
        raise NotFound(f"item {item.id} has no perceptual hash (not an image or video)")
    best: dict[int, int] = {}
    for iid, h in hashes.items():
        of = _family(ctx, iid)
        if of == fam:
            continue
        d = min(distance(m, h) for m in mine)
        if d <= t and d < best.get(of, 65):
            best[of] = d
    out = []
    for oid_, d in sorted(best.items(), key=lambda kv: (kv[1], kv[0])):
        a, b = sorted((fam, oid_))
        m = ctx.session.scalar(select(MediaMatch).where(MediaMatch.a_id == a, MediaMatch.b_id == b))
        other = ctx.session.get(EvidenceItem, oid_)
        out.append({"id": oid_, "distance": d, "status": m.status if m else None,
                    "sha256": other.sha256 if other else None})  # fmt: skip
    return out


def review_queue(ctx: Context, *, status: str | None = "pending") -> list[dict[str, Any]]:
    ctx.require(access.CASE_READ, "read the same-media queue")
    q = select(MediaMatch).order_by(MediaMatch.distance, MediaMatch.id)
    if status:
        if status not in MATCH_STATUSES:
            raise InputError(f"unknown status {status!r}: {', '.join(MATCH_STATUSES)}")
        q = q.where(MediaMatch.status == status)
    return [
        {
            "a": m.a_id,
            "b": m.b_id,
            "distance": m.distance,
            "status": m.status,
            "decided_by": m.decided_by,
            "reason": m.reason,
        }
        for m in ctx.session.scalars(q)
    ]


def decide(
    ctx: Context, a: int, b: int, verdict: str, *, reason: str | None = None
) -> dict[str, Any]:
    """Accept (the same media) or reject a pair; logged as ``evidence.same_media``."""
    ctx.require(access.RECORD_WRITE, "decide whether two items are the same media")
    if verdict not in ("accepted", "rejected", "accept", "reject"):
        raise InputError("verdict must be accept or reject")
    status = "accepted" if verdict.startswith("accept") else "rejected"
    lo, hi = sorted((int(a), int(b)))
    m = ctx.session.scalar(select(MediaMatch).where(MediaMatch.a_id == lo, MediaMatch.b_id == hi))
    ia, ib = ctx.session.get(EvidenceItem, lo), ctx.session.get(EvidenceItem, hi)
    if ia is None or ib is None:
        raise NotFound(f"no evidence item {lo if ia is None else hi}")
    if m is None:  # a pair found by hand (dalil evidence similar) may be decided too
        m = MediaMatch(a_id=lo, b_id=hi, distance=-1, created_at=utcnow())
        ctx.session.add(m)
    m.status, m.decided_by, m.decided_at = status, ctx.actor.name, utcnow()
    m.reason = (reason or "").strip()[:1000] or None
    ctx.session.flush()
    ctx.audit(
        "evidence.same_media",
        [oid("evidence", ia.sha256), oid("evidence", ib.sha256)],
        change={"status": status},
        detail={"a": lo, "b": hi, "status": status, "reason": m.reason},
    )
    return {"a": lo, "b": hi, "status": status, "decided_by": m.decided_by}


def _preview(ctx: Context, item: EvidenceItem) -> EvidenceItem | None:
    """The image to show for *item*: itself (a photo) or its first keyframe (a video)."""
    if str(item.media_type or "").startswith("image/"):
        return item
    frames = ctx.session.scalars(
        select(EvidenceItem)
        .where(EvidenceItem.derived_from_id == item.id, EvidenceItem.media_type == "image/png")
        .order_by(EvidenceItem.id)
        .limit(1)
    ).all()
    return frames[0] if frames else None


def _may_read(ctx: Context, item: EvidenceItem) -> bool:
    if not ctx.can(access.EVIDENCE_READ):
        return False
    return not item.sensitive or ctx.can(access.EVIDENCE_READ_SENSITIVE)


def review_pairs(ctx: Context, *, status: str | None = "pending") -> list[dict[str, Any]]:
    """The review queue with both items of each pair, for showing them side by side:
    ``{a, b, distance, status, decided_by, reason, items: [side, side]}``, each side
    ``{id, sha256, media_type, name, preview, summary, graphic}``. *preview* (the SHA-256 of the
    image to show: the photo, or a video's first keyframe) and *summary* (its metadata
    without the position) only for users who may read that item's content."""
    from dalil.media.metadata import without_gps

    out = []
    for row in review_queue(ctx, status=status):
        sides = []
        for iid in (row["a"], row["b"]):
            item = ctx.session.get(EvidenceItem, iid)
            if item is None:
                continue
            side: dict[str, Any] = {"id": item.id, "sha256": item.sha256,
                                    "media_type": item.media_type,
                                    "name": evidence.item_dict(ctx, item)["original_name"],
                                    "preview": None, "summary": None,
                                    "graphic": bool(item.graphic)}  # fmt: skip
            if _may_read(ctx, item):
                pv = _preview(ctx, item)
                side["preview"] = pv.sha256 if pv is not None else None
                meta = _load_meta(ctx, item.id)
                if meta is not None:
                    side["summary"] = without_gps(meta)["summary"]
            sides.append(side)
        out.append({**row, "items": sides})
    return out
