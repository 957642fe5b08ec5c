"""Real Chromium: a source from a document with its progress bar, and a list import
through the mapping step (skips without Chromium, like test_browser.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .test_browser import browser, login, page, server, shot  # noqa: F401 - fixtures


def test_add_a_source_from_a_document_with_progress(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    login(page, server, "investigator", "/sources/new")
    f = tmp_path / "fictional-bulletin.txt"
    f.write_bytes(
        b"Fictional Bulletin, 3 May 2025. Fictional Bulletin reported that 7 "
        b"civilians were killed in the fictional village of Kafr Sumaq.\n" * 3000
    )
    page.set_input_files("#su-file", str(f))
    page.fill("#su-title", "Fictional Bulletin (browser test)")
    page.locator("#source-upload-form button[type=submit]").click()
    page.wait_for_selector("#uploaded-source-link", timeout=30_000)
    assert page.eval_on_selector("#su-progress", "e => e.value") == 100
    shot(page, "source-upload")
    # the text is extracted by a job: the status links to it
    assert page.get_attribute("#uploaded-text-job", "href").startswith("/jobs/")
    href = page.get_attribute("#uploaded-source-link", "href")
    page.click("#uploaded-source-link")
    page.wait_for_load_state("load")
    for _ in range(60):  # until the job has run, the page says "Extracting text…"
        if "Extracting text…" not in page.content():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert "Kafr Sumaq" in page.content()  # the reading view shows the extracted text
    # The same document again: "already held as source N" with its link, no second source.
    page.goto(f"{server}/sources/new")
    page.set_input_files("#su-file", str(f))
    page.fill("#su-title", "The same bulletin again (browser test)")
    page.locator("#source-upload-form button[type=submit]").click()
    page.wait_for_selector("#uploaded-source-link", timeout=30_000)
    status = page.inner_text("#su-status")
    assert f"Already held as source {href.rsplit('/', 1)[-1]}:" in status, status
    assert page.get_attribute("#uploaded-source-link", "href") == href
    shot(page, "source-upload-already-held")
    # And as evidence: the evidence upload names the item already held.
    page.goto(f"{server}/evidence/upload")
    page.set_input_files("#file", str(f))
    page.locator("#upload-form button[type=submit]").click()
    page.wait_for_selector("#uploaded-link", timeout=30_000)
    assert "Already held as evidence item" in page.inner_text("#upload-status")
    shot(page, "evidence-upload-already-held")
    assert not page.console_errors, page.console_errors


def test_import_a_list_through_the_mapping_step(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    login(page, server, "analyst", "/lists/import")
    f = tmp_path / "fictional-browser-list.csv"
    f.write_text(
        "Ref,Victim\nb1,Fictional Rami Haddad\nb2,Fictional Lina Sabbagh\n", encoding="utf-8"
    )
    page.set_input_files("#li-file", str(f))
    page.fill("#li-name", "Fictional browser list")
    page.locator("form[action='/lists/import'] button[type=submit]").click()
    page.wait_for_load_state("load")
    page.select_option("#map-0", "record_id")
    page.select_option("#map-1", "full_name")
    page.locator("form[action='/lists/import/check'] button[type=submit]").click()
    # the check is a job too: its page follows it and, once done, links to the report
    page.wait_for_selector("#job-check-report", timeout=60_000)
    page.click("#job-check-report")
    page.wait_for_selector("#report-imported")
    assert page.inner_text("#report-imported") == "2"
    assert page.locator("#map-1").input_value() == "full_name"  # the mapping kept
    page.locator("form[action='/lists/import/confirm'] button[type=submit]").click()
    # the import is a job: its page follows it and, once done, links to the report
    page.wait_for_selector("#job-import-report", timeout=60_000)
    page.click("#job-import-report")
    page.wait_for_selector("#import-done")
    assert page.inner_text("#report-imported") == "2"
    shot(page, "list-import")
    page.goto(f"{server}/lists")
    assert "Fictional browser list" in page.content()
    assert not page.console_errors, page.console_errors


def test_a_web_capture_upload_leads_to_its_job_in_both_languages(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A .wacz uploaded on the evidence page is stored, then checked and recorded by a
    ``capture`` job: the page links to the job, whose page ends "done" with the item."""
    from tests.captures.webfixtures import make_wacz, make_warc, site

    with site() as base:
        warc = make_warc(tmp_path / "m.warc.gz", base)
    login(page, server, "investigator", "/evidence/upload")
    for lang in ("en", "ar"):
        wacz = make_wacz(
            tmp_path / f"fictional-market-{lang}.wacz",
            warc,
            [{"url": f"{base}/news/market.html", "ts": f"2026-01-0{len(lang)}T03:04:05Z",
              "title": f"Fictional market ({lang})"}],
        )  # fmt: skip
        page.goto(f"{server}/evidence/upload?lang={lang}")
        page.set_input_files("#file", str(wacz))
        page.locator("#upload-form button[type=submit]").click()
        page.wait_for_selector("#uploaded-capture-job", timeout=30_000)
        status = page.inner_text("#upload-status")
        expected = "it is being checked and recorded" if lang == "en" else "يجري فحصه وتسجيله"
        assert expected in status, status
        shot(page, f"capture-upload-queued-{lang}")
        page.click("#uploaded-capture-job")
        from playwright.sync_api import Error as PlaywrightError

        for _ in range(120):  # the job page's own script follows the job, redraws when done
            try:
                page.wait_for_load_state("load")
                state = page.get_attribute("#job", "data-state")
            except PlaywrightError:  # the page is being redrawn by its script
                state = None
            if state not in (None, "queued", "running"):
                break
            page.wait_for_timeout(500)
        assert page.get_attribute("#job", "data-state") == "done", page.content()[:2000]
        # the result sums up the capture in words, the records it made linked by name
        labels = page.locator("#job-result dt").all_inner_texts()
        want = ["What was captured", "Pages", "Media items", "Integrity", "Warnings"]
        if lang == "ar":
            want = ["ما الذي التُقط", "الصفحات", "عناصر الوسائط", "السلامة", "تنبيهات"]
        assert labels == want, labels
        links = page.locator("#job-result a").all_inner_texts()
        assert links[:2] == [wacz.name, f"Fictional market ({lang})"], links
        assert "photo.png" in links, links
        shot(page, f"capture-upload-job-{lang}")
    assert not page.console_errors, page.console_errors
