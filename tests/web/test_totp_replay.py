"""A second-factor code is accepted once per account across every worker of a case and
across a restart: the last accepted time step lives in the case database, so a code
seen over someone's shoulder (or replayed from a captured request) does not open the
account on another worker. Two app instances, each opening the case itself, stand for
two worker processes. Runs on SQLite and PostgreSQL. Users are fictional."""

from __future__ import annotations

import re
import time

import pyotp

from dalil.core import audit
from dalil.core.case import Case
from dalil.services import users
from dalil.testing import TEST_PASSPHRASE
from dalil.web import create_app

from .conftest import Client

PASSWORD = "fictional password for rima 7"


def _login_with_code(app: object, code: str) -> int:
    c = Client(app)
    try:
        t = c.csrf("/login")
        r = c.post(
            "/login",
            data={"username": "rima", "password": PASSWORD, "csrf_token": t, "next": "/"},
        )
        assert r.status_code == 303 and r.headers["location"].startswith("/login/totp"), r.text
        page = c.get(r.headers["location"])
        m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert m
        r = c.post("/login/totp", data={"code": code, "csrf_token": m.group(1), "next": "/"})
        if r.status_code == 303:
            assert r.headers["location"] == "/"
            assert c.get("/persons").status_code == 200  # really signed in
        return r.status_code
    finally:
        c.close()


def test_a_code_used_on_one_worker_is_refused_on_another_and_after_a_restart(
    any_case: Case,
) -> None:
    secret = users.new_totp_secret()
    with any_case.act() as ctx:
        users.add_user(ctx, "rima", "investigator", PASSWORD)
    with any_case.act("rima") as ctx:
        users.enable_totp(ctx, "rima", secret, pyotp.TOTP(secret).now())
    # Keep clear of a step boundary so "the next code" is the next step for every app.
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.5)
    code = pyotp.TOTP(secret).now()

    apps = [create_app(any_case.root, TEST_PASSPHRASE) for _ in range(2)]
    try:
        a, b = apps
        assert _login_with_code(a, code) == 303
        assert _login_with_code(b, code) == 401  # replayed on the other worker
        assert _login_with_code(a, code) == 401  # and on the same one
    finally:
        for app in apps:
            app.state.case.close()

    # A restart does not forget it: a fresh process still refuses the code...
    restarted = create_app(any_case.root, TEST_PASSPHRASE)
    try:
        assert _login_with_code(restarted, code) == 401
        # ...and takes the next one (one step ahead is within the allowed clock drift).
        nxt = pyotp.TOTP(secret).at(time.time() + 30)
        assert _login_with_code(restarted, nxt) == 303
        assert _login_with_code(restarted, nxt) == 401
    finally:
        restarted.state.case.close()
    with any_case.system_session() as s:
        assert len(audit.query(s, action="user.login_totp")) == 2
        assert len(audit.query(s, action="user.login_totp_failed")) == 4
