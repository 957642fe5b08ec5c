"""Benchmark: end-to-end `evidence add` (service layer) against `sha256sum` on the same files.

Times, in the same run, over the same random files (page cache warmed first):

* baseline: ``sha256sum`` (subprocess) over all files;
* dalil:    ``dalil.services.evidence.add_files`` into a fresh SQLite case — hashing,
  chunked encryption, atomic write, the EvidenceItem record, its audit entry and a signed
  checkpoint per file.

Prints MB/s for both and the time ratio (issue 2 target for ingest: at most 2.0x).

    .venv/bin/python benchmarks/evidence_add.py --total-mb 1024 --files 8
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--total-mb", type=int, default=1024, help="total size of the files (MB)")
    ap.add_argument("--files", type=int, default=8, help="number of files")
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp dir)")
    args = ap.parse_args()
    os.environ.setdefault("DALIL_KDF_PROFILE", "test")
    os.environ.setdefault("DALIL_WEAK_KDF_OK", "1")  # a throw-away case

    from dalil.core.case import Case
    from dalil.services import evidence

    work = Path(tempfile.mkdtemp(prefix="dalil-evadd-", dir=args.dir))
    try:
        src = work / "src"
        src.mkdir()
        per = args.total_mb * (1 << 20) // args.files
        files = []
        for i in range(args.files):
            p = src / f"f{i}.bin"
            with open(p, "wb") as f:
                left = per
                while left:
                    n = min(left, 8 << 20)
                    f.write(os.urandom(n))
                    left -= n
            files.append(p)
        total = per * args.files
        subprocess.run(["cat", *map(str, files)], stdout=subprocess.DEVNULL, check=True)

        t0 = time.perf_counter()
        subprocess.run(["sha256sum", *map(str, files)], stdout=subprocess.DEVNULL, check=True)
        base = time.perf_counter() - t0

        case = Case.init(work / "case", "benchmark passphrase (fictional)")
        t0 = time.perf_counter()
        res = evidence.add_files(case, None, files)
        dalil_t = time.perf_counter() - t0
        case.close()
        assert len(res) == args.files and all(r.created for r in res)

        mb = total / 1e6
        print(f"files: {args.files} x {per / 1e6:.1f} MB = {mb:.1f} MB")
        print(f"sha256sum:          {base:8.2f} s  {mb / base:8.1f} MB/s")
        print(f"dalil evidence add: {dalil_t:8.2f} s  {mb / dalil_t:8.1f} MB/s")
        print(f"ratio dalil/sha256sum: {dalil_t / base:.2f}x (target <= 2.0x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
