"""Retraction: a record withdrawn with a reason, never deleted.

One row per retracted record (``kind``, ``record_id``): lists, search results and
public or court exports leave it out; its page, the history in the audit log and
internal exports keep it. Restoring deletes the row (the audit log keeps both steps);
a record withdrawn as a dependant of another names that retraction (``cascade_of``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dalil.model.common import utcnow
from dalil.store.base import Base

#: Record kinds that can be retracted (the service layer's singular names).
RETRACTABLE_KINDS = (
    "incident",
    "person",
    "act",
    "site",
    "unit",
    "membership",
    "provenance",
    "source",
    "evidence",
    "list",
    "list_record",
)


class Retraction(Base):
    __tablename__ = "retractions"
    __table_args__ = (UniqueConstraint("kind", "record_id", name="uq_retractions_kind_record"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    retracted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retracted_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    #: The retraction whose operation also withdrew this record as a dependant (restoring
    #: that record restores this one); ``None`` for a record retracted on its own.
    cascade_of: Mapped[int | None] = mapped_column(Integer, index=True)
