"""A local Spark session for ``--backend spark`` (pyspark local mode; Java 17 needed)."""

from __future__ import annotations

import os
from typing import Any

_SESSION: Any = None


def use_session(session: Any) -> None:
    """Score with *session* — a ``SparkSession`` you built, e.g. connected to a cluster —
    whenever ``backend="spark"`` is asked for in this process (instead of local mode)."""
    global _SESSION
    _SESSION = session


def local_session(cores: int | None = None) -> Any:
    """One shared pyspark session in local mode, quiet and small.

    On a cluster, build your own session and pass ``SparkAPI(spark_session=...)`` to
    :func:`dalil.linkage.model.run_linkage` instead; this helper is for one machine.
    The number of cores is *cores*, else ``DALIL_SPARK_CORES``, else up to 2; shuffles
    use as many partitions as cores (Spark's default of 200 partitions makes small jobs
    spend most of their time scheduling empty tasks). ``DALIL_SPARK_SMALL=1`` tunes the
    JVM for tiny inputs (tests, demos): no whole-stage code generation, the quick JIT
    tier only and the serial collector; do not set it for real lists.
    """
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
    env_cores = os.environ.get("DALIL_SPARK_CORES", "")
    n = cores or (int(env_cores) if env_cores.isdigit() and int(env_cores) > 0 else 0)
    n = n or min(2, os.cpu_count() or 1)
    builder = SparkSession.builder
    if os.environ.get("DALIL_SPARK_SMALL") == "1":
        builder = builder.config("spark.sql.codegen.wholeStage", "false").config(
            "spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
        )
    _SESSION = (
        builder.master(f"local[{n}]")
        .appName("dalil-link")
        .config("spark.sql.shuffle.partitions", str(n))
        .config("spark.default.parallelism", str(n))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", os.environ.get("DALIL_SPARK_MEMORY", "2g"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # small local jobs: no adaptive re-planning between stages
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate()
    )
    _SESSION.sparkContext.setLogLevel("ERROR")
    return _SESSION
