"""CLI: init, upgrade, passphrase change."""

from __future__ import annotations

import click

from dalil.case_cli import CaseOptions, case_options, read_secret_file, resolve_passphrase
from dalil.cli_support import AliasedGroup, emit_json, get_or_create_group, json_option


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--database",
    metavar="URL",
    help="Keep the records in PostgreSQL (postgresql://…) instead of DIR/case.db.",
)
@click.option(
    "--admin",
    default="admin",
    show_default=True,
    metavar="NAME",
    help="Name of the case's first user (role admin).",
)
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False),
    help="File holding the new passphrase (else $DALIL_PASSPHRASE or a prompt, asked twice).",
)
@json_option
def init_cmd(
    directory: str, database: str | None, admin: str, passphrase_file: str | None, as_json: bool
) -> None:
    """Create a new case in DIRECTORY (absent or empty).

    Writes DIRECTORY/case.toml, the database (SQLite DIRECTORY/case.db unless --database),
    DIRECTORY/evidence/ and DIRECTORY/keys/ (the data key, wrapped by a key derived from
    the passphrase with argon2id, and the audit signing key). Keep the passphrase
    elsewhere: without it the protected fields and evidence cannot be read.
    """
    from dalil.case import Case

    passphrase = resolve_passphrase(passphrase_file, prompt="New passphrase", confirm=True)
    case = Case.init(directory, passphrase, admin=admin, database=database)
    try:
        info = case.describe()
    finally:
        case.close()
    if as_json:
        emit_json(info)
    else:
        click.echo(f"created case {info['path']} (database {info['database']}, admin {admin})")
        click.echo(f"audit key fingerprint: {info['audit_key_fingerprint']}")


@click.command("upgrade")
@case_options
@json_option
def upgrade_cmd(case_opts: CaseOptions, as_json: bool) -> None:
    """Apply all database migrations (Alembic heads) to the case database."""
    from dalil.store.migrate import current_heads, script_heads, upgrade

    case = case_opts.open(unlock=False, check_schema=False)
    try:
        before = sorted(current_heads(case.engine))
        upgrade(case.engine)
        after = sorted(current_heads(case.engine))
    finally:
        case.close()
    if as_json:
        emit_json({"before": before, "after": after, "heads": sorted(script_heads())})
    else:
        click.echo(f"database at {', '.join(after)}" + (" (unchanged)" if before == after else ""))


@click.command("change")
@case_options
@click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False),
    help="File holding the new passphrase (else a prompt, asked twice).",
)
def passphrase_change_cmd(case_opts: CaseOptions, new_passphrase_file: str | None) -> None:
    """Change the case passphrase (re-wraps the data key; nothing is re-encrypted).

    The current passphrase comes from --passphrase-file, $DALIL_PASSPHRASE or a prompt.
    Needs the keys.manage permission (admin); logged as keys.passphrase_change.
    """
    from dalil.services import keys as key_services

    if new_passphrase_file:
        new = read_secret_file(new_passphrase_file, "new passphrase")
    else:
        import sys

        if not sys.stdin.isatty():
            from dalil.errors import InputError

            raise InputError("no new passphrase: use --new-passphrase-file FILE or a terminal")
        new = click.prompt("New passphrase", hide_input=True, confirmation_prompt=True, err=True)
    old = case_opts.passphrase()
    case = case_opts.open(unlock=False)
    try:
        key_services.change_passphrase(case, case_opts.user, old, new)
    finally:
        case.close()
    click.echo("passphrase changed")


def register(cli: AliasedGroup) -> None:
    cli.add_command(init_cmd)
    cli.add_command(upgrade_cmd)
    group = get_or_create_group(cli, "passphrase", help="Manage the case passphrase.")
    group.add_command(passphrase_change_cmd)
