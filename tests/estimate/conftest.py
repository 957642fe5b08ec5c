"""Fixtures for the estimation tests: published tables and a simulator with known N."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dalil.estimate import CaptureTable, read_capture_csv

DATA = Path(__file__).parent / "data"


@pytest.fixture
def darroch() -> CaptureTable:
    """Darroch, Fienberg, Glonek & Junker (1993), JASA 88:1137-1148, three-list table."""
    return read_capture_csv(DATA / "darroch1993.csv").table


@pytest.fixture
def four_lists() -> CaptureTable:
    """A fictional four-list table (6,191 observed) drawn from a known total of 10,000
    people in three latent groups with different chances of being recorded."""
    return read_capture_csv(DATA / "fictional_four_lists.csv").table


def simulate_heterogeneous(
    N: int,
    seed: int,
    *,
    lists: int = 4,
    classes: tuple[tuple[float, list[float]], ...] | None = None,
) -> CaptureTable:
    """A population of N people in latent classes with class-specific capture
    probabilities (heterogeneous capture, positively dependent lists); return what
    the lists observe."""
    rng = np.random.default_rng(seed)
    if classes is None:
        classes = (
            (0.7, [0.15, 0.25, 0.2, 0.3][:lists]),  # hard to record
            (0.3, [0.6, 0.5, 0.7, 0.55][:lists]),  # easy to record
        )
    weights = np.array([w for w, _ in classes])
    z = rng.choice(len(classes), size=N, p=weights / weights.sum())
    probs = np.array([p for _, p in classes])[z]
    x = (rng.random((N, lists)) < probs).astype(np.int64)
    x = x[x.sum(axis=1) > 0]
    return CaptureTable.from_records([f"L{j + 1}" for j in range(lists)], x)
