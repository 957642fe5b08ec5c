"""CLI commands: ``dalil lists import|link|review|decide|histories|explain|cluster|split|merge``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.display import csvout


@click.command("import")
@case_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--list", "list_name", required=True, help="Name of the list in the case.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Map a column to a standard field (repeatable).",
)
@click.option("--sheet", default=None, help="Sheet of an XLSX workbook with several sheets.")
@click.option("--encoding", default=None, help="Text encoding of CSV/JSON (default UTF-8).")
@click.option("--strict", is_flag=True, help="Refuse the file if any value cannot be read.")
@json_option
def import_cmd(
    case_opts: CaseOptions,
    file: Path,
    list_name: str,
    maps: tuple[str, ...],
    sheet: str | None,
    encoding: str | None,
    strict: bool,
    as_json: bool,
) -> None:
    """Import a victim list (CSV, XLSX, JSON) with a row-level validation report.

    The original file is kept as sensitive evidence; names are stored encrypted. A file
    that fails validation changes nothing in the case.
    """
    from dalil.linkage.io import parse_mapping
    from dalil.services.lists import import_list

    case = case_opts.open()
    try:
        res = import_list(case, case_opts.user, file, list_name=list_name,
                          mapping=parse_mapping(maps), sheet=sheet, encoding=encoding,
                          strict=strict)  # fmt: skip
    finally:
        case.close()
    if as_json:
        emit_json(res)
        return
    rep = res["report"]
    click.echo(f"list {res['name']!r} (id {res['id']}): {rep['imported']} records of "
               f"{rep['rows']} rows; {rep['repaired']} repaired, {rep['rejected']} rejected; "
               f"original kept as evidence {res['evidence'][:12]}…")  # fmt: skip
    for i in rep["issues"]:
        col = f", column {i['column']!r}" if i["column"] else ""
        click.echo(f"  row {i['row']}{col}: {i['action']}: {i['reason']}")


@click.command("link")
@case_options
@click.option(
    "--threshold",
    type=float,
    default=0.9,
    show_default=True,
    help="Match probability at or above which records are linked.",
)
@click.option(
    "--review-low",
    type=float,
    default=0.5,
    show_default=True,
    help="Pairs from this probability up to the threshold go to the review queue.",
)
@click.option(
    "--incident",
    "incident_id",
    type=int,
    default=None,
    help="Also record a killing Act in this incident for each new victim.",
)
@click.option(
    "--incremental",
    is_flag=True,
    help="Link only records not linked yet (a list imported since) to the existing "
    "victims, with the latest full run's model; nothing else is recomputed.",
)
@json_option
def link_cmd(
    case_opts: CaseOptions,
    threshold: float,
    review_low: float,
    incident_id: int | None,
    incremental: bool,
    as_json: bool,
) -> None:
    """Link all imported lists into one victim record (Person) per person.

    Reviewed decisions are respected on every run and used as training labels.
    """
    from dalil.services.lists import link

    with case_opts.act() as ctx:
        res = link(ctx, threshold=threshold, review_low=review_low, incident_id=incident_id,
                   incremental=incremental, progress=lambda m: click.echo(f"[lists link] {m}", err=True))  # fmt: skip
    if as_json:
        emit_json(res)
    else:
        click.echo(f"{res['records']} records → {res['victims']} victims "
                   f"({res['persons_created']} new, {res['persons_updated']} updated); "
                   f"{res['review_queue']} pairs to review")  # fmt: skip
        if res["held_for_review"] or res["joined_recorded_victims"]:
            click.echo(f"{res['joined_recorded_victims']} joined victims recorded in the case; "
                       f"{res['held_for_review']} held: they match a recorded victim "
                       "(decide in dalil lists review)")  # fmt: skip


@click.command("review")
@case_options
@click.option(
    "--reason",
    default=None,
    help="Show the names too (needs linkage.reveal, as the names of a pair under review; the reason is logged).",
)
@click.option(
    "--limit",
    type=click.IntRange(1, 10_000),
    default=50,
    show_default=True,
    help="Show at most this many pairs.",
)
@click.option(
    "--order",
    type=click.Choice(["uncertainty", "effect"]),
    default="uncertainty",
    show_default=True,
    help="Most uncertain first, or largest expected change of the estimate first.",
)
@json_option
def review_cmd(
    case_opts: CaseOptions, reason: str | None, limit: int, order: str, as_json: bool
) -> None:
    """Show the review queue: matches with recorded victims, then uncertain pairs.

    A match with a victim recorded in the case has the pair 12-p5 (record 12, person
    5); held matches come first, then each part most uncertain first (--order effect:
    the decisions expected to change the estimate most first; column "effect")."""
    from dalil.services.lists import review

    with case_opts.act(write=reason is not None) as ctx:
        rows = review(ctx, reason=reason, limit=limit, order=order)
    if as_json:
        emit_json(rows)
        return
    flat = []
    for r in rows:
        a, b = r["a"], r["b"]
        flat.append({"pair": r["pair"], "p": r["probability"],
                     "lists": f"{a['list']} / {b['list']}",
                     "sex": f"{a['sex'] or '?'}/{b['sex'] or '?'}",
                     "birth": f"{a['birth_year'] or '?'}/{b['birth_year'] or '?'}",
                     "death": f"{a['date_of_death'] or '?'}/{b['date_of_death'] or '?'}",
                     "from notes": "/".join(",".join(x.get("derived") or []) or "-"
                                            for x in (a, b)),
                     "effect": _effect_text(r["effect"]),
                     "names": (" / ".join(" ".join(x.get("names", {}).values()) for x in (a, b))
                               if reason else "")})  # fmt: skip
    emit_table(flat, ["pair", "p", "lists", "sex", "birth", "death", "from notes", "effect",
                      "names"])  # fmt: skip


def _effect_text(e: dict[str, Any]) -> str:
    """``link: -19.0 (exp. 11.4)``: the outcome, the estimate's change, the expected one."""
    if e["unbounded"]:
        return f"{e['if']}: unbounded"
    return f"{e['if']}: {e['estimate_change']:+} (exp. {e['expected_change']})"


@click.command("decide")
@case_options
@click.argument("pair")
@click.argument("verdict", type=click.Choice(["accept", "reject"]))
@click.option("--note", default=None, help="Why (kept with the decision).")
@json_option
def decide_cmd(
    case_opts: CaseOptions, pair: str, verdict: str, note: str | None, as_json: bool
) -> None:
    """Accept or reject PAIR (two record ids, e.g. 12-57, as lists review shows them).

    A match with a victim recorded in the case is a record id and p + the person id
    (12-p5): accept puts the record's cluster on that victim at the next lists link.
    """
    from dalil.services.lists import decide

    with case_opts.act() as ctx:
        res = decide(ctx, pair, verdict, note=note)
    if as_json:
        emit_json(res)
    else:
        click.echo(f"pair {res['pair']}: {res['verdict']} (run dalil lists link to apply)")


@click.command("histories")
@case_options
@click.option(
    "--strata",
    default="",
    help="Comma-separated: sex, governorate, place_of_death, date_of_death, age_group.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the CSV here (input of dalil estimate); else print it.",
)
@json_option
def histories_cmd(case_opts: CaseOptions, strata: str, out: Path | None, as_json: bool) -> None:
    """Capture histories of the linked victims: one row per list pattern with a count."""
    from dalil.services.lists import case_histories

    wanted = [s.strip() for s in strata.split(",") if s.strip()]
    with case_opts.act(write=False) as ctx:
        names, rows = case_histories(ctx, wanted)
    cols = [*wanted, *names, "count"]
    if out is not None:
        with out.open("w", newline="", encoding="utf-8") as fh:
            w = csvout.DictWriter(fh, fieldnames=cols)
            w.writeheader()
            w.writerows(rows)
    if as_json:
        emit_json({"lists": names, "strata": wanted, "rows": rows})
    elif out is None:
        emit_table(rows, cols)
    else:
        click.echo(f"{len(rows)} patterns, {sum(r['count'] for r in rows)} victims → {out}")


def _echo_link(link: dict[str, Any]) -> None:
    click.echo(f"  {link['pair']}: p={link['probability']} ({link['match_weight']:+} bits)")
    for f in link["fields"]:
        click.echo(f"    {f['field']:<14} {f['weight']:+6.2f}  {f['level']}")


@click.command("explain")
@case_options
@click.argument("pair")
@json_option
def explain_cmd(case_opts: CaseOptions, pair: str, as_json: bool) -> None:
    """Why PAIR (two record ids, e.g. 12-57) links or not: each field's level and weight
    under the latest run's model (bits; positive = evidence of the same person)."""
    from dalil.services.lists import explain

    with case_opts.act(write=False) as ctx:
        res = explain(ctx, pair)
    if as_json:
        emit_json(res)
    else:
        _echo_link(res)


@click.command("cluster")
@case_options
@click.argument("person_id", type=int)
@click.option(
    "--reason",
    default=None,
    help="Show the names too (needs linkage.reveal, as the names of a pair under review; the reason is logged).",
)
@json_option
def cluster_cmd(case_opts: CaseOptions, person_id: int, reason: str | None, as_json: bool) -> None:
    """A victim's cluster: its list records and every link among them, field by field."""
    from dalil.services.lists import cluster_view

    with case_opts.act(write=reason is not None) as ctx:
        res = cluster_view(ctx, person_id, reason=reason)
    if as_json:
        emit_json(res)
        return
    rows = [{"id": r["id"], "list": r["list"], "record": r["record"], "sex": r["sex"],
             "age": r["age"], "birth": r["birth_year"], "death": r["date_of_death"],
             "place": r["place_of_death"], "from notes": ",".join(r.get("derived") or []),
             "names": " ".join(r.get("names", {}).values())} for r in res["records"]]  # fmt: skip
    emit_table(
        rows,
        ["id", "list", "record", "sex", "age", "birth", "death", "place", "from notes", "names"],
    )
    for link in res["links"]:
        _echo_link(link)


@click.command("split")
@case_options
@click.argument("person_id", type=int)
@click.argument("record_ids", nargs=-1, type=int, required=True)
@click.option("--note", default=None, help="Why (kept with the decisions).")
@json_option
def split_cmd(
    case_opts: CaseOptions,
    person_id: int,
    record_ids: tuple[int, ...],
    note: str | None,
    as_json: bool,
) -> None:
    """Split RECORD_IDS off PERSON_ID's cluster (as decisions every later run keeps)."""
    from dalil.services.lists import split

    with case_opts.act() as ctx:
        res = split(ctx, person_id, record_ids, note=note)
    if as_json:
        emit_json(res)
    else:
        click.echo(f"records {', '.join(map(str, res['split_off']))} split off person "
                   f"{person_id} ({res['rejected_pairs']} pairs rejected); "
                   "run dalil lists link to apply")  # fmt: skip


@click.command("merge")
@case_options
@click.argument("person_id", type=int)
@click.argument("other_id", type=int)
@click.option("--note", default=None, help="Why (kept with the decisions).")
@json_option
def merge_cmd(
    case_opts: CaseOptions, person_id: int, other_id: int, note: str | None, as_json: bool
) -> None:
    """Merge OTHER_ID's cluster into PERSON_ID's (one person recorded twice), as
    decisions every later run keeps."""
    from dalil.services.lists import merge

    with case_opts.act() as ctx:
        res = merge(ctx, person_id, other_id, note=note)
    if as_json:
        emit_json(res)
    else:
        click.echo(f"persons {person_id} and {other_id}: records "
                   f"{', '.join(map(str, res['records']))} are one person "
                   f"({res['accepted_pairs']} pairs accepted); run dalil lists link to apply")  # fmt: skip


def register(cli: AliasedGroup) -> None:
    group = get_or_create_group(cli, "list", "lists", help="Victim lists.")
    for cmd in (import_cmd, link_cmd, review_cmd, decide_cmd, histories_cmd, explain_cmd,
                cluster_cmd, split_cmd, merge_cmd):  # fmt: skip
        group.add_command(cmd)
