"""Provenance link: which evidence item or source supports which record, in what role."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dalil.model.common import RecordMixin
from dalil.store.base import Base

SUBJECT_KINDS = ("incident", "act", "person", "site", "unit", "membership")

#: The role that ties a testimony to its witness: subject a person tagged ``witness``,
#: the link's source a ``testimony`` source (or its evidence item, marked sensitive).
#: Reports use it to write "Testimony of Witness N" and to keep the witness's pseudonym
#: and identity out of public editions. (``identifies`` is the older, generic role: a
#: document that identifies a person; links made with it to testimony sources are still
#: read as witness links, so older cases stay protected.)
WITNESS_ROLE = "testimony_of"

PROVENANCE_ROLES = (
    "supports",
    "corroborates",
    "contradicts",
    "identifies",
    WITNESS_ROLE,
    "locates",
    "context",
)


class ProvenanceLink(RecordMixin, Base):
    __tablename__ = "provenance_links"
    __kind__ = "provenance link"
    #: A record's links (its page, ``links_of``) found without reading every link.
    __table_args__ = (Index("ix_provenance_links_subject", "subject_kind", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(Integer)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_items.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    #: Where in the evidence: page, paragraph, timestamp …
    locator: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
