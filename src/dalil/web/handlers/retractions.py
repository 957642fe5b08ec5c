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
#: Kinds retracted through the API and their own pages (victim lists and their records:
#: /lists/{id}, /lists/records/{id}).
API_KINDS: dict[str, str] = {**SERVICE_KINDS, "lists": "list", "list_records": "list_record"}
#: Service kind -> the web kind of its page (dependants and what a record depends on
#: are links to these).
PAGE_OF: dict[str, str] = {v: k for k, v in SERVICE_KINDS.items()}
PAGE_OF.update(list="lists", list_record="lists/records")


def service_kind(kind: str) -> str:
    try:
        return API_KINDS[kind]
    except KeyError:
        raise NotFound(f"no such kind {kind[:40]!r}") from None


def _linked(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each dependant or upstream record with ``href``: its page, if it has one."""
    out = []
    for d in items:
        page = PAGE_OF.get(d["kind"])
        ident = d.get("sha256") or d["id"]
        href = f"/{page}/{ident}" if page else None
        if d["kind"] == "claim":
            href = "/findings/corroboration"
        if d["kind"] == "assessment":
            href = (
                f"/findings/acts/{d['act_id']}"
                if d.get("act_id")
                else f"/findings/incidents/{d.get('incident_id')}"
            )
        out.append({**d, "href": href})
    return out


def retract(
    ctx: Ctx, kind: str, raw_id: str, reason: str, *, with_dependants: bool = False
) -> dict[str, Any]:
    """Withdraw a record with a reason (and its dependants, if asked);
    ``{at, by, reason, dependants}``."""
    sk = service_kind(kind)
    ident = parse_id(kind, raw_id)
    with ctx.act(write=True) as sc:
        out = retractions.retract(sc, sk, ident, reason=reason, with_dependants=with_dependants)
        return dict(jsonable(out))


def dependants(ctx: Ctx, kind: str, raw_id: Any) -> list[dict[str, Any]]:
    """What depends on a record, each with a link to its page."""
    sk = service_kind(kind)
    with ctx.act(write=False) as sc:
        return _linked(list(jsonable(retractions.dependants(sc, sk, raw_id))))


def withdrawn_with(ctx: Ctx, kind: str, raw_id: Any) -> list[dict[str, Any]]:
    """What restoring a retracted record puts back with it, each with a link."""
    sk = service_kind(kind)
    with ctx.act(write=False) as sc:
        return _linked(list(jsonable(retractions.withdrawn_with(sc, sk, raw_id))))


def upstream(ctx: Ctx, kind: str, raw_id: Any) -> list[dict[str, Any]]:
    """The retracted records a record depends on, each with a link to its page."""
    sk = service_kind(kind)
    with ctx.act(write=False) as sc:
        return _linked(list(jsonable(retractions.upstream(sc, sk, raw_id))))


def restore(ctx: Ctx, kind: str, raw_id: str, reason: str) -> dict[str, Any]:
    """Put a retracted record back, with a reason."""
    sk = service_kind(kind)
    ident = parse_id(kind, raw_id)
    with ctx.act(write=True) as sc:
        return dict(jsonable(retractions.restore(sc, sk, ident, reason=reason)))


def impact(ctx: Ctx, kind: str, raw_id: Any) -> dict[str, Any]:
    """What retracting (or, if retracted, restoring) a record changes downstream, nothing
    changed (``retractions.impact``); its dependants each with a link."""
    sk = service_kind(kind)
    with ctx.act(write=False) as sc:
        out = dict(jsonable(retractions.impact(sc, sk, raw_id)))
    out["dependants"] = _linked(list(out["dependants"]))
    return out
