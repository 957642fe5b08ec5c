"""CLI: ``dalil search QUERY`` (case-wide search) and ``dalil search --rebuild``."""

from __future__ import annotations

import html
import re

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, json_option

_MARK = re.compile(r"</?mark>")


def plain_snippet(snippet: str) -> str:
    """The HTML snippet as terminal text: matches in [brackets]."""
    return html.unescape(_MARK.sub(lambda m: "]" if m.group().startswith("</") else "[", snippet))


@click.command("search")
@case_options
@click.argument("query", required=False, default="")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    help="Only hits of this kind (repeatable): source, evidence, incident, act, site, "
    "unit, person.",
)
@click.option(
    "--limit", type=click.IntRange(1, 100), default=20, show_default=True, help="Hits per page."
)
@click.option(
    "--offset", type=click.IntRange(0), default=0, show_default=True, help="Hits to skip."
)
@click.option(
    "--protected",
    "include_protected",
    is_flag=True,
    help="Also search legal names and aliases (needs the reveal permission and --reason; "
    "logged like a reveal).",
)
@click.option("--reason", help="Why you search protected names (logged).")
@click.option("--rebuild", is_flag=True, help="Build the search index again from the case.")
@json_option
def search_cmd(
    case_opts: CaseOptions,
    query: str,
    kinds: tuple[str, ...],
    limit: int,
    offset: int,
    include_protected: bool,
    reason: str | None,
    rebuild: bool,
    as_json: bool,
) -> None:
    """Search the whole case: source texts, OCR texts and transcripts, evidence names and
    notes, incidents, acts, sites, units and pseudonyms — within your permissions.

    Words must all match (any order); "a phrase" in quotes; a prefix ends in * (kill*).
    Arabic is folded (diacritics, tatweel, alef and hamza forms, ta marbuta, ya; the
    article and و ب ف ل ك prefixes), English is stemmed, and a name matches its
    spellings in either script (محمد finds Mohammad and Mhd).
    """
    from dalil.errors import InputError
    from dalil.services import search

    if rebuild:
        with case_opts.act(write=False) as ctx:
            out = search.rebuild(ctx)
        if as_json:
            emit_json(out)
        else:
            click.echo(f"search index rebuilt: {out['documents']} documents")
        if not query:
            return
    if not query.strip():
        raise InputError("give a QUERY (what to search for)")
    with case_opts.act() as ctx:
        res = search.search(
            ctx,
            query,
            kinds=list(kinds) or None,
            limit=limit,
            offset=offset,
            include_protected=include_protected,
            reason=reason,
        )
    if as_json:
        emit_json(res)
        return
    if not res["hits"]:
        click.echo("no hits")
        return
    first = res["offset"] + 1
    click.echo(f"hits {first}-{res['offset'] + len(res['hits'])} of {res['total']}")
    for h in res["hits"]:
        click.echo(f"{h['kind']} {h['id']}  {h['label']}  ({h['score']:.2f})")
        click.echo(f"    {plain_snippet(h['snippet'])}")


def register(cli: AliasedGroup) -> None:
    cli.add_command(search_cmd)
