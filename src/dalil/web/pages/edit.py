"""Create and edit forms for incidents, persons, acts, sites, units, memberships,
provenance links and sources. A refused value is shown next to its field with the input
kept; an edit carries the version it was based on (a hidden field) and is refused if the
record changed since."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dalil.display.messages import error_in_words, words
from dalil.errors import Conflict, DalilError, NotFound, PermissionDenied
from dalil.services import kernel as access
from dalil.services import persons, records
from dalil.web.context import N_, PageCtx, finish, render
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
                f.options = [(i, words(label, ctx.lang)) for i, label in options[f.ref]]
    return fields


def _msgid(err: DalilError) -> str | None:
    """The message id *err* was raised with (None for plain words): what a form goes by
    to choose its own words for a refusal, never the English sentence."""
    return err.words.msgid if err.words is not None else None


def _stale(err: DalilError) -> bool:
    """An edit refused because the record changed since the form was opened."""
    return isinstance(err, Conflict) and _msgid(err) == records.STALE_EDIT


def _required(err: DalilError) -> bool:
    return err.code == "required" or _msgid(err) in (records.FIELD_REQUIRED, records.FIELD_NEEDED)


def _own_words(err: DalilError, field: str) -> str | None:
    """The ERROR_WORDS key of a refusal that has words of its own next to *field*, by
    the refusal's message id or code (read when asked: the ids are the services')."""
    by_msgid = {
        (records.UNIT_CYCLE, "parent_id"): "parent_id",
        (records.ONE_OF_EVIDENCE_OR_SOURCE, "source_id"): "source_id",
    }
    by_code = {
        ("end_before_start", "date_end"): "date_end",
        ("low_best_high", "fatalities_best"): "fatalities_best",
    }
    return by_msgid.get((_msgid(err) or "", field)) or by_code.get((err.code, field))


#: A refusal's field that a form names otherwise (the service's parameter -> the input).
_FORM_FIELD = {"role": "roles", "date range": "date_end", "fatalities": "fatalities_best"}


def _error_key(err: DalilError, f: FormField | None) -> str:
    msgid = _msgid(err)
    if isinstance(err, Conflict) and msgid == persons.PSEUDONYM_TAKEN:
        return "pseudonym_taken"
    if msgid in records.WITNESS_REFUSALS:
        return "witness"
    if f is None:
        return ""
    own = _own_words(err, f.name)
    if own:
        return own
    if f.name == "subject_id" and isinstance(err, NotFound):
        return "subject_id"
    if f.name.startswith("age"):
        return "age"
    if _required(err):
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
    """The input a refusal is shown next to: the field the service named (its message
    words are never read)."""
    names = {f.name: f for f in fields}
    name = err.field or ""
    return names.get(name) or names.get(_FORM_FIELD.get(name, ""))


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
    dupes: dict[str, Any] | None = None,
    dupes_first: bool = False,
) -> Response:
    from dalil.findings.sites import SITE_STATUSES

    fields = _fields(ctx, kind)
    if kind == "sites" and record is not None:
        # A site's status changes by dated events (below the fields), not by editing it.
        fields = [f for f in fields if f.name != "status"]
    return render(
        ctx,
        "form.html",
        dupes=dupes,
        dupes_first=dupes_first,
        status_code=status_code,
        kind=KINDS[kind],
        fields=fields,
        site_statuses=SITE_STATUSES,
        record=record,
        values=values,
        errors=errors or {},
        error_words=ERROR_WORDS,
        problem=problem,
        stale=stale,
        vocab=VOCAB,
        labels=FIELD_LABELS,
    )


#: Inputs that send several values (check boxes, a multiple choice list).
MULTI_INPUTS = ("roles", "perpetrator_ids", "act_perpetrator_ids")


def _form_values(form: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in form:
        vals = form.getlist(key)
        out[key] = vals if key in MULTI_INPUTS else (vals[-1] if vals else "")
    return out


def _record_as_values(record: dict[str, Any]) -> dict[str, Any]:
    return {
        k: ("" if v is None else v if isinstance(v, list) else str(v)) for k, v in record.items()
    }


def _new_page(kind: str) -> Any:
    def view(ctx: PageCtx) -> Response:
        edit.require_write(ctx, f"add {kind}")
        from dalil.services.persons import PROTECTED_FIELDS

        if kind == "persons":
            from dalil.services import duplicates

            duplicates.warm(ctx.case, ctx.actor)  # keys ready before a name is typed
        prefill = {
            k: v
            for k, v in ctx.request.query_params.items()
            if k != "lang" and k not in PROTECTED_FIELDS  # never echoed from a URL
        }
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
    if kind == "persons" and raw_id is None and (form.get("check") or not form.get("dupes_seen")):
        # "Check for duplicates", or a save whose possible duplicates were never shown
        typed = str(values.get("legal_name") or "")  # the user's own input, kept
        dupes = check_duplicates(
            ctx,
            name=typed or str(form.get("pseudonym") or ""),
            sex=str(form.get("sex") or "") or None,
            age=str(form.get("age") or "") or None,
            date=None,
            place=None,
        )
        if form.get("check") or (dupes and dupes["matches"]):
            kept = {**shown, **({"legal_name": typed} if typed else {})}
            first = not form.get("check")
            return _form(ctx, kind, record=None, values=kept, dupes=dupes, dupes_first=first,
                         status_code=409 if first else 200)  # fmt: skip
    try:
        if raw_id is None:
            saved = edit.create(ctx, kind, values)
        else:
            version = form.get("version") or None
            event = None
            if kind == "sites" and str(form.get("ev_status") or "").strip():
                from dalil.web.forms import western_digits

                values.pop("status", None)
                event = {
                    "status": str(form.get("ev_status")).strip(),
                    "on": western_digits(str(form.get("ev_on") or "")).strip(),
                    "note": str(form.get("ev_note") or "").strip() or None,
                }
            saved = edit.update(ctx, kind, raw_id, values, if_version=version, status_event=event)
    except DalilError as err:
        if isinstance(err, PermissionDenied):
            raise
        stale = _stale(err)
        f = None if stale or err.field == "status_event" else _field_of(err, fields)
        key = _error_key(err, f)
        if f is not None and key:
            errors = {f.name: key}
            problem = None
        else:
            problem = error_in_words(err, ctx.lang)
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


# --- record a killing in one flow ------------------------------------------------------

#: Form input of each step's service field, for errors shown next to the input.
_STAGE_FIELDS = {
    "incident": {"title": "inc_title", "date_start": "inc_date", "place_name": "inc_place"},
    "victim": {"pseudonym": "vic_pseudonym", "sex": "vic_sex", "age": "vic_age"},
    "act": {
        "act_type": "act_type",
        "date": "act_date",
        "method": "act_method",
        "perpetrator_unit_id": "act_unit",
        "perpetrator_affiliation": "act_perpetrators",
        "perpetrator_ids": "act_perpetrator_ids",
        "status": "act_status",
        "incident_id": "inc_id",
        "victim_id": "vic_id",
    },
    "source": {"source_id": "src_id", "locator": "src_locator", "subject_id": "src_id"},
}
_INPUT_KINDS = {"inc_date": "date", "act_date": "date", "vic_age": "age", "inc_title": "required"}


def check_duplicates(
    ctx: PageCtx,
    *,
    name: str,
    sex: str | None,
    age: str | None,
    date: str | None,
    place: str | None,
) -> dict[str, Any] | None:
    """The possible duplicates of a person typed into a form (None without a name). A
    date or age the check cannot read is left out of it (the save reports it)."""
    from dalil.errors import InputError
    from dalil.web.forms import western_digits

    if not name.strip():
        return None
    probe: dict[str, Any] = {
        "name": name, "sex": sex or None, "age": western_digits(age or "").strip() or None,
        "date": western_digits(date or "").strip() or None, "place": place or None,
    }  # fmt: skip
    for _ in range(3):
        try:
            return edit.duplicates(ctx, **probe)
        except InputError as e:
            if e.field not in ("age", "date", "sex") or probe.get(e.field) is None:
                raise
            probe[e.field] = None
    return None


def _killing_form(
    ctx: PageCtx,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status_code: int = 200,
    dupes: dict[str, Any] | None = None,
    dupes_first: bool = False,
) -> Response:
    from dalil.services.persons import SEXES
    from dalil.services.records import ACT_STATUSES, ACT_TYPES
    from dalil.web.forms import DATE_HINT

    options = edit.ref_options(ctx, {"incidents", "persons", "units", "sources"})
    return render(
        ctx,
        "record_killing.html",
        status_code=status_code,
        values=values,
        errors=errors or {},
        problem=problem,
        options=options,
        vocab=VOCAB,
        error_words=ERROR_WORDS,
        sexes=SEXES,
        act_types=ACT_TYPES,
        act_statuses=ACT_STATUSES,
        date_hint=DATE_HINT,
        can_name=edit.can(ctx, access.PROTECTED_REVEAL),
        dupes=dupes,
        dupes_first=dupes_first,
    )


@router.get("/record-killing")
def record_killing_page(ctx: PageCtx) -> Response:
    from dalil.services import duplicates

    edit.require_write(ctx, "record a killing")
    duplicates.warm(ctx.case, ctx.actor)  # keys ready before the victim's name is typed
    values = {k: v for k, v in ctx.request.query_params.items() if k != "lang"}
    values.setdefault("act_type", "killing")
    return _killing_form(ctx, values)


def _int(form: dict[str, Any], name: str, errors: dict[str, str]) -> int | None:
    from dalil.web.forms import western_digits

    text = western_digits(str(form.get(name) or "")).strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        errors[name] = "int"
        return None


def _save_killing(ctx: PageCtx, form: dict[str, Any]) -> Response:
    from dalil.web.forms import western_digits

    errors: dict[str, str] = {}

    def text(name: str) -> str | None:
        v = str(form.get(name) or "").strip()
        return v or None

    def victim_check() -> dict[str, Any] | None:
        can_name = edit.can(ctx, access.PROTECTED_REVEAL)
        return check_duplicates(
            ctx,
            name=(text("vic_name") if can_name else None) or text("vic_pseudonym") or "",
            sex=text("vic_sex"),
            age=text("vic_age"),
            date=text("act_date"),
            place=text("inc_place"),
        )

    if form.get("check"):  # "Check for duplicates": nothing saved, the form comes back
        return _killing_form(ctx, form, dupes=victim_check())
    if not text("vic_id") and "vic_pick" not in form:
        # A new victim whose possible duplicates were never shown: show them first.
        dupes = victim_check()
        if dupes and dupes["matches"]:
            return _killing_form(ctx, form, dupes=dupes, dupes_first=True, status_code=409)
    inc_id = _int(form, "inc_id", errors)
    vic_id = _int(form, "vic_id", errors)
    if vic_id is None:  # a person picked among the possible duplicates
        vic_id = _int(form, "vic_pick", errors)
    unit = _int(form, "act_unit", errors)
    perpetrators: list[int] = []
    for raw in form.get("act_perpetrator_ids") or []:  # the hidden empty input, then choices
        one = western_digits(str(raw)).strip()
        if one:
            if not one.isdigit():
                errors["act_perpetrator_ids"] = "int"
                break
            perpetrators.append(int(one))
    src = _int(form, "src_id", errors)
    age = _int(form, "vic_age", errors)
    if inc_id is None and not text("inc_title"):
        errors["inc_title"] = "required"
    if vic_id is None and not text("vic_pseudonym"):
        errors["vic_pseudonym"] = "required"
    if errors:
        return _killing_form(ctx, form, errors, status_code=422)
    steps: dict[str, Any] = {
        "incident": {
            "id": inc_id,
            "new": {
                "title": text("inc_title"),
                "date_start": western_digits(text("inc_date") or "") or None,
                "place_name": text("inc_place"),
            },
        },
        "victim": {
            "id": vic_id,
            "new": {
                "pseudonym": text("vic_pseudonym"),
                "sex": text("vic_sex"),
                "age": age,
                **(
                    {"legal_name": text("vic_name")}
                    if text("vic_name") and edit.can(ctx, access.PROTECTED_REVEAL)
                    else {}
                ),
            },
        },
        "act": {
            "act_type": text("act_type") or "killing",
            "date": western_digits(text("act_date") or "") or None,
            "method": text("act_method"),
            "perpetrator_affiliation": text("act_perpetrators"),
            "perpetrator_unit_id": unit,
            **({"perpetrator_ids": perpetrators} if perpetrators else {}),
            "status": text("act_status"),
        },
        "source": {"source_id": src, "locator": text("src_locator")},
    }
    try:
        saved = edit.record_killing(ctx, steps)
    except edit.StageError as se:
        err = se.err
        if isinstance(err, PermissionDenied):
            raise err from None
        assert isinstance(err, DalilError)
        name = _STAGE_FIELDS[se.stage].get(err.field or "")
        if name is None:
            return _killing_form(ctx, form, problem=error_in_words(err, ctx.lang), status_code=422)
        if isinstance(err, Conflict) and _msgid(err) == persons.PSEUDONYM_TAKEN:
            key = "pseudonym_taken"
        elif _required(err):
            key = "required"
        else:
            key = _INPUT_KINDS.get(name, "date" if name.endswith("date") else "choice")
        return _killing_form(ctx, form, {name: key}, status_code=422)
    resp = RedirectResponse(f"/acts/{saved['act_id']}?saved=1", status_code=303)
    finish(ctx, resp)
    return resp


@router.post("/record-killing")
async def record_killing_save(ctx: PageCtx, request: Request) -> Response:
    form = _form_values(await request.form())
    return await run_in_threadpool(_save_killing, ctx, form)


#: Labels the record-a-killing template passes to its field macro (marked for translation).
_KILLING_LABELS = (
    N_("Existing incident"),
    N_("Existing person"),
    N_("Source that supports it"),
    N_("Title"),
    N_("First day"),
    N_("Place"),
    N_("Pseudonym"),
    N_("Sex"),
    N_("Age"),
    N_("What was done"),
    N_("Date"),
    N_("Method"),
    N_("Perpetrator unit"),
    N_("Perpetrators as reported"),
    N_("Perpetrator persons"),
    N_("Status"),
    N_("Where in the source (page, time offset or quoted passage)"),
)


# --- evidence metadata ----------------------------------------------------------------


def _evidence_form(
    ctx: PageCtx,
    record: dict[str, Any],
    values: dict[str, Any],
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    sources = edit.ref_options(ctx, {"sources"})["sources"]
    return render(
        ctx,
        "evidence_edit.html",
        status_code=status_code,
        record=record,
        values=values,
        sources=sources,
        problem=problem,
    )


@router.get("/evidence/{sha256}/edit")
def evidence_edit(ctx: PageCtx, sha256: str) -> Response:
    edit.require_write(ctx, "edit evidence metadata")
    record = edit.evidence_current(ctx, sha256)
    return _evidence_form(ctx, record, record)


@router.post("/evidence/{sha256}/edit")
async def evidence_update(ctx: PageCtx, sha256: str, request: Request) -> Response:
    form = _form_values(await request.form())

    def save() -> Response:
        from dalil.web.forms import western_digits

        record = edit.evidence_current(ctx, sha256)
        raw = western_digits(str(form.get("source_id") or "")).strip()
        try:
            source_id = int(raw) if raw else None
        except ValueError:
            return _evidence_form(ctx, record, form, ctx._("Choose one of the listed values."), 422)
        try:
            edit.update_evidence(
                ctx,
                sha256,
                source_id=source_id,
                sensitive=form.get("sensitive") == "true",
                notes=str(form.get("notes") or ""),
                graphic=form.get("graphic") == "true",
                if_version=str(form.get("version") or "") or None,
            )
        except DalilError as err:
            if isinstance(err, PermissionDenied):
                raise
            stale = _stale(err)
            return _evidence_form(
                ctx, record, form, error_in_words(err, ctx.lang), 409 if stale else 422
            )
        resp = RedirectResponse(f"/evidence/{record['sha256']}?saved=1", status_code=303)
        finish(ctx, resp)
        return resp

    return await run_in_threadpool(save)


# --- the case's title and description -------------------------------------------------


def _case_values(ctx: PageCtx) -> dict[str, Any]:
    from dalil.services import case_info

    with ctx.act(write=False) as sc:
        d = case_info.show(sc)
    return {"title": d.get("title") or "", "summary": d.get("summary") or ""}


@router.get("/case")
def case_page(ctx: PageCtx) -> Response:
    return render(ctx, "case.html", values=_case_values(ctx), problem=None)


@router.post("/case")
async def case_update(ctx: PageCtx, request: Request) -> Response:
    form = _form_values(await request.form())

    def save() -> Response:
        from dalil.services import case_info

        title = str(form.get("title") or "").strip()
        summary = str(form.get("summary") or "")
        try:
            with ctx.act(write=True) as sc:
                case_info.update(sc, title=title, summary=summary)
        except DalilError as err:
            if isinstance(err, PermissionDenied):
                raise
            return render(
                ctx,
                "case.html",
                status_code=422,
                values=form,
                problem=error_in_words(err, ctx.lang),
            )
        resp = RedirectResponse("/case?saved=1", status_code=303)
        finish(ctx, resp)
        return resp

    return await run_in_threadpool(save)
