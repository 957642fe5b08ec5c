"""Media evidence: metadata read at ingest and stored encrypted, GPS protected, flags,
keyframes, near-duplicates with a review queue and the two-incidents alert. All images,
places and devices are fictional (made in the test)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dalil.core.case import Case
from dalil.errors import PermissionDenied
from dalil.services import evidence, media, records, users
from dalil.synth.media_images import jpeg, scene, transform

pytestmark = pytest.mark.skipif(
    shutil.which("exiftool") is None, reason="needs exiftool (libimage-exiftool-perl): .ci/run"
)

CAPTION = "CANARYCAPTION fictional market at dusk"


def _tag(path: Path, lat: float, lon: float, when: str, serial: str = "FX-0042") -> None:
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", f"-GPSLatitude={lat}", "-GPSLatitudeRef=N",
         f"-GPSLongitude={lon}", "-GPSLongitudeRef=E", f"-DateTimeOriginal={when}",
         "-Make=FictionalCam", "-Model=FC-9", f"-SerialNumber={serial}",
         f"-IPTC:Caption-Abstract={CAPTION}", str(path)],
        check=True,
    )  # fmt: skip


def _setup(case: Case, tmp_path: Path) -> dict[str, int]:
    with case.act() as ctx:
        users.add_user(ctx, "vic", "viewer")
        users.add_user(ctx, "ana", "analyst")
        users.add_user(ctx, "ivo", "investigator")
        inc = records.add(ctx, "incident", title="Fictional shelling", date_start="2025-03-07",
                          lat=35.0, lon=36.0)  # fmt: skip
    p = tmp_path / "photo.jpg"
    p.write_bytes(jpeg(scene(1)))
    # about 100 km north of the incident, a week later
    _tag(p, 35.9, 36.0, "2025:03:14 10:00:00")
    item = evidence.add_files(case, "ana", [p])[0].item
    with case.act() as ctx:
        records.add(ctx, "provenance", subject_kind="incident", subject_id=inc.id,
                    evidence_id=item.id, role="supports")  # fmt: skip
    return {"incident": inc.id, "item": item.id}


def test_metadata_gps_flags_and_protection(any_case: Case, tmp_path: Path) -> None:
    case = any_case
    ids = _setup(case, tmp_path)
    with case.act(write=False) as ctx:
        item = evidence.get_item(ctx, ids["item"])
        assert item.media_type == "image/jpeg"
    # a viewer reads no content, so no metadata
    with pytest.raises(PermissionDenied), case.act("vic") as ctx:
        media.metadata(ctx, ids["item"])
    # an analyst sees metadata and flags, not the position
    with case.act("ana") as ctx:
        m = media.metadata(ctx, ids["item"])
    assert m["summary"]["gps"] == "protected"
    assert m["summary"]["device"]["serial"] == "FX-0042"
    assert m["summary"]["capture_time"] == "2025-03-14T10:00:00"
    assert m["summary"]["caption"] == CAPTION
    assert not any("GPS" in k for k in m["tags"])
    kinds = {f["flag"]: f for f in m["flags"]}
    assert 95 < kinds["gps_distance"]["km"] < 105
    assert kinds["capture_time"]["days"] == 7
    # the analyst may not reveal it; the investigator may, with a reason, logged
    with pytest.raises(PermissionDenied), case.act("ana") as ctx:
        media.metadata(ctx, ids["item"], reveal_gps=True, reason="check")
    with case.act("ivo") as ctx:
        m2 = media.metadata(ctx, ids["item"], reveal_gps=True, reason="verify location")
        steps = [e["action"] for e in evidence.custody(ctx, ids["item"])]
    assert m2["summary"]["gps"]["lat"] == pytest.approx(35.9)
    assert "evidence.reveal_location" in steps and "evidence.media" in steps


def test_same_device_and_no_plaintext_on_disk(any_case: Case, tmp_path: Path) -> None:
    case = any_case
    ids = _setup(case, tmp_path)
    p2 = tmp_path / "other.jpg"
    p2.write_bytes(jpeg(scene(2)))
    _tag(p2, 35.0, 36.0, "2025:03:07 08:00:00")
    other = evidence.add_files(case, None, [p2])[0].item.id
    with case.act() as ctx:
        m = media.metadata(ctx, other)
    same = [f for f in m["flags"] if f["flag"] == "same_device"]
    assert same and same[0]["items"] == [ids["item"]]
    case.close()
    needles = [CAPTION.encode(), b"CANARYCAPTION", b"FX-0042", b"35.9", b"FictionalCam"]
    for f in case.root.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert not [n for n in needles if n in data], f


def test_similar_queue_decision_and_two_incidents_alert(case: Case, tmp_path: Path) -> None:
    ids = _setup(case, tmp_path)
    im = scene(1)
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(transform(im, "resize", seed=3))
    unrelated = tmp_path / "unrelated.jpg"
    unrelated.write_bytes(jpeg(scene(99)))
    c = evidence.add_files(case, None, [copy])[0].item.id
    u = evidence.add_files(case, None, [unrelated])[0].item.id
    with case.act(write=False) as ctx:
        sim = media.similar(ctx, ids["item"])
        assert [r["id"] for r in sim] == [c]
        assert media.similar(ctx, u) == []
        queue = media.review_queue(ctx)
    assert [(q["a"], q["b"]) for q in queue] == [(ids["item"], c)]
    # the copy is linked to another incident: the alert shows on the item
    with case.act() as ctx:
        inc2 = records.add(ctx, "incident", title="Fictional raid elsewhere")
        records.add(ctx, "provenance", subject_kind="incident", subject_id=inc2.id,
                    evidence_id=c, role="supports")  # fmt: skip
        media.decide(ctx, c, ids["item"], "accept", reason="same photo, resized")
        m = media.metadata(ctx, ids["item"])
    alert = [f for f in m["flags"] if f["flag"] == "same_media_two_incidents"]
    assert alert and alert[0]["incidents"] == [ids["incident"], inc2.id]
    with case.act(write=False) as ctx:
        assert media.review_queue(ctx) == []
        assert media.review_queue(ctx, status="accepted")[0]["decided_by"] == "admin"


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg: .ci/run")
def test_video_keyframes_are_working_copies(case: Case, tmp_path: Path) -> None:
    v = tmp_path / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=11:size=320x240:rate=10",
         "-pix_fmt", "yuv420p", str(v)],
        check=True, timeout=120,
    )  # fmt: skip
    item = evidence.add_files(case, None, [v])[0].item
    assert item.media_type == "video/mp4"
    with case.act(write=False) as ctx:
        frames = [
            i for i in evidence.list_items(ctx, copy_kind="working") if i.derived_from_id == item.id
        ]
    # one frame per 5 s of an 11 s clip (the filter places them mid-interval: 2 or 3)
    assert 2 <= len(frames) <= 3 and all(f.media_type == "image/png" for f in frames)
    with case.act() as ctx:
        m = media.metadata(ctx, item.id)
    assert 10.5 < m["summary"]["duration"] < 11.5
    assert m["summary"]["keyframes"] == len(frames)


def test_caption_is_searchable_within_permissions(case: Case, tmp_path: Path) -> None:
    from dalil.services import search

    ids = _setup(case, tmp_path)
    with case.act("ana") as ctx:
        hits = search.search(ctx, "market dusk")["hits"]
    assert [(h["kind"], h["id"]) for h in hits] == [("evidence", ids["item"])]
    with case.act("vic") as ctx:
        assert search.search(ctx, "market dusk")["total"] == 0
