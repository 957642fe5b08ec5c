"""Claims, the sources that carry or contradict them, and the corroboration matrix.

The rules live in :mod:`dalil.findings.corroboration`.
"""

from __future__ import annotations

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


def _source_groups(ctx: Context, source_ids: list[int]) -> tuple[list[list[str]] | None, str]:
    """Independent groups from the source-verification derivation graph, over the texts of
    the sources' (non-sensitive, text) evidence. ``None`` when it cannot be built."""
    try:
        from dalil.sources.graph import GraphDoc, build_graph
    except Exception:
        return None, "derivation graph not available (dalil.sources.graph missing)"
    if not ctx.can(access.EVIDENCE_READ):
        return None, "derivation graph not built: this user may not read evidence content"
    docs = []
    read: list[str] = []
    for sid in source_ids:
        items = list(
            ctx.session.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.source_id == sid, EvidenceItem.sensitive.is_(False))
                .order_by(EvidenceItem.id)
            )
        )
        text = None
        for it in items:
            if (it.media_type or "").startswith("text/") and it.size < 2_000_000:
                text = b"".join(ctx.case.blobs.open(it.sha256)).decode("utf-8", "replace")
                read.append(it.sha256)
                break
        if text:
            src = ctx.session.get(Source, sid)
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
    return (
        list(groups.values()),
        "derivation graph of the sources' texts (dalil.sources.graph; connected components = one line of reporting)",
    )


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
