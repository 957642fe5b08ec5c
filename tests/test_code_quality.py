"""The project's standing checks, run with the suite so CI enforces them:
ruff over the whole tree and mypy --strict over the security modules."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECURITY_MODULES = ["src/dalil/vault", "src/dalil/core/audit.py", "src/dalil/core/access.py"]


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    found = str(exe) if exe.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed in the test environment (pip install -e '.[test]')")
    return found


def test_ruff_finds_nothing() -> None:
    proc = subprocess.run(
        [_tool("ruff"), "check", "src", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_security_modules_pass_mypy_strict() -> None:
    proc = subprocess.run(
        [_tool("mypy"), "--strict", *SECURITY_MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
