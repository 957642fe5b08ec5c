"""Fixtures for the vault tests: cheap KDF, an unlocked keyring, a blob store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["DALIL_KDF_PROFILE"] = "test"

from dalil.vault.blobs import BlobStore
from dalil.vault.keys import UnlockedKeys, create_keyring

PASSPHRASE = "correct horse battery staple (fictional test passphrase)"


@pytest.fixture(autouse=True)
def _cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DALIL_KDF_PROFILE", "test")


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def keys(keys_dir: Path) -> UnlockedKeys:
    return create_keyring(keys_dir, PASSPHRASE)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[BlobStore]:
    yield BlobStore(tmp_path / "evidence", b"\x07" * 32, chunk_size=16)


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def blob_files(root: Path) -> list[Path]:
    """Files under final names (not temp files)."""
    return [p for p in all_files(root) if "tmp" not in p.relative_to(root).parts]
