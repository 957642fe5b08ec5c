"""The ``/estimates`` page reads the capture histories stored by a job; it never
computes them inside the request (issue 12: long work never runs inside a request). A
retraction makes the stored histories out of date: the page then says they are being
computed again (a job) instead of showing figures that no longer hold. All names are
fictional."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select

from dalil.services import jobs, lists, retractions
from dalil.testing import TEST_PASSPHRASE
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

from .conftest import USERS, seed_case


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("historiescase") / "case"
    seed_case(root)  # two fictional lists, imported and linked
    application = create_app(root, TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=1000))
    yield application
    application.state.case.close()


class _Statements:
    """The SQL statements the case's engine runs for requests while counting (a real
    listener on the real engine). The app's inline job runner (its own thread) is left
    out: the job the page queues may start while the page is still answering."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.seen: list[str] = []

    def _on(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.current_thread().name != "dalil-inline-jobs":
            self.seen.append(statement)

    def __enter__(self) -> _Statements:
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on)

    def reading(self, table: str) -> list[str]:
        return [s for s in self.seen if re.search(rf"\bFROM {table}\b", s)]


def _job_on_page(html: str) -> int:
    m = re.search(r'id="histories-job" href="/jobs/(\d+)"', html)
    assert m, html[-3000:]
    return int(m.group(1))


def _counts(html: str) -> list[int]:
    body = html.split('id="histories"', 1)[1].split("</table>", 1)[0]
    return [int(x) for x in re.findall(r'<td class="count">(\d+)</td>', body)]


def test_the_page_reads_stored_histories_and_a_retraction_makes_them_recomputed(
    make_client: Any, app: Any
) -> None:
    case = app.state.case
    c = make_client()
    c.login("analyst")

    # Nothing stored yet: the page answers at once, saying a job computes them.
    with _Statements(case.engine) as sql:
        first = c.get("/estimates")
    assert first.status_code == 200
    assert not sql.reading("linkage_records"), "the page computed the histories"
    assert 'id="histories"' not in first.text
    assert "The capture histories are being computed" in first.text
    jid = _job_on_page(first.text)
    assert jobs.wait(case, jid, timeout=120) == "done"

    # Stored: the page shows them, and reads no list record to do so.
    with _Statements(case.engine) as sql:
        page = c.get("/estimates")
    assert page.status_code == 200
    assert not sql.reading("linkage_records"), sql.reading("linkage_records")
    with case.act(USERS["analyst"], write=False) as ctx:
        names, rows = lists.case_histories(ctx)
    assert _counts(page.text) == [r["count"] for r in rows] and sum(_counts(page.text)) > 0
    assert "The capture histories are being computed" not in page.text
    # the API gives the same JSON as before (lists and rows)
    assert c.get("/api/v1/lists/histories").json() == {"lists": names, "rows": rows}

    # A list record retracted: the stored histories no longer hold. The page does not
    # show them; a new job computes them, and then the page shows the new figures.
    from dalil.model.lists import ListRecord

    with case.act(USERS["admin"]) as ctx:
        rid = ctx.session.scalar(select(ListRecord.id).order_by(ListRecord.id).limit(1))
        assert rid is not None
        retractions.retract(ctx, "list_record", rid, reason="fictional duplicate row")
    with _Statements(case.engine) as sql:
        stale = c.get("/estimates")
    assert not sql.reading("linkage_records")
    assert 'id="histories"' not in stale.text
    assert "The capture histories are being computed" in stale.text
    again = _job_on_page(stale.text)
    assert again != jid
    # a second view while the job is queued or running does not queue another
    second = c.get("/estimates").text
    if 'id="histories-job"' in second:  # else it has finished already
        assert _job_on_page(second) == again
    assert jobs.wait(case, again, timeout=120) == "done"
    fresh = c.get("/estimates")
    with case.act(USERS["analyst"], write=False) as ctx:
        _, now = lists.case_histories(ctx)
    assert _counts(fresh.text) == [r["count"] for r in now]
    assert sum(r["count"] for r in now) <= sum(r["count"] for r in rows)
    ar = c.get("/estimates?lang=ar")
    assert 'id="histories"' in ar.text


def test_stored_histories_follow_the_data_version(app: Any) -> None:
    """The service: stored histories are fresh until a change is audited after them; a
    read (a login, a job submitted) leaves them fresh."""
    case = app.state.case
    with case.act(USERS["analyst"]) as ctx:
        lists.store_histories(ctx)
    with case.act(USERS["analyst"], write=False) as ctx:
        held = lists.stored_histories(ctx)
        names, rows = lists.case_histories(ctx)
    assert held["state"] == "fresh" and held["lists"] == names and held["rows"] == rows
    with case.act(USERS["analyst"]) as ctx:
        jobs.submit(ctx, "histories", {})  # audited job.submit: no change of data
    with case.act(USERS["analyst"], write=False) as ctx:
        assert lists.stored_histories(ctx)["state"] == "fresh"
    from dalil.model.lists import VictimList

    with case.act(USERS["admin"]) as ctx:
        vid = ctx.session.scalar(select(VictimList.id).order_by(VictimList.id.desc()).limit(1))
        assert vid is not None
        retractions.retract(ctx, "list", vid, reason="fictional list withdrawn")
    with case.act(USERS["analyst"], write=False) as ctx:
        assert lists.stored_histories(ctx)["state"] == "stale"
    with case.act(USERS["admin"]) as ctx:
        retractions.restore(ctx, "list", vid, reason="fictional list back")
    with case.act(USERS["analyst"], write=False) as ctx:
        assert lists.stored_histories(ctx)["state"] == "stale"
