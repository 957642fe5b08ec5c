"""Real Chromium: evidence seen in the page. A graphic photo is blurred and greyscale until
the viewer presses "Show" (per item, not remembered), a video plays muted from the
streamed view (byte ranges), a PDF is shown as a page picture; English and Arabic, axe-core
on the evidence page (skips without Chromium, like test_browser.py). Fictional media."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from dalil.synth.media_files import text_pdf
from dalil.synth.media_images import jpeg, scene

from .test_browser import browser, login, page, server, shot  # noqa: F401 - fixtures


def _upload(base: str, token: str, name: str, data: bytes, ctype: str) -> str:
    r = httpx.post(
        f"{base}/api/v1/evidence",
        params={"name": name},
        content=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": ctype},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["sha256"])


def _mark_graphic(base: str, token: str, sha: str) -> None:
    r = httpx.patch(
        f"{base}/api/v1/evidence/{sha}",
        json={"graphic": True},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 200 and r.json()["graphic"] is True, r.text


def _filter(pg: Any) -> str:
    return str(pg.eval_on_selector("#view-media", "e => getComputedStyle(e).filter"))


def _webm(tmp: Path) -> bytes:
    """A 3-second fictional test pattern with a tone (VP8 + Opus), made by ffmpeg."""
    out = tmp / "pattern.webm"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15",
         "-f", "lavfi", "-i", "sine=frequency=440", "-t", "3", "-c:v", "libvpx", "-b:v", "300k",
         "-c:a", "libopus", str(out)],
        check=True, timeout=120,
    )  # fmt: skip
    return out.read_bytes()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_graphic_photo_blurred_until_show_and_not_remembered(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
    seeded: dict[str, Any],
    lang: str,
) -> None:
    token = seeded["tokens"]["investigator"]
    picture = jpeg(scene(83 if lang == "en" else 84))
    sha = _upload(server, token, f"graphic-scene-{lang}.jpg", picture, "image/jpeg")
    _mark_graphic(server, token, sha)
    login(page, server, "analyst", f"/evidence/{sha}?lang={lang}")
    page.goto(f"{server}/evidence/{sha}?lang={lang}")
    img = page.locator("#view-media")
    page.wait_for_function("e => e.complete && e.naturalWidth > 0", arg=img.element_handle())
    assert "blur" in _filter(page) and "grayscale" in _filter(page)
    button = page.locator("#graphic-toggle")
    assert button.get_attribute("aria-pressed") == "false"
    assert button.inner_text() == ("Show" if lang == "en" else "اعرض")
    page.locator("#view-h").scroll_into_view_if_needed()
    shot(page, f"evidence-graphic-blurred-{lang}")
    # by keyboard: focus the button and press Enter
    button.focus()
    page.keyboard.press("Enter")
    assert _filter(page) == "none"
    assert button.get_attribute("aria-pressed") == "true"
    assert button.inner_text() == ("Blur again" if lang == "en" else "موّه من جديد")
    shot(page, f"evidence-graphic-shown-{lang}")
    button.click()
    assert "blur" in _filter(page)
    button.click()
    assert _filter(page) == "none"
    # not remembered: the next visit starts blurred again
    page.reload()
    page.wait_for_load_state("load")
    assert "blur" in _filter(page) and "grayscale" in _filter(page)
    assert page.locator("#graphic-toggle").get_attribute("aria-pressed") == "false"
    assert not page.console_errors, page.console_errors


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg to make the test video")
def test_video_starts_muted_and_plays_from_the_streamed_view(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
    seeded: dict[str, Any],
    tmp_path: Path,
) -> None:
    token = seeded["tokens"]["investigator"]
    sha = _upload(server, token, "pattern-fictional.webm", _webm(tmp_path), "video/webm")
    _mark_graphic(server, token, sha)
    login(page, server, "legal", f"/evidence/{sha}")
    page.goto(f"{server}/evidence/{sha}")
    video = page.locator("#view-media")
    assert video.evaluate("v => v.tagName") == "VIDEO"
    assert video.evaluate("v => v.muted && v.defaultMuted && v.paused && !v.autoplay")
    assert "blur" in _filter(page)
    # the viewer starts it: it plays, still muted, from the decrypted stream
    video.evaluate("v => v.play()")
    page.wait_for_function("v => v.currentTime > 0.5", arg=video.element_handle(), timeout=20_000)
    assert video.evaluate("v => v.muted")
    # seeking asks the server for a byte range
    video.evaluate("v => { v.pause(); v.currentTime = 2.5; }")
    page.wait_for_function("v => !v.seeking && v.readyState >= 2", arg=video.element_handle())
    page.locator("#graphic-toggle").click()
    assert _filter(page) == "none"
    page.locator("#view-h").scroll_into_view_if_needed()
    shot(page, "evidence-video-muted-en")
    # the viewer unmutes it (their choice)
    video.evaluate("v => { v.muted = false; }")
    assert not video.evaluate("v => v.muted")
    r = httpx.get(
        f"{server}/api/v1/evidence/{sha}/custody",
        headers={"Authorization": f"Bearer {seeded['tokens']['admin']}"},
        timeout=30,
    )
    views = [e for e in r.json() if e["action"] == "evidence.view"]
    assert views and all(e["actor"] == "lee" for e in views)
    assert any(e["detail"]["range"] for e in views)  # Chromium asked for ranges
    assert not page.console_errors, page.console_errors


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_pdf_pages_shown_as_pictures_in_arabic(
    page: Any,  # noqa: F811
    server: str,  # noqa: F811
    seeded: dict[str, Any],
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    token = seeded["tokens"]["investigator"]
    sha = _upload(server, token, "report-fictional.pdf", text_pdf(3), "application/pdf")
    login(page, server, "investigator", f"/evidence/{sha}?lang=ar")
    page.goto(f"{server}/evidence/{sha}?lang=ar")
    img = page.locator("#view-media")
    page.wait_for_function("e => e.complete && e.naturalWidth > 0", arg=img.element_handle())
    assert "الصفحة 1 من 3" in page.locator("nav.pager").inner_text()
    page.locator("a[rel=next]").click()
    page.wait_for_load_state("load")
    assert "page=2" in page.url
    img = page.locator("#view-media")
    page.wait_for_function("e => e.complete && e.naturalWidth > 0", arg=img.element_handle())
    assert page.locator("iframe, embed, object").count() == 0  # never the PDF itself
    shot(page, "evidence-pdf-page-ar")
    results = Axe().run(page)
    bad = [v["id"] for v in results.response["violations"]
           if v.get("impact") in ("serious", "critical")]  # fmt: skip
    assert not bad, bad
    assert not page.console_errors, page.console_errors
