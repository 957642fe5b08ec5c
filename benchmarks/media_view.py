"""Benchmark: viewing a large video in the workbench (``GET /api/v1/evidence/ID/view``)
against the logged download of the same item (``/content``), on a real ``dalil serve``.

Builds a SQLite case holding one fictional "video" of ``--mb`` MB (an MP4 ``ftyp`` box
then random bytes, stored through the vault), starts the server, then, in the same run:

* baseline: the whole item through the download route (streamed decrypted);
* view:     the whole item through the view route (each read twice, alternately; the
  best of each is kept), then ``--seeks`` byte ranges of
  ``--range-kb`` KB at random offsets (what a video player asks for when you seek).

Prints MB/s for both, the ratio view/download, the mean time to first byte of a seek,
and the server's peak resident memory (VmHWM): it must stay far below the item's size
(nothing is read whole). Deletes everything it made.

    python benchmarks/media_view.py --mb 200 --seeks 50
"""

from __future__ import annotations

import argparse
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


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _get_all(client: httpx.Client, url: str, headers: dict[str, str]) -> tuple[float, int]:
    t = time.perf_counter()
    n = 0
    with client.stream("GET", url, headers=headers) as r:
        r.raise_for_status()
        for part in r.iter_bytes(1 << 20):
            n += len(part)
    return time.perf_counter() - t, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=int, default=200)
    ap.add_argument("--seeks", type=int, default=50)
    ap.add_argument("--range-kb", type=int, default=512)
    ap.add_argument("--dir", default=None, help="where to build the case (default: a temp dir)")
    args = ap.parse_args()

    os.environ.setdefault("DALIL_KDF_PROFILE", "test")  # a throw-away case
    os.environ.setdefault("DALIL_WEAK_KDF_OK", "1")
    from dalil.core.case import Case
    from dalil.services import evidence, users

    work = Path(tempfile.mkdtemp(prefix="dalil-view-bench-", dir=args.dir))
    proc = None
    try:
        case = Case.init(work / "case", PASS, admin="admin")
        with case.act("admin") as ctx:
            token, _ = users.issue_token(ctx, "admin", label="benchmark")
        src = work / "clip.mp4"
        rng = random.Random(7)
        with open(src, "wb") as f:
            f.write(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41")
            for _ in range(args.mb):
                f.write(rng.randbytes(1 << 20))
        size = src.stat().st_size
        (item,) = evidence.add_files(case, "admin", [src], ocr=False)
        sha = item.item.sha256
        case.close()
        src.unlink()

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "DALIL_PASSPHRASE": PASS}
        dalil = Path(sys.executable).parent / "dalil"
        proc = subprocess.Popen([str(dalil), "serve", str(work / "case"), "--port", str(port)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        base = f"http://127.0.0.1:{port}/api/v1/evidence/{sha}"
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(timeout=600) as client:
            for _ in range(300):
                try:
                    client.get(f"http://127.0.0.1:{port}/login")
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            idle = _peak_mb(proc.pid)
            t_dl = t_view = float("inf")
            for _ in range(2):  # alternately, the best of two each (a cold first read)
                t, n_dl = _get_all(client, base + "/content", auth)
                t_dl = min(t_dl, t)
                t, n_view = _get_all(client, base + "/view", auth)
                t_view = min(t_view, t)
                assert n_dl == n_view == size, (n_dl, n_view, size)
            firsts = []
            span = args.range_kb * 1024
            for _ in range(args.seeks):
                start = rng.randrange(0, size - span)
                t = time.perf_counter()
                h = {**auth, "Range": f"bytes={start}-{start + span - 1}"}
                with client.stream("GET", base + "/view", headers=h) as r:
                    assert r.status_code == 206
                    it = r.iter_bytes(65536)
                    got = len(next(it))
                    firsts.append(time.perf_counter() - t)
                    for part in it:
                        got += len(part)
                assert got == span
        peak = _peak_mb(proc.pid)
        mb = size / 1024**2
        print(f"item: {mb:.0f} MB; server idle peak {idle:.0f} MB")
        print(f"download (baseline): {mb / t_dl:.0f} MB/s")
        print(
            f"view:                {mb / t_view:.0f} MB/s  (ratio view/download {t_dl / t_view:.2f})"
        )
        print(f"seeks: {args.seeks} ranges of {args.range_kb} KB, first byte after "
              f"{1000 * sum(firsts) / len(firsts):.1f} ms on average, "
              f"{1000 * max(firsts):.1f} ms at most")  # fmt: skip
        print(
            f"server peak memory: {peak:.0f} MB ({peak - idle:.0f} MB over idle; item {mb:.0f} MB)"
        )
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
