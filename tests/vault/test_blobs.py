"""Encrypted chunked blob store: round trips, deduplication, and chunk-level attacks."""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.errors import InputError
from dalil.vault.blobs import (
    HEADER_LEN,
    MAGIC,
    TAG_LEN,
    BlobCorrupt,
    BlobError,
    BlobMissing,
    BlobStore,
)

from .conftest import all_files, blob_files

KEY = b"\x07" * 32


def _put(store: BlobStore, data: bytes) -> str:
    res = store.put(io.BytesIO(data))
    assert res.sha256 == hashlib.sha256(data).hexdigest()
    assert res.size == len(data)
    return res.sha256


def _read(store: BlobStore, sha: str) -> bytes:
    return b"".join(store.open(sha))


def _split(store: BlobStore, sha: str) -> tuple[Path, bytes, list[bytes]]:
    """The blob file, its header and its ciphertext chunks."""
    path = store.path_for(sha)
    raw = path.read_bytes()
    header, body = raw[:HEADER_LEN], raw[HEADER_LEN:]
    step = store.chunk_size + TAG_LEN
    return path, header, [body[i : i + step] for i in range(0, len(body), step)]


# ------------------------------------------------------------------ round trips


@settings(max_examples=120, deadline=None)
@given(data=st.binary(max_size=600), chunk_size=st.integers(min_value=1, max_value=70))
def test_round_trip_any_bytes_any_chunk_boundary(data: bytes, chunk_size: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        store = BlobStore(Path(d) / "evidence", KEY, chunk_size=chunk_size)
        sha = _put(store, data)
        chunks = list(store.open(sha))
        assert b"".join(chunks) == data
        assert all(len(c) == chunk_size for c in chunks[:-1])
        store.verify(sha)
        store.export_to(sha, Path(d) / "out.bin")
        assert (Path(d) / "out.bin").read_bytes() == data


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 32, 33])
def test_round_trip_at_chunk_edges(store: BlobStore, size: int) -> None:
    data = bytes(range(256))[:size] if size <= 256 else os.urandom(size)
    sha = _put(store, data)
    assert _read(store, sha) == data
    _, _, chunks = _split(store, sha)
    assert len(chunks) == max(1, -(-size // store.chunk_size))


def test_blob_written_with_another_chunk_size_still_reads(tmp_path: Path) -> None:
    data = os.urandom(1000)
    sha = BlobStore(tmp_path / "ev", KEY, chunk_size=7).put(io.BytesIO(data)).sha256
    assert _read(BlobStore(tmp_path / "ev", KEY, chunk_size=4096), sha) == data


def test_same_content_twice_is_stored_once(store: BlobStore) -> None:
    first = store.put(io.BytesIO(b"fictional testimony transcript"))
    second = store.put(io.BytesIO(b"fictional testimony transcript"))
    assert first.stored_new and not second.stored_new
    assert first.sha256 == second.sha256
    assert len(blob_files(store.root)) == 1
    assert not list(store.tmp_dir.iterdir())


def test_existing_blob_is_never_rewritten(store: BlobStore) -> None:
    sha = _put(store, b"original evidence")
    before = store.path_for(sha).read_bytes()
    _put(store, b"original evidence")
    assert store.path_for(sha).read_bytes() == before


def test_progress_reports_cumulative_bytes(store: BlobStore) -> None:
    seen: list[int] = []
    store.put(io.BytesIO(b"x" * 40), progress=seen.append)
    assert seen == [16, 32, 40]


def test_short_reads_from_a_pipe_like_stream_are_handled(store: BlobStore) -> None:
    class Trickle(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data = data

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            k = min(3, n)
            out, self.data = self.data[:k], self.data[k:]
            return out

    data = os.urandom(100)
    res = store.put(Trickle(data))  # type: ignore[arg-type]
    assert res.sha256 == hashlib.sha256(data).hexdigest()
    assert _read(store, res.sha256) == data


def test_put_uses_bounded_memory(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "ev", KEY, chunk_size=256 << 10)

    class Zeros(io.RawIOBase):
        left = 48 << 20

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            n = min(n, self.left)
            self.left -= n
            return bytes(n)

    tracemalloc.start()
    try:
        res = store.put(Zeros())  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.size == 48 << 20
    assert peak < 8 * (256 << 10), f"peak {peak} bytes for a 48 MiB stream"


# ------------------------------------------------------------------ names and secrecy


def test_blob_file_name_does_not_reveal_the_known_hash(tmp_path: Path, store: BlobStore) -> None:
    data = b"a widely circulated fictional video"
    sha = _put(store, data)
    names = {p.name for p in blob_files(store.root)}
    assert sha not in names and hashlib.sha256(sha.encode()).hexdigest() not in names
    other = BlobStore(tmp_path / "other", b"\x08" * 32, chunk_size=16)
    assert other.path_for(sha).name != store.path_for(sha).name


def test_canary_phrase_never_touches_disk_in_plaintext(tmp_path: Path) -> None:
    canary = "CANARY-fictional-witness-Qx7 lives at 12 Imaginary Street"
    data = ("preamble " * 50 + canary + " epilogue" * 50).encode()
    store = BlobStore(tmp_path / "ev", KEY, chunk_size=64)
    needles = [canary.encode(), canary.encode("utf-16-le"), b"CANARY-fictional"]
    seen_temp = []

    def scan(_done: int) -> None:  # runs mid-write: temp files are on disk now
        files = all_files(store.root)
        seen_temp.extend(p for p in files if "tmp" in p.parts)
        for p in files:
            content = p.read_bytes()
            assert not any(n in content for n in needles), p

    sha = store.put(io.BytesIO(data), progress=scan).sha256
    assert seen_temp, "the scan saw the temp file while it was being written"
    for p in all_files(store.root):
        content = p.read_bytes()
        assert not any(n in content for n in needles), p
    assert canary.encode() in _read(store, sha)


# ------------------------------------------------------------------ attacks on stored chunks


@pytest.fixture
def five_chunks(store: BlobStore) -> tuple[BlobStore, str, bytes]:
    data = bytes(range(16)) * 4 + b"tail-of-evidence"  # 5 chunks of 16
    return store, _put(store, data), data


def _rewrite(path: Path, header: bytes, chunks: list[bytes]) -> None:
    path.write_bytes(header + b"".join(chunks))


def _assert_corrupt(store: BlobStore, sha: str) -> None:
    with pytest.raises(BlobCorrupt) as exc:
        store.verify(sha)
    assert sha in str(exc.value)
    assert isinstance(exc.value, BlobError)
    assert exc.value.exit_code == 1


def test_reordered_chunks_are_detected(five_chunks: tuple[BlobStore, str, bytes]) -> None:
    store, sha, _ = five_chunks
    path, header, chunks = _split(store, sha)
    chunks[1], chunks[2] = chunks[2], chunks[1]
    _rewrite(path, header, chunks)
    _assert_corrupt(store, sha)


def test_dropped_chunk_is_detected(five_chunks: tuple[BlobStore, str, bytes]) -> None:
    store, sha, _ = five_chunks
    path, header, chunks = _split(store, sha)
    del chunks[2]
    _rewrite(path, header, chunks)
    _assert_corrupt(store, sha)


def test_duplicated_chunk_is_detected(five_chunks: tuple[BlobStore, str, bytes]) -> None:
    store, sha, _ = five_chunks
    path, header, chunks = _split(store, sha)
    chunks.insert(2, chunks[1])
    _rewrite(path, header, chunks)
    _assert_corrupt(store, sha)


def test_truncation_at_a_chunk_boundary_is_detected(
    five_chunks: tuple[BlobStore, str, bytes],
) -> None:
    store, sha, _ = five_chunks
    path, header, chunks = _split(store, sha)
    _rewrite(path, header, chunks[:-1])  # drop the final chunk: chunk 3 is not final
    _assert_corrupt(store, sha)


def test_truncation_inside_a_chunk_is_detected(five_chunks: tuple[BlobStore, str, bytes]) -> None:
    store, sha, _ = five_chunks
    path = store.path_for(sha)
    path.write_bytes(path.read_bytes()[:-5])
    _assert_corrupt(store, sha)


def test_data_appended_after_the_final_chunk_is_detected(
    five_chunks: tuple[BlobStore, str, bytes],
) -> None:
    store, sha, _ = five_chunks
    path, header, chunks = _split(store, sha)
    _rewrite(path, header, [*chunks, chunks[0]])
    _assert_corrupt(store, sha)


def test_blob_file_swapped_for_another_blob_is_detected(store: BlobStore) -> None:
    a = _put(store, b"fictional evidence A" * 3)
    b = _put(store, b"fictional evidence B" * 3)
    store.path_for(a).write_bytes(store.path_for(b).read_bytes())
    _assert_corrupt(store, a)


def test_blob_from_another_case_key_does_not_decrypt(tmp_path: Path, store: BlobStore) -> None:
    other = BlobStore(tmp_path / "other", b"\x09" * 32, chunk_size=16)
    sha = _put(other, b"fictional")
    store.path_for(sha).parent.mkdir(exist_ok=True)
    store.path_for(sha).write_bytes(other.path_for(sha).read_bytes())
    _assert_corrupt(store, sha)


def test_header_chunk_size_tampering_is_detected(five_chunks: tuple[BlobStore, str, bytes]) -> None:
    store, sha, _ = five_chunks
    path = store.path_for(sha)
    raw = bytearray(path.read_bytes())
    raw[len(MAGIC) + 1 + 3] = 8  # chunk size 16 -> 8
    path.write_bytes(bytes(raw))
    _assert_corrupt(store, sha)


@settings(max_examples=80, deadline=None)
@given(pos=st.integers(min_value=0), bit=st.integers(min_value=0, max_value=7))
def test_any_bit_flip_anywhere_is_detected(pos: int, bit: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        store = BlobStore(Path(d), KEY, chunk_size=16)
        data = b"fictional evidence for the bit flip test, three chunks+"
        sha = _put(store, data)
        path = store.path_for(sha)
        raw = bytearray(path.read_bytes())
        raw[pos % len(raw)] ^= 1 << bit
        path.write_bytes(bytes(raw))
        with pytest.raises(BlobCorrupt):
            store.verify(sha)
        with pytest.raises(BlobCorrupt):
            store.export_to(sha, Path(d) / "out.bin")
        assert not (Path(d) / "out.bin").exists()


def test_missing_blob_is_named(store: BlobStore) -> None:
    sha = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(sha)
    with pytest.raises(BlobMissing, match=sha):
        store.verify(sha)
    with pytest.raises(BlobMissing, match=sha):
        store.open(sha)


@pytest.mark.parametrize("bad", ["", "abc", "g" * 64, "../" + "a" * 61, "a" * 65])
def test_malformed_blob_ids_are_input_errors(store: BlobStore, bad: str) -> None:
    with pytest.raises(InputError):
        store.exists(bad)


def test_uppercase_blob_id_is_accepted(store: BlobStore) -> None:
    sha = _put(store, b"fictional")
    assert store.exists(sha.upper())


# ------------------------------------------------------------------ export


def test_failed_export_leaves_no_partial_plaintext(
    tmp_path: Path, five_chunks: tuple[BlobStore, str, bytes]
) -> None:
    store, sha, _ = five_chunks
    path, header, chunks = _split(store, sha)
    _rewrite(path, header, [*chunks[:-1], chunks[-1][:-1] + bytes([chunks[-1][-1] ^ 1])])
    out = tmp_path / "exports"
    out.mkdir()
    with pytest.raises(BlobCorrupt):
        store.export_to(sha, out / "evidence.bin")
    assert list(out.iterdir()) == []


def test_export_refuses_to_overwrite_unless_asked(tmp_path: Path, store: BlobStore) -> None:
    sha = _put(store, b"fictional new content")
    dest = tmp_path / "existing.txt"
    dest.write_bytes(b"keep me")
    with pytest.raises(InputError, match="overwrite"):
        store.export_to(sha, dest)
    assert dest.read_bytes() == b"keep me"
    store.export_to(sha, dest, overwrite=True)
    assert dest.read_bytes() == b"fictional new content"


def test_export_refuses_to_write_through_a_symlink(tmp_path: Path, store: BlobStore) -> None:
    sha = _put(store, b"fictional")
    target = tmp_path / "target"
    target.write_bytes(b"")
    (tmp_path / "link").symlink_to(target)
    with pytest.raises(InputError):
        store.export_to(sha, tmp_path / "link", overwrite=True)


def test_export_of_missing_blob_creates_nothing(tmp_path: Path, store: BlobStore) -> None:
    with pytest.raises(BlobMissing):
        store.export_to("0" * 64, tmp_path / "x.bin")
    assert not list(tmp_path.glob("*x.bin*"))


# ------------------------------------------------------------------ put_path input checks


def test_put_path_refuses_symlinks(tmp_path: Path, store: BlobStore) -> None:
    real = tmp_path / "real.txt"
    real.write_bytes(b"fictional")
    link = tmp_path / "evil-link.txt"
    link.symlink_to(real)
    with pytest.raises(InputError, match="symlink") as exc:
        store.put_path(link)
    assert "evil-link.txt" in str(exc.value)
    assert blob_files(store.root) == []


def test_put_path_refuses_folders_and_fifos(tmp_path: Path, store: BlobStore) -> None:
    with pytest.raises(InputError, match="not a regular file"):
        store.put_path(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        store.put_path(fifo)


def test_put_path_missing_file_is_named(tmp_path: Path, store: BlobStore) -> None:
    with pytest.raises(InputError, match=r"no-such\.pdf"):
        store.put_path(tmp_path / "no-such.pdf")


def test_put_path_stores_a_regular_file(tmp_path: Path, store: BlobStore) -> None:
    f = tmp_path / "fictional report.pdf"
    f.write_bytes(os.urandom(100))
    res = store.put_path(f)
    assert _read(store, res.sha256) == f.read_bytes()


# ------------------------------------------------------------------ temp files


def test_cleanup_removes_abandoned_temp_files(store: BlobStore) -> None:
    stale = store.tmp_dir / "deadbeef.part"
    stale.write_bytes(b"ciphertext of a killed writer")
    assert store.cleanup_temp() == 1
    assert not stale.exists()


def test_cleanup_never_touches_a_temp_file_being_written(store: BlobStore) -> None:
    live = store.tmp_dir / "live.part"
    fd = os.open(live, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a live writer in another process holds it
        assert store.cleanup_temp() == 0
        assert BlobStore(store.root, KEY).cleanup_temp() == 0
        assert live.exists()
    finally:
        os.close(fd)
    assert store.cleanup_temp() == 1


def test_opening_a_store_cleans_stale_temps(tmp_path: Path) -> None:
    root = tmp_path / "ev"
    (root / "tmp").mkdir(parents=True)
    (root / "tmp" / "old.part").write_bytes(b"x")
    BlobStore(root, KEY)
    assert not (root / "tmp" / "old.part").exists()


def test_a_failing_source_leaves_no_temp_and_no_blob(store: BlobStore) -> None:
    class Broken(io.RawIOBase):
        calls = 0

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 2:
                raise OSError("disk read error")
            return b"y" * n

    with pytest.raises(OSError):
        store.put(Broken())  # type: ignore[arg-type]
    assert all_files(store.root) == []


def test_wrong_store_key_length_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        BlobStore(tmp_path, b"short")
    with pytest.raises(ValueError):
        BlobStore(tmp_path, KEY, chunk_size=0)


def test_non_blocking_stream_with_no_data_is_not_mistaken_for_the_end(store: BlobStore) -> None:
    class WouldBlock(io.RawIOBase):
        calls = 0

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes | None:
            self.calls += 1
            return b"z" * n if self.calls == 1 else None

    with pytest.raises(InputError, match="non-blocking"):
        store.put(WouldBlock())  # type: ignore[arg-type]
    assert all_files(store.root) == []
