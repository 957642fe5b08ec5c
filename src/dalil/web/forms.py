"""Create and edit forms for the records a team keeps: which fields each kind's form
shows, their labels and the words for vocabulary values (both marked for translation),
and how a submitted form becomes service-layer values.

The fields and their validation are the service layer's (:data:`dalil.services.records.SPECS`
and :mod:`dalil.services.persons`); this module only chooses labels and input widgets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dalil.services.persons import PERSON_ROLES, SEXES
from dalil.services.records import SPECS
from dalil.web.context import N_

#: Web kind (URL segment) -> the service kind; ``persons`` has its own service.
EDIT_KINDS: dict[str, str] = {
    "incidents": "incident",
    "persons": "person",
    "acts": "act",
    "sites": "site",
    "units": "unit",
    "memberships": "membership",
    "provenance": "provenance",
    "sources": "source",
}

#: Field labels (msgids), shared by every kind's form and record page.
FIELD_LABELS: dict[str, str] = {
    "id": N_("Record number"),
    "title": N_("Title"),
    "incident_type": N_("Type of incident"),
    "date_start": N_("First day"),
    "date_end": N_("Last day"),
    "place_name": N_("Place"),
    "lat": N_("Latitude"),
    "lon": N_("Longitude"),
    "coord_precision": N_("Precision of the coordinates"),
    "description": N_("Description"),
    "fatalities_low": N_("Killed (lowest credible number)"),
    "fatalities_best": N_("Killed (best estimate)"),
    "fatalities_high": N_("Killed (highest credible number)"),
    "incident_id": N_("Incident"),
    "victim_id": N_("Victim"),
    "act_type": N_("What was done"),
    "method": N_("Method"),
    "date": N_("Date"),
    "perpetrator_affiliation": N_("Perpetrators as reported"),
    "perpetrator_unit_id": N_("Perpetrator unit"),
    "perpetrator_ids": N_("Perpetrator persons"),
    "status": N_("Status"),
    "notes": N_("Notes"),
    "name": N_("Name"),
    "kind": N_("Kind"),
    "abbreviation": N_("Abbreviation"),
    "parent_id": N_("Parent unit"),
    "person_id": N_("Person"),
    "organization_id": N_("Unit"),
    "rank": N_("Rank"),
    "position": N_("Position"),
    "site_type": N_("Type of site"),
    "estimated_bodies": N_("Estimated bodies"),
    "access_notes": N_("Access notes"),
    "subject_kind": N_("Kind of record supported"),
    "subject_id": N_("Number of the record supported"),
    "evidence_id": N_("Evidence item"),
    "source_id": N_("Source"),
    "role": N_("Role"),
    "locator": N_("Where in the source (page, time offset or quoted passage)"),
    "publisher": N_("Publisher"),
    "author": N_("Author"),
    "published": N_("Published"),
    "url": N_("Web address"),
    "language": N_("Language code (e.g. ar, en)"),
    "reliability": N_("Reliability"),
    "pseudonym": N_("Pseudonym"),
    "sex": N_("Sex"),
    "age": N_("Age"),
    "age_min": N_("Age at least"),
    "age_max": N_("Age at most"),
    "roles": N_("Roles"),
    "legal_name": N_("Legal name"),
    "aliases": N_("Aliases"),
    "contact": N_("Contact"),
    "exact_address": N_("Exact address"),
    "identity_group": N_("Identity group"),
    "sensitive_notes": N_("Sensitive notes"),
    "created_at": N_("Recorded"),
    "updated_at": N_("Last changed"),
    "date_start_precision": N_("Precision of the first day"),
    "date_end_precision": N_("Precision of the last day"),
    "date_precision": N_("Precision of the date"),
    "published_precision": N_("Precision of the publication date"),
    "protected_fields": N_("Protected fields held"),
    "sha256": N_("SHA-256"),
    "size": N_("Size (bytes)"),
    "media_type": N_("Media type"),
    "original_name": N_("File name"),
    "copy_kind": N_("Copy"),
    "derived_from_id": N_("Derived from"),
    "derived_from": N_("Derived from"),
    "sensitive": N_("Sensitive"),
    "graphic": N_("Graphic (shown blurred)"),
    "capture": N_("Capture details"),
    "added_by": N_("Added by"),
}

#: Vocabulary values (codes) -> words, in both languages.
VOCAB: dict[str, str] = {
    # incident types
    "killing": N_("killing"),
    "mass_killing": N_("mass killing"),
    "execution": N_("execution"),
    "shelling": N_("shelling"),
    "airstrike": N_("airstrike"),
    "raid": N_("raid"),
    "detention": N_("detention"),
    "disappearance": N_("disappearance"),
    "attack": N_("attack"),
    "other": N_("other"),
    # act types
    "injury": N_("injury"),
    "torture": N_("torture"),
    "sexual_violence": N_("sexual violence"),
    "forced_displacement": N_("forced displacement"),
    "property_destruction": N_("destruction of property"),
    # act statuses
    "confirmed": N_("confirmed"),
    "likely": N_("likely"),
    "possible": N_("possible"),
    "unlikely": N_("unlikely"),
    "unknown": N_("unknown"),
    # unit kinds
    "state_force": N_("state force"),
    "armed_group": N_("armed group"),
    "militia": N_("militia"),
    "police": N_("police"),
    "intelligence": N_("intelligence service"),
    "government": N_("government body"),
    "unit": N_("unit"),
    "ngo": N_("non-governmental organisation"),
    # site types and statuses
    "burial": N_("burial site"),
    "mass_grave": N_("mass grave"),
    "crime_scene": N_("crime scene"),
    "reported": N_("reported"),
    "located": N_("located"),
    "secured": N_("secured"),
    "exhumed": N_("exhumed"),
    # coordinate precision
    "exact": N_("exact"),
    "approximate": N_("approximate"),
    "locality": N_("town or village"),
    "district": N_("district"),
    "region": N_("region"),
    # provenance
    "incident": N_("incident"),
    "act": N_("act"),
    "person": N_("person"),
    "site": N_("site"),
    "membership": N_("membership"),
    "supports": N_("supports"),
    "corroborates": N_("corroborates"),
    "contradicts": N_("contradicts"),
    "identifies": N_("identifies"),
    "testimony_of": N_("testimony of"),
    "locates": N_("locates"),
    "context": N_("context"),
    # persons
    "female": N_("female"),
    "male": N_("male"),
    "victim": N_("victim"),
    "witness": N_("witness"),
    "survivor": N_("survivor"),
    "suspect": N_("suspect"),
    "perpetrator": N_("perpetrator"),
    "relative": N_("relative"),
    "source": N_("source"),
    "official": N_("official"),
    # sources
    "report": N_("report"),
    "article": N_("article"),
    "statement": N_("statement"),
    "testimony": N_("testimony"),
    "list": N_("list"),
    "media": N_("media"),
    # evidence copies
    "evidentiary": N_("evidentiary (original)"),
    "working": N_("working copy"),
    # date precision
    "day": N_("day"),
    "week": N_("week"),
    "month": N_("month"),
    "year": N_("year"),
    # reliability grades
    "A": N_("A: completely reliable"),
    "B": N_("B: usually reliable"),
    "C": N_("C: fairly reliable"),
    "D": N_("D: not usually reliable"),
    "E": N_("E: unreliable"),
    "F": N_("F: reliability cannot be judged"),
}

#: What a field's input says when its value is refused (by the field's kind).
ERROR_WORDS: dict[str, str] = {
    "required": N_("Required."),
    "date": N_(
        "Not a date: write a year (2025), a month (2025-03, March 2025) or a day (2025-03-08, 8 March 2025)."
    ),
    "day": N_("A day is needed here: 2025-03-08 or 8 March 2025."),
    "int": N_("Not a whole number."),
    "count": N_("Not a whole number of 0 or more."),
    "lat": N_("A latitude is a number from -90 to 90; give both latitude and longitude."),
    "lon": N_("A longitude is a number from -180 to 180; give both latitude and longitude."),
    "ref": N_("No such record: choose one from the list."),
    "choice": N_("Choose one of the listed values."),
    "url": N_("A web address starts with http:// or https://."),
    "text": N_("Not accepted: too long, or contains control characters."),
    "longtext": N_("Not accepted: too long, or contains control characters."),
    "float": N_("Not a number."),
    "date_end": N_("The last day is before the first day."),
    "fatalities_best": N_("The numbers killed must go lowest ≤ best ≤ highest."),
    "parent_id": N_("A unit cannot be its own parent or ancestor."),
    "source_id": N_("Give either a source or an evidence item (exactly one)."),
    "subject_id": N_("No record of that kind with that number."),
    "pseudonym_taken": N_("Another person already has this pseudonym."),
    "witness": N_(
        "A testimony link needs a person tagged witness and a testimony source or a "
        "sensitive evidence item, with one witness per testimony."
    ),
    "age": N_("Ages are whole numbers from 0 to 150, with at least ≤ at most."),
}

#: Widget per service field kind.
_WIDGETS = {
    "text": "text",
    "url": "url",
    "longtext": "textarea",
    "int": "number",
    "count": "number",
    "float": "number",
    "lat": "decimal",
    "lon": "decimal",
    "date": "date",
    "choice": "select",
    "ref": "ref",
    "refs": "refs",
}

#: What a referenced record is listed from: service ref kind -> web list kind.
REF_LISTS = {
    "person": "persons",
    "incident": "incidents",
    "unit": "units",
    "source": "sources",
    "evidence": "evidence",
    "act": "acts",
    "site": "sites",
}

PERSON_OPEN = ("pseudonym", "roles", "sex", "age", "age_min", "age_max", "notes")
PERSON_PROTECTED = (
    "legal_name",
    "aliases",
    "contact",
    "exact_address",
    "identity_group",
    "sensitive_notes",
)


@dataclass
class FormField:
    name: str
    label: str  # msgid
    widget: (
        str  # text | url | textarea | number | decimal | date | select | ref | roles | protected
    )
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # web list kind of a referenced record
    hint: str | None = None  # msgid
    protected: bool = False
    multiline: bool = False
    options: list[tuple[Any, str]] = field(default_factory=list)  # (id, label) for refs


DATE_HINT = N_("A year (2025), a month (2025-03, March 2025) or a day (2025-03-08, 8 March 2025).")


def form_fields(kind: str, *, can_protected: bool) -> list[FormField]:
    """The inputs of *kind*'s form, in order. Persons' protected inputs only for a role
    that may see protected fields."""
    if kind == "persons":
        out = [
            FormField("pseudonym", FIELD_LABELS["pseudonym"], "text", required=True),
            FormField("roles", FIELD_LABELS["roles"], "roles", choices=PERSON_ROLES),
            FormField("sex", FIELD_LABELS["sex"], "select", choices=SEXES),
            FormField("age", FIELD_LABELS["age"], "number"),
            FormField("age_min", FIELD_LABELS["age_min"], "number"),
            FormField("age_max", FIELD_LABELS["age_max"], "number"),
            FormField("notes", FIELD_LABELS["notes"], "textarea"),
        ]
        if can_protected:
            for f in PERSON_PROTECTED:
                out.append(
                    FormField(
                        f,
                        FIELD_LABELS[f],
                        "protected",
                        protected=True,
                        multiline=f in ("aliases", "sensitive_notes"),
                    )
                )
        return out
    spec = SPECS[EDIT_KINDS[kind]]
    return [
        FormField(
            s.name,
            FIELD_LABELS.get(s.name, s.name),
            _WIDGETS[s.kind],
            required=s.required,
            choices=s.choices,
            ref=REF_LISTS.get(s.ref or "") if s.kind in ("ref", "refs") else None,
            hint=DATE_HINT if s.kind == "date" else None,
        )
        for s in spec.fields
    ]


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫", "01234567890123456789.")


def western_digits(text: str) -> str:
    """Arabic-Indic and Persian digits (and the Arabic decimal mark) as ASCII."""
    return text.translate(_DIGITS)


def values_from_form(
    fields: list[FormField], form: dict[str, Any], *, editing: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """Service values from submitted form data, and errors ``{field: ERROR_WORDS key}``
    found before the service is asked (numbers). On edit, a blank protected input
    leaves the field as it is unless its "clear" box is ticked."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        if f.name not in form and not (f.protected and form.get(f"clear_{f.name}")):
            continue  # not in this submission: left as it is (a form sends every input)
        if f.widget == "roles":
            raw_roles = form.get("roles")
            values["roles"] = (
                [r for r in (raw_roles or []) if r] if isinstance(raw_roles, list) else []
            )
            continue
        if f.widget == "refs":  # several records chosen (e.g. perpetrator persons)
            raw_ids = form.get(f.name)
            chosen = raw_ids if isinstance(raw_ids, list) else [raw_ids or ""]
            try:
                values[f.name] = [
                    int(western_digits(str(x)).strip()) for x in chosen if str(x).strip()
                ]
            except ValueError:
                errors[f.name] = "int"
            continue
        raw = form.get(f.name, "")
        text = raw.strip() if isinstance(raw, str) else ""
        if f.protected:
            if editing and not text:
                if form.get(f"clear_{f.name}"):
                    values[f.name] = [] if f.name == "aliases" else None
                continue
            if f.name == "aliases":
                parts = text.replace("\n", ";").replace("؛", ";").split(";")
                values[f.name] = [a.strip() for a in parts if a.strip()]
            elif text:
                values[f.name] = text
            continue
        if f.widget in ("number", "decimal", "date", "ref"):
            text = western_digits(text)
        if f.widget == "number" and text:
            try:
                values[f.name] = int(text)
            except ValueError:
                errors[f.name] = "int"
            continue
        if f.widget == "decimal" and text:
            try:
                values[f.name] = float(text)
            except ValueError:
                errors[f.name] = "float"
            continue
        values[f.name] = text or None
    return values, errors


#: Filters of each list page: a choice field's name, "place" (a fragment of the place
#: name) or "dates" (from/until).
LIST_FILTERS: dict[str, tuple[str, ...]] = {
    "incidents": ("incident_type", "place", "dates"),
    "acts": ("act_type", "status", "dates"),
    "sites": ("site_type", "status", "place"),
    "units": ("kind",),
    "sources": ("kind", "reliability", "dates"),
    "memberships": ("dates",),
    "provenance": ("subject_kind", "role"),
    "persons": ("role", "sex"),
    "evidence": ("copy_kind", "sensitive"),
}
FILTER_PARAMS = (
    "incident_type",
    "act_type",
    "status",
    "site_type",
    "kind",
    "reliability",
    "subject_kind",
    "role",
    "sex",
    "copy_kind",
    "sensitive",
    "place",
    "date_from",
    "date_to",
    "order",
)


def filter_choices(kind: str, name: str) -> tuple[str, ...]:
    """The values a list filter offers."""
    from dalil.services.evidence import COPY_KINDS

    if kind == "persons":
        return PERSON_ROLES if name == "role" else SEXES
    if kind == "evidence":
        return COPY_KINDS if name == "copy_kind" else ("true", "false")
    spec = SPECS[EDIT_KINDS[kind]]
    return spec.field(name).choices


def sort_choices(kind: str, columns: tuple[str, ...]) -> list[str]:
    """``order`` values a list page offers: its columns that the service sorts by."""
    from dalil.services import persons as person_service
    from dalil.services.records import sortable

    if kind == "evidence":
        return []
    allowed = person_service.SORTABLE if kind == "persons" else sortable(EDIT_KINDS[kind])
    return [c for c in columns if c in allowed]
