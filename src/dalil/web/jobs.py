"""Long operations run in a background thread with progress the browser can follow.

Only linkage runs use it today. A job keeps its progress messages (the service's own,
which name steps, never records), its result summary or a one-line error. Jobs live in
the server's memory; one linkage run at a time.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dalil.errors import Conflict, DalilError, NotFound


@dataclass
class Job:
    id: str
    kind: str
    owner: str
    state: str = "running"  # running | done | failed
    messages: list[str] = field(default_factory=list)
    result: dict[str, Any] | None = None
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None
    exception: DalilError | None = None
    done_event: threading.Event = field(default_factory=threading.Event)

    def wait(self, seconds: float) -> bool:
        return self.done_event.wait(seconds)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "owner": self.owner,
            "state": self.state,
            "messages": list(self.messages),
            "result": self.result,
            "error": self.error,
            "seconds": round((self.finished or time.time()) - self.started, 1),
        }


class JobRegistry:
    def __init__(self, keep: int = 50) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self.keep = keep

    def start(self, kind: str, owner: str, work: Callable[[Callable[[str], None]], Any]) -> Job:
        with self._lock:
            if any(j.kind == kind and j.state == "running" for j in self._jobs.values()):
                raise Conflict(f"a {kind} run is already in progress; wait for it to finish")
            job = Job(id=secrets.token_urlsafe(12), kind=kind, owner=owner)
            self._jobs[job.id] = job
            done = sorted(
                (j for j in self._jobs.values() if j.state != "running"), key=lambda j: j.started
            )
            for old in done[: max(0, len(self._jobs) - self.keep)]:
                del self._jobs[old.id]

        def say(msg: str) -> None:
            job.messages.append(" ".join(str(msg).split())[:200])

        def run() -> None:
            try:
                result = work(say)
                job.result = result if isinstance(result, dict) else {"result": result}
                job.state = "done"
            except DalilError as e:
                job.error, job.state, job.exception = e.message, "failed", e
            except Exception as e:  # a fault: name its type only (messages may hold data)
                job.error, job.state = f"internal error ({type(e).__name__})", "failed"
            finally:
                job.finished = time.time()
                job.done_event.set()

        threading.Thread(target=run, name=f"dalil-{kind}-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFound("no such job (jobs are kept in memory until the server restarts)")
        return job
