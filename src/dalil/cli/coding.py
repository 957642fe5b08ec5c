"""CLI: ``dalil incidents code | export`` and ``dalil timeline`` (incident coding).
Thin wrappers over :mod:`dalil.services.coding`."""

from __future__ import annotations

from pathlib import Path

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.errors import InputError


@click.command("code")
@case_options
@click.argument("incident", type=int)
@click.option("--event-type", help="ACLED event type, e.g. 'Violence against civilians'.")
@click.option("--sub-event-type", help="ACLED sub-event type, e.g. 'Attack'.")
@click.option(
    "--civilian-targeting/--no-civilian-targeting", default=None, help="Were civilians the target?"
)
@click.option("--actor1", help="Perpetrator actor.")
@click.option("--assoc-actor1", help="Associated actor of actor 1.")
@click.option("--actor2", help="Target actor (e.g. Civilians).")
@click.option("--country", help="Country.")
@click.option("--admin1", help="First-order administrative area.")
@click.option("--admin2", help="Second-order administrative area.")
@click.option(
    "--geo-precision",
    type=click.Choice(["exact", "near", "region"]),
    help="Precision of the place.",
)
@click.option(
    "--low-source",
    multiple=True,
    metavar="ID",
    help="Evidence behind the low fatality figure; repeat.",
)
@click.option(
    "--best-source", multiple=True, metavar="ID", help="Evidence behind the best figure; repeat."
)
@click.option(
    "--high-source", multiple=True, metavar="ID", help="Evidence behind the high figure; repeat."
)
@json_option
def incidents_code(
    case_opts: CaseOptions,
    incident: int,
    event_type: str | None,
    sub_event_type: str | None,
    civilian_targeting: bool | None,
    actor1: str | None,
    assoc_actor1: str | None,
    actor2: str | None,
    country: str | None,
    admin1: str | None,
    admin2: str | None,
    geo_precision: str | None,
    low_source: tuple[str, ...],
    best_source: tuple[str, ...],
    high_source: tuple[str, ...],
    as_json: bool,
) -> None:
    """Code an incident for ACLED / UCDP GED (event types, actors, precision, sources of each figure)."""
    from dalil.services import coding

    fs = {
        k: list(v)
        for k, v in (("low", low_source), ("best", best_source), ("high", high_source))
        if v
    }
    with case_opts.act() as ctx:
        res = coding.set_coding(
            ctx,
            incident,
            event_type=event_type,
            sub_event_type=sub_event_type,
            civilian_targeting=civilian_targeting,
            actor1=actor1,
            assoc_actor1=assoc_actor1,
            actor2=actor2,
            country=country,
            admin1=admin1,
            admin2=admin2,
            geo_precision=geo_precision,
            fatality_sources=fs or None,
        )
    if as_json:
        emit_json(res)
    else:
        click.echo(f"incident {incident} coded: {res['event_type']} / {res['sub_event_type']}")


@click.command("export")
@case_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["acled", "ucdp", "csv"]),
    default="csv",
    show_default=True,
    help="Column set.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (else standard output).",
)
def incidents_export(case_opts: CaseOptions, fmt: str, out: Path | None) -> None:
    """Export coded incidents as CSV in ACLED, UCDP GED or dalil's own columns."""
    from dalil.services import coding

    if out is not None and not out.parent.is_dir():
        raise InputError(f"folder {out.parent} does not exist")
    with case_opts.act() as ctx:
        text = coding.export_incidents(ctx, fmt)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)


@click.command("timeline")
@case_options
@json_option
def timeline_cmd(case_opts: CaseOptions, as_json: bool) -> None:
    """Incidents in date order with date/place precision and fatality figures."""
    from dalil.services import coding

    with case_opts.act(write=False) as ctx:
        rows = coding.timeline(ctx)
    if as_json:
        emit_json(rows)
        return
    flat = [
        {
            "date": f"{r['date_start']}"
            + (f"..{r['date_end']}" if r["date_end"] != r["date_start"] else ""),
            "prec": r["date_precision"],
            "id": r["id"],
            "title": r["title"],
            "place": r["location"],
            "low/best/high": "/".join(
                "-" if v is None else str(v)
                for v in r["fatalities"].values()  # type: ignore[attr-defined]
            ),
        }
        for r in rows
    ]
    emit_table(flat, ["date", "prec", "id", "title", "place", "low/best/high"])


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    cli.add_command(timeline_cmd)
    inc = get_or_create_group(
        cli, "incident", "incidents", help="Incidents: what happened where and when."
    )
    for cmd in (incidents_code, incidents_export):
        inc.add_command(cmd)
