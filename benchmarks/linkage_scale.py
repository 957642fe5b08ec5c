"""Benchmark: `dalil link` end to end on large generated lists (default 1,000,000 records).

Generates fictional lists with `dalil.synth.lists.generate` (untimed), then runs
`dalil link list_1.csv … --out clusters.csv` as a subprocess and reports wall time,
records/s and the peak resident memory of that process. The baseline, in the same
script, is the same command on a tenth of the records: the ratio shows how throughput
scales. Pairwise F1 against the truth is printed for both.

Usage: .venv/bin/python benchmarks/linkage_scale.py [--records 1000000] [--lists 5]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dalil.linkage.clusters import pairwise_scores
from dalil.synth.lists import generate

RECORDS_PER_PERSON_5_LISTS = 2.35  # measured on generate(…, lists=5): records / people


def run(n_records: int, n_lists: int, folder: Path, seed: int) -> dict[str, float]:
    people = max(10, int(n_records / RECORDS_PER_PERSON_5_LISTS * 5 / n_lists))
    t = time.perf_counter()
    res = generate(people, n_lists, seed=seed, out_dir=folder)
    gen_s = time.perf_counter() - t
    records = len(res.truth)
    files = sorted(folder.glob("list_*.csv"))
    out = folder / "clusters.csv"
    dalil = Path(sys.executable).with_name("dalil")
    t = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M", str(dalil), "link", *map(str, files), "--out", str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    secs = time.perf_counter() - t
    peak_kb = int(proc.stderr.strip().splitlines()[-1])
    with out.open(encoding="utf-8") as fh:
        pred = {r["record_id"]: r["cluster_id"] for r in csv.DictReader(fh)}
    s = pairwise_scores(pred, res.truth_map())
    stages = [ln for ln in proc.stderr.splitlines() if ln.startswith("[dalil link]")]
    print(f"  {records} records ({people} people, {n_lists} lists), generated in {gen_s:.0f}s")
    for ln in stages:
        print(f"    {ln}")
    return {"records": records, "seconds": secs, "rps": records / secs,
            "peak_gb": peak_kb / 1024**2, "f1": s["f1"]}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--lists", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if not Path("/usr/bin/time").exists():
        print("skipped: /usr/bin/time is needed to measure peak memory")
        return 0
    print(f"cores: {os.cpu_count()}; RLIMIT_AS: {resource.getrlimit(resource.RLIMIT_AS)[0]}")
    results = {}
    for label, n in (("baseline (1/10)", args.records // 10), ("full", args.records)):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"{label}:")
            results[label] = run(n, args.lists, Path(tmp), args.seed)
    b, f = results["baseline (1/10)"], results["full"]
    print(f"\n{'':16}{'1/10':>12}{'full':>12}{'ratio':>8}")
    for k in ("records", "seconds", "rps", "peak_gb", "f1"):
        print(f"{k:16}{b[k]:12.3f}{f[k]:12.3f}{f[k] / b[k]:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
