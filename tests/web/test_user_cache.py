"""The web remembers a session user's role for a few seconds only: a user disabled
outside the web is shut out once that time has passed."""

from __future__ import annotations

from typing import Any

from dalil.core.case import Case
from dalil.services import users
from dalil.testing import TEST_PASSPHRASE
from dalil.web import principals as principals_mod

from .conftest import Client, password_for


def test_disabled_user_loses_the_session_after_the_cache_time(
    make_client: Any, seeded: dict[str, Any], monkeypatch: Any
) -> None:
    admin: Client = make_client()
    admin.login("admin")
    t = admin.csrf("/users")
    assert (
        admin.post(
            "/users",
            data={
                "name": "cache-fict",
                "role": "viewer",
                "password": password_for("cache-fict"),
                "csrf_token": t,
            },
        ).status_code
        == 303
    )
    c: Client = make_client()
    t = c.csrf("/login")
    c.post(
        "/login",
        data={
            "username": "cache-fict",
            "password": password_for("cache-fict"),
            "csrf_token": t,
            "next": "/",
        },
    )
    assert c.get("/persons").status_code == 200
    case = Case.open(seeded["root"], TEST_PASSPHRASE)
    try:
        with case.act() as ctx:
            users.update_user(ctx, "cache-fict", disabled=True)
    finally:
        case.close()
    monkeypatch.setattr(principals_mod, "USER_CACHE_SECONDS", 0.0)
    r = c.get("/persons")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
