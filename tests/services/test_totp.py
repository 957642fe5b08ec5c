"""Second factor in the service layer: enrol (only oneself, with a valid code), reset by
an admin, login codes checked once, the secret never in the audit log."""

from __future__ import annotations

import pyotp
import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import InputError, PermissionDenied
from dalil.services import users

AT = 1_800_000_000.0


@pytest.fixture
def people(case: Case) -> Case:
    with case.act() as ctx:
        users.add_user(ctx, "ivy", "investigator", "pw-ivy-fictional")
        users.add_user(ctx, "vic", "viewer", "pw-vic-fictional")
    return case


def test_enrolment_needs_a_code_from_the_secret_and_stores_only_ciphertext(people: Case) -> None:
    secret = users.new_totp_secret()
    with pytest.raises(InputError, match="does not match"), people.act("ivy") as ctx:
        users.enable_totp(
            ctx,
            "ivy",
            secret,
            "000000" if pyotp.TOTP(secret).at(AT) != "000000" else "111111",
            at=AT,
        )
    assert users.totp_secret(people, "ivy") is None
    with people.act("ivy") as ctx:
        users.enable_totp(ctx, "ivy", secret, pyotp.TOTP(secret).at(AT), at=AT)
    assert users.totp_secret(people, "ivy") == secret and users.has_totp(people, "ivy")
    with people.system_session() as s:
        entries = audit.query(s)
        u = [e for e in entries if e.action == "user.totp_enable"]
        assert len(u) == 1 and "user:ivy" in u[0].object_ids
        assert all(secret not in (e.detail + e.object_ids) for e in entries)
        from dalil.core.access import find_user

        row = find_user(s, "ivy")
        assert row is not None and secret not in (row.totp_secret_enc or "")


def test_admin_cannot_plant_a_secret_on_another_user(people: Case) -> None:
    """An admin who chose a user's secret could pass that user's second factor."""
    secret = users.new_totp_secret()
    with pytest.raises(PermissionDenied), people.act() as ctx:
        users.enable_totp(ctx, "ivy", secret, pyotp.TOTP(secret).at(AT), at=AT)
    assert users.totp_secret(people, "ivy") is None


def _enrol(case: Case, name: str) -> str:
    secret = users.new_totp_secret()
    with case.act(name) as ctx:
        users.enable_totp(ctx, name, secret, pyotp.TOTP(secret).at(AT), at=AT)
    return secret


def test_stolen_session_cannot_turn_off_the_second_factor_without_a_code(people: Case) -> None:
    secret = _enrol(people, "ivy")
    with pytest.raises(PermissionDenied), people.act("ivy") as ctx:
        users.disable_totp(ctx, "ivy", code="", at=AT)
    assert users.has_totp(people, "ivy")
    with people.act("ivy") as ctx:
        users.disable_totp(ctx, "ivy", code=pyotp.TOTP(secret).at(AT + 30), at=AT + 30)
    assert not users.has_totp(people, "ivy")


def test_only_an_admin_resets_someone_else_and_it_is_logged(people: Case) -> None:
    _enrol(people, "ivy")
    with pytest.raises(PermissionDenied), people.act("vic") as ctx:
        users.disable_totp(ctx, "ivy")
    assert users.has_totp(people, "ivy")
    with pytest.raises(InputError, match="reason"), people.act() as ctx:
        users.disable_totp(ctx, "ivy")
    assert users.has_totp(people, "ivy")
    with people.act() as ctx:
        users.disable_totp(ctx, "ivy", reason="lost phone, confirmed by call")
    assert not users.has_totp(people, "ivy")
    with people.system_session() as s:
        e = audit.query(s, action="user.totp_disable")
        assert len(e) == 1 and '"by_admin":true' in e[0].detail.replace(" ", "")
        assert "lost phone, confirmed by call" in e[0].detail


def test_login_code_is_accepted_once_and_every_check_is_logged(people: Case) -> None:
    secret = _enrol(people, "ivy")
    code = pyotp.TOTP(secret).at(AT)
    step = users.verify_totp(people, "ivy", code, at=AT)
    assert step is not None
    assert users.verify_totp(people, "ivy", code, after_step=step, at=AT + 5) is None
    assert users.verify_totp(people, "vic", code, at=AT) is None  # no second factor
    with people.system_session() as s:
        assert len(audit.query(s, action="user.login_totp")) == 1
        assert len(audit.query(s, action="user.login_totp_failed")) == 2


@pytest.mark.parametrize("bad", ["", "not base32!", "AAAA", "0" * 32])
def test_malformed_secret_is_refused(people: Case, bad: str) -> None:
    with pytest.raises(InputError, match="invalid TOTP secret"), people.act("ivy") as ctx:
        users.enable_totp(ctx, "ivy", bad, "123456", at=AT)
