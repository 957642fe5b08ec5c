"""What the page modules share."""

from __future__ import annotations

from typing import Any

from dalil.web.context import Ctx

PAGE_SIZE = 50
MAX_PAGE = 500
MAX_TEXT = 500_000  # characters per pasted text


def backend(ctx: Ctx) -> Any:
    """The service-layer bridge of the app serving *ctx*'s request."""
    return ctx.request.app.state.backend
