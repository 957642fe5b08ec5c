"""Reviewing victim-list pairs as a team: review sessions, the pair view, undo and the
list of decisions made.

* A **review session** holds the reason a reviewer gave, once, for seeing the names of
  the pairs they review (``linkage.reveal``: admin, investigator, analyst, legal). Every
  pair whose names are then shown is logged on its own (``linkage.reveal`` with the two
  records, the reason and the session), so the log still says which names each reviewer
  saw. A session belongs to the reviewer who started it and ends when they end it or
  :data:`REVIEW_SESSION_HOURS` after it began.
* The **pair view** shows the two records field by field and what drove the score: each
  comparison of the latest linkage model, the level the pair reached and its weight
  (log2 Bayes factor: how many times more, or less, likely the pair is the same person
  for what that field shows).
* **Undo** withdraws a decision: the pair is undecided again (back in the queue, scored
  by the latest model) and later linkage runs use the model for it. An undo is itself
  audited (``linkage.undo``, with the verdict withdrawn and who had given it).

Deciding and undoing need ``linkage.decide`` (admin, analyst, investigator).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from dalil.core import access
from dalil.core.context import oid
from dalil.display.messages import N_, Message
from dalil.errors import Conflict, InputError, NotFound, PermissionDenied
from dalil.model.common import utcnow
from dalil.model.lists import (
    LinkageRun,
    LinkDecision,
    ListRecord,
    ReviewPair,
    ReviewSession,
    VictimDecision,
    VictimList,
    VictimMatch,
)
from dalil.services import lists

if TYPE_CHECKING:
    from dalil.core.context import Context

#: A review session ends by itself this many hours after it began.
REVIEW_SESSION_HOURS = 12
#: A weight (bits) smaller than this either way is shown as "no evidence either way".
NEUTRAL_BITS = 0.1


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _session_dict(row: ReviewSession) -> dict[str, Any]:
    return {
        "id": row.id,
        "user": row.user_name,
        "reason": row.reason,
        "started_at": row.started_at,
        "ends_at": _aware(row.started_at) + timedelta(hours=REVIEW_SESSION_HOURS),
        "ended_at": row.ended_at,
    }


def start_review(ctx: Context, reason: str) -> dict[str, Any]:
    """Start a review session with *reason* (5-1000 characters), stated once for the
    names of every pair reviewed in it. Audited ``linkage.review_start``."""
    ctx.require(access.LINKAGE_REVEAL, "see the names of pairs under review")
    text = " ".join(str(reason or "").split())
    if len(text) < 5:
        raise InputError(
            Message(N_("state why the names are needed (reason, 5+ characters)")), field="reason"
        )
    if len(text) > 1000:
        raise InputError(
            Message(N_("the reason is too long (at most 1000 characters)")), field="reason"
        )
    row = ReviewSession(user_name=ctx.actor.name, reason=text, started_at=utcnow())
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("linkage.review_start", [oid("review_session", row.id)],
              change={"reason": text}, detail={"reason": text})  # fmt: skip
    return _session_dict(row)


def active_review(ctx: Context, session_id: int) -> ReviewSession:
    """The actor's review session *session_id* if it is still open; PermissionDenied for
    another reviewer's session, Conflict for one that has ended."""
    ctx.require(access.LINKAGE_REVEAL, "see the names of pairs under review")
    row = ctx.session.get(ReviewSession, session_id) if 0 < session_id < 2**62 else None
    if row is None:
        raise NotFound(
            Message(N_("no review session with id %(session_id)s"), session_id=str(session_id))
        )
    if row.user_name != ctx.actor.name:
        ctx.denied = access.LINKAGE_REVEAL
        raise PermissionDenied(
            Message(
                N_("review session %(session_id)s is another reviewer's: state your own reason"),
                session_id=str(session_id),
            )
        )
    ends = _aware(row.started_at) + timedelta(hours=REVIEW_SESSION_HOURS)
    if row.ended_at is not None or utcnow() >= ends:
        raise Conflict(
            Message(
                N_(
                    "review session %(session_id)s has ended: state the reason again to "
                    "start a new one"
                ),
                session_id=str(session_id),
            )
        )
    return row


def end_review(ctx: Context, session_id: int) -> dict[str, Any]:
    """End the actor's review session (audited ``linkage.review_end``)."""
    row = ctx.session.get(ReviewSession, session_id) if 0 < session_id < 2**62 else None
    if row is None or row.user_name != ctx.actor.name:
        ctx.require(access.LINKAGE_REVEAL, "end a review session")
        raise NotFound(
            Message(
                N_("no review session of yours with id %(session_id)s"), session_id=str(session_id)
            )
        )
    if row.ended_at is None:
        row.ended_at = utcnow()
        ctx.audit("linkage.review_end", [oid("review_session", row.id)])
    return _session_dict(row)


# --------------------------------------------------------------------------------------
# The pair view
# --------------------------------------------------------------------------------------


def _direction(weight: float) -> str:
    if weight > NEUTRAL_BITS:
        return "same"
    if weight < -NEUTRAL_BITS:
        return "different"
    return "neither"


def _explained(ctx: Context, key: str) -> dict[str, Any] | None:
    """The latest run's score of *key*, field by field (None before any run): what the
    run kept (:func:`dalil.services.lists.stored_explanations`), else scored again."""
    from dalil.linkage.incremental import explain_pairs

    if ctx.session.scalar(select(LinkageRun.id).limit(1)) is None:
        return None
    out = lists.stored_explanations(ctx, [key]).get(key)
    if out is None:
        # a run made before runs kept the explanations, or a pair it did not keep:
        # scored again, as the run scored it (every list record and recorded victim)
        model = lists._latest_model(ctx)
        a, b = key.split("-")
        found = explain_pairs(lists._explain_records(ctx, [a, b]), [a, b], model, protected=True)
        if not found:
            return None
        out = found[0]
    fields = []
    for f in out["fields"]:
        w = float(f["weight"])
        fields.append({**f, "bayes_factor": float(f"{2.0**w:.3g}"), "direction": _direction(w)})
    fields.sort(key=lambda f: -abs(float(f["weight"])))
    return {"probability": out["probability"], "match_weight": out["match_weight"],
            "fields": fields}  # fmt: skip


def _decision(ctx: Context, key: str) -> dict[str, Any] | None:
    row: LinkDecision | VictimDecision | None
    vp = lists._victim_pair(key)
    if vp is not None:
        row = ctx.session.scalar(
            select(VictimDecision).where(
                VictimDecision.record_id == vp[0], VictimDecision.person_id == vp[1]
            )
        )
    else:
        a, b = lists.parse_pair(key)
        row = ctx.session.scalar(
            select(LinkDecision).where(LinkDecision.record_a == a, LinkDecision.record_b == b)
        )
    if row is None:
        return None
    return {"verdict": row.verdict, "decided_by": row.decided_by, "decided_at": row.decided_at,
            "note": row.note if ctx.can(access.LINKAGE_REVEAL) else None}  # fmt: skip


def pair_view(ctx: Context, pair: str, *, review_session: int | None = None) -> dict[str, Any]:
    """One pair of the review: both records' open fields (and their names within the
    actor's *review_session*: logged ``linkage.reveal`` for this pair, citing the
    session's reason), the queue's probability, the latest model's score field by field
    (strongest first; ``weight`` in bits, ``bayes_factor`` = 2**weight, ``direction``
    same/different/neither), the decision if one is stored, and the actor's part in a
    blind double review of the pair (:func:`dalil.services.blind_review.state`)."""
    from dalil.model.person import Person
    from dalil.services import blind_review
    from dalil.services.persons import _ctx_field

    ctx.require(access.CASE_READ, "view linkage pairs")
    sess = active_review(ctx, review_session) if review_session is not None else None
    key = lists.pair_key(pair)
    names = {v.id: v.name for v in ctx.session.scalars(select(VictimList))}
    a_id, b_txt = key.split("-")
    ra = ctx.session.get(ListRecord, int(a_id))
    if ra is None:
        raise NotFound(Message(N_("no list record with id %(id)s"), id=str(a_id)))
    a = lists._open_fields(ra, names[ra.list_id], ctx)
    revealed = [oid("list_record", ra.id)]
    person = None
    queued: float | None
    if b_txt.startswith(lists._PERSON_PREFIX):
        person = ctx.session.get(Person, int(b_txt[1:]))
        if person is None or "victim" not in (person.roles or []):
            raise NotFound(
                Message(N_("no recorded victim with person id %(id)s"), id=str(b_txt[1:]))
            )
        b: dict[str, Any] = {"id": key.split("-")[1], "list": person.pseudonym,
                             "recorded_victim": True, "person_id": person.id,
                             "sex": {"male": "m", "female": "f"}.get(person.sex or ""),
                             "age": person.age, "birth_year": None,
                             "date_of_death": lists._act_date(ctx, person.id),
                             "place_of_death": None, "governorate": None, "derived": []}  # fmt: skip
        revealed.append(oid("person", person.id))
        queued = ctx.session.scalar(
            select(VictimMatch.probability).where(
                VictimMatch.record_id == ra.id, VictimMatch.person_id == person.id
            )
        )
    else:
        rb = ctx.session.get(ListRecord, int(b_txt))
        if rb is None:
            raise NotFound(Message(N_("no list record with id %(id)s"), id=str(b_txt)))
        b = lists._open_fields(rb, names[rb.list_id], ctx)
        revealed.append(oid("list_record", rb.id))
        queued = ctx.session.scalar(
            select(ReviewPair.probability).where(
                ReviewPair.record_a == ra.id, ReviewPair.record_b == rb.id
            )
        )
    if sess is not None:
        a["names"] = _names(ctx, ra)
        if person is not None:
            legal = (
                ctx.decrypt(person.legal_name_enc, _ctx_field(person.id, "legal_name"))
                if person.legal_name_enc
                else None
            )
            b["names"] = {"full_name": legal} if legal else {}
        else:
            assert rb is not None
            b["names"] = _names(ctx, rb)
        ctx.audit("linkage.reveal", revealed, change={"fields": list(lists.PROTECTED_KEYS[:6])},
                  detail={"reason": sess.reason, "review_session": sess.id})  # fmt: skip
    explained = _explained(ctx, key)
    blind = blind_review.state(ctx, key)
    decision = _decision(ctx, key)
    return {
        "pair": key,
        "kind": "victim" if person is not None else "records",
        "a": a,
        "b": b,
        "in_queue": queued is not None,
        "probability": round(float(queued), 4)
        if queued is not None
        else (explained or {}).get("probability"),
        "model_probability": (explained or {}).get("probability"),
        "match_weight": (explained or {}).get("match_weight"),
        "fields": (explained or {}).get("fields", []),
        "decision": decision,
        "blind": blind,
        "names_shown": sess is not None,
        "review_session": sess.id if sess is not None else None,
    }


def _names(ctx: Context, r: ListRecord) -> dict[str, str]:
    data = ctx.decrypt(r.data_enc, lists._data_context(r.id))
    return {k: data[k] for k in lists.PROTECTED_KEYS[:6] if data.get(k)}


# --------------------------------------------------------------------------------------
# Undo and the list of decisions
# --------------------------------------------------------------------------------------


def undo(ctx: Context, pair: str, *, note: str | None = None) -> dict[str, Any]:
    """Withdraw the decision on *pair*: the pair is undecided again and goes back to the
    review queue (scored by the latest model); later runs use the model for it.
    Audited ``linkage.undo`` (the verdict withdrawn, who had given it)."""
    ctx.require(access.LINKAGE_DECIDE, "undo linkage decisions")
    key = lists.pair_key(pair)
    row: LinkDecision | VictimDecision | None
    vp = lists._victim_pair(key)
    if vp is not None:
        row = ctx.session.scalar(
            select(VictimDecision).where(
                VictimDecision.record_id == vp[0], VictimDecision.person_id == vp[1]
            )
        )
        objects = [oid("list_record", vp[0]), oid("person", vp[1])]
    else:
        a, b = lists.parse_pair(key)
        row = ctx.session.scalar(
            select(LinkDecision).where(LinkDecision.record_a == a, LinkDecision.record_b == b)
        )
        objects = [oid("list_record", a), oid("list_record", b)]
    if row is None:
        raise Conflict(Message(N_("pair %(key)s has no decision to undo"), key=str(key)))
    previous, given_by = row.verdict, row.decided_by
    ctx.session.delete(row)
    ctx.session.flush()
    explained = _explained(ctx, key)
    p = float(explained["probability"]) if explained is not None else None
    if p is not None and not math.isnan(p):
        if vp is not None:
            if (
                ctx.session.scalar(
                    select(VictimMatch.id).where(
                        VictimMatch.record_id == vp[0], VictimMatch.person_id == vp[1]
                    )
                )
                is None
            ):
                ctx.session.add(
                    VictimMatch(record_id=vp[0], person_id=vp[1], probability=p, held=False)
                )
        elif (
            ctx.session.scalar(
                select(ReviewPair.id).where(ReviewPair.record_a == a, ReviewPair.record_b == b)
            )
            is None
        ):
            ctx.session.add(ReviewPair(record_a=a, record_b=b, probability=p))
        ctx.session.flush()
    ctx.audit("linkage.undo", objects,
              change={"previous": previous, "decided_by": given_by, "note": note},
              detail={"previous": previous, "decided_by": given_by})  # fmt: skip
    return {"pair": key, "undone": True, "previous": previous, "previous_by": given_by,
            "back_in_queue": p is not None, "undone_by": ctx.actor.name}  # fmt: skip


def decisions(ctx: Context, *, limit: int = 500) -> list[dict[str, Any]]:
    """The decisions in force, newest first: pair, verdict, who, when, and whether a
    blind double review made it (the note too, for roles that may see names)."""
    from dalil.services.blind_review import closed_items

    ctx.require(access.CASE_READ, "list linkage decisions")
    notes = ctx.can(access.LINKAGE_REVEAL)
    blind = closed_items(ctx)
    out: list[dict[str, Any]] = []
    for d in ctx.session.scalars(select(LinkDecision)):
        out.append({"pair": f"{d.record_a}-{d.record_b}", "kind": "records",
                    "verdict": d.verdict, "decided_by": d.decided_by,
                    "decided_at": d.decided_at, "note": d.note if notes else None})  # fmt: skip
    for v in ctx.session.scalars(select(VictimDecision)):
        out.append({"pair": f"{v.record_id}-{lists._PERSON_PREFIX}{v.person_id}",
                    "kind": "victim", "verdict": v.verdict, "decided_by": v.decided_by,
                    "decided_at": v.decided_at, "note": v.note if notes else None})  # fmt: skip
    for item in out:
        item["blind"] = item["pair"] in blind
    out.sort(key=lambda d: (_aware(d["decided_at"]), d["pair"]), reverse=True)
    return out[:limit]
