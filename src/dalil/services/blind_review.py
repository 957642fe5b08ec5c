"""Blind double review of victim-list pairs.

A pair put in blind double review (:func:`start`) is decided by two reviewers
independently (:func:`vote`). Until both have decided, nothing a reviewer can read says
what the other decided, nor whether they have: the pair view, the blind queue, the list
of decisions, the agreement report and the review queue look the same to a reviewer
before and after the other's vote, and the audit entry of a vote names only the vote
(``blind_vote:ID``), never the pair or the verdict — its digest is a commitment to the
item, the verdict and a random salt, all three published in the entry that closes the
item (``linkage.blind_close``), so anyone can check afterwards that no vote was changed.

When the two agree, their verdict is stored as the pair's decision (``linkage.decide``,
decided by both). When they differ, the pair waits in the disagreement queue
(:func:`disputes`) for a third reviewer — anyone who may decide and did not vote on it —
whose decision settles it (:func:`settle`). :func:`agreement` reports how often the two
blind reviewers agreed: counts, percent agreement and Cohen's kappa (the first decision
on each pair against the second; see its docstring).

Everything needs ``linkage.decide`` except the agreement report (``case.read``).
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from dalil.core import access
from dalil.core.context import oid
from dalil.errors import Conflict, InputError, NotFound
from dalil.model.common import utcnow
from dalil.model.lists import BlindItem, BlindVote, LinkDecision, ListRecord, VictimDecision
from dalil.services import lists

if TYPE_CHECKING:
    from dalil.core.context import Context

OPEN, AGREED, DISPUTED, SETTLED = "open", "agreed", "disputed", "settled"


def pairs_in_blind_review(ctx: Context) -> set[str]:
    """The pairs whose blind double review has not closed (decided there only)."""
    return set(
        ctx.session.scalars(select(BlindItem.pair).where(BlindItem.status.in_((OPEN, DISPUTED))))
    )


def closed_items(ctx: Context) -> set[str]:
    """The pairs whose decision a blind double review made."""
    return set(
        ctx.session.scalars(select(BlindItem.pair).where(BlindItem.status.in_((AGREED, SETTLED))))
    )


def _votes(ctx: Context, item: BlindItem, stage: str | None = None) -> list[BlindVote]:
    q = select(BlindVote).where(BlindVote.item_id == item.id)
    if stage is not None:
        q = q.where(BlindVote.stage == stage)
    return list(ctx.session.scalars(q.order_by(BlindVote.decided_at, BlindVote.id)))


def _vote_dict(v: BlindVote, *, salt: bool = False) -> dict[str, Any]:
    out = {"vote": v.id, "reviewer": v.reviewer, "stage": v.stage, "verdict": v.verdict,
           "decided_at": v.decided_at}  # fmt: skip
    if salt:  # for the audit entry that closes the item
        out["salt"] = v.salt
        out["decided_at"] = v.decided_at.isoformat()
    return out


def _item(ctx: Context, pair: str) -> BlindItem:
    key = lists.pair_key(pair)
    item = ctx.session.scalar(select(BlindItem).where(BlindItem.pair == key))
    if item is None:
        raise NotFound(f"pair {key} is not in blind double review")
    return item


def state(ctx: Context, pair: str) -> dict[str, Any] | None:
    """The actor's view of *pair*'s blind double review (None if it has none). While
    the item is open it holds the actor's own vote only: the same whether or not the
    other reviewer has decided."""
    key = lists.pair_key(pair)
    item = ctx.session.scalar(select(BlindItem).where(BlindItem.pair == key))
    if item is None:
        return None
    me = ctx.actor.name
    votes = _votes(ctx, item)
    mine = next((v.verdict for v in votes if v.reviewer == me), None)
    may = ctx.can(access.LINKAGE_DECIDE)
    out: dict[str, Any] = {"status": item.status, "my_vote": mine,
                           "may_vote": may and item.status == OPEN and mine is None,
                           "may_settle": may and item.status == DISPUTED and mine is None}  # fmt: skip
    if item.status != OPEN:  # both have decided: the votes are no secret any more
        out["votes"] = [_vote_dict(v) for v in votes]
        out["verdict"] = item.verdict
    return out


def start(ctx: Context, pairs: Sequence[str] | None = None, *, limit: int = 20) -> dict[str, Any]:
    """Put *pairs* (or the first *limit* pairs of the review queue) in blind double
    review. Pairs already decided or already in blind review are left as they are.
    Audited ``linkage.blind_start``."""
    ctx.require(access.LINKAGE_DECIDE, "start a blind double review")
    if pairs is None:
        wanted = [str(p["pair"]) for p in lists.review(ctx, limit=limit)]
    else:
        wanted = [lists.pair_key(p) for p in pairs]
    started: list[str] = []
    skipped: dict[str, str] = {}
    for key in dict.fromkeys(wanted):
        a, b = key.split("-")
        if ctx.session.get(ListRecord, int(a)) is None or (
            not b.startswith("p") and ctx.session.get(ListRecord, int(b)) is None
        ):
            raise NotFound(f"pair {key}: no such list record")
        if ctx.session.scalar(select(BlindItem.id).where(BlindItem.pair == key)) is not None:
            skipped[key] = "already in blind review"
            continue
        if _decided(ctx, key):
            skipped[key] = "already decided"
            continue
        item = BlindItem(pair=key, status=OPEN, started_by=ctx.actor.name, started_at=utcnow())
        ctx.session.add(item)
        started.append(key)
    ctx.session.flush()
    if started:
        ctx.audit("linkage.blind_start", [oid("blind_pair", k) for k in started],
                  detail={"pairs": len(started)})  # fmt: skip
    return {"started": started, "skipped": skipped}


def _decided(ctx: Context, key: str) -> bool:
    vp = lists._victim_pair(key)
    if vp is not None:
        return (
            ctx.session.scalar(
                select(VictimDecision.id).where(
                    VictimDecision.record_id == vp[0], VictimDecision.person_id == vp[1]
                )
            )
            is not None
        )
    a, b = lists.parse_pair(key)
    return (
        ctx.session.scalar(
            select(LinkDecision.id).where(LinkDecision.record_a == a, LinkDecision.record_b == b)
        )
        is not None
    )


def queue(ctx: Context) -> dict[str, Any]:
    """The actor's blind queue: open pairs they have not decided (``to_decide``) and
    those they decided that wait for the other reviewer (``waiting``, with their own
    vote). Nothing here depends on another reviewer's vote."""
    ctx.require(access.LINKAGE_DECIDE, "review pairs blind")
    me = ctx.actor.name
    to_decide: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
    for item in ctx.session.scalars(
        select(BlindItem).where(BlindItem.status == OPEN).order_by(BlindItem.id)
    ):
        mine = ctx.session.scalar(
            select(BlindVote).where(BlindVote.item_id == item.id, BlindVote.reviewer == me)
        )
        row = {"pair": item.pair, "started_by": item.started_by, "started_at": item.started_at}
        if mine is None:
            to_decide.append(row)
        else:
            waiting.append({**row, "my_vote": mine.verdict})
    return {"to_decide": to_decide, "waiting": waiting}


def _new_vote(
    ctx: Context,
    pair: str,
    verdict: str,
    *,
    stage: str,
    status: str,
    not_status: str,
    voted: str,
) -> tuple[BlindItem, BlindVote]:
    """The checks a blind vote and a third reviewer's settlement share, then the vote
    (added, not flushed): the verdict is accept or reject, the pair's item is in
    *status* (else Conflict *not_status*, ``{status}`` its status), and the actor has
    not voted on it yet (else Conflict *voted*)."""
    if verdict not in ("accept", "reject"):
        raise InputError(f"verdict {verdict!r}: use accept or reject", field="verdict")
    item = _item(ctx, pair)
    if item.status != status:
        raise Conflict(f"pair {item.pair}: " + not_status.format(status=item.status))
    me = ctx.actor.name
    if any(v.reviewer == me for v in _votes(ctx, item)):
        raise Conflict(f"pair {item.pair}: {voted}")
    v = BlindVote(item_id=item.id, reviewer=me, stage=stage, verdict=verdict,
                  salt=secrets.token_hex(16), decided_at=utcnow())  # fmt: skip
    ctx.session.add(v)
    return item, v


def vote(ctx: Context, pair: str, verdict: str) -> dict[str, Any]:
    """The actor's blind decision on *pair*. The second vote closes the item: agreed
    (stored as the decision) or disputed (queued for a third reviewer)."""
    ctx.require(access.LINKAGE_DECIDE, "decide pairs in blind review")
    item, v = _new_vote(ctx, pair, verdict, stage="double", status=OPEN,
                        not_status="its blind double review has closed ({status})",
                        voted="you have already decided it in this blind review")  # fmt: skip
    ctx.session.flush()
    # the entry names the vote only; its digest commits to the item, verdict and salt
    ctx.audit("linkage.blind_vote", [oid("blind_vote", v.id)],
              change={"item": item.id, "verdict": verdict, "salt": v.salt})  # fmt: skip
    votes = _votes(ctx, item, "double")
    if len(votes) == 2:
        _close_double(ctx, item, votes)
    return {"pair": item.pair, "my_vote": verdict, **(state(ctx, item.pair) or {})}


def _close_double(ctx: Context, item: BlindItem, votes: list[BlindVote]) -> None:
    first, second = votes
    if first.verdict == second.verdict:
        item.status, item.verdict, item.settled_at = AGREED, first.verdict, utcnow()
        by = f"{first.reviewer}, {second.reviewer} (blind)"[:64]
        lists.apply_decision(ctx, item.pair, first.verdict, by=by,
                             detail={"blind_pair": item.pair})  # fmt: skip
    else:
        item.status = DISPUTED
    ctx.session.flush()
    ctx.audit("linkage.blind_close", [oid("blind_pair", item.pair)],
              detail={"item": item.id, "outcome": item.status, "verdict": item.verdict,
                      "votes": [_vote_dict(v, salt=True) for v in votes]})  # fmt: skip


def disputes(ctx: Context) -> list[dict[str, Any]]:
    """Pairs the two blind reviewers decided differently, waiting for a third reviewer
    (``may_settle``: the actor did not vote on it)."""
    ctx.require(access.LINKAGE_DECIDE, "review pairs blind")
    out = []
    for item in ctx.session.scalars(
        select(BlindItem).where(BlindItem.status == DISPUTED).order_by(BlindItem.id)
    ):
        votes = _votes(ctx, item)
        out.append({"pair": item.pair, "votes": [_vote_dict(v) for v in votes],
                    "may_settle": all(v.reviewer != ctx.actor.name for v in votes)})  # fmt: skip
    return out


def settle(ctx: Context, pair: str, verdict: str, *, note: str | None = None) -> dict[str, Any]:
    """A third reviewer's decision on a disputed pair; it is stored as the decision."""
    ctx.require(access.LINKAGE_DECIDE, "settle a blind disagreement")
    item, _ = _new_vote(ctx, pair, verdict, stage="third", status=DISPUTED,
                        not_status="no disagreement to settle ({status})",
                        voted="you decided it blind; a third reviewer settles it")  # fmt: skip
    me = ctx.actor.name
    item.status, item.verdict, item.settled_at = SETTLED, verdict, utcnow()
    ctx.session.flush()
    lists.apply_decision(ctx, item.pair, verdict, note=note, by=f"{me} (third reviewer)"[:64],
                         detail={"blind_pair": item.pair})  # fmt: skip
    ctx.audit("linkage.blind_close", [oid("blind_pair", item.pair)],
              detail={"item": item.id, "outcome": SETTLED, "verdict": verdict,
                      "votes": [_vote_dict(x, salt=True) for x in _votes(ctx, item)]})  # fmt: skip
    return {"pair": item.pair, **(state(ctx, item.pair) or {})}


def _kappa(table: Counter[tuple[str, str]], n: int) -> float | None:
    if n == 0:
        return None
    p_o = (table["accept", "accept"] + table["reject", "reject"]) / n
    first_acc = (table["accept", "accept"] + table["accept", "reject"]) / n
    second_acc = (table["accept", "accept"] + table["reject", "accept"]) / n
    p_e = first_acc * second_acc + (1 - first_acc) * (1 - second_acc)
    if p_e >= 1.0:
        return None  # every decision the same: kappa is undefined
    return round((p_o - p_e) / (1 - p_e), 3)


def agreement(ctx: Context) -> dict[str, Any]:
    """How often two blind reviewers agreed, over the pairs both have decided.

    ``percent_agreement``: the share of pairs with the same verdict. ``cohen_kappa``:
    Cohen's kappa of the first decision on each pair against the second (by time), i.e.
    agreement corrected for the agreement expected by chance from how often each
    position accepted; None when undefined (every decision the same) or no pair. With
    more than two reviewers the positions are not fixed people: ``by_reviewers`` gives
    the counts and percent agreement for each pair of reviewers. Open pairs are counted
    without saying whether one reviewer has decided."""
    ctx.require(access.CASE_READ, "read blind review agreement")
    items = list(ctx.session.scalars(select(BlindItem).order_by(BlindItem.id)))
    table: Counter[tuple[str, str]] = Counter()
    pairs: dict[tuple[str, str], Counter[str]] = {}
    for item in items:
        if item.status == OPEN:
            continue
        first, second = _votes(ctx, item, "double")
        table[first.verdict, second.verdict] += 1
        who = tuple(sorted((first.reviewer, second.reviewer)))
        c = pairs.setdefault((who[0], who[1]), Counter())
        c["pairs"] += 1
        c["agreed"] += first.verdict == second.verdict
    n = sum(table.values())
    agreed = table["accept", "accept"] + table["reject", "reject"]
    status = Counter(i.status for i in items)
    return {
        "decided_by_both": n,
        "agreed": agreed,
        "disagreed": n - agreed,
        "both_accept": table["accept", "accept"],
        "both_reject": table["reject", "reject"],
        "first_accept_second_reject": table["accept", "reject"],
        "first_reject_second_accept": table["reject", "accept"],
        "percent_agreement": round(100.0 * agreed / n, 1) if n else None,
        "cohen_kappa": _kappa(table, n),
        "open": status[OPEN],
        "awaiting_third": status[DISPUTED],
        "settled_by_third": status[SETTLED],
        "by_reviewers": [
            {
                "reviewers": list(k),
                "pairs": c["pairs"],
                "agreed": c["agreed"],
                "percent_agreement": round(100.0 * c["agreed"] / c["pairs"], 1),
            }
            for k, c in sorted(pairs.items())
        ],
    }
