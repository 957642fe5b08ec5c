"""CLI: ``dalil units suspects`` and ``dalil vet``. Thin wrappers over
:mod:`dalil.services.units` and :mod:`dalil.services.vetting`."""

from __future__ import annotations

from pathlib import Path

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.display.wording import plural
from dalil.errors import InputError


@click.command("suspects")
@case_options
@json_option
def units_suspects(case_opts: CaseOptions, as_json: bool) -> None:
    """Persons linked to acts through the attributed unit (leads for investigation, not findings)."""
    from dalil.services import units

    with case_opts.act(write=False) as ctx:
        rows = units.suspects_for_acts(ctx)
    if as_json:
        emit_json(rows)
    else:
        emit_table(
            [{**r, "evidence": ",".join(r["evidence"])} for r in rows],  # type: ignore[arg-type]
            ["person", "act", "unit", "via_unit", "rank", "evidence"],
        )


@click.command("vet")
@case_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="HEADER=FIELD",
    help="Map a column: FIELD is record_id, name, unit, rank, start, end, position, notes or ignore.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Lowest confidence listed.",
)
@json_option
def vet_cmd(
    case_opts: CaseOptions, file: Path, columns: tuple[str, ...], threshold: float, as_json: bool
) -> None:
    """Screen a personnel list (CSV/XLSX) against suspected perpetrators — for human review, never a verdict."""
    from dalil.services import vetting

    mapping = {}
    for c in columns:
        if "=" not in c:
            raise InputError(f"--column {c!r}: use HEADER=FIELD")
        h, f = c.split("=", 1)
        mapping[h] = f.strip()
    with case_opts.act() as ctx:
        res = vetting.vet(ctx, file, columns=mapping, threshold=threshold)
    if as_json:
        emit_json(res)
        return
    click.echo(
        f"{plural(res['records'], 'personnel record')} screened against {plural(res['suspects'], 'suspect')} ({res['engine']})"
    )
    click.echo(res["note"])
    emit_table(
        [
            {
                "row": c["row"],
                "personnel": c["personnel_name"],
                "suspect": f"{c['suspect_label']} (#{c['suspect']})",
                "confidence": f"{c['confidence']:.2f} {c['level']}",
                "evidence": ",".join(c["evidence"]),
            }
            for c in res["candidates"]
        ],
        ["row", "personnel", "suspect", "confidence", "evidence"],
    )


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    cli.add_command(vet_cmd)
    unit = get_or_create_group(cli, "unit", "units", help="Organizations and units.")
    unit.add_command(units_suspects)
