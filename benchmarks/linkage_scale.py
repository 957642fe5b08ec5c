"""Benchmark: `dalil link` end to end on large generated lists (default 1,000,000 records).

Generates fictional lists with `dalil.synth.lists.generate` (untimed), then runs
`dalil link list_1.csv … --out clusters.csv` as a subprocess and reports wall time,
records/s and the peak resident memory of that process. The baseline, in the same
script, is the same command on a tenth of the records: the ratio shows how throughput
scales. Pairwise F1 against the truth is printed for both.

`--backend spark` runs the same command on Spark in local mode; the peak memory is then
also measured as the sum over the process tree (the Python process and Spark's JVM,
sampled every 0.2 s), since `/usr/bin/time` reports the largest single process only.

Usage: .venv/bin/python benchmarks/linkage_scale.py [--records 1000000] [--lists 5]
       [--backend duckdb|spark] [--no-baseline] [--data-dir DIR] [--design-seed N]

``--baseline-src DIR`` makes the baseline the same command on the same lists with the
package imported from another source tree (``DIR`` is its ``src``, e.g. a checkout of
main): a before/after of a change in the same conditions. With ``--data-dir`` the
baseline's clusters are kept as ``clusters-baseline.csv`` and compared with the
run's, byte for byte.

``--design-seed N`` fixes the lists' design whatever their size (as in
``benchmarks/linkage_stages.py``; the same folder names under ``--data-dir``, so the
lists one generated are reused by the other).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from dalil.linkage.clusters import pairwise_scores
from dalil.synth.lists import generate

RECORDS_PER_PERSON_5_LISTS = 2.35  # measured on generate(…, lists=5): records / people


def _tree_rss_kb(root: int) -> int:
    """Resident memory (kB) of *root* and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            status = (d / "status").read_text()
        except OSError:
            continue
        fields = dict(ln.split(":", 1) for ln in status.splitlines() if ":" in ln)
        pid = int(d.name)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


class TreePeak(threading.Thread):
    """Samples the summed resident memory of a process tree until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.stop = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))


def run(
    n_records: int,
    n_lists: int,
    folder: Path,
    seed: int,
    backend: str = "duckdb",
    design: int | None = None,
    src: str = "",
) -> dict[str, float]:
    people = max(10, int(n_records / RECORDS_PER_PERSON_5_LISTS * 5 / n_lists))
    t = time.perf_counter()
    if (folder / "truth.csv").exists():
        with (folder / "truth.csv").open(encoding="utf-8") as fh:
            truth = {r["record_id"]: r["person_id"] for r in csv.DictReader(fh)}
    else:
        truth = generate(people, n_lists, seed=seed, out_dir=folder, design_seed=design).truth_map()
    gen_s = time.perf_counter() - t
    records = len(truth)
    files = sorted(folder.glob("list_*.csv"))
    # the baseline of --baseline src writes its own file: the two are compared
    out = folder / ("clusters-baseline.csv" if src else "clusters.csv")
    dalil = Path(sys.executable).with_name("dalil")
    cmd = ["/usr/bin/time", "-v", str(dalil), "link", *map(str, files), "--out", str(out),
           "--backend", backend]  # fmt: skip
    load = [os.getloadavg()[0]]
    t = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=src) if src else None
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sampler = TreePeak(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    secs = time.perf_counter() - t
    sampler.stop.set()
    sampler.join()
    load.append(os.getloadavg()[0])
    if proc.returncode != 0:
        print(err[-4000:])
        raise SystemExit(f"dalil link failed (exit {proc.returncode})")
    # /usr/bin/time -v's report is the tail from "Command being timed" (Spark's log
    # lines before it may also start with a tab)
    report = err[err.rindex("\tCommand being timed") :].splitlines()
    timev = dict(ln.strip().split(": ", 1) for ln in report if ": " in ln)
    peak_kb = int(timev["Maximum resident set size (kbytes)"])
    with out.open(encoding="utf-8") as fh:
        pred = {r["record_id"]: r["cluster_id"] for r in csv.DictReader(fh)}
    s = pairwise_scores(pred, truth)
    stages = [ln for ln in err.splitlines() if ln.startswith("[dalil link]")]
    print(f"  {records} records ({people} people, {n_lists} lists), generated in {gen_s:.0f}s")
    for ln in stages:
        print(f"    {ln}")
    print(f"  {backend}: user {timev['User time (seconds)']} s, system "
          f"{timev['System time (seconds)']} s, CPU {timev['Percent of CPU this job got']}, "
          f"load average {load[0]:.1f} before, {load[1]:.1f} after (2 cores shared)")  # fmt: skip
    return {"records": records, "seconds": secs, "rps": records / secs,
            "peak_gb": peak_kb / 1024**2, "tree_peak_gb": sampler.peak_kb / 1024**2,
            "precision": s["precision"], "recall": s["recall"], "f1": s["f1"],
            "load": max(load), "user_s": float(timev["User time (seconds)"])}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--lists", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--backend", default="duckdb", choices=["duckdb", "spark"])
    ap.add_argument(
        "--baseline",
        default="tenth",
        choices=["tenth", "duckdb", "src", "none"],
        help="tenth: the same backend on a tenth of the records (default); duckdb: DuckDB "
        "on the same lists (to compare a Spark run's results); src: the same command and lists "
        "with the package from --baseline-src; none: the full run only",
    )
    ap.add_argument(
        "--data-dir", default="", help="keep the generated lists here and reuse them next time"
    )
    ap.add_argument("--design-seed", type=int, default=None)
    ap.add_argument("--baseline-src", default="", help="source tree of the baseline (src)")
    args = ap.parse_args()
    if not Path("/usr/bin/time").exists():
        print("skipped: /usr/bin/time is needed to measure peak memory")
        return 0
    print(f"cores: {os.cpu_count()}; RLIMIT_AS: {resource.getrlimit(resource.RLIMIT_AS)[0]}")
    runs = [("full", args.records, args.backend)]
    if args.baseline == "tenth":
        runs.insert(0, ("1/10", args.records // 10, args.backend))
    elif args.baseline == "duckdb":
        runs.insert(0, ("duckdb", args.records, "duckdb"))
    elif args.baseline == "src":
        if not args.baseline_src:
            ap.error("--baseline src needs --baseline-src DIR")
        runs.insert(0, ("src", args.records, args.backend))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, n, backend in runs:
            print(f"{label} ({backend}):")
            name = f"{n}-{args.lists}-{args.seed}"
            if args.design_seed is not None:
                name += f"-{args.design_seed}"
            folder = Path(args.data_dir or tmp) / name
            folder.mkdir(parents=True, exist_ok=True)
            src = args.baseline_src if label == "src" else ""
            results[label] = run(n, args.lists, folder, args.seed, backend, args.design_seed, src)
    keys = ("records", "seconds", "user_s", "rps", "peak_gb", "tree_peak_gb", "precision",
            "recall", "f1", "load")  # fmt: skip
    f = results["full"]
    if len(runs) == 1:
        for k in keys:
            print(f"{k:16}{f[k]:12.3f}")
        return 0
    b = results[runs[0][0]]
    print(f"\n{'':16}{runs[0][0]:>12}{args.backend:>12}{'ratio':>8}")
    for k in keys:
        print(f"{k:16}{b[k]:12.3f}{f[k]:12.3f}{f[k] / b[k]:8.2f}")
    if args.baseline == "duckdb":
        print(f"F1 difference (spark - duckdb): {f['f1'] - b['f1']:+.4f}")
    if args.baseline == "src" and args.data_dir:
        folder = Path(args.data_dir) / name
        same = (folder / "clusters.csv").read_bytes() == (
            folder / "clusters-baseline.csv"
        ).read_bytes()
        print(f"clusters.csv of both runs identical, record by record: {'yes' if same else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
