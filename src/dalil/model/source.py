"""Source: a report, article, statement, testimony, list, media item or official document."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dalil.model.common import RecordMixin
from dalil.store.base import Base

SOURCE_KINDS = ("report", "article", "statement", "testimony", "list", "media", "official")
#: Source reliability (Admiralty/NATO scale): A completely reliable … E unreliable,
#: F cannot be judged.
RELIABILITY_GRADES = ("A", "B", "C", "D", "E", "F")


class Source(RecordMixin, Base):
    __tablename__ = "sources"
    __kind__ = "source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(300))
    author: Mapped[str | None] = mapped_column(String(300))
    published: Mapped[str | None] = mapped_column(String(10))
    published_precision: Mapped[str | None] = mapped_column(String(8))
    url: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    reliability: Mapped[str | None] = mapped_column(String(1))
    notes: Mapped[str | None] = mapped_column(Text)
