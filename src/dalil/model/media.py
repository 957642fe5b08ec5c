"""Media of evidence items: embedded metadata and perceptual hashes (encrypted), and the
"same media?" decisions between items."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dalil.model.common import Timestamps, utcnow
from dalil.store.base import Base

MATCH_STATUSES = ("pending", "accepted", "rejected")


class MediaInfo(Timestamps, Base):
    """Metadata (EXIF/XMP/IPTC, container, C2PA; GPS included) and the perceptual hash of
    one item, each encrypted under the case key and bound to the item
    (``evidence:<id>:metadata``, ``evidence:<id>:phash``): a hash in clear would let
    someone holding a copy of the case test whether a known photo is in it."""

    __tablename__ = "media_info"

    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"), primary_key=True)
    metadata_enc: Mapped[str | None] = mapped_column(Text)
    phash_enc: Mapped[str | None] = mapped_column(Text)


class MediaMatch(Base):
    """A pair of items whose hashes are close: ``pending`` until a person decides
    (``accepted``: the same media; ``rejected``: not)."""

    __tablename__ = "media_matches"
    __table_args__ = (UniqueConstraint("a_id", "b_id", name="uq_media_matches_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"), index=True)
    b_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"), index=True)
    distance: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
