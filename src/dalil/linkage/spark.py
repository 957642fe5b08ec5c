"""Spark for ``--backend spark``: a local session (pyspark local mode; Java 17 needed) or
one you built for a cluster, and the Splink database API tuned to the size of the lists.

Spark writes the records to disk while it works (shuffle and spill files, the
checkpoints of intermediate tables, the copy of the records pyspark hands to the JVM):
those files hold the names. In local mode they all go into one private directory
(mode 0700) under ``DALIL_SPARK_TMP`` (else the system's temporary directory), which is
removed when the session stops or the process exits; see :func:`scratch_dir`.
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

_SESSION: Any = None
#: the session was built here (local mode), so its settings and scratch are ours
_LOCAL = False
_SCRATCH: Path | None = None

#: records per shuffle partition in local mode: a partition of the blocked pairs of
#: 10,000 records (about a million pairs with their comparison columns) fits easily in a
#: task's share of the heap, and 100 partitions at a million records cost little overhead
RECORDS_PER_PARTITION = 10_000


def use_session(session: Any) -> None:
    """Score with *session* — a ``SparkSession`` you built, e.g. connected to a cluster —
    whenever ``backend="spark"`` is asked for in this process (instead of local mode).

    Its settings are left as you made them (shuffle partitions, memory); intermediate
    tables are written as Parquet under its checkpoint directory if it has one
    (``sparkContext.setCheckpointDir``), else kept with ``persist()``."""
    global _SESSION, _LOCAL
    _SESSION = session
    _LOCAL = False


def scratch_dir() -> Path:
    """The private directory (mode 0700) for Spark's files in local mode: a new
    ``dalil-spark-*`` directory under ``DALIL_SPARK_TMP`` or the system's temporary
    directory, removed by :func:`stop` and at exit. Put it on encrypted disk."""
    global _SCRATCH
    if _SCRATCH is None:
        base = os.environ.get("DALIL_SPARK_TMP") or None
        _SCRATCH = Path(tempfile.mkdtemp(prefix="dalil-spark-", dir=base))
        _SCRATCH.chmod(0o700)
    return _SCRATCH


def local_session(cores: int | None = None) -> Any:
    """One shared pyspark session in local mode (or the one given to :func:`use_session`).

    The number of cores is *cores*, else ``DALIL_SPARK_CORES``, else up to 2; the
    number of shuffle partitions is set per run by :func:`splink_api` from the number of
    records. Memory is ``DALIL_SPARK_MEMORY`` (default 4g: the driver is also the only
    executor). ``DALIL_SPARK_SMALL=1`` tunes the JVM for tiny inputs (tests, demos): no
    whole-stage code generation, the quick JIT tier only and the serial collector; do
    not set it for real lists. Shuffle, spill, checkpoint and JVM temporary files go
    into :func:`scratch_dir`.
    """
    global _SESSION, _LOCAL
    if _SESSION is not None:
        return _SESSION
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
    env_cores = os.environ.get("DALIL_SPARK_CORES", "")
    n = cores or (int(env_cores) if env_cores.isdigit() and int(env_cores) > 0 else 0)
    n = n or min(2, os.cpu_count() or 1)
    scratch = scratch_dir()
    # SPARK_LOCAL_DIRS would override spark.local.dir (and send the files elsewhere)
    os.environ.pop("SPARK_LOCAL_DIRS", None)
    java_opts = f"-Djava.io.tmpdir={scratch}"
    builder = SparkSession.builder
    if os.environ.get("DALIL_SPARK_SMALL") == "1":
        builder = builder.config("spark.sql.codegen.wholeStage", "false")
        java_opts += " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
    _SESSION = (
        builder.master(f"local[{n}]")
        .appName("dalil-link")
        .config("spark.sql.shuffle.partitions", str(n))
        .config("spark.default.parallelism", str(n))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", os.environ.get("DALIL_SPARK_MEMORY", "4g"))
        .config("spark.driver.extraJavaOptions", java_opts)
        .config("spark.local.dir", str(scratch))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # small local jobs: no adaptive re-planning between stages
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate()
    )
    _LOCAL = True
    _SESSION.sparkContext.setLogLevel("ERROR")
    _SESSION.sparkContext.setCheckpointDir(str(scratch / "checkpoints"))
    atexit.register(stop)
    return _SESSION


def partitions(n_records: int, cores: int) -> int:
    """Shuffle partitions for *n_records* in local mode: one per core on small lists
    (Spark's default of 200 makes them schedule empty tasks), one per
    :data:`RECORDS_PER_PARTITION` records on large ones (a partition per core held the
    blocked pairs of 100,000 records in one task)."""
    return max(cores, math.ceil(n_records / RECORDS_PER_PARTITION))


def splink_api(n_records: int) -> Any:
    """Splink's Spark API for a run on *n_records* records.

    Local mode: shuffle partitions from :func:`partitions`, and intermediate tables
    (the records with term frequencies, the blocked pairs, the scored pairs) written as
    Parquet to a directory of this run under :func:`scratch_dir` — held on disk, not in
    the heap — which is removed when the run drops its tables.
    """
    from splink import SparkAPI

    session = local_session()
    if not _LOCAL:
        has_dir = not session.sparkContext._jsc.sc().getCheckpointDir().isEmpty()
        method = "parquet" if has_dir else "persist"
        return SparkAPI(spark_session=session, break_lineage_method=method)  # type: ignore[no-untyped-call]
    cores = int(session.sparkContext.defaultParallelism)
    p = partitions(n_records, cores)
    session.conf.set("spark.sql.shuffle.partitions", str(p))
    run_dir = scratch_dir() / "checkpoints" / f"run-{uuid.uuid4().hex}"
    run_dir.mkdir(parents=True)
    session.sparkContext.setCheckpointDir(str(run_dir))
    return _LocalSparkAPI(
        spark_session=session,
        break_lineage_method="parquet",
        num_partitions_on_repartition=p,
        run_dir=run_dir,
    )


def records_frame(api: Any, df: Any) -> Any:
    """*df* (the prepared records, pandas) as a Spark DataFrame for ``api.register``.

    Local mode: written as one Parquet file into the run's directory and read from
    there, so the JVM heap does not hold a copy of the records (pyspark's conversion of
    a pandas frame keeps them in the driver) and Python makes no cleaned copy (Splink's
    conversion replaces every missing value first). Other sessions: from an Arrow table.
    """
    import pyarrow as pa

    table = pa.Table.from_pandas(df, preserve_index=False)
    run_dir = getattr(api, "run_dir", None)
    if run_dir is None:
        return api.spark.createDataFrame(table)
    import pyarrow.parquet as pq

    path = Path(run_dir) / "records.parquet"
    pq.write_table(table, path)
    del table
    return api.spark.read.parquet(str(path))


def _local_api_class() -> Any:
    from splink import SparkAPI

    class LocalSparkAPI(SparkAPI):
        """Removes the run's Parquet checkpoints with the run's tables."""

        def __init__(self, *, run_dir: Path, **kw: Any) -> None:
            super().__init__(**kw)  # type: ignore[no-untyped-call]
            self.run_dir = run_dir

        def delete_tables_created_by_splink_from_db(self) -> None:
            try:
                super().delete_tables_created_by_splink_from_db()  # type: ignore[no-untyped-call]
            finally:
                self.spark.catalog.clearCache()
                shutil.rmtree(self.run_dir, ignore_errors=True)

    return LocalSparkAPI


def _LocalSparkAPI(**kw: Any) -> Any:  # built lazily: pyspark is optional
    return _local_api_class()(**kw)


def stop() -> None:
    """Stop the local session and remove :func:`scratch_dir` with everything Spark wrote
    (a session given to :func:`use_session` is not stopped)."""
    global _SESSION, _LOCAL, _SCRATCH
    if _SESSION is not None and _LOCAL:
        with contextlib.suppress(Exception):
            _SESSION.stop()
        _SESSION, _LOCAL = None, False
    if _SCRATCH is not None:
        shutil.rmtree(_SCRATCH, ignore_errors=True)
        _SCRATCH = None
