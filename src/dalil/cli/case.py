"""CLI: init, upgrade, passphrase change, case show/update."""

from __future__ import annotations

import click

from dalil.cli.caseopts import CaseOptions, case_options, read_secret_file, resolve_passphrase
from dalil.cli.support import AliasedGroup, emit_json, get_or_create_group, json_option
from dalil.errors import InputError


def _read_summary(path: str | None) -> str | None:
    if path is None:
        return None
    from pathlib import Path

    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None


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
@click.option(
    "--title",
    metavar="TEXT",
    help="Case title (heads every report; stored in the clear in case.toml).",
)
@click.option(
    "--summary-file",
    type=click.Path(dir_okay=False, exists=True),
    help="UTF-8 text file of summary paragraphs (blank-line separated): the default "
    "summary of every report. Stored in the clear in case.toml.",
)
@click.option(
    "--admin-password-file",
    type=click.Path(dir_okay=False, exists=True),
    help="File holding the first admin's web password (else $DALIL_ADMIN_PASSWORD, or a "
    "prompt at a terminal; at least 8 characters).",
)
@json_option
def init_cmd(
    directory: str,
    database: str | None,
    admin: str,
    passphrase_file: str | None,
    title: str | None,
    summary_file: str | None,
    admin_password_file: str | None,
    as_json: bool,
) -> None:
    """Create a new case in DIRECTORY (absent or empty).

    Writes DIRECTORY/case.toml, the database (SQLite DIRECTORY/case.db unless --database),
    DIRECTORY/evidence/ and DIRECTORY/keys/ (the data key, wrapped by a key derived from
    the passphrase with argon2id, and the audit signing key). Keep the passphrase
    elsewhere: without it the protected fields and evidence cannot be read.
    """
    from dalil.services.case_info import create_case

    summary = _read_summary(summary_file)
    passphrase = resolve_passphrase(passphrase_file, prompt="New passphrase", confirm=True)
    admin_password = _admin_password(admin_password_file)
    case = create_case(
        directory, passphrase, admin=admin, database=database, title=title, summary=summary
    )
    try:
        if admin_password is not None:
            from dalil.services import users

            with case.act(admin) as ctx:
                users.update_user(ctx, admin, password=admin_password)
        info = case.describe()
    finally:
        case.close()
    info["admin_password_set"] = admin_password is not None
    if as_json:
        emit_json(info)
    else:
        click.echo(f"created case {info['path']} (database {info['database']}, admin {admin})")
        click.echo(f"audit key fingerprint: {info['audit_key_fingerprint']}")
        if admin_password is not None:
            click.echo(f"web sign-in: user {admin} with the admin password you gave (dalil serve)")
        else:
            click.echo(
                f"the admin {admin} has no web password yet: dalil user update {admin} "
                "--password-file FILE"
            )


def _admin_password(path: str | None) -> str | None:
    """The first admin's web password: from *path*, $DALIL_ADMIN_PASSWORD, or a prompt
    when run at a terminal; None when none is given (the CLI still works)."""
    import os
    import sys

    if path is not None:
        pw = read_secret_file(path, "admin password")
    elif os.environ.get("DALIL_ADMIN_PASSWORD"):
        pw = os.environ["DALIL_ADMIN_PASSWORD"]
    elif sys.stdin.isatty():
        pw = click.prompt(
            "Web password for the admin (at least 8 characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    else:
        return None
    if len(pw) < 8:
        raise InputError("the admin password needs at least 8 characters")
    return pw


@click.command("upgrade")
@case_options
@json_option
def upgrade_cmd(case_opts: CaseOptions, as_json: bool) -> None:
    """Apply all database migrations (Alembic heads) to the case database.

    With the passphrase (--passphrase-file, $DALIL_PASSPHRASE or a prompt) migrations
    that re-index protected data do so now; without it, later, on first use."""
    import os
    import sys

    from dalil.services.case_info import upgrade_case

    can_unlock = bool(
        case_opts.passphrase_file
        or os.environ.get("DALIL_PASSPHRASE")
        or (sys.stdin is not None and sys.stdin.isatty())
    )
    case = case_opts.open(unlock=can_unlock, check_schema=False)
    try:
        result = upgrade_case(case)
    finally:
        case.close()
    before, after = result["before"], result["after"]
    if as_json:
        emit_json(result)
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


@click.command("show")
@case_options
@json_option
def case_show_cmd(case_opts: CaseOptions, as_json: bool) -> None:
    """Show the case: title, summary, database, admin, audit key fingerprint."""
    from dalil.services import case_info

    with case_opts.act(write=False) as ctx:
        d = case_info.show(ctx)
    if as_json:
        emit_json(d)
        return
    click.echo(f"title:       {d['title'] or '(none; set with dalil case update --title)'}")
    click.echo(f"path:        {d['path']}")
    click.echo(f"database:    {d['database']}")
    click.echo(f"created:     {d['created']}")
    click.echo(f"admin:       {d['admin']}")
    click.echo(f"audit key:   {d['audit_key_fingerprint']}")
    if d["summary"]:
        click.echo("summary:")
        for p in d["summary"]:
            click.echo("")
            click.echo(p)


@click.command("update")
@case_options
@click.option("--title", metavar="TEXT", help="New case title.")
@click.option(
    "--summary-file",
    type=click.Path(dir_okay=False, exists=True),
    help="UTF-8 text file of summary paragraphs (blank-line separated).",
)
@json_option
def case_update_cmd(
    case_opts: CaseOptions, title: str | None, summary_file: str | None, as_json: bool
) -> None:
    """Change the case title and/or summary (the defaults of `dalil report`).

    Needs record.write; logged as case.update. Both are stored in the clear in case.toml:
    write nothing there that must stay secret.
    """
    from dalil.services import case_info

    if title is None and summary_file is None:
        raise InputError("nothing to change: give --title and/or --summary-file")
    summary = _read_summary(summary_file)
    with case_opts.act() as ctx:
        d = case_info.update(ctx, title=title, summary=summary)
    if as_json:
        emit_json(d)
    elif d["changed"]:
        click.echo(f"updated the case {' and '.join(d['changed'])}")
    else:
        click.echo("nothing changed")


def register(cli: AliasedGroup) -> None:
    cli.add_command(init_cmd)
    cli.add_command(upgrade_cmd)
    group = get_or_create_group(cli, "passphrase", help="Manage the case passphrase.")
    group.add_command(passphrase_change_cmd)
    case_group = get_or_create_group(cli, "case", help="The case's title and summary.")
    case_group.add_command(case_show_cmd)
    case_group.add_command(case_update_cmd)
