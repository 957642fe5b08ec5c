"""CLI commands: findings — assess, incident coding/export, timeline, sites, claims and
corroboration, units/suspects, vetting, stored estimates. Thin wrappers over
:mod:`dalil.findings.service`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dalil.case_cli import CaseOptions, case_options
from dalil.cli_support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.errors import InputError
from dalil.wording import plural

FINDINGS = ("established", "likely", "insufficient", "contradicted")


def _print_assessment(d: dict[str, object]) -> None:
    click.echo(f"act {d['act']} (incident {d['incident']}): {d['status']}")
    rows = [
        {
            "element": e["element"],
            "finding": e["finding"] or "not assessed",  # type: ignore[index]
            "evidence": ",".join(str(x) for x in e["evidence"]),
            "assessor": e.get("assessor") or "",
        }  # type: ignore[index, union-attr]
        for e in d["elements"]  # type: ignore[attr-defined]
    ]
    rows += [
        {
            "element": e["element"] + " (incident)",
            "finding": e["finding"],
            "evidence": ",".join(str(x) for x in e["evidence"]),
            "assessor": e["assessor"],
        }  # type: ignore[index]
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
    from dalil.findings import service as F

    modes = sum([bool(element or finding), sign_off, show])
    if modes != 1:
        raise InputError("give exactly one of: --element/--finding, --sign-off, --show")
    if element or finding:
        if not (element and finding):
            raise InputError("--element and --finding go together")
        with case_opts.act() as ctx:
            if is_incident:
                res = F.assess_incident(ctx, target, element, finding, list(evidence), note)
            else:
                F.assess(ctx, target, element, finding, list(evidence), note)
                res = F.show_assessment(ctx, target)
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
        res = F.sign_off(ctx, target, note) if sign_off else F.show_assessment(ctx, target)
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
    from dalil.findings import service as F

    with case_opts.act(write=False) as ctx:
        rows = F.aggregates(ctx, incident)
    if as_json:
        emit_json(rows)
    else:
        for r in rows:
            click.echo(
                f"incident {r['incident']} {r['title']}: {r['sentence']} ({r['signed_off']} signed off)"
            )


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
    from dalil.findings import service as F

    fs = {
        k: list(v)
        for k, v in (("low", low_source), ("best", best_source), ("high", high_source))
        if v
    }
    with case_opts.act() as ctx:
        res = F.set_coding(
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
    from dalil.findings import service as F

    if out is not None and not out.parent.is_dir():
        raise InputError(f"folder {out.parent} does not exist")
    with case_opts.act() as ctx:
        text = F.export_incidents(ctx, fmt)
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
    from dalil.findings import service as F

    with case_opts.act(write=False) as ctx:
        rows = F.timeline(ctx)
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
                "-" if v is None else str(v) for v in r["fatalities"].values()
            ),
        }  # type: ignore[attr-defined]
        for r in rows
    ]
    emit_table(flat, ["date", "prec", "id", "title", "place", "low/best/high"])


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
    from dalil.findings import service as F

    with case_opts.act() as ctx:
        res = F.site_status(ctx, site, status, on, note=note, evidence=list(evidence))
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
    from dalil.findings import service as F

    with case_opts.act() as ctx:
        res = F.site_details(ctx, site, recovered=recovered, protection=protection)
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
    from dalil.findings import service as F

    with case_opts.act() as ctx:
        res = F.site_link_victim(ctx, site, person, list(evidence))
    _emit_site(res, as_json)


@click.command("history")
@case_options
@click.argument("site", type=int)
@json_option
def site_history_cmd(case_opts: CaseOptions, site: int, as_json: bool) -> None:
    """Show a site's status history, bodies, notes and linked victims."""
    from dalil.findings import service as F

    with case_opts.act(write=False) as ctx:
        res = F.show_site(ctx, site)
    _emit_site(res, as_json)


def _emit_site(res: dict[str, object], as_json: bool) -> None:
    if as_json:
        emit_json(res)
        return
    click.echo(
        f"site {res['id']} {res['name']}: {res['status']}; bodies estimated {res['estimated_bodies']}, recovered {res['recovered_bodies']}; {len(res['victims'])} identified victims"
    )  # type: ignore[arg-type]
    emit_table(res["history"], ["on", "status", "by", "note"])  # type: ignore[arg-type]


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
    from dalil.findings import service as F

    with case_opts.act() as ctx:
        cid = F.add_claim(
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
    from dalil.findings import service as F

    with case_opts.act() as ctx:
        rid = F.add_carrier(
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
    from dalil.findings import service as F

    with case_opts.act() as ctx:
        m = F.corroboration(ctx)
    if as_json:
        emit_json(m)
        return
    click.echo(f"grouping: {m['grouping']}")
    rows = [
        {
            "claim": r["claim"]["id"],
            "kind": r["claim"]["kind"],
            "status": r["status"],
            "independent": r["independent"],  # type: ignore[index]
            "best": r["best_grade"],
            "cred": r["suggested_credibility"],
            "text": r["claim"]["text"][:60],
        }  # type: ignore[index]
        for r in m["claims"]  # type: ignore[attr-defined]
    ]
    emit_table(rows, ["claim", "kind", "status", "independent", "best", "cred", "text"])


@click.command("suspects")
@case_options
@json_option
def units_suspects(case_opts: CaseOptions, as_json: bool) -> None:
    """Persons linked to acts through the attributed unit (leads for investigation, not findings)."""
    from dalil.findings import service as F

    with case_opts.act(write=False) as ctx:
        rows = F.suspects_for_acts(ctx)
    if as_json:
        emit_json(rows)
    else:
        emit_table(
            [{**r, "evidence": ",".join(r["evidence"])} for r in rows],
            ["person", "act", "unit", "via_unit", "rank", "evidence"],
        )  # type: ignore[arg-type]


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
    from dalil.findings import service as F

    mapping = {}
    for c in columns:
        if "=" not in c:
            raise InputError(f"--column {c!r}: use HEADER=FIELD")
        h, f = c.split("=", 1)
        mapping[h] = f.strip()
    with case_opts.act() as ctx:
        res = F.vet(ctx, file, columns=mapping, threshold=threshold)
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


@click.command("estimate-add")
@case_options
@click.argument("result", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--label", required=True, help="What was estimated, e.g. 'Marjan, 14-15 April, four lists'."
)
@click.option(
    "--evidence", multiple=True, metavar="ID", help="Evidence (the lists) behind it; repeat."
)
@click.option("--note", help="Note shown with the estimate.")
@json_option
def estimate_add(
    case_opts: CaseOptions,
    result: Path,
    label: str,
    evidence: tuple[str, ...],
    note: str | None,
    as_json: bool,
) -> None:
    """Keep a `dalil estimate --json` result in the case for reports.

    A null estimate (not estimable) or an interval without an upper end (unbounded
    profile likelihood) is kept as such and reported as "not estimable" or "at least N;
    upper bound not estimable".
    """
    from dalil.findings import service as F

    try:
        data = json.loads(result.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(
            f"{result}: not a JSON estimation result ({e.__class__.__name__})"
        ) from None
    with case_opts.act() as ctx:
        rid = F.record_estimate(ctx, label, data, evidence=list(evidence), note=note)
    emit_json({"id": rid}) if as_json else click.echo(f"estimate {rid} recorded")


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    cli.add_command(assess_cmd)
    cli.add_command(timeline_cmd)
    cli.add_command(corroboration_cmd)
    cli.add_command(vet_cmd)
    inc = get_or_create_group(
        cli, "incident", "incidents", help="Incidents: what happened where and when."
    )
    for cmd in (incidents_summary, incidents_code, incidents_export):
        inc.add_command(cmd)
    site = get_or_create_group(cli, "site", "sites", help="Burial and crime sites.")
    for cmd in (site_status_cmd, site_details_cmd, site_victim_cmd, site_history_cmd):
        site.add_command(cmd)
    claim = get_or_create_group(
        cli, "claim", "claims", help="Key claims tracked in the corroboration matrix."
    )
    claim.add_command(claim_add)
    claim.add_command(claim_source)
    unit = get_or_create_group(cli, "unit", "units", help="Organizations and units.")
    unit.add_command(units_suspects)
    finding = get_or_create_group(
        cli, "finding", "findings", help="Findings helpers: stored estimates for reports."
    )
    finding.add_command(estimate_add)
