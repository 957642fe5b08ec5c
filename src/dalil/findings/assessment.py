"""Legal assessment of each killing, element by element.

An *act* (one killing) is assessed against a checklist of elements. Each element gets a
finding — ``established``, ``likely``, ``insufficient`` or ``contradicted`` — the evidence
items behind it, the assessor and an optional note. A reviewer who assessed none of the
act's elements signs the assessment off (four-eyes rule). The widespread-or-systematic
attack required for crimes against humanity is assessed once per *incident*, not per act.

Qualifications (war crime of murder; murder or persecution as a crime against humanity)
are computed as *suggestions* from the findings: people decide, the system never does.

This module holds the rules only; storage and permissions live in the service layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from dalil.display.wording import plural
from dalil.errors import Conflict, InputError

#: Elements assessed for each act (one killing), in checklist order.
ACT_ELEMENTS: dict[str, str] = {
    "civilian": "Victim was a civilian or hors de combat (not taking direct part in hostilities)",
    "deliberate": "The killing was deliberate (intended, not incidental), with awareness of the victim's protected status",
    "identity": "Victim targeted for identity (religion, sect, ethnicity or political affiliation)",
    "party": "Perpetrator linked to a party (state forces, affiliated militia or armed group)",
    "nexus": "Nexus to an armed conflict (in the context of and associated with it, the perpetrator aware of the conflict)",
}
#: Elements assessed once per incident.
INCIDENT_ELEMENTS: dict[str, str] = {
    "attack": (
        "Part of a widespread or systematic attack directed against a civilian population, "
        "pursuant to a State or organisational policy, with knowledge of the attack"
    ),
}
ALL_ELEMENTS: dict[str, str] = {**ACT_ELEMENTS, **INCIDENT_ELEMENTS}

FINDINGS: tuple[str, ...] = ("established", "likely", "insufficient", "contradicted")
#: Findings that count as "supported" when suggesting qualifications.
SUPPORTED = frozenset({"established", "likely"})

#: Short labels for tables and reports.
ELEMENT_LABELS: dict[str, str] = {
    "civilian": "civilian / hors de combat",
    "deliberate": "deliberate",
    "identity": "identity-targeted",
    "party": "linked to a party",
    "nexus": "conflict nexus",
    "attack": "widespread or systematic attack",
}


@dataclass(frozen=True)
class ElementFinding:
    """One element's finding for one act (or incident, for ``attack``)."""

    element: str
    finding: str
    evidence: tuple[str, ...]
    assessor: str
    note: str | None = None
    at: datetime | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "element": self.element,
            "label": ELEMENT_LABELS.get(self.element, self.element),
            "finding": self.finding,
            "evidence": list(self.evidence),
            "assessor": self.assessor,
            "note": self.note,
            "at": self.at.isoformat() if self.at else None,
        }


@dataclass(frozen=True)
class SignOff:
    reviewer: str
    at: datetime
    note: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"reviewer": self.reviewer, "at": self.at.isoformat(), "note": self.note}


def normalise_element(element: str, *, level: str = "act") -> str:
    """Return the canonical element key, or raise :class:`InputError` naming the known ones."""
    key = element.strip().lower().replace("-", "_")
    aliases = {
        "hors_de_combat": "civilian",
        "civilian_status": "civilian",
        "deliberate_killing": "deliberate",
        "intent": "deliberate",
        "identity_targeted": "identity",
        "targeted": "identity",
        "party_link": "party",
        "perpetrator": "party",
        "conflict_nexus": "nexus",
        "armed_conflict": "nexus",
        "widespread_or_systematic": "attack",
        "widespread": "attack",
        "systematic": "attack",
    }
    key = aliases.get(key, key)
    allowed = ACT_ELEMENTS if level == "act" else INCIDENT_ELEMENTS
    if key in allowed:
        return key
    if level == "act" and key in INCIDENT_ELEMENTS:
        raise InputError(
            f"element {element!r} is assessed once per incident, not per act: "
            "pass the incident id instead of the act id"
        )
    if level == "incident" and key in ACT_ELEMENTS:
        raise InputError(
            f"element {element!r} is assessed per act: pass an act id, not an incident id"
        )
    raise InputError(f"unknown element {element!r}; {level} elements are: {', '.join(allowed)}")


def validate_finding(element: str, finding: str, evidence: Sequence[str]) -> str:
    """Check one element finding; return the canonical finding or raise :class:`InputError`.

    An ``established`` element must cite at least one evidence item: a finding nobody can
    trace to evidence is not established.
    """
    f = finding.strip().lower()
    if f not in FINDINGS:
        raise InputError(f"unknown finding {finding!r}; use one of: {', '.join(FINDINGS)}")
    ev = [e for e in evidence if e and e.strip()]
    if f == "established" and not ev:
        raise InputError(
            f"element {element!r} cannot be 'established' without evidence: "
            "cite the evidence items with --evidence ID (or record it as 'likely' or 'insufficient')"
        )
    if f == "contradicted" and not ev:
        raise InputError(
            f"element {element!r} cannot be 'contradicted' without evidence: cite what contradicts it"
        )
    if len(set(ev)) != len(ev):
        raise InputError(f"element {element!r}: the same evidence item is cited twice")
    return f


def current_findings(history: Iterable[ElementFinding]) -> dict[str, ElementFinding]:
    """The latest finding per element from an append-only history (later entries win)."""
    latest: dict[str, ElementFinding] = {}
    for item in history:
        latest[item.element] = item
    return latest


def check_sign_off(
    reviewer: str,
    history: Sequence[ElementFinding],
    *,
    require_complete: bool = True,
) -> None:
    """Raise unless *reviewer* may sign off an act with this assessment history.

    The reviewer must differ from every user who assessed any element of the act — the
    assessor cannot sign their own work — and (by default) every act element must have a
    finding.
    """
    if not history:
        raise Conflict("nothing to sign off: no element of this act has been assessed")
    assessors = {h.assessor for h in history}
    if reviewer in assessors:
        raise Conflict(
            "a reviewer cannot sign off an assessment they took part in: "
            "another legal analyst must review it"
        )
    if require_complete:
        have = current_findings(history)
        missing = [e for e in ACT_ELEMENTS if e not in have]
        if missing:
            raise Conflict(
                "cannot sign off an incomplete assessment; elements not yet assessed: "
                + ", ".join(missing)
            )


def sign_off_status(history: Sequence[ElementFinding], sign_offs: Sequence[SignOff]) -> str:
    """``unassessed``, ``draft`` (no valid sign-off) or ``signed`` (signed after the last change)."""
    if not history:
        return "unassessed"
    if not sign_offs:
        return "draft"
    last_change = max((h.at for h in history if h.at is not None), default=None)
    last_sign = max(s.at for s in sign_offs)
    if last_change is not None and last_change > last_sign:
        return "draft"  # changed since it was signed: needs a fresh review
    return "signed"


@dataclass(frozen=True)
class Qualification:
    """A suggested legal qualification, derived from element findings. Never a decision."""

    key: str
    title: str
    basis: str
    strength: str  # "supported" (all required elements established) or "possible"
    elements: tuple[str, ...]
    evidence: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "title": self.title,
            "basis": self.basis,
            "strength": self.strength,
            "elements": list(self.elements),
            "evidence": list(self.evidence),
            "suggestion": True,
        }


QUALIFICATIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "war_crime_murder",
        "War crime of murder",
        "Common Article 3 to the Geneva Conventions; Rome Statute art. 8(2)(c)(i) "
        "(non-international armed conflict) / 8(2)(a)(i) wilful killing (international)",
        ("civilian", "deliberate", "nexus"),
    ),
    (
        "cah_murder",
        "Murder as a crime against humanity",
        "Rome Statute art. 7(1)(a): killing as part of a widespread or systematic attack "
        "directed against a civilian population",
        ("civilian", "deliberate", "attack"),
    ),
    (
        "cah_persecution",
        "Persecution as a crime against humanity",
        "Rome Statute art. 7(1)(h): severe deprivation of fundamental rights on "
        "religious, ethnic, political or other grounds, in connection with murder, as part "
        "of a widespread or systematic attack",
        ("civilian", "deliberate", "identity", "attack"),
    ),
)


def suggest_qualifications(
    act_findings: Mapping[str, ElementFinding],
    incident_findings: Mapping[str, ElementFinding] | None = None,
) -> list[Qualification]:
    """Suggest qualifications whose required elements are all established or likely.

    ``supported`` when every required element is established, ``possible`` when some are
    only likely; nothing is suggested while any required element is insufficient,
    contradicted or unassessed. These are prompts for the legal analyst, not conclusions.
    """
    merged: dict[str, ElementFinding] = dict(act_findings)
    for k, v in (incident_findings or {}).items():
        merged[k] = v
    out: list[Qualification] = []
    for key, title, basis, required in QUALIFICATIONS:
        found = [merged.get(e) for e in required]
        if any(f is None or f.finding not in SUPPORTED for f in found):
            continue
        strength = (
            "supported" if all(f.finding == "established" for f in found if f) else "possible"
        )
        evidence: list[str] = []
        for f in found:
            assert f is not None
            for e in f.evidence:
                if e not in evidence:
                    evidence.append(e)
        out.append(Qualification(key, title, basis, strength, required, tuple(evidence)))
    return out


def is_unlawful(
    findings: Mapping[str, ElementFinding], *, accept: frozenset[str] = frozenset({"established"})
) -> bool:
    """An unlawful killing in the sense of the aggregates: a deliberate killing of a civilian or
    person hors de combat, linked to the conflict, with no element contradicted."""
    if any(f.finding == "contradicted" for f in findings.values()):
        return False
    return all(
        (f := findings.get(e)) is not None and f.finding in accept
        for e in ("civilian", "deliberate", "nexus")
    )


@dataclass
class Aggregate:
    """Per-incident counts: "N acts assessed; N deliberate; N identity-targeted; N unlawful"."""

    incident: str
    acts: int = 0
    assessed: int = 0
    signed: int = 0
    deliberate: int = 0
    identity: int = 0
    unlawful: int = 0
    deliberate_likely: int = 0
    identity_likely: int = 0
    unlawful_likely: int = 0
    evidence: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        s = (
            f"{plural(self.assessed, 'act')} assessed; {self.deliberate} deliberate; "
            f"{self.identity} identity-targeted; {self.unlawful} unlawful"
        )
        extra = []
        if self.deliberate_likely:
            extra.append(f"{self.deliberate_likely} more likely deliberate")
        if self.identity_likely:
            extra.append(f"{self.identity_likely} more likely identity-targeted")
        if self.unlawful_likely:
            extra.append(f"{self.unlawful_likely} more likely unlawful")
        if extra:
            s += " (" + "; ".join(extra) + ")"
        return s

    def to_dict(self) -> dict[str, object]:
        return {
            "incident": self.incident,
            "acts": self.acts,
            "assessed": self.assessed,
            "signed_off": self.signed,
            "deliberate": self.deliberate,
            "identity_targeted": self.identity,
            "unlawful": self.unlawful,
            "likely": {
                "deliberate": self.deliberate_likely,
                "identity_targeted": self.identity_likely,
                "unlawful": self.unlawful_likely,
            },
            "sentence": self.sentence(),
            "evidence": list(self.evidence),
        }


def aggregate(
    incident: str,
    acts: Mapping[str, Sequence[ElementFinding]],
    sign_offs: Mapping[str, Sequence[SignOff]] | None = None,
    *,
    signed_only: bool = False,
) -> Aggregate:
    """Count an incident's acts. Headline counts use *established* findings only; acts whose
    element is merely *likely* are counted separately, so the sentence never overstates.

    With ``signed_only`` only acts whose assessment is signed off count as assessed (what a
    public report should state).
    """
    agg = Aggregate(incident=incident, acts=len(acts))
    sign_offs = sign_offs or {}
    for act_id, history in acts.items():
        status = sign_off_status(history, sign_offs.get(act_id, ()))
        if status == "unassessed":
            continue
        if status == "signed":
            agg.signed += 1
        elif signed_only:
            continue
        agg.assessed += 1
        cur = current_findings(history)
        for el, attr in (("deliberate", "deliberate"), ("identity", "identity")):
            f = cur.get(el)
            if f is not None and f.finding == "established":
                setattr(agg, attr, getattr(agg, attr) + 1)
            elif f is not None and f.finding == "likely":
                setattr(agg, attr + "_likely", getattr(agg, attr + "_likely") + 1)
        if is_unlawful(cur):
            agg.unlawful += 1
        elif is_unlawful(cur, accept=SUPPORTED):
            agg.unlawful_likely += 1
        for f in cur.values():
            for e in f.evidence:
                if e not in agg.evidence:
                    agg.evidence.append(e)
    return agg
