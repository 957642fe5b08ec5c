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
