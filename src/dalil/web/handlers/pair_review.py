"""Pair review by a team: the pair view, review sessions (a reason stated once), undo,
the decisions made, and blind double review (``services.pair_review`` and
``services.blind_review``: permissions and audit there)."""

from __future__ import annotations

from typing import Any

from dalil.display.jsonout import jsonable
from dalil.services import blind_review, pair_review
from dalil.web.context import Ctx


def start_review(ctx: Ctx, reason: str) -> dict[str, Any]:
    with ctx.act(write=True) as sc:
        return dict(jsonable(pair_review.start_review(sc, reason)))


def end_review(ctx: Ctx, session_id: int) -> dict[str, Any]:
    with ctx.act(write=True) as sc:
        return dict(jsonable(pair_review.end_review(sc, session_id)))


def pair_view(ctx: Ctx, pair: str, review_session: int | None = None) -> dict[str, Any]:
    """The pair field by field; names (logged for this pair) within a review session."""
    with ctx.act(write=review_session is not None) as sc:
        return dict(jsonable(pair_review.pair_view(sc, pair, review_session=review_session)))


def undo(ctx: Ctx, pair: str, note: str | None = None) -> dict[str, Any]:
    with ctx.act(write=True) as sc:
        return dict(jsonable(pair_review.undo(sc, pair, note=note)))


def decisions(ctx: Ctx) -> list[dict[str, Any]]:
    with ctx.act(write=False) as sc:
        return list(jsonable(pair_review.decisions(sc)))


def blind_page(ctx: Ctx, *, decide: bool) -> dict[str, Any]:
    """The blind queue, the disagreements and the agreement report (queue and
    disagreements only for users who may decide)."""
    with ctx.act(write=False) as sc:
        out: dict[str, Any] = {"agreement": blind_review.agreement(sc)}
        if decide:
            out["queue"] = blind_review.queue(sc)
            out["disputes"] = blind_review.disputes(sc)
    return dict(jsonable(out))


def blind_start(ctx: Ctx, pairs: list[str] | None, limit: int = 20) -> dict[str, Any]:
    with ctx.act(write=True) as sc:
        return dict(jsonable(blind_review.start(sc, pairs, limit=limit)))


def blind_vote(ctx: Ctx, pair: str, verdict: str) -> dict[str, Any]:
    with ctx.act(write=True) as sc:
        return dict(jsonable(blind_review.vote(sc, pair, verdict)))


def blind_settle(ctx: Ctx, pair: str, verdict: str, note: str | None) -> dict[str, Any]:
    with ctx.act(write=True) as sc:
        return dict(jsonable(blind_review.settle(sc, pair, verdict, note=note)))
