"""Shared pieces of the click CLI: plural aliases, JSON and table output, error handling.

JSON is encoded by :mod:`dalil.display.jsonout` (one encoder for the CLI, the web and
exports)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from dalil.display.jsonout import dumps
from dalil.errors import CheckFailed, DalilError

F = TypeVar("F", bound=Callable[..., Any])


class AliasedGroup(click.Group):
    """A group whose commands may be reached by several names (``person``/``persons``).

    Aliases are resolved on lookup and not listed twice in ``--help``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._aliases: dict[str, str] = {}

    def add_alias(self, alias: str, name: str) -> None:
        self._aliases[alias] = name

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self._aliases.get(cmd_name, cmd_name))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, cmd, rest = super().resolve_command(ctx, args)
        return (cmd.name if cmd is not None else name), cmd, rest


def add_group(root: AliasedGroup, group: click.Command, *aliases: str) -> None:
    """Register *group* on *root* under its name and each alias (e.g. the plural)."""
    root.add_command(group)
    assert group.name is not None
    for alias in aliases:
        root.add_alias(alias, group.name)


def emit_json(obj: Any) -> None:
    click.echo(dumps(obj))


def emit_table(rows: Iterable[dict[str, Any]], columns: list[str]) -> None:
    """Print rows as an aligned plain-text table (for humans; scripts use --json)."""
    rows = list(rows)
    if not rows:
        click.echo("(none)")
        return
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


def _flags(command: click.Command, out: dict[str, set[str]]) -> dict[str, set[str]]:
    for param in command.params:
        if isinstance(param, click.Option) and param.name:
            longest = max(param.opts, key=len)
            out.setdefault(param.name, set()).add(longest)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _flags(sub, out)
    return out


def cli_message(cli: click.Group, err: DalilError) -> str:
    """A service error worded for the command line: the message, and the option that
    gives the field it names (``… (--lat)``) when one option of the CLI does; the
    service names fields, never flags."""
    if not err.field:
        return err.message
    flags = _flags(cli, {}).get(err.field, set())
    if len(flags) != 1:
        return err.message
    flag = next(iter(flags))
    return err.message if flag in err.message else f"{err.message} ({flag})"


def run_cli(cli: click.Group, args: list[str] | None = None) -> None:
    """Run *cli*, turning dalil errors into one line on stderr and the documented exit code."""
    try:
        rv = cli.main(args=args, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        sys.exit(2)
    except click.ClickException as e:
        # Usage errors: click's own message, exit 2.
        e.show()
        sys.exit(2)
    except DalilError as e:
        click.echo(f"error: {cli_message(cli, e)}", err=True)
        sys.exit(e.exit_code)
    except CheckFailed as e:
        click.echo(f"check failed: {e}", err=True)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        click.echo("error: interrupted", err=True)
        sys.exit(130)
    except Exception as e:
        # A bug, not a user error. Its traceback could carry SQL parameters or file
        # content, so it is shown only when the user asks for it.
        if os.environ.get("DALIL_DEBUG"):
            raise
        click.echo(
            f"error: unexpected internal error ({type(e).__name__}); nothing was committed "
            "by the failed step; set DALIL_DEBUG=1 to see the traceback",
            err=True,
        )
        sys.exit(2)
    sys.exit(rv if isinstance(rv, int) else 0)


def get_or_create_group(
    root: AliasedGroup, name: str, *aliases: str, help: str | None = None
) -> AliasedGroup:
    """Return the command group *name* on *root*, creating it (with *aliases*) if absent.

    Several capabilities add subcommands to one group (``source add`` belongs to the
    case store, ``sources compare`` to source verification); each calls this.
    """
    existing = root.commands.get(name)
    if existing is not None:
        if not isinstance(existing, AliasedGroup):
            raise TypeError(f"command {name!r} is not a group")
        if help and not existing.help:
            existing.help = help
        for alias in aliases:
            root.add_alias(alias, name)
        return existing
    group = AliasedGroup(name=name, help=help)
    add_group(root, group, *aliases)
    return group
