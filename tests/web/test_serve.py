"""``dalil serve``: starts a real server; refuses unsafe or broken set-ups with exit 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from dalil.core.case import Case
from dalil.testing import TEST_PASSPHRASE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_on_loopback_with_security_headers(case: Case) -> None:
    port = _free_port()
    env = {**os.environ, "DALIL_PASSPHRASE": TEST_PASSPHRASE}
    dalil = Path(sys.executable).parent / "dalil"
    proc = subprocess.Popen(
        [str(dalil), "serve", str(case.root), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        r = None
        for _ in range(200):
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert r is not None, proc.stderr.read().decode() if proc.stderr else ""
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert r.headers["x-frame-options"] == "DENY"
        api = httpx.get(f"http://127.0.0.1:{port}/api/v1/persons", timeout=5)
        assert api.status_code == 401
        # A page on another name that resolves to 127.0.0.1 (DNS rebinding) is refused.
        rebound = httpx.get(
            f"http://127.0.0.1:{port}/login", headers={"Host": "evil.example"}, timeout=5
        )
        assert rebound.status_code == 400
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert TEST_PASSPHRASE.encode() not in out + err


def test_serve_refuses_a_public_address_without_tls(case: Case, dalil_env: Any) -> None:
    run = dalil_env(DALIL_PASSPHRASE=TEST_PASSPHRASE)
    r = run("serve", str(case.root), "--host", "0.0.0.0", "--port", "1")
    assert r.exit_code == 2 and "without TLS" in r.stderr


def test_serve_with_a_wrong_passphrase_exits_2_with_one_line(case: Case, dalil_env: Any) -> None:
    run = dalil_env(DALIL_PASSPHRASE="not the passphrase")
    r = run("serve", str(case.root), "--port", "1")
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error:")
    assert "not the passphrase" not in r.stderr


def test_serve_without_a_case_exits_2(tmp_path: Path, dalil_env: Any) -> None:
    r = dalil_env(DALIL_PASSPHRASE="x")("serve", str(tmp_path / "nowhere"))
    assert r.exit_code == 2 and "no case" in r.stderr
