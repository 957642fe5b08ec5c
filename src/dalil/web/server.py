"""``dalil serve``: a supervisor process, N web worker processes and M job workers.

The supervisor unlocks the case once (the passphrase is never handed to a child: the
children are forked after unlocking and inherit the unlocked keys), binds the listening
socket, and forks:

* **web workers** — each runs uvicorn on the shared socket; every request may land on
  any of them, which is why sessions, login throttling and jobs live in the case
  database. With two or more, a new connection is accepted by the worker holding the
  fewest open connections (see :class:`_Balancer`);
* **job workers** — each runs :class:`dalil.services.jobs.Worker` (long work never runs
  inside a request).

A child that dies (a crash, the OOM killer, a SIGKILL) is started again after a short
pause (longer if it keeps dying). SIGTERM or SIGINT to the supervisor stops the children
(SIGTERM, then SIGKILL after a grace period) and exits.

SQLite serves several workers correctly but one write at a time (writers queue on the
database lock); PostgreSQL lets writes of different workers proceed together.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import mmap
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ssl

    from dalil.services.kernel import Case

GRACE_SECONDS = 10.0

#: The open-connection count of a web worker that is not accepting (not started yet,
#: stopped, being restarted): larger than any real count.
NOT_ACCEPTING = 2**30


class ConnectionCounts:
    """The open-connection count of each web worker, in memory the supervisor shares
    with the workers it forks (an anonymous shared mapping of one int per worker)."""

    def __init__(self, workers: int) -> None:
        self._map = mmap.mmap(-1, 4 * max(1, workers))
        self.slots = memoryview(self._map).cast("i")
        for i in range(workers):
            self.slots[i] = NOT_ACCEPTING

    def __len__(self) -> int:
        return len(self.slots)

    def least_other(self, index: int) -> int:
        """The smallest count among the workers other than *index*."""
        return min(
            (n for i, n in enumerate(self.slots) if i != index),
            default=NOT_ACCEPTING,
        )


def established_connections(port: int, pids: list[int]) -> dict[int, int]:
    """How many established TCP connections on local *port* each process of *pids*
    holds, read from Linux's /proc (empty counts elsewhere): the share of the clients
    each web worker serves, for the balancer's tests and the load benchmark."""
    from pathlib import Path

    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if int(f[1].rsplit(":", 1)[1], 16) == port and f[3] == "01":  # ESTABLISHED
                inodes.add(f[9])
    out: dict[int, int] = {}
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:  # the process is gone
            continue
        n = 0
        for fd in fds:
            try:
                link = os.readlink(fd)
            except OSError:  # closed meanwhile
                continue
            n += link.startswith("socket:[") and link[8:-1] in inodes
        out[pid] = n
    return out


class _Balancer:
    """Accepts the shared listening socket's connections in one web worker, leaving a
    new connection to another worker that holds fewer open connections.

    When the workers share one socket, every worker is woken for a new connection and
    the first to run accepts all that are waiting: under a burst of keep-alive
    connections (a browser's, a proxy's pool, a load test) one worker could end up with
    35 or 41 of 50 and its clients wait about twice as long as the other's. Here a
    worker that holds more connections than another steps aside for ``DEFER`` seconds
    and looks again; after ``MAX_WAIT`` seconds (the other worker may be busy, not
    scheduled on a loaded machine, or stuck) it accepts anyway, so a connection is never
    left waiting on a worker that does not take it. A keep-alive connection is opened
    once for many requests: waiting that long once costs less than queueing behind
    twice as many clients for its whole life (50 ms let a worker on a machine at load
    13 take 29 of 50). The counts are refreshed when a connection opens or closes.
    """

    DEFER = 0.002
    MAX_WAIT = 0.2

    def __init__(
        self,
        sock: socket.socket,
        counts: ConnectionCounts,
        index: int,
        protocol_factory: Any,
        connections: set[Any],
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        self.sock, self.counts, self.index = sock, counts, index
        self.factory, self.connections, self.ssl = protocol_factory, connections, ssl_context
        self.loop = asyncio.get_running_loop()
        self.fd = sock.fileno()
        sock.setblocking(False)  # another worker may take the connection first
        self.waiting_since: float | None = None
        self.closed = False
        self._resume: asyncio.TimerHandle | None = None
        self.tasks: set[asyncio.Task[Any]] = set()

    def refresh(self, pending: int = 0) -> None:
        if not self.closed:
            self.counts.slots[self.index] = len(self.connections) + pending

    def start(self) -> None:
        self.refresh()
        self.loop.add_reader(self.fd, self._ready)

    def _listen_again(self) -> None:
        self._resume = None
        if not self.closed:
            self.loop.add_reader(self.fd, self._ready)

    def _pause(self, seconds: float) -> None:
        self.loop.remove_reader(self.fd)
        self._resume = self.loop.call_later(seconds, self._listen_again)

    def should_accept(self, now: float) -> bool:
        """True unless another worker holds fewer connections and this one has not yet
        waited ``MAX_WAIT`` seconds for it to take the connection."""
        self.refresh()
        if self.counts.slots[self.index] <= self.counts.least_other(self.index):
            return True
        if self.waiting_since is None:
            self.waiting_since = now
        return now - self.waiting_since >= self.MAX_WAIT

    def _ready(self) -> None:
        if not self.should_accept(self.loop.time()):
            self._pause(self.DEFER)
            return
        try:
            conn, _ = self.sock.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            self.waiting_since = None  # another worker took it
            return
        except OSError as e:
            if e.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                self._pause(1.0)  # out of descriptors or memory: look again later
                return
            raise
        self.waiting_since = None
        conn.setblocking(False)
        self.refresh(pending=1)
        task = self.loop.create_task(
            self.loop.connect_accepted_socket(self.factory, conn, ssl=self.ssl)
        )
        self.tasks.add(task)
        task.add_done_callback(self._connected)

    def _connected(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled():
            task.exception()  # a failed TLS handshake, a client gone: nothing to serve
        self.refresh()

    # the part of asyncio.Server that uvicorn's shutdown uses
    def close(self) -> None:
        if self.closed:
            return
        if self._resume is not None:
            self._resume.cancel()
        else:
            self.loop.remove_reader(self.fd)
        self.counts.slots[self.index] = NOT_ACCEPTING
        self.closed = True

    async def wait_closed(self) -> None:
        return None


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    job_workers: int = 1
    tls_cert: str | None = None
    tls_key: str | None = None
    allowed_hosts: list[str] | None = None
    session_idle: float = 30 * 60
    session_max: float = 12 * 3600
    proxy_headers: bool = False
    forwarded_allow_ips: str | None = None


@dataclass
class _Child:
    role: str  # "web" or "jobs"
    index: int
    pid: int
    started: float
    restarts: int = 0


@dataclass
class Supervisor:
    case: Case
    opts: ServeOptions
    log: Any = None
    children: dict[int, _Child] = field(default_factory=dict)
    stopping: bool = False
    counts: ConnectionCounts | None = None

    def _say(self, msg: str) -> None:
        if self.log is not None:
            self.log(msg)

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.opts.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.opts.host, self.opts.port))
        sock.listen(2048)
        sock.set_inheritable(True)
        return sock

    def _fork(self, role: str, index: int, sock: socket.socket, restarts: int = 0) -> None:
        if role == "web" and self.counts is not None:
            self.counts.slots[index] = NOT_ACCEPTING  # until the new worker listens
        pid = os.fork()
        if pid == 0:  # child
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor handles Ctrl-C
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                # Connections opened by the supervisor must not be shared across processes.
                self.case.engine.dispose(close=False)
                if role == "web":
                    _run_web(self.case, self.opts, sock, self.counts, index)
                else:
                    sock.close()
                    _run_jobs(self.case)
            except BaseException:  # a child never returns into the supervisor's code
                code = 1
            finally:
                os._exit(code)
        self.children[pid] = _Child(role, index, pid, time.monotonic(), restarts)

    def run(self) -> int:
        sock = self._bind()
        self.case.engine.dispose()
        if self.opts.workers > 1:
            self.counts = ConnectionCounts(self.opts.workers)

        def stop(_sig: int, _frame: Any) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for i in range(self.opts.workers):
            self._fork("web", i, sock)
        for i in range(self.opts.job_workers):
            self._fork("jobs", i, sock)
        try:
            while not self.stopping:
                try:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    time.sleep(0.2)
                    continue
                child = self.children.pop(pid, None)
                if child is None or self.stopping:
                    continue
                if child.role == "web" and self.counts is not None:
                    self.counts.slots[child.index] = NOT_ACCEPTING
                lived = time.monotonic() - child.started
                restarts = child.restarts + 1 if lived < 30 else 0
                pause = min(30.0, 0.5 * 2 ** min(restarts, 6))
                how = (
                    f"signal {os.WTERMSIG(status)}"
                    if os.WIFSIGNALED(status)
                    else f"exit {os.WEXITSTATUS(status)}"
                )
                self._say(
                    f"dalil: {child.role} worker {child.index} (pid {pid}) stopped ({how}); "
                    f"starting it again in {pause:.1f} s"
                )
                end = time.monotonic() + pause
                while time.monotonic() < end and not self.stopping:
                    time.sleep(0.1)
                if not self.stopping:
                    self._fork(child.role, child.index, sock, restarts)
        finally:
            self._shutdown()
            sock.close()
        return 0

    def _shutdown(self) -> None:
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                self.children.pop(pid, None)
        end = time.monotonic() + GRACE_SECONDS
        while self.children and time.monotonic() < end:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.1)
                continue
            self.children.pop(pid, None)
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.children.pop(pid, None)


def _balanced_server(config: Any, counts: ConnectionCounts, index: int) -> Any:
    """A uvicorn server whose connections on the shared socket are accepted by a
    :class:`_Balancer` instead of the event loop's own server."""
    import functools

    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=[])  # the app's lifespan; no listener
            assert sockets
            balancer: _Balancer | None = None

            class Counted(self.config.http_protocol_class):  # type: ignore[name-defined,misc]
                def connection_lost(self, exc: Exception | None) -> None:
                    super().connection_lost(exc)
                    if balancer is not None:
                        balancer.refresh()

            factory = functools.partial(
                Counted,
                config=self.config,
                server_state=self.server_state,
                app_state=self.lifespan.state,
            )
            balancer = _Balancer(
                sockets[0], counts, index, factory, self.server_state.connections, self.config.ssl
            )
            self.servers.append(balancer)  # type: ignore[arg-type]
            balancer.start()

    return Server(config)


def _run_web(
    case: Case,
    opts: ServeOptions,
    sock: socket.socket,
    counts: ConnectionCounts | None = None,
    index: int = 0,
) -> None:
    import uvicorn

    from dalil.web import create_app

    app = create_app(
        case=case,
        allowed_hosts=opts.allowed_hosts,
        session_idle=opts.session_idle,
        session_max=opts.session_max,
        inline_jobs=False,  # the job worker processes (or `dalil jobs work`) run the jobs
    )
    # The objects made so far (modules, the app and its routes, the case's tables: some
    # 400,000 once warm) live as long as the worker: the collector need not scan them.
    # A full collection over them took about a second of a loaded worker (in process,
    # 100,000 persons on PostgreSQL), stalling every request in flight; frozen, 0.5 ms.
    gc.freeze()
    extra: dict[str, Any] = {}
    if opts.forwarded_allow_ips:
        extra["forwarded_allow_ips"] = opts.forwarded_allow_ips
    config = uvicorn.Config(
        app,
        ssl_certfile=opts.tls_cert,
        ssl_keyfile=opts.tls_key,
        log_level="warning",
        access_log=False,
        server_header=False,
        proxy_headers=opts.proxy_headers,
        **extra,
    )
    server = uvicorn.Server(config) if counts is None else _balanced_server(config, counts, index)
    server.run(sockets=[sock])


def _run_jobs(case: Case) -> None:
    import threading

    from dalil.services import jobs

    stop = threading.Event()

    def _stop(_sig: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    jobs.Worker(case).run(stop)


def serve(case: Case, opts: ServeOptions, log: Any = None) -> int:
    """Run the supervisor until SIGTERM/SIGINT (see the module docstring)."""
    if sys.platform == "win32":  # pragma: no cover
        raise OSError("dalil serve needs a POSIX system (fork)")
    return Supervisor(case, opts, log).run()
