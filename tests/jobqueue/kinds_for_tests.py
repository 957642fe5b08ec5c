"""A job kind for the queue's own tests (loaded with DALIL_JOB_MODULES): it appends one
line per start and one per finish to a file named in its parameters, reporting progress
between short sleeps, so a test can kill its worker mid-run and count the runs."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from dalil.core import access
from dalil.services.jobs import JobContext, Progress, job_kind


@job_kind("test.steps", permission=access.ANALYSIS_RUN, title="Test steps", exclusive=True)
def steps(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    trace = Path(params["trace"])
    n = int(params.get("steps", 10))
    with trace.open("a") as f:
        f.write(f"start {job.attempt} {os.getpid()}\n")
    for i in range(n):
        time.sleep(float(params.get("sleep", 0.1)))
        progress(f"step {i + 1} of {n}", fraction=(i + 1) / n)
    if params.get("output"):
        job.save_output("out.txt", b"made by the test job\n", "text/plain")
    if params.get("output_bytes"):  # a large file, written to disk and kept from there
        from dalil.core.tempdir import private_tempdir

        with private_tempdir(job.case.root, "test-out-") as folder:
            out = Path(folder) / "big.bin"
            block = (b"fictional output block %d\n" % job.job_id) * 2000
            with out.open("wb") as f:
                left = int(params["output_bytes"])
                while left > 0:
                    f.write(block[:left])
                    left -= len(block)
            job.save_output("big.bin", out, "application/octet-stream")
    with trace.open("a") as f:
        f.write(f"done {job.attempt} {os.getpid()}\n")
    return {"steps": n}
