"""Record lists and details of every kind the workbench shows (persons, sources,
incidents, acts, sites, units, evidence), and a person's reveal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dalil.display.jsonout import jsonable
from dalil.errors import NotFound
from dalil.services import evidence, persons, records, retractions
from dalil.web import paging
from dalil.web.context import Ctx

if TYPE_CHECKING:
    from dalil.services.kernel import Context

#: Web kinds (plural, URL segment) -> the ``records`` service kind (singular).
RECORD_KINDS: dict[str, str] = {
    "sources": "source",
    "incidents": "incident",
    "acts": "act",
    "sites": "site",
    "units": "unit",
    "memberships": "membership",
    "provenance": "provenance",
}
KINDS = ("persons", *RECORD_KINDS, "evidence")


def parse_id(kind: str, raw: str) -> Any:
    """Record ids are integers; evidence is addressed by its SHA-256 (64 hex digits)."""
    if kind == "evidence":
        raw = raw.lower()
        if len(raw) != 64 or any(c not in "0123456789abcdef" for c in raw):
            raise NotFound(f"no evidence item with sha256 {raw[:70]!r}")
        return raw
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # "²".isdigit() is True
        raise NotFound(f"no {kind.rstrip('s')} with id {raw[:40]!r}")
    return int(raw)


def _row(sc: Context, kind: str, row: Any) -> dict[str, Any]:
    if kind == "evidence":
        # item_dict hides a sensitive item's name from users who may not read it.
        return dict(jsonable(evidence.item_dict(sc, row)))
    return dict(jsonable(row))


def list_page(
    ctx: Ctx,
    kind: str,
    *,
    limit: int,
    offset: int,
    filters: dict[str, Any] | None = None,
    labels: bool = False,
    after: int | None = None,
    before: int | None = None,
) -> dict[str, Any]:
    """``{items, total}``: rows ``offset .. offset+limit`` (id order unless *filters*
    has an ``order``; in id order *after*/*before* an id cut a keyset page), filtered and
    paged in the database by the service layer. With
    *labels* (the list pages), also ``labels``: the records the rows link to, by their
    label (:class:`dalil.web.present.Labels`), read in the same transaction."""
    if kind not in KINDS:
        raise NotFound(f"no such list {kind[:40]!r}")
    with ctx.act(write=False) as sc:
        rows, total = paging.page(
            sc,
            kind,
            RECORD_KINDS.get(kind),
            limit=limit,
            offset=offset,
            filters=filters,
            after=after,
            before=before,
        )
        items = [_row(sc, kind, r) for r in rows]
        out: dict[str, Any] = {"items": items, "total": total}
        if labels:
            from dalil.web import present

            wanted = present.wanted_for(items)
            out["labels"] = (
                present.lookup(sc, wanted, ctx.lang) if wanted else present.Labels(lang=ctx.lang)
            )
    return out


def get(ctx: Ctx, kind: str, raw_id: str) -> dict[str, Any]:
    """One record (open fields only), as ``dalil {kind} show --json`` prints it; a
    retracted record carries ``retraction`` (at, by, reason)."""
    ident = parse_id(kind, raw_id)
    with ctx.act(write=False) as sc:
        row: Any
        if kind == "persons":
            row = persons.get_person(sc, ident)
        elif kind == "evidence":
            row = evidence.get_item(sc, ident)
        elif kind in RECORD_KINDS:
            row = records.get(sc, RECORD_KINDS[kind], ident)
        else:
            raise NotFound(f"no such kind {kind[:40]!r}")
        out = _row(sc, kind, row)
        if kind == "persons":
            out.update(records.acts_of_person(sc, row.id))
        elif kind in RECORD_KINDS:
            out.update(jsonable(records.links_of(sc, RECORD_KINDS[kind], row.id)))
        held = retractions.status(sc, "person" if kind == "persons" else
                                  RECORD_KINDS.get(kind, kind), row.id)  # fmt: skip
        if held is not None:
            out["retraction"] = dict(jsonable(held))
        return out


def reveal_person(ctx: Ctx, raw_id: str, reason: str) -> dict[str, Any]:
    """A person's protected fields for a permitted user; the reason is logged."""
    with ctx.act(write=True) as sc:
        p = persons.get_person(sc, parse_id("persons", raw_id))
        return dict(jsonable(persons.reveal(sc, [p], reason=reason)[0]))
