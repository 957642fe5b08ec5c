"""CLI: ``dalil link`` — link victim-list files without a case (pure :mod:`dalil.linkage`)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from dalil.cli.support import AliasedGroup, emit_json, json_option
from dalil.errors import InputError

_MAP_HELP = (
    "Map a column of the file to a standard field, e.g. --map 'الاسم=full_name'. "
    "Repeatable. Columns already named like a standard field need no mapping."
)


_T0 = time.monotonic()


def _say(msg: str) -> None:
    click.echo(f"[dalil link] {time.monotonic() - _T0:7.1f}s {msg}", err=True)


@click.command("link")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write record_id, cluster_id, match_probability to this CSV file.",
)
@click.option(
    "--threshold",
    type=float,
    default=0.5,
    show_default=True,
    help="Match probability at or above which two records are linked (a record joins a "
    "cluster of several only if its pairs with the members are 0.4 likely on average).",
)
@click.option(
    "--backend",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="Splink backend (spark: pyspark local mode).",
)
@click.option("--map", "maps", multiple=True, metavar="COLUMN=FIELD", help=_MAP_HELP)
@click.option("--sheet", default=None, help="Sheet to read from XLSX files with several sheets.")
@click.option(
    "--encoding", default=None, help="Text encoding of CSV/JSON files (default UTF-8; e.g. cp1256)."
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on the first unreadable value instead of blanking it and reporting it.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress or validation report on stderr.")
@json_option
def link_cmd(
    files: tuple[Path, ...],
    out: Path,
    threshold: float,
    backend: str,
    maps: tuple[str, ...],
    sheet: str | None,
    encoding: str | None,
    strict: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Link victim records across and within list FILES (CSV, XLSX or JSON) — no case needed.

    Files use the standard field names (record_id, list, full_name, first_name,
    father_name, grandfather_name, family_name, mother_name, sex, age, birth_date,
    birth_year, date_of_death, place_of_death, governorate, locality, address, postcode,
    national_id; any subset with at least one name field). Writes one row per record:
    record_id, cluster_id (the smallest record id of its cluster) and match_probability
    (the weakest link holding the cluster together; 1.0 for a singleton). When two
    files share a record id, every id becomes FILE_STEM:ID.

    Example: dalil link committee.csv hospital.xlsx --out clusters.csv --threshold 0.5
    """
    from dalil.linkage.io import parse_mapping
    from dalil.linkage.link import link_files

    mapping = parse_mapping(maps)
    if not 0.0 < threshold <= 1.0:
        raise InputError(f"--threshold {threshold}: must be greater than 0 and at most 1")
    result = link_files(
        files,
        out,
        threshold=threshold,
        backend=backend,
        mapping=mapping,
        sheet=sheet,
        encoding=encoding,
        strict=strict,
        progress=None if quiet else _say,
    )
    summary = result.summary()
    if not quiet:
        for f in result.files:
            for issue in f.issues:
                click.echo(issue.line(f.path.name), err=True)
    if as_json:
        summary["out"] = str(out)
        summary["threshold"] = threshold
        emit_json(summary)
    else:
        click.echo(
            f"{summary['records']} records → {summary['clusters']} clusters "
            f"({summary['linked_records']} records linked; largest cluster "
            f"{summary['largest_cluster']}); written to {out}"
        )


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    cli.add_command(link_cmd)
