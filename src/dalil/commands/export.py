"""CLI commands: export (to be filled by its capability)."""

from __future__ import annotations

from dalil.cli_support import AliasedGroup


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
