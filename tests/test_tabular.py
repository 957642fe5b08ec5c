"""One table reader for every import: the same encodings and delimiters for victim lists
(``dalil link``), personnel rosters (``dalil vet``) and capture histories
(``dalil estimate FILE``). All names are fictional."""

from __future__ import annotations

from pathlib import Path

import pytest

from dalil import tabular
from dalil.core.case import Case
from dalil.errors import InputError
from dalil.linkage.io import load_list
from dalil.testing import TEST_PASSPHRASE, DalilRunner

ARABIC_NAME = "سامر حداد"  # fictional
ROSTER = [("r1", ARABIC_NAME), ("r2", "Fictional Nabil Khoury"), ("r3", "فادي منصور")]


def _table(delimiter: str, encoding: str) -> bytes:
    lines = [delimiter.join(("record_id", "full_name"))]
    lines += [delimiter.join(row) for row in ROSTER]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


FORMS = {
    "comma-utf8": _table(",", "utf-8"),
    "semicolon-utf8": _table(";", "utf-8"),
    "tab-utf8-bom": b"\xef\xbb\xbf" + _table("\t", "utf-8"),
    "semicolon-cp1256": _table(";", "cp1256"),
    "comma-cp1256": _table(",", "cp1256"),
    "pipe-utf16": _table("|", "utf-16"),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_the_reader_detects_encoding_and_delimiter(form: str) -> None:
    decoded = tabular.decode(FORMS[form], "roster.csv")
    assert decoded.encoding == {"cp1256": "cp1256", "utf16": "utf-16"}.get(
        form.rsplit("-", 1)[-1], "utf-8"
    )
    rows = list(tabular.reader(decoded.text))
    assert rows[0] == ["record_id", "full_name"]
    assert [tuple(r) for r in rows[1:]] == ROSTER


def test_a_latin_code_page_file_is_not_read_as_arabic() -> None:
    data = "record_id;full_name\r\nr1;Fictional Hélène Dupré\r\n".encode("cp1252")
    decoded = tabular.decode(data, "liste.csv")
    assert decoded.encoding == "cp1252"
    assert "Hélène Dupré" in decoded.text


def test_an_unreadable_file_names_its_row_and_the_remedy() -> None:
    with pytest.raises(InputError, match=r"^bad\.csv: row 3: not valid UTF-8.*encoding"):
        tabular.decode(b"a,b\n1,2\n3,\x81\x02\n", "bad.csv")
    with pytest.raises(InputError, match="binary"):
        tabular.decode(b"a,b\x00\n", "bad.csv")
    with pytest.raises(InputError, match="cannot read as ascii"):
        tabular.decode(ARABIC_NAME.encode(), "x.csv", "ascii")


@pytest.fixture(scope="module")
def case_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dalil.services import persons

    root = tmp_path_factory.mktemp("tabular") / "case"
    case = Case.init(root, TEST_PASSPHRASE, admin="coordinator")
    try:
        with case.act("coordinator") as ctx:
            persons.add_person(ctx, pseudonym="S-1", legal_name=ARABIC_NAME, roles=["suspect"])
    finally:
        case.close()
    return root


@pytest.mark.parametrize("form", sorted(FORMS))
def test_dalil_vet_reads_every_file_dalil_link_reads(
    form: str, case_root: Path, tmp_path: Path
) -> None:
    path = tmp_path / f"{form}.csv"
    path.write_bytes(FORMS[form])
    dalil = DalilRunner({"DALIL_CASE": str(case_root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})

    r = dalil("link", path, "--out", tmp_path / "clusters.csv")
    assert r.exit_code == 0, r.stderr
    assert [rec["full_name"] for rec in load_list(path).records] == [n for _, n in ROSTER]

    vetted = dalil.json("vet", path)
    assert vetted["records"] == len(ROSTER)
    assert ARABIC_NAME in [c["personnel_name"] for c in vetted["candidates"]]


def test_dalil_estimate_reads_a_semicolon_capture_history(tmp_path: Path) -> None:
    comma = tmp_path / "comma.csv"
    comma.write_text("A,B,count\n1,0,30\n0,1,20\n1,1,10\n", encoding="utf-8")
    semi = tmp_path / "semicolon.csv"
    semi.write_bytes("A;B;count\r\n1;0;30\r\n0;1;20\r\n1;1;10\r\n".encode("cp1252"))
    dalil = DalilRunner({})
    assert dalil.json("estimate", semi) == dalil.json("estimate", comma)
