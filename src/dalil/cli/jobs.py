"""CLI: ``dalil jobs list|show|cancel|submit|work`` (the durable job queue)."""

from __future__ import annotations

import json

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.errors import InputError


def _group(cli: AliasedGroup) -> AliasedGroup:
    return get_or_create_group(
        cli,
        "jobs",
        "job",
        help="Long work that runs in the background from the case database: linkage runs, "
        "estimates, reports, exports, fixity checks. Jobs survive a restart; a job whose "
        "worker stopped is retried.",
    )


@click.command("list")
@case_options
@click.option(
    "--state",
    type=click.Choice(["queued", "running", "done", "failed", "cancelled"]),
    help="Only jobs in this state.",
)
@click.option("--owner", metavar="NAME", help="Only this user's jobs.")
@click.option("--kind", metavar="KIND", help="Only jobs of this kind (e.g. fixity).")
@click.option(
    "--limit", default=50, show_default=True, type=click.IntRange(1, 500), help="At most this many."
)
@json_option
def jobs_list(
    case_opts: CaseOptions,
    state: str | None,
    owner: str | None,
    kind: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List jobs, newest first."""
    from dalil.services import jobs

    with case_opts.act(write=False) as ctx:
        rows = jobs.list_jobs(ctx, state=state, owner=owner, kind=kind, limit=limit)
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        r["progress"] = "" if r["progress"] is None else f"{round(100 * r['progress'])}%"
    emit_table(rows, ["id", "kind", "owner", "state", "progress", "attempts", "created"])


@click.command("show")
@click.argument("job_id", type=int)
@case_options
@json_option
def jobs_show(case_opts: CaseOptions, job_id: int, as_json: bool) -> None:
    """Show a job: its state, progress, log, and result (for its owner, an admin, or a
    role allowed to run that kind)."""
    from dalil.services import jobs

    with case_opts.act(write=False) as ctx:
        d = jobs.get(ctx, job_id)
    if as_json:
        emit_json(d)
        return
    pct = "" if d["progress"] is None else f", {round(100 * d['progress'])}%"
    click.echo(f"job {d['id']}: {d['title']} by {d['owner']} — {d['state']}{pct}")
    click.echo(f"attempts: {d['attempts']} of at most {d['max_attempts']}")
    if d["error"]:
        click.echo(f"error: {d['error']}")
    for line in d["log"]:
        click.echo(f"  {line['ts']}  {line['message']}")
    if d.get("result") is not None:
        click.echo("result: " + json.dumps(d["result"], ensure_ascii=False, sort_keys=True))
    for f in d.get("files", []):
        click.echo(f"file ({f['role']}): {f['name']} {f['size']} bytes sha256 {f['sha256']}")


@click.command("cancel")
@click.argument("job_id", type=int)
@case_options
@json_option
def jobs_cancel(case_opts: CaseOptions, job_id: int, as_json: bool) -> None:
    """Cancel a job: a queued one at once, a running one at its next progress report.
    Your own jobs; an admin may cancel anyone's. Logged (job.cancel)."""
    from dalil.services import jobs

    with case_opts.act() as ctx:
        d = jobs.cancel(ctx, job_id)
    if as_json:
        emit_json(d)
    elif d["state"] == "cancelled":
        click.echo(f"job {job_id} cancelled")
    else:
        click.echo(f"job {job_id}: cancellation asked; it stops at its next progress report")


@click.command("submit")
@click.argument("kind")
@case_options
@click.option(
    "--params",
    "params_json",
    metavar="JSON",
    default="{}",
    help="Parameters as a JSON object, e.g. '{\"report_every\": 10}'.",
)
@click.option("--wait", "wait_seconds", type=float, help="Wait up to this many seconds for it.")
@json_option
def jobs_submit(
    case_opts: CaseOptions, kind: str, params_json: str, wait_seconds: float | None, as_json: bool
) -> None:
    """Queue a job of KIND (see `dalil jobs kinds`); a worker runs it (`dalil serve`
    starts them, or run `dalil jobs work`). Logged (job.submit)."""
    from dalil.services import jobs

    try:
        params = json.loads(params_json)
    except json.JSONDecodeError:
        raise InputError("--params: not a JSON object") from None
    if not isinstance(params, dict):
        raise InputError("--params: not a JSON object")
    case = case_opts.open()
    try:
        with case.act(case_opts.user) as ctx:
            d = jobs.submit(ctx, kind, params)
        if wait_seconds:
            jobs.wait(case, d["id"], timeout=wait_seconds)
            with case.act(case_opts.user, write=False) as ctx:
                d = jobs.get(ctx, d["id"])
    finally:
        case.close()
    if as_json:
        emit_json(d)
    else:
        click.echo(f"job {d['id']} ({kind}): {d['state']}")


@click.command("kinds")
@json_option
def jobs_kinds(as_json: bool) -> None:
    """The kinds of job this dalil can run, with the permission each needs."""
    from dalil.services import jobs

    rows = [
        {"kind": k.name, "title": k.title, "permission": k.permission, "one_at_a_time": k.exclusive}
        for k in sorted(jobs.kinds().values(), key=lambda k: k.name)
    ]
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["kind", "title", "permission", "one_at_a_time"])


@click.command("work")
@case_options
@click.option(
    "--until-empty", is_flag=True, help="Stop when no job is waiting (instead of running on)."
)
@click.option(
    "--lease",
    type=click.FloatRange(2, 3600),
    help="Seconds a job stays claimed without a heartbeat (default $DALIL_JOB_LEASE or 60).",
)
def jobs_work(case_opts: CaseOptions, until_empty: bool, lease: float | None) -> None:
    """Run queued jobs (a job worker). `dalil serve` starts its own; run this for a
    separate worker process, or --until-empty to work off the queue and stop.
    Stops cleanly on SIGTERM or Ctrl-C between jobs."""
    import signal
    import threading

    from dalil.services import jobs

    case = case_opts.open()
    stop = threading.Event()

    def _stop(_sig: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    worker = jobs.Worker(case, lease_seconds=lease)
    click.echo(f"dalil: job worker {worker.id} on {case.root}", err=True)
    try:
        if until_empty:
            worker.start()
            try:
                while not stop.is_set() and worker.run_once():
                    pass
            finally:
                worker.stop()
        else:
            worker.run(stop)
    finally:
        case.close()


def register(cli: AliasedGroup) -> None:
    g = _group(cli)
    for cmd in (jobs_list, jobs_show, jobs_cancel, jobs_submit, jobs_kinds, jobs_work):
        g.add_command(cmd)
