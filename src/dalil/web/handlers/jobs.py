"""Jobs: queue long work as the signed-in user, follow it, cancel it, fetch its files.

Long work never runs inside a request: a handler queues a job (the service checks the
kind's permission at once) and the page follows it. Job worker processes run the jobs
(``dalil serve`` starts them); where none runs (tests, an app embedded elsewhere), an
:class:`InlineJobRunner` thread of this process does, started when a job is queued here.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from dalil.display.jsonout import jsonable
from dalil.services import jobs
from dalil.web.context import Ctx


class InlineJobRunner:
    """Runs queued jobs in a background thread, started when a job is submitted through
    this app and ending once the queue has been empty for a few seconds."""

    def __init__(self, case: Any, idle_seconds: float = 3.0) -> None:
        self.case = case
        self.idle_seconds = idle_seconds
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._poked = threading.Event()

    def poke(self) -> None:
        self._poked.set()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="dalil-inline-jobs", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        worker = jobs.Worker(self.case, poll_seconds=0.2)
        idle_since = time.monotonic()
        while True:
            self._poked.clear()
            try:
                ran = worker.run_once()
            except Exception:  # the case was closed, or the database went away
                return
            if ran:
                idle_since = time.monotonic()
                continue
            if time.monotonic() - idle_since > self.idle_seconds:
                with self._lock:
                    if not self._poked.is_set():
                        self._thread = None
                        return
            self._poked.wait(0.2)


def submit(
    ctx: Ctx,
    kind: str,
    params: dict[str, Any] | None = None,
    files: dict[str, tuple[bytes, str]] | None = None,
) -> dict[str, Any]:
    with ctx.act(write=True) as sc:
        row = jobs.submit(sc, kind, params or {}, files=files)
    poke(ctx)
    return dict(row)


def poke(ctx: Ctx) -> None:
    """Wake this app's inline job runner (when it has one) for a job just queued."""
    runner = getattr(ctx.request.app.state, "job_runner", None)
    if runner is not None:
        runner.poke()


def get(ctx: Ctx, job_id: int) -> dict[str, Any]:
    with ctx.act(write=False) as sc:
        d = dict(jsonable(jobs.get(sc, job_id)))
    d["messages"] = [line["message"] for line in d.get("log", [])]
    return d


def staleness(ctx: Ctx, job: dict[str, Any]) -> dict[str, int]:
    """Persons, lists and list records retracted and restored since a linkage or
    estimate job read the case (its start): not 0, the result predates them."""
    from dalil.services import retractions

    with ctx.act(write=False) as sc:
        return retractions.changed_since(sc, job.get("started") or job.get("finished"))


def list_jobs(ctx: Ctx, **filters: Any) -> list[dict[str, Any]]:
    with ctx.act(write=False) as sc:
        return list(jobs.list_jobs(sc, **filters))


def cancel(ctx: Ctx, job_id: int) -> dict[str, Any]:
    with ctx.act(write=True) as sc:
        return dict(jobs.cancel(sc, job_id))


def output_file(ctx: Ctx, job_id: int, name: str) -> tuple[bytes, dict[str, Any]]:
    with ctx.act(write=True) as sc:
        return jobs.output_file(sc, job_id, name)
