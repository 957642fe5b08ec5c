"""Attack: one hostile upload freezes the server (issue 18, breaks 1 and 8). While a
parser bomb is being read, other requests must still be answered quickly: the document
is parsed in a bounded worker process, so the server only waits on a pipe."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from dalil.model.job import Job
from dalil.services import jobs

from .conftest import Client

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources"))
from test_attack_parsers import docx_bomb


def test_login_page_answers_under_200_ms_while_a_parser_bomb_is_read(
    app: Any, client: Client
) -> None:
    """The upload is stored and answered at once (202); its text is extracted by a job
    (the app's job runner here, a job worker under ``dalil serve``) while logins are
    timed."""
    client.login("investigator")
    token = client.csrf("/sources/new")
    bomb = docx_bomb(1_500_000)
    resp = client.post(
        "/api/v1/sources/upload",
        params={"name": "bomb.docx", "title": "Fictional hostile upload"},
        content=bomb,
        headers={"X-CSRF-Token": token, "Content-Type": "application/octet-stream"},
    )
    assert resp.status_code == 202, resp.text
    jid = resp.json()["text_job"]
    case = app.state.case

    async def scenario() -> tuple[list[float], float]:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as other:
            await asyncio.sleep(1.0)  # the job is parsing the bomb now
            times = []
            for _ in range(8):
                t0 = time.perf_counter()
                r = await other.get("/login")
                times.append(time.perf_counter() - t0)
                assert r.status_code == 200
                await asyncio.sleep(0.1)
            with case.system_session(write=False) as s:
                state = s.scalar(select(Job.state).where(Job.id == jid))
            return times, 1.0 if state == "running" else 0.0

    times, still_parsing = client.loop.run_until_complete(scenario())
    assert still_parsing == 1.0, "the bomb finished before the logins were timed"
    assert statistics.median(times) < 0.2, times
    # The upload itself is kept; its text is refused in one line naming the reason.
    assert jobs.wait(case, jid, timeout=120) == "done"
    job = client.get(f"/api/v1/jobs/{jid}").json()
    assert job["result"]["text_error"].startswith("bomb.docx: "), job["result"]
