"""Tables of the findings capability (migration ``0004_findings``).

They extend the foundation records (incidents, acts, sites, sources, evidence) without
changing them: incident coding, an append-only history of element assessments and
sign-offs, site status events and details, the corroboration claims with graded
carriers, and stored estimates for reports.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from dalil.store.base import Base


def _now() -> datetime:
    return datetime.now(UTC)


class IncidentCodingRow(Base):
    """ACLED/UCDP coding of an incident (fields the foundation Incident does not hold)."""

    __tablename__ = "finding_incident_codings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    sub_event_type: Mapped[str] = mapped_column(String(64))
    civilian_targeting: Mapped[bool] = mapped_column(Boolean, default=False)
    actor1: Mapped[str | None] = mapped_column(String(300))
    assoc_actor1: Mapped[str | None] = mapped_column(String(300))
    actor2: Mapped[str | None] = mapped_column(String(300))
    assoc_actor2: Mapped[str | None] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(100))
    admin1: Mapped[str | None] = mapped_column(String(200))
    admin2: Mapped[str | None] = mapped_column(String(200))
    geo_precision: Mapped[str] = mapped_column(String(8), default="exact")
    #: {"low": [evidence ids], "best": [...], "high": [...]}
    fatality_sources: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ElementAssessmentRow(Base):
    """One element finding for an act (or, for ``attack``, an incident). Append-only."""

    __tablename__ = "finding_assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_id: Mapped[int | None] = mapped_column(ForeignKey("acts.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    element: Mapped[str] = mapped_column(String(16))
    finding: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[list[int]] = mapped_column(JSON, default=list)
    assessor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SignOffRow(Base):
    __tablename__ = "finding_signoffs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("acts.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SiteEventRow(Base):
    """A dated status change of a site (reported → located → secured → exhumed)."""

    __tablename__ = "finding_site_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    on_date: Mapped[str] = mapped_column(String(10))
    by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SiteDetailRow(Base):
    __tablename__ = "finding_site_details"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), unique=True)
    recovered_bodies: Mapped[int | None] = mapped_column(Integer)
    protection_notes: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SiteVictimRow(Base):
    __tablename__ = "finding_site_victims"
    __table_args__ = (
        UniqueConstraint("site_id", "person_id", name="uq_finding_site_victims_site_person"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    evidence: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ClaimRow(Base):
    """A key claim (toll, attribution, method) whose corroboration is tracked."""

    __tablename__ = "finding_claims"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(String(300))
    date_start: Mapped[str | None] = mapped_column(String(10))
    date_end: Mapped[str | None] = mapped_column(String(10))
    low: Mapped[int | None] = mapped_column(Integer)
    high: Mapped[int | None] = mapped_column(Integer)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ClaimSourceRow(Base):
    """A source carrying (or contradicting) a claim, with Admiralty grades."""

    __tablename__ = "finding_claim_sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("finding_claims.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    reliability: Mapped[str] = mapped_column(String(1))
    credibility: Mapped[int] = mapped_column(Integer)
    stance: Mapped[str] = mapped_column(String(16), default="supports")
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_items.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class EstimateRow(Base):
    """An estimate kept for reports (the estimation result JSON plus what it was run on)."""

    __tablename__ = "finding_estimates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(300))
    method: Mapped[str] = mapped_column(String(100))
    observed: Mapped[int] = mapped_column(Integer)
    # None: not estimable (estimate), or that end of the interval not bounded by the data.
    estimate: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    lists: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence: Mapped[list[int]] = mapped_column(JSON, default=list)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
