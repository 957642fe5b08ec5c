"""Database round trips of the workbench's list and detail pages: SQL statements and
transactions per request, and the single-request median latency, on a generated fictional
case (a few thousand persons by default).

    PYTHONPATH=src .venv/bin/python benchmarks/page_statements.py
    PYTHONPATH=src .venv/bin/python benchmarks/page_statements.py --database postgresql+psycopg://…/empty
    PYTHONPATH=src .venv/bin/python benchmarks/page_statements.py --baseline ../main-checkout/src

Statements and transactions are counted with SQLAlchemy engine events
(``before_cursor_execute``, ``begin``) around one request at a time (httpx ASGITransport,
in process, logged in as the coordinator). With ``--baseline SRC`` the same case is
measured again by a child process importing the code in *SRC* (e.g. a checkout of main),
and each page's ratio to it is printed. ``PAGE_STATEMENTS_SHOW=1`` prints every statement
(to stderr). PostgreSQL's BEGIN is implicit (not counted as a statement there). All
generated people and sources are fictional.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

PAGES = (
    "/persons?limit=50",
    "/sources?limit=50",
    "/persons/77",
    "/sources/7",
    "/incidents/1",
    "/acts/1",
)


def add_links(root: Path, database: str | None) -> None:
    """An incident with a few acts, a site and provenance links, so that the detail
    pages have something related to read (person 77 is a victim of one act)."""
    from web_load import PASSPHRASE

    from dalil.core.case import Case
    from dalil.services import records

    case = Case.open(root, PASSPHRASE)
    try:
        with case.act("coordinator") as ctx:
            inc = records.add(ctx, "incident", title="Fictional incident", date_start="2025-03-07",
                              place_name="Fictional town", fatalities_best=5)  # fmt: skip
            for v in (77, 78, 79):
                records.add(ctx, "act", incident_id=inc.id, victim_id=v, act_type="killing",
                            status="likely")  # fmt: skip
            unit = records.add(ctx, "unit", name="Fictional Brigade", kind="militia")
            records.add(ctx, "membership", person_id=80, organization_id=unit.id, rank="Fictional")
            for s in (7, 8):
                for kind, ident in (("incident", inc.id), ("person", 77)):
                    records.add(ctx, "provenance", subject_kind=kind, subject_id=ident,
                                source_id=s, role="supports", locator="p. 1")  # fmt: skip
    finally:
        case.close()


def measure(root: Path, repeats: int) -> dict[str, dict[str, float]]:
    """Statements, transactions and median latency (ms) of each page, in this process."""
    from sqlalchemy import event
    from web_load import PASSPHRASE, login

    from dalil.web import create_app
    from dalil.web.auth import LoginThrottle

    app = create_app(root, PASSPHRASE, throttle=LoginThrottle(free_attempts=1000))
    engine = app.state.case.engine
    counts = {"statements": 0, "transactions": 0}

    def on_statement(_conn: Any, _cur: Any, sql: str, *_a: Any) -> None:
        counts["statements"] += 1
        if os.environ.get("PAGE_STATEMENTS_SHOW"):
            print("  SQL", " ".join(sql.split())[:160], file=sys.stderr)

    def on_begin(*_a: Any) -> None:
        counts["transactions"] += 1

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "begin", on_begin)
    out: dict[str, dict[str, float]] = {}

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            await login(c)
            for url in PAGES:
                r = await c.get(url)  # warm: caches, prepared statements
                assert r.status_code == 200, (url, r.status_code)
                counts.update(statements=0, transactions=0)
                if os.environ.get("PAGE_STATEMENTS_SHOW"):
                    print(url, file=sys.stderr)
                r = await c.get(url)
                stmts, txs = counts["statements"], counts["transactions"]
                times = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    r = await c.get(url)
                    times.append((time.perf_counter() - t0) * 1000)
                out[url] = {"statements": stmts, "transactions": txs,
                            "median_ms": statistics.median(times)}  # fmt: skip

    try:
        asyncio.run(go())
    finally:
        app.state.case.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=3000)
    ap.add_argument("--sources", type=int, default=300)
    ap.add_argument("--database", help="an empty PostgreSQL database (default SQLite)")
    ap.add_argument("--repeats", type=int, default=15, help="timed requests per page")
    ap.add_argument("--baseline", type=Path, help="a src/ folder of the code to compare to")
    ap.add_argument("--case", type=Path, help=argparse.SUPPRESS)  # child: measure only
    args = ap.parse_args()
    os.environ.setdefault("DALIL_KDF_PROFILE", "test")
    os.environ.setdefault("DALIL_WEAK_KDF_OK", "1")
    if args.case is not None:
        print(json.dumps(measure(args.case, args.repeats)))
        return
    from web_load import generate

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "case"
        generate(root, args.persons, args.sources, args.database)
        add_links(root, args.database)
        base: dict[str, dict[str, float]] | None = None
        if args.baseline is not None:
            env = {**os.environ, "PYTHONPATH": str(args.baseline.resolve())}
            child = subprocess.run(
                [sys.executable, __file__, "--case", str(root), "--repeats", str(args.repeats)],
                env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            base = json.loads(child.stdout.strip().splitlines()[-1])
        now = measure(root, args.repeats)
    print(f"{'page':<20} {'statements':>10} {'transactions':>12} {'median ms':>10}")
    for url, m in now.items():
        line = (
            f"{url:<20} {m['statements']:>10.0f} {m['transactions']:>12.0f} {m['median_ms']:>10.1f}"
        )
        if base is not None and url in base:
            b = base[url]
            line += (
                f"   baseline {b['statements']:.0f} st / {b['transactions']:.0f} tx /"
                f" {b['median_ms']:.1f} ms; time ratio {m['median_ms'] / b['median_ms']:.2f}"
            )
        print(line)


if __name__ == "__main__":
    main()
