"""The "same media?" review page (pairs side by side, decided with a reason); the pictures
it shows are views of the items (``/evidence/{sha256}/view``, logged)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response

from dalil.display.jsonout import jsonable
from dalil.services import kernel, media
from dalil.web.context import PageCtx, render

router = APIRouter(include_in_schema=False)

STATUSES = ("pending", "accepted", "rejected", "all")


def _page(ctx: PageCtx, status: str, saved: dict[str, object] | None = None,
          error: str | None = None, error_pair: list[int] | None = None,
          status_code: int = 200) -> Response:  # fmt: skip
    with ctx.act() as sc:
        pairs = jsonable(media.review_pairs(sc, status=None if status == "all" else status))
        can_decide = sc.can(kernel.RECORD_WRITE)
    return render(ctx, "same_media.html", status_code=status_code, pairs=pairs, status=status,
                  statuses=STATUSES, can_decide=can_decide, saved=saved, error=error,
                  error_pair=error_pair)  # fmt: skip


@router.get("/same-media")
def same_media_page(
    ctx: PageCtx, status: str = Query("pending", pattern="^(pending|accepted|rejected|all)$")
) -> Response:
    """Pairs of items whose perceptual hashes are close, the two side by side."""
    return _page(ctx, status)


@router.post("/same-media/decide")
def same_media_decide(
    ctx: PageCtx,
    a: int = Form(..., ge=1, le=2**62),
    b: int = Form(..., ge=1, le=2**62),
    verdict: str = Form(..., pattern="^(accept|reject)$"),
    reason: str = Form("", max_length=1000),
) -> Response:
    """Keep a decision on a pair (``evidence.same_media``); the reason is required here."""
    if len(reason.strip()) < 3:
        return _page(ctx, "pending", error=ctx._("Say why (at least 3 characters)."),
                     error_pair=sorted((a, b)), status_code=422)  # fmt: skip
    with ctx.act(write=True) as sc:
        saved = jsonable(media.decide(sc, a, b, verdict, reason=reason))
    return _page(ctx, "pending", saved=dict(saved))
