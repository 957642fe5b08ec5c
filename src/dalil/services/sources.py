"""Source verification on a case: compare and graph over stored sources.

Everything goes through a :class:`dalil.services.context.Context` (permissions and audit
in one place).  A source's text is its working copy (text extracted by ``source add``)
or, failing that, its evidentiary original extracted again.  Reading it is evidence
content: it needs ``evidence.read`` (``evidence.read_sensitive`` for sensitive items) and
is logged as ``evidence.read``.  The comparison is logged as ``sources.compare`` and the
graph as ``sources.graph`` — with ids and counts only, never any document text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from dalil import access
from dalil.errors import InputError, NotFound, PermissionDenied
from dalil.sources.compare import Document, analyse, compare
from dalil.sources.text import MAX_BYTES, extract_bytes

if TYPE_CHECKING:
    from dalil.services.context import Context

_ID = re.compile(r"^(?:source:)?(\d{1,18})$")


def parse_source_ref(ref: str) -> int | None:
    """``7`` or ``source:7`` → 7; anything else → None."""
    m = _ID.match(ref.strip())
    return int(m.group(1)) if m else None


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
    from dalil.model.source import Source
    from dalil.services.context import oid

    ctx.require(access.CASE_READ, "read sources")
    src = ctx.session.get(Source, source_id)
    if src is None:
        raise NotFound(f"no source with id {source_id}")
    items = _readable_items(ctx, source_id)
    if not items:
        raise InputError(
            f"source {source_id} has no file: add one with `dalil source add FILE` first"
        )
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
    *source_ids* so the audit entry lists them); the DESIGN.md comparison result."""
    from dalil.services.context import oid

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
    from dalil.model.source import Source
    from dalil.services.context import oid
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
