"""CLI: user add/list/update/token/token-revoke/tokens/totp/unlock/sessions-end."""

from __future__ import annotations

import click

from dalil.cli.caseopts import CaseOptions, case_options, read_secret_file
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.display.wording import plural
from dalil.services.kernel import ROLES


@click.command("add")
@case_options
@click.argument("name")
@click.option("--role", required=True, help=f"Role: {', '.join(ROLES)}.")
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False),
    help="File holding the user's password for the web workbench (8+ characters).",
)
@json_option
def user_add(
    case_opts: CaseOptions, name: str, role: str, password_file: str | None, as_json: bool
) -> None:
    """Add a user NAME with a role (needs user.manage: admin)."""
    from dalil.services import users

    password = read_secret_file(password_file, "password") if password_file else None
    with case_opts.act() as ctx:
        d = users.add_user(ctx, name, role.strip().lower(), password).to_dict()
    if as_json:
        emit_json(d)
    else:
        click.echo(f"added user {d['name']} ({d['role']})")


@click.command("list")
@case_options
@json_option
def user_list(case_opts: CaseOptions, as_json: bool) -> None:
    """List users and their roles."""
    from dalil.services import users

    with case_opts.act(write=False) as ctx:
        rows = [u.to_dict() for u in users.list_users(ctx)]
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["id", "name", "role", "disabled", "has_password", "last_login_at"])


@click.command("update")
@case_options
@click.argument("name")
@click.option("--role", help=f"New role: {', '.join(ROLES)}.")
@click.option("--disable/--enable", "disabled", default=None, help="Disable or re-enable.")
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False),
    help="Set a new password. Set for another user, it must be replaced by them at their "
    "next web sign-in (their API tokens keep working).",
)
@json_option
def user_update(
    case_opts: CaseOptions,
    name: str,
    role: str | None,
    disabled: bool | None,
    password_file: str | None,
    as_json: bool,
) -> None:
    """Change a user's role, disable/enable them, or set their password."""
    from dalil.services import users

    password = read_secret_file(password_file, "password") if password_file else None
    with case_opts.act() as ctx:
        d = users.update_user(
            ctx,
            name,
            role=role.strip().lower() if role else None,
            disabled=disabled,
            password=password,
        ).to_dict()
    if as_json:
        emit_json(d)
    else:
        click.echo(f"updated user {d['name']} ({d['role']}{', disabled' if d['disabled'] else ''})")


@click.command("token")
@case_options
@click.argument("name")
@click.option("--label", help="What the token is for (shown in `user tokens`).")
@json_option
def user_token(case_opts: CaseOptions, name: str, label: str | None, as_json: bool) -> None:
    """Issue an API token for NAME (printed once; only its hash is stored)."""
    from dalil.services import users

    with case_opts.act() as ctx:
        token, row = users.issue_token(ctx, name, label)
        tid = row.id
    if as_json:
        emit_json({"token": token, "id": tid, "user": name})
    else:
        click.echo(token)


@click.command("token-revoke")
@case_options
@click.argument("name")
@click.option("--id", "token_id", type=int, help="Revoke only this token (default: all).")
@json_option
def user_token_revoke(
    case_opts: CaseOptions, name: str, token_id: int | None, as_json: bool
) -> None:
    """Revoke NAME's API tokens (all, or one with --id)."""
    from dalil.services import users

    with case_opts.act() as ctx:
        n = users.revoke_tokens(ctx, name, token_id)
    if as_json:
        emit_json({"revoked": n})
    else:
        click.echo(f"revoked {plural(n, 'token')}")


@click.command("sessions-end")
@case_options
@click.argument("name")
@json_option
def user_sessions_end(case_opts: CaseOptions, name: str, as_json: bool) -> None:
    """End every web session of NAME at once, on every server worker (a lost laptop, a
    departed member). Admin for anyone, a user for themself; logged user.sessions_end."""
    from dalil.services import sessions

    with case_opts.act() as ctx:
        n = sessions.end_user_sessions(ctx, name)
    if as_json:
        emit_json({"ended": n})
    else:
        click.echo(f"ended {plural(n, 'session')} of {name}")


@click.command("tokens")
@case_options
@click.argument("name")
@json_option
def user_tokens(case_opts: CaseOptions, name: str, as_json: bool) -> None:
    """List NAME's API tokens (ids, labels, dates; never the tokens)."""
    from dalil.services import users

    with case_opts.act(write=False) as ctx:
        rows = [t.to_dict() for t in users.list_tokens(ctx, name)]
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["id", "label", "created_at", "last_used_at", "revoked_at"])


@click.command("totp")
@case_options
@click.argument("name")
@click.option(
    "--enable/--disable",
    "enable",
    required=True,
    help="Enrol a second factor (NAME must be you: --user NAME) or turn it off "
    "(yourself with --code; an admin for another user with --reason).",
)
@click.option("--code", help="A current code from the authenticator app (--disable of your own).")
@click.option(
    "--reason", help="Why another user's second factor is turned off (recorded in the audit log)."
)
@json_option
def user_totp(
    case_opts: CaseOptions,
    name: str,
    enable: bool,
    code: str | None,
    reason: str | None,
    as_json: bool,
) -> None:
    """Turn the web login's second factor (TOTP) on or off for NAME.

    --enable prints a new secret and its otpauth:// link, then asks for the code the
    authenticator app shows; only a matching code stores the secret (encrypted)."""
    from dalil.services import users

    if enable:
        secret = users.new_totp_secret()
        click.echo(f"secret: {secret}", err=True)
        click.echo(f"link:   {users.totp_uri(name, secret)}", err=True)
        typed = click.prompt("code from the authenticator app", err=True)
        with case_opts.act() as ctx:
            users.enable_totp(ctx, name, secret, str(typed))
    else:
        with case_opts.act() as ctx:
            users.disable_totp(ctx, name, code=code, reason=reason)
    if as_json:
        emit_json({"user": name, "totp": enable})
    else:
        click.echo(f"second factor {'on' if enable else 'off'} for {name}")


@click.command("unlock")
@case_options
@click.argument("name")
@click.option("--reason", required=True, help="Why the lock is lifted (recorded in the audit log).")
@json_option
def user_unlock(case_opts: CaseOptions, name: str, reason: str, as_json: bool) -> None:
    """Unlock NAME's account after too many wrong second-factor codes locked it (admins)."""
    from dalil.services import users

    with case_opts.act() as ctx:
        users.unlock_user(ctx, name, reason)
    if as_json:
        emit_json({"user": name, "locked": False})
    else:
        click.echo(f"{name} unlocked")


def register(cli: AliasedGroup) -> None:
    group = get_or_create_group(cli, "user", "users", help="Users, roles and API tokens.")
    for cmd in (
        user_add,
        user_list,
        user_update,
        user_token,
        user_token_revoke,
        user_tokens,
        user_totp,
        user_unlock,
        user_sessions_end,
    ):
        group.add_command(cmd)
