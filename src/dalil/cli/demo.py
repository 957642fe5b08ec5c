"""CLI command: demo — build the fictional demo case end to end, then serve it."""

from __future__ import annotations

import os
from pathlib import Path

import click

from dalil.cli.support import AliasedGroup, emit_json, json_option


@click.command("demo")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-case"),
    show_default=True,
    help="Folder to build the demo in (absent or empty).",
)
@click.option(
    "--size",
    type=click.Choice(["small", "full"]),
    default="small",
    show_default=True,
    help="small: 12 assessed killings, 60 victims; full: 32 and 140.",
)
@click.option("--no-serve", is_flag=True, help="Build only; do not start the workbench.")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF reports (faster).")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port for the workbench.",
)
@json_option
@click.pass_context
def demo_cmd(
    ctx: click.Context,
    directory: Path,
    size: str,
    no_serve: bool,
    no_pdf: bool,
    port: int,
    as_json: bool,
) -> None:
    """Build dalil's FICTIONAL demo case end to end — sources, testimonies under
    pseudonyms, victim lists, linkage, estimate, assessments, sites, corroboration and
    reports — then serve the workbench (unless --no-serve).

    Uses $DALIL_PASSPHRASE when set, otherwise a demo passphrase it prints.
    Every person, place and organisation in it is invented.
    """
    from dalil.demo.build import DEMO_PASSPHRASE, build

    say = (lambda _m: None) if as_json else click.echo
    say(f"building the FICTIONAL demo case in {directory} ({size}) …")
    res = build(directory, size=size, say=say, pdf=not no_pdf)
    if as_json:
        emit_json(
            {
                "dir": str(res.root),
                "case": str(res.case_dir),
                "reports": {k: str(v) for k, v in res.reports.items()},
                "steps": [{"step": s, "note": n} for s, n in res.steps],
                "users": sorted(res.users),
                "passphrase": "from DALIL_PASSPHRASE"
                if res.passphrase_from_env
                else DEMO_PASSPHRASE,
                "seconds": res.counts.get("seconds"),
            }
        )
    else:
        click.echo(f"\ndone in {res.counts.get('seconds')} s. Case folder: {res.case_dir}")
        click.echo(
            "passphrase: "
            + (
                "from DALIL_PASSPHRASE"
                if res.passphrase_from_env
                else f"{DEMO_PASSPHRASE}  (demo only — fictional data)"
            )
        )
        click.echo(
            "workbench users (fictional; password in brackets): "
            + ", ".join(f"{u} [{p}]" for u, p in res.users.items())
        )
        click.echo("reports:")
        for _k, v in res.reports.items():
            click.echo(f"  {v}")
        click.echo(
            f"try: dalil timeline --case {res.case_dir}    dalil assess 1 --show --case {res.case_dir}"
        )
    if no_serve:
        return
    from dalil.cli.serve import serve

    if not res.passphrase_from_env:
        os.environ["DALIL_PASSPHRASE"] = (
            DEMO_PASSPHRASE  # this process only: serve reads it to unlock
        )
    ctx.invoke(
        serve,
        case=str(res.case_dir),
        case_dir=None,
        passphrase_file=None,
        host="127.0.0.1",
        port=port,
        tls_cert=None,
        tls_key=None,
        insecure_no_tls=False,
    )


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    cli.add_command(demo_cmd)
