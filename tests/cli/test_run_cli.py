"""The CLI's last line of defence: errors reach the user as one line and an exit code."""

from __future__ import annotations

import click
import pytest

from dalil.cli.support import AliasedGroup, run_cli
from dalil.errors import CheckFailed, InputError

SECRET = "Fictional Secret Name"


@click.group(cls=AliasedGroup)
def demo_cli() -> None:
    """A throwaway CLI for these tests."""


@demo_cli.command()
def bug() -> None:
    raise RuntimeError(f"leaked {SECRET} in a message")


@demo_cli.command()
def bad() -> None:
    raise InputError("invalid date '2025-02-31' in --date")


@demo_cli.command()
def check() -> None:
    raise CheckFailed("entry 3: hash does not match its contents (modified)")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        run_cli(demo_cli, args)
    return int(exc.value.code or 0), capsys.readouterr().err


def test_unexpected_exception_prints_one_line_without_its_message(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DALIL_DEBUG", raising=False)
    code, err = run(["bug"], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "RuntimeError" in err
    assert SECRET not in err and "Traceback" not in err


def test_debug_variable_shows_the_real_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DALIL_DEBUG", "1")
    with pytest.raises(RuntimeError):
        run_cli(demo_cli, ["bug"])


def test_input_error_exits_2_and_check_failure_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["bad"], capsys)
    assert code == 2 and err == "error: invalid date '2025-02-31' in --date\n"
    code, err = run(["check"], capsys)
    assert code == 1 and err.startswith("check failed: entry 3")


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["no-such-command"], capsys)
    assert code == 2 and "No such command" in err
