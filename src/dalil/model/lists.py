"""Tables of the linkage capability: imported lists, their records, review pairs and
reviewers' decisions (migration ``0003_linkage``).

Names, addresses, national ids and the original row are *protected*: stored encrypted
with the case data key (``data_enc``, context ``list_record:<id>:data``). Fields needed
for capture histories and review without reveal (sex, age, birth year, date and place
of death, governorate) are kept in the clear.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from dalil.store.base import Base


class VictimList(Base):
    __tablename__ = "linkage_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    evidence_sha256: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(300))
    rows_read: Mapped[int] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(Integer)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "evidence": self.evidence_sha256,
            "original_name": self.original_name,
            "rows": self.rows_read,
            "records": self.records,
            "imported_by": self.imported_by,
            "imported_at": self.imported_at,
        }


class ListRecord(Base):
    __tablename__ = "linkage_records"
    __table_args__ = (UniqueConstraint("list_id", "record_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("linkage_lists.id"), index=True)
    record_key: Mapped[str] = mapped_column(String(200))
    row: Mapped[int] = mapped_column(Integer)
    data_enc: Mapped[str] = mapped_column(Text)
    sex: Mapped[str | None] = mapped_column(String(1))
    age: Mapped[int | None] = mapped_column(Integer)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    date_of_death: Mapped[str | None] = mapped_column(String(10))
    place_of_death: Mapped[str | None] = mapped_column(String(300))
    governorate: Mapped[str | None] = mapped_column(String(300))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    match_probability: Mapped[float | None] = mapped_column(Float)


class ReviewPair(Base):
    """An uncertain pair from the latest ``lists link`` (replaced on every run)."""

    __tablename__ = "linkage_review_pairs"
    __table_args__ = (UniqueConstraint("record_a", "record_b"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_a: Mapped[int] = mapped_column(ForeignKey("linkage_records.id"))
    record_b: Mapped[int] = mapped_column(ForeignKey("linkage_records.id"))
    probability: Mapped[float] = mapped_column(Float)


class LinkDecision(Base):
    """A reviewer's decision on a pair: ``accept`` (same person) or ``reject``."""

    __tablename__ = "linkage_decisions"
    __table_args__ = (UniqueConstraint("record_a", "record_b"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_a: Mapped[int] = mapped_column(ForeignKey("linkage_records.id"))
    record_b: Mapped[int] = mapped_column(ForeignKey("linkage_records.id"))
    verdict: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VictimMatch(Base):
    """A proposal from the latest ``lists link``: a list record may name a victim the
    case already holds (a Person recorded by investigators). Replaced on every run.

    ``held``: the record's cluster scored at or above the threshold against the victim
    and had no person yet, so no new person was created for it; a reviewer decides.
    """

    __tablename__ = "linkage_victim_matches"
    __table_args__ = (UniqueConstraint("record_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("linkage_records.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    probability: Mapped[float] = mapped_column(Float)
    held: Mapped[bool] = mapped_column(Boolean, default=False)


class VictimDecision(Base):
    """A reviewer's decision that a list record does (``accept``) or does not
    (``reject``) name a victim already recorded in the case; applied to the record's
    whole cluster on every later run."""

    __tablename__ = "linkage_victim_decisions"
    __table_args__ = (UniqueConstraint("record_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("linkage_records.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    verdict: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LinkageRun(Base):
    """One ``lists link`` run: its kind (``full`` or ``incremental``), when, how many
    records, and the trained model (Splink settings with m and u probabilities; no
    record values) that a later incremental run reuses."""

    __tablename__ = "linkage_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    records: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[float] = mapped_column(Float)
    model: Mapped[dict[str, Any]] = mapped_column(JSON)


class PairExplanation(Base):
    """What the latest linkage run kept for the review views (migration
    ``0027_pair_explanations``): a pair's probability, match weight and fields (each
    comparison's level and weight in bits; no record value), for every pair of a review
    queue item, a victim match, a decision and within each cluster. Replaced on every
    run; a pair without a row is scored again when viewed."""

    __tablename__ = "linkage_pair_explanations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("linkage_runs.id"), index=True)
    pair: Mapped[str] = mapped_column(String(40), unique=True)
    probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ReviewSession(Base):
    """A reviewer's review session (migration ``0019_review_team``): the reason stated
    once for seeing the names of the pairs reviewed in it. Each pair shown is still
    logged on its own (``linkage.reveal``, citing the session and its reason). Ends when
    the reviewer ends it, or :data:`dalil.services.lists.REVIEW_SESSION_HOURS` after it
    began."""

    __tablename__ = "linkage_review_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BlindItem(Base):
    """A pair in blind double review: two reviewers decide it independently; the
    decision is stored (``linkage_decisions``) when they agree, else when a third
    reviewer settles the disagreement. ``status``: ``open`` (fewer than two votes),
    ``agreed``, ``disputed`` (two votes that differ), ``settled`` (by a third)."""

    __tablename__ = "linkage_blind_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(10))
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    verdict: Mapped[str | None] = mapped_column(String(8))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BlindVote(Base):
    """One reviewer's vote on a blind item (``stage``: ``double`` for the two blind
    votes, ``third`` for the reviewer who settles a disagreement). ``salt`` makes the
    audit entry of the vote a commitment: its digest covers the verdict and the salt,
    both published in the entry that closes the item."""

    __tablename__ = "linkage_blind_votes"
    __table_args__ = (UniqueConstraint("item_id", "reviewer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("linkage_blind_items.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(8))
    verdict: Mapped[str] = mapped_column(String(8))
    salt: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoredHistories(Base):
    """The capture histories of the linked victims as a ``histories`` job (or a linkage
    run, or an estimate) last computed them (migration ``0029_stored_histories``), so
    that the estimates page reads them instead of counting every list record. One row
    per stratum choice (``strata``: comma-separated, ``""`` for none). ``audit_seq`` is
    the data version they were computed at: the last audit entry then. They hold while
    no audit entry that may change data follows (see ``services.lists.stored_histories``);
    ``problem`` is the code of why there are none (no list, records not linked)."""

    __tablename__ = "linkage_histories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strata: Mapped[str] = mapped_column(String(200), unique=True)
    audit_seq: Mapped[int] = mapped_column(BigInteger)
    lists: Mapped[list[str]] = mapped_column(JSON)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    problem: Mapped[str | None] = mapped_column(String(40))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
