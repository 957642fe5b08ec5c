"""Benchmark: evidence ingest (BlobStore.put_path) against `sha256sum` on the same files.

Generates random files in a temp folder, then in the same run times

* baseline: ``sha256sum`` (subprocess) over all files,
* dalil:    ``BlobStore.put_path`` over the same files (hash + encrypt + write + fsync),

and prints MB/s for both and the time ratio (target: at most 2.0x sha256sum).
Each is run once after a warm-up read so both see the files in the page cache.

    .venv/bin/python benchmarks/ingest.py --total-mb 1024 --files 8
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from dalil.vault.blobs import BlobStore


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--total-mb", type=int, default=1024, help="total size of the files (MB)")
    ap.add_argument("--files", type=int, default=8, help="number of files")
    ap.add_argument("--chunk-kb", type=int, default=1024, help="BlobStore chunk size (KiB)")
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp dir)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dalil-ingest-", dir=args.dir))
    try:
        src = work / "src"
        src.mkdir()
        per_file = args.total_mb * 1024 * 1024 // args.files
        block = 8 << 20
        files = []
        for i in range(args.files):
            path = src / f"fictional-evidence-{i:03d}.bin"
            with open(path, "wb") as f:
                left = per_file
                while left:
                    n = min(block, left)
                    f.write(os.urandom(n))
                    left -= n
            files.append(path)
        total = per_file * args.files
        mb = total / 1e6

        # Warm the page cache for both runs.
        subprocess.run(["cat", *map(str, files)], stdout=subprocess.DEVNULL, check=True)

        ch0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(["sha256sum", *map(str, files)], stdout=subprocess.DEVNULL, check=True)
        t_sha = time.perf_counter() - t0
        ch1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        c_sha = (ch1.ru_utime - ch0.ru_utime) + (ch1.ru_stime - ch0.ru_stime)

        t0 = time.perf_counter()
        for path in files:
            with open(path, "rb", buffering=0) as f:
                h = hashlib.sha256()
                while chunk := f.read(1 << 20):
                    h.update(chunk)
        t_py = time.perf_counter() - t0

        store = BlobStore(
            work / "evidence", secrets.token_bytes(32), chunk_size=args.chunk_kb << 10
        )
        t0, c0 = time.perf_counter(), time.process_time()
        for path in files:
            store.put_path(path)
        t_put, c_put = time.perf_counter() - t0, time.process_time() - c0

        print(
            f"files: {args.files} x {per_file / 1e6:.1f} MB = {mb:.1f} MB, chunk {args.chunk_kb} KiB"
        )
        print(f"sha256sum:          {t_sha:7.3f} s  {mb / t_sha:8.1f} MB/s")
        print(f"hashlib.sha256:     {t_py:7.3f} s  {mb / t_py:8.1f} MB/s  (in-process, OpenSSL)")
        print(f"BlobStore.put_path: {t_put:7.3f} s  {mb / t_put:8.1f} MB/s")
        print(f"ratio put_path / sha256sum time: {t_put / t_sha:.2f}x (target <= 2.0x)")
        print(f"ratio put_path / hashlib time:   {t_put / t_py:.2f}x (hash-only floor)")
        print(
            f"CPU seconds (user+sys; less sensitive to a shared machine): sha256sum {c_sha:.3f}, "
            f"put_path {c_put:.3f}, ratio {c_put / c_sha:.2f}x"
        )
        print(f"load average: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
