"""A Source from a stream: original kept as evidentiary evidence, extracted text as a
working copy, checks before anything is stored, no plaintext file in the case folder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import InputError, PermissionDenied
from dalil.services import evidence, records, users
from dalil.services.sources import _Tee, add_source_stream

HTML = (
    b"<!doctype html><html><head><title>Fictional Monitor</title></head><body>"
    b"<article><h1>Fictional Monitor report</h1><p>PORT SELIN, 14 March 2025 - The "
    b"Fictional Monitor documented the killing of 12 civilians in the fictional village "
    b"of Tal Warda. Canary phrase: cobalt-heron-77.</p>"
    + b"<p>More fictional text.</p>" * 20
    + b"</article></body></html>"
)


def _case_files(case: Case) -> list[Path]:
    return [p for p in Path(case.root).rglob("*") if p.is_file()]


def test_upload_makes_source_with_original_and_working_text(case: Case) -> None:
    out = add_source_stream(
        case,
        None,
        io.BytesIO(HTML),
        name="report.html",
        title="Fictional Monitor report",
        kind="report",
    )
    assert out["text_error"] is None and out["text"] is not None
    sid = out["source"]["id"]
    with case.act(write=False) as ctx:
        items = evidence.list_items(ctx, source_id=sid)
        assert sorted(i.copy_kind for i in items) == ["evidentiary", "working"]
        original = next(i for i in items if i.copy_kind == "evidentiary")
        working = next(i for i in items if i.copy_kind == "working")
        assert original.original_name == "report.html" and original.size == len(HTML)
        assert working.derived_from_id == original.id
    text = b"".join(evidence.open_content(case, None, working.sha256)[1]).decode()
    assert "cobalt-heron-77" in text and "<p>" not in text
    for p in _case_files(case):
        assert b"cobalt-heron-77" not in p.read_bytes(), p
    with case.system_session() as s:
        assert len(audit.query(s, action="source.add")) == 1
        assert len(audit.query(s, action="evidence.add")) == 2


def test_viewer_upload_refused_before_reading_the_stream(case: Case) -> None:
    with case.act() as ctx:
        users.add_user(ctx, "vic", "viewer")
    stream = io.BytesIO(HTML)
    with pytest.raises(PermissionDenied):
        add_source_stream(case, "vic", stream, name="r.html", title="Fictional", kind="report")
    assert stream.tell() == 0


def test_bad_field_refused_before_storing_anything(case: Case) -> None:
    stream = io.BytesIO(HTML)
    with pytest.raises(InputError, match="published"):
        add_source_stream(
            case,
            None,
            stream,
            name="r.html",
            title="Fictional",
            kind="report",
            published="2025-02-30",
        )
    assert stream.tell() == 0
    with case.act(write=False) as ctx:
        assert records.count(ctx, "source") == 0 and evidence.count_items(ctx) == 0


def test_undecodable_document_is_kept_with_a_reason_and_no_working_copy(case: Case) -> None:
    out = add_source_stream(
        case,
        None,
        io.BytesIO(b"%PDF-1.4 broken fictional"),
        name="x.pdf",
        title="Fictional broken PDF",
        kind="report",
    )
    assert out["evidence"] is not None and out["text"] is None
    assert out["text_error"] and "x.pdf" in out["text_error"]
    assert "broken fictional" not in out["text_error"]


def test_tee_drops_its_copy_once_over_the_limit() -> None:
    tee = _Tee(io.BytesIO(b"a" * 100), limit=50)
    got = b""
    while chunk := tee.read(30):
        got += chunk
    assert got == b"a" * 100 and tee.overflow and tee.kept == bytearray()


def test_a_document_already_held_as_a_source_adds_nothing(case: Case, tmp_path: Path) -> None:
    from dalil.services import sources

    doc = tmp_path / "fictional_report.txt"
    doc.write_text("Fictional report, held once.\n", encoding="utf-8")
    first = sources.add_source(case, "admin", doc, title="Fictional report", kind="report")
    again = sources.add_source(case, "admin", doc, title="Another title", kind="report")
    assert again["already_held"] == "source"
    assert again["source"]["id"] == first["source"]["id"]
    with case.act() as ctx:
        from dalil.services import records

        assert records.count(ctx, "source") == 1


def test_text_job_extracts_the_stored_document_in_a_worker(case: Case) -> None:
    from dalil.services import jobs, sources

    out = add_source_stream(
        case,
        None,
        io.BytesIO(HTML),
        name="report.html",
        title="Fictional Monitor report",
        kind="report",
        text_job=True,
    )
    sid, jid = out["source"]["id"], out["text_job"]
    assert out["text"] is None and out["text_error"] is None
    with case.act(write=False) as ctx:
        assert [i.copy_kind for i in evidence.list_items(ctx, source_id=sid)] == ["evidentiary"]
        assert sources.text_job(ctx, sid) == {"id": jid, "state": "queued", "error": None}
    assert jobs.Worker(case, poll_seconds=0.1).run_once()
    with case.act(write=False) as ctx:
        got = jobs.get(ctx, jid)
        assert got["state"] == "done", got
        items = evidence.list_items(ctx, source_id=sid)
        working = next(i for i in items if i.copy_kind == "working")
        assert got["result"]["text"] == working.sha256 and got["result"]["text_error"] is None
        assert sources.text_job(ctx, sid)["state"] == "done"  # type: ignore[index]
    text = b"".join(evidence.open_content(case, None, working.sha256)[1]).decode()
    assert "cobalt-heron-77" in text and "<p>" not in text
    for p in _case_files(case):
        assert b"cobalt-heron-77" not in p.read_bytes(), p
    # run again (a retried job): the working copy is found already held, nothing added
    with case.act() as ctx:
        again = jobs.submit(
            ctx,
            "source_text",
            {"source": sid, "sha256": out["evidence"]["sha256"],
             "name": "report.html", "sensitive": False},
        )  # fmt: skip
    assert jobs.Worker(case, poll_seconds=0.1).run_once()
    with case.act(write=False) as ctx:
        assert jobs.get(ctx, again["id"])["state"] == "done"
        assert len(evidence.list_items(ctx, source_id=sid)) == 2


def test_text_job_of_a_broken_pdf_says_why_and_keeps_the_source(case: Case) -> None:
    from dalil.services import jobs

    out = add_source_stream(
        case, None, io.BytesIO(b"%PDF-1.4 not really a pdf"), name="broken.pdf",
        title="Fictional broken", kind="report", text_job=True,
    )  # fmt: skip
    assert jobs.Worker(case, poll_seconds=0.1).run_once()
    with case.act(write=False) as ctx:
        got = jobs.get(ctx, out["text_job"])
        assert got["state"] == "done" and got["result"]["text"] is None
        assert "broken.pdf" in got["result"]["text_error"]
        assert records.get(ctx, "source", out["source"]["id"]) is not None
