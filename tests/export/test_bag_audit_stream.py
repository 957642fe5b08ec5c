"""The bag's audit files are written by streaming the log, never loading it whole."""

from __future__ import annotations

import json
import weakref
from pathlib import Path

from sqlalchemy import event

from dalil.core import audit
from dalil.core.audit import AuditEntry
from dalil.core.case import Case
from dalil.services import evidence, export, records


def _noise(case: Case, n: int) -> None:
    """*n* entries about other objects (as a long-running case accumulates)."""
    with case.act() as ctx:
        for i in range(n):
            ctx.audit("incident.update", [f"incident:{1000 + i}"], detail={"i": i})


def test_bag_export_never_holds_the_whole_audit_log_in_memory(case: Case, tmp_path: Path) -> None:
    f = tmp_path / "fictional-report.txt"
    f.write_bytes(b"fictional report")
    with case.act() as ctx:
        src = records.add(ctx, "source", kind="report", title="Fictional report")
    evidence.add_files(case, None, [f], source_id=src.id)
    n = 4 * export.AUDIT_STREAM_BATCH
    _noise(case, n)
    with case.act() as ctx:
        ctx.audit("keys.passphrase_change", ["case:self"], detail={"key_id": "fictional"})

    alive: weakref.WeakSet[AuditEntry] = weakref.WeakSet()
    most = 0

    def on_load(target: AuditEntry, _ctx: object) -> None:
        nonlocal most
        alive.add(target)
        most = max(most, len(alive))

    event.listen(AuditEntry, "load", on_load)
    try:
        res = export.export_bag(case, None, tmp_path / "bag")
    finally:
        event.remove(AuditEntry, "load", on_load)

    with case.system_session(write=False) as s:
        total = len(audit.query(s))
    assert total > n
    # Streaming: at most two batches alive at any time (the one being written and the
    # one being fetched), far below the size of the log.
    assert 0 < most <= 2 * export.AUDIT_STREAM_BATCH + 10 < total
    meta = tmp_path / "bag" / "data" / "metadata"
    custody = json.loads((meta / "custody.json").read_text())
    related = json.loads((meta / "audit.json").read_text())
    actions = [e["action"] for e in custody]
    assert actions[0] == "evidence.add" and actions[-1] == "export.bag"
    assert res["custody_entries"] == len(custody) and res["audit_entries"] == len(related)
    # Only entries naming what the bag holds, plus case-level key changes; no noise.
    assert not any(e["action"] == "incident.update" for e in related)
    assert {"source.add", "keys.passphrase_change"} <= {e["action"] for e in related}
    assert [e["seq"] for e in related] == sorted(e["seq"] for e in related)
    assert related[-1]["action"] == "export.bag"


def test_empty_bag_audit_files_are_valid_json(case: Case, tmp_path: Path) -> None:
    export.export_bag(case, None, tmp_path / "bag")
    meta = tmp_path / "bag" / "data" / "metadata"
    assert json.loads((meta / "custody.json").read_text()) == []
    assert isinstance(json.loads((meta / "audit.json").read_text()), list)
