"""Fixtures for the linkage tests: a CLI runner without a case, test data, small
generated lists with known truth (fictional)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dalil.synth.lists import SynthLists, generate
from dalil.testing import DalilRunner

DATA = Path(__file__).resolve().parents[1] / "data" / "linkage"


@pytest.fixture
def run() -> DalilRunner:
    """``dalil`` in-process with no case in the environment."""
    return DalilRunner({})


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture(scope="session")
def small_lists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthLists]:
    """Four generated lists of 600 fictional people (written once per session)."""
    out = tmp_path_factory.mktemp("lists")
    return out, generate(600, 4, seed=11, out_dir=out)
