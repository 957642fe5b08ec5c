"""Real processes: two writers at once lose nothing; kill -9 mid-ingest leaves no damage."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dalil.core.case import Case
from dalil.testing import TEST_PASSPHRASE

WORKER = textwrap.dedent(
    """
    import sys, os
    from pathlib import Path
    from dalil.core.case import Case
    from dalil.services import persons, evidence, records
    root, tag, n, files = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    case = Case.open(root, os.environ["DALIL_PASSPHRASE"])
    for i in range(n):
        with case.act() as ctx:
            persons.add_person(ctx, pseudonym=f"{tag}-{i}", legal_name=f"Fictional {tag} {i}")
            records.add(ctx, "incident", title=f"Fictional incident {tag}-{i}")
    evidence.add_files(case, None, files)
    case.close()
    """
)


def _env() -> dict[str, str]:
    return {**os.environ, "DALIL_PASSPHRASE": TEST_PASSPHRASE, "DALIL_KDF_PROFILE": "test"}


def _dalil(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dalil.cli", *args],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )  # type: ignore[call-overload]


@pytest.mark.slow
def test_two_processes_adding_at_once_lose_nothing(any_case: Case, tmp_path: Path) -> None:
    files = {}
    for tag in ("A", "B"):
        files[tag] = []
        for j in range(3):
            p = tmp_path / f"{tag}{j}.bin"
            p.write_bytes(os.urandom(200_000) + tag.encode())
            files[tag].append(str(p))
    n = 15
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(any_case.root), tag, str(n), *files[tag]],
            env=_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("A", "B")
    ]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    from dalil.services import evidence, persons, records

    with any_case.act(write=False) as ctx:
        assert len(persons.list_persons(ctx)) == 2 * n
        assert len(records.list_(ctx, "incident")) == 2 * n
        assert len(evidence.list_items(ctx)) == 6
    assert _dalil("audit", "verify", "--case", str(any_case.root)).returncode == 0
    assert _dalil("fixity", "--case", str(any_case.root)).returncode == 0


@pytest.mark.slow
def test_kill_9_mid_ingest_leaves_no_partial_blob_or_orphan_record(
    case: Case, tmp_path: Path
) -> None:
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        for _ in range(96):
            f.write(os.urandom(1 << 20))
    tmp_dir = case.evidence_dir / "tmp"
    proc = subprocess.Popen(
        [sys.executable, "-m", "dalil.cli", "evidence", "add", str(big), "--case", str(case.root)],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    killed = False
    while time.monotonic() < deadline and proc.poll() is None:
        parts = list(tmp_dir.glob("*.part")) if tmp_dir.is_dir() else []
        if parts and any(p.stat().st_size > (4 << 20) for p in parts):
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.005)
    proc.wait(timeout=30)
    assert killed, "ingest finished before it could be killed; use a bigger file"
    fx = _dalil("fixity", "--json", "--case", str(case.root))
    assert fx.returncode == 0, fx.stderr
    av = _dalil("audit", "verify", "--case", str(case.root))
    assert av.returncode == 0, av.stderr
    assert not list(tmp_dir.glob("*.part")), "partial blob left behind"
    from dalil.services import evidence

    with case.act(write=False) as ctx:
        assert evidence.list_items(ctx) == []
    again = _dalil("evidence", "add", str(big), "--json", "--case", str(case.root))
    assert again.returncode == 0, again.stderr
    assert _dalil("fixity", "--case", str(case.root)).returncode == 0
