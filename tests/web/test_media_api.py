"""REST twins of ``dalil evidence metadata|similar|same-media|transcript|ocr``: the same
services, within each role's rights, logged where the CLI is logged."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dalil.synth.media_images import jpeg, scene, transform

from .conftest import EVIDENCE_TEXT, USERS, Client

pytestmark = pytest.mark.skipif(
    shutil.which("exiftool") is None, reason="needs exiftool (libimage-exiftool-perl): .ci/run"
)


def _h(seeded: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded['tokens'][role]}"}


def _upload(client: Client, seeded: dict[str, Any], name: str, data: bytes) -> dict[str, Any]:
    """Upload a photo; its metadata and hash are read by a ``media`` job (not inside the
    request): wait for it."""
    from dalil.services import jobs

    r = client.post(
        "/api/v1/evidence",
        params={"name": name},
        content=data,
        headers={**_h(seeded, "investigator"), "Content-Type": "image/jpeg"},
    )
    assert r.status_code == 201, r.text
    out = dict(r.json())
    assert isinstance(out.get("media_job"), int), out
    assert jobs.wait(client.app.state.case, out["media_job"], timeout=120) == "done"
    return out


def test_metadata_similar_and_same_media_by_api(
    client: Client, seeded: dict[str, Any], tmp_path: Path, app: Any
) -> None:
    photo = tmp_path / "api-photo.jpg"
    photo.write_bytes(jpeg(scene(57)))
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", "-GPSLatitude=35.9", "-GPSLatitudeRef=N",
         "-GPSLongitude=36.0", "-GPSLongitudeRef=E", "-Make=FictionalCam", str(photo)],
        check=True,
    )  # fmt: skip
    a = _upload(client, seeded, "api-photo.jpg", photo.read_bytes())
    assert a["media_type"] == "image/jpeg" and isinstance(a.get("ocr_job"), int)
    b = _upload(client, seeded, "api-copy.jpg", transform(scene(57), "resize", seed=2))
    other = _upload(client, seeded, "api-other.jpg", jpeg(scene(58)))

    # metadata: the position is protected; a viewer reads none of it
    r = client.get(f"/api/v1/evidence/{a['id']}/metadata", headers=_h(seeded, "analyst"))
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["gps"] == "protected"
    assert r.json()["summary"]["device"]["make"] == "FictionalCam"
    assert (
        client.get(f"/api/v1/evidence/{a['id']}/metadata", headers=_h(seeded, "viewer")).status_code
        == 403
    )
    r = client.post(
        f"/api/v1/evidence/{a['id']}/metadata/reveal",
        json={"reason": "check the place"},
        headers=_h(seeded, "analyst"),
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/evidence/{a['id']}/metadata/reveal",
        json={"reason": "check the place"},
        headers=_h(seeded, "investigator"),
    )
    assert r.status_code == 200 and r.json()["summary"]["gps"]["lat"] == pytest.approx(35.9)
    custody = client.get(
        f"/api/v1/evidence/{a['sha256']}/custody", headers=_h(seeded, "investigator")
    ).json()
    assert "evidence.reveal_location" in [e["action"] for e in custody]

    # similar: the resized copy, not the unrelated photo
    r = client.get(f"/api/v1/evidence/{a['id']}/similar", headers=_h(seeded, "viewer"))
    assert r.status_code == 200, r.text
    assert [x["id"] for x in r.json()] == [b["id"]]
    assert (
        client.get(f"/api/v1/evidence/{other['id']}/similar", headers=_h(seeded, "analyst")).json()
        == []
    )

    # the evidence page lists the copy, for a role that reads the content
    browser = Client(app)
    try:
        browser.login("analyst")
        page = browser.get(f"/evidence/{a['sha256']}")
    finally:
        browser.close()
    assert page.status_code == 200
    assert f'href="/evidence/{b["sha256"]}"' in page.text
    assert "The same picture in other items" in page.text
    # where it was taken: a form for roles that may reveal, the reason beside the field
    browser = Client(app)
    try:
        browser.login("investigator")
        shown = browser.get(f"/evidence/{a['sha256']}")
        assert f'action="/evidence/{a["id"]}/location"' in shown.text
        token = browser.csrf(f"/evidence/{a['sha256']}")
        url = f"/evidence/{a['id']}/location"
        empty = browser.post(url, data={"reason": "", "csrf_token": token})
        assert empty.status_code == 422 and 'id="location-reason-error"' in empty.text
        assert "needs a reason" in empty.text
        where = browser.post(url, data={"reason": "check the place", "csrf_token": token})
        assert where.status_code == 200 and "35.9" in where.text
    finally:
        browser.close()
    assert 'action="/evidence/' + str(a["id"]) + '/location"' not in page.text  # analyst
    # the same-media queue holds the pair; a viewer may not decide; a writer may
    queue = client.get("/api/v1/same-media", headers=_h(seeded, "analyst")).json()
    pair = sorted((a["id"], b["id"]))
    assert [q for q in queue if [q["a"], q["b"]] == pair]
    decision = {"a": b["id"], "b": a["id"], "verdict": "reject", "reason": "two shots"}
    r = client.post("/api/v1/same-media/decide", json=decision, headers=_h(seeded, "viewer"))
    assert r.status_code == 403
    r = client.post("/api/v1/same-media/decide", json=decision, headers=_h(seeded, "analyst"))
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    rejected = client.get(
        "/api/v1/same-media", params={"status": "rejected"}, headers=_h(seeded, "analyst")
    ).json()
    mine = [q for q in rejected if [q["a"], q["b"]] == pair]
    assert mine and mine[0]["reason"] == "two shots" and mine[0]["decided_by"]
    bad = dict(decision, verdict="maybe")
    r = client.post("/api/v1/same-media/decide", json=bad, headers=_h(seeded, "analyst"))
    assert r.status_code == 422 and "verdict" in r.json()["error"]


def test_transcript_read_and_correct_by_api(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    sha = seeded["evidence"]
    browser = Client(app)  # the transcript page links back to an evidence page that exists
    try:
        browser.login("analyst")
        page = browser.get(f"/evidence/{sha}/transcript")
        assert page.status_code == 200 and f'href="/evidence/{sha}"' in page.text
        assert browser.get(f"/evidence/{sha}").status_code == 200
    finally:
        browser.close()
    r = client.get(f"/api/v1/evidence/{sha}/transcript", headers=_h(seeded, "analyst"))
    assert r.status_code == 200, r.text
    before = r.json()
    assert EVIDENCE_TEXT.decode().split()[0] in before["text"]
    assert (
        client.get(f"/api/v1/evidence/{sha}/transcript", headers=_h(seeded, "viewer")).status_code
        == 403
    )
    text = before["text"] + "A fictional line added through the API.\n"
    r = client.post(
        f"/api/v1/evidence/{sha}/transcript",
        json={"text": text, "note": "api test"},
        headers=_h(seeded, "investigator"),
    )
    assert r.status_code == 201, r.text
    after = client.get(f"/api/v1/evidence/{sha}/transcript", headers=_h(seeded, "analyst")).json()
    assert len(after["versions"]) == len(before["versions"]) + 1
    assert after["versions"][-1]["author"] == USERS["investigator"]
    assert after["text"].endswith("A fictional line added through the API.\n")
    r = client.post(
        f"/api/v1/evidence/{sha}/transcript", json={"text": ""}, headers=_h(seeded, "investigator")
    )
    assert r.status_code == 422
    # OCR of a typed text is refused with a one-line reason
    r = client.post(f"/api/v1/evidence/{sha}/ocr", json={}, headers=_h(seeded, "investigator"))
    assert r.status_code == 422 and "OCR reads PDFs and images" in r.json()["error"]
