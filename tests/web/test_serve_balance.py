"""`dalil serve --workers N`: a new connection goes to the web worker holding the fewest
open connections (dalil.web.server._Balancer), so keep-alive clients opened in a burst
are not left queued on one worker while another is idle."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from dalil.core.case import Case
from dalil.testing import TEST_PASSPHRASE
from dalil.web.server import NOT_ACCEPTING, ConnectionCounts, _Balancer, established_connections


class _Held(asyncio.Protocol):
    """A connection that stays open; it is counted while it is."""

    def __init__(self, connections: set[Any]) -> None:
        self.connections = connections

    def connection_made(self, transport: Any) -> None:
        self.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)


def _listening() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


async def _two_workers(
    busy: int, clients: int, *, start_b: bool = True, b_slot: int | None = None
) -> tuple[int, int]:
    """Two balancers on one listening socket (worker A already holding *busy*
    connections); open *clients* connections; return how many each accepted."""
    sock = _listening()
    dup = sock.dup()
    counts = ConnectionCounts(2)
    conns: tuple[set[Any], set[Any]] = (set(), set())
    conns[0].update(object() for _ in range(busy))
    a = _Balancer(sock, counts, 0, lambda: _Held(conns[0]), conns[0], None)
    b = _Balancer(dup, counts, 1, lambda: _Held(conns[1]), conns[1], None)
    a.MAX_WAIT = 0.3 if not start_b else 3600.0  # no fallback unless B is away
    a.start()
    if start_b:
        b.start()
    if b_slot is not None:
        counts.slots[1] = b_slot
    port = sock.getsockname()[1]
    loop = asyncio.get_running_loop()
    writers = []
    for _ in range(clients):
        _, w = await asyncio.open_connection("127.0.0.1", port)
        writers.append(w)
    deadline = loop.time() + 5
    while len(conns[0]) + len(conns[1]) < busy + clients and loop.time() < deadline:
        await asyncio.sleep(0.01)
    got = (len(conns[0]) - busy, len(conns[1]))
    for w in writers:
        w.close()
    a.close()
    b.close()
    sock.close()
    dup.close()
    return got


def test_a_new_connection_goes_to_the_worker_with_fewer() -> None:
    # A holds 10; the first 10 new connections go to B, then they alternate.
    a, b = asyncio.run(_two_workers(busy=10, clients=16))
    assert b >= 10 and a + b == 16
    assert abs((10 + a) - b) <= 1


def test_a_worker_that_is_not_accepting_does_not_hold_connections_back() -> None:
    # B never takes a connection (its slot says 0, as a stuck worker's would): once A
    # holds more than B, it waits MAX_WAIT for B, then accepts anyway.
    a, b = asyncio.run(_two_workers(busy=0, clients=3, start_b=False, b_slot=0))
    assert (a, b) == (3, 0)


def test_counts_are_shared_with_forked_workers_and_start_as_not_accepting() -> None:
    counts = ConnectionCounts(3)
    assert list(counts.slots) == [NOT_ACCEPTING] * 3
    pid = os.fork()
    if pid == 0:  # child: a worker records its count
        counts.slots[1] = 7
        os._exit(0)
    os.waitpid(pid, 0)
    assert counts.slots[1] == 7
    assert counts.least_other(0) == 7 and counts.least_other(1) == NOT_ACCEPTING


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_serve_two_workers_split_a_burst_of_keep_alive_connections(case: Case) -> None:
    port = _free_port()
    env = {**os.environ, "DALIL_PASSPHRASE": TEST_PASSPHRASE}
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "dalil.cli", "serve", str(case.root)),
            *("--port", str(port), "--workers", "2", "--job-workers", "0"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # both workers answering (each /login comes on a new connection)
        children: list[int] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                httpx.get(base + "/login", timeout=httpx.Timeout(60, connect=1))
            except httpx.HTTPError:
                time.sleep(0.2)
                continue
            kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            children = [int(k) for k in kids]
            if len(children) == 2:
                break
        assert len(children) == 2, proc.stderr.read().decode() if proc.stderr else ""

        async def burst() -> dict[int, int]:
            limits = httpx.Limits(max_connections=40, max_keepalive_connections=40)
            async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as c:
                rs = await asyncio.gather(*(c.get("/login") for _ in range(40)))
                assert all(r.status_code == 200 for r in rs)
                return established_connections(port, children)

        # until both workers are past start-up (one still importing takes none)
        while min(asyncio.run(burst()).values()) == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        split = asyncio.run(burst())
        assert sum(split.values()) == 40, split
        # on the shared socket without the balancer one worker took 29, 36 and 38 of the 40
        assert max(split.values()) <= 24, split
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_web_worker_freezes_its_start_up_objects(case: Case, monkeypatch: Any) -> None:
    # The collector does not scan the app, modules and tables in each full collection.
    import gc

    import uvicorn

    from dalil.web.server import ServeOptions, _run_web

    frozen = []
    monkeypatch.setattr(
        uvicorn.Server, "run", lambda self, sockets=None: frozen.append(gc.get_freeze_count())
    )
    sock = _listening()
    try:
        gc.unfreeze()
        _run_web(case, ServeOptions(), sock)
    finally:
        gc.unfreeze()
        sock.close()
    assert frozen and frozen[0] > 10_000
