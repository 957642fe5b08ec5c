"""Benchmark: the Arabic/Latin name key on real name pairs (ar2en.tsv).

Measures, on an ar2en.tsv file of name pairs (Arabic-script name, one Latin spelling; not
part of the repository: give its path as PATH or in $DALIL_AR2EN; read in place):

* pair recall — share of pairs whose keys are equal (and within one edit);
* false-collision rate — share of *shuffled* pairs (an Arabic name with the Latin
  spelling of another line) whose keys are equal;

for dalil's key and, as a baseline in the same run, a naive consonant skeleton (one
Latin letter per Arabic letter, vowels and ʿayn/hamza dropped, no Arabic-specific
rules). Usage: .venv/bin/python benchmarks/linkage_names.py [PATH]
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from dalil.linkage.names import normalize_arabic, normalize_latin, part_key

DEFAULT = Path(os.environ.get("DALIL_AR2EN", "ar2en.tsv"))

_NAIVE_AR = dict(zip("بتثجحخدذرزسشصضطظغفقكلمنهويةى", "btthhkddrzsssdtzgfkklmnhwyhy", strict=True))


def naive_key(text: str) -> str:
    if any("\u0600" <= c <= "\u06ff" for c in text):
        return "".join(_NAIVE_AR.get(c, "") for c in normalize_arabic(text))
    return "".join(c for c in normalize_latin(text) if c.isalpha() and c not in "aeiou")


def load(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and parts[0].strip() and parts[1].strip():
            pairs.append((parts[0].strip(), parts[1].strip()))
    return pairs


def measure(pairs: list[tuple[str, str]], key) -> dict[str, float]:  # type: ignore[no-untyped-def]
    rng = random.Random(0)
    t = time.perf_counter()
    ka = [key(a) for a, _ in pairs]
    kb = [key(b) for _, b in pairs]
    elapsed = time.perf_counter() - t
    n = len(pairs)
    exact = sum(1 for x, y in zip(ka, kb, strict=True) if x and x == y) / n
    near = sum(1 for x, y in zip(ka, kb, strict=True) if x and Levenshtein.distance(x, y) <= 1) / n
    perm = list(range(n))
    rng.shuffle(perm)
    coll = sum(1 for i, j in enumerate(perm) if i != j and ka[i] and ka[i] == kb[j]) / n
    coll_near = (
        sum(
            1
            for i, j in enumerate(perm)
            if i != j and ka[i] and Levenshtein.distance(ka[i], kb[j]) <= 1
        )
        / n
    )
    return {"recall": exact, "recall_1edit": near, "collision": coll,
            "collision_1edit": coll_near, "names_per_s": 2 * n / elapsed}  # fmt: skip


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.exists():
        print(f"skipped: {path} not found (the shared ar2en data is not on this machine)")
        return 0
    pairs = load(path)
    ours = measure(pairs, part_key)
    base = measure(pairs, naive_key)
    print(f"ar2en pairs: {len(pairs)} ({path})")
    print(f"{'':14}{'dalil key':>12}{'naive':>12}{'ratio':>8}")
    for k in ("recall", "recall_1edit", "collision", "collision_1edit", "names_per_s"):
        ratio = ours[k] / base[k] if base[k] else float("inf")
        print(f"{k:14}{ours[k]:12.4f}{base[k]:12.4f}{ratio:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
