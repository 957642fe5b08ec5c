"""Key recovery shares: any K of N set a new passphrase; K-1 fail clearly; a typo is
caught by the share's checksum; shares of another case are refused; all of it audited."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import InputError, WrongPassphrase
from dalil.testing import TEST_PASSPHRASE, DalilRunner
from dalil.vault import recovery


def _write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


def _split(dalil: DalilRunner, n: int, k: int) -> list[str]:
    out = dalil.json("keys", "split", "--shares", n, "--threshold", k)
    assert len(out["shares"]) == n and out["threshold"] == k
    return list(out["shares"])


def test_any_k_of_n_recover_and_set_a_new_passphrase(
    case: Case, dalil: DalilRunner, tmp_path: Path
) -> None:
    shares = _split(dalil, 5, 3)
    assert all(len(s.split()) == 33 for s in shares)
    files = [_write(tmp_path, f"share{i}.txt", f"# share {i}\n{s}\n") for i, s in enumerate(shares)]
    root = case.root
    case.close()
    for n, combo in enumerate(itertools.combinations(files, 3)):
        new = _write(tmp_path, f"new{n}", f"new passphrase number {n}\n")
        args = ["keys", "recover", "--new-passphrase-file", new, "--case", root]
        for f in combo:
            args += ["--share-file", f]
        r = dalil(*args, env={"DALIL_PASSPHRASE": ""})
        assert r.exit_code == 0, r.stderr
        assert "recovered" in r.stdout
        Case.open(root, f"new passphrase number {n}").close()
    with pytest.raises(WrongPassphrase):
        Case.open(root, TEST_PASSPHRASE)
    reopened = Case.open(root, "new passphrase number 9")
    with reopened.system_session(write=False) as s:
        actions = [e.action for e in audit.query(s, limit=100)]
        assert actions.count("keys.recover") == 10 and actions.count("keys.split") == 1
        assert audit.verify(s, reopened.keys.audit_public_key).ok
    reopened.close()
    raw = b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())
    for s_ in shares:
        assert " ".join(s_.split()[:4]).encode() not in raw


def test_fewer_than_k_shares_fail_clearly_and_change_nothing(
    case: Case, dalil: DalilRunner, tmp_path: Path
) -> None:
    shares = _split(dalil, 4, 3)
    f1, f2 = (_write(tmp_path, f"s{i}", s) for i, s in enumerate(shares[:2]))
    new = _write(tmp_path, "new", "another passphrase\n")
    r = dalil(
        "keys", "recover", "--share-file", f1, "--share-file", f2, "--new-passphrase-file", new
    )
    assert r.exit_code == 2
    assert "3 different shares are needed to recover the key; 2 given" in r.stderr
    r = dalil(
        "keys", "recover", "--share-file", f1, "--share-file", f1, "--share-file", f1,
        "--new-passphrase-file", new,
    )  # fmt: skip
    assert r.exit_code == 2 and "the same share was given twice" in r.stderr
    Case.open(case.root, TEST_PASSPHRASE).close()  # the passphrase still works


def test_a_typo_is_caught_by_the_checksum_and_named_with_its_file(
    case: Case, dalil: DalilRunner, tmp_path: Path
) -> None:
    shares = _split(dalil, 3, 2)
    words = shares[1].split()
    from shamir_mnemonic.wordlist import WORDLIST

    # One word swapped for another valid word: only the checksum can notice.
    words[5] = next(w for w in WORDLIST if w != words[5])
    good = _write(tmp_path, "good", shares[0])
    bad = _write(tmp_path, "bad", " ".join(words))
    new = _write(tmp_path, "new", "another passphrase\n")
    r = dalil(
        "keys", "recover", "--share-file", good, "--share-file", bad, "--new-passphrase-file", new
    )
    assert r.exit_code == 2
    assert f"share file {bad}: its checksum does not match" in r.stderr
    words2 = shares[1].split()
    words2[0] = words2[0] + "x"  # a misspelt word
    bad2 = _write(tmp_path, "bad2", " ".join(words2))
    r = dalil(
        "keys", "recover", "--share-file", good, "--share-file", bad2, "--new-passphrase-file", new
    )
    assert r.exit_code == 2 and "not in the share word list" in r.stderr
    Case.open(case.root, TEST_PASSPHRASE).close()


def test_shares_of_another_case_are_refused(new_case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = new_case(name="a")
    b = new_case(name="b")
    env = {"DALIL_PASSPHRASE": TEST_PASSPHRASE}
    shares_b = DalilRunner({**env, "DALIL_CASE": str(b.root)}).json(
        "keys", "split", "--shares", "2", "--threshold", "2"
    )["shares"]
    files = [_write(tmp_path, f"b{i}", s) for i, s in enumerate(shares_b)]
    new = _write(tmp_path, "new", "another passphrase\n")
    r = DalilRunner({"DALIL_CASE": str(a.root)})(
        "keys", "recover", "--share-file", files[0], "--share-file", files[1],
        "--new-passphrase-file", new,
    )  # fmt: skip
    assert r.exit_code == 2 and "not this case's data key" in r.stderr
    Case.open(a.root, TEST_PASSPHRASE).close()


def test_split_needs_keys_manage_and_a_threshold_of_two(case: Case, dalil: DalilRunner) -> None:
    from dalil.services import users

    with case.act() as ctx:
        users.add_user(ctx, "ana", "analyst")
    r = dalil("keys", "split", "--shares", "3", "--threshold", "2", "--user", "ana")
    assert r.exit_code == 2 and "may not split the case key" in r.stderr
    with pytest.raises(InputError, match="at least 2"):
        recovery.split_secret(b"k" * 32, 3, 1)
    r = dalil("keys", "split", "--shares", "3", "--threshold", "4")
    assert r.exit_code == 2
    human = dalil("keys", "split", "--shares", "2", "--threshold", "2")
    assert human.exit_code == 0 and human.stdout.count("# dalil recovery share") == 2
    assert json.dumps(human.stdout)  # printable words only
