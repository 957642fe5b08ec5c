"""Creating, opening and unlocking cases; passphrase rules."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import Conflict, InputError, WrongPassphrase
from dalil.testing import TEST_PASSPHRASE, DalilRunner


def test_init_writes_case_layout_and_toml(case: Case) -> None:
    root = case.root
    assert (root / "case.db").is_file() and (root / "evidence").is_dir()
    assert (root / "keys" / "keyring.json").is_file()
    cfg = tomllib.loads((root / "case.toml").read_text())
    assert cfg["format_version"] == 1 and cfg["database"] == "case.db" and cfg["admin"] == "admin"
    assert cfg["audit_key_fingerprint"] == case.keys.audit_key_fingerprint
    assert cfg["created"].endswith("+00:00")


def test_init_refuses_non_empty_folder_and_keeps_it_intact(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.txt").write_text("keep me")
    with pytest.raises(Conflict, match="not empty"):
        Case.init(tmp_path / "c", TEST_PASSPHRASE)
    assert (tmp_path / "c" / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["notes.txt"]


def test_init_refuses_existing_case(case: Case) -> None:
    with pytest.raises(Conflict):
        Case.init(case.root, TEST_PASSPHRASE)


def test_wrong_passphrase_refused(case: Case) -> None:
    with pytest.raises(WrongPassphrase):
        Case.open(case.root, "not the passphrase")


def test_open_without_case_toml_says_run_init(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="dalil init"):
        Case.open(tmp_path, TEST_PASSPHRASE)


def test_passphrase_change_rewraps_and_is_logged(case: Case, tmp_path: Path) -> None:
    from dalil.services import keys as key_services
    from dalil.services import persons

    with case.act() as ctx:
        persons.add_person(ctx, pseudonym="W-1", legal_name="Fictional Person")
    key_services.change_passphrase(case, None, TEST_PASSPHRASE, "a brand new passphrase")
    with pytest.raises(WrongPassphrase):
        Case.open(case.root, TEST_PASSPHRASE)
    with Case.open(case.root, "a brand new passphrase") as c2, c2.act() as ctx:
        out = persons.reveal(ctx, [persons.get_person(ctx, 1)], reason="check rewrap")
        assert out[0]["legal_name"] == "Fictional Person"
    with case.system_session() as s:
        assert [e.action for e in audit.query(s, action="keys.passphrase_change")] == [
            "keys.passphrase_change"
        ]


def test_passphrase_change_denied_for_investigator(case: Case) -> None:
    from dalil.errors import PermissionDenied
    from dalil.services import keys as key_services
    from dalil.services import users

    with case.act() as ctx:
        users.add_user(ctx, "ines", "investigator")
    with pytest.raises(PermissionDenied):
        key_services.change_passphrase(case, "ines", TEST_PASSPHRASE, "another passphrase 1")
    Case.open(case.root, TEST_PASSPHRASE).close()  # old passphrase still works


def test_cli_init_passphrase_file_and_case_from_env(tmp_path: Path, dalil_env) -> None:  # type: ignore[no-untyped-def]
    pf = tmp_path / "pass"
    pf.write_text("file passphrase 123\n")
    run: DalilRunner = dalil_env()
    info = run.json("init", tmp_path / "c", "--admin", "coord", "--passphrase-file", pf)
    assert info["admin"] == "coord"
    run2: DalilRunner = dalil_env(DALIL_CASE=str(tmp_path / "c"))
    users = run2.json("users", "list", "--passphrase-file", pf)
    assert [u["name"] for u in users] == ["coord"]
    r = run2("users", "list", env={"DALIL_PASSPHRASE": "file passphrase 123"})
    assert r.exit_code == 0 and "coord" in r.stdout


def test_cli_no_passphrase_without_tty_exit_2(case: Case, dalil_env) -> None:  # type: ignore[no-untyped-def]
    run: DalilRunner = dalil_env(DALIL_CASE=str(case.root))
    r = run("person", "list")
    assert r.exit_code == 2 and r.stderr.startswith("error: no passphrase:")


def test_cli_passphrase_change(case: Case, tmp_path: Path, dalil: DalilRunner) -> None:
    new = tmp_path / "new"
    new.write_text("the next passphrase 9\n")
    r = dalil("passphrase", "change", "--new-passphrase-file", new)
    assert r.exit_code == 0, r.stderr
    r = dalil("person", "list")
    assert r.exit_code == 2 and "wrong passphrase" in r.stderr
    r = dalil("person", "list", env={"DALIL_PASSPHRASE": "the next passphrase 9"})
    assert r.exit_code == 0


def test_database_url_must_be_postgres(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="postgresql"):
        Case.init(tmp_path / "c", TEST_PASSPHRASE, database="mysql://x@y/z")


def test_postgres_case_records_url_in_toml(pg_schema_url: str, new_case) -> None:  # type: ignore[no-untyped-def]
    c: Case = new_case(database=pg_schema_url)
    cfg = tomllib.loads((c.root / "case.toml").read_text())
    assert cfg["database"].startswith("postgresql+psycopg://")
    assert not (c.root / "case.db").exists()
    assert c.describe()["database"].startswith("postgresql")


def test_unreachable_database_is_one_line_error_without_password(case: Case) -> None:
    toml = case.root / "case.toml"
    text = toml.read_text().replace(
        'database = "case.db"', 'database = "postgresql://dalil:s3cret-pw@127.0.0.1:1/nowhere"'
    )
    toml.write_text(text)
    with pytest.raises(InputError, match="cannot connect to the case database") as exc:
        Case.open(case.root, TEST_PASSPHRASE)
    assert "s3cret-pw" not in str(exc.value)


def test_failed_init_leaves_nothing_behind_and_can_be_retried(tmp_path: Path) -> None:
    target = tmp_path / "c"
    with pytest.raises(InputError, match="cannot create the case database"):
        Case.init(target, TEST_PASSPHRASE, database="postgresql://u:pw-secret@127.0.0.1:1/none")
    assert not target.exists()
    Case.init(target, TEST_PASSPHRASE).close()
    assert (target / "case.toml").is_file()


def test_cli_init_sets_the_admin_web_password(tmp_path: Path, dalil_env) -> None:  # type: ignore[no-untyped-def]
    from dalil.services import users

    pf = tmp_path / "pass"
    pf.write_text("file passphrase 123\n")
    apw = tmp_path / "admin-pw"
    apw.write_text("pw-first-admin-fictional\n")
    run: DalilRunner = dalil_env()
    info = run.json(
        "init",
        tmp_path / "c",
        "--admin",
        "coord",
        "--passphrase-file",
        pf,
        "--admin-password-file",
        apw,
    )
    assert info["admin_password_set"] is True
    with Case.open(tmp_path / "c", "file passphrase 123") as case:
        assert users.login_password(case, "coord", "pw-first-admin-fictional").role == "admin"
    short = tmp_path / "short"
    short.write_text("abc\n")
    r = run("init", tmp_path / "d", "--passphrase-file", pf, "--admin-password-file", short)
    assert r.exit_code == 2 and "at least 8 characters" in r.stderr
    r = run("init", tmp_path / "e", "--passphrase-file", pf)  # no terminal, no password
    assert r.exit_code == 0 and "has no web password yet" in r.stdout
