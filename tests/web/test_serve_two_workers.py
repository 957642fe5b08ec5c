"""`dalil serve --workers 2` serves one case from both web workers, on SQLite and on
PostgreSQL: a session made on one worker is valid on the other, and a restart of the
whole server keeps the user signed in.

Which worker answers is forced, not left to chance: the workers share one listening
socket, so while one is stopped (SIGSTOP) every new connection is accepted by the other.
Real processes on loopback; the case is fictional."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from dalil.core.case import Case
from dalil.services import users

from .test_workers import PASSWORD, _children, _login, _me, start  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow]


@contextmanager
def _only(answering: int, stopped: int) -> Iterator[None]:
    """While inside, worker *stopped* is stopped, so *answering* takes every connection."""
    os.kill(stopped, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(stopped, signal.SIGCONT)


def _web_workers(sup: subprocess.Popen[bytes], base: str) -> list[int]:
    """The two web workers' pids, once each of them answers on its own (a freshly
    forked worker may still be starting on a loaded machine; a request it has not yet
    accepted would wait in the socket's queue past the client's timeout)."""
    import httpx

    deadline = time.monotonic() + 30
    kids: list[int] = []
    while time.monotonic() < deadline:
        kids = sorted(_children(sup.pid))
        if len(kids) == 2:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"expected two web workers, found {_children(sup.pid)}")
    for answering, stopped in ((kids[0], kids[1]), (kids[1], kids[0])):
        with _only(answering, stopped):
            assert httpx.get(base + "/login", timeout=120).status_code == 200
    return kids


def test_serve_workers_2_shares_sessions_between_workers_and_across_a_restart(
    any_case: Case,
    start: Callable[..., tuple[subprocess.Popen[bytes], str]],  # noqa: F811  (the fixture)
) -> None:
    with any_case.act() as ctx:
        users.add_user(ctx, "ana", "analyst", password=PASSWORD)
    sup, base = start(any_case, "--workers", "2", "--job-workers", "0")
    w1, w2 = _web_workers(sup, base)

    with _only(w1, stopped=w2):
        r = _login(base)  # signed in on worker 1
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = r.cookies["dalil_session"]
        assert _me(base, cookie) == 200
    with _only(w2, stopped=w1):
        assert _me(base, cookie) == 200  # the session made on worker 1 is valid on 2
        assert _me(base, "not-a-session") == 303

    # Restart the whole server: both workers still know the session.
    sup.terminate()
    assert sup.wait(30) == 0
    sup, base = start(any_case, "--workers", "2", "--job-workers", "0")
    v1, v2 = _web_workers(sup, base)
    with _only(v1, stopped=v2):
        assert _me(base, cookie) == 200
    with _only(v2, stopped=v1):
        assert _me(base, cookie) == 200
        # A logout on this worker ends the session for the other too.
        import re

        import httpx

        page = httpx.get(base + "/persons", cookies={"dalil_session": cookie}, timeout=10)
        token = re.search(r'data-csrf="([^"]+)"|name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        out = httpx.post(
            base + "/logout",
            data={"csrf_token": token.group(1) or token.group(2)},
            cookies={"dalil_session": cookie},
            timeout=10,
        )
        assert out.status_code == 303
    with _only(v1, stopped=v2):
        assert _me(base, cookie) == 303
