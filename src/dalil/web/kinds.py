"""The kinds of case records the workbench lists and shows, with their columns.

Field names are the service layer's JSON keys (snake_case, as the CLI prints them).
Labels are msgids, translated when shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from dalil.web.context import N_


@dataclass(frozen=True)
class Kind:
    name: str  # URL segment (plural)
    title: str  # msgid, plural
    singular: str  # msgid
    columns: tuple[tuple[str, str], ...]  # (field, label msgid)
    id_field: str = "id"


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "persons",
            N_("Persons"),
            N_("Person"),
            (
                ("id", N_("ID")),
                ("pseudonym", N_("Pseudonym")),
                ("roles", N_("Roles")),
                ("sex", N_("Sex")),
                ("age", N_("Age")),
            ),
        ),
        Kind(
            "sources",
            N_("Sources"),
            N_("Source"),
            (
                ("id", N_("ID")),
                ("title", N_("Title")),
                ("kind", N_("Kind")),
                ("publisher", N_("Publisher")),
                ("published", N_("Published")),
                ("language", N_("Language")),
                ("reliability", N_("Reliability")),
            ),
        ),
        Kind(
            "incidents",
            N_("Incidents"),
            N_("Incident"),
            (
                ("id", N_("ID")),
                ("title", N_("Title")),
                ("incident_type", N_("Type")),
                ("date_start", N_("Date")),
                ("place_name", N_("Place")),
                ("fatalities_best", N_("Fatalities (best)")),
            ),
        ),
        Kind(
            "acts",
            N_("Acts"),
            N_("Act"),
            (
                ("id", N_("ID")),
                ("act_type", N_("Kind")),
                ("victim_id", N_("Victim")),
                ("incident_id", N_("Incident")),
                ("date", N_("Date")),
                ("status", N_("Status")),
            ),
        ),
        Kind(
            "sites",
            N_("Sites"),
            N_("Site"),
            (
                ("id", N_("ID")),
                ("name", N_("Name")),
                ("site_type", N_("Kind")),
                ("place_name", N_("Place")),
                ("estimated_bodies", N_("Estimated bodies")),
                ("status", N_("Status")),
            ),
        ),
        Kind(
            "units",
            N_("Units"),
            N_("Unit"),
            (
                ("id", N_("ID")),
                ("name", N_("Name")),
                ("kind", N_("Kind")),
                ("parent_id", N_("Parent unit")),
            ),
        ),
        Kind(
            "memberships",
            N_("Memberships"),
            N_("Membership"),
            (
                ("id", N_("ID")),
                ("person_id", N_("Person")),
                ("organization_id", N_("Unit")),
                ("rank", N_("Rank")),
                ("position", N_("Position")),
                ("date_start", N_("From")),
                ("date_end", N_("Until")),
            ),
        ),
        Kind(
            "provenance",
            N_("Provenance links"),
            N_("Provenance link"),
            (
                ("id", N_("ID")),
                ("subject_kind", N_("Kind of record supported")),
                ("subject_id", N_("Record supported")),
                ("role", N_("Role")),
                ("source_id", N_("Source")),
                ("evidence_id", N_("Evidence item")),
                ("locator", N_("Where")),
            ),
        ),
        Kind(
            "evidence",
            N_("Evidence"),
            N_("Evidence item"),
            (
                ("sha256", N_("SHA-256")),
                ("original_name", N_("File name")),
                ("media_type", N_("Media type")),
                ("size", N_("Size (bytes)")),
                ("copy_kind", N_("Copy")),
                ("sensitive", N_("Sensitive")),
                ("source_id", N_("Source")),
            ),
            id_field="sha256",
        ),
    )
}

#: Fields of a person that are protected (encrypted at rest); shown masked unless revealed.
PROTECTED_PERSON_FIELDS: tuple[tuple[str, str], ...] = (
    ("legal_name", N_("Legal name")),
    ("aliases", N_("Aliases")),
    ("contact", N_("Contact")),
    ("exact_address", N_("Exact address")),
    ("identity_group", N_("Identity group")),
    ("sensitive_notes", N_("Sensitive notes")),
)
