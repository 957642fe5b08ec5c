"""The job kinds dalil ships (see :mod:`dalil.services.jobs`). Each function runs in a
job worker as the job's owner, reports progress in words, and returns a JSON result."""

from __future__ import annotations

from typing import Any

from dalil.core import access
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


@job_kind("linkage", permission=access.ANALYSIS_RUN, title="Linkage run", exclusive=True)
def linkage_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Link every imported victim list (``dalil lists link``); replaces the previous
    clustering, so a retried run gives the same outcome."""
    from dalil.display.jsonout import jsonable
    from dalil.services import lists as linkage

    def say(message: str) -> None:
        progress(message)

    kw: dict[str, Any] = {}
    for name in ("threshold", "review_low"):
        if params.get(name) is not None:
            kw[name] = float(params[name])
    if params.get("incident_id") is not None:
        kw["incident_id"] = int(params["incident_id"])
    if params.get("backend"):
        kw["backend"] = str(params["backend"])
    with job.act() as ctx:
        out = linkage.link(ctx, progress=say, **kw)
    return dict(jsonable(out))


@job_kind("report", permission=access.REPORT_INTERNAL, title="Report")
def report_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Build a report (``dalil report``): params ``audience`` (internal|public), ``format``
    (html|pdf), ``lang``, ``title``. The file is kept with the job (encrypted) as
    ``report.pdf`` / ``report.html``; logged ``report.build`` by the service."""
    import os
    import tempfile
    from pathlib import Path

    from dalil.display.jsonout import jsonable
    from dalil.services.reports import build_report

    fmt = "pdf" if params.get("format", "pdf") == "pdf" else "html"
    progress(f"building the {params.get('audience', 'internal')} report ({fmt})")
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="dalil-report-", dir=shm) as folder:
        os.chmod(folder, 0o700)
        out = Path(folder) / f"report.{fmt}"
        meta = build_report(
            job.case,
            job.owner,
            audience=str(params.get("audience", "internal")),
            fmt=fmt,
            out=out,
            lang=str(params.get("lang", "en")),
            title=params.get("title") or None,
        )
        media = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
        saved = job.save_output(out.name, out.read_bytes(), media)
    result = dict(jsonable(meta))
    result.pop("out", None)
    result["file"] = saved
    return result
