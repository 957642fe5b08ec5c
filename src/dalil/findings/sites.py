"""Burial and crime sites: status history, access and protection notes, bodies, victims.

A site's status only moves forward along ``reported → located → secured → exhumed``
(steps may be skipped when the record shows it, never reversed: a correction is a new,
dated entry with a note, not an edit). Each change is dated, attributed and may cite
evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from dalil.errors import Conflict, InputError

SITE_STATUSES: tuple[str, ...] = ("reported", "located", "secured", "exhumed")
SITE_KINDS: tuple[str, ...] = ("burial", "mass_grave", "crime_scene", "detention", "other")


@dataclass(frozen=True)
class StatusChange:
    status: str
    on: date
    by: str
    note: str | None = None
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "on": self.on.isoformat(),
            "by": self.by,
            "note": self.note,
            "evidence": list(self.evidence),
        }


@dataclass
class SiteRecord:
    id: str
    name: str
    kind: str = "burial"
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    estimated_bodies: int | None = None
    recovered_bodies: int | None = None
    access_note: str | None = None
    protection_note: str | None = None
    history: list[StatusChange] = field(default_factory=list)
    victims: list[str] = field(default_factory=list)  # identified victims (person ids)
    incidents: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    @property
    def status(self) -> str | None:
        return self.history[-1].status if self.history else None


def check_transition(history: Sequence[StatusChange], new: str, on: date) -> None:
    """Raise unless a site with *history* may move to status *new* on *on*."""
    if new not in SITE_STATUSES:
        raise InputError(f"unknown site status {new!r}; use one of: {' → '.join(SITE_STATUSES)}")
    if not history:
        return
    cur = history[-1]
    if SITE_STATUSES.index(new) <= SITE_STATUSES.index(cur.status):
        raise Conflict(
            f"site status cannot go from {cur.status!r} to {new!r}: status only moves forward "
            f"({' → '.join(SITE_STATUSES)})"
        )
    if on < cur.on:
        raise InputError(f"status date {on} is before the previous change ({cur.on})")


def check_bodies(estimated: int | None, recovered: int | None) -> None:
    for name, v in (("estimated", estimated), ("recovered", recovered)):
        if v is not None and v < 0:
            raise InputError(f"{name} bodies cannot be negative")
