"""Blob store under real process faults: SIGKILL mid-write, concurrent writers."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dalil.vault.blobs import BlobStore

from .conftest import blob_files

KEY_HEX = "07" * 32

# The child puts a file and, after the first chunk, reports on stdout and stalls there
# (mid-write: the temp file holds some ciphertext) until the parent kills it.
_STALLING_PUT = """
import sys, time
from pathlib import Path
from dalil.vault.blobs import BlobStore
store = BlobStore(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]), chunk_size=1 << 20)
def progress(done):
    if done >= 4 << 20:
        print("writing", flush=True)
        time.sleep(600)
store.put_path(Path(sys.argv[3]), progress=progress)
print("finished", flush=True)
"""

_CONCURRENT_PUT = """
import json, sys, time
from pathlib import Path
from dalil.vault.blobs import BlobStore
store = BlobStore(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]), chunk_size=64 << 10)
start = float(sys.argv[4])
while time.time() < start:
    time.sleep(0.001)
r = store.put_path(Path(sys.argv[3]))
print(json.dumps({"sha256": r.sha256, "size": r.size, "stored_new": r.stored_new}))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "fictional-large-video.bin"
    with open(path, "wb") as f:
        for _ in range(12):
            f.write(os.urandom(1 << 20))
    return path


def test_sigkill_mid_write_leaves_no_partial_blob_and_a_retry_succeeds(
    tmp_path: Path, big_file: Path
) -> None:
    root = tmp_path / "evidence"
    child = subprocess.Popen(
        [sys.executable, "-c", _STALLING_PUT, str(root), KEY_HEX, str(big_file)],
        stdout=subprocess.PIPE,
        env=_env(),
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
        temps = list((root / "tmp").iterdir())
        assert len(temps) == 1 and temps[0].stat().st_size > 0
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert blob_files(root) == [], "no blob under a final name"
    assert len(list((root / "tmp").iterdir())) == 1, "the killed writer's temp is still there"

    store = BlobStore(root, bytes.fromhex(KEY_HEX), chunk_size=1 << 20)  # cleans on open
    assert list(store.tmp_dir.iterdir()) == []
    res = store.put_path(big_file)
    assert res.stored_new
    assert res.sha256 == hashlib.sha256(big_file.read_bytes()).hexdigest()
    store.verify(res.sha256)
    assert len(blob_files(root)) == 1


def test_two_processes_putting_the_same_content_both_succeed_with_one_blob(
    tmp_path: Path, big_file: Path
) -> None:
    root = tmp_path / "evidence"
    BlobStore(root, bytes.fromhex(KEY_HEX))
    start = time.time() + 1.5
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CONCURRENT_PUT, str(root), KEY_HEX, str(big_file), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    expected = hashlib.sha256(big_file.read_bytes()).hexdigest()
    assert [r["sha256"] for r in results] == [expected, expected]
    assert sorted(r["stored_new"] for r in results) == [False, True]
    assert len(blob_files(root)) == 1
    store = BlobStore(root, bytes.fromhex(KEY_HEX))
    store.verify(expected)
    assert list(store.tmp_dir.iterdir()) == []
