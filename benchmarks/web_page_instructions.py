"""Instructions a web worker executes per request of the web load mix's list pages, counted
by valgrind (callgrind), against a baseline src tree in the same run: a measure of
what a page costs the CPU that does not move with the machine's load, unlike CPU time
(the same code measured 6.5–9.0 ms of CPU per page in process on a loaded machine).

    PYTHONPATH=src .venv/bin/python benchmarks/web_page_instructions.py --case /tmp/c/case
    PYTHONPATH=src .venv/bin/python benchmarks/web_page_instructions.py --case /tmp/c/case \\
        --baseline ../before/src            # the same requests with other code, same case

The case is one kept by ``benchmarks/web_load.py --case DIR``. The app runs in a child
process under ``valgrind --tool=callgrind``, driven through its ASGI interface (no HTTP
client, no network: the web server's own parsing is left out, and is the same for any
code); it logs in, reads each URL three times (caches, prepared statements), then
reads the URLs in turn ``--rounds`` times. Only those reads are counted: the child
calls ``os.getppid()`` just before them (callgrind ``--zero-before=getppid``) and
``os.getpgrp()`` just after (``--dump-before=getpgrp``). Every thread of the process is
counted (the views run in the thread pool); the PostgreSQL server's work is not (it is
another process; the child prints the statements per page). Under valgrind a request
takes some 50 times as long: with the default 10 rounds, a run takes a few minutes.
The count of one code varies by about 1 % between runs. All people and sources of the
case are fictional.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))


def child(root: Path, rounds: int, urls: list[str]) -> None:
    """Run in the process valgrind counts: log in, warm up, then the counted reads."""
    os.environ.setdefault("DALIL_KDF_PROFILE", "test")
    os.environ.setdefault("DALIL_WEAK_KDF_OK", "1")
    from sqlalchemy import event
    from web_load import ADMIN_PASSWORD, PASSPHRASE

    from dalil.web import create_app
    from dalil.web.auth import LoginThrottle

    app = create_app(root, PASSPHRASE, throttle=LoginThrottle(free_attempts=1000))
    statements = [0]

    def count(*_a: Any) -> None:
        statements[0] += 1

    async def call(method: str, url: str, headers: list[tuple[str, str]], body: bytes = b"") -> Any:
        path, _, query = url.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1")] + [(k.encode(), v.encode()) for k, v in headers],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
            "state": {},
        }
        sent = False
        out: dict[str, Any] = {"status": None, "headers": [], "body": b""}

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)  # the client never goes away
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                out["status"], out["headers"] = message["status"], message["headers"]
            elif message["type"] == "http.response.body":
                out["body"] += message.get("body", b"")

        await app(scope, receive, send)
        return out

    def cookies(response: Any) -> str:
        return "; ".join(
            v.decode().split(";")[0] for k, v in response["headers"] if k == b"set-cookie"
        )

    async def main() -> None:
        async with app.router.lifespan_context(app):
            r = await call("GET", "/login", [])
            jar = cookies(r)
            token = re.search(rb'name="csrf_token" value="([^"]+)"', r["body"])
            assert token, "no CSRF token on /login"
            form = {
                "username": "coordinator",
                "password": ADMIN_PASSWORD,
                "csrf_token": token.group(1).decode(),
                "next": "/",
            }
            kind = ("content-type", "application/x-www-form-urlencoded")
            r = await call("POST", "/login", [("cookie", jar), kind], urlencode(form).encode())
            assert r["status"] == 303, f"login failed: {r['status']}"
            headers = [("cookie", cookies(r) or jar)]
            for _ in range(3):
                for url in urls:
                    r = await call("GET", url, headers)
                    assert r["status"] == 200, (url, r["status"])
            event.listen(app.state.case.engine, "before_cursor_execute", count)
            os.getppid()  # callgrind: zero the counts here
            for _ in range(rounds):
                for url in urls:
                    await call("GET", url, headers)
            os.getpgrp()  # callgrind: dump the counts here
            event.remove(app.state.case.engine, "before_cursor_execute", count)

    try:
        asyncio.run(main())
    finally:
        app.state.case.close()
    print(json.dumps({"statements": statements[0] / (rounds * len(urls))}))


def measure(src: Path, root: Path, rounds: int, urls: list[str]) -> dict[str, float]:
    """Instructions and statements per request of the code in *src* (a child process)."""
    with tempfile.TemporaryDirectory(prefix="dalil-callgrind-") as tmp:
        out = Path(tmp) / "cg.%p"
        cmd = [
            "valgrind",
            "--tool=callgrind",
            "--zero-before=getppid",
            "--dump-before=getpgrp",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--child",
            "--case",
            str(root),
            "--rounds",
            str(rounds),
            "--urls",
            ",".join(urls),
        ]
        env = {**os.environ, "PYTHONPATH": str(src.resolve())}
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"the child failed:\n{done.stderr[-2000:]}")
        dumps = list(Path(tmp).glob("cg.*.1"))  # part 1: the dump before getpgrp()
        if len(dumps) != 1:
            raise SystemExit(f"expected one callgrind dump, found {dumps}")
        totals = re.search(r"^totals:\s*(\d+)", dumps[0].read_text(), re.M)
        assert totals, "no totals in the callgrind dump"
        child_out = json.loads(done.stdout.strip().splitlines()[-1])
        pages = rounds * len(urls)
        return {"instructions": int(totals.group(1)) / pages, **child_out}


def main() -> None:
    from web_load import PAGE_URLS

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--case", type=Path, required=True, help="a case kept by web_load.py")
    ap.add_argument("--rounds", type=int, default=10, help="counted reads of each URL")
    ap.add_argument("--baseline", type=Path, help="a src/ folder of the code to compare to")
    ap.add_argument("--urls", default=",".join(PAGE_URLS), help="comma-separated URLs")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    urls = [u for u in args.urls.split(",") if u]
    if args.child:
        child(args.case, args.rounds, urls)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    load0 = os.getloadavg()[0]
    here = Path(__file__).resolve().parent.parent / "src"
    base = measure(args.baseline, args.case, args.rounds, urls) if args.baseline else None
    now = measure(here, args.case, args.rounds, urls)
    print(f"\ncommand: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"{args.rounds} rounds of {', '.join(urls)}; per request:")
    print(f"  this code: {now['instructions'] / 1e6:.2f} M instructions, "
          f"{now['statements']:.1f} SQL statements")  # fmt: skip
    if base is not None:
        print(f"  baseline:  {base['instructions'] / 1e6:.2f} M instructions, "
              f"{base['statements']:.1f} SQL statements")  # fmt: skip
        print(f"  ratio (this / baseline): {now['instructions'] / base['instructions']:.3f}")
    load = os.getloadavg()
    print(f"machine load: {load0:.2f} at start, {load[0]:.2f} at end (1 min)")


if __name__ == "__main__":
    main()
