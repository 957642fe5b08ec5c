"""Run an external tool (Tesseract, pdftoppm, ExifTool, ffprobe, ffmpeg) on untrusted
content, bounded: no shell; input on standard input; a wall-clock timeout; CPU-time,
address-space and *file-size* limits in the child (``RLIMIT_FSIZE`` 0: the tool can write
no file, so no plaintext copy of evidence lands on disk through it); standard error
discarded (it may quote the document); standard output read up to a size limit. The
tool and its children run in their own process group, killed together on any limit.
Errors are :class:`dalil.errors.InputError` naming the step, never the content."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable

from dalil.errors import InputError

#: Defaults of one run (callers pass their own where the tool needs more).
TIMEOUT_S = 300
MEMORY_BYTES = 2 * 1024**3
MAX_OUTPUT = 64 * 1024**2


class ToolFailed(InputError):
    """The tool ran and exited with a code the caller does not accept."""


def _limits(cpu_s: int, memory: int) -> Callable[[], None]:
    def apply() -> None:  # in the child, before exec
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    return apply


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def run_tool(
    args: list[str],
    data: bytes,
    what: str,
    *,
    timeout: float = TIMEOUT_S,
    memory: int = MEMORY_BYTES,
    max_output: int = MAX_OUTPUT,
    env: dict[str, str] | None = None,
    ok_codes: tuple[int, ...] = (0,),
) -> bytes:
    """Standard output of ``args`` fed *data*; :class:`InputError` when the tool is
    missing, exits with a code outside *ok_codes*, runs past *timeout* seconds or
    writes more than *max_output* bytes."""
    exe = shutil.which(args[0])
    if exe is None:
        raise InputError(f"{args[0]} is not installed (needed to {what}); see the README setup")
    base_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}
    proc = subprocess.Popen(
        [exe, *args[1:]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=_limits(max(1, int(timeout)), memory),
        env={**base_env, **(env or {})},
        start_new_session=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout
    out = bytearray()
    too_big = threading.Event()

    def feed() -> None:
        try:
            stdin.write(data)
        except OSError:  # the tool stopped reading (done, or killed)
            pass
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def drain() -> None:
        while True:
            chunk = stdout.read(1 << 16)
            if not chunk:
                return
            if len(out) + len(chunk) > max_output:
                too_big.set()
                _kill(proc)
                return
            out.extend(chunk)

    threads = [
        threading.Thread(target=feed, daemon=True),
        threading.Thread(target=drain, daemon=True),
    ]
    for t in threads:
        t.start()
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.wait()
        raise InputError(f"{what}: took longer than {timeout:g} s; stopped") from None
    finally:
        for t in threads:
            t.join(timeout=5)
        stdout.close()
    if too_big.is_set():
        raise InputError(f"{what}: output larger than {max_output // 1024**2} MB; stopped")
    if code not in ok_codes:
        raise ToolFailed(f"{what}: {args[0]} failed (exit {code})")
    return bytes(out)
