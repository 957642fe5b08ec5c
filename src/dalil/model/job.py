"""The durable job queue: long work (linkage, estimates, reports, exports, fixity, OCR …)
kept in the case database, so it survives a restart and any worker process can run it.

A job's parameters and result are encrypted with the case data key (they may name files
or carry figures that are not for a database reader); its log holds words only (steps,
counts), never record contents. See :mod:`dalil.services.jobs`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from dalil.model.common import utcnow
from dalil.store.base import Base

#: Every state a job can be in. ``queued`` → ``running`` → ``done`` | ``failed`` |
#: ``cancelled``; a running job whose worker died goes back to ``queued`` (or ``failed``
#: after its last attempt).
JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
FINISHED_STATES = ("done", "failed", "cancelled")


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    params_enc: Mapped[str] = mapped_column(Text)
    result_enc: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[float | None] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    #: Jobs with the same lock key never run at the same time (e.g. one linkage run).
    lock_key: Mapped[str | None] = mapped_column(String(100))
    worker: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_jobs_state_id", "state", "id"),
        Index("ix_jobs_owner", "owner"),
        # At most one running job per lock key, enforced by the database itself, so two
        # workers claiming at the same instant cannot both start one.
        Index(
            "ux_jobs_running_lock",
            "lock_key",
            unique=True,
            sqlite_where=text("state = 'running' AND lock_key IS NOT NULL"),
            postgresql_where=text("state = 'running' AND lock_key IS NOT NULL"),
        ),
    )


class JobLog(Base):
    """One line of a job's log, in words ("read 3 lists", "attempt 2 after a worker stopped")."""

    __tablename__ = "job_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    message: Mapped[str] = mapped_column(String(500))


class JobFile(Base):
    """A file a job takes (an uploaded personnel list) or makes (a PDF report).

    An input file is kept in the row, encrypted with the case data key (AES-256-GCM,
    bound to the job, the file's role and name). An output file is an encrypted blob of
    the vault (``blob_sha256``: chunked AES-256-GCM, as evidence is), streamed when
    downloaded; output files of jobs older than that are in the row (``content_enc``)."""

    __tablename__ = "job_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # input | output
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    blob_sha256: Mapped[str | None] = mapped_column(String(64))
