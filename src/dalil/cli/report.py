"""CLI command: report — internal or public (redacted) report, HTML or PDF, English or Arabic."""

from __future__ import annotations

from pathlib import Path

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, json_option
from dalil.display.wording import plural
from dalil.errors import InputError


@click.command("report")
@case_options
@click.option(
    "--audience",
    type=click.Choice(["internal", "public"]),
    required=True,
    help="internal: the team's full report; public: protected fields and identities left out (allow-list).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "pdf"]),
    default="html",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Output file."
)
@click.option(
    "--lang",
    type=click.Choice(["en", "ar"]),
    default="en",
    show_default=True,
    help="Language of the report's headings (ar: right-to-left).",
)
@click.option(
    "--title",
    help="Report title (default: the case title set by `dalil init --title` or `dalil case update`, else the case folder name).",
)
@click.option(
    "--summary",
    "summary_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Text file of summary paragraphs (blank-line separated); printed as is in every audience. Default: the case summary (`dalil case update --summary-file`).",
)
@json_option
def report_cmd(
    case_opts: CaseOptions,
    audience: str,
    fmt: str,
    out: Path,
    lang: str,
    title: str | None,
    summary_file: Path | None,
    as_json: bool,
) -> None:
    """Write a cited report: summary, timeline, incidents, assessments, estimates,
    corroboration, sites, charts and a map; every figure cites its evidence.

    \b
    dalil report --audience public --format pdf --out public.pdf
    dalil report --audience internal --format html --lang ar --out internal-ar.html
    """
    from dalil.services.reports import build_report

    summary = None
    if summary_file is not None:
        try:
            text = summary_file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{summary_file}: not UTF-8 text") from None
        summary = [p.strip() for p in text.split("\n\n") if p.strip()]
    case = case_opts.open()
    try:
        res = build_report(
            case,
            case_opts.user,
            audience=audience,
            fmt=fmt,
            out=out,
            lang=lang,
            title=title,
            summary=summary,
        )
    finally:
        case.close()
    if as_json:
        emit_json(res)
    else:
        click.echo(
            f"wrote {res['out']} ({audience}, {fmt}, {lang}; {plural(res['incidents'], 'incident')}, {plural(res['acts'], 'act')}; sha256 {res['sha256'][:16]})"
        )
        for n in res["notes"]:
            click.echo(f"note: {n}")


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    cli.add_command(report_cmd)
