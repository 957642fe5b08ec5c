"""CLI: ``dalil sites status | details | victim | history`` (burial and crime sites).
Thin wrappers over :mod:`dalil.services.sites`."""

from __future__ import annotations

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option


@click.command("status")
@case_options
@click.argument("site", type=int)
@click.argument("status", type=click.Choice(["reported", "located", "secured", "exhumed"]))
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", help="Date of the change.")
@click.option("--note", help="Note on the change.")
@click.option("--evidence", multiple=True, metavar="ID", help="Evidence for the change; repeat.")
@json_option
def site_status_cmd(
    case_opts: CaseOptions,
    site: int,
    status: str,
    on: str,
    note: str | None,
    evidence: tuple[str, ...],
    as_json: bool,
) -> None:
    """Move a site's status forward: reported → located → secured → exhumed."""
    from dalil.services import sites

    with case_opts.act() as ctx:
        res = sites.site_status(ctx, site, status, on, note=note, evidence=list(evidence))
    _emit_site(res, as_json)


@click.command("details")
@case_options
@click.argument("site", type=int)
@click.option("--recovered", type=click.IntRange(min=0), help="Bodies recovered.")
@click.option("--protection", help="Protection notes (who guards it, families' wishes).")
@json_option
def site_details_cmd(
    case_opts: CaseOptions, site: int, recovered: int | None, protection: str | None, as_json: bool
) -> None:
    """Record recovered bodies and protection notes of a site."""
    from dalil.services import sites

    with case_opts.act() as ctx:
        res = sites.site_details(ctx, site, recovered=recovered, protection=protection)
    _emit_site(res, as_json)


@click.command("victim")
@case_options
@click.argument("site", type=int)
@click.argument("person", type=int)
@click.option(
    "--evidence", multiple=True, metavar="ID", help="Evidence of the identification; repeat."
)
@json_option
def site_victim_cmd(
    case_opts: CaseOptions, site: int, person: int, evidence: tuple[str, ...], as_json: bool
) -> None:
    """Link an identified victim (person id) to a site."""
    from dalil.services import sites

    with case_opts.act() as ctx:
        res = sites.site_link_victim(ctx, site, person, list(evidence))
    _emit_site(res, as_json)


@click.command("history")
@case_options
@click.argument("site", type=int)
@json_option
def site_history_cmd(case_opts: CaseOptions, site: int, as_json: bool) -> None:
    """Show a site's status history, bodies, notes and linked victims."""
    from dalil.services import sites

    with case_opts.act(write=False) as ctx:
        res = sites.show_site(ctx, site)
    _emit_site(res, as_json)


def _emit_site(res: dict[str, object], as_json: bool) -> None:
    if as_json:
        emit_json(res)
        return
    click.echo(
        f"site {res['id']} {res['name']}: {res['status']}; bodies estimated {res['estimated_bodies']}, recovered {res['recovered_bodies']}; {len(res['victims'])} identified victims"  # type: ignore[arg-type]
    )
    emit_table(res["history"], ["on", "status", "by", "note"])  # type: ignore[arg-type]


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    site = get_or_create_group(cli, "site", "sites", help="Burial and crime sites.")
    for cmd in (site_status_cmd, site_details_cmd, site_victim_cmd, site_history_cmd):
        site.add_command(cmd)
