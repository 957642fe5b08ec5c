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


#: Largest evidence bag a ``bag`` job keeps (bytes on disk before zipping). A job's file
#: is one encrypted row of the case database, read whole to be downloaded; a larger bag
#: is refused with the reason, and ``dalil export bag`` on the server writes it instead.
BAG_JOB_MAX_BYTES = 2 * 1024**3


@job_kind("bag", permission=access.EXPORT_BAG, title="Evidence bag export")
def bag_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Export evidence, records, custody and audit entries as a BagIt bag (``dalil export
    bag``): params ``select`` (a list, as ``--select``). The bag is written and validated
    in the case folder's private temporary area, then kept with the job (encrypted) as one zip file,
    ``evidence-bag.zip``; the folder is removed. Protected fields are never included
    (that needs a reason, given at the command line). Logged ``export.bag``."""
    import zipfile
    from pathlib import Path

    from dalil.core.tempdir import private_tempdir
    from dalil.services.export import export_bag

    # In the case folder's private temp area (0700): the bag holds evidence in plaintext,
    # which must not rest outside the case; a kill -9 leaves it where the next open of
    # the case sweeps it.
    progress("writing and validating the bag")
    with private_tempdir(job.case.root, "job-bag-") as folder:
        out = Path(folder) / "evidence-bag"
        summary = export_bag(job.case, job.owner, out, select_=list(params.get("select") or []))
        size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
        if size > BAG_JOB_MAX_BYTES:
            from dalil.errors import InputError

            raise InputError(
                f"the bag holds {size // 2**20:,} MB, more than the "
                f"{BAG_JOB_MAX_BYTES // 2**20:,} MB a job keeps: export it with "
                "`dalil export bag OUT` on the server"
            )
        progress("packing the bag into one zip file")
        zpath = Path(folder) / "evidence-bag.zip"
        with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as z:
            for f in sorted(out.rglob("*")):
                if f.is_file():
                    z.write(f, arcname=str(Path("evidence-bag") / f.relative_to(out)))
        saved = job.save_output(zpath.name, zpath.read_bytes(), "application/zip")
    summary.pop("out", None)
    summary["file"] = saved
    return summary


@job_kind("media", permission=access.EVIDENCE_ADD, title="Media analysis")
def media_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Read the metadata, hash and (for a video) cut the keyframes of evidence item
    ``item`` (:func:`dalil.services.media.analyse`; queued at a web upload). Run again, it
    replaces the stored metadata and hashes; keyframes already stored are found by
    their content and not stored twice. An unreadable file fails the job with the reason
    (the item stays as stored). Logged ``evidence.media``."""
    from dalil.services import media

    progress("reading the metadata and hashing the media")
    return media.analyse(job.case, job.owner, int(params["item"]))


@job_kind("capture", permission=access.EVIDENCE_ADD, title="Web capture import")
def capture_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Check and record a web capture (WACZ, WARC) uploaded in the workbench and already
    stored encrypted in the vault (:func:`dalil.services.captures.record_stored_capture`):
    params ``sha256``, ``name``, ``source`` (a source id or none), ``sensitive``,
    ``graphic`` (the capture and its media shown blurred). A broken
    or altered archive fails the job naming the file inside it, with nothing recorded;
    retried after its worker died, it records the capture once. Logged ``evidence.add``."""
    from dalil.display.jsonout import jsonable
    from dalil.services import captures

    progress("reading and checking the web capture")
    source = params.get("source")
    out = captures.record_stored_capture(
        job.case,
        job.owner,
        str(params["sha256"]),
        name=str(params.get("name") or "capture.wacz"),
        source_id=int(source) if source is not None else None,
        sensitive=bool(params.get("sensitive")),
        graphic=bool(params.get("graphic")),
        capture={"uploaded_via": "web"},
        job=job.job_id,
    )
    if not out.get("recorded_before"):
        progress(
            f"recorded the capture; media files: {len(out['media'])}, "
            f"page texts: {len(out['texts'])}"
        )
    return dict(jsonable(out))


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
    from pathlib import Path

    from dalil.display.jsonout import jsonable
    from dalil.services.reports import build_report

    fmt = "pdf" if params.get("format", "pdf") == "pdf" else "html"
    progress(f"building the {params.get('audience', 'internal')} report ({fmt})")
    from dalil.core.tempdir import private_tempdir

    with private_tempdir(job.case.root, "job-report-") as folder:
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


@job_kind("vetting", permission=access.PROTECTED_REVEAL, title="Vetting screen")
def vetting_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Screen an uploaded personnel file (input file ``personnel``) against the case's
    suspects (``dalil vet``): params ``name`` (the upload's name), ``threshold``,
    ``columns`` ({header: field}). Candidates for human review, never a verdict; the
    file is deleted with the job's other inputs once it has finished."""
    from dalil.display.jsonout import jsonable
    from dalil.services import vetting

    data = job.input_file("personnel")
    progress("screening the personnel file against the suspects")
    with job.act() as ctx:
        out = vetting.vet_upload(
            ctx,
            data,
            name=str(params.get("name", "personnel.csv")),
            columns=dict(params.get("columns") or {}) or None,
            threshold=float(params.get("threshold", 0.5)),
        )
    return dict(jsonable(out))


@job_kind("estimate", permission=access.ANALYSIS_RUN, title="Estimate")
def estimate_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Estimate the total from the case's linked lists (``dalil estimate --case``, through
    the same service functions): params are :func:`estimates.estimate_settings`' (method,
    strata, lists, linkage_draws, allocate, seed). The result is the estimation JSON plus
    the settings it ran with; LCMCR reports its convergence after each block of draws."""
    from dalil.display.jsonout import jsonable
    from dalil.services import estimates

    s = estimates.estimate_settings(params)
    progress("reading the linked lists")
    with job.act(write=False) as ctx:
        source = estimates.case_estimate_input(
            ctx, strata=s["strata"], lists=s["lists"], linkage_draws=s["linkage_draws"]
        )

    def each(p: dict[str, Any]) -> None:
        if "draw" in p:
            progress(
                f"linkage draw {p['draw']} of {p['draws']} estimated"
                + (f" ({p['failed']} could not be)" if p.get("failed") else ""),
                fraction=p["draw"] / p["draws"],
            )
        elif "ess" in p:
            rhat = "not yet known" if p.get("rhat") is None else f"{p['rhat']:.3f}"
            target = float(p.get("target_ess") or 1)
            progress(
                f"LCMCR: {p['draws_per_chain']:,} draws per chain, effective sample size "
                f"{p['ess']:,.0f} of {target:,.0f}, R-hat {rhat} ({p['seconds']:.0f} s)",
                fraction=min(0.99, float(p["ess"]) / target),
            )

    progress(f"estimating ({s['method']})")
    result = estimates.compute_estimate(
        source,
        linkage_draws=s["linkage_draws"],
        progress=each,
        **estimates.estimate_kwargs(s),
    )
    out = dict(jsonable(result.to_dict()))
    out["settings"] = s
    return out


@job_kind("source_text", permission=access.EVIDENCE_ADD, title="Source text extraction")
def source_text_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Extract the text of an uploaded source document (PDF, DOCX, HTML, text) already
    stored in the vault and keep it as the source's working copy
    (:func:`dalil.services.sources.extract_stored_text`; queued at a web or API upload):
    params ``source``, ``sha256``, ``name``, ``sensitive``. A document with no text
    (a scan) queues OCR. Retried, it finds the working copy already held."""
    from dalil.services import sources

    progress("extracting the text of the document")
    out = sources.extract_stored_text(
        job.case,
        job.owner,
        int(params["source"]),
        original_sha256=str(params["sha256"]),
        name=str(params.get("name") or "document"),
        sensitive=bool(params.get("sensitive")),
    )
    progress(
        "kept the text as a working copy"
        if out["text"]
        else "no text extracted" + ("; OCR queued" if out.get("ocr_job") else ""),
        fraction=1.0,
    )
    return out


@job_kind("list_import", permission=access.RECORD_WRITE, title="Victim list import", exclusive=True)
def list_import_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Import an uploaded victim list (input file ``list``; queued by
    :func:`dalil.services.lists.submit_import`, the web import's last step): params
    ``filename``, ``mapping`` ({column: field}), ``list_name``. The file is read and
    validated in a bounded worker process, then the whole list is stored in one
    transaction (all or nothing), the progress saying how many records are stored. The
    result is the import's (the list and its validation report, row by row); retried
    after its worker died, it finds the list it already stored."""
    from dalil.display.jsonout import jsonable
    from dalil.services import lists

    data = job.input_file("list")
    progress("reading and validating the file", fraction=0.02)

    def each(done: int, total: int) -> None:
        progress(f"stored {done:,} of {total:,} records", fraction=0.1 + 0.9 * done / (total or 1))

    out = lists.import_upload(
        job.case,
        job.case.actor(job.owner),
        str(params.get("filename") or "list.csv"),
        data,
        mapping={str(k): str(v) for k, v in dict(params.get("mapping") or {}).items()},
        list_name=str(params["list_name"]),
        progress=each,
        resume=job.attempt > 1,
    )
    del data
    return dict(jsonable(out))
