"""Site: a burial or crime site, its status and estimated bodies."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dalil.model.common import RecordMixin
from dalil.store.base import Base

SITE_TYPES = ("burial", "mass_grave", "crime_scene", "detention", "other")
SITE_STATUSES = ("reported", "located", "secured", "exhumed")


class Site(RecordMixin, Base):
    __tablename__ = "sites"
    __kind__ = "site"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    site_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="reported")
    place_name: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    coord_precision: Mapped[str | None] = mapped_column(String(16))
    estimated_bodies: Mapped[int | None] = mapped_column(Integer)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    access_notes: Mapped[str | None] = mapped_column(Text)
