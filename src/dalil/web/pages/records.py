"""Record lists and details for every kind; incidents timeline and map; person reveal.

Included last: its ``/{kind}/{id}`` routes must not shadow the specific pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response
from markupsafe import Markup

from dalil.display.maps import incident_map
from dalil.display.messages import words as words_of
from dalil.errors import PermissionDenied
from dalil.web import present
from dalil.web.context import N_, PageCtx, render
from dalil.web.forms import (
    FIELD_LABELS,
    FILTER_PARAMS,
    LIST_FILTERS,
    VOCAB,
    filter_choices,
    sort_choices,
)
from dalil.web.handlers import evidence, records, sources
from dalil.web.handlers.records import parse_id
from dalil.web.kinds import KINDS, PROTECTED_PERSON_FIELDS, Kind
from dalil.web.pages.common import MAX_PAGE, PAGE_SIZE

router = APIRouter(include_in_schema=False)


def _list_page(kind: Kind) -> Any:
    def view(
        ctx: PageCtx,
        limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE),
        offset: int = Query(0, ge=0),
        after: int | None = Query(None, ge=0, le=2**62),
        before: int | None = Query(None, ge=1, le=2**62),
    ) -> Response:
        allowed = set(FILTER_PARAMS) & {
            *LIST_FILTERS.get(kind.name, ()),
            "date_from",
            "date_to",
            "order",
        }
        if "dates" not in LIST_FILTERS.get(kind.name, ()):
            allowed -= {"date_from", "date_to"}
        state = {
            k: v[:300] for k, v in ctx.request.query_params.items() if k in allowed and v.strip()
        }
        if ctx.request.query_params.get("retracted") == "only":
            state["retracted"] = "only"  # the retracted records, to find one to restore
        # In id order the next and previous pages are cut by the key (the rows after the
        # last id shown, before the first): a page deep in a long list costs as little
        # as the first. *offset* still numbers the rows ("Showing 5,001–5,050").
        keyed = state.get("order", "id") == "id"
        if not keyed or (after is not None and before is not None):
            after = before = None
        page = records.list_page(
            ctx,
            kind.name,
            limit=limit,
            offset=offset,
            filters=state,
            labels=True,
            after=after,
            before=before,
        )
        ids = [r.get("id") for r in page["items"]] if keyed else []
        # The table's rows are rendered here, in plain Python: per-cell template calls
        # and ``Markup.format`` cost several times as much, and a list page has hundreds
        # of cells. Every value is escaped (``present.bdi_html``, ``Words.cell``); linked
        # records by their label, codes as words.
        words = present.Words(ctx, page.pop("labels"))
        fields = [f for f, _label in kind.columns]
        first = "original_name" if kind.name == "evidence" else fields[0]
        rest = fields[1:]
        if kind.name == "evidence":  # by file name, or "withheld item N": never a hash
            from dalil.services import evidence as evidence_service
            from dalil.services import kernel
            from dalil.web.handlers.edit import can

            may = can(ctx, kernel.EVIDENCE_READ_SENSITIVE)
            for r in page["items"]:
                r["original_name"] = words_of(
                    evidence_service.label(
                        r["id"], r.get("original_name"), r["sensitive"], may_read_sensitive=may
                    ),
                    ctx.lang,
                )
        # Plain ``str`` all the way (``Words.cell``, ``present.esc``), wrapped in one
        # ``Markup`` at the end: a ``Markup`` per cell and per row, and ``Markup.join``
        # escaping each row again, were most of what the table cost.
        cell, esc, bdi_html, id_field = words.cell, present.esc, present.bdi_html, kind.id_field
        rows = Markup(
            "\n".join(
                f'<tr><td><a href="/{kind.name}/{esc(r.get(id_field))}">'
                f"{bdi_html(r.get(first) or r.get(id_field))}</a></td>"
                + "".join([f"<td>{cell(f, r.get(f), r)}</td>" for f in rest])
                + "</tr>"
                for r in page["items"]
            )
        )
        return render(
            ctx,
            "list.html",
            kind=kind,
            page=page,
            rows=rows,
            limit=limit,
            offset=offset,
            next_after=ids[-1] if ids else None,
            prev_before=ids[0] if ids else None,
            state=state,
            extra=("&" + urlencode(state)) if state else "",
            filters=[
                (name, filter_choices(kind.name, name) if name not in ("place", "dates") else ())
                for name in LIST_FILTERS.get(kind.name, ())
            ],
            sorts=sort_choices(kind.name, tuple(f for f, _l in kind.columns)),
            column_labels=dict(kind.columns),
            vocab=VOCAB,
            labels=FIELD_LABELS,
        )

    view.__name__ = f"list_{kind.name}"
    return view


def _media_extra(ctx: Any, item_id: str) -> dict[str, Any]:
    """Media metadata and flags, similar media, transcript link and OCR button for an
    evidence page
    (only what the role may see; nothing is looked up for a role that may not)."""
    from dalil.errors import DalilError
    from dalil.services import evidence as evidence_service
    from dalil.services import kernel, media, ocr, viewing

    out: dict[str, Any] = {"media": None, "has_transcript": False, "can_ocr": False,
                           "similar": [], "view": None}  # fmt: skip
    with ctx.act(write=False) as sc:
        item = evidence_service.resolve_item(sc, item_id)
        readable = sc.can(kernel.EVIDENCE_READ) and (
            not item.sensitive or sc.can(kernel.EVIDENCE_READ_SENSITIVE)
        )
        if not readable:
            return out
        out["view"] = {"kind": viewing.shown_as(sc.case, item), "graphic": item.graphic,
                       "page": 1, "pages": None}  # fmt: skip
        out["has_transcript"] = ocr.has_transcript(sc, item)
        out["can_reveal"] = sc.can(kernel.PROTECTED_REVEAL)
        kind = str(item.media_type or "")
        out["can_ocr"] = (
            sc.can(kernel.EVIDENCE_ADD)
            and item.copy_kind == "evidentiary"
            and (kind.startswith("image/") or kind == "application/pdf")
        )
        if media.is_media(kind):
            try:
                out["media"] = media.metadata(sc, item.id)
            except DalilError:
                out["media"] = None
            try:
                out["similar"] = media.similar(sc, item.id)
            except DalilError:  # no perceptual hash (audio, or not analysed yet)
                out["similar"] = []
    if out["view"]["kind"] == "pdf":
        pages = viewing.pdf_page_count(ctx.case, ctx.actor, item_id)
        raw = str(ctx.request.query_params.get("page") or "1")
        page = int(raw) if raw.isdigit() and len(raw) < 7 else 1
        out["view"].update(pages=pages, page=min(max(1, page), pages or 1))
    return out


#: Messages after a retraction or restore (``?retract=…``), and refusals of one.
RETRACT_WORDS = {
    "retracted": N_("Retracted. It no longer appears in lists, search or exports."),
    "restored": N_("Restored. It appears in lists, search and exports again."),
    "reason": N_("Give a reason (at least 3 characters); it is logged."),
    "already": N_("This record is already retracted."),
    "not_retracted": N_("This record is not retracted."),
}

#: Kinds of dependent records, in words (msgids).
DEPENDANT_KINDS = {
    "incident": N_("Incident"),
    "person": N_("Person"),
    "act": N_("Act"),
    "site": N_("Site"),
    "unit": N_("Unit"),
    "membership": N_("Membership"),
    "provenance": N_("Provenance link"),
    "source": N_("Source"),
    "evidence": N_("Evidence item"),
    "claim": N_("Claim"),
    "assessment": N_("Legal finding"),
    "list": N_("Victim list"),
    "list_record": N_("List record"),
}


def retract_state(
    ctx: PageCtx,
    record: dict[str, Any],
    kind: str | None = None,
    item_id: str | None = None,
    *,
    error: str | None = None,
    reason: str = "",
    preview: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The retraction notice of a record page (who, when, why), the message of a
    retract or restore just done, or the refusal of one (*error*, shown next to the
    reason field with the typed *reason* kept), what retracting or restoring it changes
    downstream (``retractions.impact``), what depends on the record (listed on the
    retract form, with the choice to retract them too) and the retracted records it
    depends on ("depends on a retracted record"). *preview*: ``impact`` of the record,
    if already read."""
    from dalil.web.handlers import retractions as rh

    code = ctx.request.query_params.get("retract", "")
    links: dict[str, Any] = {
        "dependants": [],
        "upstream": [],
        "withdrawn_with": [],
        "preview": None,
    }
    if kind is not None and item_id is not None:
        ident = parse_id(kind, item_id)
        # the preview lists what depends on it or, retracted, what a restore puts back
        if preview is None:
            preview = rh.impact(ctx, kind, ident)
        held = bool(record.get("retraction"))
        links = {
            "dependants": [] if held else preview["dependants"],
            "upstream": rh.upstream(ctx, kind, ident),
            "withdrawn_with": preview["dependants"] if held else [],
            "preview": preview,
        }
    if error is None and code not in ("retracted", "restored"):
        error = RETRACT_WORDS.get(code)
    return {
        **links,
        "dependant_kinds": DEPENDANT_KINDS,
        "retraction": record.pop("retraction", None),
        "retract_message": RETRACT_WORDS.get(code) if code in ("retracted", "restored") else None,
        "retract_error": error,
        "retract_reason": reason,
    }


def show_record(
    ctx: PageCtx,
    kind: Kind,
    item_id: str,
    *,
    error: str | None = None,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    """A record's page; after a refused retract or restore, again with the refusal
    next to the reason field and the typed reason kept (*status_code* 422 or 409)."""
    # The record and what the page shows around it are read in one transaction. What
    # depends on the record (the retract form's preview) is read first, retracted
    # records too: the record's related records in force (its acts, memberships,
    # provenance) are then those rows less the retracted ones, not read again.
    with ctx.reading():
        from dalil.web.handlers import retractions as rh

        preview = rh.impact(ctx, kind.name, parse_id(kind.name, item_id))
        record = records.get(ctx, kind.name, item_id)
        extra: dict[str, Any] = retract_state(
            ctx, record, kind.name, item_id, error=error, reason=reason, preview=preview
        )
        extra["facts"] = present.Words(ctx, present.labels_for(ctx, [record])).facts(record)
        extra["sections"] = present.related(ctx, kind.name, record)
        hist = present.history(ctx, kind.name, record)
    if kind.name == "evidence":
        try:
            extra["custody"] = evidence.custody(ctx, item_id)
        except PermissionDenied:
            extra["custody"] = None  # the role may see metadata but not the ledger
        extra.update(_media_extra(ctx, item_id))
    if kind.name == "sources":
        extra["text_job"] = sources.text_job(ctx, item_id)
        if extra["text_job"] and extra["text_job"]["state"] in ("queued", "running"):
            extra["reading"] = None  # being extracted: the page links to the job
        else:
            try:
                extra["reading"] = sources.source_reading(ctx, item_id)
            except PermissionDenied:
                extra["reading"] = None  # the role may see the record but not its text
    if hist is not None:
        extra["sections"].append(hist)
    return render(
        ctx,
        f"show_{kind.name}.html"
        if kind.name in ("persons", "sources", "evidence")
        else "show.html",
        status_code=status_code,
        kind=kind,
        record=record,
        protected=PROTECTED_PERSON_FIELDS,
        revealed=None,
        **extra,
    )


def _show_page(kind: Kind) -> Any:
    def view(ctx: PageCtx, item_id: str) -> Response:
        return show_record(ctx, kind, item_id)

    view.__name__ = f"show_{kind.name}"
    return view


@router.get("/incidents/timeline")
def incident_timeline(ctx: PageCtx) -> Response:
    page = records.list_page(ctx, "incidents", limit=MAX_PAGE, offset=0)
    items = sorted(page["items"], key=lambda r: str(r.get("date_start") or "9999"))
    return render(ctx, "timeline.html", items=items)


@router.get("/incidents/map")
def incident_map_page(ctx: PageCtx) -> Response:
    incidents = records.list_page(ctx, "incidents", limit=MAX_PAGE, offset=0)["items"]
    sites = records.list_page(ctx, "sites", limit=MAX_PAGE, offset=0)["items"]
    svg = incident_map(incidents, sites, title=ctx._("Map of incidents and sites"))
    return render(ctx, "map.html", svg=svg, incidents=incidents, sites=sites)


@router.post("/persons/{item_id}/reveal")
def person_reveal(
    ctx: PageCtx,
    item_id: str,
    reason: str = Form(..., min_length=1, max_length=1000),
) -> Response:
    revealed = records.reveal_person(ctx, item_id, reason)
    record = records.get(ctx, "persons", item_id)
    return render(
        ctx,
        "show_persons.html",
        kind=KINDS["persons"],
        record=record,
        protected=PROTECTED_PERSON_FIELDS,
        revealed=revealed,
        facts=present.Words(ctx, present.Labels()).facts(record),
        sections=present.related(ctx, "persons", record),
    )


#: The lists (/persons, /sources …): exact paths that shadow nothing, included first so
#: that the most read pages are matched without trying every other route (each costs).
list_router = APIRouter(include_in_schema=False)

for _kind in KINDS.values():
    list_router.add_api_route(
        f"/{_kind.name}", _list_page(_kind), methods=["GET"], name=f"list_{_kind.name}"
    )
    router.add_api_route(
        f"/{_kind.name}/{{item_id}}", _show_page(_kind), methods=["GET"], name=f"show_{_kind.name}"
    )
