"""Helpers for tests (dalil's own and other capabilities'): run the CLI in-process.

from dalil.testing import DalilRunner
dalil = DalilRunner({"DALIL_CASE": str(case.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
r = dalil("person", "show", "42")       # click Result: exit_code, stdout, stderr
data = dalil.json("person", "list")      # appends --json, asserts exit 0, parses
"""

from __future__ import annotations

import json
from typing import Any

import click
from click.testing import CliRunner, Result

#: The passphrase of every case the test fixtures create (fictional).
TEST_PASSPHRASE = "fictional test passphrase 7"


class DalilRunner:
    """Invoke ``dalil`` in-process like the console script (exit 2 on DalilError)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(
        self, *args: Any, input: str | bytes | None = None, env: dict[str, str] | None = None
    ) -> Result:
        from dalil.cli.app import cli
        from dalil.cli.support import run_cli

        class _Entry(click.Command):
            def main(self, args: Any = None, prog_name: Any = None, **extra: Any) -> Any:  # type: ignore[override]
                run_cli(cli, list(args or ()))

        runner = CliRunner()
        merged = {**self.env, **(env or {})}
        return runner.invoke(
            _Entry("dalil"), [str(a) for a in args], input=input, env=merged, catch_exceptions=False
        )

    def json(self, *args: Any, **kw: Any) -> Any:
        """Run with ``--json`` appended; assert exit 0; return the parsed output."""
        r = self(*args, "--json", **kw)
        assert r.exit_code == 0, f"dalil {' '.join(map(str, args))} failed: {r.stderr}{r.stdout}"
        return json.loads(r.stdout)


#: Users of :func:`build_review_case` (name -> role): two analysts, so that a third
#: reviewer exists for a blind double review's disagreement.
REVIEWERS = {"ana": "analyst", "ivy": "investigator", "ida": "analyst", "lee": "legal",
             "vic": "viewer"}  # fmt: skip


def reviewer_password(name: str) -> str:
    return f"pw-{name}-fictional-review"


def build_review_case(root: Any, *, database: str | None = None) -> Any:
    """A fictional case whose review queue is not empty, for the pair-review tests
    (services, CLI, web, browser): three generated lists of 150 fictional people linked
    with a wide review band (0.05 to 0.99), an admin ``coord`` and :data:`REVIEWERS`. Returns
    the open case (the caller closes it)."""
    from pathlib import Path

    from dalil.core.case import Case
    from dalil.services import lists, users
    from dalil.synth.lists import generate

    root = Path(root)
    case = Case.init(root, TEST_PASSPHRASE, admin="coord", database=database)
    with case.act("coord") as ctx:
        users.update_user(ctx, "coord", password=reviewer_password("coord"))
        for name, role in REVIEWERS.items():
            users.add_user(ctx, name, role, reviewer_password(name))
    folder = root.parent / (root.name + "-lists")
    generate(150, 3, seed=21, out_dir=folder)
    for i, name in enumerate(("committee", "network", "hospital"), start=1):
        lists.import_list(case, "coord", folder / f"list_{i}.csv", list_name=name)
    with case.act("coord") as ctx:
        # a wide review band (0.05 up to 0.99): the model is sure of most pairs of
        # these small lists, and the review tests need several pairs to decide
        lists.link(ctx, review_low=0.05, threshold=0.99)
    return case


def run_job(case: Any, job_id: int, timeout: float = 180.0) -> str:
    """Run queued jobs in this process until job *job_id* has finished; its state.

    A worker takes the oldest queued job first, and reading a page may queue one of its
    own (``/estimates`` queues the ``histories`` job), so a test that runs "one job" may
    run another; this runs jobs until the one asked for is done (tests only)."""
    import time

    from dalil.model.job import FINISHED_STATES
    from dalil.services import jobs

    worker = jobs.Worker(case, poll_seconds=0.1)
    end = time.monotonic() + timeout
    while True:
        state = jobs.wait(case, job_id, timeout=0)
        if state in FINISHED_STATES or time.monotonic() >= end:
            return state
        if not worker.run_once():
            return jobs.wait(case, job_id, timeout=max(0.0, end - time.monotonic()))
