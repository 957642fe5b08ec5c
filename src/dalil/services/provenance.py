"""Provenance: which evidence supports which record.

Provenance links themselves are kept by :mod:`dalil.services.records` (kind
``provenance``); this module answers questions about them for other services.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from dalil.core.context import Context
from dalil.model.evidence import EvidenceItem
from dalil.model.provenance import ProvenanceLink


def evidence_links(ctx: Context, kind: str, ids: Sequence[int]) -> dict[int, list[str]]:
    """Evidence ids (as strings) supporting each record of KIND: linked directly, or
    through a source's evidentiary item."""
    if not ids:
        return {}
    out: dict[int, list[str]] = {}
    q = select(ProvenanceLink).where(
        ProvenanceLink.subject_kind == kind, ProvenanceLink.subject_id.in_(list(ids))
    )
    for p in ctx.session.scalars(q):
        if p.evidence_id is not None:
            out.setdefault(p.subject_id, []).append(str(p.evidence_id))
        elif p.source_id is not None:
            ev = ctx.session.scalars(
                select(EvidenceItem.id).where(
                    EvidenceItem.source_id == p.source_id, EvidenceItem.copy_kind == "evidentiary"
                )
            ).first()
            if ev is not None:
                out.setdefault(p.subject_id, []).append(str(ev))
    return out
