"""Capture a web page with headless Chromium (Playwright) into a WACZ file.

What is saved (the Berkeley Protocol's minimum for online material): every HTTP response
the page loaded (as WARC ``request``/``response`` records, from a HAR that Playwright
records with the bodies), a full-page screenshot (``resource`` record, ``image/png``,
``urn:screenshot:<url>``), the DOM as rendered (``resource`` record, ``text/html``,
``urn:dom:<url>``), the HAR itself, ``pages/pages.jsonl`` (URL, time, title), a CDXJ
index of the WARC (``indexes/index.cdx``, see :mod:`dalil.sources.cdxj`) and
``datapackage.json`` with the SHA-256 and size of each file, its own SHA-256 in
``datapackage-digest.json``. The hashes are taken at collection, before anything leaves
this machine's memory for the file. Pure library: no case.

Responses are stored decoded (Chromium hands over bodies without their transfer or
content encoding), so ``Content-Encoding``/``Transfer-Encoding`` are dropped and
``Content-Length`` set to the stored body, as replay tools expect.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dalil import __version__
from dalil.display.messages import N_, Message
from dalil.errors import InputError
from dalil.sources.cdxj import index_warc

#: Chromium used when none is named (``$DALIL_CHROMIUM`` overrides it).
DEFAULT_CHROMIUM = "/usr/bin/chromium"
_DROP = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass
class BrowserCapture:
    url: str
    final_url: str
    title: str
    captured_at: str
    responses: int
    files: dict[str, dict[str, Any]]  # path in the WACZ -> {"sha256", "bytes"}
    wacz_sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "final_url": self.final_url,
            "title": self.title,
            "captured_at": self.captured_at,
            "responses": self.responses,
            "files": self.files,
            "wacz_sha256": self.wacz_sha256,
        }


def _check_url(url: str) -> str:
    u = (url or "").strip()
    if not u.lower().startswith(("http://", "https://")) or len(u) > 4000:
        raise InputError(Message(N_("not an http:// or https:// URL: %(url)s"), url=repr(u[:100])))
    return u


def _warc_date(iso: str | None) -> str:
    if not iso:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        return (
            datetime.fromisoformat(iso.replace("Z", "+00:00"))
            .astimezone(UTC)
            .strftime("%Y-%m-%dT%H:%M:%SZ")
        )
    except ValueError:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _body(content: dict[str, Any]) -> bytes:
    text = content.get("text")
    if text is None:
        return b""
    if content.get("encoding") == "base64":
        return base64.b64decode(text)
    return str(text).encode("utf-8")


def har_to_warc(har: dict[str, Any], extra: list[tuple[str, str, bytes]], when: str) -> bytes:
    """A gzipped WARC of the HAR's entries, then the *extra* ``(uri, type, bytes)``
    resource records (screenshot, DOM)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    w.write_record(
        w.create_warcinfo_record(
            "capture.warc.gz", {"software": f"dalil {__version__} (Playwright, Chromium)"}
        )
    )
    n = 0
    for e in har.get("log", {}).get("entries", []):
        req, resp = e.get("request", {}), e.get("response", {})
        url = str(req.get("url", ""))
        status = int(resp.get("status") or 0)
        if not url.lower().startswith(("http://", "https://")) or status <= 0:
            continue
        date = _warc_date(e.get("startedDateTime"))
        body = _body(resp.get("content", {}))
        headers = [
            (h["name"], h["value"])
            for h in resp.get("headers", [])
            if h.get("name", "").lower() not in _DROP and not h.get("name", "").startswith(":")
        ]
        headers.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(
            f"{status} {resp.get('statusText') or 'OK'}", headers, protocol="HTTP/1.1"
        )
        rec = w.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
        req_http = StatusAndHeaders(
            f"{req.get('method', 'GET')} /{path}",
            [
                (h["name"], h["value"])
                for h in req.get("headers", [])
                if not h.get("name", "").startswith(":")
            ],
            protocol="HTTP/1.1",
            is_http_request=True,
        )
        reqrec = w.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=req_http,
            warc_headers_dict={"WARC-Date": date},
        )
        w.write_request_response_pair(reqrec, rec)
        n += 1
    for uri, ctype, data in extra:
        w.write_record(
            w.create_warc_record(
                uri,
                "resource",
                payload=io.BytesIO(data),
                length=len(data),
                warc_content_type=ctype,
                warc_headers_dict={"WARC-Date": when},
            )
        )
    if n == 0:
        raise InputError(Message(N_("the page loaded no HTTP response to keep")))
    return buf.getvalue()


def capture(
    url: str,
    out: str | os.PathLike[str],
    *,
    chromium: str | None = None,
    timeout_s: float = 60.0,
    wait_s: float = 1.0,
) -> BrowserCapture:
    """Load *url* in headless Chromium and write a WACZ to *out* (must not exist)."""
    url = _check_url(url)
    out = Path(out)
    if out.exists() or out.is_symlink():
        raise InputError(Message(N_("%(path)s already exists; choose a new path"), path=str(out)))
    if out.suffix.lower() != ".wacz":
        raise InputError(
            Message(N_("the capture is written as a WACZ file: give a name ending .wacz"))
        )
    exe = chromium or os.environ.get("DALIL_CHROMIUM") or DEFAULT_CHROMIUM
    if not Path(exe).is_file():
        raise InputError(
            Message(
                N_("Chromium not found at %(path)s (set --chromium or $DALIL_CHROMIUM)"), path=exe
            )
        )
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise InputError(
            Message(N_("capturing needs Playwright: pip install 'dalil[capture]'"))
        ) from None
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with tempfile.TemporaryDirectory(prefix="dalil-capture-") as tmp:
        har_path = Path(tmp) / "capture.har"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=exe,
                    args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
                )
                try:
                    ctx = browser.new_context(
                        record_har_path=str(har_path),
                        record_har_content="embed",
                        service_workers="block",
                    )
                    page = ctx.new_page()
                    resp = page.goto(url, wait_until="load", timeout=timeout_s * 1000)
                    if resp is None:
                        raise InputError(Message(N_("%(url)s: no response"), url=url))
                    page.wait_for_timeout(wait_s * 1000)
                    title = page.title()
                    final_url = page.url
                    shot = page.screenshot(full_page=True, type="png")
                    dom = page.content().encode("utf-8")
                    ctx.close()  # writes the HAR
                finally:
                    browser.close()
        except PlaywrightError as e:
            first = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise InputError(
                Message(
                    N_("%(url)s: the browser could not load it (%(fault)s)"),
                    url=url,
                    fault=first[:200],
                )
            ) from None
        har_raw = har_path.read_bytes()
    har = json.loads(har_raw)
    warc = har_to_warc(
        har,
        [
            (f"urn:screenshot:{final_url}", "image/png", shot),
            (f"urn:dom:{final_url}", "text/html", dom),
        ],
        when,
    )
    members: dict[str, bytes] = {
        "archive/capture.warc.gz": warc,
        "indexes/index.cdx": index_warc(warc, "capture.warc.gz"),
        "pages/pages.jsonl": (
            json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"})
            + "\n"
            + json.dumps({"id": "p1", "url": final_url, "ts": when, "title": title})
            + "\n"
        ).encode("utf-8"),
        "har/capture.har": har_raw,
        "screenshot/page.png": shot,
        "dom/page.html": dom,
    }
    files: dict[str, dict[str, Any]] = {
        k: {"sha256": hashlib.sha256(v).hexdigest(), "bytes": len(v)} for k, v in members.items()
    }
    dp = {
        "profile": "data-package",
        "wacz_version": "1.1.1",
        "software": f"dalil {__version__}",
        "created": when,
        "title": title,
        "mainPageUrl": final_url,
        "mainPageDate": when,
        "resources": [
            {
                "name": k.rsplit("/", 1)[-1],
                "path": k,
                "hash": "sha256:" + f["sha256"],
                "bytes": f["bytes"],
            }
            for k, f in files.items()
        ],
    }
    dp_raw = json.dumps(dp, indent=2, ensure_ascii=False).encode("utf-8")
    digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(dp_raw).hexdigest()}
    tmp_out = out.with_name(f".{out.name}.partial")
    try:
        with zipfile.ZipFile(tmp_out, "x", compression=zipfile.ZIP_STORED) as z:
            for k, v in members.items():
                z.writestr(k, v)
            z.writestr("datapackage.json", dp_raw)
            z.writestr("datapackage-digest.json", json.dumps(digest))
        os.replace(tmp_out, out)
    except BaseException:
        tmp_out.unlink(missing_ok=True)
        raise
    files["datapackage.json"] = {
        "sha256": hashlib.sha256(dp_raw).hexdigest(),
        "bytes": len(dp_raw),
    }
    return BrowserCapture(
        url=url,
        final_url=final_url,
        title=title,
        captured_at=when,
        responses=sum(1 for _ in har.get("log", {}).get("entries", [])),
        files=files,
        wacz_sha256=hashlib.sha256(out.read_bytes()).hexdigest(),
    )
