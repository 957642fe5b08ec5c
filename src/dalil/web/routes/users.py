"""Users and roles."""

from __future__ import annotations

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from dalil.web.context import PageCtx, finish, render
from dalil.web.routes.common import backend

router = APIRouter(include_in_schema=False)


@router.get("/users")
def users_page(ctx: PageCtx) -> Response:
    users = backend(ctx).users(ctx.user)
    return render(ctx, "users.html", users=users, roles=backend(ctx).roles(), message=None)


@router.post("/users")
def users_add(
    ctx: PageCtx,
    name: str = Form(..., min_length=1, max_length=64),
    role: str = Form(..., max_length=20),
    password: str = Form(..., min_length=8, max_length=1000),
) -> Response:
    backend(ctx).add_user(ctx.user, name, role, password)
    resp = RedirectResponse("/users", status_code=303)
    finish(ctx, resp)
    return resp


@router.post("/users/{name}/revoke-tokens")
def users_revoke(ctx: PageCtx, name: str) -> Response:
    backend(ctx).revoke_tokens(ctx.user, name)
    resp = RedirectResponse("/users", status_code=303)
    finish(ctx, resp)
    return resp
