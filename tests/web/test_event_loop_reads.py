"""A worker's event loop never waits for the database: the session behind a page's
cookie and the token throttle are read in a worker thread, so one slow round trip does
not hold up every other request of the worker (static files, responses being sent)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from .conftest import Client


def _on_the_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def loop_statements(app: Any) -> Iterator[list[str]]:
    """SQL statements run on the thread of the running event loop."""
    seen: list[str] = []

    def on_statement(_conn: Any, _cur: Any, sql: str, *_a: Any) -> None:
        if _on_the_loop():
            seen.append(" ".join(sql.split())[:120])

    engine = app.state.case.engine
    event.listen(engine, "before_cursor_execute", on_statement)
    yield seen
    event.remove(engine, "before_cursor_execute", on_statement)


def test_pages_read_the_session_off_the_event_loop(
    client: Client, loop_statements: list[str]
) -> None:
    client.login("viewer")
    loop_statements.clear()
    for url in ("/persons?limit=5", "/sources?limit=5", "/persons?limit=5"):
        assert client.get(url).status_code == 200
    assert loop_statements == []


def test_api_reads_ask_the_token_throttle_off_the_event_loop(
    client: Client, seeded: dict[str, Any], loop_statements: list[str], app: Any
) -> None:
    bearer = {"Authorization": f"Bearer {seeded['tokens']['viewer']}"}
    assert client.get("/api/v1/persons?limit=5", headers=bearer).status_code == 200
    # the throttle's memory of a quiet client has lapsed: it is asked the database again
    app.state.token_throttle._quiet.clear()
    loop_statements.clear()
    assert client.get("/api/v1/persons?limit=5", headers=bearer).status_code == 200
    assert client.get("/api/v1/sources?limit=5", headers=bearer).status_code == 200
    assert loop_statements == []


def test_a_session_ended_elsewhere_is_refused_at_once(make_client: Any, app: Any) -> None:
    """Read in a thread, the session is still read on every request (never remembered):
    ending it (another worker's logout) takes effect on the next request."""
    c: Client = make_client()
    c.login("viewer")
    assert c.get("/persons?limit=5").status_code == 200
    sid = c.client.cookies.get("dalil_session")
    assert sid
    from dalil.services import sessions as store

    store.remove(app.state.case, sid)
    r = c.get("/persons?limit=5")
    assert r.status_code in (302, 303, 401) and "/login" in r.headers.get("location", "/login")
