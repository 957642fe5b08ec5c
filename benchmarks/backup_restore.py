"""Benchmark: `dalil backup` and `dalil restore` against `tar` of the same case folder.

Builds a case holding ``--gb`` GB of evidence (``--files`` files of random bytes, stored
through the vault as usual; records in SQLite, or in PostgreSQL with ``--database``),
then times, in the same run and on the same disk:

* baseline: ``tar -cf`` of the case folder, and ``tar -xf`` of that tar into a new folder;
* dalil:    ``dalil backup OUT`` (one consistent snapshot, encrypted archive) and
  ``dalil restore OUT DIR`` (which reads and checks the whole archive first, then writes),
  and ``dalil restore --check`` timed apart (audit verify, counts, fixity of every blob).

Each command runs as a subprocess; its peak memory is its maximum resident set size
(VmHWM). Prints MB/s, the ratio to tar and the
peak memory. Everything it made is deleted at the end (check ``df -h`` first: it needs
about 4x ``--gb`` of free space at its peak).

    python benchmarks/backup_restore.py --gb 10 --files 40 --dir /tmp/dalil-bench
    python benchmarks/backup_restore.py --gb 10 --files 40 --dir /tmp/dalil-bench \
        --database postgresql+psycopg://…/empty_a \
        --restore-database postgresql+psycopg://…/empty_b \
        --restore-database postgresql+psycopg://…/empty_c

With ``--database`` the case's records live in that (empty) PostgreSQL database, and the
two restores go into the two ``--restore-database`` databases (each must be empty; the
tables are dropped again at the end).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASS = "fictional benchmark passphrase"


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak resident memory in MB) of *cmd*. The peak is the process's own
    high-water mark (VmHWM in /proc, read every 0.1 s until it exits; rusage would
    report the benchmark's own size, inherited at fork)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    status = Path(f"/proc/{p.pid}/status")
    while p.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    dt = time.perf_counter() - t
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed ({p.returncode}): {err[-2000:]}")
    return dt, peak / 1024


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gb", type=float, default=1.0, help="evidence to store (GB)")
    ap.add_argument("--files", type=int, default=8, help="number of evidence files")
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp dir)")
    ap.add_argument("--database", metavar="URL", help="an empty PostgreSQL database for the case")
    ap.add_argument(
        "--restore-database",
        metavar="URL",
        action="append",
        default=[],
        help="an empty PostgreSQL database to restore into (give two with --database)",
    )
    args = ap.parse_args()
    if args.database and len(args.restore_database) != 2:
        ap.error("with --database give two --restore-database URLs (one per restore)")
    if args.restore_database and not args.database:
        ap.error("--restore-database needs --database")
    os.environ.setdefault("DALIL_KDF_PROFILE", "test")
    os.environ.setdefault("DALIL_WEAK_KDF_OK", "1")  # a throw-away case

    from dalil.core.case import Case
    from dalil.services import evidence, persons

    work = Path(tempfile.mkdtemp(prefix="dalil-backup-bench-", dir=args.dir))
    env = {**os.environ, "DALIL_PASSPHRASE": PASS}
    dalil = [sys.executable, "-m", "dalil.cli"]
    try:
        total = int(args.gb * 1e9)
        per = total // args.files
        case = Case.init(work / "case", PASS, database=args.database)
        with case.act() as ctx:
            for i in range(200):
                persons.add_person(ctx, pseudonym=f"W-{i}", legal_name=f"Fictional Name {i}")
        block = os.urandom(64 << 20)
        t = time.perf_counter()
        for i in range(args.files):
            src = work / "src.bin"
            with open(src, "wb") as f:
                f.write(i.to_bytes(8, "big"))  # every file distinct
                left = per
                while left > 0:
                    n = min(left, len(block))
                    f.write(block[:n])
                    left -= n
            evidence.add_files(case, None, [src])
            src.unlink()
        print(f"built: {args.files} files, {total / 1e9:.1f} GB in {time.perf_counter() - t:.0f} s")
        case.close()
        case_bytes = _size(work / "case")
        mb = case_bytes / 1e6
        print(f"case folder: {mb:,.0f} MB")
        subprocess.run(["sync"], check=False)

        t_tar, m_tar = _run(["tar", "-cf", str(work / "case.tar"), "-C", str(work), "case"], env)
        (work / "untar").mkdir()
        t_untar, m_untar = _run(
            ["tar", "-xf", str(work / "case.tar"), "-C", str(work / "untar")], env
        )
        shutil.rmtree(work / "untar")
        (work / "case.tar").unlink()

        out = work / "case.dalil"
        t_bk, m_bk = _run(
            [*dalil, "backup", str(out), "--case", str(work / "case"), "--quiet"], env
        )
        arch_mb = out.stat().st_size / 1e6
        into = [["--database", u] for u in args.restore_database] or [[], []]
        t_rs, m_rs = _run(
            [*dalil, "restore", str(out), str(work / "restored"), "--quiet", *into[0]], env
        )
        shutil.rmtree(work / "restored")
        t_ck, m_ck = _run(
            [*dalil, "restore", str(out), str(work / "restored"), "--check", "--quiet", *into[1]],
            env,
        )
        shutil.rmtree(work / "restored")

        load = os.getloadavg()
        print(f"load average: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        print(f"{'step':32} {'seconds':>8} {'MB/s':>8} {'x tar':>6} {'peak RSS MB':>12}")
        rows = [
            ("tar -cf (baseline)", t_tar, t_tar, m_tar),
            ("dalil backup", t_bk, t_tar, m_bk),
            ("tar -xf (baseline)", t_untar, t_untar, m_untar),
            ("dalil restore (check + write)", t_rs, t_untar, m_rs),
            ("dalil restore --check", t_ck, t_untar, m_ck),
        ]
        for name, dt, base, mem in rows:
            ratio = dt / base if base else float("nan")
            print(f"{name:32} {dt:8.1f} {mb / dt:8.0f} {ratio:6.2f} {mem:12.0f}")
        print(f"archive: {arch_mb:,.0f} MB ({arch_mb / mb:.3f} x the case folder)")
        where = "PostgreSQL" if args.database else "SQLite"
        print(f"records in {where}; command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for url in [args.database, *args.restore_database]:
            if url:
                _empty(url)


def _empty(url: str) -> None:
    """Drop the tables this run made in the PostgreSQL database at *url*."""
    import sqlalchemy as sa

    from dalil.store.engine import make_engine, normalise_url

    engine = make_engine(normalise_url(url))
    try:
        with engine.begin() as conn:
            for name in sa.inspect(conn).get_table_names():
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
