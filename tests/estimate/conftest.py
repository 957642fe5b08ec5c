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


# Sparse designs in the shape of casualty lists (fictional): most people on one list,
# few overlaps, a regional list that never meets the other region's list, a list that
# copies part of another (referrals), and people who are hard to record anywhere.
SPARSE_DESIGNS: dict[str, dict[str, object]] = {
    "sparse5": {
        "lists": ["morgue_north", "ngo", "press", "committee_south", "families"],
        # per list: (capture probability north, south) for the hidden and visible groups
        "p_hidden": [(0.06, 0.0), (0.05, 0.04), (0.01, 0.01), (0.0, 0.07), (0.03, 0.03)],
        "p_visible": [(0.25, 0.0), (0.20, 0.15), (0.08, 0.08), (0.0, 0.30), (0.06, 0.06)],
        "copies": (1, 2, 0.15),  # press records 15% of those on the ngo list besides
    },
    "sparse6": {
        "lists": ["hospital_north", "hospital_south", "ngo", "press", "mosques", "volunteers"],
        "p_hidden": [
            (0.07, 0.0),
            (0.0, 0.06),
            (0.04, 0.04),
            (0.01, 0.01),
            (0.03, 0.01),
            (0.01, 0.02),
        ],
        "p_visible": [
            (0.25, 0.0),
            (0.0, 0.25),
            (0.15, 0.12),
            (0.06, 0.06),
            (0.08, 0.04),
            (0.03, 0.05),
        ],
        "copies": (2, 3, 0.15),
    },
}


def simulate_sparse(design: str, N: int, seed: int, *, visible: float = 0.25) -> CaptureTable:
    """What the lists of a sparse design record from N people (60% north, 40% south;
    a share ``visible`` of them easy to record)."""
    d = SPARSE_DESIGNS[design]
    lists = list(d["lists"])  # type: ignore[call-overload]
    rng = np.random.default_rng(seed)
    south = rng.random(N) < 0.4
    vis = rng.random(N) < visible
    ph = np.array(d["p_hidden"])
    pv = np.array(d["p_visible"])
    north_p = np.where(vis[:, None], pv[None, :, 0], ph[None, :, 0])
    south_p = np.where(vis[:, None], pv[None, :, 1], ph[None, :, 1])
    p = np.where(south[:, None], south_p, north_p)
    x = (rng.random((N, len(lists))) < p).astype(np.int64)
    src, dst, share = d["copies"]  # type: ignore[misc]
    x[:, dst] |= (x[:, src] == 1) & (rng.random(N) < share)
    x = x[x.sum(axis=1) > 0]
    return CaptureTable.from_records(lists, x)


def simulate_linkage(
    N: int, seed: int, *, certain: float = 0.75, lo: float = 0.2, hi: float = 0.95
):  # type: ignore[no-untyped-def]
    """Fictional linked lists with known truth: N people on four lists (heterogeneous
    capture); one record per person and list.  Of the records that belong together, a
    share ``certain`` is already grouped (joins above the linkage's threshold); the
    rest are uncertain pairs.  False pairs between different people are added so that
    the probabilities are calibrated: a pair of probability p is the same person with
    probability p (true pairs have density ∝ p, false ∝ 1 − p on [lo, hi]).
    Returns ``(LinkageInput, person_of_record)``."""
    from dalil.estimate.linkage_draws import LinkageInput

    rng = np.random.default_rng(seed)
    names = ["L1", "L2", "L3", "L4"]
    vis = rng.random(N) < 0.3
    p = np.where(vis[:, None], [0.6, 0.5, 0.7, 0.55], [0.15, 0.25, 0.2, 0.3])
    x = rng.random((N, 4)) < p
    records: list[tuple[str, str]] = []
    person_of: dict[str, int] = {}
    groups: list[list[str]] = []
    pairs: list[tuple[str, str, float]] = []
    for i in range(N):
        recs = [f"p{i}r{j}" for j in range(4) if x[i, j]]
        for j in range(4):
            if x[i, j]:
                records.append((f"p{i}r{j}", names[j]))
                person_of[f"p{i}r{j}"] = i
        if len(recs) < 2:
            continue
        g = [recs[0]]
        for r in recs[1:]:
            if rng.random() < certain:
                g.append(r)
            else:
                u = rng.random()
                pairs.append((recs[0], r, float(np.sqrt(lo**2 + u * (hi**2 - lo**2)))))
        groups.append(g)
    n0 = round(len(pairs) * (1 - (lo + hi) / 2) / ((lo + hi) / 2))
    ids = [r for r, _ in records]
    list_of = dict(records)
    while n0 > 0:
        a, b = rng.choice(len(ids), 2, replace=False)
        ra, rb = ids[a], ids[b]
        if person_of[ra] == person_of[rb] or list_of[ra] == list_of[rb]:
            continue
        u = rng.random()
        pr = 1 - np.sqrt((1 - hi) ** 2 + u * ((1 - lo) ** 2 - (1 - hi) ** 2))
        pairs.append((ra, rb, float(pr)))
        n0 -= 1
    return LinkageInput(records=records, groups=groups, pairs=pairs, lists=names), person_of
