"""Users and roles."""

from __future__ import annotations

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from dalil.errors import InputError, PermissionDenied
from dalil.services import users as user_service
from dalil.web.context import PageCtx, finish, render
from dalil.web.handlers import users as user_handlers

router = APIRouter(include_in_schema=False)


@router.get("/users")
def users_page(ctx: PageCtx) -> Response:
    users = user_handlers.list_users(ctx)
    return render(ctx, "users.html", users=users, roles=user_service.roles(), message=None)


@router.post("/users")
def users_add(
    ctx: PageCtx,
    name: str = Form(..., min_length=1, max_length=64),
    role: str = Form(..., max_length=20),
    password: str = Form(..., min_length=8, max_length=1000),
) -> Response:
    user_handlers.add_user(ctx, name, role, password)
    resp = RedirectResponse("/users", status_code=303)
    finish(ctx, resp)
    return resp


@router.post("/users/{name}/revoke-tokens")
def users_revoke(ctx: PageCtx, name: str) -> Response:
    user_handlers.revoke_tokens(ctx, name)
    resp = RedirectResponse("/users", status_code=303)
    finish(ctx, resp)
    return resp


@router.post("/users/{name}/end-sessions")
def users_end_sessions(ctx: PageCtx, name: str) -> Response:
    """End every web session of a user (admin, or the user themself); audited."""
    user_handlers.end_sessions(ctx, name)
    resp = RedirectResponse("/users", status_code=303)
    finish(ctx, resp)
    return resp


@router.post("/users/{name}/reset-totp")
def users_reset_totp(ctx: PageCtx, name: str, reason: str = Form("", max_length=500)) -> Response:
    """An admin turns off a user's second factor (lost phone), giving a reason; audited
    by the service."""
    user_handlers.disable_totp(ctx, name, reason=reason)
    resp = RedirectResponse("/users", status_code=303)
    finish(ctx, resp)
    return resp


@router.post("/users/{name}/unlock")
def users_unlock(ctx: PageCtx, name: str, reason: str = Form("", max_length=500)) -> Response:
    """An admin lifts a lock-out (too many wrong codes), giving a reason; audited."""
    user_handlers.unlock_user(ctx, name, reason)
    resp = RedirectResponse("/users", status_code=303)
    finish(ctx, resp)
    return resp


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
