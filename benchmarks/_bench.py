"""What several benchmarks share (not a benchmark itself): a throw-away case in a temp
folder, a real ``dalil serve`` on a free loopback port, and the resident memory of its
processes read from ``/proc``.

A benchmark run as ``python benchmarks/NAME.py`` imports it as ``_bench`` (the script's
folder is first on ``sys.path``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from dalil.core.case import Case

PASS = "fictional benchmark passphrase"


def throwaway_kdf() -> None:
    """A fast key derivation: the case is made and deleted by the benchmark."""
    os.environ.setdefault("DALIL_KDF_PROFILE", "test")
    os.environ.setdefault("DALIL_WEAK_KDF_OK", "1")


@contextmanager
def scratch_case(prefix: str, folder: str | None = None) -> Iterator[tuple[Case, Path]]:
    """A new SQLite case ``WORK/case`` (admin ``admin``) in a temp folder WORK, and WORK;
    the folder is deleted afterwards (the case is closed first if the caller did not)."""
    throwaway_kdf()
    from dalil.core.case import Case

    work = Path(tempfile.mkdtemp(prefix=prefix, dir=folder))
    case = None
    try:
        case = Case.init(work / "case", PASS, admin="admin")
        yield case, work
    finally:
        if case is not None:
            case.close()
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def served(case_dir: Path, *options: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``dalil serve CASE_DIR OPTIONS`` on a free loopback port, once it answers: the
    supervisor process and the server's base URL. Stopped (SIGTERM) afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dalil = Path(sys.executable).parent / "dalil"
    proc = subprocess.Popen(
        [str(dalil), "serve", str(case_dir), "--port", str(port), *options],
        env={**os.environ, "DALIL_PASSPHRASE": PASS},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=10) as client:
            for _ in range(300):
                try:
                    client.get(f"{base}/login")
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
        yield proc, base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _status_mb(pid: int, field: str) -> float:
    """*field* of ``/proc/PID/status`` (VmRSS: resident now; VmHWM: its peak) in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    """The processes below *pid* (children, their children, ...)."""
    out: list[int] = []
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for k in map(int, kids):
        out += [k, *descendants(k)]
    return out


def peaks(pid: int) -> dict[int, float]:
    """Peak resident memory (VmHWM, MB) of the supervisor *pid* and each of its
    processes: ``dalil serve`` is a supervisor that forks the web workers, which answer
    the requests."""
    return {p: _status_mb(p, "VmHWM") for p in [pid, *descendants(pid)]}


def worker_peaks(pid: int) -> dict[int, float]:
    """Peak resident memory (VmHWM, MB) of each process below the supervisor *pid*
    (its web workers, and its job workers unless started with ``--job-workers 0``)."""
    return {p: _status_mb(p, "VmHWM") for p in descendants(pid)}


def worker_rss(pid: int) -> dict[int, float]:
    """Resident memory now (VmRSS, MB) of each process below the supervisor *pid*."""
    return {p: _status_mb(p, "VmRSS") for p in descendants(pid)}


def rise(before: dict[int, float], after: dict[int, float]) -> float:
    """How far the peak of the process that did the work rose (the largest rise of any
    of the processes)."""
    return max(after[p] - before.get(p, 0.0) for p in after)
