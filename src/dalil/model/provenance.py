"""Provenance link: which evidence item or source supports which record, in what role."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dalil.model.common import RecordMixin
from dalil.store.base import Base

SUBJECT_KINDS = ("incident", "act", "person", "site", "unit", "membership")
PROVENANCE_ROLES = (
    "supports",
    "corroborates",
    "contradicts",
    "identifies",
    "locates",
    "context",
)


class ProvenanceLink(RecordMixin, Base):
    __tablename__ = "provenance_links"
    __kind__ = "provenance link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(Integer)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_items.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    #: Where in the evidence: page, paragraph, timestamp …
    locator: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
