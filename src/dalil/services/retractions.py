"""Retract a record with a reason (never delete it), and restore it; what depends on
a retracted record; and the one filter every analysis reads records through.

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

Downstream (docs/guide.md, "Retracting a record"): analyses read records through
:func:`in_force`, :func:`list_records_in_force` and :func:`acts_in_force`, so a
retracted person, list or list record is not linked, compared or counted by the next
linkage run or estimate, a retracted source carries no claim, and an act of a retracted
incident or victim leaves reports. Results computed before a retraction or restore say
so (:func:`changed_since`).

Cascade: :func:`dependants` lists the records that depend on one (an incident's acts,
sites and provenance links; a person's acts as victim, memberships and provenance; a
source's evidence items and provenance links, and the claims it carries; a list's
records; …). ``retract(..., with_dependants=True)`` withdraws those still in force in
the same audited operation (one ``<kind>.retract`` entry naming them all), and
:func:`restore` of that record puts back exactly those. Without it, the dependants stay
in force and their pages say they depend on a retracted record (:func:`upstream`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select

from dalil.core import access
from dalil.core.context import Context, oid
from dalil.display.messages import N_, Message
from dalil.errors import Conflict, InputError
from dalil.model.act import Act
from dalil.model.common import as_utc, utcnow
from dalil.model.evidence import EvidenceItem
from dalil.model.fields import check_text
from dalil.model.findings import ClaimRow, ClaimSourceRow, ElementAssessmentRow
from dalil.model.incident import Incident
from dalil.model.lists import ListRecord, VictimList
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
    "list": VictimList,
    "list_record": ListRecord,
}

#: Kinds whose retraction or restore changes the input of a linkage run or an estimate.
ANALYSIS_KINDS = ("list", "list_record", "person")

#: What a list shows: ``hide`` (default: records in force), ``only`` (the retracted
#: ones, to find one to restore) or ``include`` (both; internal exports).
SHOWN = ("hide", "only", "include")

REASON_MIN = 3
REASON_MAX = 2000


def _gone(kind: str) -> Any:
    return select(Retraction.record_id).where(Retraction.kind == kind)


def retracted_query(kind: str) -> Any:
    """A subquery of the ids of the retracted records of *kind* (for ``not_in``)."""
    return _gone(_kind(kind))


def in_force(q: Any, kind: str, id_column: Any) -> Any:
    """*q* without the retracted records of *kind* (the analyses' filter)."""
    return q.where(id_column.not_in(_gone(kind)))


def list_records_in_force(q: Any) -> Any:
    """*q* (over ``ListRecord``) limited to the list records a linkage run or an estimate
    uses: not retracted, of a list not retracted, and not linked to a retracted person
    (a retracted victim is not counted)."""
    return q.where(
        ListRecord.id.not_in(_gone("list_record")),
        ListRecord.list_id.not_in(_gone("list")),
        ListRecord.person_id.is_(None) | ListRecord.person_id.not_in(_gone("person")),
    )


def acts_in_force(q: Any, *, incident: bool = True) -> Any:
    """*q* (over ``Act``) limited to acts not retracted whose incident and victim are
    not retracted either (reports, findings counts); ``incident=False``: whatever their
    incident (the findings of one incident, shown on its own page)."""
    q = q.where(Act.id.not_in(_gone("act")), Act.victim_id.not_in(_gone("person")))
    return q.where(Act.incident_id.not_in(_gone("incident"))) if incident else q


def memberships_in_force(q: Any) -> Any:
    """*q* (over ``Membership``) limited to memberships not retracted whose person and
    unit are not retracted either (units' suspects, vetting)."""
    return q.where(
        Membership.id.not_in(_gone("membership")),
        Membership.person_id.not_in(_gone("person")),
        Membership.organization_id.not_in(_gone("unit")),
    )


def withdrawn_evidence(ctx: Context, ids: Any) -> set[int]:
    """Of the evidence item ids *ids* (cited by findings), those retracted or whose
    source is retracted: the findings citing them are flagged where shown."""
    wanted = {int(i) for i in ids if str(i).isdigit()}
    if not wanted:
        return set()
    q = select(EvidenceItem.id).where(
        EvidenceItem.id.in_(wanted),
        EvidenceItem.id.in_(_gone("evidence")) | EvidenceItem.source_id.in_(_gone("source")),
    )
    return set(ctx.session.scalars(q))


def changed_since(
    ctx: Context, when: Any, kinds: tuple[str, ...] = ANALYSIS_KINDS
) -> dict[str, int]:
    """How many records of *kinds* were retracted and restored after *when* (from the
    audit log, dependants included): ``{"retracted": n, "restored": m}``. A result
    computed at *when* (an estimate, a linkage run) is stale if either is not 0."""
    from dalil.core.audit import AuditEntry

    ctx.require(access.CASE_READ, "read records")
    out = {"retracted": 0, "restored": 0}
    if when is None:
        return out
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when)
        except ValueError:
            return out
    since = as_utc(when)
    actions = [f"{k}.{v}" for k in MODELS for v in ("retract", "restore")]
    rows = ctx.session.execute(
        select(AuditEntry.ts, AuditEntry.action, AuditEntry.object_ids).where(
            AuditEntry.action.in_(actions)
        )
    )
    for ts, action, objects in rows:
        try:
            at = as_utc(datetime.fromisoformat(ts.replace("Z", "+00:00")))
        except ValueError:
            continue
        if at <= since:
            continue
        n = sum(1 for o in json.loads(objects) if str(o).split(":", 1)[0] in kinds)
        out["retracted" if action.endswith(".retract") else "restored"] += n
    return out


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
        Message(
            N_("invalid retracted %(retracted)s; allowed: %(choices)s"),
            retracted=repr(retracted),
            choices=str(", ".join(SHOWN)),
        ),
        field="retracted",
    )


def _kind(kind: str) -> str:
    if kind not in MODELS:
        raise InputError(
            Message(
                N_("cannot retract %(kind)s records; kinds: %(choices)s"),
                kind=repr(kind),
                choices=str(", ".join(MODELS)),
            )
        )
    return kind


def _row(ctx: Context, kind: str, ident: int | str) -> Any:
    if kind == "evidence":
        from dalil.services.evidence import resolve_item

        return resolve_item(ctx, ident)
    try:
        number = int(ident)
    except (TypeError, ValueError):
        raise InputError(
            Message(
                N_("invalid %(kind)s id %(value)s"),
                kind=Message(str(kind)),
                value=repr(str(ident)[:40]),
            )
        ) from None
    return ctx.get(MODELS[kind], number, kind)


def _object_id(kind: str, row: Any) -> str:
    return oid(kind, row.sha256 if kind == "evidence" else row.id)


def _reason(reason: str | None) -> str:
    text = check_text(reason or "", "reason", max_len=REASON_MAX)
    if len(text) < REASON_MIN:
        raise InputError(
            Message(
                N_("a reason is required (at least %(min)s characters; it is logged)"),
                min=str(REASON_MIN),
            ),
            field="reason",
            code="reason_required",
        )
    return text


#: Statements a record page runs on every view, built once with bound parameters:
#: SQLAlchemy then neither builds them nor computes their cache keys again, and their
#: results need no adapting to a new statement object's columns.
_CURRENT = select(Retraction).where(
    Retraction.kind == bindparam("kind"), Retraction.record_id == bindparam("record_id")
)
_BY: dict[tuple[str, tuple[str, ...]], Any] = {}


def _by_statement(kind: str, fields: tuple[str, ...]) -> Any:
    """``select(model).where(field == :field, …).order_by(model.id)`` for *kind*, built
    once per kind and fields (:func:`_children`)."""
    q = _BY.get((kind, fields))
    if q is None:
        model = MODELS[kind]
        q = (
            select(model)
            .where(*(getattr(model, f) == bindparam(f) for f in fields))
            .order_by(model.id)
        )
        _BY[(kind, fields)] = q
    return q


def _current(ctx: Context, kind: str, record_id: int) -> Retraction | None:
    # read once per read-only transaction (a record page asks for its status and preview)
    held = ctx.recall(
        ("retractions.current", kind, record_id),
        lambda: list(ctx.session.scalars(_CURRENT, {"kind": kind, "record_id": record_id})),
    )
    return held[0] if held else None


def list_key(
    kind: str,
    filters: dict[str, Any],
    *,
    limit: int | None = None,
    offset: int = 0,
    retracted: str = "hide",
    after: int | None = None,
    before: int | None = None,
) -> tuple[Any, ...]:
    """The key under which ``records.list_`` recalls the rows it read in a read-only
    transaction (:meth:`Context.recall`); :func:`_children` reads a record's dependants
    under the same key (``retracted="include"``), so that a record page reading both
    its dependants and its related records makes one round trip for each."""
    return ("records.list_", kind, limit, offset, retracted, after, before,
            tuple(sorted((k, repr(v)) for k, v in filters.items())))  # fmt: skip


def retracted_among(ctx: Context, kind: str, ids: Any) -> set[int]:
    """Which of the records of *kind* with the ids *ids* are retracted (``case.read``):
    one query for just those ids, none when there are none; read once per read-only
    transaction."""
    ctx.require(access.CASE_READ, f"read {kind} records")
    wanted = tuple(sorted({int(i) for i in ids}))
    if not wanted:
        return set()
    kind = _kind(kind)

    def read() -> list[int]:
        q = select(Retraction.record_id).where(
            Retraction.kind == kind, Retraction.record_id.in_(wanted)
        )
        return list(ctx.session.scalars(q))

    return set(ctx.recall(("retractions.among", kind, wanted), read))


def _as_dict(r: Retraction) -> dict[str, Any]:
    return {"at": as_utc(r.retracted_at), "by": r.retracted_by, "reason": r.reason}


def retract(
    ctx: Context,
    kind: str,
    ident: int | str,
    *,
    reason: str | None,
    with_dependants: bool = False,
) -> dict[str, Any]:
    """Withdraw a record with a reason; refused if it is already retracted.

    With *with_dependants*, the records that depend on it and are still in force
    (:func:`dependants`) are withdrawn too, in the same audited operation (one entry,
    naming them all); :func:`restore` of this record puts them back. The answer carries
    ``dependants``: what depends on it, each with ``retracted`` (now) and ``cascade``
    (withdrawn by this operation)."""
    kind = _kind(kind)
    ctx.require(access.RECORD_WRITE, f"retract {kind} records")
    why = _reason(reason)
    row = _row(ctx, kind, ident)
    held = _current(ctx, kind, row.id)
    if held is not None:
        raise Conflict(
            Message(
                N_("%(kind)s %(id)s is already retracted (by %(retracted_by)s); restore it first"),
                kind=Message(str(kind)),
                id=str(ident),
                retracted_by=str(held.retracted_by),
            )
        )
    deps = _dependants(ctx, kind, row.id)
    now = utcnow()
    entry = Retraction(
        kind=kind, record_id=row.id, retracted_at=now, retracted_by=ctx.actor.name, reason=why
    )
    ctx.session.add(entry)
    ctx.session.flush()
    taken: list[str] = []
    for d in deps:
        d["cascade"] = False
        if with_dependants and d["retractable"] and not d["retracted"]:
            ctx.session.add(Retraction(kind=d["kind"], record_id=d["id"], retracted_at=now,
                                       retracted_by=ctx.actor.name, reason=why,
                                       cascade_of=entry.id))  # fmt: skip
            d["retracted"] = d["cascade"] = True
            taken.append(d["object_id"])
    ctx.session.flush()
    detail: dict[str, Any] = {"reason": why}
    if taken:
        detail["dependants"] = taken
    ctx.audit(f"{kind}.retract", [_object_id(kind, row), *taken], change={"reason": why},
              detail=detail)  # fmt: skip
    return {**_as_dict(entry), "dependants": deps}


def restore(ctx: Context, kind: str, ident: int | str, *, reason: str | None) -> dict[str, Any]:
    """Put a retracted record back in force, with a reason (the retraction stays in the
    audit log), and the dependants its retraction withdrew with it (those not restored
    since): exactly what that operation retracted, in one audited operation."""
    kind = _kind(kind)
    ctx.require(access.RECORD_WRITE, f"restore {kind} records")
    why = _reason(reason)
    row = _row(ctx, kind, ident)
    held = _current(ctx, kind, row.id)
    if held is None:
        raise Conflict(
            Message(
                N_("%(kind)s %(id)s is not retracted; nothing to restore"),
                kind=Message(str(kind)),
                id=str(ident),
            )
        )
    before = _as_dict(held)
    with_it = list(
        ctx.session.scalars(
            select(Retraction).where(Retraction.cascade_of == held.id).order_by(Retraction.id)
        )
    )
    back = [_object_id(r.kind, _dependant_row(ctx, r.kind, r.record_id)) for r in with_it]
    for r in with_it:
        ctx.session.delete(r)
    ctx.session.delete(held)
    ctx.session.flush()
    detail: dict[str, Any] = {
        "reason": why,
        "retracted_by": before["by"],
        "retraction_reason": before["reason"],
    }
    if back:
        detail["dependants"] = back
    ctx.audit(f"{kind}.restore", [_object_id(kind, row), *back], change={"reason": why},
              detail=detail)  # fmt: skip
    return {"restored": True, "reason": why, "dependants": back}


def _dependant_row(ctx: Context, kind: str, record_id: int) -> Any:
    return ctx.get(MODELS[kind], record_id, kind)


_ROW = N_("row %(row)s")


#: Act type codes whose words differ from the code (the others are their own msgid).
_ACT_TYPE_WORDS: dict[str, str] = {
    "sexual_violence": N_("sexual violence"),
    "forced_displacement": N_("forced displacement"),
    "property_destruction": N_("destruction of property"),
}


def _label(kind: str, row: Any) -> str:
    """A human label of a record (never a protected field); an act's, a list record's,
    an assessment's, a provenance link's and a membership's as a :class:`Message` (codes
    in words; "row N"), shown in the reader's language."""
    for attr in ("title", "pseudonym", "name", "original_name"):
        v = getattr(row, attr, None)
        if v:
            return str(v)
    if kind == "act":
        words = Message(_ACT_TYPE_WORDS.get(row.act_type, row.act_type))
        if row.date:
            return Message(N_("%(type)s %(date)s"), type=words, date=row.date)
        return words
    if kind == "claim":
        return str(row.text)[:120]
    if kind == "assessment":
        from dalil.findings.assessment import ELEMENT_LABELS

        what = (
            Message(N_("act %(id)s"), id=str(row.act_id))
            if row.act_id
            else Message(N_("incident %(id)s"), id=str(row.incident_id))
        )
        return Message(
            N_("%(element)s: %(finding)s (%(what)s)"),
            element=Message(ELEMENT_LABELS.get(row.element, row.element)),
            finding=Message(row.finding),
            what=what,
        )
    if kind == "list_record":
        return Message(_ROW, row=str(row.row))
    if kind == "provenance":
        return Message(
            N_("%(role)s %(kind)s %(id)s"),
            role=Message(row.role),
            kind=Message(row.subject_kind),
            id=str(row.subject_id),
        )
    if kind == "membership":
        return Message(
            N_("person %(person)s in unit %(unit)s"),
            person=str(row.person_id),
            unit=str(row.organization_id),
        )
    return f"{kind} {row.id}"


def _children(ctx: Context, kind: str, record_id: int) -> list[tuple[str, Any]]:
    """The records that depend on (kind, id), retractable ones first."""
    s = ctx.session
    out: list[tuple[str, Any]] = []

    def add(k: str, q: Any) -> None:
        out.extend((k, r) for r in s.scalars(q.order_by(MODELS[k].id)))

    def by(k: str, **filters: Any) -> None:
        """The records of *k* with these field values, retracted ones too, in id order:
        what ``records.list_(ctx, k, retracted="include", **filters)`` reads, recalled
        under its key (a page showing both reads them once)."""
        q = _by_statement(k, tuple(filters))
        rows = ctx.recall(list_key(k, filters, retracted="include"),
                          lambda: list(s.scalars(q, filters)))  # fmt: skip
        out.extend((k, r) for r in rows)

    if kind == "incident":
        by("act", incident_id=record_id)
        by("site", incident_id=record_id)
        by("provenance", subject_kind="incident", subject_id=record_id)
    elif kind == "person":
        by("act", victim_id=record_id)
        by("membership", person_id=record_id)
        by("provenance", subject_kind="person", subject_id=record_id)
    elif kind == "act":
        by("provenance", subject_kind="act", subject_id=record_id)
    elif kind == "site":
        by("provenance", subject_kind="site", subject_id=record_id)
    elif kind == "unit":
        by("membership", organization_id=record_id)
    elif kind == "source":
        add("evidence", select(EvidenceItem).where(EvidenceItem.source_id == record_id))
        by("provenance", source_id=record_id)
        claims = select(ClaimSourceRow.claim_id).where(ClaimSourceRow.source_id == record_id)
        out.extend(("claim", c) for c in s.scalars(
            select(ClaimRow).where(ClaimRow.id.in_(claims)).order_by(ClaimRow.id)))  # fmt: skip
        items = [i for k, i in out if k == "evidence"]
        out.extend(_citing(ctx, {i.id for i in items}))
    elif kind == "evidence":
        by("provenance", evidence_id=record_id)
        out.extend(_citing(ctx, {record_id}))
    elif kind == "list":
        add("list_record", select(ListRecord).where(ListRecord.list_id == record_id))
    return out


def _citing(ctx: Context, evidence: set[int]) -> list[tuple[str, Any]]:
    """Legal findings (element assessments) that cite one of the evidence items."""
    if not evidence:
        return []
    rows = ctx.session.scalars(select(ElementAssessmentRow).order_by(ElementAssessmentRow.id))
    return [("assessment", r) for r in rows if evidence & {int(e) for e in r.evidence or []}]


def _retracted_among(ctx: Context, rows: list[tuple[str, Any]]) -> set[tuple[str, int]]:
    """Which of the records *rows* (``(kind, row)``) are retracted: one query for just
    those ids (not the whole table of retractions, read on every record page before),
    none when there are none."""
    wanted: dict[str, set[int]] = {}
    for k, row in rows:
        if k in MODELS:
            wanted.setdefault(k, set()).add(int(row.id))
    if not wanted:
        return set()
    q = select(Retraction.kind, Retraction.record_id).where(
        or_(*(and_(Retraction.kind == k, Retraction.record_id.in_(sorted(ids)))
              for k, ids in wanted.items()))
    )  # fmt: skip
    found = {(k, i) for k, i in ctx.session.execute(q)}
    for k, ids in wanted.items():  # known now: retracted_among() of these needs no query
        mine: list[int] = [i for kk, i in found if kk == k]
        ctx.recall(("retractions.among", k, tuple(sorted(ids))), mine.copy)
    return found


def _dependants(ctx: Context, kind: str, record_id: int) -> list[dict[str, Any]]:
    children = _children(ctx, kind, record_id)
    gone = _retracted_among(ctx, children)
    out = []
    for k, row in children:
        retractable = k in MODELS
        out.append(
            {
                "kind": k,
                "id": row.sha256 if k == "evidence" else row.id,
                "object_id": _object_id(k, row) if retractable else oid(k, row.id),
                "label": _label(k, row),
                "retractable": retractable,
                "retracted": (k, row.id) in gone,
            }
        )
        if k == "evidence":
            out[-1]["id"] = row.id
            out[-1]["sha256"] = row.sha256
        if k == "assessment":
            out[-1]["act_id"], out[-1]["incident_id"] = row.act_id, row.incident_id
    return out


def dependants(ctx: Context, kind: str, ident: int | str) -> list[dict[str, Any]]:
    """What depends on a record (``case.read``): ``{kind, id, object_id, label,
    retractable, retracted}`` each. Retractable dependants can be withdrawn with it
    (``with_dependants``); the others (claims carried by a source, legal findings citing
    an evidence item or a source's items) are flagged where they are shown. Evidence
    dependants also carry ``sha256``, findings ``act_id`` and ``incident_id``."""
    kind = _kind(kind)
    ctx.require(access.CASE_READ, f"read {kind} records")
    row = _row(ctx, kind, ident)
    return _dependants(ctx, kind, row.id)


def withdrawn_with(ctx: Context, kind: str, ident: int | str) -> list[dict[str, Any]]:
    """The dependants a retracted record's operation withdrew with it and that are still
    retracted: what :func:`restore` of it puts back (``case.read``); ``{kind, id,
    object_id, label}`` each (evidence also ``sha256``)."""
    kind = _kind(kind)
    ctx.require(access.CASE_READ, f"read {kind} records")
    row = _row(ctx, kind, ident)
    held = _current(ctx, kind, row.id)
    if held is None:
        return []
    out = []
    q = select(Retraction).where(Retraction.cascade_of == held.id).order_by(Retraction.id)
    for r in ctx.session.scalars(q):
        dep = _dependant_row(ctx, r.kind, r.record_id)
        d = {"kind": r.kind, "id": dep.id, "object_id": _object_id(r.kind, dep),
             "label": _label(r.kind, dep)}  # fmt: skip
        if r.kind == "evidence":
            d["sha256"] = dep.sha256
        out.append(d)
    return out


def _parents(ctx: Context, kind: str, row: Any) -> list[tuple[str, int]]:
    """The records *row* depends on (the reverse of :func:`_children`)."""
    out: list[tuple[str, int]] = []
    if kind == "act":
        out += [("incident", row.incident_id), ("person", row.victim_id)]
    elif kind == "site" and row.incident_id is not None:
        out.append(("incident", row.incident_id))
    elif kind == "membership":
        out += [("person", row.person_id), ("unit", row.organization_id)]
    elif kind == "provenance":
        if row.subject_kind in MODELS:
            out.append((row.subject_kind, row.subject_id))
        if row.source_id is not None:
            out.append(("source", row.source_id))
        if row.evidence_id is not None:
            out.append(("evidence", row.evidence_id))
    elif kind == "evidence" and row.source_id is not None:
        out.append(("source", row.source_id))
    elif kind == "list_record":
        out.append(("list", row.list_id))
        if row.person_id is not None:
            out.append(("person", row.person_id))
    return out


def upstream(ctx: Context, kind: str, ident: int | str) -> list[dict[str, Any]]:
    """The retracted records this one depends on (``case.read``): ``{kind, id,
    object_id, label, by, reason}`` each; empty when none is retracted. A record page
    shows them ("depends on a retracted record")."""
    kind = _kind(kind)
    ctx.require(access.CASE_READ, f"read {kind} records")
    row = _row(ctx, kind, ident)
    out = []
    for k, i in _parents(ctx, kind, row):
        held = _current(ctx, k, i)
        parent = ctx.session.get(MODELS[k], i) if held is not None else None
        if held is None or parent is None:
            continue
        out.append(
            {
                "kind": k,
                "id": parent.sha256 if k == "evidence" else parent.id,
                "object_id": _object_id(k, parent),
                "label": _label(k, parent),
                "by": held.retracted_by,
                "reason": held.reason,
            }
        )
    return out


def refuse_edit_if_retracted(ctx: Context, kind: str, record_id: int) -> None:
    """An edit of a retracted record is refused (:class:`Conflict`): a withdrawn record
    is not changed in silence; it is restored, with a reason, before it is edited."""
    if kind not in MODELS:
        return
    held = _current(ctx, kind, record_id)
    if held is not None:
        raise Conflict(
            Message(
                N_(
                    "%(kind)s %(id)s was retracted by %(retracted_by)s; restore it "
                    "(with a reason) before editing it"
                ),
                kind=Message(str(kind)),
                id=str(record_id),
                retracted_by=str(held.retracted_by),
            )
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


def impact(ctx: Context, kind: str, ident: int | str) -> dict[str, Any]:
    """What retracting a record would change downstream or, if it is retracted, what
    restoring it would change; nothing is changed and nothing is logged (``case.read``):
    the preview a retract or restore form shows before it is confirmed.

    ``{kind, id, object_id, label, retracted, restore, dependants, list_records,
    victims, estimates, linkage_runs, findings}``: *restore* is true when the record is
    retracted (the figures are then those of a restore); *dependants* what depends on
    it (:func:`dependants`) or, for a restore, what its retraction withdrew with it
    (:func:`withdrawn_with`); *list_records* how many list records leave (or rejoin)
    the linkage runs and estimates; *victims* how many victims those records are linked
    to now (the next linkage run takes the records off them); *estimates* and
    *linkage_runs* how many were computed before and will then say they predate it
    (:func:`changed_since`) until run again; *findings* how many legal findings and
    claims are flagged (or no longer flagged) for citing a retracted record."""
    from dalil.model.findings import EstimateRow
    from dalil.model.lists import LinkageRun

    kind = _kind(kind)
    ctx.require(access.CASE_READ, f"read {kind} records")
    row = _row(ctx, kind, ident)
    held = _current(ctx, kind, row.id)
    s = ctx.session
    cols = select(ListRecord.id, ListRecord.list_id, ListRecord.person_id, ListRecord.row)
    where: Any = None
    if kind == "list_record":
        where = ListRecord.id == row.id
    elif kind == "list":
        where = ListRecord.list_id == row.id
    elif kind == "person":
        where = ListRecord.person_id == row.id
    recs: list[Any] = []
    gone_now: set[tuple[str, int]] = set()
    if where is not None:
        recs = list(s.execute(cols.where(where).order_by(ListRecord.id)))
    if recs:  # (no list records: none of them is retracted either)
        # the retractions that bear on these records only (not the whole table)
        mine = select(ListRecord.id).where(where)
        lists_of = select(ListRecord.list_id).where(where)
        victims = select(ListRecord.person_id).where(where, ListRecord.person_id.is_not(None))
        q = select(Retraction.kind, Retraction.record_id).where(
            ((Retraction.kind == "list_record") & Retraction.record_id.in_(mine))
            | ((Retraction.kind == "list") & Retraction.record_id.in_(lists_of))
            | ((Retraction.kind == "person") & Retraction.record_id.in_(victims))
        )
        gone_now = {(k, i) for k, i in s.execute(q)}
    withdrawn: set[tuple[str, int]] = set()
    if held is not None:
        q = select(Retraction.kind, Retraction.record_id).where(Retraction.cascade_of == held.id)
        withdrawn = {(k, i) for k, i in s.execute(q)}
    after = (gone_now - withdrawn - {(kind, row.id)}) if held else gone_now | {(kind, row.id)}
    if kind == "list":  # its records, read once (a list may hold many thousands)
        deps = [
            {"kind": "list_record", "id": r.id, "object_id": oid("list_record", r.id),
             "label": Message(_ROW, row=str(r.row)), "retractable": True,
             "retracted": ("list_record", r.id) in gone_now}
            for r in recs
            if held is None or ("list_record", r.id) in withdrawn
        ]  # fmt: skip
        flagged: list[dict[str, Any]] = []
    else:
        every = _dependants(ctx, kind, row.id)
        flagged = [d for d in every if not d["retractable"]]
        deps = (
            every
            if held is None
            else withdrawn_with(ctx, kind, row.id if kind != "evidence" else row.sha256)
        )

    def live(gone: set[tuple[str, int]], r: Any) -> bool:
        return (
            ("list_record", r.id) not in gone
            and ("list", r.list_id) not in gone
            and (r.person_id is None or ("person", r.person_id) not in gone)
        )

    changed = [r for r in recs if live(gone_now, r) != live(after, r)]
    stale = bool(changed)
    return {
        "kind": kind,
        "id": row.sha256 if kind == "evidence" else row.id,
        "object_id": _object_id(kind, row),
        "label": _label(kind, row),
        "retracted": held is not None,
        "restore": held is not None,
        "dependants": deps,
        "list_records": len(changed),
        "victims": len({r.person_id for r in changed if r.person_id is not None}),
        "estimates": int(s.scalar(select(func.count(EstimateRow.id))) or 0) if stale else 0,
        "linkage_runs": int(s.scalar(select(func.count(LinkageRun.id))) or 0) if stale else 0,
        "findings": len(flagged),
    }
