"""Organization / Unit (with parent unit) and dated Membership of persons."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dalil.model.common import RecordMixin
from dalil.store.base import Base

ORG_KINDS = (
    "state_force",
    "armed_group",
    "militia",
    "police",
    "intelligence",
    "government",
    "unit",
    "ngo",
    "other",
)


class Organization(RecordMixin, Base):
    __tablename__ = "organizations"
    __kind__ = "unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    abbreviation: Mapped[str | None] = mapped_column(String(50))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)


class Membership(RecordMixin, Base):
    __tablename__ = "memberships"
    __kind__ = "membership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    rank: Mapped[str | None] = mapped_column(String(100))
    position: Mapped[str | None] = mapped_column(String(200))
    date_start: Mapped[str | None] = mapped_column(String(10))
    date_start_precision: Mapped[str | None] = mapped_column(String(8))
    date_end: Mapped[str | None] = mapped_column(String(10))
    date_end_precision: Mapped[str | None] = mapped_column(String(8))
    notes: Mapped[str | None] = mapped_column(Text)
