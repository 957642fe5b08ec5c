"""CLI: add/list/show/update for every record kind in :data:`dalil.services.records.SPECS`
(source, incident, act, unit, membership, site, provenance), generated from their field
specs."""

from __future__ import annotations

from typing import Any

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option

# --- generic record commands -------------------------------------------------------------

#: CLI option names that differ from the field name minus "_id".
_OPTION_NAMES = {
    "organization_id": "unit",
    "perpetrator_unit_id": "perpetrator-unit",
    "perpetrator_ids": "perpetrators",
}


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
                else "IDS"
                if f.kind == "refs"
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
        if k == "provenance":
            continue
        if isinstance(v, list):
            v = ", ".join(str(x) for x in v)
        click.echo(f"{k}: {'' if v is None else v}")
    for p in d.get("provenance") or []:  # one line a supporting or contradicting link
        what = f"source {p['source_id']}" if p.get("source_id") else f"evidence {p['evidence_id']}"
        at = f" at {p['locator']}" if p.get("locator") else ""
        click.echo(f"provenance {p['id']}: {p['role']} by {what}{at}")


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
        from dalil.services import retractions

        with case_opts.act(write=False) as ctx:
            d = records.get(ctx, kind, record_id).to_dict()
            d.update(records.links_of(ctx, kind, record_id))
            held = retractions.status(ctx, kind, record_id)
        if held is not None:  # as GET /api/v1/{kind}/{id}: only on a retracted record
            d["retraction"] = held
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
        from dalil.services import sources as source_intake

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
        if out.get("already_held"):  # nothing created: the file is this source's document
            click.echo(
                f"already held as source {out['source']['id']} ({out['source']['title']}); "
                "nothing added"
            )
            return
        click.echo(f"added source {out['source']['id']}")
        if out["evidence"]:
            click.echo(f"  evidence {out['evidence']['id']} {out['evidence']['sha256']}")
        if out["text"]:
            click.echo(f"  text (working copy) {out['text']['id']} {out['text']['sha256']}")
        elif out["text_error"]:
            click.echo(f"  no text extracted: {out['text_error']}")
        if out.get("ocr_job"):
            click.echo(f"  OCR queued as job {out['ocr_job']} (dalil jobs show {out['ocr_job']})")

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
    """Register this module's commands on the root group."""
    register_records(cli)
