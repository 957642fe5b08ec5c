"""The durable job queue: submit, claim, run, retry after a worker dies, cancel, and the
one-at-a-time rule, on SQLite and PostgreSQL (real worker processes where it matters)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

import jobqueue.kinds_for_tests  # noqa: F401  (registers test.steps in this process)
from dalil.core.case import Case
from dalil.errors import Conflict, InputError, PermissionDenied
from dalil.model.job import Job, JobFile
from dalil.services import jobs, users
from dalil.testing import TEST_PASSPHRASE

HERE = Path(__file__).resolve().parent
SRC = HERE.parent.parent / "src"


def _submit(case: Case, kind: str, params: dict, user: str = "admin") -> int:
    with case.act(user) as ctx:
        return int(jobs.submit(ctx, kind, params)["id"])


def _show(case: Case, job_id: int, user: str = "admin") -> dict:
    with case.act(user, write=False) as ctx:
        return jobs.get(ctx, job_id)


def test_fixity_job_runs_in_a_worker_and_keeps_log_and_result(any_case: Case) -> None:
    jid = _submit(any_case, "fixity", {})
    assert _show(any_case, jid)["state"] == "queued"
    w = jobs.Worker(any_case, lease_seconds=5)
    assert w.run_once() is True
    assert w.run_once() is False  # nothing left
    d = _show(any_case, jid)
    assert d["state"] == "done" and d["progress"] == 1.0 and d["attempts"] == 1
    assert d["result"]["ok"] is True
    words = [line["message"] for line in d["log"]]
    assert (
        words[0] == "queued by admin" and "attempt 1 started" in words and words[-1] == "finished"
    )
    from dalil.core import audit

    with any_case.system_session(write=False) as s:
        actions = [e.action for e in audit.query(s, limit=20)]
    assert "job.submit" in actions and "evidence.fixity" in actions


def test_params_and_results_are_encrypted_at_rest(case: Case, tmp_path: Path) -> None:
    marker = "Fictional-Canary-Param-7731"
    trace = tmp_path / marker
    jid = _submit(case, "test.steps", {"trace": str(trace), "steps": 1, "sleep": 0})
    jobs.Worker(case, lease_seconds=5).run_once()
    assert _show(case, jid)["state"] == "done"
    case.engine.dispose()
    raw = b"".join(p.read_bytes() for p in case.root.glob("case.db*"))
    assert marker.encode() not in raw


def test_permission_checked_at_submit_and_refusal_logged(case: Case) -> None:
    with case.act() as ctx:
        users.add_user(ctx, "vera", "viewer")
    with pytest.raises(PermissionDenied):
        _submit(case, "fixity", {}, user="vera")
    from dalil.core import audit

    with case.system_session(write=False) as s:
        last = audit.query(s, limit=1)[0]
    assert last.action == "access.denied" and last.actor == "vera"
    with pytest.raises(InputError, match="unknown job kind"):
        _submit(case, "no.such.kind", {})


def test_cancel_a_queued_job_and_results_hidden_from_other_roles(
    case: Case, tmp_path: Path
) -> None:
    jid = _submit(case, "test.steps", {"trace": str(tmp_path / "t"), "steps": 1})
    with case.act() as ctx:
        users.add_user(ctx, "ana", "analyst")
        users.add_user(ctx, "vera", "viewer")
    with pytest.raises(PermissionDenied), case.act("ana") as ctx:
        jobs.cancel(ctx, jid)  # not hers
    with case.act("admin") as ctx:
        assert jobs.cancel(ctx, jid)["state"] == "cancelled"
    with pytest.raises(Conflict), case.act("admin") as ctx:
        jobs.cancel(ctx, jid)
    assert jobs.Worker(case).run_once() is False
    assert not (tmp_path / "t").exists()
    assert "result" not in _show(case, jid, user="vera")
    assert "result" in _show(case, jid, user="ana")  # analysts may run this kind


def test_cancel_a_running_job_stops_it(any_case: Case, tmp_path: Path) -> None:
    trace = tmp_path / "trace"
    jid = _submit(any_case, "test.steps", {"trace": str(trace), "steps": 200, "sleep": 0.05})
    w = jobs.Worker(any_case, lease_seconds=2)
    t = threading.Thread(target=w.run_once)
    t.start()
    deadline = time.monotonic() + 20
    while _show(any_case, jid)["state"] != "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    with any_case.act() as ctx:
        assert jobs.cancel(ctx, jid)["cancel_requested"] is True
    t.join(timeout=30)
    d = _show(any_case, jid)
    assert d["state"] == "cancelled"
    assert "done" not in trace.read_text()


def test_exclusive_kind_never_runs_twice_at_once(any_case: Case, tmp_path: Path) -> None:
    a = _submit(any_case, "test.steps", {"trace": str(tmp_path / "a"), "steps": 1})
    b = _submit(any_case, "test.steps", {"trace": str(tmp_path / "b"), "steps": 1})
    w1 = jobs.Worker(any_case, lease_seconds=30)
    w2 = jobs.Worker(any_case, lease_seconds=30)
    assert w1.claim() == a
    assert w2.claim() is None  # b waits while a (same lock key) runs
    # The database itself refuses a second running job with the same lock key.
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), any_case.system_session() as s:
        s.execute(update(Job).where(Job.id == b).values(state="running"))
    w1.execute(a)
    assert w2.claim() == b
    w2.execute(b)
    assert _show(any_case, a)["state"] == _show(any_case, b)["state"] == "done"


def test_an_expired_lease_is_requeued_then_failed_after_the_last_attempt(
    any_case: Case, tmp_path: Path
) -> None:
    jid = _submit(any_case, "test.steps", {"trace": str(tmp_path / "t"), "steps": 1})
    past = datetime.now(UTC) - timedelta(seconds=5)
    for attempt in (1, 2, 3):
        with any_case.system_session() as s:
            s.execute(
                update(Job)
                .where(Job.id == jid)
                .values(state="running", worker="elsewhere:1:x", lease_until=past, attempts=attempt)
            )
        assert jobs.Worker(any_case).reap() == 1
    d = _show(any_case, jid)
    assert d["state"] == "failed" and "stopped 3 times" in d["error"]


def test_a_lost_lease_discards_the_old_workers_result(case: Case, tmp_path: Path) -> None:
    jid = _submit(case, "test.steps", {"trace": str(tmp_path / "t"), "steps": 3, "sleep": 0.2})
    w = jobs.Worker(case, lease_seconds=30)
    assert w.claim() == jid
    with case.system_session() as s:  # someone else took it over meanwhile
        s.execute(update(Job).where(Job.id == jid).values(worker="other:2:y"))
    w.execute(jid)
    d = _show(case, jid)
    assert d["state"] == "running" and d["result"] is None  # untouched by the old worker


def test_output_files_are_kept_encrypted_and_read_back_with_an_audit_entry(
    case: Case, tmp_path: Path
) -> None:
    jid = _submit(case, "test.steps", {"trace": str(tmp_path / "t"), "steps": 1, "output": 1})
    jobs.Worker(case).run_once()
    d = _show(case, jid)
    assert [f["name"] for f in d["files"]] == ["out.txt"]
    with case.act() as ctx:
        data, meta = jobs.output_file(ctx, jid, "out.txt")
    assert data == b"made by the test job\n" and meta["media_type"] == "text/plain"
    case.engine.dispose()
    raw = b"".join(p.read_bytes() for p in case.root.glob("case.db*"))
    assert b"made by the test job" not in raw
    # kept as an encrypted blob of the vault, not in the row
    with case.system_session(write=False) as s:
        row = s.scalars(select(JobFile).where(JobFile.job_id == jid)).one()
        assert row.content_enc is None and row.blob_sha256 == meta["sha256"]
    assert case.blobs.path_for(meta["sha256"]).is_file()
    for p in case.root.rglob("*"):
        if p.is_file():
            assert b"made by the test job" not in p.read_bytes(), p


def test_a_large_output_is_streamed_chunk_by_chunk_and_counted_by_fixity(case: Case) -> None:
    import hashlib

    from dalil.services import evidence

    size = 5 * 2**20 + 123
    jid = _submit(case, "test.steps", {"trace": "/dev/null", "steps": 1, "output_bytes": size})
    assert jobs.Worker(case).run_once()
    assert _show(case, jid)["state"] == "done"
    with case.act() as ctx:
        meta, chunks = jobs.output_stream(ctx, jid, "big.bin")
        sizes, h = [], hashlib.sha256()
        for c in chunks:
            sizes.append(len(c))
            h.update(c)
    assert meta["size"] == size == sum(sizes) and h.hexdigest() == meta["sha256"]
    assert len(sizes) == 6 and max(sizes) <= case.blobs.chunk_size  # one chunk at a time
    from dalil.core import audit

    with case.system_session(write=False) as s:
        got = [e for e in audit.query(s, action="job.file_get", limit=5)]
    assert got and got[0].to_dict()["detail"]["sha256"] == meta["sha256"]
    rep = evidence.fixity(case)
    assert rep.passed and rep.unreferenced == []  # a job's blob is the case's, not a stray


def test_an_output_kept_in_its_row_by_an_older_job_still_downloads(case: Case) -> None:
    from dalil.services.jobs import _add_file

    jid = _submit(case, "test.steps", {"trace": "/dev/null", "steps": 1})
    assert jobs.Worker(case).run_once()
    with case.act() as ctx:  # as a job finished before output files went to the vault
        _add_file(ctx, jid, "output", "old.txt", b"an older fictional report\n", "text/plain")
    with case.act() as ctx:
        meta, chunks = jobs.output_stream(ctx, jid, "old.txt")
        assert b"".join(chunks) == b"an older fictional report\n"
        assert meta["size"] == 26


def _worker_process(case: Case, env_extra: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), str(HERE.parent)]),
        "DALIL_JOB_MODULES": "jobqueue.kinds_for_tests",
        "DALIL_CASE": str(case.root),
        "DALIL_PASSPHRASE": TEST_PASSPHRASE,
        "DALIL_JOB_LEASE": "3",
        **(env_extra or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "dalil.cli", "jobs", "work"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_a_worker_killed_mid_job_the_job_is_retried_and_completes_once(
    any_case: Case, tmp_path: Path
) -> None:
    trace = tmp_path / "trace"
    jid = _submit(any_case, "test.steps", {"trace": str(trace), "steps": 30, "sleep": 0.1})
    first = _worker_process(any_case)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            p = _show(any_case, jid)["progress"]
            if p is not None and p >= 0.2:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the worker never made progress: " + first.stderr.read(2000).decode())
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert _show(any_case, jid)["state"] == "running"  # as the dead worker left it
        second = _worker_process(any_case)
        try:
            assert jobs.wait(any_case, jid, timeout=60) == "done"
        finally:
            second.terminate()
            second.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    d = _show(any_case, jid)
    assert d["attempts"] == 2 and d["result"] == {"steps": 30}
    lines = trace.read_text().split()
    assert trace.read_text().count("start") == 2
    assert trace.read_text().count("done") == 1 and lines[-3] == "done" and lines[-2] == "2"
    assert any(x["message"] == "worker stopped during attempt 1; queued again" for x in d["log"])


def test_input_files_are_deleted_once_the_job_has_finished(case: Case, tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from dalil.model.job import JobFile

    with case.act() as ctx:
        jid = jobs.submit(
            ctx,
            "test.steps",
            {"trace": str(tmp_path / "t"), "steps": 1, "sleep": 0},
            files={"roster.csv": (b"name\nFictional Applicant\n", "text/csv")},
        )["id"]
    with case.system_session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(JobFile).where(JobFile.job_id == jid)) == 1
    jobs.Worker(case).run_once()
    assert _show(case, jid)["state"] == "done"
    with case.system_session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(JobFile).where(JobFile.job_id == jid)) == 0
