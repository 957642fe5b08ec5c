"""Viewing evidence (``services.viewing``): who may, byte ranges decrypted chunk by chunk,
the type from the content (never the label), a PDF as a rendered page, every view logged."""

from __future__ import annotations

import io
import shutil
from typing import Any

import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import InputError, NotFound, PermissionDenied
from dalil.services import evidence, users, viewing
from dalil.synth.media_files import text_pdf

#: A fake MP4 (its first bytes are an ISO base media ``ftyp`` box) of about 2.6 chunks.
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41" + bytes(range(256)) * 10_500


def _setup(case: Case) -> dict[str, Any]:
    with case.act("admin") as ctx:
        for role in ("investigator", "analyst", "legal", "viewer"):
            users.add_user(ctx, role, role, f"pw-{role}-fictional-1")
    admin = case.actor("admin")
    video = evidence.add_bytes(case, admin, MP4, name="clip-fictional.mp4").item
    secret = evidence.add_bytes(case, admin, MP4[:5000] + b"sensitive", name="w.mp4",
                                sensitive=True).item  # fmt: skip
    return {"video": video.sha256, "secret": secret.sha256}


def _views(case: Case, sha: str) -> list[dict[str, Any]]:
    with case.act("admin", write=False) as ctx:
        return [
            e.to_dict()
            for e in audit.query(ctx.session, object_id=f"evidence:{sha}", action="evidence.view")
        ]


def test_ranges_decrypt_exactly_the_bytes_asked_for_across_chunks(any_case: Case) -> None:
    ids = _setup(any_case)
    assert any_case.blobs.chunk_size < len(MP4) // 2  # the ranges cross chunk boundaries
    total = len(MP4)
    for header, (start, end) in {
        "bytes=0-": (0, total - 1),
        "bytes=1048570-1048600": (1048570, 1048600),  # across the first chunk boundary
        "bytes=2000000-": (2000000, total - 1),
        "bytes=-100": (total - 100, total - 1),
        "bytes=5-5": (5, 5),
        "bytes=10-99999999": (10, total - 1),  # a last byte past the end is cut
    }.items():
        v = viewing.open_view(any_case, "analyst", ids["video"], byte_range=header)
        assert (v.start, v.end, v.total, v.partial) == (start, end, total, True)
        assert v.media_type == "video/mp4" and v.kind == "video"
        assert b"".join(v.chunks) == MP4[start : end + 1]
    whole = viewing.open_view(any_case, "analyst", ids["video"])
    assert not whole.partial and b"".join(whole.chunks) == MP4
    # several ranges or nonsense: the whole (RFC 9110 lets a server ignore them)
    for header in ("bytes=0-1,5-6", "items=0-5", "bytes=9-3"):
        v = viewing.open_view(any_case, "analyst", ids["video"], byte_range=header)
        assert not v.partial and v.length == total
    with pytest.raises(viewing.RangeNotSatisfiable) as err:
        viewing.open_view(any_case, "analyst", ids["video"], byte_range=f"bytes={total}-")
    assert err.value.total == total


def test_every_view_is_logged_with_its_range_and_the_viewer(any_case: Case) -> None:
    ids = _setup(any_case)
    before = len(_views(any_case, ids["video"]))
    viewing.open_view(any_case, "analyst", ids["video"], byte_range="bytes=100-199", via="api")
    viewing.open_view(any_case, "legal", ids["video"])
    entries = _views(any_case, ids["video"])[before:]
    assert [(e["actor"], e["detail"]["range"], e["detail"]["via"]) for e in entries] == [
        ("analyst", "100-199", "api"),
        ("legal", None, "web"),
    ]
    assert all(e["detail"]["sha256"] == ids["video"] for e in entries)


def test_viewer_role_and_sensitive_items_are_refused_and_the_refusal_logged(
    any_case: Case,
) -> None:
    ids = _setup(any_case)
    with pytest.raises(PermissionDenied):
        viewing.open_view(any_case, "viewer", ids["video"])
    with pytest.raises(PermissionDenied):  # the analyst may not read sensitive items
        viewing.open_view(any_case, "analyst", ids["secret"])
    assert viewing.open_view(any_case, "investigator", ids["secret"]).kind == "video"
    with any_case.act("admin", write=False) as ctx:
        denied = audit.query(ctx.session, action="access.denied")
        assert {e.actor for e in denied} >= {"viewer", "analyst"}
    # no view entry for a refused view
    assert {e["actor"] for e in _views(any_case, ids["video"])} == set()
    assert {e["actor"] for e in _views(any_case, ids["secret"])} == {"investigator"}


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", b"<!doctype html><script>alert(1)</script>"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("notes.txt", b"plain text"),
    ],
)
def test_html_svg_and_other_types_are_never_viewable(case: Case, name: str, data: bytes) -> None:
    admin = case.actor("admin")
    item = evidence.add_bytes(case, admin, data, name=name).item
    with pytest.raises(InputError) as err:
        viewing.open_view(case, "admin", item.sha256)
    assert err.value.code == "not_viewable"


def test_a_label_that_lies_about_the_content_is_refused(case: Case) -> None:
    """HTML stored with the label image/png (an upload's declared type) is not sent as an
    image: the type sent is the one the bytes show."""
    admin = case.actor("admin")
    res = evidence.add_stream(case, admin, io.BytesIO(b"<html><script>alert(1)</script>"),
                              name="x.png", media_type="image/png", ocr=False)  # fmt: skip
    assert res.item.media_type == "image/png"
    with pytest.raises(InputError) as err:
        viewing.open_view(case, "admin", res.item.sha256)
    assert err.value.code == "not_viewable"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_a_pdf_is_shown_as_rendered_page_pictures(case: Case) -> None:
    pdf = text_pdf(3)
    admin = case.actor("admin")
    item = evidence.add_bytes(case, admin, pdf, name="report-fictional.pdf").item
    v = viewing.open_view(case, "admin", item.sha256, page=2)
    png = b"".join(v.chunks)
    assert v.media_type == "image/png" and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert (v.page, v.pages, v.length) == (2, 3, len(png))
    assert viewing.pdf_page_count(case, "admin", item.sha256) == 3
    with pytest.raises(NotFound):
        viewing.open_view(case, "admin", item.sha256, page=4)
    pages = [e["detail"]["page"] for e in _views(case, item.sha256)]
    assert pages == [2, 4]  # the refused page was asked for, and logged


def test_graphic_flag_is_metadata_edited_with_an_audited_version(case: Case) -> None:
    admin = case.actor("admin")
    item = evidence.add_bytes(case, admin, MP4, name="clip.mp4").item
    assert item.graphic is False
    with case.act("admin") as ctx:
        evidence.update_item(ctx, item.sha256, graphic=True)
    with case.act("admin", write=False) as ctx:
        (e,) = [x.to_dict() for x in audit.query(ctx.session, action="evidence.update")]
    assert e["detail"]["before"] == {"graphic": False}
    assert e["detail"]["after"] == {"graphic": True}
    assert viewing.open_view(case, "admin", item.sha256).graphic is True


def test_graphic_at_ingest_by_the_cli_and_kept_when_added_again(
    case: Case, dalil: Any, tmp_path: Any
) -> None:
    import json

    clip = tmp_path / "clip-fictional.mp4"
    clip.write_bytes(MP4)
    r = dalil("evidence", "add", str(clip), "--graphic", "--no-ocr", "--json")
    assert r.exit_code == 0, r.stderr
    (added,) = json.loads(r.stdout)
    assert added["graphic"] is True
    # the same bytes added again without the flag: the warning stays
    res = evidence.add_bytes(case, case.actor("admin"), MP4, name="again.mp4")
    assert res.created is False and res.item.graphic is True
    plain = evidence.add_bytes(case, case.actor("admin"), MP4 + b"x", name="other.mp4")
    assert plain.item.graphic is False
    again = evidence.add_bytes(case, case.actor("admin"), MP4 + b"x", name="o.mp4", graphic=True)
    assert again.created is False and again.item.graphic is True
    r = dalil("evidence", "update", added["sha256"], "--not-graphic", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["graphic"] is False
