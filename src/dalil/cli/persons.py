"""CLI: ``dalil persons add | list | show | update`` (protected fields revealed only with a
logged reason). Thin wrappers over :mod:`dalil.services.persons`."""

from __future__ import annotations

from typing import Any

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.services.persons import PERSON_ROLES, PROTECTED_FIELDS, SEXES

PERSON_COLUMNS = ["id", "pseudonym", "sex", "age", "roles", "protected_fields"]


def _person_row(d: dict[str, Any]) -> dict[str, Any]:
    row = dict(d)
    if row.get("age") is None and row.get("age_min") is not None:
        row["age"] = f"{row['age_min']}-{row['age_max']}"
    row["roles"] = ",".join(row.get("roles") or [])
    row["protected_fields"] = ",".join(row.get("protected_fields") or [])
    return row


def _show_person(d: dict[str, Any]) -> None:
    for k, v in d.items():
        if isinstance(v, list):
            v = ", ".join(str(x) for x in v)
        click.echo(f"{k}: {'' if v is None else v}")


def _protected_options(f: Any) -> Any:
    opts = [
        click.option("--legal-name", help="Legal name (protected: stored encrypted)."),
        click.option(
            "--alias",
            "aliases",
            multiple=True,
            help="Another name the person is known by (protected; repeatable).",
        ),
        click.option("--contact", help="Contact details (protected)."),
        click.option("--exact-address", help="Exact address (protected)."),
        click.option("--identity-group", help="Religious/ethnic/other identity group (protected)."),
        click.option("--sensitive-notes", help="Notes that could identify the person (protected)."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


@click.command("add")
@case_options
@click.option("--pseudonym", required=True, help="Name used everywhere in the case (unique).")
@click.option("--sex", type=click.Choice(SEXES), help="Sex, if known.")
@click.option("--age", metavar="N|MIN-MAX", help="Age in years or an age range (30-40).")
@click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="ROLE",
    help=f"Role tag (repeatable): {', '.join(PERSON_ROLES)}.",
)
@click.option("--notes", help="Open notes (NOT protected; nothing identifying here).")
@_protected_options
@json_option
def person_add(
    case_opts: CaseOptions,
    pseudonym: str,
    sex: str | None,
    age: str | None,
    roles: tuple[str, ...],
    notes: str | None,
    as_json: bool,
    **protected: Any,
) -> None:
    """Add a person under a pseudonym; identifying fields are stored encrypted."""
    from dalil.services import persons

    a, amin, amax = persons.parse_age(age or "")
    prot = _collect_protected(protected)
    with case_opts.act() as ctx:
        p = persons.add_person(
            ctx,
            pseudonym=pseudonym,
            sex=sex,
            age=a,
            age_min=amin,
            age_max=amax,
            roles=list(roles),
            notes=notes,
            **prot,
        )
        d = p.to_dict()
    if as_json:
        emit_json(d)
    else:
        click.echo(f"added person {d['id']} ({d['pseudonym']})")


def _collect_protected(protected: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in PROTECTED_FIELDS:
        v = protected.get(f)
        if f == "aliases":
            if v:
                out[f] = list(v)
        elif v is not None:
            out[f] = v
    return out


@click.command("list")
@case_options
@click.option("--role", help="Only persons with this role tag.")
@click.option(
    "--reveal", is_flag=True, help="Include protected fields (needs permission and --reason)."
)
@click.option("--reason", help="Why you need the protected fields (logged).")
@json_option
def person_list(
    case_opts: CaseOptions, role: str | None, reveal: bool, reason: str | None, as_json: bool
) -> None:
    """List persons (pseudonym and open fields; protected fields only with --reveal)."""
    from dalil.services import persons

    _check_reveal_args(reveal, reason)
    with case_opts.act(write=reveal) as ctx:
        rows = persons.list_persons(ctx, role=role)
        out = (
            persons.reveal(ctx, rows, reason=reason or "")
            if reveal
            else [p.to_dict() for p in rows]
        )
    if as_json:
        emit_json(out)
    else:
        cols = PERSON_COLUMNS + (["legal_name"] if reveal else [])
        emit_table([_person_row(d) for d in out], cols)


def _check_reveal_args(reveal: bool, reason: str | None) -> None:
    from dalil.errors import InputError

    if reason and not reveal:
        raise InputError("--reason only goes with --reveal")
    if reveal and not (reason or "").strip():
        raise InputError("--reveal needs --reason TEXT (why you need the protected fields; logged)")


@click.command("show")
@case_options
@click.argument("person_id", type=int)
@click.option(
    "--reveal", is_flag=True, help="Include protected fields (needs permission and --reason)."
)
@click.option("--reason", help="Why you need the protected fields (logged).")
@json_option
def person_show(
    case_opts: CaseOptions, person_id: int, reveal: bool, reason: str | None, as_json: bool
) -> None:
    """Show one person (protected fields only with --reveal --reason)."""
    from dalil.services import persons

    _check_reveal_args(reveal, reason)
    with case_opts.act(write=reveal) as ctx:
        p = persons.get_person(ctx, person_id)
        d = persons.reveal(ctx, [p], reason=reason or "")[0] if reveal else p.to_dict()
    if as_json:
        emit_json(d)
    else:
        _show_person(d)


@click.command("update")
@case_options
@click.argument("person_id", type=int)
@click.option("--pseudonym", help="New pseudonym (unique).")
@click.option("--sex", type=click.Choice(SEXES), help="Sex.")
@click.option("--age", metavar="N|MIN-MAX", help="Age or age range; empty string clears.")
@click.option(
    "--role", "roles", multiple=True, metavar="ROLE", help="Replace the role tags (repeatable)."
)
@click.option("--notes", help="Open notes (empty string clears).")
@_protected_options
@click.option(
    "--clear",
    "clear",
    multiple=True,
    type=click.Choice(PROTECTED_FIELDS),
    help="Clear a protected field (repeatable).",
)
@json_option
def person_update(
    case_opts: CaseOptions,
    person_id: int,
    pseudonym: str | None,
    sex: str | None,
    age: str | None,
    roles: tuple[str, ...],
    notes: str | None,
    clear: tuple[str, ...],
    as_json: bool,
    **protected: Any,
) -> None:
    """Update a person's open and/or protected fields."""
    from dalil.services import persons

    changes: dict[str, Any] = {}
    if pseudonym is not None:
        changes["pseudonym"] = pseudonym
    if sex is not None:
        changes["sex"] = sex
    if age is not None:
        changes["age"], changes["age_min"], changes["age_max"] = persons.parse_age(age)
    if roles:
        changes["roles"] = list(roles)
    if notes is not None:
        changes["notes"] = notes or None
    changes.update(_collect_protected(protected))
    for f in clear:
        changes[f] = None
    with case_opts.act() as ctx:
        d = persons.update_person(ctx, person_id, **changes).to_dict()
    if as_json:
        emit_json(d)
    else:
        click.echo(f"updated person {d['id']} ({d['pseudonym']})")


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    group = get_or_create_group(
        cli, "person", "persons", help="Persons: victims, witnesses, suspects … under pseudonyms."
    )
    for cmd in (person_add, person_list, person_show, person_update):
        group.add_command(cmd)
