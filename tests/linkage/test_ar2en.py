"""The name key on real Arabic/Latin name pairs (shared reference data, not in the repo)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dalil.linkage.names import part_key

AR2EN = Path(__file__).resolve().parents[3] / "shared" / "data" / "ar2en-names" / "ar2en.tsv"


@pytest.mark.skipif(
    not AR2EN.exists(),
    reason=f"{AR2EN} absent: the shared ar2en name pairs are not on this machine "
    "(they are reference data and never copied into the repository)",
)
def test_key_recall_and_collisions_on_ar2en_pairs() -> None:
    """Measured when written (benchmarks/linkage_names.py): recall 0.775, collision 0.0003.

    Many names in the file are not Arabic (Wikipedia names written in Arabic script),
    which the key was not designed for; the bounds leave a margin below the measured
    figures so that a regression, not noise, fails the test.
    """
    pairs = []
    for line in AR2EN.read_text(encoding="utf-8").splitlines():
        a, _, b = line.partition("\t")
        if a.strip() and b.strip():
            pairs.append((a.strip(), b.strip()))
    assert len(pairs) > 10_000
    ka = [part_key(a) for a, _ in pairs]
    kb = [part_key(b) for _, b in pairs]
    recall = sum(x == y and x != "" for x, y in zip(ka, kb, strict=True)) / len(pairs)
    perm = list(range(len(pairs)))
    random.Random(1).shuffle(perm)
    collisions = sum(ka[i] == kb[j] and i != j for i, j in enumerate(perm)) / len(pairs)
    assert recall >= 0.74
    assert collisions <= 0.002
