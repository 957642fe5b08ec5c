"""Helpers shared by the record models: timestamps and a generic ``to_dict``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import DateTime, inspect
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
@overload
def as_utc(value: datetime | None) -> datetime | None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes: they were stored as UTC, so say so."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RecordMixin(Timestamps):
    """``to_dict()``: every column (snake_case keys), datetimes in UTC.

    Columns whose name ends in ``_enc`` or ``_index`` (protected ciphertext, blind
    indexes) are never included.
    """

    __kind__: str = "record"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for attr in inspect(type(self)).column_attrs:
            key = attr.key
            if key.endswith("_enc") or key.endswith("_index"):
                continue
            value = getattr(self, key)
            if isinstance(value, datetime):
                value = as_utc(value)
            out[key] = value
        return out
