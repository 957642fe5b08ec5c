"""The job kinds dalil ships (see :mod:`dalil.services.jobs`). Each function runs in a
job worker as the job's owner, reports progress in words, and returns a JSON result."""

from __future__ import annotations

from typing import Any

from dalil import access
from dalil.services.jobs import JobContext, Progress, job_kind


@job_kind("fixity", permission=access.FIXITY_RUN, title="Fixity check", exclusive=True)
def fixity_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Re-verify every evidence blob (decrypt and re-hash); logged ``evidence.fixity``."""
    from dalil.services import evidence

    step = max(1, int(params.get("report_every", 50)))

    def each(done: int, total: int) -> None:
        if done == total or done % step == 0:
            progress(f"checked {done} of {total} items", fraction=done / total if total else 1.0)
        else:
            progress(fraction=done / total if total else 1.0)

    progress("checking every evidence item")
    rep = evidence.fixity(job.case, job.owner, progress=each)
    return rep.to_dict()
