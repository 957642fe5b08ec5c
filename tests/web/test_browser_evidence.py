"""Real Chromium: the search box on every page, and the "same media?" review page (two
items side by side, decided with a reason), in English and Arabic (skips without
Chromium, like test_browser.py)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from dalil.synth.media_images import jpeg, scene, transform

from .conftest import USERS
from .test_browser import browser, login, page, server, shot  # noqa: F401 - fixtures


def test_search_box_finds_evidence_text_with_marks(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
) -> None:
    login(page, server, "analyst")
    page.fill("#site-search-q", "gunmen")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=gunmen*")
    assert page.locator("h1").inner_text() == "Search"
    hits = page.locator(".search-hits li")
    assert hits.count() >= 1
    assert page.locator(".search-hits mark").first.inner_text().lower() == "gunmen"
    first = hits.first.locator("a")
    href = first.get_attribute("href") or ""
    assert href.startswith(("/sources/", "/evidence/"))
    shot(page, "search-en")
    first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(href)
    # a viewer reads no evidence text: the same words find nothing for them
    page.context.clear_cookies()
    login(page, server, "viewer")
    page.goto(f"{server}/search?q=gunmen")
    assert page.locator(".search-hits li").count() == 0
    assert "Nothing found." in page.content()
    # Arabic: the same page, right to left
    page.goto(f"{server}/search?q=gunmen&lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "بحث"
    assert page.locator("#site-search-q").is_visible()
    shot(page, "search-ar")
    assert not page.console_errors, page.console_errors


def _upload(base: str, token: str, name: str, data: bytes) -> int:
    r = httpx.post(
        f"{base}/api/v1/evidence",
        params={"name": name},
        content=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    out = r.json()
    # a web upload's metadata and hash are read by a media job: wait for it
    job, deadline = out["media_job"], time.monotonic() + 120
    while True:
        state = httpx.get(
            f"{base}/api/v1/jobs/{job}", headers={"Authorization": f"Bearer {token}"}
        ).json()["state"]
        if state in ("done", "failed", "cancelled") or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert state == "done", state
    return int(out["id"])


def test_same_media_review_side_by_side(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
    seeded: dict[str, Any],
) -> None:
    token = seeded["tokens"]["investigator"]
    a = _upload(server, token, "browser-photo.jpg", jpeg(scene(71)))
    b = _upload(server, token, "browser-copy.jpg", transform(scene(71), "resize", seed=4))
    lo, hi = sorted((a, b))
    login(page, server, "investigator", "/same-media")
    pair = page.locator(f"section[aria-labelledby='pair-{lo}-{hi}']")
    assert pair.count() == 1
    images = pair.locator("img")
    assert images.count() == 2
    for i in range(2):  # both pictures really load (logged reads of the items)
        images.nth(i).scroll_into_view_if_needed()
        handle = images.nth(i).element_handle()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle)
    shot(page, "same-media-en")
    # no reason: the browser asks for one; without the browser's check the server says why
    reason = pair.locator("input[name=reason]")
    reason.evaluate("e => e.removeAttribute('required')")
    pair.locator("button[value=accept]").click()
    page.wait_for_load_state("load")
    pair = page.locator(f"section[aria-labelledby='pair-{lo}-{hi}']")
    err = pair.locator(".error")
    assert err.inner_text() == "Say why (at least 3 characters)."
    assert pair.locator("input[name=reason]").get_attribute("aria-invalid") == "true"
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]
    page.console_errors.clear()  # that 422 was the refusal asked for
    pair.locator("input[name=reason]").fill("same street corner, colours changed")
    pair.locator("button[value=accept]").click()
    page.wait_for_load_state("load")
    assert f"Items {lo} and {hi}: Same media." in page.locator("[role=status]").inner_text()
    assert page.locator(f"section[aria-labelledby='pair-{lo}-{hi}']").count() == 0  # decided
    page.goto(f"{server}/same-media?status=accepted")
    done = page.locator(f"section[aria-labelledby='pair-{lo}-{hi}']")
    assert "same street corner, colours changed" in done.inner_text()
    # the decision is kept, with who took it
    r = httpx.get(
        f"{server}/api/v1/same-media",
        params={"status": "accepted"},
        headers={"Authorization": f"Bearer {token}"},
    )
    decided = next(q for q in r.json() if (q["a"], q["b"]) == (lo, hi))
    assert decided["decided_by"] == USERS["investigator"]
    # Arabic, right to left; a viewer sees the pair but no picture and no decision form
    page.goto(f"{server}/same-media?status=accepted&lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "الوسائط نفسها؟"
    shot(page, "same-media-ar")
    page.context.clear_cookies()
    login(page, server, "viewer", "/same-media?status=accepted")
    seen = page.locator(f"section[aria-labelledby='pair-{lo}-{hi}']")
    assert seen.count() == 1 and seen.locator("img").count() == 0
    assert page.locator("form[action='/same-media/decide']").count() == 0
    assert not page.console_errors, page.console_errors


def test_upload_a_photo_links_to_its_ocr_job(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
    tmp_path: Any,
) -> None:
    """An image stored from the upload page is queued for OCR by itself; the page links
    to the job, whose page follows its progress."""
    from dalil.synth import ocr_pages

    photo = tmp_path / "caption-photo.png"
    photo.write_bytes(ocr_pages.hand_made()[-1].png)  # a fictional photo with a caption
    login(page, server, "investigator", "/evidence/upload")
    page.set_input_files("#file", str(photo))
    page.locator("#upload-form button[type=submit]").click()
    page.wait_for_selector("#uploaded-ocr-job", timeout=60_000)
    status = page.locator("#upload-status").inner_text()
    assert "Reading the text (OCR), job" in status
    page.click("#uploaded-ocr-job")
    page.wait_for_load_state("load")
    assert "/jobs/" in page.url
    assert "OCR" in page.locator("h1").inner_text()
    shot(page, "upload-ocr-job")
    assert not page.console_errors, page.console_errors
