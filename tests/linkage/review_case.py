"""A fictional case with a non-empty review queue, for the pair-review tests (service,
CLI, web and browser): three generated lists of 150 fictional people linked with a low
review bound, and a user per role (two analysts, so that a third reviewer exists)."""

from __future__ import annotations

from pathlib import Path

from dalil.core.case import Case
from dalil.synth.lists import generate
from dalil.testing import TEST_PASSPHRASE

REVIEWERS = {"ana": "analyst", "ivy": "investigator", "ida": "analyst", "lee": "legal",
             "vic": "viewer"}  # fmt: skip


def password(name: str) -> str:
    return f"pw-{name}-fictional-review"


def build(root: Path, *, database: str | None = None) -> Case:
    """Create the case at *root* (open; the caller closes it)."""
    from dalil.services import lists, users

    case = Case.init(root, TEST_PASSPHRASE, admin="coord", database=database)
    with case.act("coord") as ctx:
        users.update_user(ctx, "coord", password=password("coord"))
        for name, role in REVIEWERS.items():
            users.add_user(ctx, name, role, password(name))
    folder = root.parent / (root.name + "-lists")
    generate(150, 3, seed=21, out_dir=folder)
    for i, name in enumerate(("committee", "network", "hospital"), start=1):
        lists.import_list(case, "coord", folder / f"list_{i}.csv", list_name=name)
    with case.act("coord") as ctx:
        lists.link(ctx, review_low=0.05)
    return case
