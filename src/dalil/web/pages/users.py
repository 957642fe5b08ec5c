"""Users and roles."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from dalil.errors import InputError, PermissionDenied
from dalil.services import users as user_service
from dalil.web.context import N_, PageCtx, finish, render
from dalil.web.handlers import users as user_handlers

router = APIRouter(include_in_schema=False)


#: Confirmations shown after an action on the users page (``?done=…&who=…``).
DONE = {
    "added": N_("User %(name)s added."),
    "role": N_("Role of %(name)s changed."),
    "disabled": N_("%(name)s disabled; their sessions were ended."),
    "enabled": N_("%(name)s enabled."),
    "password": N_(
        "New password set for %(name)s; their sessions were ended and they must choose "
        "their own at the next sign-in (their API tokens still work)."
    ),
    "revoked": N_("Every API token of %(name)s revoked."),
    "sessions": N_("Every session of %(name)s ended."),
    "totp": N_("Second factor of %(name)s reset."),
    "unlocked": N_("%(name)s unlocked."),
}


def _done(ctx: PageCtx, what: str, name: str) -> Response:
    resp = RedirectResponse(f"/users?{urlencode({'done': what, 'who': name})}", status_code=303)
    finish(ctx, resp)
    return resp


@router.get("/users")
def users_page(ctx: PageCtx) -> Response:
    users = user_handlers.list_users(ctx)
    q = ctx.request.query_params
    done = q.get("done")
    message = ctx._(DONE[done], name=q.get("who", "")[:64]) if done in DONE else None
    return render(ctx, "users.html", users=users, roles=user_service.roles(), message=message)


@router.post("/users")
def users_add(
    ctx: PageCtx,
    name: str = Form(..., min_length=1, max_length=64),
    role: str = Form(..., max_length=20),
    password: str = Form(..., min_length=8, max_length=1000),
) -> Response:
    user_handlers.add_user(ctx, name, role, password)
    return _done(ctx, "added", name)


@router.post("/users/{name}/role")
def users_role(ctx: PageCtx, name: str, role: str = Form(..., max_length=20)) -> Response:
    """Change a user's role (admin); audited by the service."""
    user_handlers.update_user(ctx, name, role=role)
    return _done(ctx, "role", name)


@router.post("/users/{name}/disable")
def users_disable(ctx: PageCtx, name: str) -> Response:
    user_handlers.update_user(ctx, name, disabled=True)
    return _done(ctx, "disabled", name)


@router.post("/users/{name}/enable")
def users_enable(ctx: PageCtx, name: str) -> Response:
    user_handlers.update_user(ctx, name, disabled=False)
    return _done(ctx, "enabled", name)


@router.post("/users/{name}/password")
def users_password(
    ctx: PageCtx, name: str, password: str = Form(..., min_length=8, max_length=1000)
) -> Response:
    """Set a new password for a user (admin); their sessions end."""
    user_handlers.update_user(ctx, name, password=password)
    return _done(ctx, "password", name)


@router.post("/users/{name}/token")
def users_token(ctx: PageCtx, name: str, label: str = Form("", max_length=100)) -> Response:
    """Issue an API token; shown once on this page, never stored in clear."""
    token = user_handlers.issue_token(ctx, name, label or None)
    resp = render(ctx, "token.html", name=name, token=token)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@router.post("/users/{name}/revoke-tokens")
def users_revoke(ctx: PageCtx, name: str) -> Response:
    user_handlers.revoke_tokens(ctx, name)
    return _done(ctx, "revoked", name)


@router.post("/users/{name}/end-sessions")
def users_end_sessions(ctx: PageCtx, name: str) -> Response:
    """End every web session of a user (admin, or the user themself); audited."""
    user_handlers.end_sessions(ctx, name)
    return _done(ctx, "sessions", name)


@router.post("/users/{name}/reset-totp")
def users_reset_totp(ctx: PageCtx, name: str, reason: str = Form("", max_length=500)) -> Response:
    """An admin turns off a user's second factor (lost phone), giving a reason; audited
    by the service."""
    user_handlers.disable_totp(ctx, name, reason=reason)
    return _done(ctx, "totp", name)


@router.post("/users/{name}/unlock")
def users_unlock(ctx: PageCtx, name: str, reason: str = Form("", max_length=500)) -> Response:
    """An admin lifts a lock-out (too many wrong codes), giving a reason; audited."""
    user_handlers.unlock_user(ctx, name, reason)
    return _done(ctx, "unlocked", name)


# --- the signed-in user's own second factor -----------------------------------------


def _totp_page(ctx: PageCtx) -> Response:
    assert ctx.user is not None  # PageCtx: signed in
    enrolled = user_handlers.totp_status(ctx)
    offer = None
    error = None
    if ctx.session is not None:
        error = ctx.session.flash.pop() if ctx.session.flash else None
        ctx.session.flash.clear()
        if not enrolled:
            # The offered secret lives in the server-side session until it is confirmed.
            if ctx.session.totp_pending is None:
                ctx.session.totp_pending = user_handlers.new_totp(ctx)["secret"]
            from dalil.services.users import totp_uri

            offer = {
                "secret": ctx.session.totp_pending,
                "uri": totp_uri(ctx.user.name, ctx.session.totp_pending),
            }
    resp = render(ctx, "account_totp.html", enrolled=enrolled, offer=offer, error=error)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _back(ctx: PageCtx, error: str | None = None) -> Response:
    """Post/redirect/get: back to the page, with the error (if any) shown once."""
    if error and ctx.session is not None:
        ctx.session.flash.append(error)
    resp = RedirectResponse("/account/totp", status_code=303)
    finish(ctx, resp)
    return resp


@router.get("/account/totp")
def account_totp(ctx: PageCtx) -> Response:
    return _totp_page(ctx)


@router.post("/account/totp")
def account_totp_enable(ctx: PageCtx, code: str = Form("", max_length=20)) -> Response:
    if ctx.session is None or ctx.session.totp_pending is None:
        return _back(ctx, ctx._("Open this page again to get a new secret."))
    try:
        user_handlers.enable_totp(ctx, ctx.session.totp_pending, code)
    except InputError:
        return _back(
            ctx,
            ctx._("The code does not match. Check the time on your phone and try the next code."),
        )
    ctx.session.totp_pending = None
    return _back(ctx)


@router.post("/account/totp/disable")
def account_totp_disable(ctx: PageCtx, code: str = Form("", max_length=20)) -> Response:
    assert ctx.user is not None  # PageCtx: signed in
    try:
        user_handlers.disable_totp(ctx, ctx.user.name, code)
    except PermissionDenied:
        return _back(ctx, ctx._("The code does not match."))
    return _back(ctx)


# --- the signed-in user's own password ----------------------------------------------

#: Refusals of a password change, shown next to their field.
PASSWORD_WORDS = {
    "wrong_password": N_("This is not your current password."),
    "too_short": N_("At least 8 characters."),
    "same_password": N_("Choose a password different from the current one."),
    "mismatch": N_("The two new passwords differ."),
}


def _next(raw: str | None) -> str:
    from dalil.web.pages.auth import _safe_next

    nxt = _safe_next(raw)
    return "/" if nxt.startswith("/account/password") else nxt


@router.get("/account/password")
def account_password(ctx: PageCtx, next: str = "/", done: str = "") -> Response:
    """Change your own password; after an admin's reset, every page leads here first."""
    assert ctx.user is not None  # PageCtx: signed in
    resp = render(
        ctx,
        "account_password.html",
        forced=ctx.user.must_change_password,
        done=done == "1" and not ctx.user.must_change_password,
        next_url=_next(next),
        error=None,
        error_field=None,
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


@router.post("/account/password")
def account_password_change(
    ctx: PageCtx,
    current: str = Form("", max_length=1000),
    password: str = Form("", max_length=1000),
    again: str = Form("", max_length=1000),
    next: str = Form("/", max_length=2000),
) -> Response:
    assert ctx.user is not None  # PageCtx: signed in
    code, field = None, None
    if password != again:
        code, field = "mismatch", "again"
    else:
        try:
            user_handlers.change_own_password(ctx, current, password)
        except InputError as err:
            code = err.code if err.code in PASSWORD_WORDS else "too_short"
            field = err.field or "password"
    if code is not None:
        return render(
            ctx,
            "account_password.html",
            status_code=422,
            forced=ctx.user.must_change_password,
            done=False,
            next_url=_next(next),
            error=PASSWORD_WORDS[code],
            error_field=field,
        )
    resp = RedirectResponse(
        "/account/password?" + urlencode({"done": "1", "next": _next(next)}), status_code=303
    )
    finish(ctx, resp)
    return resp
