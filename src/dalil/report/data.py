"""Plain data a report is built from, independent of storage.

:class:`CaseSnapshot` is filled either from a case (through the service layer, see
:mod:`dalil.services.reports`) or directly (the demo story, tests). Fields that are
*protected* in the case (legal names, contacts, addresses, identity group, sensitive
notes) are kept in :class:`PersonView` attributes whose names start with ``protected_``;
the public report never reads them (see :mod:`dalil.report.redact`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dalil.findings.assessment import ElementFinding, SignOff
from dalil.findings.incidents import IncidentCoding
from dalil.findings.sites import SiteRecord
from dalil.findings.units import Membership, UnitRecord


@dataclass
class PersonView:
    id: str
    role: str  # victim | witness | suspect | other
    pseudonym: str | None = None  # how the case refers to the person (witnesses: always)
    sex: str | None = None
    age: int | None = None
    protected_legal_name: str | None = None
    protected_contact: str | None = None
    protected_address: str | None = None
    protected_identity_group: str | None = None
    protected_notes: str | None = None


@dataclass
class EvidenceView:
    id: str
    kind: str  # testimony | document | photo | video | list | forensic | report
    title: str
    source: str | None = None
    witness: str | None = None  # person id of the witness for testimony
    date: date | None = None
    sensitive: bool = False  # marked sensitive in the vault: never described in public


@dataclass
class SourceView:
    id: str
    title: str
    publisher: str | None = None
    date: date | None = None
    kind: str = "report"
    witness: str | None = None  # person id, for testimonies
    sensitive: bool = False  # all its evidence is marked sensitive: not named in public


@dataclass
class ActView:
    id: str
    incident: str
    victim: str | None  # person id
    date: date | None = None
    place: str | None = None
    method: str | None = None
    unit: str | None = None  # attributed unit id
    evidence: list[str] = field(default_factory=list)
    history: list[ElementFinding] = field(default_factory=list)
    sign_offs: list[SignOff] = field(default_factory=list)


@dataclass
class EstimateView:
    label: str  # e.g. "Marjan, 14-15 April (all lists)"
    method: str
    observed: int
    estimate: float | None  # None: not estimable
    ci: tuple[float | None, float | None]  # None: that end not bounded by the data
    lists: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    note: str | None = None
    # publication gates (dalil.estimate.publication): reasons it is "not for publication"
    gates: list[str] = field(default_factory=list)
    # a legal or admin user's recorded reason to publish anyway: {"by", "at", "reason"}
    override: dict[str, str] | None = None


@dataclass
class CaseSnapshot:
    title: str
    summary: list[str] = field(default_factory=list)
    incidents: list[IncidentCoding] = field(default_factory=list)
    incident_findings: dict[str, list[ElementFinding]] = field(default_factory=dict)
    acts: list[ActView] = field(default_factory=list)
    persons: dict[str, PersonView] = field(default_factory=dict)
    evidence: dict[str, EvidenceView] = field(default_factory=dict)
    sources: dict[str, SourceView] = field(default_factory=dict)
    sites: list[SiteRecord] = field(default_factory=list)
    estimates: list[EstimateView] = field(default_factory=list)
    corroboration: dict[str, object] | None = None
    units: dict[str, UnitRecord] = field(default_factory=dict)
    memberships: list[Membership] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be included, and why
    fictional: bool = False
