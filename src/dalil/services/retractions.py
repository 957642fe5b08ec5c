"""Retract a record with a reason (never delete it), and restore it.

A retracted record leaves the lists (:func:`narrow` is applied by the list and count
functions of ``records``, ``persons`` and ``evidence``), the search results and the
public or court exports (reports, BagIt bags); its page, its history in the audit log
and internal exports (``dalil export records``) keep it, marked. Both steps need
``record.write`` and a reason, and are audited (``<kind>.retract``, ``<kind>.restore``)
with the reason.

    from dalil.services import retractions
    with case.act() as ctx:
        retractions.retract(ctx, "incident", 3, reason="entered twice (same as 2)")
        retractions.restore(ctx, "incident", 3, reason="not the same raid after all")
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dalil.core import access
from dalil.core.context import Context, oid
from dalil.errors import Conflict, InputError
from dalil.model.act import Act
from dalil.model.common import as_utc, utcnow
from dalil.model.evidence import EvidenceItem
from dalil.model.fields import check_text
from dalil.model.incident import Incident
from dalil.model.organization import Membership, Organization
from dalil.model.person import Person
from dalil.model.provenance import ProvenanceLink
from dalil.model.retraction import RETRACTABLE_KINDS as RETRACTABLE_KINDS
from dalil.model.retraction import Retraction
from dalil.model.site import Site
from dalil.model.source import Source

MODELS: dict[str, type[Any]] = {
    "incident": Incident,
    "person": Person,
    "act": Act,
    "site": Site,
    "unit": Organization,
    "membership": Membership,
    "provenance": ProvenanceLink,
    "source": Source,
    "evidence": EvidenceItem,
}

#: What a list shows: ``hide`` (default: records in force), ``only`` (the retracted
#: ones, to find one to restore) or ``include`` (both; internal exports).
SHOWN = ("hide", "only", "include")

REASON_MIN = 3
REASON_MAX = 2000


def narrow(q: Any, kind: str, id_column: Any, retracted: str = "hide") -> Any:
    """*q* limited to records in force (``hide``), retracted ones (``only``) or all."""
    if retracted == "include":
        return q
    ids = select(Retraction.record_id).where(Retraction.kind == kind)
    if retracted == "hide":
        return q.where(id_column.not_in(ids))
    if retracted == "only":
        return q.where(id_column.in_(ids))
    raise InputError(
        f"invalid retracted {retracted!r}; allowed: {', '.join(SHOWN)}", field="retracted"
    )


def _kind(kind: str) -> str:
    if kind not in MODELS:
        raise InputError(f"cannot retract {kind!r} records; kinds: {', '.join(MODELS)}")
    return kind


def _row(ctx: Context, kind: str, ident: int | str) -> Any:
    if kind == "evidence":
        from dalil.services.evidence import resolve_item

        return resolve_item(ctx, ident)
    try:
        number = int(ident)
    except (TypeError, ValueError):
        raise InputError(f"invalid {kind} id {str(ident)[:40]!r}") from None
    return ctx.get(MODELS[kind], number, kind)


def _object_id(kind: str, row: Any) -> str:
    return oid(kind, row.sha256 if kind == "evidence" else row.id)


def _reason(reason: str | None) -> str:
    text = check_text(reason or "", "reason", max_len=REASON_MAX)
    if len(text) < REASON_MIN:
        raise InputError(
            f"a reason is required (at least {REASON_MIN} characters; it is logged)",
            field="reason",
            code="reason_required",
        )
    return text


def _current(ctx: Context, kind: str, record_id: int) -> Retraction | None:
    return ctx.session.scalar(
        select(Retraction).where(Retraction.kind == kind, Retraction.record_id == record_id)
    )


def _as_dict(r: Retraction) -> dict[str, Any]:
    return {"at": as_utc(r.retracted_at), "by": r.retracted_by, "reason": r.reason}


def retract(ctx: Context, kind: str, ident: int | str, *, reason: str | None) -> dict[str, Any]:
    """Withdraw a record with a reason; refused if it is already retracted."""
    kind = _kind(kind)
    ctx.require(access.RECORD_WRITE, f"retract {kind} records")
    why = _reason(reason)
    row = _row(ctx, kind, ident)
    held = _current(ctx, kind, row.id)
    if held is not None:
        raise Conflict(
            f"{kind} {ident} is already retracted (by {held.retracted_by}); restore it first"
        )
    entry = Retraction(
        kind=kind, record_id=row.id, retracted_at=utcnow(), retracted_by=ctx.actor.name, reason=why
    )
    ctx.session.add(entry)
    ctx.session.flush()
    ctx.audit(f"{kind}.retract", [_object_id(kind, row)], change={"reason": why},
              detail={"reason": why})  # fmt: skip
    return _as_dict(entry)


def restore(ctx: Context, kind: str, ident: int | str, *, reason: str | None) -> dict[str, Any]:
    """Put a retracted record back in force, with a reason (the retraction stays in the
    audit log)."""
    kind = _kind(kind)
    ctx.require(access.RECORD_WRITE, f"restore {kind} records")
    why = _reason(reason)
    row = _row(ctx, kind, ident)
    held = _current(ctx, kind, row.id)
    if held is None:
        raise Conflict(f"{kind} {ident} is not retracted; nothing to restore")
    before = _as_dict(held)
    ctx.session.delete(held)
    ctx.session.flush()
    ctx.audit(
        f"{kind}.restore",
        [_object_id(kind, row)],
        change={"reason": why},
        detail={
            "reason": why,
            "retracted_by": before["by"],
            "retraction_reason": before["reason"],
        },
    )
    return {"restored": True, "reason": why}


def refuse_edit_if_retracted(ctx: Context, kind: str, record_id: int) -> None:
    """An edit of a retracted record is refused (:class:`Conflict`): a withdrawn record
    is not changed in silence; it is restored, with a reason, before it is edited."""
    if kind not in MODELS:
        return
    held = _current(ctx, kind, record_id)
    if held is not None:
        raise Conflict(
            f"{kind} {record_id} was retracted by {held.retracted_by}; "
            "restore it (with a reason) before editing it"
        )


def status(ctx: Context, kind: str, record_id: int) -> dict[str, Any] | None:
    """``{at, by, reason}`` if the record is retracted, else ``None`` (``case.read``)."""
    ctx.require(access.CASE_READ, f"read {kind} records")
    held = _current(ctx, _kind(kind), record_id)
    return _as_dict(held) if held is not None else None


def retracted_ids(ctx: Context, kind: str) -> set[int]:
    """Ids of the retracted records of *kind* (``case.read``)."""
    ctx.require(access.CASE_READ, f"read {kind} records")
    q = select(Retraction.record_id).where(Retraction.kind == _kind(kind))
    return set(ctx.session.scalars(q))


def hidden(ctx: Context) -> set[tuple[str, int]]:
    """``(kind, id)`` of every retracted record (search leaves them out)."""
    ctx.require(access.CASE_READ, "read records")
    return {(k, i) for k, i in ctx.session.execute(select(Retraction.kind, Retraction.record_id))}


def all_retractions(ctx: Context) -> dict[tuple[str, int], dict[str, Any]]:
    """``(kind, id) -> {at, by, reason}`` of every retracted record (internal exports)."""
    ctx.require(access.CASE_READ, "read records")
    return {(r.kind, r.record_id): _as_dict(r) for r in ctx.session.scalars(select(Retraction))}
