"""`--backend spark`: the same trained model scores pairs on pyspark in local mode."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from dalil.testing import DalilRunner

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def _spark_available() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed"
    if shutil.which("java") is None:
        return "no java on PATH (Spark needs Java 17)"
    return None


@pytest.mark.skipif(_spark_available() is not None, reason=str(_spark_available()))
def test_spark_backend_gives_the_same_clusters_as_duckdb(
    run: DalilRunner, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # eight records: one core, one shuffle partition and a JVM tuned for tiny jobs
    monkeypatch.setenv("DALIL_SPARK_CORES", "1")
    monkeypatch.setenv("DALIL_SPARK_SMALL", "1")
    files = [data / "committee.csv", data / "network.csv"]
    outs = {}
    for backend in ("duckdb", "spark"):
        out = tmp_path / f"{backend}.csv"
        r = run("link", *files, "--out", out, "--backend", backend, "-q")
        assert r.exit_code == 0, r.stderr
        with out.open(encoding="utf-8") as fh:
            outs[backend] = {x["record_id"]: x for x in csv.DictReader(fh)}
    assert outs["spark"].keys() == outs["duckdb"].keys()
    for rid, row in outs["duckdb"].items():
        assert outs["spark"][rid]["cluster_id"] == row["cluster_id"]
        assert abs(float(outs["spark"][rid]["match_probability"])
                   - float(row["match_probability"])) < 1e-6  # fmt: skip
    assert outs["spark"]["c1"]["cluster_id"] == outs["spark"]["n1"]["cluster_id"]


@pytest.mark.skipif(_spark_available() is not None, reason=str(_spark_available()))
def test_spark_links_a_few_hundred_records_like_duckdb_and_leaves_no_temp_files(
    tmp_path: Path,
) -> None:
    """A few hundred generated records (fictional) on real Spark in its own process:
    the clusters score as DuckDB's, Spark's temporary files (shuffle, spill,
    checkpoints: they hold the names) go under DALIL_SPARK_TMP and are gone at exit."""
    import os
    import subprocess
    import sys

    from dalil.linkage.clusters import pairwise_scores
    from dalil.synth.lists import generate

    lists = tmp_path / "lists"
    truth = generate(300, 3, seed=5, out_dir=lists).truth_map()
    files = [str(p) for p in sorted(lists.glob("list_*.csv"))]
    assert 250 <= len(truth) <= 400
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": str(src), "DALIL_SPARK_TMP": str(scratch),
           "DALIL_SPARK_CORES": "1", "DALIL_SPARK_SMALL": "1"}  # fmt: skip
    scores = {}
    for backend in ("duckdb", "spark"):
        out = tmp_path / f"{backend}.csv"
        r = subprocess.run(
            [sys.executable, "-c", "from dalil.cli.app import main; main()", "link", *files,
             "--out", str(out), "--backend", backend],
            env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr[-3000:]
        with out.open(encoding="utf-8") as fh:
            pred = {x["record_id"]: x["cluster_id"] for x in csv.DictReader(fh)}
        assert pred.keys() == truth.keys()
        scores[backend] = pairwise_scores(pred, truth)
        if backend == "spark":
            # Spark wrote where it was told (its log names the directory) and removed it
            assert str(scratch) in r.stderr
            assert list(scratch.iterdir()) == []
    assert scores["duckdb"]["f1"] > 0.8
    assert abs(scores["spark"]["f1"] - scores["duckdb"]["f1"]) <= 0.005
