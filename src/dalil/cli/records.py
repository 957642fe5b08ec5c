"""CLI: person(s), and add/list/show/update for every record kind in
:data:`dalil.services.records.SPECS` (source, incident, act, unit, membership, site,
provenance), generated from their field specs."""

from __future__ import annotations

from typing import Any

import click

from dalil.case_cli import CaseOptions, case_options
from dalil.cli_support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.model.person import PERSON_ROLES, PROTECTED_FIELDS, SEXES

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


# --- generic record commands -------------------------------------------------------------

#: CLI option names that differ from the field name minus "_id".
_OPTION_NAMES = {"organization_id": "unit", "perpetrator_unit_id": "perpetrator-unit"}


def _opt_name(field: Any) -> str:
    if field.name in _OPTION_NAMES:
        return _OPTION_NAMES[str(field.name)]
    name: str = (
        field.name[:-3] if field.kind == "ref" and field.name.endswith("_id") else field.name
    )
    return name.replace("_", "-")


def _field_help(field: Any, *, for_update: bool = False) -> str:
    text = str(field.help)
    if field.choices:
        text += f" One of: {', '.join(field.choices)}."
    if field.default is not None and not for_update:
        text += f" Default: {field.default}."
    if for_update and not field.required:
        text += " Empty string clears."
    return text


def _field_options(spec: Any, *, for_update: bool) -> list[Any]:
    opts = []
    for f in spec.fields:
        opts.append(
            click.option(
                f"--{_opt_name(f)}",
                f.name,
                required=f.required and not for_update and f.default is None,
                metavar="ID"
                if f.kind == "ref"
                else ("X" if f.kind not in ("text", "longtext", "url", "choice", "date") else None),
                help=_field_help(f, for_update=for_update),
            )
        )
    return opts


def _apply_options(opts: list[Any], fn: Any) -> Any:
    for o in reversed(opts):
        fn = o(fn)
    return fn


def _show_record(d: dict[str, Any]) -> None:
    for k, v in d.items():
        click.echo(f"{k}: {'' if v is None else v}")


def make_record_commands(spec: Any) -> list[click.Command]:
    """add/list/show/update commands for one record spec."""
    from dalil.services import records

    kind = spec.kind
    a = "an" if kind[0] in "aeiou" else "a"

    def add_cb(case_opts: CaseOptions, as_json: bool, **values: Any) -> None:
        with case_opts.act() as ctx:
            d = records.add(
                ctx, kind, **{k: v for k, v in values.items() if v is not None}
            ).to_dict()
        if as_json:
            emit_json(d)
        else:
            click.echo(f"added {kind} {d['id']}")

    add_cmd = click.command("add", help=f"Add {a} {kind} record.")(
        case_options(_apply_options(_field_options(spec, for_update=False), json_option(add_cb)))
    )

    filters = [f for f in spec.fields if f.filter]

    def list_cb(case_opts: CaseOptions, as_json: bool, **flt: Any) -> None:
        with case_opts.act(write=False) as ctx:
            rows = [r.to_dict() for r in records.list_(ctx, kind, **flt)]
        if as_json:
            emit_json(rows)
        else:
            emit_table(rows, list(spec.columns))

    list_opts = [
        click.option(
            f"--{_opt_name(f)}",
            f.name,
            type=int if f.kind in ("ref", "int") else str,
            metavar="ID" if f.kind == "ref" else None,
            help=f"Only records with this {f.name}.",
        )
        for f in filters
    ]
    list_cmd = click.command("list", help=f"List {kind} records (filters combine with AND).")(
        case_options(_apply_options(list_opts, json_option(list_cb)))
    )

    def show_cb(case_opts: CaseOptions, record_id: int, as_json: bool) -> None:
        with case_opts.act(write=False) as ctx:
            d = records.get(ctx, kind, record_id).to_dict()
        if as_json:
            emit_json(d)
        else:
            _show_record(d)

    show_cmd = click.command("show", help=f"Show one {kind} record by id.")(
        case_options(click.argument("record_id", metavar="ID", type=int)(json_option(show_cb)))
    )

    def update_cb(case_opts: CaseOptions, record_id: int, as_json: bool, **values: Any) -> None:
        changes = {k: v for k, v in values.items() if v is not None}
        with case_opts.act() as ctx:
            d = records.update(ctx, kind, record_id, **changes).to_dict()
        if as_json:
            emit_json(d)
        else:
            click.echo(f"updated {kind} {d['id']}")

    update_cmd = click.command(
        "update", help=f"Update fields of {a} {kind} record (only the options given change)."
    )(
        case_options(
            click.argument("record_id", metavar="ID", type=int)(
                _apply_options(_field_options(spec, for_update=True), json_option(update_cb))
            )
        )
    )
    return [add_cmd, list_cmd, show_cmd, update_cmd]


def make_source_add() -> click.Command:
    """``source add [FILE]``: the generic fields plus an optional file kept as evidence."""
    from dalil.services.records import SOURCE

    def cb(
        case_opts: CaseOptions,
        file: str | None,
        sensitive: bool,
        no_extract: bool,
        as_json: bool,
        **values: Any,
    ) -> None:
        from dalil.services import source_intake

        fields = {k: v for k, v in values.items() if v is not None}
        case = case_opts.open()
        try:
            out = source_intake.add_source(
                case, case_opts.user, file, sensitive=sensitive, extract=not no_extract, **fields
            )
        finally:
            case.close()
        if as_json:
            emit_json(out)
            return
        click.echo(f"added source {out['source']['id']}")
        if out["evidence"]:
            click.echo(f"  evidence {out['evidence']['id']} {out['evidence']['sha256']}")
        if out["text"]:
            click.echo(f"  text (working copy) {out['text']['id']} {out['text']['sha256']}")
        elif out["text_error"]:
            click.echo(f"  no text extracted: {out['text_error']}")

    fn = json_option(cb)
    fn = click.option("--no-extract", is_flag=True, help="Do not keep extracted text.")(fn)
    fn = click.option(
        "--sensitive",
        is_flag=True,
        help="The file identifies a protected person (see evidence add).",
    )(fn)
    fn = _apply_options(_field_options(SOURCE, for_update=False), fn)
    fn = click.argument("file", required=False, type=click.Path(dir_okay=False))(fn)
    return click.command(
        "add",
        help="Add a source; with FILE, keep the file as evidentiary evidence and its "
        "extracted text as a working copy derived from it. Without FILE, only the record "
        "(e.g. an article with --url).",
    )(case_options(fn))


def register_records(cli: AliasedGroup) -> None:
    from dalil.services.records import SPECS

    src_group = get_or_create_group(cli, "source", "sources", help=SPECS["source"].help)
    if "add" not in src_group.commands:
        src_group.add_command(make_source_add())

    for spec in SPECS.values():
        group = get_or_create_group(cli, spec.group, *spec.aliases, help=spec.help)
        for cmd in make_record_commands(spec):
            if cmd.name not in group.commands:
                group.add_command(cmd)


def register(cli: AliasedGroup) -> None:
    group = get_or_create_group(
        cli, "person", "persons", help="Persons: victims, witnesses, suspects … under pseudonyms."
    )
    for cmd in (person_add, person_list, person_show, person_update):
        group.add_command(cmd)
    register_records(cli)
