"""Person: a victim, witness, suspect, relative … named in the case by pseudonym.

Protected fields are stored only as ciphertext (``*_enc`` columns, encrypted with the
case data key; the encryption context binds each value to its person and field, so a
ciphertext copied to another row or column does not decrypt). The legal name also has a
keyed blind index for equality search. Open fields: pseudonym, sex, age or age range,
role tags, open notes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, cast
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dalil.model.common import as_utc
from dalil.store.base import Base

SEXES = ("female", "male", "other", "unknown")
PERSON_ROLES = (
    "victim",
    "witness",
    "survivor",
    "suspect",
    "perpetrator",
    "relative",
    "source",
    "official",
    "other",
)
#: Protected fields: name → stored JSON-encoded (str or list of str), encrypted.
PROTECTED_FIELDS = (
    "legal_name",
    "aliases",
    "contact",
    "exact_address",
    "identity_group",
    "sensitive_notes",
)


def _now() -> datetime:
    return datetime.now(UTC)


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(100), unique=True)
    sex: Mapped[str | None] = mapped_column(String(16))
    #: Indexed: a list sorted by age reads its page through the index.
    age: Mapped[int | None] = mapped_column(Integer, index=True)
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    legal_name_enc: Mapped[str | None] = mapped_column(Text)
    legal_name_index: Mapped[str | None] = mapped_column(String(64), index=True)
    #: Which normal form the legal-name index hashes (2: folded as the linkage names;
    #: empty: made before that, re-indexed on next use).
    legal_name_index_v: Mapped[int | None] = mapped_column(Integer)
    aliases_enc: Mapped[str | None] = mapped_column(Text)
    contact_enc: Mapped[str | None] = mapped_column(Text)
    exact_address_enc: Mapped[str | None] = mapped_column(Text)
    identity_group_enc: Mapped[str | None] = mapped_column(Text)
    sensitive_notes_enc: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    def to_dict(self) -> dict[str, Any]:
        """Open fields only (never protected ones, which need a reveal)."""
        return {
            "id": self.id,
            "pseudonym": self.pseudonym,
            "sex": self.sex,
            "age": self.age,
            "age_min": self.age_min,
            "age_max": self.age_max,
            "roles": list(self.roles or []),
            "notes": self.notes,
            "protected_fields": [f for f in PROTECTED_FIELDS if self.has_protected(f)],
            "created_at": as_utc(self.created_at),
            "updated_at": as_utc(self.updated_at),
        }

    def has_protected(self, field: str) -> bool:
        return getattr(self, f"{field}_enc") is not None


#: PostgreSQL: the roles as ``jsonb`` in a GIN index, for filters by role
#: (``services.persons.role_clause``; migration 0028). SQLite has no such index.
Index("ix_persons_roles", cast(Person.roles, JSONB), postgresql_using="gin").ddl_if(
    dialect="postgresql"
)
