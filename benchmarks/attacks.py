"""Benchmark: replay the parser bombs of the issue-18 review and the load test.

For each hostile input, in this process: wall time and the peak memory of the process
that parsed it (the bounded worker's, read from ``RUSAGE_CHILDREN``; this process's own
peak for the in-process steps), and the outcome (text length or the one-line refusal).
Baselines in the same run: an ordinary document of the same kind, so each bomb's time is
also shown as a ratio to it.

Then the load test: ``GET /login`` timed repeatedly on an in-process app (a fresh case)
while a DOCX bomb is being uploaded and parsed, against the same requests with no
upload running (ratio of medians).

    .venv/bin/python benchmarks/attacks.py            # about a minute on 2 cores
    .venv/bin/python benchmarks/attacks.py --quick    # smaller bombs
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def docx(paragraphs: int) -> bytes:
    body = "<w:p><w:r><w:t>x</w:t></w:r></w:p>" * paragraphs
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
        'openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body + "</w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", doc)
    return buf.getvalue()


def pdf_bomb(depth: int) -> bytes:
    """A small PDF whose page content nests save/restore operators very deeply."""
    content = (
        b"q " * depth
        + b"BT /F1 12 Tf 72 720 Td (A fictional report of the night.) Tj ET "
        + b"Q " * depth
    ).strip()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _peak_children_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _peak_self_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def replay(name: str, data: bytes, fn: Callable[[bytes, str], str]) -> float:
    t0 = time.perf_counter()
    try:
        outcome = fn(data, name)
    except Exception as e:  # the refusal is the expected outcome for a bomb
        outcome = f"refused: {e}"
    dt = time.perf_counter() - t0
    print(
        f"{name:<28} {len(data) / 1024:9.1f} KB  {dt:7.2f} s  "
        f"peak worker {_peak_children_mb():7.0f} MB  self {_peak_self_mb():6.0f} MB  {outcome[:90]}"
    )
    return dt


def parsers(quick: bool) -> None:
    from dalil.sources.text import extract_bytes

    def text_of(data: bytes, name: str) -> str:
        return f"{len(extract_bytes(data, name).text)} chars of text"

    scale = 10 if quick else 1
    print("# parser bombs (HTML, PDF, DOCX through the bounded worker)")
    base_html = replay(
        "ordinary.html", b"<html><body><p>A fictional report.</p></body></html>", text_of
    )
    t = replay("unclosed-script.html", b"<script>x" * (300 * 1024 // 9 // scale), text_of)
    print(f"  ratio to the ordinary page: {t / base_html:.1f}x")
    base_docx = replay("ordinary.docx", docx(10), text_of)
    t = replay("paragraph-bomb.docx", docx(2_000_000 // scale), text_of)
    print(f"  ratio to the ordinary document: {t / base_docx:.1f}x")
    base_pdf = replay("ordinary.pdf", pdf_bomb(1), text_of)
    t = replay("nesting-bomb.pdf", pdf_bomb(200_000 // scale), text_of)
    print(f"  ratio to the ordinary PDF: {t / base_pdf:.1f}x")


def load(quick: bool) -> None:
    import httpx

    from dalil.core.case import Case
    from dalil.services import users
    from dalil.web import create_app

    pw = "fictional-benchmark-pw"
    with tempfile.TemporaryDirectory() as d:
        root = Path(d) / "case"
        case = Case.init(root, "fictional benchmark passphrase", admin="admin")
        with case.act() as ctx:
            users.update_user(ctx, "admin", password=pw)
        case.close()
        app = create_app(root, "fictional benchmark passphrase")
        bomb = docx(1_500_000 // (10 if quick else 1))

        async def scenario() -> tuple[list[float], list[float], float]:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as c:
                r = await c.get("/login")
                tok = r.text.split('name="csrf_token" value="')[1].split('"')[0]
                await c.post(
                    "/login", data={"username": "admin", "password": pw, "csrf_token": tok}
                )
                r = await c.get("/sources/new")
                tok = (
                    r.text.split('data-csrf="')[1].split('"')[0] if 'data-csrf="' in r.text else tok
                )

                async def logins(n: int) -> list[float]:
                    out = []
                    async with httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
                    ) as other:
                        for _ in range(n):
                            t0 = time.perf_counter()
                            await other.get("/login")
                            out.append(time.perf_counter() - t0)
                            await asyncio.sleep(0.05)
                    return out

                quiet = await logins(20)
                t0 = time.perf_counter()
                upload = asyncio.ensure_future(
                    c.post(
                        "/api/v1/sources/upload",
                        params={"name": "bomb.docx", "title": "Fictional hostile upload"},
                        content=bomb,
                        headers={"X-CSRF-Token": tok},
                    )
                )
                await asyncio.sleep(0.5)
                busy = await logins(20)
                await upload
                return quiet, busy, time.perf_counter() - t0

        quiet, busy, upload_s = asyncio.run(scenario())
        app.state.case.close()
    mq, mb = statistics.median(quiet), statistics.median(busy)
    print("# load: GET /login while a DOCX bomb is uploaded and parsed")
    print(f"quiet  median {mq * 1000:6.1f} ms  max {max(quiet) * 1000:6.1f} ms")
    print(
        f"busy   median {mb * 1000:6.1f} ms  max {max(busy) * 1000:6.1f} ms  (upload {upload_s:.1f} s)"
    )
    print(f"ratio busy/quiet (medians): {mb / mq:.2f}x; peak worker {_peak_children_mb():.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="bombs ten times smaller")
    args = ap.parse_args()
    os.environ.setdefault("DALIL_KDF_PROFILE", "test")
    os.environ.setdefault("DALIL_WEAK_KDF_OK", "1")  # a throw-away case
    print(
        f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; python {sys.version.split()[0]}"
    )
    parsers(args.quick)
    load(args.quick)


if __name__ == "__main__":
    main()
