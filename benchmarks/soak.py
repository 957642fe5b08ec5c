"""Soak test of a team server: mixed reads and writes from many clients while one web
worker is killed with SIGKILL and started again by the supervisor.

    python benchmarks/soak.py --database postgresql://…/empty --minutes 10 --clients 20

Starts ``dalil serve --workers 2 --job-workers 1`` over a generated fictional case (with
``--evidence`` files of random bytes in its vault, so that fixity has blobs to check),
runs ``--clients`` async clients for ``--minutes`` (each loop: three reads — a persons
page, a sources page, one person — and one write, a new source with a unique title, over
the API with a bearer token), kills web worker 0 with SIGKILL half-way through, and
records every response. Printed afterwards:

* requests and writes per second, p50/p95 latency of reads and writes;
* writes acknowledged (201) against writes stored (sources with this run's titles in the
  database): every acknowledged write must be stored; a write whose answer was lost
  with the killed worker may be stored without an acknowledgement (counted apart);
* server errors (5xx, dropped connections) of requests in flight during the kill window
  (from the kill until the new worker runs, plus 2 s) and of all others — the target for
  the others is 0;
* ``dalil audit verify`` and ``dalil fixity`` after the run (exit codes and summaries).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_load import PASSPHRASE, free_port, generate


def children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(d.name))
    return sorted(out)


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


async def client_loop(
    n: int, base: str, token: str, run_id: str, end: float, log: list[tuple[float, str, int, float]]
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    reads = ["/api/v1/persons?limit=50", "/api/v1/sources?limit=50", "/api/v1/persons/7"]
    i = 0
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as c:
        while time.monotonic() < end:
            for url in reads:
                t = time.monotonic()
                try:
                    r = await c.get(url)
                    code = r.status_code
                except httpx.HTTPError:
                    code = -1
                log.append((t, "read", code, time.monotonic() - t))
            t = time.monotonic()
            title = f"soak-{run_id}-{n}-{i}"
            try:
                r = await c.post("/api/v1/sources", json={"title": title, "kind": "report"})
                code = r.status_code
            except httpx.HTTPError:
                code = -1
            log.append((t, "write:" + title, code, time.monotonic() - t))
            i += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database", metavar="URL", help="an empty PostgreSQL database")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--persons", type=int, default=5000)
    ap.add_argument("--evidence", type=int, default=20, help="evidence files (1 MB each)")
    args = ap.parse_args()
    os.environ.setdefault("DALIL_KDF_PROFILE", "test")
    os.environ.setdefault("DALIL_WEAK_KDF_OK", "1")  # a throw-away case
    tmp = Path(tempfile.mkdtemp(prefix="dalil-soak-"))
    root = tmp / "case"
    token = generate(root, args.persons, 500, args.database)
    if args.evidence:
        from dalil.core.case import Case
        from dalil.services import evidence

        case = Case.open(root, PASSPHRASE)
        try:
            files = []
            for i in range(args.evidence):
                f = tmp / f"evidence-{i}.bin"
                f.write_bytes(os.urandom(1 << 20))
                files.append(f)
            evidence.add_files(case, "coordinator", files, ocr=False)
        finally:
            case.close()
        for f in files:
            f.unlink()
    port = free_port()
    env = {**os.environ, "DALIL_PASSPHRASE": PASSPHRASE}
    # the server's messages go to a file: a pipe nobody reads would block the server
    # once 64 KB of tracebacks filled it
    serve_log = (tmp / "serve.log").open("wb")
    sup = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dalil.cli",
            "serve",
            str(root),
            "--port",
            str(port),
            "--workers",
            "2",
            "--job-workers",
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=serve_log,
    )
    base = f"http://127.0.0.1:{port}"
    run_id = secrets.token_hex(4)
    log: list[tuple[float, str, int, float]] = []
    kill_at = kill_end = 0.0
    try:
        for _ in range(600):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        start = time.monotonic()
        end = start + args.minutes * 60

        async def run() -> None:
            nonlocal kill_at, kill_end
            tasks = [
                asyncio.create_task(client_loop(n, base, token, run_id, end, log))
                for n in range(args.clients)
            ]
            await asyncio.sleep(args.minutes * 30)
            before = children(sup.pid)
            victim = before[0]  # web worker 0 (forked first)
            kill_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            while True:
                now = children(sup.pid)
                if victim not in now and len(now) == len(before):
                    break
                await asyncio.sleep(0.1)
            kill_end = time.monotonic() + 2.0
            print(
                f"killed web worker pid {victim} at {kill_at - start:.0f} s; replaced after "
                f"{kill_end - 2.0 - kill_at:.1f} s"
            )
            await asyncio.gather(*tasks)

        asyncio.run(run())
        elapsed = time.monotonic() - start
    finally:
        sup.send_signal(signal.SIGTERM)
        sup.wait(60)
        serve_log.close()
    from sqlalchemy import text

    from dalil.core.case import Case

    case = Case.open(root, PASSPHRASE)
    with case.engine.connect() as conn:
        stored = set(
            conn.execute(
                text("SELECT title FROM sources WHERE title LIKE :p"), {"p": f"soak-{run_id}-%"}
            ).scalars()
        )
    case.close()
    acked = {
        k.removeprefix("write:") for _, k, code, _ in log if k.startswith("write:") and code == 201
    }
    reads = [d for _, k, code, d in log if k == "read" and code == 200]
    writes = [d for _, k, code, d in log if k.startswith("write:") and code == 201]

    def bad(code: int) -> bool:
        return code == -1 or code >= 500

    def in_window(x: tuple[float, str, int, float]) -> bool:
        # in flight at any moment of the window: started before its end, ended after its start
        return x[0] <= kill_end and x[0] + x[3] >= kill_at

    inside = [x for x in log if bad(x[2]) and in_window(x)]
    outside = [x for x in log if bad(x[2]) and not in_window(x)]
    other = [x for x in log if not bad(x[2]) and x[2] not in (200, 201)]
    verify = subprocess.run(
        [sys.executable, "-m", "dalil.cli", "audit", "verify", "--case", str(root)],
        env=env,
        capture_output=True,
        text=True,
    )
    fixity = subprocess.run(
        [sys.executable, "-m", "dalil.cli", "fixity", "--case", str(root)],
        env=env,
        capture_output=True,
        text=True,
    )
    print(f"\ncommand: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"{args.clients} clients, {elapsed:.0f} s, {'PostgreSQL' if args.database else 'SQLite'}, "
        f"serve --workers 2 --job-workers 1; load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"requests: {len(log):,} ({len(log) / elapsed:.1f}/s); writes acknowledged {len(acked):,}"
    )
    print(f"reads p50 {pct(reads, 0.5) * 1000:.0f} ms, p95 {pct(reads, 0.95) * 1000:.0f} ms")
    print(f"writes p50 {pct(writes, 0.5) * 1000:.0f} ms, p95 {pct(writes, 0.95) * 1000:.0f} ms")
    print(
        f"writes stored {len(stored):,}; acknowledged but not stored {len(acked - stored)} "
        f"(target 0); stored without acknowledgement {len(stored - acked)} (answers lost "
        "with the killed worker)"
    )
    print(
        f"server errors inside the kill window ({kill_end - kill_at:.1f} s): {len(inside)}; "
        f"outside it: {len(outside)} (target 0); other non-2xx answers: {len(other)}"
    )
    print(f"audit verify: exit {verify.returncode}: {verify.stdout.strip().splitlines()[:1]}")
    print(f"fixity: exit {fixity.returncode}: {fixity.stdout.strip().splitlines()[:1]}")
    messages = (tmp / "serve.log").read_text(errors="replace").splitlines()
    tracebacks = sum(line.startswith("Traceback") for line in messages)
    print(f"server messages: {len(messages)} lines, {tracebacks} tracebacks")
    for line in messages[-15:]:
        print("  | " + line)
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
