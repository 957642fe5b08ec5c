"""A job's log and the error it ends with, stored as message ids with parameters and put
into words when shown: the Arabic jobs page shows Arabic lines, the CLI English ones; a
line written before (plain words) is still shown; a job's error is one line in words,
never a type name or a Python value. Fictional data."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from typing import Any

from dalil.core.case import Case
from dalil.display import i18n
from dalil.display.messages import N_, Message, as_json, decode, encode, render
from dalil.model.job import Job, JobLog
from dalil.services import jobs
from dalil.testing import TEST_PASSPHRASE, DalilRunner, run_job

from .conftest import USERS, Client


def _run(case: Case, kind: str, params: dict[str, Any]) -> int:
    with case.act(USERS["admin"]) as ctx:
        jid = int(jobs.submit(ctx, kind, params)["id"])
    assert run_job(case, jid, timeout=120) in ("done", "failed")
    return jid


def _log_items(html: str) -> list[str]:
    box = re.search(r'<ol id="job-messages"[^>]*>(.*?)</ol>', html, re.S)
    assert box is not None
    items = re.findall(r"<li>(.*?)</li>", box.group(1), re.S)
    return [unescape(re.sub(r"<[^>]+>", "", x)).strip() for x in items]


def _arabic(s: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in s)


def test_a_message_is_stored_as_an_id_and_shown_in_either_language() -> None:
    msg = Message(N_("checked %(done)s of %(total)s items"), done=1200, total=35000)
    assert str(msg) == "checked 1,200 of 35,000 items"  # a str: its English words
    stored = encode(msg)
    assert decode(stored) == msg and as_json(stored) == {
        "id": "checked %(done)s of %(total)s items",
        "params": {"done": 1200, "total": 35000},
    }
    ar = render(stored, "ar")
    assert _arabic(ar) and "1,200" in ar and "35,000" in ar and "checked" not in ar
    assert render(stored, "en") == "checked 1,200 of 35,000 items"
    # a nested message (the error a job failed with) is translated too
    failed = encode(
        Message(N_("failed: %(error)s"), error=Message(N_("an OCR job needs the item to read")))
    )
    assert render(failed) == "failed: an OCR job needs the item to read"
    assert _arabic(render(failed, "ar")) and "OCR job" not in render(failed, "ar")
    # plain words written before are shown as they are
    assert render("attempt 1 started", "ar") == "attempt 1 started"


def test_the_arabic_jobs_page_shows_the_log_and_error_in_arabic(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    case: Case = app.state.case
    done = _run(case, "fixity", {})
    failed = _run(case, "ocr", {})  # no item: refused with a reason, in words
    client.get("/login?lang=ar")
    client.login("admin")
    html = client.get(f"/jobs/{done}").text
    lines = _log_items(html)
    assert len(lines) >= 4
    for line in lines:
        assert _arabic(line), line
        assert not re.search(r"\b(queued|attempt|checked|finished|items)\b", line), line
    assert 'id="job-messages" class="log" lang="en"' not in html  # no longer marked English
    page = client.get(f"/jobs/{failed}").text
    state = re.search(r'<p id="job-state"[^>]*>(.*?)</p>', page, re.S)
    assert state is not None
    words = unescape(state.group(1))
    assert _arabic(words) and "OCR job" not in words and "InputError" not in words
    assert all(_arabic(x) for x in _log_items(page))
    # the page's script follows a running job through the API: the same words
    api = client.get(f"/api/v1/jobs/{done}").json()
    assert api["messages"] == lines
    assert all(line["message_id"] for line in api["log"])
    # in English, the same lines in English
    en = _log_items(client.get(f"/jobs/{done}?lang=en").text)
    assert en[0] == f"queued by {USERS['admin']}" and en[-1] == "finished"


def test_a_line_written_before_is_still_shown(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    case: Case = app.state.case
    jid = _run(case, "fixity", {})
    with case.system_session() as s:
        s.add(JobLog(job_id=jid, ts=datetime.now(UTC), message="an old line in plain words"))
    client.login("admin")
    assert "an old line in plain words" in _log_items(client.get(f"/jobs/{jid}?lang=ar").text)


def test_an_internal_fault_ends_the_job_with_words_not_a_type_name(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    case: Case = app.state.case
    jid = _run(case, "fixity", {"report_every": "often"})  # a fault: int("often")
    with case.system_session(write=False) as s:
        job = s.get(Job, jid)
        assert job is not None and job.state == "failed"
        stored = job.error or ""
    for lang in ("en", "ar"):
        words = render(stored, lang)
        assert words and "\n" not in words and "Error" not in words and "(" not in words
        assert "Traceback" not in words and "often" not in words


def test_the_cli_shows_the_log_in_english(seeded: dict[str, Any], app: Any) -> None:
    case: Case = app.state.case
    jid = _run(case, "ocr", {})
    run = DalilRunner({"DALIL_CASE": str(seeded["root"]), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    r = run("jobs", "show", str(jid))
    assert r.exit_code == 0, r.output
    assert "error: an OCR job needs the item to read" in r.output
    assert '{"m"' not in r.output and "failed: an OCR job needs the item to read" in r.output


def test_every_job_message_has_an_arabic_translation() -> None:
    """The extractor finds the messages the services and libraries mark with N_ (job log
    lines and errors); each is translated."""
    used = i18n.extract_messages()
    for msgid in ("checked %(done)s of %(total)s items", "queued by %(user)s",
                  "preparing %(n)s records", "linkage draw %(draw)s of %(draws)s estimated"):  # fmt: skip
        assert msgid in used, msgid
    ar = i18n.read_catalog("ar")
    assert all(ar.get(m) is not None and ar.get(m).string for m in used)
