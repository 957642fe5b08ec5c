"""Retract and restore records through the service layer (``services.retractions``:
permission check and audit entry there, once), for the pages and the API."""

from __future__ import annotations

from typing import Any

from dalil.display.jsonout import jsonable
from dalil.errors import NotFound
from dalil.services import retractions
from dalil.web.context import Ctx
from dalil.web.handlers.records import RECORD_KINDS, parse_id

#: Web kinds (plural, URL segment) -> the service kind (singular).
SERVICE_KINDS: dict[str, str] = {"persons": "person", **RECORD_KINDS, "evidence": "evidence"}


def service_kind(kind: str) -> str:
    try:
        return SERVICE_KINDS[kind]
    except KeyError:
        raise NotFound(f"no such kind {kind[:40]!r}") from None


def retract(ctx: Ctx, kind: str, raw_id: str, reason: str) -> dict[str, Any]:
    """Withdraw a record with a reason; ``{at, by, reason}``."""
    sk = service_kind(kind)
    ident = parse_id(kind, raw_id)
    with ctx.act(write=True) as sc:
        return dict(jsonable(retractions.retract(sc, sk, ident, reason=reason)))


def restore(ctx: Ctx, kind: str, raw_id: str, reason: str) -> dict[str, Any]:
    """Put a retracted record back, with a reason."""
    sk = service_kind(kind)
    ident = parse_id(kind, raw_id)
    with ctx.act(write=True) as sc:
        return dict(jsonable(retractions.restore(sc, sk, ident, reason=reason)))
