"""Jobs: queue long work as the signed-in user, follow it, cancel it, fetch its files.

Long work never runs inside a request: a handler queues a job (the service checks the
kind's permission at once) and the page follows it. Job worker processes run the jobs
(``dalil serve`` starts them); where none runs (tests, an app embedded elsewhere), an
:class:`InlineJobRunner` thread of this process does, started when a job is queued here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from fastapi.responses import StreamingResponse
from markupsafe import Markup, escape

from dalil.display.jsonout import jsonable
from dalil.display.messages import in_words
from dalil.services import jobs
from dalil.web.context import Ctx

_log = logging.getLogger("dalil.web.jobs")


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
            except Exception as e:  # the case was closed, or the database went away
                # its type only (messages may hold data); the next poke starts a new thread
                _log.warning("inline job runner stopped (%s)", type(e).__name__)
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
    """The job, its log lines and error in words in the reader's language (``messages``:
    the log's words, followed by the page's script)."""
    with ctx.act(write=False) as sc:
        d = dict(jsonable(jobs.get(sc, job_id)))
    if d.get("state") == "queued":
        # queued elsewhere (the CLI, another app on the case) or left by a runner thread
        # that stopped on an error: the page that follows it wakes this app's runner
        poke(ctx)
    for line in d.get("log", []):
        if line.get("message_id"):
            line["message"] = in_words(line["message_id"], line.get("params"), ctx.lang)
    err = d.get("error_message")
    if err:
        d["error"] = in_words(err["id"], err.get("params"), ctx.lang)
    result = d.get("result")
    if isinstance(result, dict):
        # a result's reason kept as a message id (``text_error_message``: the source
        # text job's; ``notes_message``: a report's notes, one per note): their words in
        # the reader's language
        for key in [k for k in result if k.endswith("_message")]:
            said, base = result[key], key.removesuffix("_message")
            if isinstance(said, dict) and said.get("id") and base in result:
                result[base] = in_words(str(said["id"]), said.get("params"), ctx.lang)
            elif (
                isinstance(said, list)
                and isinstance(result.get(base), list)
                and len(said) == len(result[base])
            ):
                result[base] = [
                    in_words(str(m["id"]), m.get("params"), ctx.lang)
                    if isinstance(m, dict) and m.get("id")
                    else old
                    for m, old in zip(said, result[base], strict=True)
                ]
    d["messages"] = [line["message"] for line in d.get("log", [])]
    return d


def _bdi(text: str) -> str:
    return str(Markup('<bdi dir="auto">{}</bdi>').format(text))


def _escape(text: str) -> str:
    return str(escape(text))


def as_html(message_id: str | None, params: dict[str, Any] | None, lang: str) -> Markup:
    """A job's log line or error in words for a page: names, file names and other text
    in it isolated in ``<bdi dir="auto">`` (they keep their own direction)."""
    return Markup(in_words(message_id, params, lang, data=_bdi, escape=_escape))


def capture_summary(
    ctx: Ctx, result: dict[str, Any]
) -> tuple[list[tuple[str, Markup]], list[Markup]]:
    """A capture job's result in words (:func:`dalil.web.capture_words.capture_view`),
    the records it made linked by their titles and file names (read through
    ``records.labels`` as the reader: a sensitive item's name stays hidden from a role
    that may not read it)."""
    from dalil.web.capture_words import capture_view, wanted
    from dalil.web.present import Labels, lookup

    ids = wanted(result)
    labels = Labels()
    if any(ids.values()):
        with ctx.act(write=False) as sc:
            labels = lookup(sc, ids, ctx.lang)
    return capture_view(result, labels.link, ctx.gettext.gettext)


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


def output_stream(ctx: Ctx, job_id: int, name: str) -> tuple[dict[str, Any], Iterator[bytes]]:
    """A job's output file: metadata and its content chunk by chunk
    (``jobs.output_stream``: checked and logged before any byte is sent)."""
    with ctx.act(write=True) as sc:
        return jobs.output_stream(sc, job_id, name)


def download(ctx: Ctx, job_id: int, name: str) -> StreamingResponse:
    """The download of a job's output file, streamed with bounded memory: the vault's
    chunks are decrypted and sent one by one (``Content-Length`` and ``Repr-Digest`` let
    the receiver check it arrived whole and unaltered)."""
    from urllib.parse import quote

    from dalil.web.handlers.evidence import digest_headers

    meta, chunks = output_stream(ctx, job_id, name)
    return StreamingResponse(
        chunks,
        media_type=meta["media_type"],
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(meta['name'])}",
            "X-Content-SHA256": meta["sha256"],
            **digest_headers(meta),
        },
    )
