"""CLI: ``dalil KIND retract ID --reason …`` and ``dalil KIND restore ID --reason …`` for
every record kind (incident, person, act, site, unit, membership, provenance, source,
evidence), through :mod:`dalil.services.retractions`."""

from __future__ import annotations

from typing import Any

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, get_or_create_group, json_option

#: Record kind -> its command group (as the other modules create them).
_GROUPS = {
    "incident": "incident",
    "person": "person",
    "act": "act",
    "site": "site",
    "unit": "unit",
    "membership": "membership",
    "provenance": "provenance",
    "source": "source",
    "evidence": "evidence",
}


def _make(kind: str, verb: str) -> click.Command:
    from dalil.services import retractions

    do = retractions.retract if verb == "retract" else retractions.restore
    arg = "ITEM" if kind == "evidence" else "ID"

    def cb(case_opts: CaseOptions, record_id: str, reason: str, as_json: bool) -> None:
        with case_opts.act() as ctx:
            out: dict[str, Any] = do(ctx, kind, record_id, reason=reason)
        if as_json:
            emit_json(out)
        else:
            click.echo(f"{'retracted' if verb == 'retract' else 'restored'} {kind} {record_id}")

    fn = json_option(cb)
    fn = click.option("--reason", required=True, help="Why (logged; at least 3 characters).")(fn)
    fn = click.argument("record_id", metavar=arg)(fn)
    what = "evidence item (id or SHA-256)" if kind == "evidence" else f"{kind} record"
    text = (
        f"Retract {'an' if kind[0] in 'aeiou' else 'a'} {what} with a reason: it leaves "
        "lists, search results and public or court exports; it is not deleted (its page, "
        "history, the audit log and internal exports keep it)."
        if verb == "retract"
        else f"Restore a retracted {what}, with a reason (logged)."
    )
    return click.command(verb, help=text)(case_options(fn))


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    for kind, name in _GROUPS.items():
        group = get_or_create_group(cli, name)
        for verb in ("retract", "restore"):
            if verb not in group.commands:
                group.add_command(_make(kind, verb))
