"""Backup and restore: a round trip proves continuity on SQLite and PostgreSQL; a flipped
byte is caught before anything is written; nothing protected is readable in the archive;
an older archive over a case is a rollback, refused unless accepted with a logged reason;
a backup taken while another writer works is one consistent snapshot."""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import Conflict, InputError, WrongPassphrase
from dalil.services import backup, evidence, persons
from dalil.testing import TEST_PASSPHRASE, DalilRunner
from dalil.vault.archive import ArchiveCorrupt

CANARY_NAME = "Zubaydah Fictional-Canary Qarawi"
CANARY_PHRASE = b"the fictional canary testimony saw the blue lorry at dawn"


@pytest.fixture
def pg_other_url() -> Iterator[str]:
    """A second fresh PostgreSQL schema (the first may hold the source case)."""
    import secrets

    from sqlalchemy import text

    base = os.environ.get("DALIL_TEST_POSTGRES")
    if not base:
        pytest.skip("PostgreSQL not configured: set DALIL_TEST_POSTGRES")
    schema = "t_" + secrets.token_hex(6)
    eng = create_engine(base)
    with eng.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with eng.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        eng.dispose()


def _fill(case: Case, n: int = 3) -> None:
    with case.act() as ctx:
        for i in range(n):
            persons.add_person(
                ctx, pseudonym=f"W-{i}", legal_name=CANARY_NAME if i == 0 else f"Name {i}"
            )
    actor = case.actor()
    evidence.add_stream(case, actor, io.BytesIO(CANARY_PHRASE * 40), name="statement.txt")
    evidence.add_stream(case, actor, io.BytesIO(b"x" * 3_000_000), name="big.bin")


def _counts(case: Case) -> dict[str, int]:
    from sqlalchemy import func, select

    out = {}
    with case.engine.connect() as conn:
        for t in backup._tables():
            out[t.name] = conn.scalar(select(func.count()).select_from(t))
    return out


@pytest.mark.parametrize("target", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_backup_restore_check_round_trip(
    any_case: Case, tmp_path: Path, target: str, request: pytest.FixtureRequest
) -> None:
    _fill(any_case)
    out = tmp_path / "case.dalil"
    summary = backup.backup(any_case, None, out)
    assert summary["blobs"] == 2 and summary["records"] > 0
    before = _counts(any_case)
    database = request.getfixturevalue("pg_other_url") if target == "postgres" else None
    dest = tmp_path / "restored"
    res = backup.restore(out, dest, TEST_PASSPHRASE, database=database)
    assert res["blobs"] == 2
    manifest = backup.verify_archive(out, TEST_PASSPHRASE)
    chk = backup.check(dest, TEST_PASSPHRASE, manifest)
    assert chk["ok"], chk["problems"]
    assert chk["signed_head"]["equal"] and chk["counts_equal"] and chk["fixity"]["intact"] == 2
    restored = Case.open(dest, TEST_PASSPHRASE)
    try:
        if target == "postgres":  # analysed after the load: the planner knows the sizes
            with restored.engine.connect() as conn:
                rows = conn.scalar(
                    text("SELECT reltuples FROM pg_class WHERE oid = 'persons'::regclass")
                )
            assert rows == before["persons"]
        with restored.act(write=False) as ctx:
            p = persons.get_person(ctx, 1)
            assert p.pseudonym == "W-0"
        with restored.act() as ctx:  # the restored case takes new writes (ids move on)
            new = persons.add_person(ctx, pseudonym="W-new")
            assert new.id == 4
        with restored.engine.connect() as conn:
            assert audit.verify(
                conn, restored.keys.audit_public_key, witness=restored.witness_path
            ).ok
        after = _counts(restored)
    finally:
        restored.close()
    assert after["persons"] == before["persons"] + 1
    # the backup itself is logged in the source case, after the snapshot
    with any_case.system_session(write=False) as s:
        last = audit.query(s, limit=1)[0]
    assert last.action == "case.backup" and json.loads(last.detail)["sha256"] == summary["sha256"]


def test_flipped_byte_detected_before_anything_is_written(case: Case, tmp_path: Path) -> None:
    _fill(case)
    out = tmp_path / "case.dalil"
    backup.backup(case, None, out)
    data = bytearray(out.read_bytes())
    for pos in (len(data) // 2, len(data) - 3, 400):
        flipped = tmp_path / f"flipped-{pos}.dalil"
        bad = bytearray(data)
        bad[pos] ^= 0x01
        flipped.write_bytes(bytes(bad))
        dest = tmp_path / f"dest-{pos}"
        with pytest.raises(InputError):
            backup.restore(flipped, dest, TEST_PASSPHRASE)
        assert not dest.exists()
    cut = tmp_path / "cut.dalil"
    cut.write_bytes(bytes(data[: len(data) - 1000]))
    with pytest.raises(ArchiveCorrupt, match="damaged or was altered"):
        backup.restore(cut, tmp_path / "dest-cut", TEST_PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        backup.restore(out, tmp_path / "dest-wrong", "not the passphrase")
    assert not (tmp_path / "dest-cut").exists() and not (tmp_path / "dest-wrong").exists()


@pytest.mark.postgres
def test_flipped_byte_leaves_the_postgres_database_empty(
    case: Case, tmp_path: Path, pg_schema_url: str
) -> None:
    _fill(case, 1)
    out = tmp_path / "case.dalil"
    backup.backup(case, None, out)
    data = bytearray(out.read_bytes())
    data[-100] ^= 0x80
    out.write_bytes(bytes(data))
    with pytest.raises(ArchiveCorrupt):
        backup.restore(out, tmp_path / "d", TEST_PASSPHRASE, database=pg_schema_url)
    eng = create_engine(pg_schema_url)
    try:
        assert inspect(eng).get_table_names() == []
    finally:
        eng.dispose()


def test_canary_never_in_plaintext_in_the_archive(case: Case, tmp_path: Path) -> None:
    _fill(case)
    out = tmp_path / "case.dalil"
    backup.backup(case, None, out)
    raw = out.read_bytes()
    # Needles long enough that random ciphertext cannot hold them by chance (a 3-byte
    # pseudonym such as "W-0" turns up in about one archive in fifty): the legal name, the
    # testimony, the evidence file name and the database file's own header.
    for needle in (
        CANARY_NAME.encode(),
        CANARY_PHRASE[:30],
        b"statement.txt",
        b"SQLite format 3\x00",
    ):
        assert needle not in raw
    # Control: the restored case does hold the name (encrypted) and gives it back.
    backup.restore(out, tmp_path / "r", TEST_PASSPHRASE)
    r = Case.open(tmp_path / "r", TEST_PASSPHRASE)
    try:
        with r.act() as ctx:
            shown = persons.reveal(ctx, [persons.get_person(ctx, 1)], reason="canary control")
        assert CANARY_NAME in json.dumps(shown, ensure_ascii=False, default=str)
    finally:
        r.close()


def test_restoring_an_older_archive_over_the_case_is_a_rollback(case: Case, tmp_path: Path) -> None:
    _fill(case, 1)
    old = tmp_path / "old.dalil"
    backup.backup(case, None, old)
    with case.act() as ctx:
        persons.add_person(ctx, pseudonym="W-later")
    root = case.root
    case.close()
    with pytest.raises(Conflict, match="roll the case back") as e:
        backup.restore(old, root, TEST_PASSPHRASE)
    assert e.value.field == "accept_rollback" and "--" not in str(e.value)
    assert (root / "case.db").exists()  # untouched
    dalil = DalilRunner({"DALIL_PASSPHRASE": TEST_PASSPHRASE})
    r = dalil("restore", old, root)  # the CLI names its option for the field
    assert r.exit_code == 2 and r.stderr.strip().endswith("(--accept-rollback)")
    r = dalil(
        "restore", old, root, "--accept-rollback", "laptop seized; restoring last week's copy"
    )
    assert r.exit_code == 0, r.stderr
    assert "rollback accepted" in r.stdout
    assert list((root / "keys").glob("audit_head.before-restore-*.json"))
    assert list(root.glob("case.db.before-restore-*"))
    c = Case.open(root, TEST_PASSPHRASE)
    try:
        with c.act(write=False) as ctx:
            names = [p.pseudonym for p in persons.list_persons(ctx)]
        assert "W-later" not in names
        with c.system_session(write=False) as s:
            last = audit.query(s, limit=1)[0]
            assert last.action == "case.rollback_accepted"
            assert "laptop seized" in json.loads(last.detail)["reason"]
        with c.engine.connect() as conn:
            assert audit.verify(conn, c.keys.audit_public_key, witness=c.witness_path).ok
        with c.act() as ctx:  # and the case takes writes again
            persons.add_person(ctx, pseudonym="W-after")
    finally:
        c.close()


def test_backup_while_another_writer_works_is_one_snapshot(case: Case, tmp_path: Path) -> None:
    _fill(case, 1)
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            with case.act() as ctx:
                persons.add_person(ctx, pseudonym=f"C-{i}")
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        out = tmp_path / "live.dalil"
        backup.backup(case, None, out)
    finally:
        stop.set()
        t.join()
    dest = tmp_path / "r"
    backup.restore(out, dest, TEST_PASSPHRASE)
    chk = backup.check(dest, TEST_PASSPHRASE, backup.verify_archive(out, TEST_PASSPHRASE))
    assert chk["ok"], chk["problems"]


def test_cli_backup_and_restore_check(case: Case, dalil: DalilRunner, tmp_path: Path) -> None:
    _fill(case, 2)
    out = tmp_path / "c.dalil"
    r = dalil("backup", out)
    assert r.exit_code == 0 and "backup written" in r.stdout
    assert dalil("backup", out).exit_code == 2  # never over an existing file
    assert dalil("backup", case.root / "inside.dalil").exit_code == 2
    v = dalil.json("restore", out, "--verify-only")
    assert v["ok"] and v["blobs"] == 2
    res = dalil.json("restore", out, tmp_path / "r", "--check")
    assert res["check"]["ok"]
    r = dalil("restore", out, tmp_path / "r")  # the check's fixity run was logged after it
    assert r.exit_code == 2 and "roll the case back" in r.stderr


def test_a_job_output_kept_in_the_vault_is_backed_up_and_restored(
    case: Case, tmp_path: Path
) -> None:
    """A report or bag a job made is a vault blob: the backup carries it and the
    restored case downloads it (and its fixity counts it, not as a stray)."""
    from dalil.services import jobs

    with case.act() as ctx:
        jid = int(jobs.submit(ctx, "fixity", {})["id"])
    worker = jobs.Worker(case)
    assert worker.claim() == jid
    jctx = jobs.JobContext(case, jid, "admin", 1, worker)
    saved = jctx.save_output("report.html", b"<html>fictional report</html>", "text/html")
    out = tmp_path / "case.dalil"
    assert backup.backup(case, None, out)["blobs"] == 1
    dest = tmp_path / "restored"
    backup.restore(out, dest, TEST_PASSPHRASE)
    chk = backup.check(dest, TEST_PASSPHRASE, backup.verify_archive(out, TEST_PASSPHRASE))
    assert chk["ok"], chk["problems"]
    restored = Case.open(dest, TEST_PASSPHRASE)
    try:
        with restored.act() as ctx:
            meta, chunks = jobs.output_stream(ctx, jid, "report.html")
            assert b"".join(chunks) == b"<html>fictional report</html>"
            assert meta["sha256"] == saved["sha256"]
        assert evidence.fixity(restored).unreferenced == []
    finally:
        restored.close()
