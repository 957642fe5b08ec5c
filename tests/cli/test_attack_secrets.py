"""Attacks on secrets at rest and in flight on the investigator's computer (issue 18,
breaks 4, 5, 6): a legal name read from the process list; a case database and a
protected export readable by every local user; plaintext left outside the case by an
export killed half-way. All names are fictional."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dalil.core.case import Case
from dalil.testing import TEST_PASSPHRASE, DalilRunner

LEGAL = "Fictional Canary Legalname"


def _env(case: Case) -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[2] / "src")
    return {
        **os.environ,
        "DALIL_CASE": str(case.root),
        "DALIL_PASSPHRASE": TEST_PASSPHRASE,
        "DALIL_KDF_PROFILE": "test",
        "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }


def _legal_names(case: Case) -> list[str]:
    from dalil.services import persons

    with case.act() as ctx:
        rows = persons.reveal(ctx, list(persons.list_persons(ctx)), reason="test check")
        return [str(r["legal_name"]) for r in rows]


def test_legal_name_from_standard_input_never_shows_in_the_process_list(case: Case) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dalil.cli",
            "person",
            "add",
            "--pseudonym",
            "W-9",
            "--legal-name",
            "-",
        ],
        env=_env(case),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(0.5)  # the command is running, waiting for its input
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert b"W-9" in cmdline and LEGAL.encode() not in cmdline
        _out, err = proc.communicate(LEGAL.encode() + b"\n", timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert b"warning" not in err
    assert _legal_names(case) == [LEGAL]


def test_legal_name_from_a_file_and_the_argument_form_warns(
    case: Case, dalil: DalilRunner, tmp_path: Path
) -> None:
    f = tmp_path / "name.txt"
    f.write_text(LEGAL + "\n", encoding="utf-8")
    r = dalil("person", "add", "--pseudonym", "W-10", "--legal-name-file", str(f))
    assert r.exit_code == 0 and "warning" not in r.output, r.output
    r = dalil("person", "add", "--pseudonym", "W-11", "--legal-name", "Fictional Other Name")
    assert r.exit_code == 0
    assert "warning: --legal-name on the command line can be read by other users" in r.stderr
    assert LEGAL not in r.stderr
    r = dalil(
        "person", "add", "--pseudonym", "W-12", "--legal-name", "-", "--contact", "-",
        input="Fictional A\nFictional B\n",
    )  # fmt: skip
    assert r.exit_code == 2 and "only one protected value can come from standard input" in r.output
    assert sorted(_legal_names(case)) == sorted([LEGAL, "Fictional Other Name"])


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_case_db_and_protected_exports_are_private_whatever_the_umask(
    tmp_path: Path, dalil_env: object
) -> None:
    from dalil.services import export, persons

    old = os.umask(0o022)
    try:
        case = Case.init(tmp_path / "case", TEST_PASSPHRASE)
        try:
            with case.act() as ctx:
                persons.add_person(ctx, pseudonym="W-1", legal_name=LEGAL)
            assert _mode(case.root) == 0o700
            assert _mode(case.root / "case.db") == 0o600
            for p in case.root.glob("case.db*"):
                assert _mode(p) & 0o077 == 0, p
            for fmt in ("csv", "json"):
                out = tmp_path / f"export-{fmt}"
                export.export_records(
                    case, "admin", out, fmt, include_protected=True, reason="court (test)"
                )
                assert _mode(out) == (0o700 if fmt == "csv" else 0o600)
                for p in out.rglob("*"):
                    assert _mode(p) == (0o700 if p.is_dir() else 0o600), p
            bag = tmp_path / "bag"
            export.export_bag(case, "admin", bag, include_protected=True, reason="court (test)")
            assert _mode(bag) == 0o700
            assert all(_mode(p) == (0o700 if p.is_dir() else 0o600) for p in bag.rglob("*"))
        finally:
            case.close()
    finally:
        os.umask(old)


def test_case_db_made_world_readable_is_made_private_when_opened(case: Case) -> None:
    db = case.root / "case.db"
    os.chmod(db, 0o644)
    Case.open(case.root, TEST_PASSPHRASE).close()
    assert _mode(db) == 0o600


KILLED_EXPORT = """
import os, sys
from pathlib import Path
from dalil.core.case import Case
from dalil.services import export
import dalil.core.tempdir as td
real = td.publish
def stop(built, dest):
    print("BUILT", flush=True)
    sys.stdin.readline()  # wait here, bag complete but not published, until killed
    real(built, dest)
td.publish = stop
export.publish = stop
case = Case.open(sys.argv[1], os.environ["DALIL_PASSPHRASE"])
export.export_bag(case, "admin", Path(sys.argv[2]), include_protected=True, reason="court (test)")
"""


@pytest.mark.slow
def test_export_killed_half_way_leaves_no_plaintext_outside_the_case(
    case: Case, tmp_path: Path
) -> None:
    from dalil.services import evidence, persons

    with case.act() as ctx:
        persons.add_person(ctx, pseudonym="W-1", legal_name=LEGAL)
    evidence.add_bytes(case, case.actor("admin"), b"Fictional testimony amber-42", name="t.txt")
    outdir = tmp_path / "exports"
    outdir.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_EXPORT, str(case.root), str(outdir / "bag")],
        env=_env(case),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == b"BUILT", proc.stderr.read() if proc.stderr else b""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    # Nothing at all outside the case folder, hidden or not.
    assert list(outdir.iterdir()) == []
    # The half-made bag is inside the case's private area until the next open sweeps it.
    area = case.root / "tmp"
    assert any(area.iterdir())
    Case.open(case.root, TEST_PASSPHRASE).close()
    assert list(area.iterdir()) == []
