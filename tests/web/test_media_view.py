"""Evidence seen in the browser (``/evidence/{sha}/view`` and ``/api/v1/evidence/{id}/view``):
byte ranges, the headers of a view, refusals, the graphic flag in the page, every view
logged, and no plaintext on disk (the attack test runs a real ``dalil serve``).

All content here is fictional."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from dalil.core.case import Case
from dalil.synth.media_files import text_pdf
from dalil.testing import TEST_PASSPHRASE
from dalil.web.security import VIEW_CONTENT_SECURITY_POLICY

from .conftest import USERS, Client

CANARY = b"CANARY-view-7f3c-fictional-witness-face"
#: A fake MP4 (an ISO base media ``ftyp`` box, then the canary over and over), 2.5 MiB.
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41" + (CANARY + bytes(range(200))) * 10_900


def _h(seeded: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded['tokens'][role]}"}


def _upload(client: Client, seeded: dict[str, Any], name: str, data: bytes, ctype: str) -> str:
    r = client.post(
        "/api/v1/evidence",
        params={"name": name},
        content=data,
        headers={**_h(seeded, "investigator"), "Content-Type": ctype},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["sha256"])


def _views(client: Client, seeded: dict[str, Any], sha: str) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/evidence/{sha}/custody", headers=_h(seeded, "admin"))
    assert r.status_code == 200, r.text
    return [e for e in r.json() if e["action"] == "evidence.view"]


def _assert_view_headers(r: httpx.Response, media_type: str) -> None:
    assert r.headers["content-type"] == media_type
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"] == VIEW_CONTENT_SECURITY_POLICY
    assert "sandbox" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["content-disposition"] == "inline"


def test_video_is_streamed_with_byte_ranges_for_seeking(
    client: Client, seeded: dict[str, Any]
) -> None:
    sha = _upload(client, seeded, "clip-fictional.mp4", MP4, "video/mp4")
    url = f"/api/v1/evidence/{sha}/view"
    before = len(_views(client, seeded, sha))
    r = client.get(url, headers={**_h(seeded, "analyst"), "Range": "bytes=1048000-1049999"})
    assert r.status_code == 206, r.text
    _assert_view_headers(r, "video/mp4")
    assert r.headers["content-range"] == f"bytes 1048000-1049999/{len(MP4)}"
    assert r.headers["accept-ranges"] == "bytes" and r.headers["content-length"] == "2000"
    assert r.content == MP4[1048000:1050000]
    r = client.get(url, headers={**_h(seeded, "analyst"), "Range": "bytes=-10"})
    assert r.status_code == 206 and r.content == MP4[-10:]
    r = client.get(url, headers=_h(seeded, "legal"))
    assert r.status_code == 200 and r.content == MP4
    _assert_view_headers(r, "video/mp4")
    r = client.get(url, headers={**_h(seeded, "analyst"), "Range": f"bytes={len(MP4)}-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{len(MP4)}"
    views = _views(client, seeded, sha)[before:]
    assert [(v["actor"], v["detail"]["range"]) for v in views] == [
        (USERS["analyst"], "1048000-1049999"),
        (USERS["analyst"], f"{len(MP4) - 10}-{len(MP4) - 1}"),
        (USERS["legal"], None),
    ]

    # the page route (session cookie) is the same door
    client.login("analyst")
    r = client.get(f"/evidence/{sha}/view", headers={"Range": "bytes=0-99"})
    assert r.status_code == 206 and r.content == MP4[:100]
    _assert_view_headers(r, "video/mp4")
    last = _views(client, seeded, sha)[-1]
    assert (last["actor"], last["detail"]["via"], last["detail"]["range"]) == (
        USERS["analyst"], "web", "0-99"
    )  # fmt: skip


def test_viewer_may_not_see_content_and_the_refusal_is_logged(
    client: Client, seeded: dict[str, Any]
) -> None:
    sha = _upload(client, seeded, "clip-viewer.mp4", MP4[:5000] + b"viewer", "video/mp4")
    r = client.get(f"/api/v1/evidence/{sha}/view", headers=_h(seeded, "viewer"))
    assert r.status_code == 403 and CANARY not in r.content
    client.login("viewer")
    r = client.get(f"/evidence/{sha}/view")
    assert r.status_code == 403 and CANARY not in r.content
    page = client.get(f"/evidence/{sha}")
    assert page.status_code == 200 and "/view" not in page.text
    audit = client.get(
        "/api/v1/audit", params={"action": "access.denied", "actor": USERS["viewer"]},
        headers=_h(seeded, "admin"),
    ).json()["items"]  # fmt: skip
    assert len(audit) >= 2
    assert _views(client, seeded, sha) == []


@pytest.mark.parametrize(
    ("name", "data", "ctype"),
    [
        ("page-fictional.html", b"<!doctype html><script>alert(1)</script>", "text/html"),
        ("drawing-fictional.svg",
         b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "image/svg+xml"),
        ("fake-fictional.png", b"<html><script>alert(1)</script></html>", "image/png"),
    ],
)  # fmt: skip
def test_html_and_svg_are_never_served_inline_only_downloaded(
    client: Client, seeded: dict[str, Any], name: str, data: bytes, ctype: str
) -> None:
    sha = _upload(client, seeded, name, data, ctype)
    r = client.get(f"/api/v1/evidence/{sha}/view", headers=_h(seeded, "admin"))
    assert r.status_code == 422 and r.json()["code"] == "not_viewable"
    assert b"<script>" not in r.content
    client.login("admin")
    page = client.get(f"/evidence/{sha}")
    assert f"/evidence/{sha}/view" not in page.text
    assert "not shown in the browser" in page.text
    r = client.get(f"/evidence/{sha}/download")
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["x-content-type-options"] == "nosniff"


def test_upload_marked_graphic_by_the_api(client: Client, seeded: dict[str, Any]) -> None:
    r = client.post(
        "/api/v1/evidence",
        params={"name": "graphic-upload-fictional.mp4", "graphic": "true"},
        content=MP4[:7000] + b"upload",
        headers={**_h(seeded, "investigator"), "Content-Type": "video/mp4"},
    )
    assert r.status_code == 201 and r.json()["graphic"] is True, r.text


def test_graphic_item_page_blurs_with_a_show_button_and_video_muted(
    client: Client, seeded: dict[str, Any], make_client: Any
) -> None:
    sha = _upload(client, seeded, "graphic-fictional.mp4", MP4[:9000] + b"g", "video/mp4")
    r = client.request(
        "PATCH", f"/api/v1/evidence/{sha}", json={"graphic": True}, headers=_h(seeded, "viewer")
    )
    assert r.status_code == 403
    r = client.request(
        "PATCH",
        f"/api/v1/evidence/{sha}",
        json={"graphic": True},
        headers=_h(seeded, "investigator"),
    )
    assert r.status_code == 200 and r.json()["graphic"] is True
    client.login("analyst")
    page = client.get(f"/evidence/{sha}").text
    assert 'class="viewer graphic"' in page and 'id="graphic-toggle"' in page
    assert 'aria-pressed="false"' in page
    assert f'<video id="view-media" src="/evidence/{sha}/view" controls muted' in page
    assert "autoplay" not in page
    # the edit form carries the flag
    other = make_client()
    other.login("investigator")
    form = other.get(f"/evidence/{sha}/edit").text
    assert 'id="e-graphic" name="graphic" type="checkbox" value="true" checked' in form


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_pdf_is_shown_as_page_pictures_never_as_atext_pdf(
    client: Client, seeded: dict[str, Any]
) -> None:
    sha = _upload(client, seeded, "report-fictional.pdf", text_pdf(2), "application/pdf")
    r = client.get(f"/api/v1/evidence/{sha}/view", params={"page": 2}, headers=_h(seeded, "legal"))
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG")
    _assert_view_headers(r, "image/png")
    assert r.headers["x-page-count"] == "2" and r.headers["accept-ranges"] == "none"
    assert client.get(f"/api/v1/evidence/{sha}/view", params={"page": 3},
                      headers=_h(seeded, "legal")).status_code == 404  # fmt: skip
    client.login("legal")
    page = client.get(f"/evidence/{sha}", params={"page": 2}).text
    assert f'src="/evidence/{sha}/view?page=2"' in page
    assert "Page 2 of 2" in page and 'rel="prev"' in page and 'rel="next"' not in page


# --- the attack: a plaintext copy of viewed evidence left on disk ----------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _files_holding(needle: bytes, roots: list[Path], since: float | None) -> list[str]:
    """Files under *roots* (modified since *since*, when given) whose bytes hold *needle*."""
    found = []
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            for f in files:
                p = Path(dirpath) / f
                try:
                    if p.is_symlink() or not p.is_file():
                        continue
                    if since is not None and p.stat().st_mtime < since:
                        continue
                    if needle in p.read_bytes():
                        found.append(str(p))
                except OSError:  # another process's file, gone or unreadable
                    continue
    return found


def test_attack_viewing_evidence_leaves_no_plaintext_on_disk(new_case: Any, tmp_path: Path) -> None:
    """An attacker who later gets the disk (a seized laptop, a stolen backup of the
    server) must find no plaintext copy of what was viewed: the case folder, the
    server's temp folder, /tmp, /var/tmp and /dev/shm are searched for the canary while a
    video is being streamed (mid-response), and after a video and a PDF page are viewed."""
    from dalil.services import evidence, users

    started = time.time() - 2
    case: Case = new_case(name="viewcase")
    with case.act("admin") as ctx:
        token, _ = users.issue_token(ctx, "admin", label="canary test")
    admin = case.actor("admin")
    video = evidence.add_bytes(case, admin, MP4, name="clip.mp4").item.sha256
    pdf = text_pdf(2, text=CANARY.decode())
    assert CANARY in pdf
    pdf_sha = evidence.add_bytes(case, admin, pdf, name="doc.pdf").item.sha256
    root = case.root
    case.close()
    server_tmp = tmp_path / "server-tmp"
    server_tmp.mkdir()
    assert _files_holding(CANARY, [root, server_tmp], None) == []  # stored encrypted

    port = _free_port()
    env = {**os.environ, "DALIL_PASSPHRASE": TEST_PASSPHRASE, "TMPDIR": str(server_tmp)}
    dalil = Path(sys.executable).parent / "dalil"
    proc = subprocess.Popen([str(dalil), "serve", str(root), "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    roots = [root, server_tmp, Path(tempfile.gettempdir())]
    roots += [Path(p) for p in ("/tmp", "/var/tmp", "/dev/shm") if Path(p).is_dir()]
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {token}"}
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.stream("GET", f"{base}/api/v1/evidence/{video}/view", headers=auth,
                          timeout=30) as r:  # fmt: skip
            assert r.status_code == 200
            got = bytearray()
            parts = r.iter_bytes(64 * 1024)
            got += next(parts)
            # mid-response: the server holds the rest; nothing of it is on disk
            os.kill(proc.pid, signal.SIGSTOP)
            try:
                during = _files_holding(CANARY, roots, started)
            finally:
                os.kill(proc.pid, signal.SIGCONT)
            for part in parts:
                got += part
        assert bytes(got) == MP4
        assert during == []
        r = httpx.get(f"{base}/api/v1/evidence/{video}/view", headers={**auth,
                      "Range": "bytes=2000000-2100000"}, timeout=30)  # fmt: skip
        assert r.status_code == 206 and r.content == MP4[2000000:2100001]
        if shutil.which("pdftoppm"):
            r = httpx.get(f"{base}/api/v1/evidence/{pdf_sha}/view", params={"page": 1},
                          headers=auth, timeout=60)  # fmt: skip
            assert r.status_code == 200 and r.content.startswith(b"\x89PNG")
        assert _files_holding(CANARY, roots, started) == []
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert _files_holding(CANARY, roots, started) == []
    assert _files_holding(CANARY, [root, server_tmp], None) == []


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="needs exiftool: .ci/run")
def test_same_media_review_blurs_a_graphic_item_and_shows_it_through_the_view(
    client: Client, seeded: dict[str, Any], app: Any, tmp_path: Path
) -> None:
    from dalil.services import evidence
    from dalil.synth.media_images import jpeg, scene, transform

    photo, copy = tmp_path / "review-photo.jpg", tmp_path / "review-copy.jpg"
    photo.write_bytes(jpeg(scene(91)))
    copy.write_bytes(transform(scene(91), "resize", seed=3))
    a, b = evidence.add_files(app.state.case, USERS["admin"], [photo, copy], ocr=False,
                              graphic=True)  # fmt: skip
    assert a.item.graphic and b.item.graphic
    client.login("investigator")
    lo, hi = sorted((a.item.id, b.item.id))
    page = client.get("/same-media").text
    start = page.index(f'aria-labelledby="pair-{lo}-{hi}"')
    section = page[start : page.index("</section>", start)]
    for item in (a.item, b.item):
        assert f'<div class="viewer graphic" id="viewer-{lo}-{hi}-{item.id}">' in section
        assert f'src="/evidence/{item.sha256}/view"' in section
        assert f'aria-controls="viewer-{lo}-{hi}-{item.id}" aria-pressed="false"' in section
    r = client.get(f"/evidence/{a.item.sha256}/view")
    assert r.status_code == 200 and r.content == photo.read_bytes()
    assert r.headers["content-type"] == "image/jpeg"
