"""CLI: export bag / json / csv."""

from __future__ import annotations

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, get_or_create_group, json_option
from dalil.display.wording import plural

_PROTECTED_HELP = (
    "Include protected person fields and sensitive evidence (needs export.protected; logged)."
)


@click.command("bag")
@case_options
@click.argument("out", type=click.Path())
@click.option(
    "--select",
    "select_",
    multiple=True,
    metavar="KIND:ID",
    help="Only what supports this record (repeatable): evidence:SHA256, source:3, "
    "incident:2, act:5, person:7, site:1. Default: all evidentiary evidence.",
)
@click.option("--include-protected", is_flag=True, help=_PROTECTED_HELP)
@click.option(
    "--reason", help="Why protected content is exported (required with --include-protected)."
)
@json_option
def export_bag(
    case_opts: CaseOptions,
    out: str,
    select_: tuple[str, ...],
    include_protected: bool,
    reason: str | None,
    as_json: bool,
) -> None:
    """Write a BagIt bag to OUT: decrypted evidentiary files, record metadata, custody and
    audit entries for what it holds, and the audit public key. Validated before it is
    named OUT."""
    from dalil.services import export

    case = case_opts.open()
    try:
        res = export.export_bag(
            case,
            case_opts.user,
            out,
            select_=list(select_),
            include_protected=include_protected,
            reason=reason,
        )
    finally:
        case.close()
    if as_json:
        emit_json(res)
    else:
        click.echo(
            f"wrote valid bag {res['out']}: {plural(res['items'], 'evidence file')}, "
            f"{plural(res['audit_entries'], 'audit entry', 'audit entries')}"
            + (
                f", {plural(res['withheld_sensitive'], 'sensitive item')} withheld"
                if res["withheld_sensitive"]
                else ""
            )
        )


def _records_cmd(fmt: str) -> click.Command:
    what = "one JSON file" if fmt == "json" else "a folder with one CSV file per record kind"

    @click.command(
        fmt,
        help=f"Export all records to OUT as {what} (open fields only unless --include-protected).",
    )
    @case_options
    @click.argument("out", type=click.Path())
    @click.option("--include-protected", is_flag=True, help=_PROTECTED_HELP)
    @click.option(
        "--reason", help="Why protected fields are exported (required with --include-protected)."
    )
    @json_option
    def cmd(
        case_opts: CaseOptions, out: str, include_protected: bool, reason: str | None, as_json: bool
    ) -> None:
        from dalil.services import export

        case = case_opts.open()
        try:
            res = export.export_records(
                case, case_opts.user, out, fmt, include_protected=include_protected, reason=reason
            )
        finally:
            case.close()
        if as_json:
            emit_json(res)
        else:
            n = sum(res["records"].values())
            click.echo(f"wrote {plural(n, 'record')} to {res['out']}")

    return cmd


def register(cli: AliasedGroup) -> None:
    group = get_or_create_group(cli, "export", help="Export evidence bags and records.")
    group.add_command(export_bag)
    group.add_command(_records_cmd("json"))
    group.add_command(_records_cmd("csv"))
