"""CLI: ``dalil assess`` and ``dalil incidents summary`` (legal assessment per act and
incident). Thin wrappers over :mod:`dalil.services.assessments`."""

from __future__ import annotations

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.errors import InputError

FINDINGS = ("established", "likely", "insufficient", "contradicted")


def _print_assessment(d: dict[str, object]) -> None:
    click.echo(f"act {d['act']} (incident {d['incident']}): {d['status']}")
    rows = [
        {
            "element": e["element"],
            "finding": e["finding"] or "not assessed",
            "evidence": ",".join(str(x) for x in e["evidence"]),
            "assessor": e.get("assessor") or "",
        }
        for e in d["elements"]  # type: ignore[attr-defined]
    ]
    rows += [
        {
            "element": e["element"] + " (incident)",
            "finding": e["finding"],
            "evidence": ",".join(str(x) for x in e["evidence"]),
            "assessor": e["assessor"],
        }
        for e in d["incident_elements"]  # type: ignore[attr-defined]
    ]
    emit_table(rows, ["element", "finding", "evidence", "assessor"])
    for s in d["sign_offs"]:  # type: ignore[attr-defined]
        click.echo(f"signed off by {s['reviewer']} at {s['at']}")
    quals = d["suggested_qualifications"]
    if quals:
        click.echo("suggested qualifications (people decide):")
        for q in quals:  # type: ignore[attr-defined]
            click.echo(f"  - {q['title']} ({q['strength']}); evidence {', '.join(q['evidence'])}")


@click.command("assess")
@case_options
@click.argument("target", type=int, metavar="ACT")
@click.option(
    "--incident",
    "is_incident",
    is_flag=True,
    help="TARGET is an incident id (for the incident-level element 'attack').",
)
@click.option(
    "--element",
    help="civilian, deliberate, identity, party, nexus (acts); attack (incidents, with --incident).",
)
@click.option("--finding", type=click.Choice(FINDINGS), help="The finding for the element.")
@click.option(
    "--evidence",
    multiple=True,
    metavar="ID",
    help="Evidence item (id or SHA-256) behind the finding; repeat. Required for 'established'.",
)
@click.option("--note", help="Open note explaining the finding.")
@click.option(
    "--sign-off",
    "sign_off",
    is_flag=True,
    help="Sign off the act's assessment (reviewer must not have assessed it).",
)
@click.option(
    "--show",
    is_flag=True,
    help="Show the act's assessment, sign-offs and suggested qualifications.",
)
@json_option
def assess_cmd(
    case_opts: CaseOptions,
    target: int,
    is_incident: bool,
    element: str | None,
    finding: str | None,
    evidence: tuple[str, ...],
    note: str | None,
    sign_off: bool,
    show: bool,
    as_json: bool,
) -> None:
    """Assess a killing (act) element by element, sign it off, or show it.

    \b
    dalil assess 12 --element deliberate --finding established --evidence 4 --evidence 9
    dalil assess 12 --sign-off            (as a second legal analyst)
    dalil assess 12 --show --json
    dalil assess 3 --incident --element attack --finding likely --evidence 2
    """
    from dalil.services import assessments

    modes = sum([bool(element or finding), sign_off, show])
    if modes != 1:
        raise InputError("give exactly one of: --element/--finding, --sign-off, --show")
    if element or finding:
        if not (element and finding):
            raise InputError("--element and --finding go together")
        with case_opts.act() as ctx:
            if is_incident:
                res = assessments.assess_incident(
                    ctx, target, element, finding, list(evidence), note
                )
            else:
                assessments.assess(ctx, target, element, finding, list(evidence), note)
                res = assessments.show_assessment(ctx, target)
        if as_json:
            emit_json(res)
        elif is_incident:
            click.echo(f"incident {target}: {res['element']} {res['finding']}")
        else:
            _print_assessment(res)
        return
    if is_incident:
        raise InputError("--sign-off and --show apply to acts, not incidents")
    with case_opts.act(write=sign_off) as ctx:
        res = (
            assessments.sign_off(ctx, target, note)
            if sign_off
            else assessments.show_assessment(ctx, target)
        )
    if as_json:
        emit_json(res)
    else:
        _print_assessment(res)


@click.command("summary")
@case_options
@click.argument("incident", type=int, required=False)
@json_option
def incidents_summary(case_opts: CaseOptions, incident: int | None, as_json: bool) -> None:
    """Assessment aggregates per incident: N acts assessed; N deliberate; N identity-targeted; N unlawful."""
    from dalil.services import assessments

    with case_opts.act(write=False) as ctx:
        rows = assessments.aggregates(ctx, incident)
    if as_json:
        emit_json(rows)
    else:
        for r in rows:
            click.echo(
                f"incident {r['incident']} {r['title']}: {r['sentence']} ({r['signed_off']} signed off)"
            )


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    cli.add_command(assess_cmd)
    inc = get_or_create_group(
        cli, "incident", "incidents", help="Incidents: what happened where and when."
    )
    inc.add_command(incidents_summary)
