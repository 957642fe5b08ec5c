"""Create and edit records through the service layer (permission checks and audit entries
happen there, once), for the forms and their JSON twins."""

from __future__ import annotations

from typing import Any

from dalil.display.jsonout import jsonable
from dalil.display.messages import Message
from dalil.errors import InputError, NotFound
from dalil.services import evidence, persons, records
from dalil.services import kernel as access
from dalil.services.persons import PROTECTED_FIELDS
from dalil.web.context import Ctx
from dalil.web.forms import EDIT_KINDS, REF_LISTS
from dalil.web.handlers.records import parse_id

OPTION_LIMIT = 1000


def service_kind(kind: str) -> str:
    try:
        return EDIT_KINDS[kind]
    except KeyError:
        raise NotFound(f"no such kind {kind[:40]!r}") from None


def can(ctx: Ctx, permission: str) -> bool:
    return ctx.user is not None and permission in access.permissions_for(ctx.user.role)


def require_write(ctx: Ctx, what: str) -> None:
    """Refuse (and log) a form for a role that may not write records, before showing it."""
    records.may_write(ctx.case, ctx.actor, what)


def _out(row: Any) -> dict[str, Any]:
    d = dict(jsonable(row))
    d["version"] = records.version_of(row)
    return d


def create(ctx: Ctx, kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """A new record of web *kind* from service values; its open fields back."""
    sk = service_kind(kind)
    with ctx.act(write=True) as sc:
        if sk == "person":
            values = dict(values)
            pseudonym = values.pop("pseudonym", None)
            if not isinstance(pseudonym, str) or not pseudonym.strip():
                raise InputError(
                    Message(
                        records.FIELD_REQUIRED, kind=Message("person"), field=Message("pseudonym")
                    ),
                    field="pseudonym",
                )
            row = persons.add_person(sc, pseudonym=pseudonym, **values)
        else:
            row = records.add(sc, sk, **values)
        return _out(row)


def update(
    ctx: Ctx,
    kind: str,
    raw_id: str,
    values: dict[str, Any],
    *,
    if_version: str | None,
    status_event: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Change fields of a record (``None`` clears); refused if it changed since
    *if_version*. For a site, *status_event* (``status``, ``on``, ``note``) also records
    a dated status change (``sites.site_status``), in the same transaction."""
    from dalil.errors import DalilError
    from dalil.services import sites

    sk = service_kind(kind)
    ident = parse_id(kind, raw_id)
    if status_event is not None and sk != "site":
        raise InputError("status_event: only sites have status events", field="status_event")
    with ctx.act(write=True) as sc:
        if sk == "person":
            row = persons.update_person(sc, ident, if_version=if_version, **values)
        elif values or status_event is None:
            row = records.update(sc, sk, ident, if_version=if_version, **values)
        else:
            row = records.get(sc, sk, ident)
            records.check_version(sc, sk, row, if_version)
        if status_event is not None:
            try:
                sites.site_status(
                    sc,
                    ident,
                    str(status_event.get("status") or ""),
                    str(status_event.get("on") or ""),
                    note=status_event.get("note") or None,
                )
            except DalilError as e:
                e.field = "status_event"
                raise
            row = records.get(sc, sk, ident)
        return _out(row)


def current(ctx: Ctx, kind: str, raw_id: str) -> dict[str, Any]:
    """The record as a form shows it for editing (open fields only) and its version."""
    sk = service_kind(kind)
    ident = parse_id(kind, raw_id)
    with ctx.act(write=False) as sc:
        row = persons.get_person(sc, ident) if sk == "person" else records.get(sc, sk, ident)
        out = _out(row)
        if sk == "person":
            out["protected_fields"] = [
                f for f in PROTECTED_FIELDS if getattr(row, f"{f}_enc") is not None
            ]
        return out


def ref_options(ctx: Ctx, ref_kinds: set[str]) -> dict[str, list[tuple[Any, str]]]:
    """For each referenced list kind, ``(id, label)`` pairs for a form's choices."""
    out: dict[str, list[tuple[Any, str]]] = {}
    with ctx.act(write=False) as sc:
        for k in ref_kinds:
            out[k] = options_for(sc, k)
    return out


def options_for(sc: Any, kind: str) -> list[tuple[Any, str]]:
    if kind == "persons":
        return [
            (p["id"], p["pseudonym"])
            for p in persons.list_persons_open(sc, limit=OPTION_LIMIT, offset=0)
        ]
    if kind == "evidence":
        may = sc.can(access.EVIDENCE_READ_SENSITIVE)
        return [  # by file name, or "withheld item N" (a message: in the reader's words)
            (it.id, evidence.label(it.id, it.original_name, it.sensitive, may_read_sensitive=may))
            for it in evidence.list_items(sc, limit=OPTION_LIMIT, offset=0)
        ]
    sk = {v: k for k, v in REF_LISTS.items()}[kind]
    return [
        (r["id"], str(r.get("title") or r.get("name") or r["id"]))
        for r in records.list_open(sc, sk, limit=OPTION_LIMIT, offset=0)
    ]


def duplicates(
    ctx: Ctx,
    *,
    name: str,
    sex: str | None = None,
    age: int | str | None = None,
    date: str | None = None,
    place: str | None = None,
    limit: int = 8,
) -> dict[str, Any]:
    """Possible duplicates of a person being typed in (see services.duplicates)."""
    from dalil.services import duplicates as dupes

    with ctx.act(write=True) as sc:  # logs person.search_duplicates
        return dupes.possible_duplicates(
            sc, name=name, sex=sex, age=age, date=date, place=place, limit=limit
        )


class StageError(Exception):
    """A refusal in one step of :func:`record_killing`: which step, and the error."""

    def __init__(self, stage: str, err: Exception) -> None:
        super().__init__(str(err))
        self.stage = stage
        self.err = err


def record_killing(ctx: Ctx, steps: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Incident (existing or new) → victim (existing or new) → act → supporting source,
    in ONE transaction through the service functions: all saved, or nothing."""
    from dalil.errors import DalilError

    with ctx.act(write=True) as sc:
        try:
            inc = steps["incident"]
            incident_id = inc.get("id") or records.add(sc, "incident", **inc["new"]).id
        except DalilError as e:
            raise StageError("incident", e) from e
        try:
            vic = steps["victim"]
            if vic.get("id"):
                victim_id = vic["id"]
            else:
                new = dict(vic["new"])
                victim_id = persons.add_person(
                    sc, pseudonym=new.pop("pseudonym", "") or "", roles=["victim"], **new
                ).id
        except DalilError as e:
            raise StageError("victim", e) from e
        try:
            act = records.add(
                sc, "act", incident_id=incident_id, victim_id=victim_id, **steps["act"]
            )
        except DalilError as e:
            raise StageError("act", e) from e
        link = None
        src = steps.get("source") or {}
        if src.get("source_id"):
            try:
                link = records.add(
                    sc,
                    "provenance",
                    subject_kind="act",
                    subject_id=act.id,
                    source_id=src["source_id"],
                    role=src.get("role") or "supports",
                    locator=src.get("locator"),
                )
            except DalilError as e:
                raise StageError("source", e) from e
        return {
            "incident_id": incident_id,
            "victim_id": victim_id,
            "act_id": act.id,
            "provenance_id": link.id if link is not None else None,
        }


def evidence_current(ctx: Ctx, sha256: str) -> dict[str, Any]:
    """An evidence item's metadata as its edit form shows it."""
    ident = parse_id("evidence", sha256)
    with ctx.act(write=False) as sc:
        item = evidence.get_item(sc, ident)
        return {**jsonable(evidence.item_dict(sc, item)), "version": records.version_of(item)}


def update_evidence(
    ctx: Ctx,
    sha256: str,
    *,
    source_id: int | None,
    sensitive: bool | None,
    notes: str | None,
    graphic: bool | None = None,
    if_version: str | None = None,
) -> dict[str, Any]:
    """Change an evidence item's metadata (source, sensitivity, notes, graphic flag; never
    its content); refused if it changed since *if_version*."""
    ident = parse_id("evidence", sha256)
    with ctx.act(write=True) as sc:
        item = evidence.update_item(
            sc,
            ident,
            source_id=source_id,
            sensitive=sensitive,
            notes=notes,
            graphic=graphic,
            if_version=if_version,
        )
        return {**jsonable(evidence.item_dict(sc, item)), "version": records.version_of(item)}
