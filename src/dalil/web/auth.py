"""Web authentication machinery: server-side sessions, CSRF tokens, login throttling, TOTP.

Who a user is and what they may do is decided by the service layer (:mod:`dalil.core.access`);
this module only carries the decision across HTTP requests:

* **Sessions** live on the server: for a case, in its database (:mod:`dalil.web.sessions`:
  durable, shared by every worker process); the in-memory :class:`SessionStore` here
  serves backends without a case (tests). The browser holds only a random 256-bit id in
  an ``HttpOnly; SameSite=Strict`` cookie (``Secure`` over TLS). Sessions expire after
  30 idle minutes and 12 hours in all (configurable); the id is replaced at login (no
  fixation) and the session destroyed at logout.
* **CSRF**: a synchroniser token per session, required on every unsafe request that
  authenticates with the cookie (form field ``csrf_token`` or header ``X-CSRF-Token``).
  Requests that authenticate with a bearer token carry no ambient credential and need none.
* **Throttling**: failures are counted per account and per client address; after a few
  free attempts each further failure doubles the wait (capped), and while a key waits the
  password is not even checked.
* **TOTP**: an optional second factor (RFC 6238, pyotp); a code is accepted once (for a
  case, on every worker and after a restart: :class:`dalil.web.sessions.DbTotpReplayGuard`).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

SESSION_COOKIE = "dalil_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Session:
    """One browser session. ``user`` is None until the login (and TOTP, if any) succeeds."""

    id: str
    csrf: str
    created: float
    seen: float
    user: str | None = None
    role: str | None = None
    pending_user: str | None = None  # password accepted, second factor still owed
    pending_role: str | None = None
    totp_pending: str | None = None  # a secret offered for enrolment, not yet confirmed
    #: a victim-list file between upload and import (memory only, never on disk)
    list_upload: dict[str, object] | None = None
    #: the user's pair-review session (its reason stated once; services.pair_review)
    review_session: int | None = None
    flash: list[str] = field(default_factory=list)


class SessionStore:
    """Sessions kept in server memory, bounded in number and lifetime. Thread-safe."""

    #: Read on the event loop: memory only (a database store says True).
    in_database = False

    def __init__(
        self,
        *,
        idle_seconds: float = 30 * 60,
        max_age_seconds: float = 12 * 3600,
        max_sessions: int = 20_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle_seconds = idle_seconds
        self.max_age_seconds = max_age_seconds
        self.max_sessions = max_sessions
        self.clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._sessions)

    def _expired(self, s: Session, now: float) -> bool:
        return now - s.seen > self.idle_seconds or now - s.created > self.max_age_seconds

    def create(self) -> Session:
        now = self.clock()
        s = Session(
            id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32), created=now, seen=now
        )
        with self._lock:
            if len(self._sessions) >= self.max_sessions:
                self._evict(now)
            self._sessions[s.id] = s
        return s

    def _evict(self, now: float) -> None:
        for sid in [k for k, v in self._sessions.items() if self._expired(v, now)]:
            del self._sessions[sid]
        if len(self._sessions) >= self.max_sessions:
            # Drop the oldest anonymous sessions first, then the oldest of all.
            order = sorted(self._sessions.values(), key=lambda v: (v.user is not None, v.seen))
            for v in order[: max(1, len(order) // 10)]:
                del self._sessions[v.id]

    def get(self, sid: str | None) -> Session | None:
        if not sid or len(sid) > 100:
            return None
        now = self.clock()
        with self._lock:
            s = self._sessions.get(sid)
            if s is None:
                return None
            if self._expired(s, now):
                del self._sessions[sid]
                return None
            s.seen = now
            return s

    def rotate(self, s: Session) -> Session:
        """Give *s* a new id and CSRF token (at login), dropping the old id."""
        with self._lock:
            self._sessions.pop(s.id, None)
            s.id = secrets.token_urlsafe(32)
            s.csrf = secrets.token_urlsafe(32)
            s.created = s.seen = self.clock()
            self._sessions[s.id] = s
        return s

    def destroy(self, s: Session) -> None:
        with self._lock:
            self._sessions.pop(s.id, None)

    def destroy_user(self, user: str) -> int:
        """End every session of *user* (after their account or role changes)."""
        with self._lock:
            gone = [k for k, v in self._sessions.items() if v.user == user]
            for k in gone:
                del self._sessions[k]
        return len(gone)


def csrf_ok(session: Session | None, supplied: str | None) -> bool:
    """Constant-time comparison of the supplied token with the session's token."""
    if session is None or not supplied:
        return False
    return hmac.compare_digest(session.csrf.encode(), supplied.encode())


@dataclass
class _Counter:
    failures: int = 0
    until: float = 0.0
    last: float = 0.0


class LoginThrottle:
    """Exponential back-off on failed logins, per account and per client address.

    The first ``free_attempts`` failures cost nothing; failure number ``free_attempts + k``
    makes the key wait ``base_delay * 2**(k-1)`` seconds (at most ``max_delay``). A key
    forgets its failures after ``forget_after`` quiet seconds. A successful login clears the
    account's counter but not the address's, so one valid account cannot be used to reset
    the counter of an address guessing other accounts' passwords.
    """

    def __init__(
        self,
        *,
        free_attempts: int = 3,
        base_delay: float = 1.0,
        max_delay: float = 15 * 60,
        forget_after: float = 3600,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_attempts = free_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.forget_after = forget_after
        self.max_keys = max_keys
        self.clock = clock
        self._keys: dict[str, _Counter] = {}
        self._lock = threading.Lock()

    def answers_from_memory(self, account: str, address: str) -> bool:
        """Whether :meth:`retry_after` answers without the database (here: always)."""
        return True

    @staticmethod
    def _keys_for(account: str, address: str) -> tuple[str, str]:
        return "acct:" + account.strip().casefold(), "addr:" + address

    def _get(self, key: str, now: float) -> _Counter | None:
        c = self._keys.get(key)
        if c is not None and now - c.last > self.forget_after and now >= c.until:
            del self._keys[key]
            return None
        return c

    def retry_after(self, account: str, address: str) -> float:
        """Seconds until a login for *account* from *address* may be tried (0: now)."""
        now = self.clock()
        with self._lock:
            wait = 0.0
            for key in self._keys_for(account, address):
                c = self._get(key, now)
                if c is not None:
                    wait = max(wait, c.until - now)
            return max(0.0, wait)

    def delay_for(self, failures: int) -> float:
        if failures <= self.free_attempts:
            return 0.0
        return float(
            min(self.max_delay, self.base_delay * 2 ** (failures - self.free_attempts - 1))
        )

    def failure(self, account: str, address: str) -> float:
        """Record a failure; return the wait it imposes."""
        now = self.clock()
        with self._lock:
            if len(self._keys) >= self.max_keys:
                for k in [k for k, c in self._keys.items() if now >= c.until]:
                    del self._keys[k]
            wait = 0.0
            for key in self._keys_for(account, address):
                c = self._get(key, now) or self._keys.setdefault(key, _Counter())
                c.failures += 1
                c.last = now
                d = self.delay_for(c.failures)
                c.until = now + d
                wait = max(wait, d)
            return wait

    def success(self, account: str, address: str) -> None:
        with self._lock:
            self._keys.pop(self._keys_for(account, address)[0], None)


class TotpReplayGuard:
    """Remembers the last accepted TOTP time step per user so a code works only once."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}
        self._lock = threading.Lock()

    def verify(self, user: str, secret: str, code: str, *, at: float | None = None) -> bool:
        from dalil.services.users import totp_step

        step = totp_step(secret, code, at=at)
        if step is None:
            return False
        with self._lock:
            if self._last.get(user, -1) >= step:
                return False
            self._last[user] = step
        return True
