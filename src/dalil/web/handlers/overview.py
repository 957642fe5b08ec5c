"""The dashboard and the audit log."""

from __future__ import annotations

from typing import Any

from dalil.display.jsonout import jsonable
from dalil.errors import PermissionDenied
from dalil.services import audit as audit_log
from dalil.web.context import Ctx
from dalil.web.handlers import records
from dalil.web.handlers.evidence import audit_row


def audit(
    ctx: Ctx,
    *,
    actor: str | None = None,
    action: str | None = None,
    object_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Newest entries first. The service returns the newest N; pages are cut from
    ``offset + limit + 1`` of them, so ``total`` is null and ``has_more`` tells if
    there is a next page."""
    with ctx.act(write=False) as sc:
        rows = audit_log.show(
            sc, actor=actor, action=action, object_id=object_id, limit=offset + limit + 1
        )
    rows = list(reversed(rows))
    page = rows[offset : offset + limit]
    return {
        "items": [audit_row(jsonable(r)) for r in page],
        "total": None,
        "has_more": len(rows) > offset + limit,
    }


def audit_verify(ctx: Ctx) -> dict[str, Any]:
    """Verify the hash chain and signed checkpoints (anyone logged in may; the CLI
    lets anyone holding the public key do it)."""
    ctx.actor  # noqa: B018 - signed in
    r = dict(jsonable(audit_log.verify_case(ctx.case)))
    return {**r, "problem": r.get("reason")}


def dashboard(ctx: Ctx) -> dict[str, Any]:
    """Record counts per kind, the ten newest audit entries (for roles that may read the
    log) and the log's length."""
    counts: dict[str, int] = {}
    for kind in records.KINDS:
        counts[kind] = records.list_page(ctx, kind, limit=1, offset=0)["total"]
    try:
        recent = audit(ctx, limit=10)["items"]
    except PermissionDenied:
        recent = []
    entries = recent[0]["seq"] if recent else None
    return {"counts": counts, "recent": recent, "audit": {"entries": entries}}
