"""``dalil serve``: a supervisor process, N web worker processes and M job workers.

The supervisor unlocks the case once (the passphrase is never handed to a child: the
children are forked after unlocking and inherit the unlocked keys), binds the listening
socket, and forks:

* **web workers** — each runs uvicorn on the shared socket (the kernel spreads
  connections between them); every request may land on any of them, which is why
  sessions, login throttling and jobs live in the case database;
* **job workers** — each runs :class:`dalil.services.jobs.Worker` (long work never runs
  inside a request).

A child that dies (a crash, the OOM killer, a SIGKILL) is started again after a short
pause (longer if it keeps dying). SIGTERM or SIGINT to the supervisor stops the children
(SIGTERM, then SIGKILL after a grace period) and exits.

SQLite serves several workers correctly but one write at a time (writers queue on the
database lock); PostgreSQL lets writes of different workers proceed together.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dalil.services.kernel import Case

GRACE_SECONDS = 10.0


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
        pid = os.fork()
        if pid == 0:  # child
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor handles Ctrl-C
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                # Connections opened by the supervisor must not be shared across processes.
                self.case.engine.dispose(close=False)
                if role == "web":
                    _run_web(self.case, self.opts, sock)
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


def _run_web(case: Case, opts: ServeOptions, sock: socket.socket) -> None:
    import uvicorn

    from dalil.web import create_app

    app = create_app(
        case=case,
        allowed_hosts=opts.allowed_hosts,
        session_idle=opts.session_idle,
        session_max=opts.session_max,
        inline_jobs=False,  # the job worker processes (or `dalil jobs work`) run the jobs
    )
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
    server = uvicorn.Server(config)
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
