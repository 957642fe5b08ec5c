"""A local Spark session for ``--backend spark`` (pyspark local mode; Java 17 needed)."""

from __future__ import annotations

import os
from typing import Any

_SESSION: Any = None


def local_session(cores: int | None = None) -> Any:
    """One shared pyspark session in local mode, quiet and small.

    On a cluster, build your own session and pass ``SparkAPI(spark_session=...)`` to
    :func:`dalil.linkage.model.run_linkage` instead; this helper is for one machine.
    """
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
    n = cores or min(2, os.cpu_count() or 1)
    _SESSION = (
        SparkSession.builder.master(f"local[{n}]")
        .appName("dalil-link")
        .config("spark.sql.shuffle.partitions", str(n))
        .config("spark.default.parallelism", str(n))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", os.environ.get("DALIL_SPARK_MEMORY", "2g"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    _SESSION.sparkContext.setLogLevel("ERROR")
    return _SESSION
