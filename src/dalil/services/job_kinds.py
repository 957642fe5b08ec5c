"""The job kinds dalil ships (see :mod:`dalil.services.jobs`). Each function runs in a
job worker as the job's owner, reports progress as message ids with their parameters
(marked ``N_``; put into words in the reader's language when shown), and returns a
JSON result."""

from __future__ import annotations

from typing import Any

from dalil.core import access
from dalil.display.messages import N_, Message
from dalil.services.jobs import JobContext, Progress, job_kind


@job_kind("fixity", permission=access.FIXITY_RUN, title="Fixity check", exclusive=True)
def fixity_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Re-verify every evidence blob (decrypt and re-hash); logged ``evidence.fixity``."""
    from dalil.services import evidence

    step = max(1, int(params.get("report_every", 50)))

    def each(done: int, total: int) -> None:
        if done == total or done % step == 0:
            progress(
                N_("checked %(done)s of %(total)s items"),
                fraction=done / total if total else 1.0,
                done=done,
                total=total,
            )
        else:
            progress(fraction=done / total if total else 1.0)

    progress(N_("checking every evidence item"))
    rep = evidence.fixity(job.case, job.owner, progress=each)
    return rep.to_dict()


#: Largest evidence bag a ``bag`` job keeps (bytes on disk before zipping). A job's file
#: is an encrypted blob of the vault, streamed when downloaded; the bag's plaintext is
#: written to the case folder's private temporary area first, so a larger bag is refused
#: with the reason, and ``dalil export bag`` on the server writes it instead.
BAG_JOB_MAX_BYTES = 2 * 1024**3


@job_kind("bag", permission=access.EXPORT_BAG, title="Evidence bag export")
def bag_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Export evidence, records, custody and audit entries as a BagIt bag (``dalil export
    bag``): params ``select`` (a list, as ``--select``). The bag is written and validated
    in the case folder's private temporary area, then kept with the job (an encrypted blob of the vault) as one zip file,
    ``evidence-bag.zip``; the folder is removed. Protected fields are never included
    (that needs a reason, given at the command line). Logged ``export.bag``."""
    import zipfile
    from pathlib import Path

    from dalil.core.tempdir import private_tempdir
    from dalil.services.export import export_bag

    # In the case folder's private temp area (0700): the bag holds evidence in plaintext,
    # which must not rest outside the case; a kill -9 leaves it where the next open of
    # the case sweeps it.
    progress(N_("writing and validating the bag"))
    with private_tempdir(job.case.root, "job-bag-") as folder:
        out = Path(folder) / "evidence-bag"
        summary = export_bag(job.case, job.owner, out, select_=list(params.get("select") or []))
        size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
        if size > BAG_JOB_MAX_BYTES:
            from dalil.errors import InputError

            raise InputError(
                Message(
                    N_(
                        "the bag holds %(size)s MB, more than the %(max)s MB a job keeps: "
                        "export it with dalil export bag on the server"
                    ),
                    size=size // 2**20,
                    max=BAG_JOB_MAX_BYTES // 2**20,
                )
            )
        progress(N_("packing the bag into one zip file"))
        zpath = Path(folder) / "evidence-bag.zip"
        with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as z:
            for f in sorted(out.rglob("*")):
                if f.is_file():
                    z.write(f, arcname=str(Path("evidence-bag") / f.relative_to(out)))
        saved = job.save_output(zpath.name, zpath, "application/zip")  # read as stored
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

    progress(N_("reading the metadata and hashing the media"))
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

    progress(N_("reading and checking the web capture"))
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
            N_("recorded the capture; media files: %(media)s, page texts: %(texts)s"),
            media=len(out["media"]),
            texts=len(out["texts"]),
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
    progress(N_("storing the capture histories"))
    with job.act() as ctx:  # after the run's own transaction: they count its clusters
        linkage.store_histories(ctx)
    return dict(jsonable(out))


@job_kind("histories", permission=access.CASE_READ, title="Capture histories", exclusive=True)
def histories_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Count the capture histories of the linked victims (``dalil lists histories``, no
    stratum) and store them with the data version they hold for
    (:func:`dalil.services.lists.store_histories`), for the estimates page, which reads
    them instead of counting every list record in the request. Queued by that page when
    none hold (none yet, or a change was audited since); run again, it stores them anew.
    The result is how many lists and rows were stored."""
    from dalil.services import lists

    progress(N_("counting the capture histories of the linked victims"))
    with job.act() as ctx:
        out = lists.store_histories(ctx)
    if out["problem"] == "no_lists":
        progress(N_("no capture histories: no list imported yet"), fraction=1.0)
    elif out["problem"]:
        progress(N_("no capture histories: some list records are not linked yet"), fraction=1.0)
    return {"lists": out["lists"], "rows": out["rows"]}


@job_kind("report", permission=access.REPORT_INTERNAL, title="Report")
def report_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Build a report (``dalil report``): params ``audience`` (internal|public), ``format``
    (html|pdf), ``lang``, ``title``. The file is kept with the job (encrypted) as
    ``report.pdf`` / ``report.html``; logged ``report.build`` by the service."""
    from pathlib import Path

    from dalil.display.jsonout import jsonable
    from dalil.services.reports import build_report

    fmt = "pdf" if params.get("format", "pdf") == "pdf" else "html"
    public = params.get("audience", "internal") == "public"
    progress(
        N_("building the public report (%(format)s)")
        if public
        else N_("building the internal report (%(format)s)"),
        format=fmt.upper(),
    )
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
        saved = job.save_output(out.name, out, media)
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
    progress(N_("screening the personnel file against the suspects"))
    with job.act() as ctx:
        out = vetting.vet_upload(
            ctx,
            data,
            name=str(params.get("name", "personnel.csv")),
            columns=dict(params.get("columns") or {}) or None,
            threshold=float(params.get("threshold", 0.5)),
        )
    return dict(jsonable(out))


#: The estimation methods in words (a job's log line names the one it runs).
_METHOD_WORDS = {
    "loglinear": N_("log-linear models"),
    "lcmcr": N_("latent-class model (LCMCR, Bayesian)"),
    "bma": N_("Bayesian model averaging"),
    "all": N_("every method"),
}


@job_kind("estimate", permission=access.ANALYSIS_RUN, title="Estimate")
def estimate_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Estimate the total from the case's linked lists (``dalil estimate --case``, through
    the same service functions): params are :func:`estimates.estimate_settings`' (method,
    strata, lists, linkage_draws, allocate, seed). The result is the estimation JSON plus
    the settings it ran with; LCMCR reports its convergence after each block of draws."""
    from dalil.display.jsonout import jsonable
    from dalil.services import estimates

    s = estimates.estimate_settings(params)
    progress(N_("reading the linked lists"))
    with job.act(write=False) as ctx:
        source = estimates.case_estimate_input(
            ctx, strata=s["strata"], lists=s["lists"], linkage_draws=s["linkage_draws"]
        )
    from dalil.services import lists

    with job.act() as ctx:  # what the estimates page shows, as of this estimate
        lists.store_histories(ctx)

    def each(p: dict[str, Any]) -> None:
        if "draw" in p:
            progress(
                N_("linkage draw %(draw)s of %(draws)s estimated (%(failed)s could not be)")
                if p.get("failed")
                else N_("linkage draw %(draw)s of %(draws)s estimated"),
                fraction=p["draw"] / p["draws"],
                draw=int(p["draw"]),
                draws=int(p["draws"]),
                failed=int(p.get("failed") or 0),
            )
        elif "ess" in p:
            target = float(p.get("target_ess") or 1)
            rhat = (
                Message(N_("not yet known")) if p.get("rhat") is None else f"{float(p['rhat']):.3f}"
            )
            progress(
                N_(
                    "LCMCR: %(draws)s draws per chain, effective sample size %(ess)s of "
                    "%(target)s, R-hat %(rhat)s (%(seconds)s s)"
                ),
                fraction=min(0.99, float(p["ess"]) / target),
                draws=int(p["draws_per_chain"]),
                ess=round(float(p["ess"])),
                target=round(target),
                rhat=rhat,
                seconds=round(float(p["seconds"])),
            )

    method = _METHOD_WORDS.get(str(s["method"]))
    progress(N_("estimating (%(method)s)"), method=Message(method) if method else str(s["method"]))
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

    progress(N_("extracting the text of the document"))
    out = sources.extract_stored_text(
        job.case,
        job.owner,
        int(params["source"]),
        original_sha256=str(params["sha256"]),
        name=str(params.get("name") or "document"),
        sensitive=bool(params.get("sensitive")),
    )
    progress(
        N_("kept the text as a working copy")
        if out["text"]
        else N_("no text extracted; OCR queued")
        if out.get("ocr_job")
        else N_("no text extracted"),
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
    progress(N_("reading and validating the file"), fraction=0.02)

    def each(done: int, total: int) -> None:
        progress(
            N_("stored %(done)s of %(total)s records"),
            fraction=0.1 + 0.9 * done / (total or 1),
            done=done,
            total=total,
        )

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


@job_kind("list_check", permission=access.RECORD_WRITE, title="Victim list check")
def list_check_job(job: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Check an uploaded victim list with the chosen mapping (input file ``list``; queued
    by :func:`dalil.services.lists.submit_check`, the web import's second step): params
    ``filename``, ``mapping`` ({column: field}), ``list_name``. The whole file is read and
    validated in a bounded worker process; nothing is stored. The result is the
    validation report, row by row (``report``), with the mapping, list name and file name
    it was checked with, for the import step; run again, it gives the same report."""
    from dalil.display.jsonout import jsonable
    from dalil.services import lists

    data = job.input_file("list")
    mapping = {str(k): str(v) for k, v in dict(params.get("mapping") or {}).items()}
    filename = str(params.get("filename") or "list.csv")
    progress(N_("checking the file with the chosen columns"), fraction=0.05)
    report = lists.check_upload(
        job.case,
        job.case.actor(job.owner),
        filename,
        data,
        mapping=mapping,
        list_name=str(params["list_name"]),
    )
    del data
    progress(
        N_("checked %(rows)s rows: %(records)s records to import, %(rejected)s rejected"),
        fraction=1.0,
        rows=int(report.get("rows") or 0),
        records=int(report.get("imported") or 0),
        rejected=int(report.get("rejected") or 0),
    )
    return {
        "report": dict(jsonable(report)),
        "mapping": mapping,
        "list_name": str(params["list_name"]),
        "filename": filename,
    }
