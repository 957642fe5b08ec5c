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

from dalil.display.messages import N_, Message
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
        raise InputError(
            Message(
                N_("unknown site status %(value)s; use one of: %(choices)s"),
                value=repr(new),
                choices=_order(),
            )
        )
    if not history:
        return
    cur = history[-1]
    if SITE_STATUSES.index(new) <= SITE_STATUSES.index(cur.status):
        raise Conflict(
            Message(
                N_(
                    "site status cannot go from %(current)s to %(new)s: status only moves "
                    "forward (%(order)s)"
                ),
                current=Message(cur.status),
                new=Message(new),
                order=_order(),
            )
        )
    if on < cur.on:
        raise InputError(
            Message(
                N_("status date %(on)s is before the previous change (%(previous)s)"),
                on=on.isoformat(),
                previous=cur.on.isoformat(),
            )
        )


def _order() -> Message:
    """The statuses in their order, as words (``reported → located → …``)."""
    words = Message(SITE_STATUSES[-1])
    for status in reversed(SITE_STATUSES[:-1]):
        words = Message(N_("%(first)s → %(rest)s"), first=Message(status), rest=words)
    return words


def check_bodies(estimated: int | None, recovered: int | None) -> None:
    for name, v in (("estimated", estimated), ("recovered", recovered)):
        if v is not None and v < 0:
            raise InputError(f"{name} bodies cannot be negative")
