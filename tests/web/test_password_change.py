"""A password set by an admin must be replaced at the next sign-in: every page leads to
the change-password form until it is done; API tokens keep working. All data fictional."""

from __future__ import annotations

from typing import Any

from dalil.core import audit
from dalil.services import users

from .conftest import Client


def _login(c: Client, name: str, password: str) -> Any:
    token = c.csrf("/login")
    return c.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": token, "next": "/incidents"},
    )


def _form(c: Client, url: str, data: dict[str, Any]) -> Any:
    token = c.csrf("/account/password")
    return c.post(url, data={**data, "csrf_token": token})


def test_admin_reset_forces_a_new_password_at_the_next_sign_in(app: Any, make_client: Any) -> None:
    case = app.state.case
    name = "fict-reset"
    with case.act("coordinator") as ctx:
        users.add_user(ctx, name, "investigator", "pw-first-fictional")
        token, _ = users.issue_token(ctx, name, label="fictional script")
    admin = make_client()
    admin.login("admin")
    r = admin.post(
        f"/users/{name}/password",
        data={"password": "pw-admin-chose-1", "csrf_token": admin.csrf("/users")},
    )
    assert r.status_code == 303
    page = admin.get(r.headers["location"])
    assert "must choose their own at the next sign-in" in page.text
    assert 'data-confirm="Set this password?' in page.text
    assert 'data-confirm="Revoke every API token' in page.text

    c = make_client()
    r = _login(c, name, "pw-admin-chose-1")
    assert r.status_code == 303 and r.headers["location"] == "/incidents"
    r = c.get("/incidents")
    assert r.status_code == 303 and r.headers["location"] == "/account/password?next=/incidents"
    for other in ("/", "/persons", "/users"):
        assert c.get(other).headers["location"].startswith("/account/password")
    form = c.get("/account/password?next=/incidents")
    assert form.status_code == 200 and 'id="forced"' in form.text
    # The API token is not affected.
    me = c.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["name"] == name
    # Refusals, next to their field; nothing changes.
    r = _form(c, "/account/password", {"current": "wrong", "password": "pw-mine-12345",
                                        "again": "pw-mine-12345", "next": "/incidents"})  # fmt: skip
    assert r.status_code == 422 and 'id="err-current"' in r.text
    r = _form(c, "/account/password", {"current": "pw-admin-chose-1", "password": "pw-mine-12345",
                                        "again": "pw-mine-54321"})  # fmt: skip
    assert r.status_code == 422 and 'id="err-again"' in r.text
    r = _form(c, "/account/password", {"current": "pw-admin-chose-1",
                                        "password": "pw-admin-chose-1", "again": "pw-admin-chose-1"})  # fmt: skip
    assert r.status_code == 422 and 'id="err-password"' in r.text
    assert c.get("/incidents").status_code == 303
    # Changed: the pages open again, the log says so.
    r = _form(c, "/account/password", {"current": "pw-admin-chose-1", "password": "pw-mine-12345",
                                        "again": "pw-mine-12345", "next": "/incidents"})  # fmt: skip
    assert r.status_code == 303
    done = c.get(r.headers["location"])
    assert 'id="done"' in done.text and 'href="/incidents"' in done.text
    assert c.get("/incidents").status_code == 200
    with case.system_session() as s:
        entries = audit.query(s, actor=name, action="user.password_change")
    assert entries and entries[-1].to_dict()["detail"] == {"was_required": True}
    c2 = make_client()
    assert _login(c2, name, "pw-mine-12345").status_code == 303
    assert c2.get("/incidents").status_code == 200


def test_an_admin_setting_their_own_password_is_not_asked_again(app: Any) -> None:
    case = app.state.case
    with case.act("coordinator") as ctx:
        users.add_user(ctx, "fict-self", "admin", "pw-self-fictional")
    with case.act("fict-self") as ctx:
        users.update_user(ctx, "fict-self", password="pw-self-fictional-2")
    assert users.must_change_password(case, "fict-self") is False
    with case.act("coordinator") as ctx:
        users.update_user(ctx, "fict-self", password="pw-self-fictional-3")
    assert users.must_change_password(case, "fict-self") is True
