"""Benchmark: the server's peak memory while a large job output file (a report, an
evidence bag) is downloaded, against the file's size, on a real ``dalil serve``.

Builds a SQLite case with one finished job holding two output files of ``--mb`` MB of
random bytes each:

* ``vault.bin``: kept as the job kinds now keep their files, an encrypted chunked blob
  of the vault (``JobContext.save_output``), streamed when downloaded;
* ``row.bin`` (baseline): kept as jobs kept them before, one encrypted row of the
  database, decrypted whole when downloaded. A row holds at most 64 MiB (the field
  cipher refuses more), so the baseline file is ``--baseline-mb`` MB (default 60): the
  two are compared as multiples of their own sizes.

Starts the server, downloads the vault-kept file then the row-kept one through
``GET /api/v1/jobs/ID/files/NAME`` (read in 1 MiB parts, checked against the SHA-256),
and prints how far each download raised the server's peak resident memory (VmHWM), as a
multiple of the file's size, and the ratio of the two. Deletes everything it made.

    python benchmarks/job_download_memory.py --mb 200
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PASS = "fictional benchmark passphrase"


def _hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _descendants(pid: int) -> list[int]:
    out: list[int] = []
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for k in map(int, kids):
        out += [k, *_descendants(k)]
    return out


def _peaks(pid: int) -> dict[int, float]:
    """Peak resident memory of each of the server's processes: ``dalil serve`` is a
    supervisor that forks its web workers, which answer the requests."""
    return {p: _hwm_mb(p) for p in [pid, *_descendants(pid)]}


def _rise(before: dict[int, float], after: dict[int, float]) -> float:
    """How far a download raised the peak of the process that served it (the largest
    rise of any process of the server)."""
    return max(after[p] - before.get(p, 0.0) for p in after)


class _Random:
    """*size* reproducible random bytes, read in parts (never whole in memory)."""

    def __init__(self, size: int, seed: int) -> None:
        self.left, self.rng = size, random.Random(seed)

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return self.rng.randbytes(n)

    def readable(self) -> bool:
        return True


def _get(client: httpx.Client, url: str, headers: dict[str, str]) -> tuple[float, int, str]:
    t = time.perf_counter()
    h = hashlib.sha256()
    n = 0
    with client.stream("GET", url, headers=headers) as r:
        r.raise_for_status()
        for part in r.iter_bytes(1 << 20):
            n += len(part)
            h.update(part)
    return time.perf_counter() - t, n, h.hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=int, default=200)
    ap.add_argument("--baseline-mb", type=int, default=60, help="row-kept file (at most 63)")
    ap.add_argument("--dir", default=None, help="where to build the case (default: a temp dir)")
    args = ap.parse_args()

    os.environ.setdefault("DALIL_KDF_PROFILE", "test")  # a throw-away case
    os.environ.setdefault("DALIL_WEAK_KDF_OK", "1")
    from dalil.core.case import Case
    from dalil.model.job import JobFile
    from dalil.services import jobs, users

    size = args.mb * 1024**2
    work = Path(tempfile.mkdtemp(prefix="dalil-jobfile-bench-", dir=args.dir))
    proc = None
    try:
        case = Case.init(work / "case", PASS, admin="admin")
        with case.act("admin") as ctx:
            token, _ = users.issue_token(ctx, "admin", label="benchmark")
            jid = int(jobs.submit(ctx, "fixity", {})["id"])
        assert jobs.Worker(case).run_once()
        put = case.blobs.put(_Random(size, 1))  # type: ignore[arg-type]
        row_size = min(args.baseline_mb, 63) * 1024**2
        data = _Random(row_size, 2).read()
        row_sha = hashlib.sha256(data).hexdigest()
        enc = case.keys.encrypt_bytes(data, f"job:{jid}:output:row.bin")
        del data
        with case.system_session() as s:
            s.add(JobFile(job_id=jid, role="output", name="vault.bin", size=put.size,
                          media_type="application/octet-stream", sha256=put.sha256,
                          content_enc=None, blob_sha256=put.sha256))  # fmt: skip
            s.add(JobFile(job_id=jid, role="output", name="row.bin", size=row_size,
                          media_type="application/octet-stream", sha256=row_sha,
                          content_enc=enc))  # fmt: skip
        del enc
        case.close()

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {**os.environ, "DALIL_PASSPHRASE": PASS}
        dalil = Path(sys.executable).parent / "dalil"
        proc = subprocess.Popen([str(dalil), "serve", str(work / "case"), "--port", str(port),
                                 "--job-workers", "0"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        base = f"http://127.0.0.1:{port}/api/v1/jobs/{jid}/files/"
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(timeout=600) as client:
            for _ in range(300):
                try:
                    client.get(f"http://127.0.0.1:{port}/login")
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            idle = _peaks(proc.pid)
            t_vault, n, sha = _get(client, base + "vault.bin", auth)
            assert n == size and sha == put.sha256, (n, sha)
            peak_vault = _peaks(proc.pid)
            t_row, n, sha = _get(client, base + "row.bin", auth)
            assert n == row_size and sha == row_sha, (n, sha)
            peak_row = _peaks(proc.pid)
        mb, row_mb = size / 1024**2, row_size / 1024**2
        over_vault, over_row = _rise(idle, peak_vault), _rise(peak_vault, peak_row)
        print(f"server processes' idle peaks: {', '.join(f'{v:.0f}' for v in idle.values())} MB")
        print(f"row-kept file (baseline, read whole), {row_mb:.0f} MB: the peak rose "
              f"{over_row:.0f} MB = {over_row / row_mb:.2f} x the file; "
              f"{row_mb / t_row:.0f} MB/s")  # fmt: skip
        print(f"vault-kept file (streamed), {mb:.0f} MB: the peak rose {over_vault:.0f} MB "
              f"= {over_vault / mb:.3f} x the file; {mb / t_vault:.0f} MB/s")  # fmt: skip
        if over_vault > 0:
            print(f"ratio (memory per byte of file), row-kept / vault-kept: "
                  f"{(over_row / row_mb) / (over_vault / mb):.0f}x")  # fmt: skip
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
