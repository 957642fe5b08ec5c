"""The names of a victim's cluster: the same permission (``linkage.reveal``, as for the
names of a pair under review) through the same service call in the CLI (``dalil lists
cluster --reason``) and in the workbench (*Show the names* on ``/lists/clusters/ID``):
an analyst or investigator gets the same answer in both; a viewer is refused in both.
Each reveal is logged with its reason. Fictional data."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from dalil.core.audit import AuditEntry
from dalil.core.case import Case
from dalil.model.lists import ListRecord
from dalil.testing import TEST_PASSPHRASE, DalilRunner, build_review_case, reviewer_password
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

from .conftest import Client

REASON = "checking the fictional cluster for a duplicate"


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Any, int]]:
    root = tmp_path_factory.mktemp("cluster-names") / "case"
    case = build_review_case(root)
    with case.system_session(write=False) as s:
        # a victim with more than one list record
        person = s.scalar(
            select(ListRecord.person_id)
            .where(ListRecord.person_id.is_not(None))
            .group_by(ListRecord.person_id)
            .having(func.count() > 1)
            .order_by(ListRecord.person_id)
            .limit(1)
        )
    case.close()
    assert person is not None
    app = create_app(root, TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=100))
    yield root, app, int(person)
    app.state.case.close()


def _login(app: Any, name: str) -> Client:
    c = Client(app)
    token = c.csrf("/login")
    r = c.post(
        "/login",
        data={"username": name, "password": reviewer_password(name), "csrf_token": token,
              "next": "/"},
    )  # fmt: skip
    assert r.status_code == 303, r.text
    return c


def _reveals(app: Any, actor: str) -> list[AuditEntry]:
    case: Case = app.state.case
    with case.system_session(write=False) as s:
        return list(
            s.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "linkage.reveal", AuditEntry.actor == actor
                )
            )
        )


def _cli(root: Path, user: str, *args: Any) -> Any:
    run = DalilRunner({"DALIL_CASE": str(root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    return run("lists", "cluster", *args, "--user", user)


@pytest.mark.parametrize("user", ["ana", "ivy"])
def test_analyst_and_investigator_see_the_same_names_in_cli_and_web(
    linked: tuple[Path, Any, int], user: str
) -> None:
    root, app, person = linked
    before = len(_reveals(app, user))
    r = _cli(root, user, person, "--reason", REASON, "--json")
    assert r.exit_code == 0, r.output
    cli_names = [" ".join(rec["names"].values()) for rec in json.loads(r.stdout)["records"]]
    assert all(cli_names) and len(cli_names) > 1
    c = _login(app, user)
    try:
        page = c.get(f"/lists/clusters/{person}")
        assert page.status_code == 200
        assert 'id="cluster-reveal"' in page.text  # the form asking for the reason
        assert not any(n in page.text for n in cli_names)  # no name before a reason
        token = c.csrf(f"/lists/clusters/{person}")
        shown = c.post(
            f"/lists/clusters/{person}/names", data={"reason": REASON, "csrf_token": token}
        )
        assert shown.status_code == 200, shown.text
        row = re.search(r'<tr id="cluster-names">(.*?)</tr>', shown.text, re.S)
        assert row is not None
        for name in cli_names:
            assert name in row.group(1)
    finally:
        c.close()
    logged = _reveals(app, user)[before:]
    assert len(logged) == 2  # one for the CLI, one for the page
    assert all(json.loads(e.detail)["reason"] == REASON for e in logged)


def test_a_viewer_is_refused_the_names_in_cli_and_web(linked: tuple[Path, Any, int]) -> None:
    root, app, person = linked
    r = _cli(root, "vic", person, "--reason", REASON)
    assert r.exit_code == 2 and "may not see names" in r.output, r.output
    c = _login(app, "vic")
    try:
        page = c.get(f"/lists/clusters/{person}")
        assert page.status_code == 200 and 'id="cluster-reveal"' not in page.text
        token = c.csrf(f"/lists/clusters/{person}")
        shown = c.post(
            f"/lists/clusters/{person}/names", data={"reason": REASON, "csrf_token": token}
        )
        assert shown.status_code == 403
        assert 'id="cluster-names"' not in shown.text
    finally:
        c.close()
    assert _reveals(app, "vic") == []


def test_a_short_reason_is_refused_next_to_the_field(linked: tuple[Path, Any, int]) -> None:
    root, app, person = linked
    r = _cli(root, "ana", person, "--reason", "x")
    assert r.exit_code == 2 and "reason" in r.output
    c = _login(app, "ana")
    try:
        token = c.csrf(f"/lists/clusters/{person}")
        shown = c.post(f"/lists/clusters/{person}/names", data={"reason": "x", "csrf_token": token})
        assert shown.status_code == 422
        assert 'id="err-cluster-reason"' in shown.text and 'id="cluster-names"' not in shown.text
    finally:
        c.close()
