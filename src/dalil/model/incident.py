"""Incident: an event at a place and time (date range with precision, coordinates)."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dalil.model.common import RecordMixin
from dalil.store.base import Base

INCIDENT_TYPES = (
    "killing",
    "mass_killing",
    "execution",
    "shelling",
    "airstrike",
    "raid",
    "detention",
    "disappearance",
    "attack",
    "other",
)


class Incident(RecordMixin, Base):
    __tablename__ = "incidents"
    __kind__ = "incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    incident_type: Mapped[str | None] = mapped_column(String(32))
    date_start: Mapped[str | None] = mapped_column(String(10))
    date_start_precision: Mapped[str | None] = mapped_column(String(8))
    date_end: Mapped[str | None] = mapped_column(String(10))
    date_end_precision: Mapped[str | None] = mapped_column(String(8))
    place_name: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    coord_precision: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    fatalities_low: Mapped[int | None] = mapped_column(Integer)
    fatalities_best: Mapped[int | None] = mapped_column(Integer)
    fatalities_high: Mapped[int | None] = mapped_column(Integer)
