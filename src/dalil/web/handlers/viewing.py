"""The HTTP response of one view of an evidence item (web page and API alike):
streamed decrypted, byte ranges for seeking, the type the content's bytes show, inline,
never stored by the browser, under a policy that lets nothing run."""

from __future__ import annotations

from fastapi.responses import Response, StreamingResponse

from dalil.services import viewing
from dalil.web.context import Ctx
from dalil.web.security import VIEW_CONTENT_SECURITY_POLICY


def view_response(
    ctx: Ctx, ref: str, *, byte_range: str | None, page: int | None, via: str
) -> Response:
    """``200`` with the whole item (or a rendered PDF page), ``206`` with the byte range
    asked for, ``416`` for a range outside the item. *ref*: an id or SHA-256. Errors (refused, not viewable) are
    raised for the app's handlers to answer."""
    headers = {
        "Content-Security-Policy": VIEW_CONTENT_SECURITY_POLICY,
        "Cache-Control": "no-store",
        "Content-Disposition": "inline",
    }
    try:
        view = viewing.open_view(
            ctx.case, ctx.actor, ref[:80], byte_range=byte_range, page=page,
            via=via,
        )  # fmt: skip
    except viewing.RangeNotSatisfiable as e:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{e.total}"})
    headers["Content-Length"] = str(view.length)
    if view.kind == "pdf":
        headers["Accept-Ranges"] = "none"
        headers["X-Page-Count"] = str(view.pages)
    else:
        headers["Accept-Ranges"] = "bytes"
    if view.partial:
        headers["Content-Range"] = f"bytes {view.start}-{view.end}/{view.total}"
    return StreamingResponse(
        view.chunks,
        status_code=206 if view.partial else 200,
        media_type=view.media_type,
        headers=headers,
    )
