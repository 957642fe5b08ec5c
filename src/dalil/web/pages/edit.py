"""Create and edit forms for incidents, persons, acts, sites, units, memberships,
provenance links and sources. A refused value is shown next to its field with the input
kept; an edit carries the version it was based on (a hidden field) and is refused if the
record changed since."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dalil.errors import Conflict, DalilError, NotFound, PermissionDenied
from dalil.services import kernel as access
from dalil.web.context import PageCtx, finish, render
from dalil.web.forms import (
    EDIT_KINDS,
    ERROR_WORDS,
    FIELD_LABELS,
    VOCAB,
    FormField,
    form_fields,
    values_from_form,
)
from dalil.web.handlers import edit
from dalil.web.kinds import KINDS

router = APIRouter(include_in_schema=False)

#: Kinds whose "new" form is here (sources keep their own page with the upload form).
NEW_KINDS = tuple(k for k in EDIT_KINDS if k != "sources")


def _fields(ctx: PageCtx, kind: str) -> list[FormField]:
    fields = form_fields(kind, can_protected=edit.can(ctx, access.PROTECTED_REVEAL))
    refs = {f.ref for f in fields if f.ref}
    if refs:
        options = edit.ref_options(ctx, {r for r in refs if r})
        for f in fields:
            if f.ref:
                f.options = options[f.ref]
    return fields


def _error_key(err: DalilError, f: FormField | None) -> str:
    msg = err.message
    if isinstance(err, Conflict) and "pseudonym" in msg:
        return "pseudonym_taken"
    if "testimony_of" in msg:
        return "witness"
    if f is None:
        return ""
    if f.name == "date_end" and "range" in msg:
        return "date_end"
    if f.name == "fatalities_best" and "low <= best" in msg:
        return "fatalities_best"
    if f.name == "parent_id" and "own parent" in msg:
        return "parent_id"
    if f.name == "source_id" and "exactly one" in msg:
        return "source_id"
    if f.name == "subject_id" and isinstance(err, NotFound):
        return "subject_id"
    if f.name.startswith("age"):
        return "age"
    if "required" in msg or "needs --" in msg or "must not be empty" in msg:
        return "required"
    if isinstance(err, NotFound):
        return "ref"
    return {
        "number": "int",
        "decimal": "lat" if f.name == "lat" else "lon",
        "select": "choice",
        "roles": "choice",
        "textarea": "text",
        "protected": "text",
    }.get(f.widget, f.widget)


def _field_of(err: DalilError, fields: list[FormField]) -> FormField | None:
    names = {f.name: f for f in fields}
    if err.field in names:
        return names[err.field]
    msg = err.message.lower()
    if "pseudonym" in msg and "pseudonym" in names:
        return names["pseudonym"]
    for f in fields:  # the person service names the field in its message
        if msg.startswith((f.name.replace("_", " "), f"invalid {f.name}", f"{f.name} ")):
            return f
    if msg.startswith("invalid role"):
        return names.get("roles")
    if "age" in msg.split() and "age" in names:
        return names["age"]
    if "lat" in msg and "lat" in names:
        return names["lat"]
    return None


def _form(
    ctx: PageCtx,
    kind: str,
    *,
    record: dict[str, Any] | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    stale: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        ctx,
        "form.html",
        status_code=status_code,
        kind=KINDS[kind],
        fields=_fields(ctx, kind),
        record=record,
        values=values,
        errors=errors or {},
        error_words=ERROR_WORDS,
        problem=problem,
        stale=stale,
        vocab=VOCAB,
        labels=FIELD_LABELS,
    )


def _form_values(form: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in form:
        vals = form.getlist(key)
        out[key] = vals if key == "roles" else (vals[-1] if vals else "")
    return out


def _record_as_values(record: dict[str, Any]) -> dict[str, Any]:
    return {
        k: ("" if v is None else v if isinstance(v, list) else str(v)) for k, v in record.items()
    }


def _new_page(kind: str) -> Any:
    def view(ctx: PageCtx) -> Response:
        edit.require_write(ctx, f"add {kind}")
        prefill = {k: v for k, v in ctx.request.query_params.items() if k != "lang"}
        return _form(ctx, kind, record=None, values=prefill)

    view.__name__ = f"new_{kind}"
    return view


def _save(ctx: PageCtx, kind: str, form: dict[str, Any], raw_id: str | None) -> Response:
    fields = form_fields(kind, can_protected=edit.can(ctx, access.PROTECTED_REVEAL))
    values, errors = values_from_form(fields, form, editing=raw_id is not None)
    record = edit.current(ctx, kind, raw_id) if raw_id is not None else None
    shown = {k: v for k, v in form.items() if k not in (*(f.name for f in fields if f.protected),)}
    if errors:
        return _form(ctx, kind, record=record, values=shown, errors=errors, status_code=422)
    try:
        if raw_id is None:
            saved = edit.create(ctx, kind, values)
        else:
            version = form.get("version") or None
            saved = edit.update(ctx, kind, raw_id, values, if_version=version)
    except DalilError as err:
        if isinstance(err, PermissionDenied):
            raise
        stale = isinstance(err, Conflict) and "changed since you opened it" in err.message
        f = None if stale else _field_of(err, fields)
        key = _error_key(err, f)
        if f is not None and key:
            errors = {f.name: key}
            problem = None
        else:
            problem = err.message
        return _form(
            ctx,
            kind,
            record=record,
            values=shown,
            errors=errors,
            problem=problem,
            stale=stale,
            status_code=409 if stale else 422,
        )
    resp = RedirectResponse(f"/{kind}/{saved['id']}?saved=1", status_code=303)
    finish(ctx, resp)
    return resp


def _create(kind: str) -> Any:
    async def view(ctx: PageCtx, request: Request) -> Response:
        form = _form_values(await request.form())
        return await run_in_threadpool(_save, ctx, kind, form, None)

    view.__name__ = f"create_{kind}"
    return view


def _edit_page(kind: str) -> Any:
    def view(ctx: PageCtx, item_id: str) -> Response:
        edit.require_write(ctx, f"edit {kind}")
        record = edit.current(ctx, kind, item_id)
        return _form(ctx, kind, record=record, values=_record_as_values(record))

    view.__name__ = f"edit_{kind}"
    return view


def _update(kind: str) -> Any:
    async def view(ctx: PageCtx, item_id: str, request: Request) -> Response:
        form = _form_values(await request.form())
        return await run_in_threadpool(_save, ctx, kind, form, item_id)

    view.__name__ = f"update_{kind}"
    return view


for _kind in NEW_KINDS:
    router.add_api_route(f"/{_kind}/new", _new_page(_kind), methods=["GET"], name=f"new_{_kind}")
    router.add_api_route(f"/{_kind}/new", _create(_kind), methods=["POST"], name=f"create_{_kind}")
for _kind in EDIT_KINDS:
    router.add_api_route(
        f"/{_kind}/{{item_id}}/edit", _edit_page(_kind), methods=["GET"], name=f"edit_{_kind}"
    )
    router.add_api_route(
        f"/{_kind}/{{item_id}}/edit", _update(_kind), methods=["POST"], name=f"update_{_kind}"
    )
