"""Streaming evidence in and out of the vault through the service layer."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import NotFound, PermissionDenied
from dalil.services import evidence, records, users

SECRET = b"FICTIONAL-WITNESS-STATEMENT " * 5000  # ~140 kB, several blob chunks at 64 kB


class OneWayStream(io.RawIOBase):
    """A non-seekable stream (like a request body) that hands out small pieces."""

    def __init__(self, data: bytes, piece: int = 7000) -> None:
        self._data, self._pos, self._piece = data, 0, piece

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self._piece if n < 0 else min(n, self._piece)
        out = self._data[self._pos : self._pos + n]
        self._pos += len(out)
        return out


def _vault_files(case: Case) -> list[Path]:
    return [p for p in Path(case.root).rglob("*") if p.is_file()]


def test_stream_upload_leaves_no_plaintext_anywhere_in_the_case_folder(case: Case) -> None:
    case.blobs.chunk_size = 1 << 16
    res = evidence.add_stream(case, None, OneWayStream(SECRET), name="../statement.txt")
    assert res.created and res.item.size == len(SECRET)
    assert res.item.original_name == "statement.txt"
    for p in _vault_files(case):
        assert b"FICTIONAL-WITNESS" not in p.read_bytes(), p
    meta, chunks = evidence.open_content(case, None, res.item.sha256)
    assert b"".join(chunks) == SECRET and meta["sha256"] == res.item.sha256
    with case.system_session() as s:
        adds = audit.query(s, action="evidence.add")
        gets = audit.query(s, action="evidence.get")
    assert len(adds) == 1 and len(gets) == 1 and res.item.sha256 in gets[0].object_ids


def test_stream_upload_by_viewer_is_refused_before_reading_a_byte(case: Case) -> None:
    with case.act() as ctx:
        users.add_user(ctx, "vera", "viewer")
    stream = OneWayStream(SECRET)
    before = set(_vault_files(case))
    with pytest.raises(PermissionDenied):
        evidence.add_stream(case, "vera", stream, name="x.txt")
    assert stream._pos == 0
    assert {p for p in _vault_files(case) if "evidence" in p.parts} == {
        p for p in before if "evidence" in p.parts
    }


def test_stream_upload_to_unknown_source_is_refused_before_storing(case: Case) -> None:
    stream = OneWayStream(SECRET)
    with pytest.raises(NotFound, match="source"):
        evidence.add_stream(case, None, stream, name="x.txt", source_id=999)
    assert stream._pos == 0
    with case.act(write=False) as ctx:
        assert evidence.count_items(ctx) == 0


def test_stream_upload_links_source_and_dedupes(case: Case) -> None:
    with case.act() as ctx:
        sid = records.add(ctx, "source", kind="report", title="Fictional report").id
    a = evidence.add_stream(case, None, io.BytesIO(b"fictional a"), name="a.txt", source_id=sid)
    b = evidence.add_stream(case, None, io.BytesIO(b"fictional a"), name="b.txt")
    assert a.created and not b.created and a.item.id == b.item.id
    with case.act(write=False) as ctx:
        assert [i.id for i in evidence.list_items(ctx, source_id=sid)] == [a.item.id]


def test_streamed_read_of_sensitive_item_refused_to_analyst_and_not_logged_as_read(
    case: Case,
) -> None:
    with case.act() as ctx:
        users.add_user(ctx, "ana", "analyst")
    res = evidence.add_stream(
        case, None, io.BytesIO(b"fictional sensitive"), name="s.txt", sensitive=True
    )
    with pytest.raises(PermissionDenied):
        evidence.open_content(case, "ana", res.item.sha256)
    with case.system_session() as s:
        assert audit.query(s, action="evidence.get") == []


def test_streamed_read_is_logged_before_the_first_byte(case: Case) -> None:
    res = evidence.add_stream(case, None, io.BytesIO(b"fictional content"), name="c.txt")
    _meta, chunks = evidence.open_content(case, None, res.item.sha256, reason="review")
    with case.system_session() as s:  # nothing iterated yet, the read is already on record
        gets = audit.query(s, action="evidence.get")
    assert len(gets) == 1 and "review" in gets[0].detail
    assert b"".join(chunks) == b"fictional content"
