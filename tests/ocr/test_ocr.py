"""OCR as a working copy: an image-only PDF of fictional Arabic and English text made
here, read with Tesseract, found by search; the original untouched; the custody record
shows the OCR step; corrections are new versions with their author; the job kind."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.services import evidence, jobs, ocr, search, sources, users
from dalil.synth import ocr_pages

pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
    reason="needs tesseract (ara, eng) and pdftoppm: .ci/run installs them",
)


@pytest.fixture(scope="module")
def scan_pdf() -> bytes:
    lines = [ocr_pages.AR_LINES[2], ocr_pages.EN_LINES[2]]
    png = ocr_pages.render(ocr_pages._html(lines, rtl=True))
    return ocr_pages.image_only_pdf(png)


def test_scanned_pdf_ocr_working_copy_search_custody(
    any_case: Case, tmp_path: Path, scan_pdf: bytes
) -> None:
    case = any_case
    f = tmp_path / "scan.pdf"
    f.write_bytes(scan_pdf)
    out = sources.add_source(case, None, f, kind="statement", title="Scanned statement")
    assert out["text"] is None and "no text layer" in (out["text_error"] or "")
    item_id = out["evidence"]["id"]
    before = hashlib.sha256(scan_pdf).hexdigest()
    res = ocr.run_ocr(case, None, item_id)
    o = res["ocr"]
    assert o["engine"] == "tesseract" and o["version"] and o["languages"] == "ara+eng"
    assert len(o["pages"]) == 1 and o["pages"][0]["confidence"] > 50
    # the original is untouched and still verifies
    with case.act(write=False) as ctx:
        orig = evidence.get_item(ctx, item_id)
        assert orig.sha256 == before and orig.media_type == "application/pdf"
        text_item = evidence.get_item(ctx, res["text"]["id"])
        assert text_item.copy_kind == "working" and text_item.derived_from_id == item_id
        assert text_item.capture["ocr"]["pages"][0]["confidence"] > 50
    assert b"".join(case.blobs.open(before)) == scan_pdf
    assert evidence.fixity(case).passed
    # custody of the original shows the OCR step
    with case.act(write=False) as ctx:
        steps = [e["action"] for e in evidence.custody(ctx, item_id)]
    assert "evidence.ocr" in steps
    # the OCR text is found by search, in both scripts, as the source's text
    with case.act() as ctx:
        hits = search.search(ctx, "civilians school")["hits"]
        assert hits and hits[0]["kind"] == "source"
        assert search.search(ctx, "المدرسة")["total"] >= 1
    # a correction is a new version with its author; the OCR version stays
    with case.act() as ctx:
        users.add_user(ctx, "ines", "investigator")
        t = ocr.transcript(ctx, item_id)
    corrected = t["text"] + "\nCorrected: the fictional word zephyrine.\n"
    ocr.correct_transcript(case, "ines", item_id, corrected, note="added last line")
    with case.act() as ctx:
        t2 = ocr.transcript(ctx, item_id)
        assert [v["kind"] for v in t2["versions"]] == ["ocr", "correction"]
        assert t2["versions"][1]["author"] == "ines" and "zephyrine" in t2["text"]
        assert search.search(ctx, "zephyrine")["total"] == 1
        entries = [e.action for e in audit.query(ctx.session)]
    assert "evidence.transcript" in entries


def test_ocr_refused_for_a_viewer_and_for_text(any_case: Case, tmp_path: Path) -> None:
    from dalil.errors import InputError, PermissionDenied

    case = any_case
    f = tmp_path / "note.txt"
    f.write_text("A fictional note.\n")
    item = evidence.add_files(case, None, [f])[0].item.id
    with case.act() as ctx:
        users.add_user(ctx, "vic", "viewer")
    with pytest.raises(PermissionDenied):
        ocr.run_ocr(case, "vic", item)
    with pytest.raises(InputError, match="OCR reads PDFs and images"):
        ocr.run_ocr(case, None, item)


def test_ocr_job_and_image(case: Case, tmp_path: Path) -> None:
    page = ocr_pages.hand_made()[-1]  # the photo with a caption burned in
    f = tmp_path / "photo.jpg"
    f.write_bytes(page.png)
    item = evidence.add_files(case, None, [f], ocr=False)[0].item
    assert item.media_type == "image/jpeg"
    with case.act(write=False) as ctx:
        assert jobs.list_jobs(ctx) == []  # --no-ocr: nothing queued
    with case.act() as ctx:
        job = ocr.submit_ocr(ctx, item.id)
    assert jobs.Worker(case, lease_seconds=30).run_once() is True
    with case.act(write=False) as ctx:
        done = jobs.get(ctx, job["id"])
    assert done["state"] == "done", done
    with case.act() as ctx:
        assert search.search(ctx, "square")["total"] == 1


def test_ocr_queued_at_ingest_with_progress(
    any_case: Case, tmp_path: Path, scan_pdf: bytes
) -> None:
    """A scanned PDF added as a source is queued for OCR by itself; the job's progress
    names the pages; its text becomes the source's and is found by search. A PDF with a
    text layer is queued too, but the job stores nothing; a viewer's upload queues none."""
    case = any_case
    f = tmp_path / "scan.pdf"
    f.write_bytes(scan_pdf)
    out = sources.add_source(case, None, f, kind="statement", title="Scanned statement")
    assert out["text"] is None and isinstance(out.get("ocr_job"), int)
    with case.act() as ctx:
        assert search.search(ctx, "civilians school")["total"] == 0  # not read yet
        queued = jobs.get(ctx, out["ocr_job"])
    assert queued["state"] == "queued" and queued["kind"] == "ocr"
    assert jobs.Worker(case, lease_seconds=30).run_once() is True
    with case.act(write=False) as ctx:
        done = jobs.get(ctx, out["ocr_job"])
    assert done["state"] == "done", done
    assert done["progress"] == 1.0
    assert "read page 1 of 1" in [line["message"] for line in done["log"]]
    assert done["result"]["text"] and done["result"]["ocr"]["pages"][0]["confidence"] > 50
    with case.act() as ctx:
        hits = search.search(ctx, "civilians school")["hits"]
    assert hits and hits[0]["kind"] == "source"
    # a PDF with a text layer: queued, checked, nothing stored
    from tests.sources.conftest import minimal_pdf

    born_digital = tmp_path / "typed.pdf"
    born_digital.write_bytes(minimal_pdf(["A fictional typed report about the bridge."]))
    added = evidence.add_files(case, None, [born_digital])[0]
    assert isinstance(added.data.get("ocr_job"), int)
    with case.act(write=False) as ctx:
        before = len(evidence.list_items(ctx))
    assert jobs.Worker(case, lease_seconds=30).run_once() is True
    with case.act(write=False) as ctx:
        checked = jobs.get(ctx, added.data["ocr_job"])
        assert len(evidence.list_items(ctx)) == before
    assert checked["state"] == "done" and checked["result"]["text"] is None
    assert "text layer" in checked["result"]["skipped"]


def test_ocr_text_in_plaintext_nowhere(any_case: Case, tmp_path: Path, scan_pdf: bytes) -> None:
    """Canary: after OCR at ingest (a job), a search and a correction, the words of the
    scanned page are in plaintext nowhere under the case folder nor in any database
    table (job parameters, results, log lines, audit details, the search index)."""
    from sqlalchemy import MetaData, select

    case = any_case
    f = tmp_path / "scan.pdf"
    f.write_bytes(scan_pdf)
    out = sources.add_source(case, None, f, kind="statement", title="Scanned statement")
    assert jobs.Worker(case, lease_seconds=30).run_once() is True
    with case.act() as ctx:
        assert jobs.get(ctx, out["ocr_job"])["state"] == "done"
        assert search.search(ctx, "buried families")["total"] == 1
        t = ocr.transcript(ctx, out["evidence"]["id"])
    ocr.correct_transcript(case, None, out["evidence"]["id"], t["text"] + "Zephyrcanary.\n")
    with case.act() as ctx:
        assert search.search(ctx, "zephyrcanary")["total"] == 1
    needles = [w.encode() for w in ("buried", "families", "Zephyrcanary", "zephyrcanary")]
    needles += [w.encode() for w in ("المدرسة", "العائلات", "مدرسه")]
    for p in case.root.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            assert not [n for n in needles if n in data], p
    meta = MetaData()
    with case.system_session(write=False) as s:
        meta.reflect(bind=s.connection())
        for table in meta.sorted_tables:
            for row in s.execute(select(table)):
                text = " ".join(str(v) for v in row).encode()
                assert not [n for n in needles if n in text], table.name
