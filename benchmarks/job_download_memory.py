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
import random
import time

import httpx
from _bench import peaks, rise, scratch_case, served


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

    size = args.mb * 1024**2
    with scratch_case("dalil-jobfile-bench-", args.dir) as (case, work):
        from dalil.model.job import JobFile
        from dalil.services import jobs, users

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

        with (
            served(work / "case", "--job-workers", "0") as (proc, url),
            httpx.Client(timeout=600) as client,
        ):
            base = f"{url}/api/v1/jobs/{jid}/files/"
            auth = {"Authorization": f"Bearer {token}"}
            idle = peaks(proc.pid)
            t_vault, n, sha = _get(client, base + "vault.bin", auth)
            assert n == size and sha == put.sha256, (n, sha)
            peak_vault = peaks(proc.pid)
            t_row, n, sha = _get(client, base + "row.bin", auth)
            assert n == row_size and sha == row_sha, (n, sha)
            peak_row = peaks(proc.pid)
    mb, row_mb = size / 1024**2, row_size / 1024**2
    over_vault, over_row = rise(idle, peak_vault), rise(peak_vault, peak_row)
    print(f"server processes' idle peaks: {', '.join(f'{v:.0f}' for v in idle.values())} MB")
    print(f"row-kept file (baseline, read whole), {row_mb:.0f} MB: the peak rose "
          f"{over_row:.0f} MB = {over_row / row_mb:.2f} x the file; "
          f"{row_mb / t_row:.0f} MB/s")  # fmt: skip
    print(f"vault-kept file (streamed), {mb:.0f} MB: the peak rose {over_vault:.0f} MB "
          f"= {over_vault / mb:.3f} x the file; {mb / t_vault:.0f} MB/s")  # fmt: skip
    if over_vault > 0:
        print(f"ratio (memory per byte of file), row-kept / vault-kept: "
              f"{(over_row / row_mb) / (over_vault / mb):.0f}x")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
