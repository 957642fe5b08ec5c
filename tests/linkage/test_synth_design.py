"""Generated lists: a fixed design_seed keeps the lists' design across population sizes."""

from __future__ import annotations

from dalil.linkage.names import part_key
from dalil.synth.lists import FAMILY, FEMALE, MALE, generate


def _design(res: object) -> dict[str, frozenset[str]]:
    lists = res.lists  # type: ignore[attr-defined]
    return {
        name: frozenset(c for c in rows[0] if any(r[c] for r in rows))
        for name, rows in lists.items()
    }


def test_design_seed_gives_the_same_lists_design_at_two_population_sizes() -> None:
    small = generate(300, 4, seed=3, design_seed=5)
    large = generate(1500, 4, seed=3, design_seed=5)
    assert _design(small) == _design(large)


def test_name_pools_have_no_two_names_with_one_consonant_key_beyond_the_known_few() -> None:
    # forced homonyms would make the benchmark measure the pools, not the model
    keys: dict[str, set[str]] = {}
    for ar, lat in MALE + FEMALE:
        keys.setdefault(part_key(ar), set()).add(lat)
    colliding = {k: v for k, v in keys.items() if len(v) > 1}
    assert len(colliding) <= 9, colliding
    assert len(MALE) >= 90 and len(FEMALE) >= 50 and len(FAMILY) >= 80
