"""CLI commands: ``dalil link`` (plain files), ``dalil synth lists``, ``dalil lists …``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from dalil.cli_support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
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
    default=0.9,
    show_default=True,
    help="Match probability at or above which two records are linked.",
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

    Example: dalil link committee.csv hospital.xlsx --out clusters.csv --threshold 0.9
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


@click.command("lists")
@click.option(
    "--people",
    type=click.IntRange(1, 10_000_000),
    default=1000,
    show_default=True,
    help="Number of fictional victims.",
)
@click.option(
    "--lists",
    "n_lists",
    type=click.IntRange(1, 26),
    default=4,
    show_default=True,
    help="Number of lists.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Random seed: the same seed gives the same lists.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for list_1.csv … list_K.csv, truth.csv and people.csv.",
)
@json_option
def synth_lists_cmd(people: int, n_lists: int, seed: int, out: Path, as_json: bool) -> None:
    """Generate fictional victim lists with Syrian-Arabic naming and a separate truth file.

    Lists differ in script (Arabic / Latin), transliteration habits, completeness, typo
    rates and in whom they capture (by sex, age and place; some lists copy others).
    truth.csv maps each record to its fictional person: keep it away from linkage.
    """
    from dalil.synth.lists import generate

    res = generate(people, n_lists, seed, out)
    info: dict[str, Any] = {
        "out": str(out),
        "people": len(res.people),
        "lists": {name: len(rows) for name, rows in res.lists.items()},
        "records": sum(len(r) for r in res.lists.values()),
        "listed_people": len({t["person_id"] for t in res.truth}),
        "truth": str(out / "truth.csv"),
    }
    if as_json:
        emit_json(info)
    else:
        emit_table(
            [{"list": k, "records": v} for k, v in info["lists"].items()], ["list", "records"]
        )
        click.echo(
            f"{info['records']} records of {info['listed_people']} listed people "
            f"(of {info['people']}); truth in {info['truth']}"
        )


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    cli.add_command(link_cmd)
    synth = get_or_create_group(
        cli, "synth", help="Generate synthetic data with ground truth (fictional)."
    )
    synth.add_command(synth_lists_cmd)
    from dalil.commands import linkage_case

    linkage_case.register(cli)
