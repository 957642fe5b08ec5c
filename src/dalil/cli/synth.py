"""CLI: ``dalil synth documents | lists`` — fictional data with known truth, for tests,
benchmarks and demonstrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option


@click.command("documents")
@click.option(
    "--n",
    "n",
    type=click.IntRange(1, 100000),
    default=20,
    show_default=True,
    help="Number of derivative documents to generate.",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="Random seed; the same seed gives the same files.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Output folder (created).",
)
@click.option(
    "--words",
    type=click.IntRange(100, 20000),
    default=400,
    show_default=True,
    help="Approximate length of each generated source release.",
)
@json_option
def synth_documents_cmd(n: int, seed: int, out: Path, words: int, as_json: bool) -> None:
    """Fictional source releases and edited rewrites of them, with the truth of every
    edit recorded in truth.json (for the source-verification quality benchmark)."""
    from dalil.synth.documents import write_corpus

    summary = write_corpus(out, n=n, seed=seed, words=words)
    if as_json:
        emit_json(summary)
    else:
        click.echo(
            f"wrote {summary['sources']} sources and {summary['derivatives']} derivatives "
            f"to {out} (truth in {out / 'truth.json'})"
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
    synth = get_or_create_group(cli, "synth", help="Generate synthetic data with known truth.")
    synth.add_command(synth_documents_cmd)
    synth.add_command(synth_lists_cmd)
