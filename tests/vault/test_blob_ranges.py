"""``BlobStore.open_range``: any byte range decrypts to exactly those plaintext bytes, and a
chunk moved, dropped or altered, or a blob cut short, fails authentication there too."""

from __future__ import annotations

import io
import random

import pytest

from dalil.errors import InputError
from dalil.vault.blobs import HEADER_LEN, TAG_LEN, BlobCorrupt, BlobStore

DATA = bytes(range(256)) * 3 + b"end-of-fictional-clip"  # 789 bytes: 50 chunks of 16


def _put(store: BlobStore, data: bytes) -> str:
    return store.put(io.BytesIO(data)).sha256


def test_every_range_is_the_plaintext_slice(store: BlobStore) -> None:
    sha = _put(store, DATA)
    assert store.plain_size(sha) == len(DATA)
    rng = random.Random(5)
    spans = [(0, 0), (0, len(DATA) - 1), (15, 16), (16, 31), (len(DATA) - 1, len(DATA) - 1)]
    spans += [tuple(sorted(rng.sample(range(len(DATA)), 2))) for _ in range(200)]
    for start, end in spans:
        assert b"".join(store.open_range(sha, start, end)) == DATA[start : end + 1], (start, end)
    for bad in ((-1, 3), (5, 4), (0, len(DATA))):
        with pytest.raises(InputError):
            store.open_range(sha, *bad)


def test_a_whole_number_of_chunks_and_an_empty_blob(store: BlobStore) -> None:
    sha = _put(store, bytes(64))  # exactly 4 chunks: the last is full
    assert store.plain_size(sha) == 64
    assert b"".join(store.open_range(sha, 48, 63)) == bytes(16)
    empty = _put(store, b"")
    assert store.plain_size(empty) == 0
    with pytest.raises(InputError):
        store.open_range(empty, 0, 0)


def test_tampered_chunks_fail_in_a_range(store: BlobStore) -> None:
    sha = _put(store, DATA)
    path = store.path_for(sha)
    raw = path.read_bytes()
    step = 16 + TAG_LEN
    header, body = raw[:HEADER_LEN], raw[HEADER_LEN:]
    chunks = [body[i : i + step] for i in range(0, len(body), step)]
    # two chunks swapped
    swapped = chunks[:]
    swapped[2], swapped[3] = swapped[3], swapped[2]
    path.write_bytes(header + b"".join(swapped))
    with pytest.raises(BlobCorrupt):
        b"".join(store.open_range(sha, 32, 40))
    # cut short at a chunk boundary: the new last chunk was not written as the last
    path.write_bytes(header + b"".join(chunks[:-1]))
    with pytest.raises(BlobCorrupt):
        b"".join(store.open_range(sha, 16 * (len(chunks) - 2), 16 * (len(chunks) - 2) + 3))
    # one bit flipped
    flipped = bytearray(raw)
    flipped[HEADER_LEN + step * 5 + 3] ^= 1
    path.write_bytes(bytes(flipped))
    with pytest.raises(BlobCorrupt):
        b"".join(store.open_range(sha, 80, 81))
    path.write_bytes(raw)
    assert b"".join(store.open_range(sha, 80, 81)) == DATA[80:82]
