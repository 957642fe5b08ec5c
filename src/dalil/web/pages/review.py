"""Pair review by a team: one pair field by field (names within a review session whose
reason is stated once), decide and undo, the decisions made, blind double review."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Form, Path
from fastapi.responses import RedirectResponse, Response

from dalil.display.messages import error_in_words
from dalil.errors import Conflict, InputError, NotFound, PermissionDenied
from dalil.services import kernel as access
from dalil.services.kernel import permissions_for
from dalil.web.context import PageCtx, finish, render
from dalil.web.handlers import lists as list_handlers
from dalil.web.handlers import pair_review as review
from dalil.web.linkage_words import in_words, names_in_words, sex_in_words

router = APIRouter(include_in_schema=False)

PAIR = Path(..., max_length=40, pattern=r"^\d{1,18}-[pP]?\d{1,18}$")


def _perms(ctx: PageCtx) -> frozenset[str]:
    return permissions_for(ctx.user.role) if ctx.user is not None else frozenset()


def _go(ctx: PageCtx, url: str) -> Response:
    resp = RedirectResponse(url, status_code=303)
    finish(ctx, resp)
    return resp


def _next_pair(ctx: PageCtx, current: str) -> str | None:
    for item in list_handlers.review_queue(ctx, limit=2):
        if item["pair"] != current:
            return str(item["pair"])
    return None


def _pair_page(
    ctx: PageCtx, pair: str, *, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    sid = ctx.session.review_session if ctx.session is not None else None
    if sid is not None and access.LINKAGE_REVEAL not in _perms(ctx):
        sid = None
    try:
        view = review.pair_view(ctx, pair, sid)
    except (Conflict, PermissionDenied):
        if sid is None:
            raise
        # the review session ended (or is not this user's): ask for the reason again
        assert ctx.session is not None
        ctx.session.review_session = None
        view = review.pair_view(ctx, pair, None)
    for side in ("a", "b"):
        rec = view[side]
        rec["sex"] = sex_in_words(ctx, rec.get("sex"))
        if "names" in rec:
            rec["name_parts"] = names_in_words(ctx, rec["names"])
    return render(
        ctx,
        "list_pair.html",
        status_code=status_code,
        view=view,
        fields=in_words(ctx, view.get("fields") or []),
        next_pair=_next_pair(ctx, view["pair"]),
        errors=errors or {},
        decided=ctx.request.query_params.get("decided"),
    )


@router.get("/lists/pairs/{pair}")
def pair_page(ctx: PageCtx, pair: str = PAIR) -> Response:
    return _pair_page(ctx, pair)


@router.post("/lists/review-session")
def start_review_session(
    ctx: PageCtx,
    reason: str = Form("", max_length=1000),
    pair: str = Form("", max_length=40, pattern=r"^(\d{1,18}-[pP]?\d{1,18})?$"),
) -> Response:
    try:
        sess = review.start_review(ctx, reason)
    except InputError as e:
        if pair:
            return _pair_page(
                ctx, pair, errors={"reason": error_in_words(e, ctx.lang)}, status_code=422
            )
        raise
    assert ctx.session is not None
    ctx.session.review_session = int(sess["id"])
    return _go(ctx, f"/lists/pairs/{pair}" if pair else "/lists")


@router.post("/lists/review-session/end")
def end_review_session(ctx: PageCtx) -> Response:
    sid = ctx.session.review_session if ctx.session is not None else None
    if sid is not None:
        with contextlib.suppress(NotFound):  # not this user's any more: forgotten all the same
            review.end_review(ctx, sid)
        assert ctx.session is not None
        ctx.session.review_session = None
    return _go(ctx, "/lists")


@router.post("/lists/pairs/{pair}/decide")
def decide_pair(
    ctx: PageCtx,
    pair: str = PAIR,
    verdict: str = Form(..., max_length=10),
    note: str = Form("", max_length=1000),
) -> Response:
    res = list_handlers.decide_pair(ctx, pair, verdict, note)
    return _go(ctx, f"/lists/pairs/{res['pair']}?decided={res['verdict']}")


@router.post("/lists/pairs/{pair}/undo")
def undo_pair(
    ctx: PageCtx,
    pair: str = PAIR,
    note: str = Form("", max_length=1000),
    back: str = Form("pair", max_length=10),
) -> Response:
    res = review.undo(ctx, pair, note or None)
    if back == "decisions":
        return _go(ctx, "/lists/decisions?undone=1")
    return _go(ctx, f"/lists/pairs/{res['pair']}?decided=undone")


@router.get("/lists/decisions")
def decisions_page(ctx: PageCtx) -> Response:
    return render(ctx, "list_decisions.html", decisions=review.decisions(ctx),
                  undone=ctx.request.query_params.get("undone") == "1")  # fmt: skip


@router.get("/lists/blind")
def blind_page(ctx: PageCtx) -> Response:
    data = review.blind_page(ctx, decide=access.LINKAGE_DECIDE in _perms(ctx))
    return render(ctx, "list_blind.html", **data,
                  started=ctx.request.query_params.get("started"))  # fmt: skip


@router.post("/lists/blind/start")
def blind_start(ctx: PageCtx, limit: int = Form(20, ge=1, le=500)) -> Response:
    res = review.blind_start(ctx, None, limit)
    return _go(ctx, f"/lists/blind?started={len(res['started'])}")


@router.post("/lists/pairs/{pair}/blind-vote")
def blind_vote(ctx: PageCtx, pair: str = PAIR, verdict: str = Form(..., max_length=10)) -> Response:
    res = review.blind_vote(ctx, pair, verdict)
    return _go(ctx, f"/lists/pairs/{res['pair']}")


@router.post("/lists/pairs/{pair}/blind-settle")
def blind_settle(
    ctx: PageCtx,
    pair: str = PAIR,
    verdict: str = Form(..., max_length=10),
    note: str = Form("", max_length=1000),
) -> Response:
    res: dict[str, Any] = review.blind_settle(ctx, pair, verdict, note or None)
    return _go(ctx, f"/lists/pairs/{res['pair']}")
