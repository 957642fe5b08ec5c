"""The ``dalil`` command line: thin wrappers over the service layer.

Each capability registers its commands from its own module under
:mod:`dalil.cli`; this file only assembles them.
"""

from __future__ import annotations

import importlib

import click

from dalil import __version__
from dalil.cli.support import AliasedGroup, run_cli

# Modules under dalil.cli, each exposing ``register(cli: AliasedGroup) -> None``.
COMMAND_MODULES = [
    "case",
    "persons",
    "records",
    "evidence",
    "retract",
    "users",
    "audit",
    "export",
    "sources",
    "link",
    "lists",
    "review",
    "estimate",
    "assessments",
    "coding",
    "sites",
    "corroboration",
    "vetting",
    "report",
    "serve",
    "synth",
    "demo",
    "search",
    "ocr",
    "media",
    "jobs",
    "keys",
    "backup",
    "capture",
]


@click.group(cls=AliasedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dalil")
def cli() -> None:
    """dalil — investigate mass killings of civilians: keep evidence verifiable,
    protect witnesses, compare reports, link victim lists, estimate totals and
    assess each killing.

    Exit codes: 0 ok, 1 a check failed (fixity, audit verify), 2 usage or input error.
    """


for _name in COMMAND_MODULES:
    _mod = importlib.import_module(f"dalil.cli.{_name}")
    _mod.register(cli)


def main() -> None:
    run_cli(cli)


if __name__ == "__main__":
    main()
