"""Load benchmark of the workbench: N concurrent clients on loopback against a generated
fictional case; prints p50/p95 latency of list pages and API reads, requests/s and errors.

    .venv/bin/python benchmarks/web_load.py                       # 100,000 persons, 10,000 sources
    .venv/bin/python benchmarks/web_load.py --persons 10000 --sources 1000   # reduced size
    .venv/bin/python benchmarks/web_load.py --database postgresql://…/empty --workers 1,2,4

The case is generated with the service functions in bulk (``persons.add_person`` and
``records.add`` inside few large transactions, so each record is still validated and
audited). The server is ``dalil serve`` in its own process; the clients are httpx async
clients in this process (50 by default), each making requests in turn until the request
budget or the time limit is spent; with ``--client wrk`` (the default when Debian's
``wrk`` is installed) the load comes from wrk instead, 50 connections on 2 threads, which
costs the shared CPU far less than Python clients do (a Lua script rotates the URLs and
prints the percentiles). The baseline is the same load against a static file
(``/static/app.css``), measured in the same run: the ratio says how much the case data
costs on top of the HTTP stack. With wrk, each phase also prints the CPU time per
request of the server's processes and of the PostgreSQL backends serving the case (from
/proc: what a request costs the shared cores, less sensitive to the machine's load than
latency). Target: p95 < 300 ms for paginated reads, zero errors.
All generated people and sources are fictional.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

PASSPHRASE = "fictional benchmark passphrase"
ADMIN_PASSWORD = "benchmark-admin-pw"


def generate(root: Path, persons: int, sources: int, database: str | None = None) -> str:
    """Create the case (on PostgreSQL with *database*); return an admin API token."""
    os.environ.setdefault("DALIL_KDF_PROFILE", "test")
    os.environ.setdefault("DALIL_WEAK_KDF_OK", "1")  # a throw-away case
    from dalil.core.case import Case
    from dalil.services import persons as person_svc
    from dalil.services import records, users

    t0 = time.perf_counter()
    case = Case.init(root, PASSPHRASE, admin="coordinator", database=database)
    try:
        with case.act("coordinator") as ctx:
            users.update_user(ctx, "coordinator", password=ADMIN_PASSWORD)
        chunk = 5000
        for start in range(0, persons, chunk):
            with case.act("coordinator") as ctx:
                for i in range(start, min(persons, start + chunk)):
                    person_svc.add_person(
                        ctx,
                        pseudonym=f"V-{i:06d}",
                        roles=["victim"],
                        sex=("male", "female")[i % 2],
                        age=18 + i % 60,
                        **({"legal_name": f"Fictional Person {i}"} if i % 10 == 0 else {}),
                    )
        kinds = ("report", "article", "statement", "testimony", "list", "media", "official")
        for start in range(0, sources, chunk):
            with case.act("coordinator") as ctx:
                for i in range(start, min(sources, start + chunk)):
                    records.add(
                        ctx,
                        "source",
                        kind=kinds[i % len(kinds)],
                        title=f"Fictional source {i}",
                        publisher="Fictional Monitor",
                        published=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    )
        with case.act("coordinator") as ctx:
            token, _ = users.issue_token(ctx, "coordinator", label="benchmark")
    finally:
        case.close()
    print(
        f"generated {persons:,} persons and {sources:,} sources in {time.perf_counter() - t0:.1f} s"
    )
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def login(client: httpx.AsyncClient) -> None:
    r = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    assert token, "no CSRF token on /login"
    r = await client.post(
        "/login",
        data={
            "username": "coordinator",
            "password": ADMIN_PASSWORD,
            "csrf_token": token.group(1),
            "next": "/",
        },
    )
    assert r.status_code == 303, f"login failed: {r.status_code}"


async def run_load(
    base: str,
    token: str,
    urls: list[str],
    clients: int,
    budget: int,
    limit_s: float,
    use_session: bool,
) -> dict[str, object]:
    lat: dict[str, list[float]] = {u: [] for u in urls}
    errors: dict[str, int] = {}
    issued = 0
    deadline = time.perf_counter() + limit_s
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(n: int) -> None:
        nonlocal issued
        headers = {} if use_session else {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            base_url=base, limits=limits, timeout=60, headers=headers
        ) as client:
            if use_session:
                await login(client)
            i = n
            while issued < budget and time.perf_counter() < deadline:
                issued += 1
                url = urls[i % len(urls)]
                i += 1
                t = time.perf_counter()
                try:
                    r = await client.get(url)
                    ok = r.status_code == 200
                except httpx.HTTPError as e:
                    ok, r = False, None
                    errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                dt = time.perf_counter() - t
                if ok:
                    lat[url].append(dt)
                elif r is not None:
                    key = f"HTTP {r.status_code}"
                    errors[key] = errors.get(key, 0) + 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(clients)))
    wall = time.perf_counter() - t0
    done = sum(len(v) for v in lat.values())
    return {
        "lat": lat,
        "errors": errors,
        "wall": wall,
        "done": done,
        "rps": done / wall if wall else 0.0,
    }


WRK_LUA = r"""
local urls = {}
local i = 0
init = function(args) for _, u in ipairs(args) do urls[#urls + 1] = u end end
request = function()
  i = i + 1
  return wrk.format("GET", urls[(i %% #urls) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%f %%f %%f %%f %%d %%d %%d %%d %%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def run_wrk(
    base: str,
    urls: list[str],
    clients: int,
    seconds: float,
    headers: dict[str, str],
    during: Any = None,
) -> dict[str, object]:
    """One wrk run over *urls* (rotating); aggregate figures of all of them."""
    script = Path(tempfile.mkdtemp(prefix="dalil-wrk-")) / "rotate.lua"
    script.write_text(WRK_LUA.replace("%%", "%"))
    cmd = [
        "wrk",
        "-t2",
        f"-c{clients}",
        f"-d{max(1, int(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
    ]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    cmd += [base + urls[0], "--", *urls]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    seen = None
    if during is not None:  # e.g. count the connections per worker half-way through
        time.sleep(max(1, int(seconds)) / 2)
        seen = during()
    out, _ = proc.communicate()
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd, out)
    shutil.rmtree(script.parent, ignore_errors=True)
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    n, dur, p50, p95, mx, *errs = line.split()[1:]
    kinds = ("connect", "read", "write", "HTTP status >= 400", "timeout")
    errors = {k: int(v) for k, v in zip(kinds, errs, strict=True) if int(v)}
    done = int(n) - errors.get("HTTP status >= 400", 0)
    return {
        "wrk": True,
        "p50": float(p50),
        "p95": float(p95),
        "max": float(mx),
        "errors": errors,
        "wall": float(dur),
        "done": done,
        "rps": int(n) / float(dur) if float(dur) else 0.0,
        "urls": urls,
        "split": seen,
    }


def _ticks(pid: int) -> int:
    """User + system CPU clock ticks of process *pid* (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _descendants(pid: int) -> list[int]:
    """*pid* and every process below it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, ()))
    return out


def connections_per_worker(port: int, server_pid: int) -> list[int]:
    """How many established connections on *port* each web worker process holds, most
    first (Linux /proc): an uneven split means uneven latency between the clients."""
    from dalil.web.server import established_connections

    held = established_connections(port, _descendants(server_pid))
    return sorted((n for pid, n in held.items() if pid != server_pid or n), reverse=True)


def _pg_backends(root: Path) -> list[int]:
    """Process ids of the PostgreSQL backends connected to the case's database (none
    on SQLite)."""
    import tomllib

    url = tomllib.loads((root / "case.toml").read_text()).get("database", "")
    if not str(url).startswith("postgresql"):
        return []
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return [
                int(r[0])
                for r in c.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            ]
    finally:
        engine.dispose()


class CpuMeter:
    """CPU time of the server's processes and of the PostgreSQL backends serving the
    case during a phase, from /proc (Linux). The backends are those connected at the
    end of the phase (the workers' pooled connections): one that opened and closed
    within the phase is not counted, so the PostgreSQL figure is a lower bound."""

    def __init__(self, server_pid: int, root: Path) -> None:
        self.server_pid, self.root = server_pid, root
        self.hz = os.sysconf("SC_CLK_TCK")

    def start(self) -> None:
        self.web0 = {p: _ticks(p) for p in _descendants(self.server_pid)}
        self.pg0 = {p: _ticks(p) for p in _pg_backends(self.root)}

    def stop(self) -> dict[str, float]:
        web = sum(_ticks(p) - self.web0.get(p, 0) for p in _descendants(self.server_pid))
        pg = sum(_ticks(p) - self.pg0.get(p, 0) for p in _pg_backends(self.root))
        return {"web_cpu_s": web / self.hz, "pg_cpu_s": pg / self.hz}


def session_cookie(base: str) -> str:
    """Log in once (as the Python clients do) and return the session cookie header."""

    async def go() -> str:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            await login(client)
            return "; ".join(f"{k}={v}" for k, v in client.cookies.items())

    return asyncio.run(go())


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] * 1000


def report(title: str, res: dict[str, object]) -> None:
    if res.get("wrk"):
        print(
            f"\n{title} (wrk): {res['done']} ok requests in {res['wall']:.1f} s = "
            f"{res['rps']:.1f} requests/s; errors: {res['errors'] or 0}"
        )
        print(f"  urls (rotating): {', '.join(res['urls'])}")  # type: ignore[arg-type]
        print(f"  p50 {res['p50']:.1f} ms, p95 {res['p95']:.1f} ms, max {res['max']:.1f} ms")
        if res.get("split"):
            print(f"  connections per web worker half-way: {res['split']}")
        if "web_cpu_s" in res and res["done"]:
            n = float(res["done"])  # type: ignore[arg-type]
            print(
                f"  CPU per request: web workers {1000 * float(res['web_cpu_s']) / n:.2f} ms, "  # type: ignore[arg-type]
                f"PostgreSQL backends {1000 * float(res['pg_cpu_s']) / n:.2f} ms"  # type: ignore[arg-type]
            )
        return
    lat = res["lat"]
    assert isinstance(lat, dict)
    print(
        f"\n{title}: {res['done']} ok requests in {res['wall']:.1f} s = "
        f"{res['rps']:.1f} requests/s; errors: {res['errors'] or 0}"
    )
    print(f"  {'url':<42} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for url, xs in lat.items():
        print(
            f"  {url:<42} {len(xs):>5} {pct(xs, 0.5):>8.1f} {pct(xs, 0.95):>8.1f} "
            f"{(max(xs) * 1000 if xs else float('nan')):>8.1f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--sources", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=2000, help="request budget per phase")
    ap.add_argument("--max-seconds", type=float, default=120, help="time limit per phase")
    ap.add_argument("--case", type=Path, help="reuse (or keep) the generated case here")
    ap.add_argument(
        "--client",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk (less CPU; default when installed) or python",
    )
    ap.add_argument("--seconds", type=float, default=20, help="duration of a wrk phase")
    ap.add_argument(
        "--database", metavar="URL", help="create the case on this (empty) PostgreSQL database"
    )
    ap.add_argument(
        "--workers",
        default="1",
        help="comma-separated web worker counts to measure in turn (dalil serve --workers), "
        "e.g. 1,2,4",
    )
    args = ap.parse_args()
    counts = [int(x) for x in str(args.workers).split(",") if x.strip()]
    results = []
    for n in counts:
        results.append((n, measure(args, n)))
    print(f"\ncommand: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"case: {args.persons:,} persons, {args.sources:,} sources on "
        f"{'PostgreSQL' if args.database else 'SQLite'}; {args.clients} clients on loopback"
    )
    for n, (base_res, api_res, page_res, use_wrk) in results:
        print(f"\n== {n} web worker(s) ==")
        summarise(base_res, api_res, page_res, use_wrk, args)
    if args.case is None and _TMP:
        shutil.rmtree(_TMP[0], ignore_errors=True)


_TMP: list[str] = []

#: The load mix (rotated by each client; ``web_request_cost.py`` times each alone).
API_URLS = (
    "/api/v1/persons?limit=50",
    "/api/v1/persons?limit=50&offset=5000",
    "/api/v1/sources?limit=50",
    "/api/v1/persons/77",
)
PAGE_URLS = ("/persons?limit=50", "/sources?limit=50", "/persons/77")


def measure(args: argparse.Namespace, workers: int) -> tuple[Any, Any, Any, bool]:
    """Serve the case with *workers* web workers and run the three phases."""

    root = args.case
    if root is None:
        if not _TMP:
            _TMP.append(tempfile.mkdtemp(prefix="dalil-web-load-"))
        root = Path(_TMP[0]) / "case"
    token_file = root.parent / (root.name + ".token")
    env = {
        **os.environ,
        "DALIL_PASSPHRASE": PASSPHRASE,
        "DALIL_KDF_PROFILE": "test",
        "DALIL_WEAK_KDF_OK": "1",
    }
    dalil = Path(sys.executable).parent / "dalil"
    if (root / "case.toml").exists() and token_file.exists():
        token = token_file.read_text().strip()
        print(f"reusing the case at {root}")
        # a case kept from an older checkout: apply the migrations added since (no prompt)
        subprocess.run(
            [str(dalil), "upgrade", "--case", str(root)],
            env=env,
            check=True,
            stdin=subprocess.DEVNULL,
        )
    else:
        token = generate(root, args.persons, args.sources, args.database)
        token_file.write_text(token)

    port = free_port()
    server = subprocess.Popen(
        [
            str(dalil),
            "serve",
            str(root),
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--job-workers",
            "0",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit(
                "server did not start: " + server.stderr.read().decode()[:500]
                if server.stderr
                else "server did not start"
            )
        api_urls, page_urls = list(API_URLS), list(PAGE_URLS)
        use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
        if use_wrk:
            bearer = {"Authorization": f"Bearer {token}"}
            cookie = {"Cookie": session_cookie(base)}
            run_wrk(base, ["/static/app.css", *api_urls], args.clients, 3, bearer)  # warm-up
            run_wrk(base, page_urls, args.clients, 2, cookie)  # the workers' pools filled
            meter = CpuMeter(server.pid, root)

            def phase(urls: list[str], headers: dict[str, str]) -> dict[str, object]:
                meter.start()
                res = run_wrk(
                    base,
                    urls,
                    args.clients,
                    args.seconds,
                    headers,
                    lambda: connections_per_worker(port, server.pid),
                )
                res.update(meter.stop())
                return res

            base_res = phase(["/static/app.css"], bearer)
            api_res = phase(api_urls, bearer)
            page_res = phase(page_urls, cookie)
        else:
            base_res = asyncio.run(
                run_load(
                    base,
                    token,
                    ["/static/app.css"],
                    args.clients,
                    args.requests,
                    args.max_seconds,
                    False,
                )
            )
            api_res = asyncio.run(
                run_load(
                    base, token, api_urls, args.clients, args.requests, args.max_seconds, False
                )
            )
            page_res = asyncio.run(
                run_load(
                    base, token, page_urls, args.clients, args.requests, args.max_seconds, True
                )
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return base_res, api_res, page_res, bool(use_wrk)


def summarise(base_res: Any, api_res: Any, page_res: Any, use_wrk: bool, args: Any) -> None:
    report("baseline (static file)", base_res)
    report("API reads (bearer token)", api_res)
    report("pages (session cookie)", page_res)

    def p(res: dict[str, object], q: float) -> float:
        if res.get("wrk"):
            return float(res["p50" if q == 0.5 else "p95"])  # type: ignore[arg-type]
        return pct([x for v in res["lat"].values() for x in v], q)  # type: ignore[union-attr]

    b50 = p(base_res, 0.5)
    for name, res in (("API reads", api_res), ("pages", page_res)):
        if not res["rps"]:  # nothing answered in the phase: no figure, no verdict
            print(f"{name}: no request completed in the phase (lengthen --seconds)")
            continue
        met = p(res, 0.95) < 300 and not res["errors"]
        print(
            f"{name}: p50 {p(res, 0.5):.1f} ms, p95 {p(res, 0.95):.1f} ms "
            f"(target < 300 ms: {'met' if met else 'NOT met'}), "
            f"p50 ratio to baseline {p(res, 0.5) / b50:.1f}x, "
            f"{res['rps']:.1f} requests/s vs baseline {base_res['rps']:.1f}/s"
        )
    print(
        f"load generator: {'wrk' if use_wrk else 'python httpx'}; "
        f"machine load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)"
    )


if __name__ == "__main__":
    main()
