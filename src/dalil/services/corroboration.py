"""Claims, the sources that carry or contradict them, and the corroboration matrix.

The rules live in :mod:`dalil.findings.corroboration`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from sqlalchemy import select

from dalil.core import access
from dalil.core.context import Context, oid
from dalil.errors import InputError
from dalil.findings import corroboration as C
from dalil.model.evidence import EvidenceItem
from dalil.model.fields import first_day
from dalil.model.findings import (
    ClaimRow,
    ClaimSourceRow,
)
from dalil.model.incident import Incident
from dalil.model.source import Source
from dalil.services import retractions
from dalil.services.evidence import evidence_ids


def add_claim(
    ctx: Context,
    kind: str,
    text: str,
    *,
    place: str | None = None,
    date_start: str | None = None,
    date_end: str | None = None,
    low: int | None = None,
    high: int | None = None,
    incident_id: int | None = None,
) -> int:
    ctx.require(access.RECORD_WRITE, "add claims")
    if kind not in C.CLAIM_KINDS:
        raise InputError(f"claim kind must be one of {', '.join(C.CLAIM_KINDS)}")
    if not text.strip():
        raise InputError("a claim needs its text")
    if incident_id is not None:
        ctx.get(Incident, incident_id, "incident")
    row = ClaimRow(
        kind=kind,
        text=text.strip(),
        place=place,
        date_start=date_start,
        date_end=date_end,
        low=low,
        high=high,
        incident_id=incident_id,
        created_by=ctx.actor.name,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("claim.add", [oid("claim", row.id)], change={"kind": kind, "text": text})
    return row.id


def add_carrier(
    ctx: Context,
    claim_id: int,
    source_id: int,
    grade: str,
    *,
    stance: str = "supports",
    evidence: str | int | None = None,
    note: str | None = None,
) -> int:
    ctx.require(access.RECORD_WRITE, "grade sources")
    claim = ctx.get(ClaimRow, claim_id, "claim")
    src = ctx.get(Source, source_id, "source")
    r, cr = C.parse_grade(grade)
    if stance not in C.STANCES:
        raise InputError(f"stance must be one of {', '.join(C.STANCES)}")
    ev = evidence_ids(ctx, [evidence]) if evidence is not None else []
    row = ClaimSourceRow(
        claim_id=claim.id,
        source_id=src.id,
        reliability=r,
        credibility=cr,
        stance=stance,
        evidence_id=ev[0] if ev else None,
        note=note,
        created_by=ctx.actor.name,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit(
        "claim.source",
        [oid("claim", claim.id), oid("source", src.id)],
        change={"grade": f"{r}{cr}", "stance": stance},
    )
    return row.id


#: Derivation-graph groups already built, by the case and the content version key of the
#: sources' texts (:func:`_texts_version`); groups of source ids only, never any text.
#: Per process, the newest :data:`_GROUPS_KEEP` kept.
_GROUPS: OrderedDict[tuple[str, str], tuple[list[list[str]], str]] = OrderedDict()
_GROUPS_KEEP = 32
_GROUPS_LOCK = threading.Lock()
_TEXT_MAX = 2_000_000  # bytes of a source's text read for the graph


def _graph_texts(ctx: Context, source_ids: list[int]) -> list[tuple[int, str, Source | None]]:
    """For each source: the evidence item whose text feeds the graph (its first
    non-sensitive text item under :data:`_TEXT_MAX` bytes), as (source id, SHA-256,
    source), in one query each."""
    first: dict[int, str] = {}
    for sid, sha, media, size in ctx.session.execute(
        select(EvidenceItem.source_id, EvidenceItem.sha256, EvidenceItem.media_type,
               EvidenceItem.size)
        .where(EvidenceItem.source_id.in_(source_ids), EvidenceItem.sensitive.is_(False))
        .order_by(EvidenceItem.source_id, EvidenceItem.id)
    ):  # fmt: skip
        if (
            sid is not None
            and sid not in first
            and (media or "").startswith("text/")
            and size < _TEXT_MAX
        ):
            first[int(sid)] = str(sha)
    srcs = {x.id: x for x in ctx.session.scalars(select(Source).where(Source.id.in_(source_ids)))}
    return [(sid, first[sid], srcs.get(sid)) for sid in source_ids if sid in first]


def _texts_version(texts: list[tuple[int, str, Source | None]]) -> str:
    """The content version key of the graph's input: each source's id, the SHA-256 of
    the text read (content-addressed: a new text is a new key), its title and date."""
    h = hashlib.sha256(b"dalil.sources.graph v1\n")
    for sid, sha, src in texts:
        title = src.title if src else None
        day = src.published if src else None
        h.update(json.dumps([sid, sha, title, day], default=str).encode() + b"\n")
    return h.hexdigest()


def _source_groups(ctx: Context, source_ids: list[int]) -> tuple[list[list[str]] | None, str]:
    """Independent groups from the source-verification derivation graph, over the texts of
    the sources' (non-sensitive, text) evidence. ``None`` when it cannot be built.

    The graph compares every pair of texts, so it is built once per content version of
    its input (:func:`_texts_version`) and kept in this process: a view of the page
    after that reads no text (nothing to log as read) and costs a few queries."""
    try:
        from dalil.sources.graph import GraphDoc, build_graph
    except Exception:
        return None, "derivation graph not available (dalil.sources.graph missing)"
    if not ctx.can(access.EVIDENCE_READ):
        return None, "derivation graph not built: this user may not read evidence content"
    texts = _graph_texts(ctx, source_ids)
    key = (str(ctx.case.root), _texts_version(texts))
    with _GROUPS_LOCK:
        hit = _GROUPS.get(key)
        if hit is not None:
            _GROUPS.move_to_end(key)
            return [list(g) for g in hit[0]], hit[1]
    docs = []
    read: list[str] = []
    for sid, sha, src in texts:
        text = b"".join(ctx.case.blobs.open(sha)).decode("utf-8", "replace")
        read.append(sha)
        if text:
            docs.append(
                GraphDoc(
                    str(sid),
                    text,
                    src.title if src else None,
                    first_day(src.published) if src else None,
                )
            )
    if len(docs) < 2:
        return None, "derivation graph not built: fewer than two sources with readable text"
    if read:
        ctx.audit(
            "evidence.read",
            [oid("evidence", s) for s in read],
            detail={"reason": "corroboration: derivation graph", "items": len(read)},
        )
    graph = build_graph(docs)
    comp = graph.components()
    groups: dict[int, list[str]] = {}
    for doc_id, g in comp.items():
        groups.setdefault(g, []).append(doc_id)
    how = "derivation graph of the sources' texts (dalil.sources.graph; connected components = one line of reporting)"
    out = list(groups.values())
    with _GROUPS_LOCK:
        _GROUPS[key] = ([list(g) for g in out], how)
        while len(_GROUPS) > _GROUPS_KEEP:
            _GROUPS.popitem(last=False)
    return out, how


def corroboration(ctx: Context) -> dict[str, object]:
    """The corroboration matrix of the case's claims. A retracted source carries no
    claim (left out of the matrix); ``retracted_sources`` names those that did, with
    the claims that cited them."""
    ctx.require(access.CASE_READ, "read claims")
    claims = list(ctx.session.scalars(select(ClaimRow).order_by(ClaimRow.id)))
    every = list(ctx.session.scalars(select(ClaimSourceRow).order_by(ClaimSourceRow.id)))
    # a retracted source carries nothing: it is left out, and flagged on the claims it cited
    gone = retractions.retracted_ids(ctx, "source")
    carriers = [c for c in every if c.source_id not in gone]
    sids = sorted({c.source_id for c in carriers})
    groups, how = _source_groups(ctx, sids) if sids else (None, "no sources")
    m = C.matrix(
        [
            C.Claim(
                str(c.id),
                c.kind,
                c.text,
                c.place,
                c.date_start,
                c.date_end,
                c.low,
                c.high,
                str(c.incident_id) if c.incident_id else None,
            )
            for c in claims
        ],
        [
            C.Carrier(
                str(c.claim_id),
                str(c.source_id),
                c.reliability,
                c.credibility,
                c.stance,
                str(c.evidence_id) if c.evidence_id else None,
                c.note,
            )
            for c in carriers
        ],
        groups=groups,
        grouping=how,
    )
    if groups is None:
        m["grouping"] = f"each source its own group: {how}"
    titles = (
        {s.id: s.title for s in ctx.session.scalars(select(Source).where(Source.id.in_(sids)))}
        if sids
        else {}
    )
    m["source_titles"] = {str(k): v for k, v in titles.items()}
    flagged: dict[int, list[str]] = {}
    for c in every:
        if c.source_id in gone:
            flagged.setdefault(c.source_id, []).append(str(c.claim_id))
    m["retracted_sources"] = [
        {
            "source": str(sid),
            "title": (src.title if (src := ctx.session.get(Source, sid)) else None),
            "claims": sorted(set(cids), key=int),
        }
        for sid, cids in sorted(flagged.items())
    ]
    return m
