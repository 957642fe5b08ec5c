"""What each URL of the web load mix costs by itself: SQL statements, transactions and the
latency of single requests (median and 95th percentile), against a static file served by
the same app in the same run, on a case kept by ``benchmarks/web_load.py --case DIR``.

    PYTHONPATH=src .venv/bin/python benchmarks/web_load.py --case /tmp/c/case \\
        --persons 100000 --sources 10000 --database postgresql+psycopg://…/empty --workers 1
    PYTHONPATH=src .venv/bin/python benchmarks/web_request_cost.py --case /tmp/c/case
    PYTHONPATH=src .venv/bin/python benchmarks/web_request_cost.py --case /tmp/c/case \\
        --baseline ../main-checkout/src     # the same URLs with other code, same case
        [--baseline-case /tmp/c-copy/case]  # its copy at the older schema, if migrated since

The app runs in this process (httpx ASGITransport, one request at a time, no network):
the figures are the cost of a request inside the server, which is what a loaded worker
multiplies; ``web_load.py`` measures the whole under 50 clients. The API URLs are read
with the case's bearer token (``DIR.token``), the pages with a logged-in session, as
``web_load.py`` does; besides its mix (marked ``*``), a few reads known to grow with the
case (a filter by role, a search, a deep page). Statements and transactions are counted
with SQLAlchemy engine events (``before_cursor_execute``, ``begin``; PostgreSQL's BEGIN
is implicit, not counted as a statement). ``WEB_COST_SHOW=1`` prints every statement of
the counted request (to stderr). With ``--baseline SRC`` a child process importing the
code in *SRC* measures the same URLs first, and the ratio of medians is printed.
All people and sources of the case are fictional.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

STATIC = "/static/app.css"
#: Reads outside web_load.py's mix that grow with the case.
EXTRA_API = (
    "/api/v1/persons?limit=50&role=witness",
    "/api/v1/search?q=V-012345",
)
EXTRA_PAGES = (
    "/persons?limit=50&role=victim",
    "/persons?limit=50&role=witness",
    "/persons?limit=50&sex=female",
    "/search?q=V-012345",
    "/sources?limit=50&offset=5000",
)


def measure(root: Path, repeats: int) -> dict[str, dict[str, float]]:
    """Statements, transactions, median and p95 latency (ms) of each URL, in process."""
    from sqlalchemy import event
    from web_load import API_URLS, PAGE_URLS, PASSPHRASE, login

    from dalil.web import create_app
    from dalil.web.auth import LoginThrottle

    token = (root.parent / (root.name + ".token")).read_text().strip()
    app = create_app(root, PASSPHRASE, throttle=LoginThrottle(free_attempts=1000))
    engine = app.state.case.engine
    counts = {"statements": 0, "transactions": 0}
    show = bool(os.environ.get("WEB_COST_SHOW"))

    def on_statement(_conn: Any, _cur: Any, sql: str, *_a: Any) -> None:
        counts["statements"] += 1
        if show:
            print("  SQL", " ".join(sql.split())[:200], file=sys.stderr)

    def on_begin(*_a: Any) -> None:
        counts["transactions"] += 1

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "begin", on_begin)
    out: dict[str, dict[str, float]] = {}
    bearer = {"Authorization": f"Bearer {token}"}

    async def one(c: httpx.AsyncClient, url: str, key: str, headers: dict[str, str]) -> None:
        r = await c.get(url, headers=headers)  # warm: caches, prepared statements
        assert r.status_code == 200, (url, r.status_code, r.text[:200])
        counts.update(statements=0, transactions=0)
        if show:
            print(key, file=sys.stderr)
        await c.get(url, headers=headers)
        stmts, txs = counts["statements"], counts["transactions"]
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            await c.get(url, headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        out[key] = {
            "statements": stmts,
            "transactions": txs,
            "median_ms": statistics.median(times),
            "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        }

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as api,
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as web,
        ):
            await login(web)
            await one(api, STATIC, f"  {STATIC}", {})
            for url in (*API_URLS, *EXTRA_API):
                await one(api, url, ("* " if url in API_URLS else "  ") + url, bearer)
            for url in (*PAGE_URLS, *EXTRA_PAGES):
                await one(web, url, ("* " if url in PAGE_URLS else "  ") + url, {})

    try:
        asyncio.run(go())
    finally:
        app.state.case.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--case", type=Path, required=True, help="a case kept by web_load.py")
    ap.add_argument("--repeats", type=int, default=21, help="timed requests per URL")
    ap.add_argument("--baseline", type=Path, help="a src/ folder of the code to compare to")
    ap.add_argument(
        "--baseline-case",
        type=Path,
        help="the case the baseline code reads (default --case): a copy at the schema that "
        "code knows, when this code has added a migration",
    )
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # child output
    args = ap.parse_args()
    os.environ.setdefault("DALIL_KDF_PROFILE", "test")
    os.environ.setdefault("DALIL_WEAK_KDF_OK", "1")
    if args.json:
        print(json.dumps(measure(args.case, args.repeats)))
        return
    base: dict[str, dict[str, float]] | None = None
    load0 = os.getloadavg()[0]
    if args.baseline is not None:
        env = {**os.environ, "PYTHONPATH": str(args.baseline.resolve())}
        child = subprocess.run(
            [sys.executable, __file__, "--case", str(args.baseline_case or args.case), "--repeats",
             str(args.repeats), "--json"],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        base = json.loads(child.stdout.strip().splitlines()[-1])
    now = measure(args.case, args.repeats)
    static = now[f"  {STATIC}"]["median_ms"]
    print(f"\ncommand: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"one request at a time, in process; {args.repeats} timed requests per URL; "
        f"* = web_load.py's mix; x static = median / the static file's median"
    )
    head = f"{'url':<44} {'stmts':>5} {'txs':>4} {'p50 ms':>8} {'p95 ms':>8} {'x static':>8}"
    print(head + ("   baseline: stmts/txs/p50 ms, ratio of p50" if base else ""))
    for url, m in now.items():
        line = (
            f"{url:<44} {m['statements']:>5.0f} {m['transactions']:>4.0f} "
            f"{m['median_ms']:>8.1f} {m['p95_ms']:>8.1f} {m['median_ms'] / static:>8.1f}"
        )
        if base is not None and url in base:
            b = base[url]
            line += (
                f"   {b['statements']:.0f}/{b['transactions']:.0f}/{b['median_ms']:.1f}"
                f"  {m['median_ms'] / b['median_ms']:.2f}"
            )
        print(line)
    load = os.getloadavg()
    print(f"machine load: {load0:.2f} at start, {load[0]:.2f} {load[1]:.2f} at end (1, 5 min)")


if __name__ == "__main__":
    main()
