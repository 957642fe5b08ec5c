"""Web sessions and login throttling kept in the case database, so that a restart keeps
users signed in and any worker process of ``dalil serve`` can serve any request.

A session row is found by the SHA-256 of its id (the id itself, the cookie's value, is
never stored). What a session carries between requests that is not for a database
reader (a second-factor secret offered for enrolment, a victim-list file between the
import steps) is encrypted with the case data key in ``data_enc``. Throttle keys are
keyed hashes (HMAC) of "account name" or "client address", so no address is stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dalil.store.base import Base


class WebSession(Base):
    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created: Mapped[float] = mapped_column(Float)  # seconds since the epoch (UTC)
    seen: Mapped[float] = mapped_column(Float)
    user: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(16))
    pending_user: Mapped[str | None] = mapped_column(String(64))
    pending_role: Mapped[str | None] = mapped_column(String(16))
    flash: Mapped[str | None] = mapped_column(Text)  # JSON list of short UI messages
    data_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_web_sessions_user", "user"), Index("ix_web_sessions_seen", "seen"))


class LoginFailure(Base):
    """Failed-login counter of one throttle key (an account or a client address)."""

    __tablename__ = "login_failures"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    until: Mapped[float] = mapped_column(Float, default=0.0)  # may not try before (epoch s)
    last: Mapped[float] = mapped_column(Float, default=0.0)


class TotpUsed(Base):
    """The last second-factor time step accepted at login for one account: a code for
    that step or an earlier one is refused afterwards, on every worker and after a
    restart (RFC 6238 §5.2: a code is accepted once)."""

    __tablename__ = "totp_used"

    user: Mapped[str] = mapped_column(String(64), primary_key=True)
    step: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))


class TotpLock(Base):
    """Wrong second-factor codes of one account since its last right one, counted in the
    case database (every client address, every password re-entry, every worker); at the
    limit the account is locked until an admin unlocks it (audited)."""

    __tablename__ = "totp_locks"

    user: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
