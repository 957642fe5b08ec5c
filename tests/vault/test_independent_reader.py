"""The independent blob reader printed in docs/crypto.md §2.4 reads what BlobStore wrote."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag

from dalil.vault.blobs import BlobStore
from dalil.vault.keys import KEYRING_FILE, create_keyring

from .conftest import PASSPHRASE

DOC = Path(__file__).resolve().parents[2] / "docs" / "crypto.md"


def _doc_reader() -> dict[str, Any]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### 2.4") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "docs/crypto.md §2.4 has no python block"
    namespace: dict[str, Any] = {"__name__": "doc_reader"}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)
    return namespace


@pytest.mark.parametrize(("size", "chunk_size"), [(0, 16), (16, 16), (100, 16), (5000, 1 << 20)])
def test_documented_reader_decrypts_what_the_store_wrote(
    tmp_path: Path, size: int, chunk_size: int
) -> None:
    keys = create_keyring(tmp_path / "keys", PASSPHRASE)
    store = BlobStore(tmp_path / "evidence", keys.blob_key, chunk_size=chunk_size)
    data = os.urandom(size)
    sha = store.put(io.BytesIO(data)).sha256
    doc = _doc_reader()
    dkey = doc["data_key"](str(tmp_path / "keys" / KEYRING_FILE), PASSPHRASE)
    assert doc["read_blob"](str(tmp_path / "evidence"), dkey, sha) == data


def test_documented_reader_rejects_a_reordered_blob(tmp_path: Path) -> None:
    keys = create_keyring(tmp_path / "keys", PASSPHRASE)
    store = BlobStore(tmp_path / "evidence", keys.blob_key, chunk_size=16)
    sha = store.put(io.BytesIO(bytes(range(48)))).sha256
    path = store.path_for(sha)
    raw = path.read_bytes()
    header, body = raw[:36], raw[36:]
    chunks = [body[i : i + 32] for i in range(0, len(body), 32)]
    path.write_bytes(header + chunks[1] + chunks[0] + chunks[2])
    doc = _doc_reader()
    dkey = doc["data_key"](str(tmp_path / "keys" / KEYRING_FILE), PASSPHRASE)
    with pytest.raises(InvalidTag):
        doc["read_blob"](str(tmp_path / "evidence"), dkey, sha)
