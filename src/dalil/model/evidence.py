"""EvidenceItem: a file held in the vault (content-addressed by its SHA-256)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from dalil.model.common import RecordMixin
from dalil.store.base import Base

COPY_KINDS = ("evidentiary", "working")


class EvidenceItem(RecordMixin, Base):
    __tablename__ = "evidence_items"
    __kind__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    media_type: Mapped[str | None] = mapped_column(String(200))
    #: Sanitised display name of the file as received (never a path).
    original_name: Mapped[str | None] = mapped_column(String(255))
    copy_kind: Mapped[str] = mapped_column(String(16), default="evidentiary")
    derived_from_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_items.id"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Shows violence or bodies: blurred and greyscale until the viewer chooses to see it.
    graphic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Capture metadata: who/when/how it was collected (no protected content).
    capture: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    added_by: Mapped[str] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
