"""CLI: ``dalil persons add | list | show | update`` (protected fields revealed only with a
logged reason). Thin wrappers over :mod:`dalil.services.persons`."""

from __future__ import annotations

from typing import Any

import click

from dalil.cli.caseopts import CaseOptions, case_options, read_secret_file
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.errors import InputError
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


#: Single-valued protected fields: their options and what they hold.
_SECRET_OPTIONS = {
    "legal_name": ("--legal-name", "Legal name"),
    "contact": ("--contact", "Contact details"),
    "exact_address": ("--exact-address", "Exact address"),
    "identity_group": ("--identity-group", "Religious/ethnic/other identity group"),
    "sensitive_notes": ("--sensitive-notes", "Notes that could identify the person"),
}
_FROM = (
    "Given as TEXT it shows in the process list (ps) to other users of this computer: "
    "prefer - (read from standard input, or asked for without echo at a terminal) or "
    "{opt}-file FILE."
)


def _protected_options(f: Any) -> Any:
    opts = []
    for field, (opt, what) in _SECRET_OPTIONS.items():
        opts.append(
            click.option(
                opt, field, metavar="TEXT|-", help=f"{what} (protected). " + _FROM.format(opt=opt)
            )
        )
        opts.append(
            click.option(
                f"{opt}-file",
                f"{field}_file",
                type=click.Path(dir_okay=False, allow_dash=True),
                help=f"Read the {what.lower()} from FILE (UTF-8; - for standard input).",
            )
        )
    opts.insert(
        2,
        click.option(
            "--alias",
            "aliases",
            multiple=True,
            help="Another name the person is known by (protected; repeatable; "
            "shows in the process list: prefer --aliases-file).",
        ),
    )
    opts.insert(
        3,
        click.option(
            "--aliases-file",
            "aliases_file",
            type=click.Path(dir_okay=False, allow_dash=True),
            help="Read aliases from FILE, one per line (- for standard input).",
        ),
    )
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


def _read_protected(path: str, what: str, stdin_used: list[str]) -> str:
    """A protected value from a file or, for ``-``, standard input (asked for without
    echo at a terminal): never from the command line, where ``ps`` shows it."""
    import sys

    if path != "-":
        return read_secret_file(path, what)
    if stdin_used:
        raise InputError(f"only one protected value can come from standard input ({stdin_used[0]})")
    stdin_used.append(what)
    if sys.stdin.isatty():
        text = str(click.prompt(what, hide_input=True, err=True))
    else:
        text = sys.stdin.readline()
        text = text[:-1] if text.endswith("\n") else text
        text = text[:-1] if text.endswith("\r") else text
    if not text.strip():
        raise InputError(f"{what}: nothing was given on standard input")
    return text


def _collect_protected(protected: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    stdin_used: list[str] = []
    for f in PROTECTED_FIELDS:
        v = protected.get(f)
        if f == "aliases":
            path = protected.get("aliases_file")
            if path is not None:
                if v:
                    raise InputError("give --alias or --aliases-file, not both")
                if path == "-":
                    import sys

                    if stdin_used:
                        raise InputError(
                            "only one protected value can come from standard input "
                            f"({stdin_used[0]})"
                        )
                    stdin_used.append("aliases")
                    text = sys.stdin.read()
                else:
                    text = read_secret_file(path, "aliases")
                v = [a.strip() for a in text.splitlines() if a.strip()]
            elif v:
                _warn_argv("--alias", "--aliases-file")
            if v:
                out[f] = list(v)
            continue
        if f not in _SECRET_OPTIONS:
            if v is not None:
                out[f] = v
            continue
        opt, what = _SECRET_OPTIONS[f]
        path = protected.get(f"{f}_file")
        if path is not None and v is not None:
            raise InputError(f"give {opt} or {opt}-file, not both")
        if path is not None:
            v = _read_protected(path, what.lower(), stdin_used)
        elif v == "-":
            v = _read_protected("-", what.lower(), stdin_used)
        elif v is not None:
            _warn_argv(opt, f"{opt}-file")
        if v is not None:
            out[f] = v
    return out


def _warn_argv(opt: str, file_opt: str) -> None:
    click.echo(
        f"warning: {opt} on the command line can be read by other users of this computer "
        f"(ps) while the command runs; use {opt} - (standard input) or {file_opt} FILE",
        err=True,
    )


@click.command("duplicates")
@case_options
@click.option(
    "--name-file",
    "name_file",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Read the name to check from FILE (UTF-8; - for standard input, asked for "
    "without echo at a terminal): never on the command line, where ps shows it.",
)
@click.option("--sex", type=click.Choice(SEXES), help="Sex, if known.")
@click.option("--age", type=click.IntRange(0, 150), help="Age in years, if known.")
@click.option("--date", "date_", metavar="DATE", help="Date of death (2025-03, 8 March 2025 …).")
@click.option("--place", help="Place of death.")
@json_option
def person_duplicates(
    case_opts: CaseOptions,
    name_file: str,
    sex: str | None,
    age: int | None,
    date_: str | None,
    place: str | None,
    as_json: bool,
) -> None:
    """Possible duplicates of a person about to be recorded: the persons and list records
    whose names match NAME through the name keys (Arabic and Latin script), named by
    pseudonym or list record (never by a protected name). Logged as
    person.search_duplicates, with a keyed digest of the name."""
    from dalil.services import duplicates

    name = _read_protected(name_file, "name", [])
    with case_opts.act() as ctx:
        out = duplicates.possible_duplicates(
            ctx, name=name, sex=sex, age=age, date=date_, place=place
        )
    if as_json:
        emit_json(out)
        return
    c = out["checked"]
    if not out["matches"]:
        click.echo(
            f"no possible duplicate among {c['persons']} persons and "
            f"{c['list_records']} list records"
        )
        return
    for m in out["matches"]:
        how = "likely" if m["likely"] else "possibly"
        use = (
            f" -> person {m['person_id']}" if m["kind"] == "list_record" and m["person_id"] else ""
        )
        click.echo(
            f"{m['kind']} {m['id']} {m['label']}{use}: {how} the same person "
            f"({', '.join(m['reasons'])}; score {m['score']})"
        )


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
    from dalil.services import persons, records, retractions

    _check_reveal_args(reveal, reason)
    with case_opts.act(write=reveal) as ctx:
        p = persons.get_person(ctx, person_id)
        d = persons.reveal(ctx, [p], reason=reason or "")[0] if reveal else p.to_dict()
        d.update(records.acts_of_person(ctx, person_id))
        held = retractions.status(ctx, "person", person_id)
    if held is not None:  # as GET /api/v1/persons/{id}: only on a retracted person
        d["retraction"] = held
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
    for cmd in (person_add, person_duplicates, person_list, person_show, person_update):
        group.add_command(cmd)
