"""On SQLite a long write (a linkage job holds one) must not stop another process from
opening the case to read it (``dalil jobs show`` while the job runs): checking the
schema version is a read, not a write that waits for the writer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import text

from dalil.core.case import Case
from dalil.services import jobs
from dalil.testing import TEST_PASSPHRASE


def test_a_case_opens_and_reads_while_another_connection_holds_the_write_lock(
    new_case: Callable[..., Case],
) -> None:
    case = new_case()
    with case.act() as ctx:
        jid = jobs.submit(ctx, "fixity", {})["id"]
    opened: list[str] = []
    release = threading.Event()

    def writer() -> None:
        with case.system_session() as s:  # BEGIN IMMEDIATE: holds SQLite's write lock
            s.execute(text("UPDATE jobs SET id = id WHERE id = 0"))  # a write: take the lock
            release.wait(30)

    t = threading.Thread(target=writer)
    t.start()
    try:
        time.sleep(0.3)
        start = time.monotonic()
        other = Case.open(case.root, TEST_PASSPHRASE)  # as another process would
        try:
            with other.act(write=False) as ctx:
                opened.append(jobs.get(ctx, jid)["state"])
        finally:
            other.close()
        took = time.monotonic() - start
    finally:
        release.set()
        t.join(30)
    assert opened == ["queued"]
    assert took < 10, f"opening waited {took:.1f} s for the writer"
