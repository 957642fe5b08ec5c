"""Attack: ``DALIL_KDF_PROFILE=test`` outside the tests silently created a case whose
passphrase hash is trivially brute-forced (issue 18, break 17). It is now refused
unless the test suite runs or ``DALIL_WEAK_KDF_OK=1`` says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _init(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DALIL_"))}
    src = str(Path(__file__).resolve().parents[2] / "src")
    return subprocess.run(
        [sys.executable, "-m", "dalil.cli", "init", str(tmp_path / "case"), "--json"],
        env={**clean, "PYTHONPATH": src, "DALIL_PASSPHRASE": "fictional passphrase 1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_weak_kdf_profile_outside_the_tests_is_refused(tmp_path: Path) -> None:
    r = _init(tmp_path, DALIL_KDF_PROFILE="test")
    assert r.returncode == 2
    assert "DALIL_KDF_PROFILE=test makes a passphrase hash that is trivially" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "case" / "case.toml").exists()


def test_weak_kdf_profile_with_explicit_consent_is_allowed(tmp_path: Path) -> None:
    r = _init(tmp_path, DALIL_KDF_PROFILE="test", DALIL_WEAK_KDF_OK="1")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "case" / "case.toml").exists()
