"""Parse untrusted files in a bounded worker process.

A hostile document can make a parser spin (a 4 KB PDF took 21 s), swell (a 62 KB DOCX
reached 451 MB) or explode into output (a 68 KB XLSX into 200,000 rows). Parsed in the
server's own process, one such file froze every other request. :func:`run` parses in a
separate process instead, with three limits the operating system enforces on it:

* processor time (``RLIMIT_CPU``), :attr:`Limits.cpu_seconds`;
* memory (``RLIMIT_AS``, the address space), :attr:`Limits.memory_bytes`;
* output size, :attr:`Limits.output_bytes` (checked before anything is sent back),

plus a wall-clock deadline. A file over a limit is refused with a one-line
:class:`~dalil.errors.InputError` naming the limit; the caller's process only waits on a
pipe meanwhile, so a web server keeps answering other requests. The result comes back as
JSON (never pickle: the worker handles hostile input and is not trusted with code).
Nothing of the document is logged: the worker's stderr is discarded.

The worker is ``python -m dalil.sources.bounded`` (a new interpreter: nothing of the
caller's state, threads or locks); *target* names the function it runs
(``"module:function"``, taking ``(data: bytes, name: str)`` and returning JSON-able data).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass
from typing import Any

from dalil.display.messages import N_, Message, decode, encode
from dalil.errors import InputError


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 20
    memory_bytes: int = 1536 * 1024 * 1024
    output_bytes: int = 96 * 1024 * 1024
    wall_seconds: float = 90.0


#: The limits for one document or list (override per call).
DEFAULT_LIMITS = Limits()

_MB = 1024 * 1024


def _size(n: int) -> str:
    return f"{n // _MB} MB" if n >= _MB else f"{n // 1024} KB"


def _refusal(name: str, kind: str, limits: Limits) -> InputError:
    if kind == "cpu":
        why = Message(
            N_("reading it needed more than %(seconds)s s of processor time (the limit)"),
            seconds=str(limits.cpu_seconds),
        )
    elif kind == "memory":
        why = Message(
            N_("reading it needed more than %(size)s of memory (the limit)"),
            size=_size(limits.memory_bytes),
        )
    elif kind == "output":
        why = Message(
            N_("what it expands to is larger than %(size)s (the limit)"),
            size=_size(limits.output_bytes),
        )
    elif kind == "wall":
        why = Message(
            N_("reading it took longer than %(seconds)s s (the limit)"),
            seconds=f"{limits.wall_seconds:g}",
        )
    else:
        why = Message(N_("the reader stopped unexpectedly"))
    return InputError(Message(N_("%(file)s: refused: %(why)s"), file=name, why=why))


def _reply_error(reply: dict[str, Any]) -> InputError:
    """The refusal the worker sent: its message id when it had one, else its words."""
    words = decode(reply.get("words")) if isinstance(reply.get("words"), str) else None
    return InputError(words if words is not None else str(reply["error"]))


def run(target: str, data: bytes, name: str, *, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Run *target* on (*data*, *name*) in a bounded worker; return its JSON result.

    Raises :class:`InputError` for what *target* refuses (its own one-line message) and
    for a file over a limit (the message names the limit)."""
    header = json.dumps({"target": target, "name": name, "limits": asdict(limits)}).encode()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "dalil.sources.bounded"],
            input=header + b"\n" + data,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # may quote the document: never kept
            timeout=limits.wall_seconds,
            env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _refusal(name, "wall", limits) from None
    rc = proc.returncode
    if len(proc.stdout) > limits.output_bytes + 4096:
        raise _refusal(name, "output", limits)
    try:
        reply = json.loads(proc.stdout) if proc.stdout else None
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        if rc in (-signal.SIGXCPU, -signal.SIGKILL):
            raise _refusal(name, "cpu", limits)
        raise _refusal(name, "memory", limits)  # killed or aborted while allocating
    if "limit" in reply:
        raise _refusal(name, str(reply["limit"]), limits)
    if "error" in reply:
        raise _reply_error(reply)
    return reply.get("result")


def _peak_memory() -> int:
    """The worker's peak address-space size in bytes (what ``RLIMIT_AS`` bounds)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _child() -> None:  # pragma: no cover - runs in the worker process
    import importlib
    import resource

    raw = sys.stdin.buffer.read()
    head, _, data = raw.partition(b"\n")
    del raw
    req = json.loads(head)
    lim = Limits(**req["limits"])
    name = str(req["name"])
    cpu = max(1, int(lim.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (lim.memory_bytes, lim.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        mod, _, fn = str(req["target"]).partition(":")
        result = getattr(importlib.import_module(mod), fn)(data, name)
        del data
        encoded = json.dumps({"result": result}, ensure_ascii=False).encode("utf-8")
        if len(encoded) > lim.output_bytes:
            encoded = b'{"limit": "output"}'
    except MemoryError:
        encoded = b'{"limit": "memory"}'
    except RecursionError:
        deep = Message(
            N_("%(file)s: refused: %(why)s"), file=name, why=Message(N_("nested too deeply"))
        )
        encoded = json.dumps({"error": str(deep), "words": encode(deep)}).encode()
    except Exception as e:
        # Parsers in C (lxml, zlib) report a failed allocation as their own error (lxml:
        # "unknown error"): a reader that came close to the memory limit hit it.
        if _peak_memory() >= lim.memory_bytes // 2:
            encoded = b'{"limit": "memory"}'
        elif isinstance(e, InputError):
            reply: dict[str, str] = {"error": str(e)}
            if e.words is not None:
                reply["words"] = encode(e.words)
            encoded = json.dumps(reply).encode()
        else:
            fault = Message(
                N_("%(file)s: could not be read (%(fault)s)"), file=name, fault=type(e).__name__
            )
            encoded = json.dumps({"error": str(fault), "words": encode(fault)}).encode()
    sys.stdout.buffer.write(encoded)
    sys.stdout.buffer.flush()


if __name__ == "__main__":  # pragma: no cover
    _child()
