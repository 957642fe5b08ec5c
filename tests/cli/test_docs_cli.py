"""docs/cli.md is generated from --help and must be current and complete."""

from __future__ import annotations

from pathlib import Path

from dalil.docs_cli import render, undocumented

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_every_command_and_option_has_help_text() -> None:
    missing = undocumented()
    assert missing == [], "undocumented commands/options:\n" + "\n".join(missing)


def test_docs_cli_md_is_current_run_make_docs() -> None:
    assert DOC.exists(), "docs/cli.md missing: run `make docs`"
    assert DOC.read_text(encoding="utf-8") == render(), "docs/cli.md is stale: run `make docs`"


def test_cli_md_lists_foundation_commands() -> None:
    text = render()
    for cmd in (
        "dalil init",
        "dalil person add",
        "dalil evidence get",
        "dalil fixity",
        "dalil audit verify",
        "dalil export bag",
        "dalil user token",
    ):
        assert f"## {cmd}\n" in text
