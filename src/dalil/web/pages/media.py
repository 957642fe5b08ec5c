"""The "same media?" review page (pairs side by side, decided with a reason) and the
inline view of an image item it shows (logged like a download)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response, StreamingResponse

from dalil.display.jsonout import jsonable
from dalil.errors import InputError
from dalil.services import evidence as evidence_service
from dalil.services import kernel, media
from dalil.web.context import PageCtx, render
from dalil.web.handlers.evidence import digest_headers
from dalil.web.handlers.records import parse_id

router = APIRouter(include_in_schema=False)

#: Image types shown inline (never SVG: it can carry script).
INLINE_IMAGES = ("image/jpeg", "image/png", "image/gif", "image/webp")
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


@router.get("/evidence/{sha256}/image")
def evidence_image(ctx: PageCtx, sha256: str) -> Response:
    """An image item shown in the page (the read is logged as ``evidence.get``)."""
    ref = parse_id("evidence", sha256)
    with ctx.act() as sc:
        item = evidence_service.resolve_item(sc, ref)
        kind = str(item.media_type or "").split(";")[0]
    if kind not in INLINE_IMAGES:
        raise InputError(f"item {item.id} is not an image that can be shown ({kind})")
    meta, chunks = evidence_service.open_content(
        ctx.case, ctx.actor, ref, reason="shown in the same-media review"
    )
    return StreamingResponse(
        chunks,
        media_type=kind,
        headers={**digest_headers(dict(jsonable(meta))), "Cache-Control": "no-store",
                 "Content-Disposition": "inline"},
    )  # fmt: skip
