"""The ``dalil`` command line: thin click adapters over the service layer.

One module per noun (``dalil.cli.persons``, ``dalil.cli.lists`` …), each exposing
``register(cli)``; :mod:`dalil.cli.app` assembles them in one place. Shared helpers:
:mod:`dalil.cli.support` (JSON/table output, groups, exit codes) and
:mod:`dalil.cli.caseopts` (``--case``, ``--user``, ``--passphrase-file``).
"""

from __future__ import annotations


def main() -> None:
    """Console-script entry point (``dalil = "dalil.cli:main"``)."""
    from dalil.cli.app import main as run

    run()
