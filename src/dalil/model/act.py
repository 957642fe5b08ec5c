"""Act: what happened to one victim in one incident (killing, injury, disappearance, …)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dalil.model.common import RecordMixin
from dalil.store.base import Base

ACT_TYPES = (
    "killing",
    "injury",
    "disappearance",
    "detention",
    "torture",
    "sexual_violence",
    "forced_displacement",
    "property_destruction",
    "other",
)
ACT_STATUSES = ("confirmed", "likely", "possible", "unlikely", "unknown")


class Act(RecordMixin, Base):
    __tablename__ = "acts"
    __kind__ = "act"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    act_type: Mapped[str] = mapped_column(String(32))
    method: Mapped[str | None] = mapped_column(String(300))
    date: Mapped[str | None] = mapped_column(String(10))
    date_precision: Mapped[str | None] = mapped_column(String(8))
    perpetrator_affiliation: Mapped[str | None] = mapped_column(String(300))
    perpetrator_unit_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    status: Mapped[str] = mapped_column(String(16), default="unknown")
    notes: Mapped[str | None] = mapped_column(Text)
    #: Persons recorded as perpetrators (beside the unit); read with the act.
    perpetrator_links: Mapped[list[ActPerpetrator]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ActPerpetrator.person_id"
    )

    @property
    def perpetrator_ids(self) -> list[int]:
        """Ids of the persons recorded as perpetrators, in order."""
        return sorted(link.person_id for link in self.perpetrator_links)

    @perpetrator_ids.setter
    def perpetrator_ids(self, ids: list[int] | None) -> None:
        wanted = sorted(set(ids or []))
        self.perpetrator_links = [
            *(link for link in self.perpetrator_links if link.person_id in wanted),
            *(
                ActPerpetrator(person_id=i)
                for i in wanted
                if i not in {link.person_id for link in self.perpetrator_links}
            ),
        ]

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["perpetrator_ids"] = self.perpetrator_ids
        return out


class ActPerpetrator(Base):
    """A person recorded as a perpetrator of an act (beside the perpetrator unit)."""

    __tablename__ = "act_perpetrators"

    act_id: Mapped[int] = mapped_column(ForeignKey("acts.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True, index=True)
