"""Vetting screen on real Arabic/Latin name pairs: recall, false candidates and speed.

Reads an ar2en.tsv file of name pairs (Arabic name → Latin spelling; not part of the
repository; its path in $DALIL_AR2EN, default ./ar2en.tsv). Builds fictional three-part suspect names in Arabic script from
those words, a personnel list in Latin script with (a) the same people, (b) "near
decoys" sharing two of three name parts and (c) unrelated people, and screens it with
the linkage engine's name keys and, as the baseline, the simple comparator.

    .venv/bin/python benchmarks/vetting_names.py [--suspects 300] [--personnel 3000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

from dalil.findings.vetting import (
    PersonnelRecord,
    Suspect,
    linkage_name_similarity,
    screen,
    simple_name_similarity,
)

DATA = Path(os.environ.get("DALIL_AR2EN", "ar2en.tsv"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--suspects", type=int, default=300)
    ap.add_argument("--personnel", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} not found: give the ar2en name pairs in $DALIL_AR2EN")
    pairs = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) >= 3 and parts[1].isascii() and "." not in parts[1]:
            pairs.append((parts[0], parts[1]))
    rng = random.Random(args.seed)
    unit = "Coastal Shield Brigade (fictional)"

    def person() -> list[tuple[str, str]]:
        return [rng.choice(pairs) for _ in range(3)]

    suspects_parts = [person() for _ in range(args.suspects)]
    suspects = [
        Suspect(
            id=f"S{i}",
            names=(" ".join(a for a, _ in p),),
            units=(unit,),
            start=date(2021, 4, 1),
            end=date(2021, 4, 30),
        )
        for i, p in enumerate(suspects_parts)
    ]
    personnel: list[PersonnelRecord] = []
    truth: set[tuple[int, str]] = set()
    n_true = args.personnel // 10
    n_near = args.personnel // 10
    for k in range(args.personnel):
        row = k + 2
        if k < n_true:
            i = k % args.suspects
            name = " ".join(lat for _, lat in suspects_parts[i])
            truth.add((row, f"S{i}"))
        elif k < n_true + n_near:
            i = k % args.suspects
            p = list(suspects_parts[i])
            p[rng.randrange(3)] = rng.choice(pairs)  # one part differs: a different person
            name = " ".join(lat for _, lat in p)
        else:
            name = " ".join(lat for _, lat in person())
        personnel.append(
            PersonnelRecord(row, f"P{row}", name, unit, "officer", date(2020, 1, 1), None)
        )

    results = {}
    for label, fn in (
        ("simple comparator (baseline)", simple_name_similarity),
        ("linkage name keys", linkage_name_similarity),
    ):
        t0 = time.perf_counter()
        cands, _ = screen(personnel, suspects, name_fn=fn)
        dt = time.perf_counter() - t0
        found = {(c.record.row, c.suspect.id) for c in cands}
        high = {(c.record.row, c.suspect.id) for c in cands if c.level == "high"}
        results[label] = dt
        print(f"{label}:")
        print(
            f"  pairs compared      {len(personnel) * len(suspects):,} in {dt:.2f} s ({len(personnel) * len(suspects) / dt:,.0f} pairs/s)"
        )
        print(
            f"  recall (any level)  {len(truth & found) / len(truth):.3f}   recall (high) {len(truth & high) / len(truth):.3f}"
        )
        print(f"  false candidates    {len(found - truth)} (of which high: {len(high - truth)})")
    base, new = results["simple comparator (baseline)"], results["linkage name keys"]
    print(f"time ratio linkage keys / baseline: {new / base:.2f}")


if __name__ == "__main__":
    main()
