"""Several server processes over one case (PostgreSQL, as a team runs it): a session made
on one is valid on the other and after both restart; login throttling counts across
them; `serve --workers 2` restarts a killed worker and its job worker runs queued jobs.

Real processes (``dalil serve``) on loopback; PostgreSQL from DALIL_TEST_POSTGRES."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from dalil.core.case import Case
from dalil.services import jobs, users
from dalil.testing import TEST_PASSPHRASE

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PASSWORD = "fictional password for ana 12"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def pg_case(new_case: Callable[..., Case], pg_schema_url: str) -> Case:
    c = new_case(database=pg_schema_url)
    with c.act() as ctx:
        users.add_user(ctx, "ana", "analyst", password=PASSWORD)
    return c


@pytest.fixture
def start() -> Iterator[Callable[..., tuple[subprocess.Popen[bytes], str]]]:
    procs: list[subprocess.Popen[bytes]] = []

    def run(case: Case, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
        port = _free_port()
        env = {**os.environ, "DALIL_PASSPHRASE": TEST_PASSPHRASE, "DALIL_JOB_LEASE": "5"}
        p = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dalil.cli",
                "serve",
                str(case.root),
                "--port",
                str(port),
                *extra,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        procs.append(p)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                # Refused until the supervisor has bound the socket; once bound, wait for
                # the answer. A request abandoned by a short read timeout would still be
                # served later, and a worker stopped (SIGSTOP) in the middle of it would
                # hold the SQLite write lock the other worker then waits on.
                httpx.get(base + "/login", timeout=httpx.Timeout(120, connect=1))
                return p, base
            except httpx.HTTPError:
                if p.poll() is not None:
                    pytest.fail("serve stopped: " + (p.stderr.read() if p.stderr else b"").decode())
                time.sleep(0.1)
        pytest.fail("serve did not answer")

    yield run
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()


def _login(base: str, password: str = PASSWORD) -> httpx.Response:
    # a generous read timeout: on a loaded machine the password check alone (a deliberately
    # slow hash) can pass httpx's default of 5 s
    with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as c:
        page = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        return c.post(
            "/login",
            data={
                "username": "ana",
                "password": password,
                "csrf_token": token.group(1),
                "next": "/",
            },
            cookies=page.cookies,
        )


def _me(base: str, cookie: str) -> int:
    r = httpx.get(base + "/persons", cookies={"dalil_session": cookie}, timeout=60)
    return r.status_code


def test_a_session_is_valid_on_another_worker_and_after_both_restart(
    pg_case: Case, start: Callable[..., tuple[subprocess.Popen[bytes], str]]
) -> None:
    a, base_a = start(pg_case, "--job-workers", "0")
    b, base_b = start(pg_case, "--job-workers", "0")
    r = _login(base_a)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.cookies["dalil_session"]
    assert _me(base_a, cookie) == 200
    assert _me(base_b, cookie) == 200  # made on A, valid on B
    assert _me(base_b, "not-a-session") == 303
    for p in (a, b):
        p.terminate()
        p.wait(20)
    _, base_a2 = start(pg_case, "--job-workers", "0")
    _, base_b2 = start(pg_case, "--job-workers", "0")
    assert _me(base_a2, cookie) == 200 and _me(base_b2, cookie) == 200  # survived the restart
    # An admin ends her sessions: at once, on every worker.
    from dalil.services import sessions

    with pg_case.act() as ctx:
        assert sessions.end_user_sessions(ctx, "ana") == 1
    assert _me(base_a2, cookie) == 303 and _me(base_b2, cookie) == 303
    # The id itself is nowhere in the database, only its hash.
    with pg_case.engine.connect() as conn:
        from sqlalchemy import text

        rows = conn.execute(text("SELECT id_hash FROM web_sessions")).scalars().all()
    assert cookie not in rows


def test_throttling_counts_across_workers(
    pg_case: Case, start: Callable[..., tuple[subprocess.Popen[bytes], str]]
) -> None:
    _, base_a = start(pg_case, "--job-workers", "0")
    _, base_b = start(pg_case, "--job-workers", "0")
    codes = [_login(base, "wrong password").status_code for base in (base_a, base_b, base_a)]
    assert codes == [401, 401, 401]  # three free attempts, spread over both workers
    assert _login(base_b, "wrong password").status_code == 401  # the 4th: now 1 s to wait
    r = _login(base_a)  # even the right password waits: counted on B, seen on A
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(d.name))
    return out


def test_serve_workers_restarts_a_killed_worker_and_runs_jobs(
    pg_case: Case, start: Callable[..., tuple[subprocess.Popen[bytes], str]]
) -> None:
    sup, base = start(pg_case, "--workers", "2", "--job-workers", "1")
    cookie = _login(base).cookies["dalil_session"]
    before = set(_children(sup.pid))
    assert len(before) == 3  # two web workers and one job worker
    victim = sorted(before)[0]
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = set(_children(sup.pid))
        if len(now) == 3 and victim not in now:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the supervisor did not replace worker {victim}")
    ok = sum(_me(base, cookie) == 200 for _ in range(20))
    assert ok == 20
    with pg_case.act() as ctx:
        jid = jobs.submit(ctx, "fixity", {})["id"]
    assert jobs.wait(pg_case, jid, timeout=60) == "done"


def test_serve_analyses_a_bulk_loaded_table_once(
    pg_case: Case, pg_schema_url: str, start: Callable[..., tuple[subprocess.Popen[bytes], str]]
) -> None:
    from sqlalchemy import create_engine, text

    from dalil.services import persons

    with pg_case.act() as ctx:  # a bulk load, as an import or a generated benchmark case
        for i in range(1200):
            persons.add_person(ctx, pseudonym=f"B-{i:05d}")
    pg_case.close()  # its backends end and report their counts
    engine = create_engine(pg_schema_url)

    def pending() -> int:
        with engine.connect() as conn:
            return int(
                conn.scalar(
                    text(
                        "SELECT n_mod_since_analyze FROM pg_stat_user_tables "
                        "WHERE schemaname = current_schema() AND relname = 'persons'"
                    )
                )
                or 0
            )

    try:
        deadline = time.monotonic() + 15
        while pending() < 1200:
            assert time.monotonic() < deadline, "PostgreSQL never reported the inserted rows"
            time.sleep(0.2)
        p, _base = start(pg_case, "--job-workers", "0")
        p.terminate()
        p.wait(20)
        said = (p.stderr.read() if p.stderr else b"").decode()
        assert "planner statistics were missing or stale" in said, said
        line = next(ln for ln in said.splitlines() if "planner statistics" in ln)
        assert "persons" in line.split(": ", 1)[1].split(", ")
        assert pending() == 0
        with engine.connect() as conn:
            assert (
                conn.scalar(text("SELECT reltuples FROM pg_class WHERE oid = 'persons'::regclass"))
                == 1200
            )
        p, _base = start(pg_case, "--job-workers", "0")  # nothing changed: nothing to say
        p.terminate()
        p.wait(20)
        assert "planner statistics" not in (p.stderr.read() if p.stderr else b"").decode()
    finally:
        engine.dispose()
