"""The durable job queue: long work runs as jobs from the case database, never in a request.

For a capability that has long work (linkage, LCMCR, PDF reports, BagIt exports, fixity,
vetting, OCR, media processing):

    from dalil.services import jobs

    @jobs.job_kind("fixity", permission=access.FIXITY_RUN, title="Fixity check")
    def run_fixity(job: jobs.JobContext, params: dict, progress: jobs.Progress) -> dict:
        with job.act() as ctx:                       # a transaction as the job's owner
            ...
        progress("checked 10 of 200 blobs", fraction=0.05)   # log line + heartbeat
        return {"checked": 200}                      # the result (JSON; stored encrypted)

    # from a service, a CLI command or a web handler (one door):
    row = jobs.submit(ctx, "fixity", {"limit": 10})          # checks the kind's permission
    jobs.get(ctx, row["id"]); jobs.list_jobs(ctx); jobs.cancel(ctx, row["id"])

A kind's module must be listed in :data:`KIND_MODULES` so every worker process knows it.

**How jobs are claimed.** A worker (``dalil jobs work``, or the job workers ``dalil serve``
starts) takes the oldest queued job in one short write transaction: on PostgreSQL
``SELECT … FOR UPDATE SKIP LOCKED`` (workers never wait for one another), on SQLite under
the ``BEGIN IMMEDIATE`` lock every dalil write takes. The claim sets ``state='running'``,
the worker's id and a lease; a heartbeat thread renews the lease while the function runs.
A job whose lease ran out (its worker was killed, its machine stopped) is put back in the
queue and retried, up to ``max_attempts``; a worker on the same case folder that died is
noticed at once through its lock file (``run/workers/<id>.lock``, held with ``flock`` for
the worker's life). Jobs with the same ``lock_key`` (e.g. every linkage run) never run at
the same time: a partial unique index allows one running job per key. A worker that lost
its lease (the job was given to another) stops at its next ``progress`` call and its
result is discarded, so a job's result is written once.

**What a job function must bear.** It runs as its owner (``job.act()`` checks the same
permissions as any request). Its own transactions commit as they go, so a job retried
after its worker died runs again from the start: write it so that running it twice gives
the same outcome (replace results rather than add to them). Parameters and results are
encrypted in the database; log lines are stored in clear, so they name steps and counts,
never a record's content. A log line is a message id and its parameters
(:class:`dalil.display.messages.Message`, stored as JSON) put into words when shown, in
the reader's language: ``progress(N_("checked %(done)s of %(total)s items"), done=3,
total=9)``. A :class:`~dalil.errors.DalilError` fails the job with its message (no retry;
translated when it was raised with a Message); any other exception fails it as an
internal error, in words, its type name in the server's log only.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from dalil.core import access
from dalil.core.context import oid
from dalil.display.messages import N_, Message, as_json, encode, render
from dalil.errors import Conflict, DalilError, InputError, NotFound, PermissionDenied
from dalil.model.common import as_utc
from dalil.model.job import FINISHED_STATES, JOB_STATES, Job, JobFile, JobLog

if TYPE_CHECKING:
    from dalil.core.case import Case
    from dalil.core.context import Context

#: Modules that register job kinds (imported by every worker). Add yours here.
KIND_MODULES: list[str] = ["dalil.services.job_kinds", "dalil.services.ocr"]

#: Seconds a claimed job stays leased without a heartbeat ($DALIL_JOB_LEASE).
DEFAULT_LEASE = float(os.environ.get("DALIL_JOB_LEASE", "60"))
#: Longest log line kept, and most log lines kept per job.
LOG_LINE_MAX = 300
LOG_LINES_MAX = 2_000
#: Largest input or output file of a job.
FILE_MAX = 64 * 1024 * 1024

JobResult = dict[str, Any] | None
_log_server = logging.getLogger(__name__)


class JobCancelled(Exception):
    """Raised by :class:`Progress` when the job's cancellation was asked for."""


class LeaseLost(Exception):
    """Raised by :class:`Progress` when this worker no longer holds the job."""


@dataclass(frozen=True)
class JobKind:
    name: str
    fn: Callable[[JobContext, dict[str, Any], Progress], JobResult]
    permission: str
    title: str
    exclusive: bool = False
    max_attempts: int = 3


_KINDS: dict[str, JobKind] = {}
_loaded = False


def job_kind(
    name: str,
    *,
    permission: str,
    title: str,
    exclusive: bool = False,
    max_attempts: int = 3,
) -> Callable[
    [Callable[[JobContext, dict[str, Any], Progress], JobResult]],
    Callable[[JobContext, dict[str, Any], Progress], JobResult],
]:
    """Register a job kind. *permission* is checked when a job is submitted (and the
    function's own service calls check theirs again as the owner). *exclusive*: at most
    one job of this kind runs at a time (queued ones wait)."""
    if permission not in access.ALL_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def deco(
        fn: Callable[[JobContext, dict[str, Any], Progress], JobResult],
    ) -> Callable[[JobContext, dict[str, Any], Progress], JobResult]:
        _KINDS[name] = JobKind(name, fn, permission, title, exclusive, max_attempts)
        return fn

    return deco


def kinds() -> dict[str, JobKind]:
    """Every registered kind (importing :data:`KIND_MODULES` the first time)."""
    global _loaded
    if not _loaded:
        extra = [m.strip() for m in os.environ.get("DALIL_JOB_MODULES", "").split(",")]
        for mod in KIND_MODULES + [m for m in extra if m]:
            importlib.import_module(mod)
        _loaded = True
    return dict(_KINDS)


def _kind(name: str) -> JobKind:
    k = kinds().get(name)
    if k is None:
        raise InputError(
            Message(
                N_("unknown job kind %(kind)s (known: %(choices)s)"),
                kind=repr(name),
                choices=str(", ".join(sorted(kinds()))),
            )
        )
    return k


def _now() -> datetime:
    return datetime.now(UTC)


def _one_line(message: object) -> str:
    return " ".join(str(message).split())[:LOG_LINE_MAX]


# --------------------------------------------------------------------------- service API


def submit(
    ctx: Context,
    kind: str,
    params: dict[str, Any] | None = None,
    *,
    files: dict[str, tuple[bytes, str]] | None = None,
    lock_key: str | None = None,
) -> dict[str, Any]:
    """Queue a job of *kind* with JSON *params* as the acting user; returns it as a dict.

    *files*: ``{name: (content, media_type)}`` inputs kept encrypted with the job (e.g.
    an uploaded personnel file), read by the function with ``job.input_file(name)``, and
    deleted once the job has finished (done, failed or cancelled).
    *lock_key* overrides the kind's (exclusive kinds use the kind name).
    Audited as ``job.submit`` (kind and job id; never the parameters)."""
    k = _kind(kind)
    ctx.require(k.permission, f"run a {k.title.lower()} job")
    params = dict(params or {})
    try:
        text = json.dumps(params, ensure_ascii=False, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise InputError(
            Message(N_("job parameters must be JSON (%(fault)s)"), fault=str(type(e).__name__))
        ) from None
    job = Job(
        kind=kind,
        owner=ctx.actor.name,
        state="queued",
        params_enc=ctx.keys.encrypt_field(text, "job.params"),
        attempts=0,
        max_attempts=k.max_attempts,
        lock_key=lock_key or (kind if k.exclusive else None),
        cancel_requested=False,
        created_at=_now(),
    )
    ctx.session.add(job)
    ctx.session.flush()
    for name, (content, media_type) in (files or {}).items():
        _add_file(ctx, job.id, "input", name, content, media_type)
    _log(ctx.session, job.id, Message(N_("queued by %(user)s"), user=ctx.actor.name))
    ctx.audit("job.submit", [oid("job", job.id)], detail={"kind": kind})
    return _to_dict(job, with_result=False)


def _add_file(
    ctx_or_case: Any, job_id: int, role: str, name: str, content: bytes, media: str
) -> JobFile:
    keys = ctx_or_case.keys
    session = ctx_or_case.session
    if len(content) > FILE_MAX:
        raise InputError(
            Message(
                N_("%(file)s: larger than %(max)s MiB"),
                file=name,
                max=str(FILE_MAX // (1024 * 1024)),
            )
        )
    name = _one_line(name)[:200] or "file"
    row = JobFile(
        job_id=job_id,
        role=role,
        name=name,
        media_type=media[:100],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content_enc=keys.encrypt_bytes(content, f"job:{job_id}:{role}:{name}"),
    )
    session.add(row)
    session.flush()
    return row


def _may_see_result(ctx: Context, job: Job) -> bool:
    if job.owner == ctx.actor.name or ctx.can(access.USER_MANAGE):
        return True
    k = kinds().get(job.kind)
    return k is not None and ctx.can(k.permission)


def _load(ctx: Context, job_id: int) -> Job:
    ctx.require(access.CASE_READ)
    # Ids are 64-bit in the database: a larger number is no job (not a driver overflow).
    job = ctx.session.get(Job, int(job_id)) if 0 < int(job_id) < 2**63 else None
    if job is None:
        raise NotFound(Message(N_("no job with id %(job_id)s"), job_id=str(job_id)))
    return job


def get(ctx: Context, job_id: int, *, log_lines: int = 200) -> dict[str, Any]:
    """One job: state, progress, its log (the last *log_lines* lines), and its result and
    files when the acting user may see them (the owner, an admin, or a role allowed to
    run that kind)."""
    job = _load(ctx, job_id)
    d = _to_dict(job, with_result=False)
    rows = ctx.session.scalars(
        select(JobLog).where(JobLog.job_id == job.id).order_by(JobLog.id.desc()).limit(log_lines)
    ).all()
    d["log"] = [_line(r) for r in reversed(rows)]
    if _may_see_result(ctx, job):
        d["result"] = (
            json.loads(ctx.keys.decrypt_field(job.result_enc, "job.result"))
            if job.result_enc
            else None
        )
        d["files"] = [
            {
                "name": f.name,
                "role": f.role,
                "size": f.size,
                "sha256": f.sha256,
                "media_type": f.media_type,
            }
            for f in ctx.session.scalars(
                select(JobFile).where(JobFile.job_id == job.id).order_by(JobFile.id)
            )
        ]
    return d


def list_jobs(
    ctx: Context,
    *,
    state: str | None = None,
    owner: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Jobs, newest first (no results or files: see :func:`get`)."""
    ctx.require(access.CASE_READ)
    if state is not None and state not in JOB_STATES:
        raise InputError(
            Message(N_("state must be one of %(choices)s"), choices=str(", ".join(JOB_STATES)))
        )
    q = select(Job).order_by(Job.id.desc()).limit(max(1, min(limit, 500))).offset(max(0, offset))
    if state:
        q = q.where(Job.state == state)
    if owner:
        q = q.where(Job.owner == owner)
    if kind:
        q = q.where(Job.kind == kind)
    return [_to_dict(j, with_result=False) for j in ctx.session.scalars(q)]


def cancel(ctx: Context, job_id: int) -> dict[str, Any]:
    """Cancel a job: a queued one at once; a running one at its next progress report.
    The owner or an admin (``user.manage``) may. Audited ``job.cancel``."""
    job = _load(ctx, job_id)
    if job.owner != ctx.actor.name:
        ctx.require(access.USER_MANAGE, "cancel another user's job")
    if job.state in FINISHED_STATES:
        raise Conflict(
            Message(
                N_("job %(id)s has already finished (%(state)s)"),
                id=str(job.id),
                state=str(job.state),
            )
        )
    if job.state == "queued":
        job.state = "cancelled"
        job.finished_at = _now()
        _drop_inputs(ctx.session, job.id)
        _log(
            ctx.session,
            job.id,
            Message(N_("cancelled by %(user)s before it started"), user=ctx.actor.name),
        )
    else:
        job.cancel_requested = True
        _log(
            ctx.session, job.id, Message(N_("cancellation asked by %(user)s"), user=ctx.actor.name)
        )
    ctx.audit("job.cancel", [oid("job", job.id)], detail={"kind": job.kind, "state": job.state})
    ctx.session.flush()
    return _to_dict(job, with_result=False)


def output_stream(ctx: Context, job_id: int, name: str) -> tuple[dict[str, Any], Iterator[bytes]]:
    """An output file of a finished job (for its owner, an admin or a role allowed to run
    that kind): its metadata and an iterator over its content, decrypted chunk by chunk
    from the vault (memory bounded by one chunk whatever the size; each chunk is
    authenticated before it is given). An output of a job older than the vault-kept
    files is decrypted from its row, whole. Audited ``job.file_get`` with the file's
    SHA-256 before any byte is given."""
    job = _load(ctx, job_id)
    if not _may_see_result(ctx, job):
        ctx.require(access.USER_MANAGE, "read another user's job output")
    row = ctx.session.scalars(
        select(JobFile).where(
            JobFile.job_id == job.id, JobFile.role == "output", JobFile.name == name
        )
    ).first()
    if row is None:
        raise NotFound(
            Message(N_("job %(id)s has no output file %(file)s"), id=str(job.id), file=repr(name))
        )
    meta = {"name": row.name, "media_type": row.media_type, "sha256": row.sha256,
            "size": row.size}  # fmt: skip
    chunks: Iterator[bytes]
    if row.blob_sha256:
        chunks = ctx.case.blobs.open(row.blob_sha256)  # BlobMissing at once if absent
    else:
        assert row.content_enc is not None
        chunks = iter([ctx.keys.decrypt_bytes(row.content_enc, f"job:{job.id}:output:{row.name}")])
    ctx.audit("job.file_get", [oid("job", job.id)], detail={"file": row.name, "sha256": row.sha256})
    return meta, chunks


def output_file(ctx: Context, job_id: int, name: str) -> tuple[bytes, dict[str, Any]]:
    """An output file of a finished job, whole in memory (small files, tests): see
    :func:`output_stream`, which a download uses."""
    meta, chunks = output_stream(ctx, job_id, name)
    return b"".join(chunks), meta


def output_blobs(session: Any) -> list[str]:
    """SHA-256 of every job output file kept in the vault (backups and fixity count
    them as the case's blobs)."""
    return list(
        session.scalars(
            select(JobFile.blob_sha256)
            .where(JobFile.blob_sha256.is_not(None))
            .distinct()
            .order_by(JobFile.blob_sha256)
        )
    )


def wait(case: Case, job_id: int, timeout: float = 60.0, poll: float = 0.2) -> str:
    """Wait until job *job_id* has finished (or *timeout*); return its state (tests, CLI)."""
    end = time.monotonic() + timeout
    while True:
        with case.system_session(write=False) as s:
            state = s.scalar(select(Job.state).where(Job.id == job_id))
        if state is None:
            raise NotFound(Message(N_("no job with id %(job_id)s"), job_id=str(job_id)))
        if state in FINISHED_STATES or time.monotonic() >= end:
            return str(state)
        time.sleep(poll)


def _iso(ts: datetime | None) -> str | None:
    v = as_utc(ts)
    return v.isoformat().replace("+00:00", "Z") if v else None


def _line(row: JobLog) -> dict[str, Any]:
    """A log line: ``message`` in English words, ``message_id`` and ``params`` to put
    it in another language (None for a line of plain words written before)."""
    words = as_json(row.message)
    return {
        "ts": _iso(row.ts),
        "message": render(row.message),
        "message_id": words["id"] if words else None,
        "params": words["params"] if words else None,
    }


def _to_dict(job: Job, *, with_result: bool) -> dict[str, Any]:
    k = kinds().get(job.kind)
    return {
        "id": job.id,
        "kind": job.kind,
        "title": k.title if k else job.kind,
        "owner": job.owner,
        "state": job.state,
        "progress": job.progress,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "cancel_requested": bool(job.cancel_requested),
        "error": render(job.error) if job.error else None,
        "error_message": as_json(job.error),
        "created": _iso(job.created_at),
        "started": _iso(job.started_at),
        "finished": _iso(job.finished_at),
    }


def _drop_inputs(session: Any, job_id: int) -> None:
    """A finished job keeps no input file (an uploaded roster is for the run only)."""
    session.execute(delete(JobFile).where(JobFile.job_id == job_id, JobFile.role == "input"))


def _log(session: Any, job_id: int, message: str) -> None:
    session.add(JobLog(job_id=job_id, ts=_now(), message=encode(message)))


def _error_words(e: DalilError) -> Message:
    """The words a job fails with: the error's own message id, else by its kind."""
    if isinstance(e.words, Message):
        return e.words
    if isinstance(e, PermissionDenied):
        return Message(N_("the job's owner may not do this work (their role may have changed)"))
    return Message(N_("refused: %(detail)s"), detail=e.message)


#: The words of a fault of the program (its type name goes to the server's log only).
INTERNAL_ERROR = N_("an internal error stopped the job; the server's log names the fault")


# --------------------------------------------------------------------------- running jobs


@dataclass
class JobContext:
    """What a job function gets besides its parameters: the case, the job and its owner."""

    case: Case
    job_id: int
    owner: str
    attempt: int
    worker: Worker

    @contextmanager
    def act(self, *, write: bool = True) -> Iterator[Context]:
        """A transaction acting as the job's owner (permissions checked as usual)."""
        with self.case.act(self.owner, write=write) as ctx:
            yield ctx

    def input_file(self, name: str) -> bytes:
        with self.case.system_session(write=False) as s:
            row = s.scalars(
                select(JobFile).where(
                    JobFile.job_id == self.job_id, JobFile.role == "input", JobFile.name == name
                )
            ).first()
            if row is None or row.content_enc is None:
                raise NotFound(Message(N_("the job has no input file %(file)s"), file=repr(name)))
            return self.case.keys.decrypt_bytes(
                row.content_enc, f"job:{self.job_id}:input:{row.name}"
            )

    def save_output(self, name: str, content: bytes | Path, media_type: str) -> dict[str, Any]:
        """Keep an output file with the job: *content* (bytes, or a file read as it is
        stored, in bounded memory) becomes an encrypted blob of the vault, chunked as
        evidence is, and the job's row names it. Replaces one of the same name (a
        retried job writes it again)."""
        import io

        if isinstance(content, Path):
            put = self.case.blobs.put_path(content)
        else:
            put = self.case.blobs.put(io.BytesIO(content))
        with self.case.system_session() as s:
            self.worker._check_held(s, self.job_id)
            for old in s.scalars(
                select(JobFile).where(
                    JobFile.job_id == self.job_id, JobFile.role == "output", JobFile.name == name
                )
            ):
                s.delete(old)
            s.flush()
            row = JobFile(
                job_id=self.job_id,
                role="output",
                name=_one_line(name)[:200] or "file",
                media_type=media_type[:100],
                size=put.size,
                sha256=put.sha256,
                content_enc=None,
                blob_sha256=put.sha256,
            )
            s.add(row)
            s.flush()
            return {"name": row.name, "sha256": row.sha256, "size": row.size}


class Progress:
    """Called by a job function to report: ``progress("message", fraction=0.3)``.

    Each message becomes a log line (words, counts; never record contents). The call
    only records the report in memory; the worker's heartbeat thread writes it (with the
    lease renewal) about once a second, so a job function may report while it holds a
    long write transaction (on SQLite the write waits for it). Raises
    :class:`JobCancelled` when cancellation was asked for and :class:`LeaseLost` when
    another worker now holds the job: let them propagate."""

    def __init__(self, worker: Worker, job_id: int) -> None:
        self.worker: Any = worker
        self.job_id = job_id
        self.lines: list[str] = []
        self.fraction: float | None = None
        self.written = 0
        self._lock = threading.Lock()

    def __call__(
        self, message: str | None = None, fraction: float | None = None, **params: Any
    ) -> None:
        """*message*: a message id (marked ``N_``) filled with *params*, or a
        :class:`Message`; stored as the id and parameters, put into words when shown."""
        self.worker._raise_if_stopped(self.job_id)
        with self._lock:
            if fraction is not None:
                self.fraction = max(0.0, min(1.0, float(fraction)))
            if message is not None and self.written + len(self.lines) < LOG_LINES_MAX:
                msg = message if isinstance(message, Message) else Message(message, **params)
                self.lines.append(encode(msg))

    def take(self) -> tuple[list[str], float | None]:
        with self._lock:
            lines, self.lines = self.lines, []
            self.written += len(lines)
            return lines, self.fraction


class Worker:
    """Claims and runs jobs of one case. ``run(stop)`` loops until *stop* is set;
    ``run_once()`` runs at most one job and says whether it did."""

    def __init__(
        self,
        case: Case,
        *,
        lease_seconds: float | None = None,
        poll_seconds: float = 1.0,
        worker_id: str | None = None,
    ) -> None:
        self.case = case
        self.lease = float(lease_seconds or DEFAULT_LEASE)
        self.poll = poll_seconds
        self.id = worker_id or f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._stopped: dict[int, str] = {}  # job id -> "cancel" | "lost"
        self._lock_fd: int | None = None
        self._lock_path: Path | None = None
        kinds()

    # -- liveness -----------------------------------------------------------------------

    @property
    def workers_dir(self) -> Path:
        return self.case.root / "run" / "workers"

    def _lock_name(self, worker_id: str) -> Path:
        return self.workers_dir / (hashlib.sha256(worker_id.encode()).hexdigest()[:32] + ".lock")

    def start(self) -> None:
        """Hold this worker's lock file for its life (others see it die at once)."""
        if self._lock_fd is not None:
            return
        self.workers_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._lock_name(self.id)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self._lock_fd, self._lock_path = fd, path

    def stop(self) -> None:
        if self._lock_fd is not None:
            if self._lock_path is not None:
                self._lock_path.unlink(missing_ok=True)
            os.close(self._lock_fd)
            self._lock_fd = None

    def _liveness(self, worker_id: str) -> str:
        """``"alive"`` or ``"dead"`` for a worker of this case folder (its lock file is
        held, or free), ``"unknown"`` for one elsewhere (then only its lease tells)."""
        if worker_id == self.id:
            return "alive"
        path = self._lock_name(worker_id)
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            return "unknown"
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return "alive"
        else:
            path.unlink(missing_ok=True)
            return "dead"
        finally:
            os.close(fd)

    # -- claiming -----------------------------------------------------------------------

    def reap(self) -> int:
        """Put back (or fail) running jobs whose worker died or whose lease ran out."""
        now = _now()
        n = 0
        with self.case.system_session() as s:
            rows = s.execute(
                select(Job.id, Job.worker, Job.lease_until, Job.attempts, Job.max_attempts)
                .where(Job.state == "running")
                .with_for_update(skip_locked=True)
            ).all()
            for jid, wid, lease, attempts, max_attempts in rows:
                # A worker on this case folder is judged by its lock file (it may be
                # unable to renew its lease while its job holds the SQLite write lock);
                # one elsewhere by its lease.
                alive = self._liveness(wid) if wid else "unknown"
                expired = lease is None or as_utc(lease) < now
                if alive == "alive" or (alive == "unknown" and not expired):
                    continue
                n += 1
                if attempts >= max_attempts:
                    s.execute(
                        update(Job)
                        .where(Job.id == jid)
                        .values(
                            state="failed",
                            error=encode(
                                Message(
                                    N_("its worker stopped %(n)s times; not retried again"),
                                    n=attempts,
                                )
                            ),
                            finished_at=now,
                            worker=None,
                            lease_until=None,
                        )
                    )
                    _drop_inputs(s, jid)
                    _log(
                        s,
                        jid,
                        Message(
                            N_("worker stopped during attempt %(n)s; no attempts left"),
                            n=attempts,
                        ),
                    )
                else:
                    cancelled = s.scalar(select(Job.cancel_requested).where(Job.id == jid))
                    s.execute(
                        update(Job)
                        .where(Job.id == jid)
                        .values(
                            state="cancelled" if cancelled else "queued",
                            worker=None,
                            lease_until=None,
                            finished_at=now if cancelled else None,
                        )
                    )
                    if cancelled:
                        _drop_inputs(s, jid)
                    _log(
                        s,
                        jid,
                        Message(
                            N_("worker stopped during attempt %(n)s; cancelled as asked")
                            if cancelled
                            else N_("worker stopped during attempt %(n)s; queued again"),
                            n=attempts,
                        ),
                    )
        return n

    def claim(self) -> int | None:
        """Take the oldest queued job this worker can run; its id, or None."""
        self.reap()
        known = list(kinds())
        now = _now()
        for _ in range(5):
            try:
                with self.case.system_session() as s:
                    running_keys = (
                        select(Job.lock_key)
                        .where(Job.state == "running", Job.lock_key.is_not(None))
                        .scalar_subquery()
                    )
                    q = (
                        select(Job)
                        .where(
                            Job.state == "queued",
                            Job.kind.in_(known),
                            or_(Job.lock_key.is_(None), Job.lock_key.not_in(running_keys)),
                        )
                        .order_by(Job.id)
                        .limit(1)
                        .with_for_update(skip_locked=True)
                    )
                    job = s.scalars(q).first()
                    if job is None:
                        return None
                    job.state = "running"
                    job.worker = self.id
                    job.attempts = (job.attempts or 0) + 1
                    job.lease_until = now + timedelta(seconds=self.lease)
                    job.started_at = job.started_at or now
                    job.progress = None
                    _log(
                        s,
                        job.id,
                        Message(
                            N_("attempt %(n)s started (of at most %(max)s)"),
                            n=job.attempts,
                            max=job.max_attempts,
                        )
                        if job.attempts > 1
                        else Message(N_("attempt %(n)s started"), n=job.attempts),
                    )
                    s.flush()
                    return int(job.id)
            except IntegrityError:
                # Another worker started a job with the same lock key at the same time.
                time.sleep(0.05)
                continue
        return None

    def _check_held(self, session: Any, job_id: int) -> None:
        held = session.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.id == job_id, Job.worker == self.id, Job.state == "running")
        )
        if not held:
            self._stopped[job_id] = "lost"
            raise LeaseLost(f"job {job_id} is no longer held by this worker")

    def _raise_if_stopped(self, job_id: int) -> None:
        why = self._stopped.get(job_id)
        if why == "cancel":
            raise JobCancelled()
        if why == "lost":
            raise LeaseLost(f"job {job_id} is no longer held by this worker")

    def _beat(self, job_id: int, progress: Progress) -> bool:
        """Write pending progress, renew the lease, read the cancel flag. False when the
        job is no longer this worker's."""
        lines, fraction = progress.take()
        try:
            with self.case.system_session() as s:
                values: dict[str, Any] = {"lease_until": _now() + timedelta(seconds=self.lease)}
                if fraction is not None:
                    values["progress"] = fraction
                res = s.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.worker == self.id, Job.state == "running")
                    .values(**values)
                )
                if res.rowcount == 0:  # type: ignore[attr-defined]
                    self._stopped[job_id] = "lost"
                    return False
                for line in lines:
                    _log(s, job_id, line)
                if s.scalar(select(Job.cancel_requested).where(Job.id == job_id)):
                    self._stopped.setdefault(job_id, "cancel")
        except OperationalError:
            with progress._lock:  # the database is busy or briefly away: keep the lines
                progress.lines[:0] = lines
                progress.written -= len(lines)
        return True

    def _heartbeat(self, job_id: int, progress: Progress, done: threading.Event) -> None:
        every = max(0.2, min(1.0, self.lease / 4))
        while not done.wait(every):
            if not self._beat(job_id, progress):
                return

    # -- running ------------------------------------------------------------------------

    def run_once(self) -> bool:
        job_id = self.claim()
        if job_id is None:
            return False
        self.execute(job_id)
        return True

    def execute(self, job_id: int) -> None:
        """Run claimed job *job_id* to its end and record the outcome."""
        with self.case.system_session(write=False) as s:
            job = s.get(Job, job_id)
            assert job is not None
            kind_name, owner, attempt, params_enc = (
                job.kind,
                job.owner,
                job.attempts,
                job.params_enc,
            )
        k = _KINDS[kind_name]
        done = threading.Event()
        progress = Progress(self, job_id)
        beat = threading.Thread(
            target=self._heartbeat,
            args=(job_id, progress, done),
            name=f"dalil-job-{job_id}-beat",
            daemon=True,
        )
        beat.start()
        state: str = "done"
        error: Message | None = None
        result: Any = None
        try:
            params = json.loads(self.case.keys.decrypt_field(params_enc, "job.params"))
            jctx = JobContext(self.case, job_id, owner, attempt, self)
            result = k.fn(jctx, params, progress)
            self._raise_if_stopped(job_id)
        except JobCancelled:
            state, error = "cancelled", None
        except LeaseLost:
            state = "lost"
        except DalilError as e:
            state, error = "failed", _error_words(e)
        except Exception as e:  # a fault: its type in the server's log (messages may hold data)
            _log_server.error(
                "job %s (%s): internal error (%s)", job_id, kind_name, type(e).__name__
            )
            state, error = "failed", Message(INTERNAL_ERROR)
        finally:
            done.set()
            beat.join()
        if state == "lost" or not self._beat(job_id, progress):
            return
        self._finish(job_id, state, error, result)

    def _finish(self, job_id: int, state: str, error: Message | None, result: Any) -> None:
        values: dict[str, Any] = {
            "state": state,
            "error": encode(error) if error is not None else None,
            "finished_at": _now(),
            "lease_until": None,
        }
        if state == "done":
            values["progress"] = 1.0
            if result is not None:
                text = json.dumps(result, ensure_ascii=False, sort_keys=True, default=str)
                values["result_enc"] = self.case.keys.encrypt_field(text, "job.result")
        with self.case.system_session() as s:
            res = s.execute(
                update(Job)
                .where(and_(Job.id == job_id, Job.worker == self.id, Job.state == "running"))
                .values(**values)
            )
            if res.rowcount == 0:  # type: ignore[attr-defined]
                return  # another worker holds it now; its outcome counts
            _drop_inputs(s, job_id)
            if error is not None:
                _log(s, job_id, Message(N_("failed: %(error)s"), error=error))
            else:
                words = {
                    "done": N_("finished"),
                    "cancelled": N_("cancelled"),
                    "failed": N_("failed"),
                }
                _log(s, job_id, Message(words[state]))

    def run(self, stop: threading.Event, *, idle: Callable[[], None] | None = None) -> None:
        """Run jobs until *stop* is set (checked between jobs and while idle)."""
        self.start()
        try:
            while not stop.is_set():
                try:
                    ran = self.run_once()
                except OperationalError:
                    ran = False
                if not ran:
                    if idle is not None:
                        idle()
                    stop.wait(self.poll)
        finally:
            self.stop()


__all__ = [
    "FILE_MAX",
    "KIND_MODULES",
    "JobCancelled",
    "JobContext",
    "JobKind",
    "LeaseLost",
    "Progress",
    "Worker",
    "cancel",
    "get",
    "job_kind",
    "kinds",
    "list_jobs",
    "output_blobs",
    "output_file",
    "output_stream",
    "submit",
    "wait",
]
