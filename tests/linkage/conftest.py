"""Fixtures for the linkage tests: a CLI runner without a case, test data, small
generated lists with known truth, a linked case with a review queue (fictional)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from dalil.core.case import Case
from dalil.synth.lists import SynthLists, generate
from dalil.testing import TEST_PASSPHRASE, DalilRunner, build_review_case

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


@pytest.fixture(scope="session")
def review_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A linked case with a review queue (``dalil.testing.build_review_case``), built once
    and never changed: each test works on its own copy (``rcase``)."""
    root = tmp_path_factory.mktemp("review") / "case"
    build_review_case(root).close()
    return root


@pytest.fixture
def rcase(review_base: Path, tmp_path: Path) -> Iterator[Case]:
    """A copy of the linked review case for one test."""
    root = tmp_path / "case"
    shutil.copytree(review_base, root)
    c = Case.open(root, TEST_PASSPHRASE)
    yield c
    c.close()
