"""Units with hierarchy and dated membership; suspects linked to acts through units.

A person is a *suspect* for an act when the act is attributed (with evidence) to a unit
and the person was a member of that unit, or of a unit under it, on the act's date —
membership itself backed by evidence. This is a lead for investigators, not a finding
of individual responsibility.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from dalil.errors import Conflict, InputError


@dataclass(frozen=True)
class UnitRecord:
    id: str
    name: str
    parent: str | None = None
    party: str | None = None  # e.g. "state forces", "affiliated militia", "armed group"


@dataclass(frozen=True)
class Membership:
    person: str
    unit: str
    rank: str | None = None
    role: str | None = None
    start: date | None = None
    end: date | None = None
    evidence: tuple[str, ...] = ()

    def covers(self, day: date | None) -> bool:
        if day is None:
            return True
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


def check_parent(units: Mapping[str, UnitRecord], unit: str, parent: str | None) -> None:
    """Refuse a parent that is unknown or would make the hierarchy a cycle."""
    if parent is None:
        return
    if parent not in units:
        raise InputError(f"unknown parent unit {parent!r}")
    seen = {unit}
    cur: str | None = parent
    while cur is not None:
        if cur in seen:
            raise Conflict(f"unit {unit!r} cannot be placed under {parent!r}: that makes a cycle")
        seen.add(cur)
        cur = units[cur].parent if cur in units else None


def check_membership(m: Membership) -> None:
    if m.start and m.end and m.end < m.start:
        raise InputError(
            f"membership of {m.person} in {m.unit}: end {m.end} is before start {m.start}"
        )


def descendants(units: Mapping[str, UnitRecord], unit: str) -> set[str]:
    """*unit* and every unit below it."""
    children: dict[str, list[str]] = {}
    for u in units.values():
        if u.parent:
            children.setdefault(u.parent, []).append(u.id)
    out = {unit}
    stack = [unit]
    while stack:
        for c in children.get(stack.pop(), []):
            if c not in out:
                out.add(c)
                stack.append(c)
    return out


def chain(units: Mapping[str, UnitRecord], unit: str) -> list[str]:
    """The unit and its superiors, bottom up."""
    out = []
    cur: str | None = unit
    while cur is not None and cur not in out:
        out.append(cur)
        cur = units[cur].parent if cur in units else None
    return out


@dataclass(frozen=True)
class ActAttribution:
    act: str
    unit: str
    on: date | None
    evidence: tuple[str, ...] = ()


@dataclass
class SuspectLink:
    person: str
    act: str
    unit: str
    via_unit: str
    rank: str | None
    evidence: list[str] = field(default_factory=list)
    basis: str = "member"  # "member" of the unit or below; "command" of a superior unit

    def to_dict(self) -> dict[str, object]:
        return {
            "person": self.person,
            "act": self.act,
            "unit": self.unit,
            "via_unit": self.via_unit,
            "rank": self.rank,
            "basis": self.basis,
            "evidence": self.evidence,
        }


def suspects_for_acts(
    units: Mapping[str, UnitRecord],
    memberships: Sequence[Membership],
    attributions: Sequence[ActAttribution],
) -> list[SuspectLink]:
    """Link persons to acts through units on the act's date: members of the attributed
    unit or a unit below it (``basis="member"``), and commanders of the units above it
    (``basis="command"`` — a lead for command responsibility, which needs its own proof
    of effective control, knowledge and failure to prevent or punish)."""
    out: list[SuspectLink] = []
    for att in attributions:
        scope = descendants(units, att.unit)
        above = [u for u in chain(units, att.unit)[1:]]
        for m in memberships:
            if not m.covers(att.on):
                continue
            ev = list(dict.fromkeys([*att.evidence, *m.evidence]))
            if m.unit in scope:
                out.append(SuspectLink(m.person, att.act, att.unit, m.unit, m.rank, ev))
            elif m.unit in above and _commands(m):
                out.append(
                    SuspectLink(m.person, att.act, att.unit, m.unit, m.rank, ev, basis="command")
                )
    return out


def _commands(m: Membership) -> bool:
    text = " ".join(x for x in (m.rank, m.role) if x).lower()
    return any(w in text for w in ("command", "chief", "head", "leader", "قائد", "آمر", "امر"))
