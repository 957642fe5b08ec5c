"""CLI: ``dalil claims add | source`` and ``dalil corroboration``. Thin wrappers over
:mod:`dalil.services.corroboration`."""

from __future__ import annotations

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option


@click.command("add")
@case_options
@click.option(
    "--kind",
    type=click.Choice(["toll", "attribution", "method", "other"]),
    required=True,
    help="What the claim is about.",
)
@click.option(
    "--text", required=True, help="The claim, e.g. 'More than 100 killed in X on 7-8 March'."
)
@click.option("--place", help="Place the claim is about.")
@click.option("--date-start", help="First day the claim covers.")
@click.option("--date-end", help="Last day.")
@click.option("--low", type=int, help="Low end of a toll.")
@click.option("--high", type=int, help="High end of a toll.")
@click.option("--incident", type=int, help="Incident the claim concerns.")
@json_option
def claim_add(
    case_opts: CaseOptions,
    kind: str,
    text: str,
    place: str | None,
    date_start: str | None,
    date_end: str | None,
    low: int | None,
    high: int | None,
    incident: int | None,
    as_json: bool,
) -> None:
    """Add a key claim to the corroboration matrix."""
    from dalil.services import corroboration

    with case_opts.act() as ctx:
        cid = corroboration.add_claim(
            ctx,
            kind,
            text,
            place=place,
            date_start=date_start,
            date_end=date_end,
            low=low,
            high=high,
            incident_id=incident,
        )
    emit_json({"id": cid}) if as_json else click.echo(f"claim {cid}")


@click.command("source")
@case_options
@click.argument("claim", type=int)
@click.argument("source", type=int)
@click.option(
    "--grade",
    required=True,
    metavar="B2",
    help="Admiralty grade: reliability A-F, credibility 1-6.",
)
@click.option("--contradicts", is_flag=True, help="The source contradicts the claim.")
@click.option("--evidence", metavar="ID", help="Evidence item carrying it.")
@click.option("--note", help="Note.")
@json_option
def claim_source(
    case_opts: CaseOptions,
    claim: int,
    source: int,
    grade: str,
    contradicts: bool,
    evidence: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Record that SOURCE carries (or contradicts) CLAIM, with its Admiralty grade."""
    from dalil.services import corroboration

    with case_opts.act() as ctx:
        rid = corroboration.add_carrier(
            ctx,
            claim,
            source,
            grade,
            stance="contradicts" if contradicts else "supports",
            evidence=evidence,
            note=note,
        )
    emit_json({"id": rid}) if as_json else click.echo(f"recorded ({rid})")


@click.command("corroboration")
@case_options
@json_option
def corroboration_cmd(case_opts: CaseOptions, as_json: bool) -> None:
    """Each key claim against its sources, grouped into independent origins, with grades."""
    from dalil.services import corroboration

    with case_opts.act() as ctx:
        m = corroboration.corroboration(ctx)
    if as_json:
        emit_json(m)
        return
    click.echo(f"grouping: {m['grouping']}")
    rows = [
        {
            "claim": r["claim"]["id"],
            "kind": r["claim"]["kind"],
            "status": r["status"],
            "independent": r["independent"],
            "best": r["best_grade"],
            "cred": r["suggested_credibility"],
            "text": r["claim"]["text"][:60],
        }
        for r in m["claims"]  # type: ignore[attr-defined]
    ]
    emit_table(rows, ["claim", "kind", "status", "independent", "best", "cred", "text"])
    for r in m["retracted_sources"]:  # type: ignore[attr-defined]
        click.echo(
            f"retracted source {r['source']} left out (cited by claims {', '.join(r['claims'])})"
        )


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    cli.add_command(corroboration_cmd)
    claim = get_or_create_group(
        cli, "claim", "claims", help="Key claims tracked in the corroboration matrix."
    )
    claim.add_command(claim_add)
    claim.add_command(claim_source)
