"""The project's standing checks, run with the suite so CI enforces them: ruff (lint and
the formatter policy) over the whole tree and mypy --strict over the kernel, the vault,
the service layer and the web adapter, and mypy over the whole package. The import
contracts are in test_import_contracts.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STRICT_PACKAGES = ["src/dalil/core", "src/dalil/vault", "src/dalil/services", "src/dalil/web"]


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


def test_ruff_format_changes_nothing() -> None:
    proc = subprocess.run(
        [_tool("ruff"), "format", "--check", "src", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_kernel_vault_services_and_web_pass_mypy_strict() -> None:
    proc = subprocess.run(
        [_tool("mypy"), "--strict", *STRICT_PACKAGES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_whole_package_passes_mypy() -> None:
    proc = subprocess.run(
        [_tool("mypy"), "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
