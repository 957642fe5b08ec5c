"""A web capture uploaded through the JSON API (the same door as the web page's upload):
stored encrypted inside the request, then checked and recorded by a ``capture`` job (long
work never runs inside a request) like `dalil evidence add`; refused naming the file
inside when altered, with no record stored; the job survives a restart of the server."""

from __future__ import annotations

import hashlib
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
from dalil.services import captures, jobs, users
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


def _api(case: Case, *, inline_jobs: bool = True) -> tuple[Client, dict[str, str]]:
    with case.act() as ctx:
        users.add_user(ctx, "rana", "investigator", password="fictional pass phrase 9")
    with case.act("rana") as ctx:
        token, _ = users.issue_token(ctx, "rana")
    return Client(create_app(case=case, inline_jobs=inline_jobs)), {
        "Authorization": f"Bearer {token}"
    }


@pytest.fixture
def api(case: Case) -> Iterator[tuple[Client, dict[str, str]]]:
    c, h = _api(case)
    yield c, h
    c.close()


def items(case: Case) -> int:
    with case.system_session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(EvidenceItem)) or 0)


def _finished(case: Case, job_id: int) -> dict[str, Any]:
    assert jobs.wait(case, job_id, timeout=120) not in ("queued", "running")
    with case.act(write=False) as ctx:
        return dict(jobs.get(ctx, job_id))


def _wacz(tmp_path: Path) -> Path:
    with site() as base:
        warc = make_warc(tmp_path / "m.warc.gz", base)
    return make_wacz(
        tmp_path / "m.wacz",
        warc,
        [{"url": f"{base}/news/market.html", "ts": "2026-01-02T03:04:05Z", "title": "Market"}],
        sign_with=ec.generate_private_key(ec.SECP256R1()),
    )


def test_wacz_upload_is_stored_then_checked_and_recorded_by_a_job(
    case: Case, api: tuple[Client, dict[str, str]], tmp_path: Path
) -> None:
    client, h = api
    wacz = _wacz(tmp_path)
    r = client.post(
        "/api/v1/evidence",
        params={"name": "m.wacz"},
        content=wacz.read_bytes(),
        headers={**h, "Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 202, r.text
    d: dict[str, Any] = r.json()
    assert d["sha256"] == hashlib.sha256(wacz.read_bytes()).hexdigest()
    job = _finished(case, d["capture_job"])
    assert (job["kind"], job["state"], job["owner"]) == ("capture", "done", "rana"), job
    wc = job["result"]
    assert wc["evidence"]["copy_kind"] == "evidentiary"
    assert wc["capture"]["integrity"]["signature"]["verified"] is True
    assert [p["title"] for p in wc["capture"]["pages"]] == ["Market"]
    assert len(wc["media"]) == 1 and len(wc["texts"]) == 1
    assert items(case) == 3  # the capture, the photo, the page text
    # the same capture again: refused inside the request, nothing queued or added
    r = client.post(
        "/api/v1/evidence", params={"name": "m2.wacz"}, content=wacz.read_bytes(), headers=h
    )
    assert r.status_code == 422 and "already held" in r.text
    # a flipped byte inside: the job fails naming the member, nothing recorded
    data = bytearray(wacz.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("archive/data.warc.gz")
    data[info.header_offset + 30 + len(info.filename) + info.compress_size // 2] ^= 1
    r = client.post("/api/v1/evidence", params={"name": "bad.wacz"}, content=bytes(data), headers=h)
    assert r.status_code == 202, r.text
    bad = _finished(case, r.json()["capture_job"])
    assert bad["state"] == "failed" and "archive/data.warc.gz" in bad["error"]
    assert items(case) == 3


def test_a_capture_job_survives_a_restart_and_records_once(tmp_path: Path, passphrase: str) -> None:
    root = tmp_path / "case"
    case = Case.init(root, passphrase, admin="admin")
    client, h = _api(case, inline_jobs=False)  # as under `dalil serve`: no worker here
    wacz = _wacz(tmp_path)
    r = client.post(
        "/api/v1/evidence", params={"name": "m.wacz"}, content=wacz.read_bytes(), headers=h
    )
    assert r.status_code == 202, r.text
    job_id = r.json()["capture_job"]
    client.close()
    case.close()  # the server stops before any worker ran the job
    case = Case.open(root, passphrase)
    try:
        assert items(case) == 0
        with case.act(write=False) as ctx:
            assert jobs.get(ctx, job_id)["state"] == "queued"
        assert jobs.Worker(case).run_once()
        job = _finished(case, job_id)
        assert job["state"] == "done", job.get("error")
        assert items(case) == 3
        # a retry after the commit (its worker died before marking the job done) gives
        # what was recorded and records nothing twice
        again = captures.record_stored_capture(
            case, "rana", r.json()["sha256"], name="m.wacz", job=job_id
        )
        assert again["recorded_before"] is True
        assert again["evidence"]["sha256"] == r.json()["sha256"]
        assert items(case) == 3
    finally:
        case.close()


def test_a_capture_marked_graphic_is_stored_graphic(
    case: Case, api: tuple[Client, dict[str, str]], tmp_path: Path
) -> None:
    """The upload's graphic flag (the page's checkbox sends ``graphic=true``) reaches the
    capture job: the capture and the media inside it are shown blurred, like any upload."""
    client, h = api
    wacz = _wacz(tmp_path)
    r = client.post(
        "/api/v1/evidence",
        params={"name": "m.wacz", "graphic": "true"},
        content=wacz.read_bytes(),
        headers={**h, "Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 202, r.text
    job = _finished(case, r.json()["capture_job"])
    assert job["state"] == "done", job.get("error")
    with case.system_session(write=False) as s:
        flags = {
            (i.copy_kind, i.media_type.split(";")[0]): i.graphic
            for i in s.scalars(select(EvidenceItem))
        }
    assert flags[("evidentiary", "application/wacz")] is True
    assert flags[("working", "image/png")] is True
    # text extracted from the pages is not media: it is never shown blurred
    assert flags[("working", "text/plain")] is False


def test_a_capture_not_marked_graphic_is_not(
    case: Case, api: tuple[Client, dict[str, str]], tmp_path: Path
) -> None:
    client, h = api
    r = client.post(
        "/api/v1/evidence",
        params={"name": "m.wacz"},
        content=_wacz(tmp_path).read_bytes(),
        headers={**h, "Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 202, r.text
    assert _finished(case, r.json()["capture_job"])["state"] == "done"
    with case.system_session(write=False) as s:
        assert not any(s.scalars(select(EvidenceItem.graphic)))
