"""Attacks on the login (issue 18, breaks 2, 14, 15): second-factor codes guessed
across password re-entry and client addresses; a stolen admin session switching off its
own second factor; refusals told apart by their timing. All users are fictional."""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.services import users
from dalil.testing import TEST_PASSPHRASE
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

PW = "pw-lockout-fictional-1"


class _Browser:
    """One browser from one client address."""

    def __init__(self, app: Any, address: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.c = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 40000)),
            base_url="http://testserver",
            follow_redirects=False,
        )

    def get(self, url: str) -> httpx.Response:
        return self.loop.run_until_complete(self.c.get(url))

    def post(self, url: str, data: dict[str, str]) -> httpx.Response:
        return self.loop.run_until_complete(self.c.post(url, data=data))

    def csrf(self, url: str) -> str:
        m = re.search(r'name="csrf_token" value="([^"]+)"', self.get(url).text)
        assert m, url
        return m.group(1)

    def password(self, name: str, pw: str = PW) -> httpx.Response:
        t = self.csrf("/login")
        return self.post("/login", {"username": name, "password": pw, "csrf_token": t})

    def code(self, code: str) -> httpx.Response:
        t = self.csrf("/login/totp")
        return self.post("/login/totp", {"code": code, "csrf_token": t, "next": "/"})

    def close(self) -> None:
        self.loop.run_until_complete(self.c.aclose())
        self.loop.close()


def _make_app(tmp_path: Path, **kw: Any) -> Any:
    root = tmp_path / "case"
    case = Case.init(root, TEST_PASSPHRASE, admin="coordinator")
    try:
        with case.act("coordinator") as ctx:
            users.add_user(ctx, "ivy", "investigator", PW)
        secret = users.new_totp_secret()
        with case.act("ivy") as ctx:
            users.enable_totp(ctx, "ivy", secret, pyotp.TOTP(secret).now())
    finally:
        case.close()
    app = create_app(root, TEST_PASSPHRASE, **kw)
    app.state.test_secret = secret
    return app


def _wrong(secret: str) -> str:
    good = {pyotp.TOTP(secret).at(time.time() + d) for d in (-30, 0, 30)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in good)


def _guess_from_many_addresses(app: Any, tries: int) -> list[int]:
    """Each try: a new address enters the right password, then a wrong code."""
    answers = []
    for i in range(tries):
        b = _Browser(app, f"198.51.100.{i + 1}")
        r = b.password("ivy")
        answers.append(
            b.code(_wrong(app.state.test_secret)).status_code
            if r.status_code == 303
            else r.status_code
        )
        b.close()
    return answers


def test_totp_failures_count_across_password_reentry(tmp_path: Path) -> None:
    """The attacker knows the password and has many addresses: each address enters the
    password again (once that cleared the account's failure count, so ~36 codes went
    through in 3-4 s) and guesses one code. With the production throttle the account's
    count now survives the password, so the wait grows and the guesses stop."""
    app = _make_app(tmp_path)  # production throttle: 3 free failures, then 1 s, 2 s, 4 s …
    try:
        answers = _guess_from_many_addresses(app, 12)
    finally:
        app.state.case.close()
    # 3 free wrong codes, the 4th imposes a wait; a few more may slip in while the first
    # 1-2 s waits run out on a slow machine, never all 12.
    assert answers[:3] == [401, 401, 401], answers
    assert answers.count(401) <= 6 and 429 in answers, answers


def test_totp_failures_lock_the_account_until_an_audited_admin_unlock(tmp_path: Path) -> None:
    """Without any throttle wait (a patient attacker), the count of wrong codes locks
    the account at the limit: the right password and then the right code are refused."""
    app = _make_app(tmp_path, throttle=LoginThrottle(free_attempts=1000))
    case: Case = app.state.case
    secret = app.state.test_secret
    try:
        answers = _guess_from_many_addresses(app, users.TOTP_LOCK_AFTER + 2)
        assert answers == [401] * (users.TOTP_LOCK_AFTER - 1) + [403, 403, 403], answers
        assert users.is_locked(case, "ivy")
        b = _Browser(app, "203.0.113.9")
        r = b.password("ivy")
        assert r.status_code == 403 and "locked" in r.text
        assert b.get("/persons").status_code == 303  # not signed in
        b.close()
        with case.system_session() as s:
            assert len(audit.query(s, action="user.lock")) == 1

        # An admin unlocks, with a reason (audited); then password and code open it.
        with case.act("coordinator") as ctx:
            users.unlock_user(ctx, "ivy", "owner confirmed by phone (fictional)")
        with case.system_session() as s:
            e = audit.query(s, action="user.unlock")
            assert len(e) == 1 and "owner confirmed by phone" in e[0].detail
        b = _Browser(app, "203.0.113.10")
        assert b.password("ivy").status_code == 303
        r = b.code(pyotp.TOTP(secret).now())
        assert r.status_code == 303 and r.headers["location"] == "/"
        b.close()
    finally:
        case.close()


def test_totp_guesses_at_the_service_lock_the_account_whatever_the_address(
    case: Case,
) -> None:
    """The count lives with the account in the case database (not per address or per
    worker), so the lock holds whoever guesses."""
    with case.act() as ctx:
        users.add_user(ctx, "ivy", "investigator", PW)
    secret = users.new_totp_secret()
    with case.act("ivy") as ctx:
        users.enable_totp(ctx, "ivy", secret, pyotp.TOTP(secret).now())
    locked = [
        users.login_second_factor(case, "ivy", ok=False) for _ in range(users.TOTP_LOCK_AFTER)
    ]
    assert locked == [False] * (users.TOTP_LOCK_AFTER - 1) + [True]
    with pytest.raises(Exception, match="reason"), case.act() as ctx:
        users.unlock_user(ctx, "ivy", "  ")
    assert users.is_locked(case, "ivy")
    with pytest.raises(Exception, match="may not"), case.act("ivy") as ctx:
        users.unlock_user(ctx, "ivy", "I am me")
    assert users.is_locked(case, "ivy")


def test_stolen_admin_session_cannot_switch_off_its_second_factor_with_an_empty_code(
    case: Case,
) -> None:
    secret = users.new_totp_secret()
    with case.act() as ctx:
        users.enable_totp(ctx, "admin", secret, pyotp.TOTP(secret).now())
    for code in ("", None, _wrong(secret)):
        with pytest.raises(Exception, match="current code"), case.act() as ctx:
            users.disable_totp(ctx, "admin", code=code)
        assert users.has_totp(case, "admin")
    with case.act() as ctx:
        users.disable_totp(ctx, "admin", code=pyotp.TOTP(secret).now())
    assert not users.has_totp(case, "admin")


def test_login_refusals_take_the_same_time_for_every_kind(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unknown user, no password, disabled account and wrong password: one argon2 check
    each (before: ~20 ms for a user without a password, ~280 ms for a wrong password).
    With the real password parameters, not the test suite's cheap ones."""
    monkeypatch.setenv("DALIL_KDF_PROFILE", "strong")
    with case.act() as ctx:
        users.add_user(ctx, "ivy", "investigator", PW)
        users.add_user(ctx, "nopw", "viewer")
        users.add_user(ctx, "gone", "viewer", PW)
        users.update_user(ctx, "gone", disabled=True)

    def refused(name: str, pw: str) -> float:
        t0 = time.perf_counter()
        with pytest.raises(Exception, match="invalid user name or password"):
            users.login_password(case, name, pw)
        return time.perf_counter() - t0

    kinds = {
        "wrong password": ("ivy", "not-the-password"),
        "unknown user": ("nobody-fictional", PW),
        "no password": ("nopw", PW),
        "disabled": ("gone", PW),
    }
    refused("ivy", "warm-up-password")
    refused("nobody-fictional", "warm-up-password")  # makes the dummy hash once
    samples: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(7):  # rounds interleave the kinds, so load changes hit all alike
        for k, v in kinds.items():
            samples[k].append(refused(*v))
    times = {k: statistics.median(v) for k, v in samples.items()}
    base = times["wrong password"]
    for t in times.values():
        assert 0.6 * base < t < 1.6 * base, times
