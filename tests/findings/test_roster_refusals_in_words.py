"""The personnel roster loader's refusals (issue #11 item 10) in the reader's language:
each one's English words unchanged, and in Arabic words with no Latin word left but the
user's own (the file's name, its headers and values, the field names and the ``--column``
option to type). Fictional data."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from dalil.display.messages import error_in_words
from dalil.errors import InputError
from dalil.findings.vetting import PERSONNEL_FIELDS, read_personnel

#: What a user types or reads in the file, kept in Latin letters in every language.
_TYPED = {
    *(w for f in PERSONNEL_FIELDS for w in f.split("_")),
    *("ignore", "full", "column", "bogus", "weird", "soon", "csv", "xlsx"),
}


def _zip_not_a_workbook() -> bytes:
    """A zip file (so past the workbook's size checks) that is no workbook."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", "fictional notes")
    return buf.getvalue()


_ROSTERS = [
    ("absent.csv", None, None, "absent.csv: no such file"),
    ("blank.csv", b"  \n\n", None, "blank.csv: empty personnel file"),
    ("bad.xlsx", _zip_not_a_workbook(), None, "bad.xlsx: not a readable XLSX workbook"),
    ("map.csv", b"name,unit\nFictional One,U1\n", {"unit": "bogus"},
     "map.csv: --column unit=bogus: unknown field (use one of record_id, name, unit, rank, "
     "start, end, position, notes or ignore)"),
    ("two.csv", b"name,full_name\nA,B\n", None,
     "two.csv: two columns map to 'name' (second: 'full_name')"),
    ("odd.csv", b"name,weird\nA,B\n", None,
     "odd.csv: cannot map column(s) 'weird' to personnel fields (record_id, name, unit, rank, "
     "start, end, position, notes); map them with --column HEADER=FIELD or --column "
     "HEADER=ignore"),
    ("noname.csv", b"unit\nU1\n", None,
     "noname.csv: no name column (expected one of: name, full_name, \u0627\u0644\u0627\u0633\u0645)"),
    ("empty.csv", b"name,unit\n,U1\n", None, "empty.csv: row 2: empty name"),
    ("date.csv", b"name,start\nFictional One,2020-13-45\n", None,
     "date.csv: row 2, start: invalid date '2020-13-45' (use YYYY-MM-DD)"),
    ("end.csv", b"name,end\nFictional One,soon\n", None,
     "end.csv: row 2, end: invalid date 'soon' (use YYYY-MM-DD)"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "columns", "english"), _ROSTERS)
def test_a_roster_refused_is_refused_in_arabic_words(
    tmp_path: Path, name: str, data: bytes | None, columns: dict[str, str] | None,
    english: str,
) -> None:  # fmt: skip
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_personnel(path, columns)
    assert str(caught.value) == str(tmp_path / english), str(caught.value)
    words = error_in_words(caught.value, "ar").replace(str(tmp_path), "")
    assert any("\u0600" <= ch <= "\u06ff" for ch in words), words
    left = set(re.findall(r"[A-Za-z]{3,}", words)) - _TYPED - {Path(name).stem}
    assert not left, words
