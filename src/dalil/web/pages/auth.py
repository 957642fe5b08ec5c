"""Login, second factor, logout and the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from dalil.errors import PermissionDenied
from dalil.web.context import (
    N_,
    AnyCtx,
    client_address,
    ensure_session,
    finish,
    render,
)

router = APIRouter(include_in_schema=False)

MSG_INVALID = N_("Invalid user name or password.")
MSG_WAIT = N_("Too many failed attempts. Try again in %(seconds)s seconds.")
MSG_BAD_CODE = N_("That code is not valid. Enter the current 6-digit code.")
MSG_LOCKED = N_(
    "This account is locked after too many wrong codes. An administrator can unlock it."
)


def _safe_next(next_url: str | None) -> str:
    """Only same-site paths: no scheme, no host, no protocol-relative URL."""
    if not next_url or not next_url.startswith("/") or next_url.startswith(("//", "/\\")):
        return "/"
    if any(c in next_url for c in "\r\n\\"):
        return "/"
    return next_url


@router.get("/login")
def login_form(ctx: AnyCtx, next: str = "/") -> Response:
    if ctx.user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    ensure_session(ctx)
    return render(ctx, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
def login_submit(
    ctx: AnyCtx,
    request: Request,
    username: str = Form("", max_length=200),
    password: str = Form("", max_length=1000),
    next: str = Form("/", max_length=2000),
) -> Response:
    app = request.app
    address = client_address(request)
    throttle = app.state.throttle
    wait = throttle.retry_after(username, address)
    if wait > 0:
        msg = ctx._(MSG_WAIT, seconds=int(wait) + 1)
        throttled = render(ctx, "login.html", status_code=429, next=_safe_next(next), error=msg)
        throttled.headers["Retry-After"] = str(int(wait) + 1)
        return throttled
    try:
        info = ctx.principals.login(username, password)
    except PermissionDenied:
        throttle.failure(username, address)
        return render(
            ctx, "login.html", status_code=401, next=_safe_next(next), error=ctx._(MSG_INVALID)
        )
    session = ensure_session(ctx)
    resp: Response
    if info.has_totp and ctx.principals.is_locked(info.user.name):
        return render(
            ctx, "login.html", status_code=403, next=_safe_next(next), error=ctx._(MSG_LOCKED)
        )
    if not info.has_totp:
        # With a second factor the account's failure count is cleared only when the code
        # is right too: a right password must not buy an attacker fresh code guesses.
        throttle.success(username, address)
    app.state.sessions.rotate(session)
    if info.has_totp:
        session.pending_user, session.pending_role = info.user.name, info.user.role
        resp = RedirectResponse("/login/totp?next=" + _quote(_safe_next(next)), status_code=303)
    else:
        session.user, session.role = info.user.name, info.user.role
        resp = RedirectResponse(_safe_next(next), status_code=303)
    finish(ctx, resp)
    return resp


def _quote(s: str) -> str:
    from urllib.parse import quote

    return quote(s, safe="/")


@router.get("/login/totp")
def totp_form(ctx: AnyCtx, next: str = "/") -> Response:
    if ctx.session is None or ctx.session.pending_user is None:
        return RedirectResponse("/login", status_code=303)
    return render(ctx, "totp.html", next=_safe_next(next), error=None)


@router.post("/login/totp")
def totp_submit(
    ctx: AnyCtx,
    request: Request,
    code: str = Form("", max_length=20),
    next: str = Form("/", max_length=2000),
) -> Response:
    app = request.app
    session = ctx.session
    if session is None or session.pending_user is None:
        return RedirectResponse("/login", status_code=303)
    name = session.pending_user
    address = client_address(request)
    wait = app.state.throttle.retry_after(name, address)
    if wait > 0:
        msg = ctx._(MSG_WAIT, seconds=int(wait) + 1)
        return render(ctx, "totp.html", status_code=429, next=_safe_next(next), error=msg)
    if ctx.principals.is_locked(name):
        session.pending_user = session.pending_role = None
        return render(ctx, "totp.html", status_code=403, next="/", error=ctx._(MSG_LOCKED))
    secret = ctx.principals.totp_secret(name)
    if secret is None or not app.state.totp_guard.verify(name, secret, code):
        app.state.throttle.failure(name, address)
        if ctx.principals.login_second_factor(name, ok=False):
            session.pending_user = session.pending_role = None
            return render(ctx, "totp.html", status_code=403, next="/", error=ctx._(MSG_LOCKED))
        return render(
            ctx, "totp.html", status_code=401, next=_safe_next(next), error=ctx._(MSG_BAD_CODE)
        )
    ctx.principals.login_second_factor(name, ok=True)
    app.state.throttle.success(name, address)
    session.user, session.role = name, session.pending_role
    session.pending_user = session.pending_role = None
    app.state.sessions.rotate(session)
    resp = RedirectResponse(_safe_next(next), status_code=303)
    finish(ctx, resp)
    return resp


@router.post("/logout")
def logout(ctx: AnyCtx, request: Request) -> Response:
    if ctx.session is not None:
        request.app.state.sessions.destroy(ctx.session)
        ctx.session = None
    resp = RedirectResponse("/login", status_code=303)
    finish(ctx, resp)
    from dalil.web.auth import SESSION_COOKIE

    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp
