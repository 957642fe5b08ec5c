"""A web capture uploaded through the JSON API (the same door as the web page's upload):
checked like `dalil evidence add`, refused naming the file inside when altered, with no
record stored."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from dalil.core.case import Case
from dalil.model.evidence import EvidenceItem
from dalil.services import users
from dalil.web import create_app

from .webfixtures import make_wacz, make_warc, site


class Client:
    """Synchronous calls into the ASGI app (httpx's ASGI transport), as the web tests do."""

    def __init__(self, app: Any) -> None:
        import asyncio

        import httpx

        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    def post(self, url: str, **kw: Any) -> Any:
        return self.loop.run_until_complete(self.client.post(url, **kw))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@pytest.fixture
def api(case: Case) -> Iterator[tuple[Client, dict[str, str]]]:
    with case.act() as ctx:
        users.add_user(ctx, "rana", "investigator", password="fictional pass phrase 9")
    with case.act("rana") as ctx:
        token, _ = users.issue_token(ctx, "rana")
    app = create_app(case=case)
    c = Client(app)
    yield c, {"Authorization": f"Bearer {token}"}
    c.close()


def items(case: Case) -> int:
    with case.system_session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(EvidenceItem)) or 0)


def test_wacz_upload_is_checked_and_imported(
    case: Case, api: tuple[Client, dict[str, str]], tmp_path: Path
) -> None:
    client, h = api
    with site() as base:
        warc = make_warc(tmp_path / "m.warc.gz", base)
    wacz = make_wacz(
        tmp_path / "m.wacz",
        warc,
        [{"url": f"{base}/news/market.html", "ts": "2026-01-02T03:04:05Z", "title": "Market"}],
        sign_with=ec.generate_private_key(ec.SECP256R1()),
    )
    r = client.post(
        "/api/v1/evidence",
        params={"name": "m.wacz"},
        content=wacz.read_bytes(),
        headers={**h, "Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 201, r.text
    d: dict[str, Any] = r.json()
    assert d["copy_kind"] == "evidentiary"
    wc = d["web_capture"]
    assert wc["capture"]["integrity"]["signature"]["verified"] is True
    assert [p["title"] for p in wc["capture"]["pages"]] == ["Market"]
    assert len(wc["media"]) == 1 and len(wc["texts"]) == 1
    assert items(case) == 3  # the capture, the photo, the page text
    # a flipped byte inside: refused naming the member, nothing recorded
    data = bytearray(wacz.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("archive/data.warc.gz")
    data[info.header_offset + 30 + len(info.filename) + info.compress_size // 2] ^= 1
    r = client.post("/api/v1/evidence", params={"name": "bad.wacz"}, content=bytes(data), headers=h)
    assert r.status_code == 422, r.text  # InputError: one line naming the member
    assert "archive/data.warc.gz" in r.text
    assert items(case) == 3
