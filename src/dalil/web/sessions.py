"""Sessions, login throttling and second-factor replay protection in the case database:
the stores ``dalil serve`` uses.

Same interface as the in-memory :class:`~dalil.web.auth.SessionStore` and
:class:`~dalil.web.auth.LoginThrottle` (kept for backends without a case), but every
worker process of a case shares them and a restart keeps users signed in. Rows are
kept by :mod:`dalil.services.sessions` (session ids only as hashes; what a session
carries encrypted; throttle keys as HMACs).

* A session expires after ``idle_seconds`` without a request (its ``seen`` time is
  written at most once a minute, so reading a page is not a database write every time)
  or ``max_age_seconds`` after login. Both come from ``dalil serve --session-idle /
  --session-max`` (minutes / hours; defaults 30 and 12).
* A request saves the session only when something in it changed (login, second
  factor, a message for the next page, an upload between import steps).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dalil.services import sessions as store
from dalil.web.auth import LoginThrottle, Session, TotpReplayGuard

if TYPE_CHECKING:
    from dalil.services.kernel import Case

#: Write a session's ``seen`` time at most this often (seconds).
TOUCH_EVERY = 60.0


def _state(s: Session) -> store.SessionState:
    data: dict[str, Any] = {}
    if s.totp_pending is not None:
        data["totp_pending"] = s.totp_pending
    if s.list_upload is not None:
        data["list_upload"] = s.list_upload
    if s.review_session is not None:
        data["review_session"] = s.review_session
    return store.SessionState(
        csrf=s.csrf,
        created=s.created,
        seen=s.seen,
        user=s.user,
        role=s.role,
        pending_user=s.pending_user,
        pending_role=s.pending_role,
        flash=list(s.flash),
        data=data,
    )


def _fingerprint(s: Session) -> str:
    st = _state(s)
    doc = {k: v for k, v in st.__dict__.items() if k != "seen"}
    raw = json.dumps(doc, sort_keys=True, default=lambda o: hashlib.sha256(o).hexdigest())
    return hashlib.sha256(raw.encode()).hexdigest()


class DbSessionStore:
    """Sessions in the case database (see the module docstring)."""

    #: Read in a worker thread, never on the event loop (:func:`dalil.web.context._resolve`).
    in_database = True

    def __init__(
        self,
        case: Case,
        *,
        idle_seconds: float = 30 * 60,
        max_age_seconds: float = 12 * 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.case = case
        self.idle_seconds = idle_seconds
        self.max_age_seconds = max_age_seconds
        self.clock = clock
        self._fp: dict[int, str] = {}
        self._created = 0

    def __len__(self) -> int:
        return store.count(self.case)

    def _expired(self, created: float, seen: float, now: float) -> bool:
        return now - seen > self.idle_seconds or now - created > self.max_age_seconds

    def _remember(self, s: Session) -> Session:
        self._fp[id(s)] = _fingerprint(s)
        if len(self._fp) > 10_000:  # ids of sessions long gone
            self._fp.clear()
        return s

    def create(self) -> Session:
        now = self.clock()
        s = Session(
            id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32), created=now, seen=now
        )
        store.insert(self.case, s.id, _state(s))
        self._created += 1
        if self._created % 100 == 1:
            store.purge(self.case, now, self.idle_seconds, self.max_age_seconds)
        return self._remember(s)

    def get(self, sid: str | None) -> Session | None:
        if not sid or len(sid) > 100:
            return None
        st = store.load(self.case, sid)
        if st is None:
            return None
        now = self.clock()
        if self._expired(st.created, st.seen, now):
            store.remove(self.case, sid)
            return None
        if now - st.seen > TOUCH_EVERY:
            store.touch(self.case, sid, now)
            st.seen = now
        s = Session(
            id=sid,
            csrf=st.csrf,
            created=st.created,
            seen=st.seen,
            user=st.user,
            role=st.role,
            pending_user=st.pending_user,
            pending_role=st.pending_role,
            totp_pending=st.data.get("totp_pending"),
            list_upload=st.data.get("list_upload"),
            review_session=st.data.get("review_session"),
            flash=list(st.flash),
        )
        return self._remember(s)

    def save(self, s: Session) -> None:
        """Write the session if the request changed it."""
        fp = _fingerprint(s)
        if self._fp.get(id(s)) == fp:
            return
        store.save(self.case, s.id, _state(s))
        self._fp[id(s)] = fp

    def rotate(self, s: Session) -> Session:
        """Give *s* a new id and CSRF token (at login), dropping the old id."""
        old = s.id
        s.id = secrets.token_urlsafe(32)
        s.csrf = secrets.token_urlsafe(32)
        s.created = s.seen = self.clock()
        store.replace(self.case, old, s.id, _state(s))
        return self._remember(s)

    def destroy(self, s: Session) -> None:
        store.remove(self.case, s.id)
        self._fp.pop(id(s), None)

    def destroy_user(self, user: str) -> int:
        return store.remove_user(self.case, user)


class DbLoginThrottle(LoginThrottle):
    """:class:`LoginThrottle` with its counters in the case database, so every worker
    counts the same failures. With *quiet_seconds*, a key found without failures is
    not looked up again for that long in this process (the token throttle, asked on
    every API request, uses one second)."""

    def __init__(self, case: Case, *, quiet_seconds: float = 0.0, **kw: Any) -> None:
        kw.setdefault("clock", time.time)
        super().__init__(**kw)
        self.case = case
        self.quiet_seconds = quiet_seconds
        self._quiet: dict[tuple[str, str], float] = {}
        self._qlock = threading.Lock()

    def _hashes(self, account: str, address: str) -> list[str]:
        return [store.throttle_key(self.case, k) for k in self._keys_for(account, address)]

    def answers_from_memory(self, account: str, address: str) -> bool:
        """Whether :meth:`retry_after` would answer from the quiet keys of this process
        (else it reads the database)."""
        with self._qlock:
            return self._quiet.get((account, address), 0.0) > self.clock()

    def retry_after(self, account: str, address: str) -> float:
        now = self.clock()
        with self._qlock:
            if self._quiet.get((account, address), 0.0) > now:
                return 0.0
        wait = 0.0
        for _failures, until, last in store.throttle_rows(
            self.case, self._hashes(account, address)
        ):
            if now - last > self.forget_after and now >= until:
                continue
            wait = max(wait, until - now)
        if wait <= 0 and self.quiet_seconds > 0:
            with self._qlock:
                if len(self._quiet) > 10_000:
                    self._quiet.clear()
                self._quiet[(account, address)] = now + self.quiet_seconds
        return max(0.0, wait)

    def failure(self, account: str, address: str) -> float:
        now = self.clock()
        with self._qlock:
            self._quiet.pop((account, address), None)
        return store.throttle_failure(
            self.case,
            self._hashes(account, address),
            now,
            forget_after=self.forget_after,
            delay_for=self.delay_for,
        )

    def success(self, account: str, address: str) -> None:
        store.throttle_clear(self.case, self._hashes(account, address)[0])


class DbTotpReplayGuard(TotpReplayGuard):
    """:class:`TotpReplayGuard` with the last accepted time step per account in the case
    database: a code used on one worker is refused on every other and after a restart."""

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case

    def verify(self, user: str, secret: str, code: str, *, at: float | None = None) -> bool:
        from dalil.services.users import totp_step

        step = totp_step(secret, code, at=at)
        return step is not None and store.totp_claim(self.case, user, step)
