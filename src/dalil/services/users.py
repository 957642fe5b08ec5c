"""Users, API tokens and logins (service layer over :mod:`dalil.core.access`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dalil.core import access
from dalil.core.access import Actor, ApiToken, User
from dalil.core.context import Context, oid
from dalil.display.messages import N_, Message
from dalil.errors import InputError, PermissionDenied

if TYPE_CHECKING:
    from dalil.core.case import Case


def add_user(ctx: Context, name: str, role: str, password: str | None = None) -> User:
    ctx.require(access.USER_MANAGE, "manage users")
    user = access.create_user(ctx.session, name, role, password)
    ctx.audit(
        "user.add",
        [oid("user", name)],
        change={"role": role, "password": "<set>" if password else None},
    )
    return user


def list_users(ctx: Context) -> list[User]:
    ctx.require(access.CASE_READ, "list users")
    return list(ctx.session.scalars(select(User).order_by(User.id)))


def update_user(
    ctx: Context,
    name: str,
    *,
    role: str | None = None,
    disabled: bool | None = None,
    password: str | None = None,
) -> User:
    ctx.require(access.USER_MANAGE, "manage users")
    user = access.get_user(ctx.session, name)
    change: dict[str, Any] = {}
    if role is not None:
        access.check_role(role)
        if user.role == "admin" and role != "admin":
            _keep_one_admin(ctx, user)
        user.role = role
        change["role"] = role
    if disabled is not None:
        if disabled and user.role == "admin":
            _keep_one_admin(ctx, user)
        user.disabled = disabled
        change["disabled"] = disabled
    if password is not None:
        user.password_hash = access.hash_password(password)
        change["password"] = "<changed>"
        # Set by someone else (an admin's reset): the web asks the user for a new
        # password at the next sign-in. API tokens are not affected.
        user.must_change_password = name != ctx.actor.name
        change["must_change_password"] = user.must_change_password
    if not change:
        raise InputError(
            "nothing to update: give a role, enable or disable the user, or a password",
            code="nothing_to_update",
        )
    ctx.audit("user.update", [oid("user", name)], change=change)
    return user


def change_own_password(ctx: Context, current: str, new: str) -> User:
    """The signed-in user replaces their own password (the current one is checked);
    clears a change asked for by an admin's reset. Audited ``user.password_change``."""
    ctx.require(access.CASE_READ, "change your password")
    name = ctx.actor.name
    user = access.get_user(ctx.session, name)
    if user.password_hash is None or not access.password_matches(user.password_hash, current):
        raise InputError(
            "the current password is not right", field="current", code="wrong_password"
        )
    if len(new) < MIN_PASSWORD:
        raise InputError(
            Message(
                N_("the new password is too short (at least %(min)s characters)"),
                min=str(MIN_PASSWORD),
            ),
            field="password",
            code="too_short",
        )
    if new == current:
        raise InputError(
            "choose a new password, not the current one", field="password", code="same_password"
        )
    user.password_hash = access.hash_password(new)
    forced = bool(user.must_change_password)
    user.must_change_password = False
    ctx.audit("user.password_change", [oid("user", name)], detail={"was_required": forced})
    return user


#: Shortest password a user may choose (the web forms ask the same).
MIN_PASSWORD = 8


def must_change_password(case: Case, name: str) -> bool:
    """Whether *name* must choose a new password before using the pages (set by an
    admin's reset). A lookup: no audit entry."""
    from dalil.core.access import find_user

    with case.sessionmaker() as s, s.begin():
        s.connection(execution_options={"dalil_begin": "DEFERRED"})
        user = find_user(s, name)
        return bool(user is not None and user.must_change_password)


def _keep_one_admin(ctx: Context, user: User) -> None:
    others = ctx.session.scalars(
        select(User).where(User.role == "admin", User.disabled.is_(False), User.id != user.id)
    ).first()
    if others is None:
        raise PermissionDenied("refusing to leave the case without an enabled admin")


def issue_token(ctx: Context, name: str, label: str | None = None) -> tuple[str, ApiToken]:
    """A new API token for user *name* (admins for anyone; a user for themself)."""
    if name != ctx.actor.name:
        ctx.require(access.USER_MANAGE, "issue tokens for other users")
    user = access.get_user(ctx.session, name)
    if user.disabled:
        raise PermissionDenied(f"user {name!r} is disabled")
    token, row = access.issue_token(ctx.session, user, label)
    ctx.audit(
        "user.token_issue", [oid("user", name), oid("token", row.id)], change={"label": label}
    )
    return token, row


def revoke_tokens(ctx: Context, name: str, token_id: int | None = None) -> int:
    if name != ctx.actor.name:
        ctx.require(access.USER_MANAGE, "revoke tokens of other users")
    user = access.get_user(ctx.session, name)
    n = access.revoke_tokens(ctx.session, user, token_id)
    ctx.audit("user.token_revoke", [oid("user", name)], change={"token_id": token_id, "revoked": n})
    return n


def list_tokens(ctx: Context, name: str) -> list[ApiToken]:
    if name != ctx.actor.name:
        ctx.require(access.USER_MANAGE, "list tokens of other users")
    user = access.get_user(ctx.session, name)
    return list(ctx.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)))


def roles() -> list[str]:
    """The roles a user may have, most powerful first."""
    return list(access.ROLES)


def current_actor(case: Case, name: str) -> Actor:
    """The :class:`Actor` of user *name* now (role as stored); NotFound for an unknown
    user, PermissionDenied for a disabled one. No audit entry: a lookup, not a login."""
    return case.actor(name)


def login_password(case: Case, name: str, password: str) -> Actor:
    """Check a password; audit ``user.login`` (or ``user.login_failed``); return the actor."""
    return _login(case, name, lambda s: access.verify_password(s, name, password), "password")


def login_token(case: Case, token: str) -> Actor:
    """Check an API token; audit the login; return the actor."""
    return _login(case, None, lambda s: access.authenticate_token(s, token), "token")


def _login(case: Case, name: str | None, check: Any, method: str) -> Actor:
    # The attempted name is untrusted input: log it only if it is a well-formed user name.
    safe = name if name is not None and access._NAME_RE.match(name) else None
    system = Actor(name=safe or "-", role="viewer")
    try:
        with case.act(system) as ctx:
            user: User = check(ctx.session)
            actor = access.actor_for(user)
            ctx.actor = actor
            ctx.audit("user.login", [oid("user", user.name)], detail={"method": method})
            return actor
    except PermissionDenied:
        with case.act(system) as ctx:
            ctx.audit(
                "user.login_failed", [oid("user", safe)] if safe else [], detail={"method": method}
            )
        raise


# --- second factor (TOTP, RFC 6238) ---------------------------------------------------

#: Encryption context of ``users.totp_secret_enc`` (the secret is stored as
#: ``keys.encrypt_field(secret, TOTP_CONTEXT)``, a plain base32 string inside).
TOTP_CONTEXT = "users.totp_secret"
TOTP_ISSUER = "dalil"


def new_totp_secret() -> str:
    """A fresh random base32 secret (160 bits) for an authenticator app."""
    import pyotp

    return str(pyotp.random_base32(32))


def totp_uri(name: str, secret: str, *, issuer: str = TOTP_ISSUER) -> str:
    """The ``otpauth://totp/…`` URI an authenticator app reads (typed in or as a QR code)."""
    import pyotp

    return str(pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=issuer))


def totp_step(secret: str, code: str, *, at: float | None = None) -> int | None:
    """The 30-second time step *code* is valid for (now, or one step either side for
    clock drift), or None. Pure check: no replay memory, no audit."""
    import hmac
    import time

    import pyotp

    code = "".join((code or "").split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    for drift in (0, -1, 1):
        step = int(now // totp.interval) + drift
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def enable_totp(
    ctx: Context, name: str, secret: str, code: str, *, at: float | None = None
) -> User:
    """Turn on the second factor of *name* (only the user themself: the secret must stay
    theirs alone). *code* must be valid for *secret*, proving the authenticator app holds
    it. The secret is stored encrypted; the audit entry ``user.totp_enable`` never holds it."""
    if name != ctx.actor.name:
        raise PermissionDenied("only the user themself can enrol a second factor")
    import base64
    import binascii

    user = access.get_user(ctx.session, name)

    clean = "".join(secret.split()).upper()
    try:
        if len(clean) < 16 or len(base64.b32decode(clean + "=" * (-len(clean) % 8))) < 10:
            raise ValueError
    except (ValueError, binascii.Error):
        raise InputError("invalid TOTP secret: base32, at least 16 characters") from None
    if totp_step(clean, code, at=at) is None:
        raise InputError(
            "the code does not match the secret: check the authenticator app's "
            "time and try the next code"
        )
    user.totp_secret_enc = ctx.keys.encrypt_field(clean, TOTP_CONTEXT)
    ctx.audit("user.totp_enable", [oid("user", name)], change={"totp": "<set>"})
    return user


def disable_totp(
    ctx: Context,
    name: str,
    *,
    code: str | None = None,
    reason: str | None = None,
    at: float | None = None,
) -> User:
    """Turn off the second factor of *name*. One's own needs a current code, admins
    included (a stolen session alone must not switch it off); another user's needs
    ``user.manage`` and a *reason*, recorded in the audit entry ``user.totp_disable``."""
    own = name == ctx.actor.name
    if not own:
        ctx.require(access.USER_MANAGE, "reset other users' second factor")
    user = access.get_user(ctx.session, name)
    if user.totp_secret_enc is None:
        return user  # nothing to turn off (idempotent; nothing logged)
    why = " ".join((reason or "").split())
    if own:
        secret = _decrypt_totp(ctx.keys, user.totp_secret_enc)
        if secret is None or totp_step(secret, code or "", at=at) is None:
            raise PermissionDenied("a current code is needed to turn off your second factor")
    elif not why:
        raise InputError("give a reason for turning off another user's second factor")
    elif len(why) > 500:
        raise InputError("reason too long (at most 500 characters)")
    user.totp_secret_enc = None
    ctx.audit(
        "user.totp_disable",
        [oid("user", name)],
        change={"totp": None},
        detail={"by_admin": not own, **({"reason": why} if not own else {})},
    )
    return user


def _decrypt_totp(keys: Any, enc: str | None) -> str | None:
    return None if not enc else str(keys.decrypt_field(enc, TOTP_CONTEXT))


def totp_secret(case: Case, name: str) -> str | None:
    """The TOTP secret of *name* for checking a login code, or None (no second factor,
    no such user or disabled). Internal to the login flow: never shown to anyone."""
    with case.system_session(write=False) as s:
        user = access.find_user(s, name)
        if user is None or user.disabled:
            return None
        enc = user.totp_secret_enc
    return _decrypt_totp(case.keys, enc)


def has_totp(case: Case, name: str) -> bool:
    with case.system_session(write=False) as s:
        user = access.find_user(s, name)
        return user is not None and user.totp_secret_enc is not None


#: Wrong second-factor codes in a row after which the account is locked until an admin
#: unlocks it. Counted per account in the case database: re-entering the password, other
#: client addresses and other worker processes do not reset it.
TOTP_LOCK_AFTER = 10


def login_second_factor(case: Case, name: str, *, ok: bool) -> bool:
    """Record the outcome of a second-factor check: audited ``user.login_totp`` or
    ``user.login_totp_failed``; a right code clears the account's count of wrong ones,
    a wrong one adds to it and the :data:`TOTP_LOCK_AFTER`-th locks the account (audited
    ``user.lock``). Returns whether the account is locked now."""
    from dalil.model.websession import TotpLock

    safe = name if access._NAME_RE.match(name) else None
    with case.act(Actor(name=safe or "-", role="viewer")) as ctx:
        ctx.audit(
            "user.login_totp" if ok else "user.login_totp_failed",
            [oid("user", safe)] if safe else [],
            detail={"method": "totp"},
        )
    if safe is None or (not ok and not has_totp(case, safe)):
        return False
    for _ in range(3):
        try:
            with case.act(Actor(name=safe, role="viewer")) as ctx:
                row = ctx.session.scalars(
                    select(TotpLock).where(TotpLock.user == safe).with_for_update()
                ).first()
                if ok:
                    if row is not None and row.locked_at is None:
                        row.failures = 0
                    return row is not None and row.locked_at is not None
                if row is None:
                    row = TotpLock(user=safe, failures=0, locked_at=None)
                    ctx.session.add(row)
                row.failures += 1
                if row.locked_at is None and row.failures >= TOTP_LOCK_AFTER:
                    row.locked_at = access._now()
                    ctx.audit(
                        "user.lock",
                        [oid("user", safe)],
                        change={"locked": True},
                        detail={"why": "second_factor_failures", "failures": row.failures},
                    )
                return row.locked_at is not None
        except IntegrityError:  # another worker counted this account's first failure
            continue
    return is_locked(case, safe)


def is_locked(case: Case, name: str) -> bool:
    """Whether too many wrong second-factor codes locked *name*'s account."""
    from dalil.model.websession import TotpLock

    with case.system_session(write=False) as s:
        row = s.get(TotpLock, name)
        return row is not None and row.locked_at is not None


def locked_users(ctx: Context) -> set[str]:
    """Names of the accounts locked by wrong second-factor codes."""
    from dalil.model.websession import TotpLock

    return set(ctx.session.scalars(select(TotpLock.user).where(TotpLock.locked_at.is_not(None))))


def unlock_user(ctx: Context, name: str, reason: str) -> User:
    """Lift a lock-out (``user.manage``), with a reason recorded in the audit entry
    ``user.unlock``; the count of wrong codes starts again from zero."""
    from dalil.model.websession import TotpLock

    ctx.require(access.USER_MANAGE, "unlock users")
    why = " ".join((reason or "").split())
    if not why:
        raise InputError("give a reason for unlocking the account")
    if len(why) > 500:
        raise InputError("reason too long (at most 500 characters)")
    user = access.get_user(ctx.session, name)
    row = ctx.session.get(TotpLock, name)
    was = row is not None and row.locked_at is not None
    if row is not None:
        ctx.session.delete(row)
    ctx.audit(
        "user.unlock",
        [oid("user", name)],
        change={"locked": False},
        detail={"reason": why, "was_locked": was},
    )
    return user


def verify_totp(
    case: Case, name: str, code: str, *, after_step: int = -1, at: float | None = None
) -> int | None:
    """Check a login code of *name*: the accepted time step, or None. A code is accepted
    once: its step must be later than *after_step* and than any step accepted for *name*
    before (kept in the case database, so on every worker and after a restart). Audited
    like a login."""
    from dalil.services import sessions

    secret = totp_secret(case, name)
    step = totp_step(secret, code, at=at) if secret else None
    ok = step is not None and step > after_step and sessions.totp_claim(case, name, step)
    login_second_factor(case, name, ok=ok)
    return step if ok else None
