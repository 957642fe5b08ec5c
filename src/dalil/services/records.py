"""Generic add/list/show/update for the plain record aggregates.

Each aggregate is described once by a :class:`RecordSpec` (its fields, their kinds and
validation); the same spec drives the Python API below and the CLI commands in
:mod:`dalil.cli.records`. Persons (protected fields) and evidence (the vault) have
their own services.

    from dalil.services import records
    with case.act() as ctx:
        inc = records.add(ctx, "incident", title="Fictional raid", date_start="2025-03",
                          lat=35.1, lon=35.9, coord_precision="locality")
        records.update(ctx, "incident", inc.id, fatalities_best=12)
        rows = records.list_(ctx, "act", incident_id=inc.id)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import bindparam, func, select

from dalil.core import access
from dalil.core.context import Context, oid
from dalil.display.messages import N_, Message
from dalil.errors import Conflict, DalilError, InputError
from dalil.model.act import ACT_STATUSES as ACT_STATUSES
from dalil.model.act import ACT_TYPES as ACT_TYPES
from dalil.model.act import Act, ActPerpetrator
from dalil.model.common import RecordMixin, as_utc, utcnow
from dalil.model.evidence import EvidenceItem
from dalil.model.fields import (
    COORD_PRECISIONS,
    check_date_range,
    check_latitude,
    check_longitude,
    check_low_best_high,
    check_text,
    parse_partial_date,
)
from dalil.model.incident import INCIDENT_TYPES, Incident
from dalil.model.organization import ORG_KINDS, Membership, Organization
from dalil.model.person import Person
from dalil.model.provenance import PROVENANCE_ROLES, SUBJECT_KINDS, ProvenanceLink
from dalil.model.provenance import WITNESS_ROLE as WITNESS_ROLE
from dalil.model.site import SITE_STATUSES, SITE_TYPES, Site
from dalil.model.source import RELIABILITY_GRADES, SOURCE_KINDS, Source
from dalil.services import keyset, retractions

if TYPE_CHECKING:
    from dalil.core.access import Actor
    from dalil.core.case import Case


@dataclass(frozen=True)
class FieldSpec:
    """One input field. kind: text | longtext | int | count | float | lat | lon | date |
    choice | ref | refs (a list of ids) | url."""

    name: str
    kind: str
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # kind of the referenced record ("person", "incident", …)
    default: Any = None
    filter: bool = False  # offered as a `list` filter


@dataclass(frozen=True)
class RecordSpec:
    kind: str  # singular name used in messages and object ids
    model: type[Any]
    fields: tuple[FieldSpec, ...]
    columns: tuple[str, ...]  # for the human-readable list table
    checks: tuple[Callable[[Context, dict[str, Any]], None], ...] = field(default=())
    group: str = ""
    aliases: tuple[str, ...] = ()
    help: str = ""

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise InputError(
            Message(N_("unknown %(kind)s field %(name)s"), kind=_label(self.kind), name=repr(name))
        )


# --- cross-field checks ---------------------------------------------------------------

#: Refusals a form shows in words of its own next to a field: ``web/pages/edit.py`` picks
#: them by these message ids, never by their English words.
UNIT_CYCLE: Final = N_("unit %(unit)s cannot be its own parent (cycle through unit %(parent)s)")
ONE_OF_EVIDENCE_OR_SOURCE: Final = N_("a provenance link needs exactly one of evidence or source")
FIELD_REQUIRED: Final = N_("%(kind)s %(field)s is required")
FIELD_NEEDED: Final = N_("%(kind)s needs %(field)s")
STALE_EDIT: Final = N_(
    "%(kind)s %(id)s was changed since you opened it (by %(who)s; fields: %(fields)s); "
    "nothing was saved: reload it and edit again"
)
_WITNESS_SUBJECT: Final = N_("role %(role)s: the subject must be a person (the witness)")
_WITNESS_UNTAGGED: Final = N_(
    "role %(role)s: person %(person)s is not tagged witness "
    "(add the role witness to the person first)"
)
_WITNESS_SOURCE: Final = N_("role %(role)s: source %(source)s is a %(kind)s, not a testimony")
_WITNESS_ITEM: Final = N_(
    "role %(role)s: evidence item %(item)s is not marked sensitive; a testimony that "
    "identifies its witness must be (mark the item sensitive first)"
)
_WITNESS_TAKEN: Final = N_("role %(role)s: %(what)s is already the testimony of person %(person)s")
#: The refusals of a ``testimony_of`` link (:func:`_witness_link`).
WITNESS_REFUSALS: Final = frozenset(
    (_WITNESS_SUBJECT, _WITNESS_UNTAGGED, _WITNESS_SOURCE, _WITNESS_ITEM, _WITNESS_TAKEN)
)


def _coords(ctx: Context, v: dict[str, Any]) -> None:
    if (v.get("lat") is None) != (v.get("lon") is None):
        missing = "lon" if v.get("lon") is None else "lat"
        raise InputError(
            Message(N_("give both latitude (lat) and longitude (lon), or neither")),
            field=missing,
            code="coordinates_incomplete",
        )
    if v.get("lat") is None and v.get("coord_precision"):
        raise InputError(
            Message(
                N_("%(field)s needs %(lat)s and %(lon)s"),
                field=_label("coord_precision"),
                lat=_label("lat"),
                lon=_label("lon"),
            ),
            field="coord_precision",
            code="needs_coordinates",
        )


def _date_range(ctx: Context, v: dict[str, Any]) -> None:
    start, end = v.get("date_start"), v.get("date_end")
    first = parse_partial_date(start, "date_start") if start else None
    last = parse_partial_date(end, "date_end") if end else None
    try:
        check_date_range(first, last, "date range")
    except InputError:
        assert first is not None and last is not None
        raise InputError(
            Message(
                N_("invalid date range: end %(end)s is before start %(start)s"),
                end=last.text,
                start=first.text,
            ),
            field="date range",
            code="end_before_start",
        ) from None


def _fatalities(ctx: Context, v: dict[str, Any]) -> None:
    low, best, high = v.get("fatalities_low"), v.get("fatalities_best"), v.get("fatalities_high")
    try:
        check_low_best_high(low, best, high, "fatalities")
    except InputError as e:
        if e.code != "low_best_high":
            raise
        got = {
            k: _label("None") if n is None else str(n)
            for k, n in zip("lbh", (low, best, high), strict=True)
        }
        raise InputError(
            Message(
                N_("invalid fatalities: need low <= best <= high (got %(low)s/%(best)s/%(high)s)"),
                low=got["l"],
                best=got["b"],
                high=got["h"],
            ),
            field="fatalities",
            code="low_best_high",
        ) from None


def _unit_not_own_ancestor(ctx: Context, v: dict[str, Any]) -> None:
    parent, me = v.get("parent_id"), v.get("id")
    seen = set()
    while parent is not None and me is not None:
        if parent == me or parent in seen:
            raise InputError(
                Message(
                    UNIT_CYCLE,
                    unit=str(me),
                    parent=str(parent),
                )
            )
        seen.add(parent)
        row = ctx.session.get(Organization, parent)
        parent = row.parent_id if row is not None else None


def _provenance(ctx: Context, v: dict[str, Any]) -> None:
    if (v.get("evidence_id") is None) == (v.get("source_id") is None):
        raise InputError(
            Message(ONE_OF_EVIDENCE_OR_SOURCE),
            field="source_id",
        )
    kind, sid = v.get("subject_kind"), v.get("subject_id")
    if kind is not None and sid is not None:
        ctx.get(SPECS[kind].model if kind != "person" else Person, sid, kind)
    if v.get("role") == WITNESS_ROLE:
        _witness_link(ctx, v)


def _witness_link(ctx: Context, v: dict[str, Any]) -> None:
    """A ``testimony_of`` link: person tagged witness <- testimony source or sensitive item;
    one witness per testimony."""
    if v.get("subject_kind") != "person":
        raise InputError(Message(_WITNESS_SUBJECT, role=_label(WITNESS_ROLE)))
    person = ctx.get(Person, v["subject_id"], "person")
    if "witness" not in (person.roles or []):
        raise InputError(
            Message(
                _WITNESS_UNTAGGED,
                role=_label(WITNESS_ROLE),
                person=str(person.id),
            ),
            field="subject_id",
        )
    if v.get("source_id") is not None:
        src = ctx.get(Source, v["source_id"], "source")
        if src.kind != "testimony":
            raise InputError(
                Message(
                    _WITNESS_SOURCE,
                    role=_label(WITNESS_ROLE),
                    source=str(src.id),
                    kind=_label(src.kind),
                )
            )
        same = ProvenanceLink.source_id == src.id
        what = Message(N_("source %(id)s"), id=str(src.id))
    else:
        item = ctx.get(EvidenceItem, v["evidence_id"], "evidence item")
        if not item.sensitive:
            raise InputError(
                Message(
                    _WITNESS_ITEM,
                    role=_label(WITNESS_ROLE),
                    item=str(item.id),
                ),
                field="evidence_id",
            )
        same = ProvenanceLink.evidence_id == item.id
        what = Message(N_("evidence item %(id)s"), id=str(item.id))
    other = ctx.session.scalars(
        select(ProvenanceLink).where(
            same,
            ProvenanceLink.role == WITNESS_ROLE,
            ProvenanceLink.subject_id != person.id,
            ProvenanceLink.id != (v.get("id") or -1),
        )
    ).first()
    if other is not None:
        raise InputError(
            Message(
                _WITNESS_TAKEN,
                role=_label(WITNESS_ROLE),
                what=what,
                person=str(other.subject_id),
            )
        )


# --- the specs -------------------------------------------------------------------------

_PLACE = (
    FieldSpec("place_name", "text", "Place name (town, district)."),
    FieldSpec("lat", "lat", "Latitude, -90..90."),
    FieldSpec("lon", "lon", "Longitude, -180..180."),
    FieldSpec(
        "coord_precision", "choice", "How precise the coordinates are.", choices=COORD_PRECISIONS
    ),
)

SPECS: dict[str, RecordSpec] = {}


def _register(spec: RecordSpec) -> RecordSpec:
    SPECS[spec.kind] = spec
    return spec


SOURCE = _register(
    RecordSpec(
        kind="source",
        model=Source,
        group="source",
        aliases=("sources",),
        help="Sources: reports, articles, statements, testimonies, lists, media, official documents.",
        fields=(
            FieldSpec(
                "kind",
                "choice",
                "Kind of source.",
                required=True,
                choices=SOURCE_KINDS,
                filter=True,
            ),
            FieldSpec("title", "text", "Title.", required=True),
            FieldSpec("publisher", "text", "Publisher or organisation."),
            FieldSpec("author", "text", "Author."),
            FieldSpec(
                "published", "date", "Publication date (YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY)."
            ),
            FieldSpec("url", "url", "Where it was found (http/https)."),
            FieldSpec("language", "text", "Language code (ar, en, …)."),
            FieldSpec(
                "reliability",
                "choice",
                "Reliability grade A (reliable) … E (unreliable), F (cannot judge).",
                choices=RELIABILITY_GRADES,
                filter=True,
            ),
            FieldSpec("notes", "longtext", "Open notes."),
        ),
        columns=("id", "kind", "title", "publisher", "published", "reliability"),
    )
)

INCIDENT = _register(
    RecordSpec(
        kind="incident",
        model=Incident,
        group="incident",
        aliases=("incidents",),
        help="Incidents: what happened where and when, with date and place precision.",
        fields=(
            FieldSpec("title", "text", "Short title.", required=True),
            FieldSpec(
                "incident_type", "choice", "Type of incident.", choices=INCIDENT_TYPES, filter=True
            ),
            FieldSpec("date_start", "date", "First day (YYYY-MM-DD, YYYY-Www, YYYY-MM or YYYY)."),
            FieldSpec("date_end", "date", "Last day, same formats (omit for one date)."),
            *_PLACE,
            FieldSpec("description", "longtext", "Description (open)."),
            FieldSpec("fatalities_low", "count", "Lowest credible number killed."),
            FieldSpec("fatalities_best", "count", "Best estimate of the number killed."),
            FieldSpec("fatalities_high", "count", "Highest credible number killed."),
        ),
        checks=(_coords, _date_range, _fatalities),
        columns=(
            "id",
            "title",
            "incident_type",
            "date_start",
            "date_end",
            "place_name",
            "fatalities_best",
        ),
    )
)

ACT = _register(
    RecordSpec(
        kind="act",
        model=Act,
        group="act",
        aliases=("acts",),
        help="Acts: what happened to one victim in one incident.",
        fields=(
            FieldSpec(
                "incident_id",
                "ref",
                "The incident (id).",
                required=True,
                ref="incident",
                filter=True,
            ),
            FieldSpec(
                "victim_id",
                "ref",
                "The victim (person id).",
                required=True,
                ref="person",
                filter=True,
            ),
            FieldSpec(
                "act_type",
                "choice",
                "What was done.",
                required=True,
                choices=ACT_TYPES,
                filter=True,
            ),
            FieldSpec("method", "text", "Method (e.g. shooting)."),
            FieldSpec("date", "date", "Date (YYYY-MM-DD, YYYY-Www, YYYY-MM or YYYY)."),
            FieldSpec("perpetrator_affiliation", "text", "Perpetrator affiliation as reported."),
            FieldSpec(
                "perpetrator_unit_id", "ref", "Perpetrator unit (unit id).", ref="unit", filter=True
            ),
            FieldSpec(
                "perpetrator_ids",
                "refs",
                "Perpetrator persons (person ids, comma-separated; empty clears).",
                ref="person",
            ),
            FieldSpec(
                "status",
                "choice",
                "How well established.",
                choices=ACT_STATUSES,
                default="unknown",
                filter=True,
            ),
            FieldSpec("notes", "longtext", "Open notes."),
        ),
        columns=("id", "incident_id", "victim_id", "act_type", "date", "status"),
    )
)

UNIT = _register(
    RecordSpec(
        kind="unit",
        model=Organization,
        group="unit",
        aliases=("units",),
        help="Organizations and units (armed forces, militias, police …) with their hierarchy.",
        fields=(
            FieldSpec("name", "text", "Name.", required=True),
            FieldSpec(
                "kind",
                "choice",
                "Kind of organization.",
                required=True,
                choices=ORG_KINDS,
                filter=True,
            ),
            FieldSpec("abbreviation", "text", "Abbreviation."),
            FieldSpec("parent_id", "ref", "Parent unit (id).", ref="unit", filter=True),
            FieldSpec("notes", "longtext", "Open notes."),
        ),
        checks=(_unit_not_own_ancestor,),
        columns=("id", "name", "kind", "abbreviation", "parent_id"),
    )
)

MEMBERSHIP = _register(
    RecordSpec(
        kind="membership",
        model=Membership,
        group="membership",
        aliases=("memberships",),
        help="Dated memberships of persons in units, with rank and position.",
        fields=(
            FieldSpec(
                "person_id",
                "ref",
                "The member (person id).",
                required=True,
                ref="person",
                filter=True,
            ),
            FieldSpec(
                "organization_id", "ref", "The unit (id).", required=True, ref="unit", filter=True
            ),
            FieldSpec("rank", "text", "Rank."),
            FieldSpec("position", "text", "Position or command role."),
            FieldSpec("date_start", "date", "From (YYYY-MM-DD, YYYY-Www, YYYY-MM or YYYY)."),
            FieldSpec("date_end", "date", "Until, same formats."),
            FieldSpec("notes", "longtext", "Open notes."),
        ),
        checks=(_date_range,),
        columns=(
            "id",
            "person_id",
            "organization_id",
            "rank",
            "position",
            "date_start",
            "date_end",
        ),
    )
)

SITE = _register(
    RecordSpec(
        kind="site",
        model=Site,
        group="site",
        aliases=("sites",),
        help="Burial and crime sites: place, status, estimated bodies.",
        fields=(
            FieldSpec("name", "text", "Name of the site.", required=True),
            FieldSpec(
                "site_type",
                "choice",
                "Type of site.",
                required=True,
                choices=SITE_TYPES,
                filter=True,
            ),
            FieldSpec(
                "status",
                "choice",
                "Status.",
                choices=SITE_STATUSES,
                default="reported",
                filter=True,
            ),
            *_PLACE,
            FieldSpec("estimated_bodies", "count", "Estimated number of bodies."),
            FieldSpec("incident_id", "ref", "Related incident (id).", ref="incident", filter=True),
            FieldSpec("access_notes", "longtext", "Access notes (open)."),
        ),
        checks=(_coords,),
        columns=("id", "name", "site_type", "status", "place_name", "estimated_bodies"),
    )
)

PROVENANCE = _register(
    RecordSpec(
        kind="provenance",
        model=ProvenanceLink,
        group="provenance",
        aliases=(),
        help="Provenance links: which evidence or source supports which record, in what role.",
        fields=(
            FieldSpec(
                "subject_kind",
                "choice",
                "Kind of record supported.",
                required=True,
                choices=SUBJECT_KINDS,
                filter=True,
            ),
            FieldSpec(
                "subject_id", "int", "Id of the record supported.", required=True, filter=True
            ),
            FieldSpec(
                "evidence_id", "ref", "Supporting evidence item (id).", ref="evidence", filter=True
            ),
            FieldSpec("source_id", "ref", "Supporting source (id).", ref="source", filter=True),
            FieldSpec(
                "role",
                "choice",
                "Role the evidence plays.",
                required=True,
                choices=PROVENANCE_ROLES,
                filter=True,
            ),
            FieldSpec("locator", "text", "Where in the evidence (page, paragraph, timestamp)."),
            FieldSpec("notes", "longtext", "Open notes."),
        ),
        checks=(_provenance,),
        columns=("id", "subject_kind", "subject_id", "evidence_id", "source_id", "role", "locator"),
    )
)

_REF_MODELS: dict[str, type[Any]] = {
    "person": Person,
    "incident": Incident,
    "unit": Organization,
    "source": Source,
    "evidence": EvidenceItem,
    "act": Act,
    "site": Site,
    "membership": Membership,
}


def spec_for(kind: str) -> RecordSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise InputError(
            Message(
                N_("unknown record kind %(kind)s; known: %(known)s"),
                kind=repr(kind),
                known=_labels(list(SPECS)),
            )
        ) from None


# --- validation ------------------------------------------------------------------------


#: Each field's name is a message id of the catalogues: in English the name itself (the
#: CLI's and the API's words stay as they were), in Arabic the field's label on the form.
FIELD_MSGIDS: Final = (
    N_("abbreviation"), N_("access_notes"), N_("act_type"), N_("author"),
    N_("coord_precision"), N_("date"), N_("date_end"), N_("date_start"), N_("description"),
    N_("estimated_bodies"), N_("evidence_id"), N_("fatalities_best"), N_("fatalities_high"),
    N_("fatalities_low"), N_("incident_id"), N_("incident_type"), N_("kind"), N_("language"),
    N_("lat"), N_("locator"), N_("lon"), N_("method"), N_("name"), N_("notes"),
    N_("organization_id"), N_("parent_id"), N_("perpetrator_affiliation"),
    N_("perpetrator_ids"), N_("perpetrator_unit_id"), N_("person_id"), N_("place_name"),
    N_("position"), N_("published"), N_("publisher"), N_("rank"), N_("reliability"),
    N_("role"), N_("site_type"), N_("source_id"), N_("status"), N_("subject_id"),
    N_("subject_kind"), N_("title"), N_("url"), N_("victim_id"),
    # record kinds and value kinds, named in the same messages
    N_("act"), N_("incident"), N_("membership"), N_("provenance"), N_("site"), N_("source"),
    N_("unit"), N_("int"), N_("count"), N_("float"), N_("ref"), N_("refs"), N_("None"),
    N_("testimony_of"),
    # the columns every list sorts by besides its fields
    N_("id"), N_("created_at"), N_("updated_at"),
)  # fmt: skip


def _label(name: str) -> Message:
    """A field's (or a kind's) name as a message parameter: its label in the reader's
    language, the name itself in English."""
    return Message(name)


def _labels(names: list[str]) -> Message:
    """Field (or kind) names, comma-separated, each as :func:`_label`."""
    words = _label(names[-1])
    for name in reversed(names[:-1]):
        words = Message(N_("%(first)s, %(rest)s"), first=_label(name), rest=words)
    return words


def _bad_page(limit: int | None, offset: int) -> InputError:
    return InputError(
        Message(
            N_("invalid page: limit %(limit)s, offset %(offset)s (must be 0 or more)"),
            limit=str(limit),
            offset=str(offset),
        )
    )


def _text(value: str, name: str, max_len: int) -> str:
    """A text field's value, checked as :func:`check_text` checks it (same words)."""
    try:
        return check_text(value, name, max_len=max_len)
    except InputError as e:
        v = value.strip()
        words = (
            Message(
                N_("%(field)s too long (%(length)s characters; at most %(max)s)"),
                field=_label(name),
                length=str(len(v)),
                max=str(max_len),
            )
            if e.code == "too_long"
            else Message(N_("%(field)s contains control characters"), field=_label(name))
        )
        raise InputError(words, field=name, code=e.code) from None


def coerce(ctx: Context, spec: RecordSpec, name: str, value: Any) -> Any:
    """Validate one field value; returns the stored value (``None`` clears)."""
    f = spec.field(name)
    label = name
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if f.required:
            raise InputError(Message(FIELD_REQUIRED, kind=_label(spec.kind), field=_label(name)))
        return None
    try:
        if f.kind in ("text", "url"):
            v = _text(str(value), name, 500)
            if f.kind == "url" and not v.lower().startswith(("http://", "https://")):
                raise InputError(
                    Message(
                        N_("invalid %(field)s %(value)s: must start with http:// or https://"),
                        field=_label(name),
                        value=repr(v),
                    )
                )
            return v
        if f.kind == "longtext":
            return _text(str(value), name, 100_000)
        if f.kind == "refs":
            assert f.ref is not None
            items = value if isinstance(value, list | tuple) else str(value).split(",")
            ids: list[int] = []
            for item in items:
                text = str(item).strip()
                if not text:
                    continue
                if isinstance(item, bool | float):
                    raise ValueError
                iv = int(text)
                ctx.get(_REF_MODELS[f.ref], iv, f.ref)
                if iv not in ids:
                    ids.append(iv)
            return sorted(ids)
        if f.kind in ("int", "count", "ref"):
            iv = int(value)
            if isinstance(value, float) and value != iv:
                raise ValueError
            if f.kind == "count" and iv < 0:
                raise InputError(
                    Message(
                        N_("invalid %(field)s %(value)s: must be zero or more"),
                        field=_label(name),
                        value=str(iv),
                    ),
                    field=name,
                    code="negative",
                )
            if f.kind == "ref":
                assert f.ref is not None
                ctx.get(_REF_MODELS[f.ref], iv, f.ref)
            return iv
        if f.kind == "float":
            return float(value)
        if f.kind in ("lat", "lon"):
            fv = float(value)
            try:
                return (check_latitude if f.kind == "lat" else check_longitude)(fv, label)
            except InputError:
                raise InputError(
                    Message(
                        N_("invalid %(field)s %(value)s: latitude must be between -90 and 90")
                        if f.kind == "lat"
                        else N_(
                            "invalid %(field)s %(value)s: longitude must be between -180 and 180"
                        ),
                        field=_label(name),
                        value=repr(fv),
                    ),
                    field=name,
                    code="out_of_range",
                ) from None
        if f.kind == "date":
            try:
                return parse_partial_date(str(value), label)
            except InputError:
                raise InputError(
                    Message(
                        N_(
                            "invalid %(field)s %(value)s: use YYYY-MM-DD, YYYY-Www (ISO week), "
                            "YYYY-MM or YYYY (or a day and month name: 8 March 2025)"
                        ),
                        field=_label(name),
                        value=repr(str(value)),
                    ),
                    field=name,
                    code="invalid_date",
                ) from None
        if f.kind == "choice":
            allowed = f.choices
            v = str(value).strip()
            if allowed == RELIABILITY_GRADES:
                v = v.upper()
                if v in allowed:
                    return v
            elif v.lower() in allowed:
                return v.lower()
            raise InputError(
                Message(
                    N_("invalid %(field)s %(value)s; allowed: %(allowed)s"),
                    field=_label(name),
                    value=repr(str(value) if allowed == RELIABILITY_GRADES else v),
                    allowed=", ".join(allowed),
                ),
                field=name,
                code=None if allowed == RELIABILITY_GRADES else "invalid_choice",
            )
    except (TypeError, ValueError):
        raise InputError(
            Message(
                N_("invalid %(field)s %(value)s: expected %(kind)s"),
                field=_label(name),
                value=repr(value),
                kind=_label(f.kind),
            )
        ) from None
    raise AssertionError(f.kind)


def _apply(ctx: Context, spec: RecordSpec, row: Any, values: dict[str, Any]) -> dict[str, Any]:
    change: dict[str, Any] = {}
    for name, raw in values.items():
        try:
            v = coerce(ctx, spec, name, raw)
        except DalilError as e:
            e.field = e.field or name  # the web shows it next to this field
            raise
        f = spec.field(name)
        if f.kind == "date":
            setattr(row, name, v.text if v else None)
            setattr(row, f"{name}_precision", v.precision if v else None)
            change[name] = v.text if v else None
        else:
            setattr(row, name, v)
            change[name] = v
    merged = row.to_dict()
    for check in spec.checks:
        try:
            check(ctx, merged)
        except DalilError as e:
            e.field = e.field or _CHECK_FIELDS.get(check.__name__)
            raise
    return change


#: The field a failed cross-field check is shown next to in a form.
_CHECK_FIELDS = {
    "_coords": "lat",
    "_date_range": "date_end",
    "_fatalities": "fatalities_best",
    "_unit_not_own_ancestor": "parent_id",
    "_provenance": "subject_id",
}


# --- the API ---------------------------------------------------------------------------


def validate(ctx: Context, kind: str, /, **values: Any) -> None:
    """Check field values for a new record of *kind* without writing anything."""
    spec = spec_for(kind)
    values = _prepare(spec, values)
    _apply(ctx, spec, spec.model(), {k: v for k, v in values.items() if v is not None})


def _prepare(spec: RecordSpec, values: dict[str, Any]) -> dict[str, Any]:
    kind = spec.kind
    values = dict(values)
    unknown = set(values) - {f.name for f in spec.fields}
    if unknown:
        raise InputError(
            Message(
                N_("unknown %(kind)s field(s): %(fields)s"),
                kind=_label(kind),
                fields=", ".join(sorted(unknown)),
            )
        )
    for f in spec.fields:
        if values.get(f.name) is None and f.default is not None:
            values[f.name] = f.default
        if f.required and values.get(f.name) in (None, ""):
            raise InputError(
                Message(FIELD_NEEDED, kind=_label(kind), field=_label(f.name)),
                field=f.name,
                code="required",
            )
    return values


def add(ctx: Context, kind: str, /, **values: Any) -> Any:
    """Create a record of *kind* from field values (strings are validated and parsed)."""
    spec = spec_for(kind)
    ctx.require(access.RECORD_WRITE, f"add {kind} records")
    values = _prepare(spec, values)
    row = spec.model()
    if hasattr(row, "created_at"):
        row.created_at = row.updated_at = utcnow()
    change = _apply(ctx, spec, row, {k: v for k, v in values.items() if v is not None})
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit(f"{kind}.add", [oid(kind, row.id)], change=change)
    return row


def get(ctx: Context, kind: str, ident: int) -> Any:
    spec = spec_for(kind)
    ctx.require(access.CASE_READ, f"read {kind} records")
    return ctx.get(spec.model, ident, kind)


def list_(
    ctx: Context,
    kind: str,
    /,
    *,
    limit: int | None = None,
    offset: int = 0,
    retracted: str = "hide",
    after: int | None = None,
    before: int | None = None,
    **filters: Any,
) -> list[Any]:
    """Records of *kind* in id order, optionally filtered by equality on ``filter``
    fields; ``limit``/``offset`` (or a keyset bound *after*/*before* an id) cut a page in
    the database (default: every record). Retracted records are left out unless
    *retracted* is ``only`` or ``include``."""
    spec = spec_for(kind)
    ctx.require(access.CASE_READ, f"read {kind} records")
    if (limit is not None and limit < 0) or offset < 0:
        raise _bad_page(limit, offset)

    def build() -> tuple[Any, bool]:
        q = _filtered(ctx, spec, kind, select(spec.model).order_by(spec.model.id), filters)
        q = retractions.narrow(q, kind, spec.model.id, retracted)
        q, backwards = keyset.cut(q, spec.model.id, after=after, before=before, order=None)
        if limit is not None:
            q = q.limit(limit)
        if offset and after is None and before is None:
            q = q.offset(offset)
        return q, backwards

    if after is not None or before is not None:
        q, backwards = build()
    else:
        # Without a keyset bound the statement is built only if it is run: a record
        # page reads most of its lists from rows its transaction has already read
        # (below), and building a statement costs more than finding them. (Filters and
        # *retracted* are checked when the statement is built: rows are kept only
        # under the keys of reads that were built, or of ``retractions._children``.)
        q, backwards = None, False
    if retracted == "hide" and not ctx.writable and limit is None and not offset:
        # Every record in force of these filters: when the same records with the
        # retracted ones were read in this transaction (a record page's preview of what
        # depends on it, ``retractions._children``), leave those out instead of reading.
        every = ctx.read_cache.get(retractions.list_key(kind, filters, retracted="include"))
        if every is not None and after is None and before is None:
            gone = retractions.retracted_among(ctx, kind, [r.id for r in every])
            return [r for r in every if r.id not in gone]
    key = retractions.list_key(kind, filters, limit=limit, offset=offset, retracted=retracted,
                               after=after, before=before)  # fmt: skip
    rows = ctx.recall(key, lambda: list(ctx.session.scalars(q if q is not None else build()[0])))
    return rows[::-1] if backwards else rows


#: The date a kind's list is filtered on by ``date_from``/``date_to``.
DATE_FIELDS = {
    "incident": "date_start",
    "act": "date",
    "membership": "date_start",
    "source": "published",
}


def sortable(kind: str) -> tuple[str, ...]:
    """Fields a list of *kind* may be sorted by (``order="field"`` or ``"-field"``)."""
    spec = spec_for(kind)
    return (
        "id",
        *(f.name for f in spec.fields if f.kind not in ("longtext", "ref", "refs", "url")),
        "created_at",
        "updated_at",
    )


def _narrow(
    ctx: Context,
    spec: RecordSpec,
    q: Any,
    *,
    filters: dict[str, Any],
    date_from: str | None,
    date_to: str | None,
    place: str | None,
    retracted: str = "hide",
) -> Any:
    """Equality filters, a date range (dates compared as written: ``2025`` ≤ ``2025-03``
    ≤ ``2025-03-07``), a place-name fragment, and records in force or retracted."""
    kind, model = spec.kind, spec.model
    q = _filtered(ctx, spec, kind, q, filters)
    q = retractions.narrow(q, kind, model.id, retracted)
    if date_from or date_to:
        col = DATE_FIELDS.get(kind)
        if col is None:
            raise InputError(
                Message(N_("%(kind)s records have no date to filter by"), kind=_label(kind)),
                field="date_from",
            )
        column = getattr(model, col)
        if date_from:
            q = q.where(column >= parse_partial_date(date_from, "date_from").text)
        if date_to:
            # "~" sorts after digits and "-": 2025-03 keeps 2025-03-31 and 2025-03 itself.
            q = q.where(column <= parse_partial_date(date_to, "date_to").text + "~")
    if place:
        if not hasattr(model, "place_name"):
            raise InputError(
                Message(N_("%(kind)s records have no place to filter by"), kind=_label(kind)),
                field="place",
            )
        text = check_text(place, "place", max_len=300)
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(model.place_name.ilike(pattern, escape="\\"))
    return q


def _ordered(spec: RecordSpec, q: Any, order: str | None) -> Any:
    model = spec.model
    if not order:
        return q.order_by(model.id)
    name = order.lstrip("-")
    if name not in sortable(spec.kind):
        raise InputError(
            Message(
                N_("cannot sort %(kind)s records by %(field)s; by: %(choices)s"),
                kind=_label(spec.kind),
                field=repr(order),  # as typed: a page never repeats it (scrubbed)
                choices=_labels(list(sortable(spec.kind))),
            ),
            field="order",
        )
    col = getattr(model, name)
    return q.order_by(col.desc() if order.startswith("-") else col.asc(), model.id)


#: The statements of the plain list pages, by shape (kind, order, retracted, which of
#: after/before/limit/offset are given), those four as bound parameters: a list page
#: ran a statement built afresh on every view, and SQLAlchemy then also computed its
#: cache key and adapted the cached result columns to the new statement's.
_OPEN_PAGES: dict[tuple[Any, ...], tuple[Any, bool]] = {}


def list_open(
    ctx: Context,
    kind: str,
    /,
    *,
    limit: int | None = None,
    offset: int = 0,
    order: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    place: str | None = None,
    retracted: str = "hide",
    after: int | None = None,
    before: int | None = None,
    **filters: Any,
) -> list[dict[str, Any]]:
    """The page :func:`list_` returns, as ``to_dict()`` dicts, read with one column query
    instead of ORM objects (protected ``_enc``/``_index`` columns are not read). For list
    pages: optionally filtered (equality on ``filter`` fields, a date range, a place-name
    fragment) and sorted by *order* (``"field"`` or ``"-field"``; default id order)."""
    spec = spec_for(kind)
    ctx.require(access.CASE_READ, f"read {kind} records")
    if (limit is not None and limit < 0) or offset < 0:
        raise _bad_page(limit, offset)
    model = spec.model
    narrowed = bool(order or date_from or date_to or place or any(filters.values()))
    if getattr(model, "to_dict", None) is not RecordMixin.to_dict and not narrowed:
        rows = list_(
            ctx, kind, limit=limit, offset=offset, retracted=retracted, after=after, before=before
        )
        return [r.to_dict() for r in rows]
    keys = _open_keys(model)
    if not offset or after is not None or before is not None:
        offset = 0  # a keyset page is cut by its bound; *offset* only numbers its rows

    def build(after: Any, before: Any, limit: Any, offset: Any) -> tuple[Any, bool]:
        q = select(*(getattr(model, k) for k in keys))
        q = _narrow(
            ctx,
            spec,
            q,
            filters=filters,
            date_from=date_from,
            date_to=date_to,
            place=place,
            retracted=retracted,
        )
        q = _ordered(spec, q, order)
        q, backwards = keyset.cut(q, model.id, after=after, before=before, order=order)
        if limit is not None:
            q = q.limit(limit)
        if offset is not None:
            q = q.offset(offset)
        return q, backwards

    params: dict[str, Any] = {}
    if filters or date_from or date_to or place:
        q, backwards = build(after, before, limit, offset or None)
    else:
        # The plain pages (every record in force, or every retracted one, in one
        # order) with their bounds as parameters: built once per shape (see
        # :data:`_OPEN_PAGES`). Invalid input (an order, both bounds) raises as it
        # is built, so no shape of it is ever kept.
        q, backwards, params = keyset.bound_page(
            _OPEN_PAGES, (kind, order, retracted), build,
            after=after, before=before, limit=limit, offset=offset,
        )  # fmt: skip
    out = []
    result = list(ctx.session.execute(q, params))
    for row in reversed(result) if backwards else result:
        d = dict(zip(keys, row, strict=True))
        for k, v in d.items():
            if isinstance(v, datetime):
                d[k] = as_utc(v)
        out.append(d)
    if kind == "act" and out:  # as Act.to_dict: the perpetrator persons, one query
        found: dict[int, list[int]] = {d["id"]: [] for d in out}
        q_links = select(ActPerpetrator.act_id, ActPerpetrator.person_id).where(
            ActPerpetrator.act_id.in_(list(found))
        )
        for act_id, person_id in ctx.session.execute(q_links.order_by(ActPerpetrator.person_id)):
            found[act_id].append(person_id)
        for d in out:
            d["perpetrator_ids"] = found[d["id"]]
    return out


def acts_of_person(ctx: Context, person_id: int) -> dict[str, list[int]]:
    """Ids of the acts (in force) of a person: ``acts_as_victim`` and
    ``acts_as_perpetrator`` (as ``GET /api/v1/persons/{id}`` and ``person show --json``
    carry them)."""
    ctx.require(access.CASE_READ, "read act records")
    return {
        "acts_as_victim": [a.id for a in list_(ctx, "act", victim_id=person_id)],
        "acts_as_perpetrator": [a.id for a in acts_of_perpetrator(ctx, person_id)],
    }


#: Record kinds whose ``show --json`` and ``GET /api/v1/{kind}/{id}`` carry links.
LINKED_KINDS: Final = ("incident", "act", "site", "unit", "membership")


def links_of(ctx: Context, kind: str, record_id: int) -> dict[str, Any]:
    """The records (in force) linked to one record, as ``{kind} show --json`` and
    ``GET /api/v1/{kind}/{id}`` carry them: ``provenance`` (the sources and evidence that
    support or contradict it, with their locators) for incidents, acts, sites, units and
    memberships, and for an incident also its ``acts`` and ``sites`` by id. A testimony's
    link to its witness is left out for a user who may not reveal protected fields."""
    if kind not in LINKED_KINDS:
        return {}
    ctx.require(access.CASE_READ, f"read {kind} records")
    links = [p.to_dict() for p in list_(ctx, "provenance", subject_kind=kind, subject_id=record_id)]
    if not ctx.can(access.PROTECTED_REVEAL):
        links = [p for p in links if p.get("role") not in (WITNESS_ROLE, "identifies")]
    out: dict[str, Any] = {}
    if kind == "incident":
        out["acts"] = [a.id for a in list_(ctx, "act", incident_id=record_id)]
        out["sites"] = [s.id for s in list_(ctx, "site", incident_id=record_id)]
    out["provenance"] = links
    return out


def acts_of_perpetrator(ctx: Context, person_id: int) -> list[Act]:
    """Acts (in force) that name the person *person_id* among their perpetrators."""
    ctx.require(access.CASE_READ, "read act records")
    return ctx.recall(
        ("records.acts_of_perpetrator", person_id),
        lambda: list(ctx.session.scalars(_ACTS_OF_PERPETRATOR, {"person_id": person_id})),
    )


#: :func:`acts_of_perpetrator`'s statement (a person page runs it on every view), built
#: once with a bound parameter.
_ACTS_OF_PERPETRATOR = retractions.narrow(
    select(Act)
    .where(
        Act.id.in_(
            select(ActPerpetrator.act_id).where(ActPerpetrator.person_id == bindparam("person_id"))
        )
    )
    .order_by(Act.id),
    "act",
    Act.id,
)


_OPEN_KEYS: dict[type, tuple[str, ...]] = {}


def _open_keys(model: type) -> tuple[str, ...]:
    """The column attributes ``RecordMixin.to_dict`` includes, in its order."""
    keys = _OPEN_KEYS.get(model)
    if keys is None:
        from sqlalchemy import inspect

        mapper: Any = inspect(model)
        names: list[str] = [str(a.key) for a in mapper.column_attrs]
        keys = tuple(k for k in names if not (k.endswith("_enc") or k.endswith("_index")))
        _OPEN_KEYS[model] = keys
    return keys


def count(
    ctx: Context,
    kind: str,
    /,
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    place: str | None = None,
    retracted: str = "hide",
    **filters: Any,
) -> int:
    """How many records :func:`list_` (or :func:`list_open`) lists with the same filters
    and no limit."""
    spec = spec_for(kind)
    ctx.require(access.CASE_READ, f"read {kind} records")
    q = _narrow(
        ctx,
        spec,
        select(func.count()).select_from(spec.model),
        filters=filters,
        date_from=date_from,
        date_to=date_to,
        place=place,
        retracted=retracted,
    )
    return int(ctx.session.scalar(q) or 0)


def _filtered(ctx: Context, spec: RecordSpec, kind: str, q: Any, filters: dict[str, Any]) -> Any:
    for name, value in filters.items():
        if value is None:
            continue
        f = spec.field(name)
        if not f.filter:
            raise InputError(
                Message(
                    N_("cannot filter %(kind)s records by %(field)s"),
                    kind=_label(kind),
                    field=_label(name),
                )
            )
        if f.kind == "choice":
            value = coerce(ctx, spec, name, value)
        q = q.where(getattr(spec.model, name) == value)
    return q


def version_of(row: Any) -> str:
    """The version an edit is based on: when the record was last changed (ISO 8601).
    Forms carry it in a hidden field, the API as the ETag."""
    stamp = as_utc(row.updated_at)
    return stamp.isoformat() if stamp is not None else ""


def check_version(
    ctx: Context, kind: str, row: Any, if_version: str | None, *, object_id: str | None = None
) -> None:
    """Refuse an edit based on a stale version (:class:`Conflict`), naming who changed
    which fields since (from the audit entries of *object_id*, default ``kind:id``)."""
    if if_version is None or if_version == version_of(row):
        return
    from dalil.core import audit as audit_log

    try:
        based_on = as_utc(datetime.fromisoformat(if_version))
        assert based_on is not None
    except (TypeError, ValueError):
        raise InputError(
            Message(
                N_("invalid version %(version)s: expected ISO 8601"),
                version=repr(if_version[:40]),
            )
        ) from None
    later = [
        e.to_dict()
        for e in audit_log.query(ctx.session, object_id=object_id or oid(kind, row.id))
        if e.action.endswith(".update")
        and datetime.fromisoformat(e.ts.replace("Z", "+00:00")) > based_on
    ]
    fields: list[str] = []
    for e in later:
        for f in e["detail"].get("fields", []):
            if f not in fields:
                fields.append(f)
    actors = sorted({e["actor"] for e in later})
    raise Conflict(
        Message(
            STALE_EDIT,
            kind=_label(kind),
            id=str(row.id),
            who=", ".join(actors) if actors else Message(N_("another user")),
            fields=_labels(fields) if fields else Message(N_("unknown")),
        )
    )


def update(
    ctx: Context, kind: str, ident: int, /, *, if_version: str | None = None, **values: Any
) -> Any:
    """Change the given fields (``""`` or ``None`` clears an optional field). With
    *if_version* (:func:`version_of` of the record the edit is based on), an edit of a
    record changed since is refused."""
    spec = spec_for(kind)
    ctx.require(access.RECORD_WRITE, f"update {kind} records")
    row = ctx.get(spec.model, ident, kind)
    check_version(ctx, kind, row, if_version)
    retractions.refuse_edit_if_retracted(ctx, kind, row.id)
    unknown = set(values) - {f.name for f in spec.fields}
    if unknown:
        raise InputError(
            Message(
                N_("unknown %(kind)s field(s): %(fields)s"),
                kind=_label(kind),
                fields=", ".join(sorted(unknown)),
            )
        )
    if not values:
        raise InputError(Message(N_("nothing to update: give at least one field")))
    before = {name: _plain(getattr(row, name)) for name in values}
    change = _apply(ctx, spec, row, values)
    after = {name: _plain(v) for name, v in change.items()}
    changed = sorted(n for n in after if after[n] != before.get(n))
    if hasattr(row, "updated_at"):
        row.updated_at = utcnow()
    ctx.session.flush()
    ctx.audit(
        f"{kind}.update",
        [oid(kind, row.id)],
        change=change,
        detail={
            "fields": changed,
            "before": {n: before.get(n) for n in changed},
            "after": {n: after[n] for n in changed},
        },
    )
    return row


def _plain(value: Any) -> Any:
    """A field value as the audit log's readable ``detail`` keeps it (JSON types)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


#: What names a record of each web kind in a link (column of its table).
_LABEL_COLUMNS: dict[str, tuple[type[Any], str]] = {
    "persons": (Person, "pseudonym"),
    "incidents": (Incident, "title"),
    "sources": (Source, "title"),
    "units": (Organization, "name"),
    "sites": (Site, "name"),
}


def labels(ctx: Context, wanted: dict[str, set[Any]]) -> dict[tuple[str, Any], tuple[str, str]]:
    """``(kind, id) -> (label, url)`` for the records a page links to (*wanted*: web kind
    -> ids; one query per kind): a person by pseudonym, an incident or source by title, a
    unit or site by name, evidence by its file name (:func:`evidence.label`: a
    :class:`Message` for a sensitive item the reader may not read), an act by number.
    Open fields only (``case.read``)."""
    from dalil.services import evidence

    ctx.require(access.CASE_READ, "read records")
    out: dict[tuple[str, Any], tuple[str, str]] = {}
    for kind, ids in wanted.items():
        ids = {i for i in ids if i is not None}
        if not ids:
            continue
        if kind in _LABEL_COLUMNS:
            model, col = _LABEL_COLUMNS[kind]
            q = select(model.id, getattr(model, col)).where(model.id.in_(ids))
            for ident, label in ctx.session.execute(q):
                out[(kind, ident)] = (str(label), f"/{kind}/{ident}")
        elif kind == "evidence":
            q = select(
                EvidenceItem.id,
                EvidenceItem.original_name,
                EvidenceItem.sensitive,
                EvidenceItem.sha256,
            ).where(EvidenceItem.id.in_(ids))
            may = ctx.can(access.EVIDENCE_READ_SENSITIVE)
            for ident, name, sensitive, sha256 in ctx.session.execute(q):
                shown = evidence.label(ident, name, sensitive, may_read_sensitive=may)
                out[(kind, ident)] = (shown, f"/evidence/{sha256}")
        elif kind == "acts":
            for ident in ctx.session.scalars(select(Act.id).where(Act.id.in_(ids))):
                out[(kind, ident)] = (f"#{ident}", f"/acts/{ident}")
    return out


def may_write(case: Case, actor: Actor, what: str) -> None:
    """PermissionDenied (logged as ``access.denied``) unless *actor* may write records:
    for an interface that asks before showing a form (``case.require``)."""
    case.require(actor, access.RECORD_WRITE, what)
