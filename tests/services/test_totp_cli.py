"""``dalil user totp NAME --enable/--disable`` from the command line."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from dalil.core.case import Case
from dalil.services import users


def test_enrol_from_the_cli_with_a_matching_code_then_admin_turns_it_off(
    case: Case, dalil: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = pyotp.random_base32(32)
    monkeypatch.setattr(users, "new_totp_secret", lambda: secret)  # a known secret
    r = dalil(
        "user",
        "totp",
        "admin",
        "--enable",
        input="000000\n" if pyotp.TOTP(secret).now() != "000000" else "111111\n",
    )
    assert r.exit_code == 2 and "does not match" in r.output
    assert not users.has_totp(case, "admin")
    r = dalil("user", "totp", "admin", "--enable", input=pyotp.TOTP(secret).now() + "\n")
    assert r.exit_code == 0, r.output
    assert users.totp_secret(case, "admin") == secret
    # Turning off one's own second factor needs a current code, admins included.
    r = dalil("user", "totp", "admin", "--disable", "--json")
    assert r.exit_code != 0 and "a current code is needed" in r.output
    assert users.has_totp(case, "admin")
    r = dalil("user", "totp", "admin", "--disable", "--code", pyotp.TOTP(secret).now(), "--json")
    assert r.exit_code == 0 and '"totp": false' in r.output
    assert not users.has_totp(case, "admin")


def test_cli_cannot_enrol_someone_else(case: Case, dalil: Any) -> None:
    with case.act() as ctx:
        users.add_user(ctx, "ivy", "investigator")
    r = dalil("user", "totp", "ivy", "--enable", input="123456\n")
    assert r.exit_code == 2 and "only the user themself" in r.output
    assert not users.has_totp(case, "ivy")
