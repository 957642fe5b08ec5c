"""Users, tokens and the signed-in user's second factor."""

from __future__ import annotations

from typing import Any

from dalil.display.jsonout import jsonable
from dalil.services import users
from dalil.web.context import Ctx


def forget_principals(ctx: Ctx) -> None:
    """Forget the users and tokens the app remembers (after a change to them)."""
    ctx.principals.forget()


def list_users(ctx: Ctx) -> list[dict[str, Any]]:
    with ctx.act(write=False) as sc:
        locked = users.locked_users(sc)
        return [{**jsonable(u), "locked": u.name in locked} for u in users.list_users(sc)]


def add_user(ctx: Ctx, name: str, role: str, password: str) -> dict[str, Any]:
    with ctx.act(write=True) as sc:
        out = dict(jsonable(users.add_user(sc, name, role, password)))
    forget_principals(ctx)
    return out


def revoke_tokens(ctx: Ctx, name: str) -> int:
    with ctx.act(write=True) as sc:
        n = users.revoke_tokens(sc, name)
    forget_principals(ctx)
    return n


def end_sessions(ctx: Ctx, name: str) -> int:
    """End every web session of *name* at once (admin, or the user themself); audited."""
    from dalil.services import sessions

    with ctx.act(write=True) as sc:
        return int(sessions.end_user_sessions(sc, name))


def new_totp(ctx: Ctx) -> dict[str, str]:
    """A fresh secret and its otpauth URI for the signed-in user to enrol."""
    name = ctx.actor.name
    secret = users.new_totp_secret()
    return {"secret": secret, "uri": users.totp_uri(name, secret)}


def totp_status(ctx: Ctx) -> bool:
    return users.has_totp(ctx.case, ctx.actor.name)


def enable_totp(ctx: Ctx, secret: str, code: str) -> None:
    with ctx.act(write=True) as sc:
        users.enable_totp(sc, ctx.actor.name, secret, code)


def disable_totp(
    ctx: Ctx, name: str, code: str | None = None, *, reason: str | None = None
) -> None:
    with ctx.act(write=True) as sc:
        users.disable_totp(sc, name, code=code, reason=reason)
    forget_principals(ctx)


def unlock_user(ctx: Ctx, name: str, reason: str) -> None:
    with ctx.act(write=True) as sc:
        users.unlock_user(sc, name, reason)
    forget_principals(ctx)


def update_user(
    ctx: Ctx,
    name: str,
    *,
    role: str | None = None,
    disabled: bool | None = None,
    password: str | None = None,
) -> None:
    """Change a user's role, disable or enable them, or set a new password (admin);
    a disabled user's sessions end at once."""
    from dalil.services import sessions

    with ctx.act(write=True) as sc:
        users.update_user(sc, name, role=role, disabled=disabled, password=password)
        if disabled or password is not None:
            sessions.end_user_sessions(sc, name)
    forget_principals(ctx)


def issue_token(ctx: Ctx, name: str, label: str | None) -> str:
    """A new API token for *name*; the token itself is shown once and never stored."""
    with ctx.act(write=True) as sc:
        token, _row = users.issue_token(sc, name, label=label)
    return token


def change_own_password(ctx: Ctx, current: str, new: str) -> None:
    """The signed-in user replaces their own password (clears a change an admin's
    reset asked for); audited by the service."""
    with ctx.act(write=True) as sc:
        users.change_own_password(sc, current, new)
    forget_principals(ctx)
