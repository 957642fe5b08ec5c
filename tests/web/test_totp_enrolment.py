"""A user enrols a second factor from the workbench, then needs it to log in; an admin
resets it for a user who lost their phone. All users are fictional."""

from __future__ import annotations

import re
from typing import Any

import pyotp

from .conftest import Client, password_for


def _new_user(client: Client, name: str) -> None:
    client.login("admin")
    t = client.csrf("/users")
    r = client.post(
        "/users",
        data={"name": name, "role": "viewer", "password": password_for(name), "csrf_token": t},
    )
    assert r.status_code == 303


def _login(c: Client, name: str) -> Any:
    t = c.csrf("/login")
    return c.post(
        "/login",
        data={"username": name, "password": password_for(name), "csrf_token": t, "next": "/"},
    )


def test_enrol_then_login_needs_the_code_and_admin_reset_lifts_it(make_client: Any) -> None:
    admin = make_client()
    _new_user(admin, "totp-fict")
    c = make_client()
    assert _login(c, "totp-fict").status_code == 303
    page = c.get("/account/totp")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    uri = re.search(r'id="totp-uri"[^>]*>(otpauth://totp/[^<]+)<', page.text)
    assert secret and uri and "secret=" + secret.group(1) in uri.group(1).replace("&amp;", "&")
    # The offered secret stays the same until confirmed (a reload does not change it).
    assert secret.group(1) in c.get("/account/totp").text
    t = c.csrf("/account/totp")
    r = c.post("/account/totp", data={"code": "12", "csrf_token": t})
    assert r.status_code == 303 and "does not match" in c.get("/account/totp").text
    code = pyotp.TOTP(secret.group(1)).now()
    t = c.csrf("/account/totp")
    assert c.post("/account/totp", data={"code": code, "csrf_token": t}).status_code == 303
    after = c.get("/account/totp").text
    assert secret.group(1) not in after and "Turn off" in after

    # A password alone no longer opens the account.
    d = make_client()
    r = _login(d, "totp-fict")
    assert r.status_code == 303 and r.headers["location"].startswith("/login/totp")
    assert d.get("/persons").status_code == 303

    # The admin's users page offers a reset; after it the password suffices again.
    assert "/users/totp-fict/reset-totp" in admin.get("/users").text
    t = admin.csrf("/users")
    r = admin.post(
        "/users/totp-fict/reset-totp", data={"csrf_token": t, "reason": "lost phone (fictional)"}
    )
    assert r.status_code == 303
    e = make_client()
    r = _login(e, "totp-fict")
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_other_users_cannot_reset_a_second_factor(make_client: Any) -> None:
    c = make_client()
    c.login("investigator")
    t = c.csrf("/account/totp")
    r = c.post("/users/coordinator/reset-totp", data={"csrf_token": t})
    assert r.status_code == 403
