"""Access control: deny by default, passwords, tokens, logins audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from dalil.core import access, audit
from dalil.core.access import ROLE_PERMISSIONS, ROLES, Actor
from dalil.core.case import Case
from dalil.errors import Conflict, InputError, PermissionDenied
from dalil.services import users
from dalil.testing import DalilRunner


@given(st.text(min_size=1, max_size=20))
def test_unknown_role_has_no_permission(role: str) -> None:
    if role in ROLES:
        return
    actor = Actor(name="x", role=role)
    for perm in access.ALL_PERMISSIONS:
        assert not actor.can(perm)
        with pytest.raises(PermissionDenied):
            access.require(actor, perm)


def test_misspelt_permission_is_a_bug_not_a_grant() -> None:
    with pytest.raises(ValueError):
        access.require(Actor("a", "admin"), "protected.revael")


def test_viewer_can_only_read() -> None:
    assert ROLE_PERMISSIONS["viewer"] == {access.CASE_READ}
    assert access.PROTECTED_REVEAL not in ROLE_PERMISSIONS["analyst"]
    assert access.USER_MANAGE not in ROLE_PERMISSIONS["investigator"]


def test_password_login_audited_and_wrong_password_refused(case: Case) -> None:
    with case.act() as ctx:
        users.add_user(ctx, "lina", "legal", password="correct horse 1")
    actor = users.login_password(case, "lina", "correct horse 1")
    assert actor.role == "legal"
    with pytest.raises(PermissionDenied, match="invalid user name or password"):
        users.login_password(case, "lina", "wrong password")
    with pytest.raises(PermissionDenied, match="invalid user name or password"):
        users.login_password(case, "nobody", "whatever1")
    with case.system_session() as s:
        acts = [e.action for e in audit.query(s, action="user.login")]
        assert acts == ["user.login"]
        failed = audit.query(s, action="user.login_failed")
        assert len(failed) == 2 and all("wrong password" not in e.detail for e in failed)
        user = access.get_user(s, "lina")
        assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
        assert user.last_login_at is not None


def _stored_hash(case: Case, name: str) -> str:
    with case.system_session() as s:
        h = access.get_user(s, name).password_hash
    assert h is not None
    return h


def test_passwords_get_the_real_argon2_parameters_unless_the_test_kdf_profile(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite's cheap parameters only under ``DALIL_KDF_PROFILE=test``; a login
    rehashes a password made under the other setting to the current parameters."""
    real = "m=65536,t=3,p=4"
    with case.act() as ctx:
        users.add_user(ctx, "tina", "legal", password="cheap password 1")
    assert "$m=8,t=1,p=1$" in _stored_hash(case, "tina")
    monkeypatch.setenv("DALIL_KDF_PROFILE", "strong")
    with case.act() as ctx:
        users.add_user(ctx, "rafi", "legal", password="real password 1")
    assert f"${real}$" in _stored_hash(case, "rafi")
    users.login_password(case, "tina", "cheap password 1")  # verified, then rehashed
    assert f"${real}$" in _stored_hash(case, "tina")
    with pytest.raises(PermissionDenied):
        users.login_password(case, "tina", "wrong password 1")
    monkeypatch.setenv("DALIL_KDF_PROFILE", "test")
    users.login_password(case, "rafi", "real password 1")
    assert "$m=8,t=1,p=1$" in _stored_hash(case, "rafi")
    monkeypatch.delenv("DALIL_KDF_PROFILE")  # unset: the real parameters
    with case.act() as ctx:
        users.add_user(ctx, "sara", "viewer", password="real password 2")
    assert f"${real}$" in _stored_hash(case, "sara")


def test_disabled_user_cannot_log_in_or_act(case: Case) -> None:
    with case.act() as ctx:
        users.add_user(ctx, "ines", "investigator", password="password 123")
        users.update_user(ctx, "ines", disabled=True)
    with pytest.raises(PermissionDenied):
        users.login_password(case, "ines", "password 123")
    with pytest.raises(PermissionDenied, match="disabled"):
        case.actor("ines")


def test_token_only_hash_stored_and_revocable(case: Case) -> None:
    with case.act() as ctx:
        users.add_user(ctx, "ana", "analyst")
        token, _row = users.issue_token(ctx, "ana", label="api")
    with case.system_session() as s:
        rows = list(s.scalars(select(access.ApiToken)))
        assert token not in {r.token_hash for r in rows}
    assert users.login_token(case, token).name == "ana"
    with case.act() as ctx:
        assert users.revoke_tokens(ctx, "ana") == 1
    with pytest.raises(PermissionDenied, match="invalid or revoked token"):
        users.login_token(case, token)


def test_user_management_requires_admin(case: Case) -> None:
    with case.act() as ctx:
        users.add_user(ctx, "ines", "investigator")
    with pytest.raises(PermissionDenied), case.act("ines") as ctx:
        users.add_user(ctx, "mallory", "admin")
    with pytest.raises(PermissionDenied), case.act("ines") as ctx:
        users.update_user(ctx, "ines", role="admin")


def test_last_admin_cannot_be_demoted_or_disabled(case: Case) -> None:
    with pytest.raises(PermissionDenied, match="without an enabled admin"), case.act() as ctx:
        users.update_user(ctx, "admin", role="viewer")
    with pytest.raises(PermissionDenied), case.act() as ctx:
        users.update_user(ctx, "admin", disabled=True)


def test_bad_role_and_duplicate_name(case: Case) -> None:
    allowed = "allowed: admin, investigator, analyst, legal, viewer"
    with pytest.raises(InputError, match=allowed), case.act() as ctx:
        users.add_user(ctx, "x", "superuser")
    with pytest.raises(Conflict), case.act() as ctx:
        users.add_user(ctx, "admin", "viewer")
    with pytest.raises(InputError, match="invalid user name"), case.act() as ctx:
        users.add_user(ctx, "../evil", "viewer")


def test_cli_user_token_json_and_acting_user(dalil: DalilRunner, tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text("a fine password\n")
    dalil.json("user", "add", "vera", "--role", "viewer", "--password-file", pw)
    tok = dalil.json("user", "token", "vera")
    assert tok["token"].startswith("dalil_") and len(tok["token"]) > 40
    r = dalil("person", "add", "--pseudonym", "W-1", "--user", "vera")
    assert r.exit_code == 2 and "may not add persons" in r.stderr
    r = dalil("person", "add", "--pseudonym", "W-1", env={"DALIL_USER": "vera"})
    assert r.exit_code == 2
    assert dalil.json("users", "list")[1]["has_password"] is True
    r = dalil("person", "list", "--user", "ghost")
    assert r.exit_code == 2 and r.stderr.strip() == "error: no user named 'ghost'"


def test_hostile_login_name_is_refused_cleanly_and_logged_without_it(case: Case) -> None:
    hostile = "admin\n\x1b[2J' OR 1=1 --"
    with pytest.raises(PermissionDenied, match="invalid user name or password"):
        users.login_password(case, hostile, "whatever1")
    with case.system_session() as s:
        (entry,) = audit.query(s, action="user.login_failed")
        assert entry.actor == "-" and entry.object_ids == "[]"
