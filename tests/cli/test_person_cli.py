"""The person commands through the CLI (in-process, real error handling)."""

from __future__ import annotations

import json

from dalil.testing import DalilRunner

LEGAL = "Fictional Name Haddad-Canary"


def test_person_add_json_has_no_legal_name(dalil: DalilRunner) -> None:
    out = dalil.json(
        "person", "add", "--pseudonym", "W-1", "--legal-name", LEGAL, "--role", "witness"
    )
    assert out["pseudonym"] == "W-1" and out["roles"] == ["witness"]
    assert LEGAL not in json.dumps(out) and "legal_name" not in out
    listed = dalil.json("persons", "list")
    assert [p["pseudonym"] for p in listed] == ["W-1"] and LEGAL not in json.dumps(listed)


def test_person_show_reveal_needs_reason(dalil: DalilRunner) -> None:
    dalil.json("person", "add", "--pseudonym", "W-1", "--legal-name", LEGAL)
    r = dalil("person", "show", "1", "--reveal")
    assert r.exit_code == 2 and "--reason" in r.stderr
    shown = dalil.json("person", "show", "1", "--reveal", "--reason", "prepare testimony")
    assert shown["legal_name"] == LEGAL


def test_unknown_person_exit_2_one_line(dalil: DalilRunner) -> None:
    r = dalil("person", "show", "42")
    assert r.exit_code == 2
    assert r.stderr.strip() == "error: no person with id 42"


def test_wrong_passphrase_exit_2_one_line(dalil: DalilRunner) -> None:
    r = dalil("person", "list", env={"DALIL_PASSPHRASE": "not the passphrase"})
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "wrong passphrase" in r.stderr


def test_person_duplicates_reads_the_name_from_stdin_and_names_by_pseudonym(
    dalil: DalilRunner, tmp_path: object
) -> None:
    dalil.json("person", "add", "--pseudonym", "V-9", "--legal-name", "سلمى نبيل حداد",
               "--sex", "female")  # fmt: skip
    out = dalil.json("person", "duplicates", "--name-file", "-", "--sex", "female",
                     input="Salma Haddad\n")  # fmt: skip
    assert [m["label"] for m in out["matches"]] == ["V-9"] and out["matches"][0]["likely"]
    assert "سلمى" not in json.dumps(out, ensure_ascii=False)
    r = dalil("person", "duplicates", "--name-file", "-", input="Omar Nasser\n")
    assert r.exit_code == 0 and "no possible duplicate among 1 persons" in r.stdout
    r = dalil("person", "duplicates", "--name-file", "-", "--date", "31 June 2025",
              input="Salma Haddad\n")  # fmt: skip
    assert r.exit_code == 2 and r.stderr.startswith("error: invalid date")
