"""CLI: ``dalil KIND retract ID --reason …`` and ``dalil KIND restore ID --reason …`` for
every record kind (incident, person, act, site, unit, membership, provenance, source,
evidence, list; ``dalil list retract-record`` for one list record), through
:mod:`dalil.services.retractions`. A retraction prints what depends on the record and,
with ``--with-dependants``, withdraws those too in the same audited operation."""

from __future__ import annotations

from typing import Any

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, get_or_create_group, json_option

#: Record kind -> (its command group, as the other modules create it; the verb suffix).
_GROUPS = {
    "incident": ("incident", ""),
    "person": ("person", ""),
    "act": ("act", ""),
    "site": ("site", ""),
    "unit": ("unit", ""),
    "membership": ("membership", ""),
    "provenance": ("provenance", ""),
    "source": ("source", ""),
    "evidence": ("evidence", ""),
    "list": ("list", ""),
    "list_record": ("list", "-record"),
}

_WHAT = {
    "evidence": "evidence item (id or SHA-256)",
    "list": "victim list (id)",
    "list_record": "list record (id)",
}


def _say_dependants(kind: str, record_id: str, deps: list[dict[str, Any]], verb: str) -> None:
    if verb == "retract":
        if not deps:
            return
        click.echo(f"records that depend on {kind} {record_id}:")
        for d in deps:
            if d["cascade"]:
                state = "retracted with it"
            elif d["retracted"]:
                state = "already retracted"
            elif d["retractable"]:
                state = "in force, flagged: depends on a retracted record"
            else:
                state = "flagged: cites a retracted record"
            click.echo(f"  {d['kind']} {d.get('sha256') or d['id']}  {d['label']}  ({state})")
        if any(d["retractable"] and not d["retracted"] for d in deps):
            click.echo("retract them too with --with-dependants (restore undoes both)")
    elif deps:
        click.echo("restored with it: " + ", ".join(str(d) for d in deps))


def _make(kind: str, verb: str) -> click.Command:
    from dalil.services import retractions

    arg = "ITEM" if kind == "evidence" else "ID"

    def cb(
        case_opts: CaseOptions,
        record_id: str,
        reason: str,
        as_json: bool,
        with_dependants: bool = False,
    ) -> None:
        with case_opts.act() as ctx:
            if verb == "retract":
                out: dict[str, Any] = retractions.retract(
                    ctx, kind, record_id, reason=reason, with_dependants=with_dependants
                )
            else:
                out = retractions.restore(ctx, kind, record_id, reason=reason)
        if as_json:
            emit_json(out)
            return
        click.echo(f"{'retracted' if verb == 'retract' else 'restored'} {kind} {record_id}")
        _say_dependants(kind, record_id, list(out.get("dependants") or []), verb)

    fn = json_option(cb)
    if verb == "retract":
        fn = click.option(
            "--with-dependants",
            is_flag=True,
            help="Also retract the records that depend on it (listed), in the same "
            "audited operation; restoring it restores them.",
        )(fn)
    fn = click.option("--reason", required=True, help="Why (logged; at least 3 characters).")(fn)
    fn = click.argument("record_id", metavar=arg)(fn)
    what = _WHAT.get(kind, f"{kind} record")
    text = (
        f"Retract {'an' if what[0] in 'aeiou' else 'a'} {what} with a reason: it leaves "
        "lists, search results, public or court exports, linkage runs, estimates and "
        "counts; it is not deleted (its page, history, the audit log and internal exports "
        "keep it). Prints the records that depend on it."
        if verb == "retract"
        else f"Restore a retracted {what}, with a reason (logged), and the records its "
        "retraction withdrew with it."
    )
    name = verb + _GROUPS[kind][1]
    return click.command(name, help=text)(case_options(fn))


def _make_dependants(kind: str) -> click.Command:
    from dalil.services import retractions

    def cb(case_opts: CaseOptions, record_id: str, as_json: bool) -> None:
        with case_opts.act(write=False) as ctx:
            deps = retractions.dependants(ctx, kind, record_id)
        if as_json:
            emit_json(deps)
            return
        if not deps:
            click.echo(f"nothing depends on {kind} {record_id}")
        for d in deps:
            state = "retracted" if d["retracted"] else "in force"
            if not d["retractable"]:
                state += ", not retractable (flagged if it is retracted)"
            click.echo(f"{d['kind']} {d.get('sha256') or d['id']}  {d['label']}  ({state})")

    fn = json_option(cb)
    fn = click.argument("record_id", metavar="ITEM" if kind == "evidence" else "ID")(fn)
    text = (
        f"What depends on {'an' if _WHAT.get(kind, kind)[0] in 'aeiou' else 'a'} "
        f"{_WHAT.get(kind, f'{kind} record')} (what `retract --with-dependants` would "
        "retract with it, and the findings it would flag)."
    )
    return click.command("dependants", help=text)(case_options(fn))


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    for kind, (name, suffix) in _GROUPS.items():
        group = get_or_create_group(cli, name)
        for verb in ("retract", "restore"):
            if verb + suffix not in group.commands:
                group.add_command(_make(kind, verb))
        if not suffix and "dependants" not in group.commands:
            group.add_command(_make_dependants(kind))
