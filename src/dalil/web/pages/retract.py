"""Retract a record with a reason (never delete it), and restore it: the button and
reason form on every record page. The service layer checks the permission and logs
both steps. A refusal shows the record page again (422, or 409 if already done), the
message next to the reason field and the typed reason kept, as on the victim-list
pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dalil.errors import Conflict, DalilError, PermissionDenied
from dalil.web.context import PageCtx, finish
from dalil.web.handlers import retractions
from dalil.web.handlers.records import parse_id
from dalil.web.kinds import KINDS
from dalil.web.pages.records import RETRACT_WORDS, show_record

router = APIRouter(include_in_schema=False)


def _back(ctx: PageCtx, kind: str, raw_id: str, code: str) -> Response:
    ident = parse_id(kind, raw_id)
    resp = RedirectResponse(f"/{kind}/{ident}?retract={code}", status_code=303)
    finish(ctx, resp)
    return resp


def _step(kind: str, verb: str) -> Any:
    async def view(
        ctx: PageCtx,
        item_id: str,
        reason: str = Form("", max_length=2000),
        with_dependants: str = Form("", max_length=5),
    ) -> Response:
        def run() -> Response:
            try:
                if verb == "retract":
                    retractions.retract(ctx, kind, item_id, reason,
                                        with_dependants=bool(with_dependants))  # fmt: skip
                else:
                    retractions.restore(ctx, kind, item_id, reason)
            except DalilError as err:
                if isinstance(err, PermissionDenied):
                    raise
                if isinstance(err, Conflict):
                    code = "already" if verb == "retract" else "not_retracted"
                elif err.field == "reason":
                    code = "reason"
                else:
                    raise
                # the page again, the refusal next to the reason and the reason kept
                return show_record(ctx, KINDS[kind], item_id, error=RETRACT_WORDS[code],
                                   reason=reason, status_code=409 if code != "reason" else 422)  # fmt: skip
            return _back(ctx, kind, item_id, "retracted" if verb == "retract" else "restored")

        return await run_in_threadpool(run)

    view.__name__ = f"{verb}_{kind}"
    view.__doc__ = f"{verb.capitalize()} one of {kind} with a reason (logged)."
    return view


for _kind in retractions.SERVICE_KINDS:
    for _verb in ("retract", "restore"):
        router.add_api_route(
            f"/{_kind}/{{item_id}}/{_verb}",
            _step(_kind, _verb),
            methods=["POST"],
            name=f"{_verb}_{_kind}",
        )
