"""Benchmark: viewing a large video in the workbench (``GET /api/v1/evidence/ID/view``)
against the logged download of the same item (``/content``), on a real ``dalil serve``.

Builds a SQLite case holding one fictional "video" of ``--mb`` MB (an MP4 ``ftyp`` box
then random bytes, stored through the vault), starts the server, then, in the same run:

* baseline: the whole item through the download route (streamed decrypted);
* view:     the whole item through the view route (each read twice, alternately; the
  best of each is kept), then ``--seeks`` byte ranges of
  ``--range-kb`` KB at random offsets (what a video player asks for when you seek).

Prints MB/s for both, the ratio view/download, the mean time to first byte of a seek,
and the peak resident memory (VmHWM, from ``/proc``) of the web worker that streamed the
item (the server runs one web worker and no job worker; ``dalil serve`` itself is a
supervisor that only forks and watches them): its rise must stay far below the item's
size (nothing is read whole). Deletes everything it made.

    python benchmarks/media_view.py --mb 200 --seeks 50
"""

from __future__ import annotations

import argparse
import random
import time

import httpx
from _bench import scratch_case, served, worker_peaks, worker_rss


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

    with scratch_case("dalil-view-bench-", args.dir) as (case, work):
        from dalil.services import evidence, users

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

        with (
            served(work / "case", "--workers", "1", "--job-workers", "0") as (proc, url),
            httpx.Client(timeout=600) as client,
        ):
            base = f"{url}/api/v1/evidence/{sha}"
            auth = {"Authorization": f"Bearer {token}"}
            idle = worker_peaks(proc.pid)
            assert len(idle) == 1, f"expected one web worker, found {sorted(idle)}"
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
            peak, now = worker_peaks(proc.pid), worker_rss(proc.pid)
            assert peak.keys() == idle.keys(), "the web worker was restarted during the run"
    mb = size / 1024**2
    idle_mb, peak_mb, now_mb = sum(idle.values()), sum(peak.values()), sum(now.values())
    print(f"item: {mb:.0f} MB; web worker idle peak {idle_mb:.0f} MB")
    print(f"download (baseline): {mb / t_dl:.0f} MB/s")
    print(f"view:                {mb / t_view:.0f} MB/s  (ratio view/download {t_dl / t_view:.2f})")
    print(f"seeks: {args.seeks} ranges of {args.range_kb} KB, first byte after "
          f"{1000 * sum(firsts) / len(firsts):.1f} ms on average, "
          f"{1000 * max(firsts):.1f} ms at most")  # fmt: skip
    print(f"web worker peak memory: {peak_mb:.0f} MB ({peak_mb - idle_mb:.0f} MB over idle "
          f"= {(peak_mb - idle_mb) / mb:.3f} x the item; resident at the end {now_mb:.0f} MB)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
