"""REST: pair review by a team and blind double review (``dalil lists review-session|
pair|undo|decisions|blind``): the same service functions as the pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from dalil.web.context import ApiCtx
from dalil.web.handlers import pair_review as review
from dalil.web.problems import ERRORS

router = APIRouter()

PAIR = Path(..., max_length=40, pattern=r"^\d{1,18}-[pP]?\d{1,18}$",
            description="Two list record ids (12-57) or a record and a recorded victim (12-p5)")  # fmt: skip
PAIR_FIELD = Field(max_length=40, pattern=r"^\d{1,18}-[pP]?\d{1,18}$",
                   description="Two list record ids (12-57) or a record and a recorded victim (12-p5)")  # fmt: skip
VERDICT = Field(pattern="^(accept|reject)$")


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=1000, description="Why the names are needed (once).")


class SessionRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    review_session: int = Field(ge=1, le=2**62)


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=1000)


class BlindStart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pairs: list[str] | None = Field(None, max_length=500, description="else the queue's first")
    limit: int = Field(20, ge=1, le=500)


class BlindVote(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pair: str = PAIR_FIELD
    verdict: str = VERDICT


class BlindSettle(BlindVote):
    note: str | None = Field(None, max_length=1000)


@router.post("/lists/review-sessions", response_model=dict[str, Any], responses=ERRORS)
def start_review_session(ctx: ApiCtx, body: Reason) -> dict[str, Any]:
    """Start a review session: the reason for seeing names, stated once (logged)."""
    return review.start_review(ctx, body.reason)


@router.post(
    "/lists/review-sessions/{session_id}/end", response_model=dict[str, Any], responses=ERRORS
)
def end_review_session(ctx: ApiCtx, session_id: int = Path(..., ge=1, le=2**62)) -> dict[str, Any]:
    """End your review session."""
    return review.end_review(ctx, session_id)


@router.get("/lists/pairs/{pair}", response_model=dict[str, Any], responses=ERRORS)
def pair_view(ctx: ApiCtx, pair: str = PAIR) -> dict[str, Any]:
    """One pair: both records' open fields, what drove the score (each comparison's
    level, weight in bits and Bayes factor), the decision, your part in a blind review."""
    return review.pair_view(ctx, pair)


@router.post("/lists/pairs/{pair}/names", response_model=dict[str, Any], responses=ERRORS)
def pair_view_names(ctx: ApiCtx, body: SessionRef, pair: str = PAIR) -> dict[str, Any]:
    """The same with both records' names, within your review session (this pair logged,
    citing the session's reason)."""
    return review.pair_view(ctx, pair, body.review_session)


@router.post("/lists/pairs/{pair}/undo", response_model=dict[str, Any], responses=ERRORS)
def undo(ctx: ApiCtx, body: Note, pair: str = PAIR) -> dict[str, Any]:
    """Withdraw the decision on the pair (logged `linkage.undo`); back in the queue."""
    return review.undo(ctx, pair, body.note)


@router.get("/lists/decisions", response_model=list[dict[str, Any]], responses=ERRORS)
def decisions(ctx: ApiCtx) -> list[dict[str, Any]]:
    """The decisions in force, newest first."""
    return review.decisions(ctx)


@router.get("/lists/blind", response_model=dict[str, Any], responses=ERRORS)
def blind(ctx: ApiCtx) -> dict[str, Any]:
    """Your blind queue, the disagreements and the agreement report (decide permission)."""
    return review.blind_page(ctx, decide=True)


@router.get("/lists/blind/agreement", response_model=dict[str, Any], responses=ERRORS)
def blind_agreement(ctx: ApiCtx) -> dict[str, Any]:
    """Agreement of the blind reviewers: counts, percent agreement, Cohen's kappa."""
    return dict(review.blind_page(ctx, decide=False)["agreement"])


@router.post("/lists/blind/start", response_model=dict[str, Any], responses=ERRORS)
def blind_start(ctx: ApiCtx, body: BlindStart) -> dict[str, Any]:
    """Put pairs (or the queue's first `limit`) in blind double review."""
    return review.blind_start(ctx, body.pairs, body.limit)


@router.post("/lists/blind/vote", response_model=dict[str, Any], responses=ERRORS)
def blind_vote(ctx: ApiCtx, body: BlindVote) -> dict[str, Any]:
    """Your blind decision on a pair."""
    return review.blind_vote(ctx, body.pair, body.verdict)


@router.post("/lists/blind/settle", response_model=dict[str, Any], responses=ERRORS)
def blind_settle(ctx: ApiCtx, body: BlindSettle) -> dict[str, Any]:
    """A third reviewer settles a disagreement."""
    return review.blind_settle(ctx, body.pair, body.verdict, body.note)
