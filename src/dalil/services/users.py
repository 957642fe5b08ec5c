"""Users, API tokens and logins (service layer over :mod:`dalil.access`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from dalil import access
from dalil.access import Actor, ApiToken, User
from dalil.errors import InputError, PermissionDenied
from dalil.services.context import Context, oid

if TYPE_CHECKING:
    from dalil.case import Case


def bootstrap_admin(case: Case, admin: str) -> User:
    """Create the first admin of a new case (and the first audit entries)."""
    with case.act(Actor(name=admin, role="admin")) as ctx:
        user = access.create_user(ctx.session, admin, "admin")
        ctx.audit(
            "case.init",
            [oid("case", "self")],
            change={"admin": admin, "audit_key_fingerprint": case.config.audit_key_fingerprint},
        )
        ctx.audit("user.add", [oid("user", user.name)], change={"role": "admin"})
        return user


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
    if not change:
        raise InputError("nothing to update: give --role, --disable/--enable or --password-file")
    ctx.audit("user.update", [oid("user", name)], change=change)
    return user


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
