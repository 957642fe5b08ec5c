"""A victim list and one list record, each with its retraction: the list's records
without names (open fields only), what a retraction or restore will change downstream
before it is confirmed, and the Retract and Restore forms (the service layer checks the
permission and logs both steps, as ``dalil list retract`` and ``list retract-record``).

Included after the other /lists pages: /lists/import, /lists/decisions and /lists/blind
are matched first."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Path, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dalil.errors import Conflict, DalilError, PermissionDenied
from dalil.web.context import N_, PageCtx, render, see_other
from dalil.web.handlers import lists
from dalil.web.handlers import retractions as rh
from dalil.web.linkage_words import SEX_WORDS
from dalil.web.pages.common import PAGE_SIZE
from dalil.web.pages.records import RETRACT_WORDS

router = APIRouter(include_in_schema=False)

#: What a list or list record page says after a retraction or restore (``?done=``).
DONE_WORDS = {
    "retracted": N_(
        "Retracted. It no longer appears in the list, and the next linkage run and "
        "estimates leave it out; it is not deleted."
    ),
    "restored": N_(
        "Restored. It appears in the list again, and the next linkage run and estimates take it in."
    ),
}

_MAX_ID = 2**62


def _shown(ctx: PageCtx) -> str:
    return "only" if ctx.request.query_params.get("retracted") == "only" else "hide"


def _done(ctx: PageCtx) -> str | None:
    return DONE_WORDS.get(ctx.request.query_params.get("done", ""))


def _list_page(
    ctx: PageCtx,
    list_id: int,
    *,
    offset: int = 0,
    error: str | None = None,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    with ctx.reading():
        view = lists.victim_list(
            ctx, list_id, retracted=_shown(ctx), limit=PAGE_SIZE, offset=offset
        )
        preview = rh.impact(ctx, "lists", list_id)
    return render(
        ctx,
        "victim_list.html",
        status_code=status_code,
        vl=view["list"],
        records=view["records"],
        total=view["total"],
        retracted_records=view["retracted_records"],
        shown=_shown(ctx),
        offset=offset,
        limit=PAGE_SIZE,
        sex_words=SEX_WORDS,
        preview=preview,
        done=_done(ctx),
        error=error,
        reason=reason,
    )


def _record_page(
    ctx: PageCtx,
    record_id: int,
    *,
    error: str | None = None,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    with ctx.reading():
        record = lists.list_record(ctx, record_id)
        preview = rh.impact(ctx, "list_records", record_id)
    return render(
        ctx,
        "list_record.html",
        status_code=status_code,
        record=record,
        sex_words=SEX_WORDS,
        preview=preview,
        done=_done(ctx),
        error=error,
        reason=reason,
    )


@router.get("/lists/{list_id}")
def victim_list_page(
    ctx: PageCtx, list_id: int = Path(..., ge=1, le=_MAX_ID), offset: int = Query(0, ge=0, le=2**31)
) -> Response:
    """A victim list: its records in row order, open fields only (``?retracted=only``:
    the retracted ones, to restore one), and its Retract or Restore form."""
    return _list_page(ctx, list_id, offset=offset)


@router.get("/lists/records/{record_id}")
def list_record_page(ctx: PageCtx, record_id: int = Path(..., ge=1, le=_MAX_ID)) -> Response:
    """One list record, open fields only, with its Retract or Restore form."""
    return _record_page(ctx, record_id)


def _step(kind: str, verb: str) -> Any:
    page = _list_page if kind == "lists" else _record_page
    where = "/lists" if kind == "lists" else "/lists/records"

    async def view(
        ctx: PageCtx,
        item_id: int = Path(..., ge=1, le=_MAX_ID),
        reason: str = Form("", max_length=2000),
        with_dependants: str = Form("", max_length=5),
    ) -> Response:
        def run() -> Response:
            try:
                if verb == "retract":
                    rh.retract(ctx, kind, str(item_id), reason,
                               with_dependants=bool(with_dependants))  # fmt: skip
                else:
                    rh.restore(ctx, kind, str(item_id), reason)
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
                return page(ctx, item_id, error=RETRACT_WORDS[code], reason=reason,
                            status_code=409 if code != "reason" else 422)  # fmt: skip
            done = "retracted" if verb == "retract" else "restored"
            return see_other(ctx, f"{where}/{item_id}?done={done}")

        return await run_in_threadpool(run)

    view.__name__ = f"{verb}_{kind}_page"
    view.__doc__ = f"{verb.capitalize()} one of {kind} with a reason (logged)."
    return view


for _kind, _path in (("lists", "/lists/{item_id}"), ("list_records", "/lists/records/{item_id}")):
    for _verb in ("retract", "restore"):
        router.add_api_route(
            f"{_path}/{_verb}",
            _step(_kind, _verb),
            methods=["POST"],
            name=f"{_verb}_{_kind}_page",
        )
