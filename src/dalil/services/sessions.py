"""Web sessions, login throttling and second-factor replay protection kept in the case
database (durable across restarts, shared by every worker process of ``dalil serve``).

Storage only, plus one user-facing operation: :func:`end_user_sessions` (an admin ends
a user's sessions; audited). The web adapter (:mod:`dalil.web.sessions`) decides when to
create, rotate and expire sessions; this module keeps rows:

* a session row is keyed by ``SHA-256(session id)``: the id (the cookie) is not stored,
  so a copy of the database does not hand out live sessions;
* what a session carries that is not for a database reader (a second-factor secret
  offered for enrolment, a victim-list file between import steps) is one JSON document
  encrypted with the case data key (``data_enc``, bound to the session's hash);
* a throttle row is keyed by an HMAC (the case's token key) of ``acct:<name>`` or
  ``addr:<address>``: no client address is stored;
* the last second-factor time step accepted per account (:func:`totp_claim`), so a code
  is accepted once on every worker and after a restart.

Times are seconds since the epoch (``time.time()``), comparable between processes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from dalil.core import access
from dalil.core.context import oid
from dalil.errors import NotFound
from dalil.model.websession import LoginFailure, TotpUsed, WebSession

if TYPE_CHECKING:
    from dalil.core.case import Case
    from dalil.core.context import Context


def id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


@dataclass
class SessionState:
    """What a session row holds, decrypted."""

    csrf: str
    created: float
    seen: float
    user: str | None = None
    role: str | None = None
    pending_user: str | None = None
    pending_role: str | None = None
    flash: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def _seal(case: Case, h: str, data: dict[str, Any]) -> bytes | None:
    if not data:
        return None
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=_bytes_default)
    return bytes(case.keys.encrypt_bytes(text.encode("utf-8"), f"web-session:{h}"))


def _bytes_default(o: Any) -> Any:
    if isinstance(o, bytes | bytearray):
        return {"$bytes": base64.b64encode(bytes(o)).decode("ascii")}
    raise TypeError(type(o).__name__)


def _unbytes(o: Any) -> Any:
    if isinstance(o, dict):
        if set(o) == {"$bytes"}:
            return base64.b64decode(o["$bytes"])
        return {k: _unbytes(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_unbytes(v) for v in o]
    return o


def _open(case: Case, h: str, sealed: bytes | None) -> dict[str, Any]:
    if not sealed:
        return {}
    raw = case.keys.decrypt_bytes(sealed, f"web-session:{h}")
    return dict(_unbytes(json.loads(raw)))


def _values(case: Case, h: str, st: SessionState) -> dict[str, Any]:
    return {
        "csrf": st.csrf,
        "created": st.created,
        "seen": st.seen,
        "user": st.user,
        "role": st.role,
        "pending_user": st.pending_user,
        "pending_role": st.pending_role,
        "flash": json.dumps(st.flash, ensure_ascii=False) if st.flash else None,
        "data_enc": _seal(case, h, st.data),
    }


_LOAD = (
    WebSession.csrf,
    WebSession.created,
    WebSession.seen,
    WebSession.user,
    WebSession.role,
    WebSession.pending_user,
    WebSession.pending_role,
    WebSession.flash,
    WebSession.data_enc,
)


#: The statement :func:`load` runs on every signed-in request, built once: SQLAlchemy
#: then neither builds it nor computes its cache key again, and the result needs no
#: adapting to a new statement object's columns (built per request, the session read
#: took some 16 % of the CPU samples of the list pages' load mix; now 9 %).
_LOAD_STMT = select(*_LOAD).where(WebSession.id_hash == bindparam("id_hash_1"))


def load(case: Case, session_id: str) -> SessionState | None:
    """The session *session_id*, or None. Every request of a signed-in page reads it: on
    PostgreSQL with one statement outside a transaction (one round trip instead of
    three: ``BEGIN``, the ``SELECT``, ``COMMIT``; a single statement reads one
    consistent row by itself), on SQLite in a read transaction as before."""
    h = id_hash(session_id)
    params = {"id_hash_1": h}
    engine = case.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            row = conn.execute(_LOAD_STMT, params).first()
    else:
        with case.system_session(write=False) as s:
            row = s.execute(_LOAD_STMT, params).first()
    if row is None:
        return None
    return SessionState(
        csrf=row.csrf,
        created=row.created,
        seen=row.seen,
        user=row.user,
        role=row.role,
        pending_user=row.pending_user,
        pending_role=row.pending_role,
        flash=list(json.loads(row.flash)) if row.flash else [],
        data=_open(case, h, row.data_enc),
    )


def insert(case: Case, session_id: str, st: SessionState) -> None:
    h = id_hash(session_id)
    with case.system_session() as s:
        s.add(WebSession(id_hash=h, **_values(case, h, st)))


def save(case: Case, session_id: str, st: SessionState) -> bool:
    """Write *st* over the row; False when the row is gone (ended meanwhile)."""
    h = id_hash(session_id)
    with case.system_session() as s:
        res = s.execute(
            update(WebSession).where(WebSession.id_hash == h).values(**_values(case, h, st))
        )
        return bool(res.rowcount)  # type: ignore[attr-defined]


def touch(case: Case, session_id: str, seen: float) -> None:
    with case.system_session() as s:
        s.execute(
            update(WebSession).where(WebSession.id_hash == id_hash(session_id)).values(seen=seen)
        )


def replace(case: Case, old_id: str, new_id: str, st: SessionState) -> None:
    """Give a session a new id (at login): the old row goes, the new one comes, at once."""
    h = id_hash(new_id)
    with case.system_session() as s:
        s.execute(delete(WebSession).where(WebSession.id_hash == id_hash(old_id)))
        s.add(WebSession(id_hash=h, **_values(case, h, st)))


def remove(case: Case, session_id: str) -> None:
    with case.system_session() as s:
        s.execute(delete(WebSession).where(WebSession.id_hash == id_hash(session_id)))


def remove_user(case: Case, user: str) -> int:
    with case.system_session() as s:
        res = s.execute(
            delete(WebSession).where(or_(WebSession.user == user, WebSession.pending_user == user))
        )
        return int(res.rowcount)  # type: ignore[attr-defined]


def purge(case: Case, now: float, idle: float, max_age: float) -> int:
    """Delete expired sessions (idle too long or too old)."""
    with case.system_session() as s:
        res = s.execute(
            delete(WebSession).where(
                or_(WebSession.seen < now - idle, WebSession.created < now - max_age)
            )
        )
        return int(res.rowcount)  # type: ignore[attr-defined]


def count(case: Case) -> int:
    with case.system_session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(WebSession)) or 0)


def end_user_sessions(ctx: Context, name: str) -> int:
    """End every web session of user *name* (signed in, or half-way through the second
    factor). An admin (``user.manage``) for anyone, a user for themself. Audited
    ``user.sessions_end`` with the number ended."""
    if name != ctx.actor.name:
        ctx.require(access.USER_MANAGE, "end another user's sessions")
    if ctx.session.scalar(select(access.User.id).where(access.User.name == name)) is None:
        raise NotFound(f"no user named {name!r}")
    res = ctx.session.execute(
        delete(WebSession).where(or_(WebSession.user == name, WebSession.pending_user == name))
    )
    n = int(res.rowcount)  # type: ignore[attr-defined]
    ctx.audit("user.sessions_end", [oid("user", name)], detail={"sessions": n})
    return n


# --------------------------------------------------------------------------- throttle


def throttle_key(case: Case, key: str) -> str:
    return str(case.keys.keyed_digest(key.encode("utf-8"), "login-throttle"))


def throttle_rows(case: Case, hashes: Iterable[str]) -> list[tuple[int, float, float]]:
    """``(failures, until, last)`` of each key that has a row."""
    hs = list(hashes)
    with case.system_session(write=False) as s:
        rows = s.execute(
            select(LoginFailure.failures, LoginFailure.until, LoginFailure.last).where(
                LoginFailure.key_hash.in_(hs)
            )
        ).all()
    return [(int(a), float(b), float(c)) for a, b, c in rows]


def throttle_failure(
    case: Case,
    hashes: Iterable[str],
    now: float,
    *,
    forget_after: float,
    delay_for: Any,
) -> float:
    """Count a failure against each key (atomically: the row is locked or the database
    is, so two workers never lose a count); returns the longest wait it imposes."""
    wait = 0.0
    for h in hashes:
        for _ in range(3):
            try:
                with case.system_session() as s:
                    row = s.scalars(
                        select(LoginFailure).where(LoginFailure.key_hash == h).with_for_update()
                    ).first()
                    if row is None:
                        row = LoginFailure(key_hash=h, failures=0, until=0.0, last=0.0)
                        s.add(row)
                    elif now - row.last > forget_after and now >= row.until:
                        row.failures = 0
                    row.failures += 1
                    row.last = now
                    d = float(delay_for(row.failures))
                    row.until = now + d
                    wait = max(wait, d)
                break
            except IntegrityError:  # another worker inserted the same key first: count again
                continue
    return wait


def throttle_clear(case: Case, h: str) -> None:
    with case.system_session() as s:
        s.execute(delete(LoginFailure).where(LoginFailure.key_hash == h))


def throttle_purge(case: Case, now: float, forget_after: float) -> int:
    with case.system_session() as s:
        res = s.execute(
            delete(LoginFailure).where(
                LoginFailure.last < now - forget_after, LoginFailure.until <= now
            )
        )
        return int(res.rowcount)  # type: ignore[attr-defined]


# ------------------------------------------------------------------ second-factor replay


def totp_claim(case: Case, user: str, step: int) -> bool:
    """Record that *user*'s second-factor code for time *step* was used: True if the step
    is later than any accepted before (the code may open the session), False if a code of
    this step or a later one was already accepted (a replay). Atomic across workers: the
    conditional update waits for a concurrent one (PostgreSQL row lock; SQLite writes one
    at a time), and of two first-ever inserts only one commits."""
    for _ in range(3):
        try:
            with case.system_session() as s:
                res = s.execute(
                    update(TotpUsed)
                    .where(TotpUsed.user == user, TotpUsed.step < step)
                    .values(step=step)
                )
                if int(res.rowcount) == 1:  # type: ignore[attr-defined]
                    return True
                if s.get(TotpUsed, user) is not None:
                    return False
                s.add(TotpUsed(user=user, step=step))
            return True
        except IntegrityError:  # another worker recorded this user's first code just now
            continue
    return False
