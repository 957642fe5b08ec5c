"""CLI plumbing for commands that work on a case: ``--case``, ``--user``,
``--passphrase-file`` and the passphrase rules.

    from dalil.cli.caseopts import CaseOptions, case_options

    @group.command("add")
    @case_options
    @json_option
    def add(case_opts: CaseOptions, as_json: bool) -> None:
        with case_opts.act() as ctx:          # opens + unlocks the case, acts as the user
            row = my_service.add_thing(ctx, …)
        emit_json(row.to_dict()) if as_json else click.echo(…)

Case: ``--case DIR``, else ``$DALIL_CASE``, else the current folder.
User: ``--user NAME``, else ``$DALIL_USER``, else the case's admin.
Passphrase: ``--passphrase-file F``, else ``$DALIL_PASSPHRASE``, else a hidden prompt
when stdin is a terminal; otherwise exit 2 "no passphrase: …".
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from dalil.errors import InputError

if TYPE_CHECKING:
    from dalil.services.kernel import Case, Context

F = TypeVar("F", bound=Callable[..., Any])

NO_PASSPHRASE = (
    "no passphrase: use --passphrase-file FILE, set DALIL_PASSPHRASE, or run in a terminal"
)


def read_secret_file(path: str | os.PathLike[str], what: str = "passphrase") -> str:
    """Read a passphrase/password file: UTF-8, one trailing newline dropped."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {what} file {p}: {e.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{what} file {p} is not UTF-8 text") from None
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    if not text:
        raise InputError(f"{what} file {p} is empty")
    return text


def resolve_passphrase(
    passphrase_file: str | None, *, prompt: str = "Passphrase", confirm: bool = False
) -> str:
    if passphrase_file:
        return read_secret_file(passphrase_file)
    env = os.environ.get("DALIL_PASSPHRASE")
    if env:
        return env
    if sys.stdin is not None and sys.stdin.isatty():
        value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
        return value
    raise InputError(NO_PASSPHRASE)


@dataclass
class CaseOptions:
    case_dir: str | None
    user: str | None
    passphrase_file: str | None

    def passphrase(self) -> str:
        return resolve_passphrase(self.passphrase_file)

    def open(self, *, unlock: bool = True, check_schema: bool = True) -> Case:
        """Open the case (unlocked unless *unlock* is False). Close it when done."""
        from dalil.services.kernel import Case, find_case_dir

        root = find_case_dir(self.case_dir)
        from dalil.services.kernel import CASE_FILE

        if not (root / CASE_FILE).exists():
            raise InputError(
                f"no case at {root} (no {CASE_FILE}): use --case DIR, set DALIL_CASE, "
                "or run dalil init"
            )
        return Case.open(root, self.passphrase() if unlock else None, check_schema=check_schema)

    @contextmanager
    def act(self, *, write: bool = True, unlock: bool = True) -> Iterator[Context]:
        """Open the case and one transaction acting as the chosen user."""
        case = self.open(unlock=unlock)
        try:
            with case.act(self.user, write=write) as ctx:
                yield ctx
        finally:
            case.close()


#: The options of :func:`case_options`, for a command that takes some of them itself.
passphrase_file_option = click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False),
    help="File holding the case passphrase (else $DALIL_PASSPHRASE or a prompt).",
)
user_option = click.option(
    "--user",
    "user",
    metavar="NAME",
    help="Act as this user (else $DALIL_USER, else the case admin).",
)
case_dir_option = click.option(
    "--case",
    "case_dir",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="The case folder (else $DALIL_CASE, else the current folder).",
)


def case_options(f: F) -> F:
    """Add ``--case``, ``--user`` and ``--passphrase-file``; pass ``case_opts``."""

    @passphrase_file_option
    @user_option
    @case_dir_option
    @functools.wraps(f)
    def wrapper(
        *args: Any,
        case_dir: str | None,
        user: str | None,
        passphrase_file: str | None,
        **kwargs: Any,
    ) -> Any:
        opts = CaseOptions(case_dir=case_dir, user=user, passphrase_file=passphrase_file)
        return f(*args, case_opts=opts, **kwargs)

    return wrapper  # type: ignore[return-value]
