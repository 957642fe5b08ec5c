"""Fictional web pages served on loopback, captured into WARC and WACZ files by the test
itself (warcio records the HTTP exchanges; the WACZ is zipped and signed here)."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import threading
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dalil.sources.cdxj import index_warc


def tiny_png(rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + bytes(rgb) * 4 for _ in range(4))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Fictional shelling of Tal Zaytun market</title></head><body>
<article><h1>Fictional shelling of Tal Zaytun market</h1>
<p>On a fictional morning, residents of the fictional town of Tal Zaytun reported that the
covered market was struck while it was crowded. This text is invented for a test.</p>
<p>A fictional local committee said the dead included vendors and shoppers.</p>
<img src="/photo.png" alt="fictional photo"></article></body></html>"""
PAGE_AR = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>قصف سوق تل الزيتون (نص متخيل)</title></head><body><article>
<p>أفاد سكان بلدة تل الزيتون المتخيلة بأن السوق المسقوف تعرض للقصف وهو مزدحم. هذا نص مختلق للاختبار.</p>
</article></body></html>"""


@contextmanager
def site() -> Iterator[str]:
    """Serve the fictional pages on 127.0.0.1; yield the base URL."""
    files = {
        "/news/market.html": ("text/html; charset=utf-8", PAGE.encode()),
        "/ar/market.html": ("text/html; charset=utf-8", PAGE_AR.encode()),
        "/photo.png": ("image/png", tiny_png()),
    }

    class H(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ctype, body = files.get(self.path, ("text/plain", b""))
            self.send_response(200 if self.path in files else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a: object) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


def make_warc(
    path: Path, base: str, paths: tuple[str, ...] = ("/news/market.html", "/photo.png")
) -> Path:
    from warcio.capture_http import capture_http

    with capture_http(str(path)):
        for p in paths:
            urllib.request.urlopen(base + p, timeout=30).read()
    return path


def make_wacz(
    path: Path,
    warc_gz: Path,
    pages: list[dict[str, str]],
    *,
    sign_with: ec.EllipticCurvePrivateKey | None = None,
    signed_data_for: Callable[[str], dict[str, object]] | None = None,
) -> Path:
    warc = warc_gz.read_bytes()
    members = {
        "archive/data.warc.gz": warc,
        "indexes/index.cdx": index_warc(warc, "data.warc.gz"),
        "pages/pages.jsonl": (
            json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"})
            + "\n"
            + "".join(json.dumps(p) + "\n" for p in pages)
        ).encode(),
    }
    dp = {
        "profile": "data-package",
        "wacz_version": "1.1.1",
        "software": "dalil test fixture",
        "created": "2026-01-02T03:04:05Z",
        "resources": [
            {
                "name": name.rsplit("/", 1)[-1],
                "path": name,
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            }
            for name, data in members.items()
        ],
    }
    dp_raw = json.dumps(dp, indent=2).encode()
    digest = "sha256:" + hashlib.sha256(dp_raw).hexdigest()
    dd: dict[str, object] = {"path": "datapackage.json", "hash": digest}
    if sign_with is not None:
        spki = sign_with.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        dd["signedData"] = {
            "hash": digest,
            "created": "2026-01-02T03:04:06Z",
            "software": "dalil test fixture",
            "publicKey": base64.b64encode(spki).decode(),
            "signature": base64.b64encode(
                sign_with.sign(digest.encode(), ec.ECDSA(hashes.SHA256()))
            ).decode(),
        }
    if signed_data_for is not None:
        dd["signedData"] = signed_data_for(digest)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        z.writestr("datapackage.json", dp_raw)
        z.writestr("datapackage-digest.json", json.dumps(dd))
    return path
