"""A case as a whole: open it, its title and summary (kept in case.toml; used by reports
as defaults)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from dalil.core import access
from dalil.core.case import CASE_FILE, Case, check_summary, check_title
from dalil.core.context import Context, oid


def open_case(path: Path | str | None, passphrase: str | None) -> Case:
    """Open (and, with a passphrase, unlock) the case at *path* (``$DALIL_CASE`` or the
    current folder when None). The caller closes it (``case.close()``)."""
    return Case.open(path, passphrase)


def show(ctx: Context) -> dict[str, Any]:
    ctx.require(access.CASE_READ, "read the case description")
    return ctx.case.describe()


def update(ctx: Context, *, title: str | None = None, summary: str | None = None) -> dict[str, Any]:
    """Change the title and/or summary; logged as ``case.update`` (the new title in the
    entry's detail, the summary as its SHA-256). case.toml is rewritten atomically after
    the audit entry is flushed; if that write fails, the transaction rolls back."""
    ctx.require(access.RECORD_WRITE, "change the case title or summary")
    cfg = ctx.case.config
    new_title = check_title(title) if title is not None else cfg.title
    new_summary = check_summary(summary) if summary is not None else cfg.summary
    changed = [
        name
        for name, old, new in (
            ("title", cfg.title, new_title),
            ("summary", cfg.summary, new_summary),
        )
        if old != new
    ]
    if changed:
        detail: dict[str, Any] = {"fields": changed}
        if "title" in changed:
            detail["title"] = new_title
        if "summary" in changed:
            detail["summary_sha256"] = hashlib.sha256(new_summary.encode("utf-8")).hexdigest()
        ctx.audit(
            "case.update",
            [oid("case", "self")],
            change={"title": new_title, "summary": new_summary},
            detail=detail,
        )
        ctx.session.flush()
        from dataclasses import replace

        new_cfg = replace(cfg, title=new_title, summary=new_summary)
        new_cfg.save(ctx.case.root / CASE_FILE)
        ctx.case.config = new_cfg
    return {**ctx.case.describe(), "changed": changed}


def create_case(
    directory: Path | str,
    passphrase: str,
    *,
    admin: str,
    database: str | None = None,
    title: str | None = None,
    summary: str | None = None,
) -> Case:
    """Create a new case in *directory* (absent or empty), *admin* its first user (audited
    ``case.init`` and ``user.add``). The caller closes it."""
    return Case.init(
        directory, passphrase, admin=admin, database=database, title=title, summary=summary
    )


def upgrade_case(case: Case) -> dict[str, list[str]]:
    """Apply every migration to *case*'s database (re-indexing protected data now when the
    case is unlocked, else on first use). Returns the heads before and after and the
    migration chain's heads."""
    from dalil.store.migrate import current_heads, script_heads, upgrade

    before = sorted(current_heads(case.engine))
    upgrade(case.engine, keys=case.keys if case.unlocked else None)
    after = sorted(current_heads(case.engine))
    return {"before": before, "after": after, "heads": sorted(script_heads())}


def refresh_statistics(case: Case) -> list[str]:
    """PostgreSQL: analyse the tables whose planner statistics are missing or stale (see
    :func:`dalil.store.engine.analyze_stale`; ``dalil serve`` does it once at start).
    Returns their names; changes no record, so nothing is logged."""
    from dalil.store.engine import analyze_stale

    return analyze_stale(case.engine)
