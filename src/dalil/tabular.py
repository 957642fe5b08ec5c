"""The one reader of delimited text tables (CSV and its cousins) for every import: victim
lists (``dalil link``, ``dalil list import``, the web's list import), personnel rosters
(``dalil vet``) and capture histories (``dalil estimate FILE``). A pure library: bytes or
a path in, text and rows out.

Encoding, in this order (:func:`decode`):

1. An encoding the user named (``--encoding``) is used as is.
2. A byte-order mark decides: UTF-8, UTF-16 or UTF-32.
3. NUL bytes without a byte-order mark: a binary file, refused.
4. Strict UTF-8 (ASCII is a subset).
5. Windows-1256 (Arabic), when the Arabic letters are most of the non-ASCII letters of
   the decoded text and no control character results. Every byte decodes in
   Windows-1256, so this is the check that keeps a Latin file from being read as
   Arabic: Windows-1256 keeps the French accented letters where Windows-1252 has them.
6. Windows-1252, when no control character results.
7. Otherwise refused, naming the row of the first byte that is not UTF-8 and the remedy.

Dialect (:func:`sniff_delimiter`): comma, semicolon, tab or pipe, whichever the first
8 KiB show to be the delimiter; comma when they do not tell.

Limits (issue 18, break 8: a 68 KB XLSX expanded to 200,000 rows). A list or roster is
refused in one line naming the limit, before anything is stored, when it has more than
:data:`MAX_ROWS` rows, more than :data:`MAX_COLUMNS` columns or a cell longer than
:data:`MAX_CELL_CHARS` characters (:func:`check_row`), or, for an XLSX workbook, when a
part unpacks to more than :data:`MAX_XLSX_UNPACKED_BYTES` in all or compresses more than
:data:`MAX_XLSX_RATIO` times (:func:`check_xlsx`): checked on the package's directory,
before a single row is read. The limits leave room for a war-scale list of several
hundred thousand victims.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dalil.display.messages import N_, Message
from dalil.errors import InputError

if TYPE_CHECKING:
    from _csv import Reader
    from collections.abc import Sequence

DELIMITERS = ",;\t|"

#: Most data rows in one table (a war-scale victim list has a few hundred thousand).
MAX_ROWS = 1_000_000
#: Most columns in one table (real lists and rosters have a few dozen at most).
MAX_COLUMNS = 500
#: Longest cell, in characters (Excel's own limit for one cell).
MAX_CELL_CHARS = 32_767
#: Most bytes the parts of an XLSX workbook may unpack to, all together (a million rows
#: of twenty columns is well under this).
MAX_XLSX_UNPACKED_BYTES = 1024**3
#: Most an XLSX part over :data:`_RATIO_FLOOR` may be compressed (unpacked size over
#: packed size). Real sheets compress about 10-15 times; a sheet of rows repeated to
#: explode (a "list bomb") compresses several hundred times.
MAX_XLSX_RATIO = 100
_RATIO_FLOOR = 1024**2
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FC]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the encoding used: utf-8, utf-16, cp1256, cp1252 or the one named


def _mostly_arabic(text: str) -> bool:
    non_ascii = [ch for ch in text if ord(ch) > 127 and ch.isalpha()]
    arabic = sum(1 for ch in non_ascii if _ARABIC_LETTER.match(ch))
    return arabic > 0 and arabic * 2 > len(non_ascii)


def decode(data: bytes, name: str, encoding: str | None = None) -> Decoded:
    """The text of a table file by the rules of this module; :class:`InputError` naming
    *name* when it cannot be read."""
    if encoding:
        try:
            return Decoded(data.decode(encoding).removeprefix("\ufeff"), encoding)
        except (UnicodeDecodeError, LookupError) as e:
            raise InputError(
                Message(
                    N_("%(file)s: cannot read as %(encoding)s: %(fault)s"),
                    file=name,
                    encoding=encoding,
                    fault=type(e).__name__,
                )
            ) from None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(enc), enc.removesuffix("-sig"))
            except UnicodeDecodeError:
                raise InputError(
                    Message(
                        N_(
                            "%(file)s: starts with a %(enc)s byte-order mark but is not valid %(enc)s"
                        ),
                        file=name,
                        enc=enc,
                    )
                ) from None
    if b"\x00" in data[:1_000_000]:
        raise InputError(
            Message(N_("%(file)s: looks binary (contains NUL bytes), not a text table"), file=name)
        )
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as e:
        first_bad = e.start
    arabic = data.decode("cp1256")  # every byte decodes
    if _mostly_arabic(arabic) and not _CONTROL.search(arabic):
        return Decoded(arabic, "cp1256")
    try:
        latin = data.decode("cp1252")
    except UnicodeDecodeError:
        latin = None
    if latin is not None and not _CONTROL.search(latin):
        return Decoded(latin, "cp1252")
    row = data[:first_bad].count(b"\n") + 1
    raise InputError(
        Message(
            N_(
                "%(file)s: row %(row)s: not valid UTF-8 (byte %(byte)s), nor Windows Arabic or "
                "Latin text; save the file as UTF-8 or give its encoding (e.g. cp1256 for "
                "Windows Arabic)"
            ),
            file=name,
            row=str(row),
            byte=str(first_bad),
        )
    )


def read_text(path: Path, encoding: str | None = None, *, name: str | None = None) -> Decoded:
    """:func:`decode` of the file at *path*, named *name* in errors (default: its file
    name)."""
    label = name or path.name
    if not path.is_file():
        raise InputError(Message(N_("%(file)s: no such file"), file=label))
    return decode(path.read_bytes(), label, encoding)


def sniff_delimiter(text: str) -> str:
    """The delimiter of a delimited text table (see the module docstring)."""
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    # The sniffer gives up on some one-column or ragged samples: count in the header.
    header = sample.split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def reader(text: str) -> Reader:
    """A :func:`csv.reader` over *text* with its sniffed delimiter (``line_num`` works as
    usual); a leading byte-order mark is dropped."""
    text = text.removeprefix("\ufeff")
    return csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))


def too_many_rows(name: str) -> InputError:
    """The refusal of a table with more than :data:`MAX_ROWS` data rows."""
    return InputError(
        Message(
            N_("%(file)s: refused: more than %(max)s rows (the limit)"), file=name, max=MAX_ROWS
        )
    )


def too_many_columns(name: str, row: int) -> InputError:
    """The refusal of row *row* of a table with more than :data:`MAX_COLUMNS` columns."""
    return InputError(
        Message(
            N_("%(file)s: row %(row)s: refused: more than %(max)s columns (the limit)"),
            file=name,
            row=str(row),
            max=str(MAX_COLUMNS),
        )
    )


def check_row(name: str, row: int, values: Sequence[object]) -> None:
    """Refuse row *row* (1-based, header = 1) of table *name* in one line if it has more
    than :data:`MAX_COLUMNS` values or a text longer than :data:`MAX_CELL_CHARS`; the
    message never quotes the value. Row counts are the caller's (:func:`too_many_rows`)."""
    if len(values) > MAX_COLUMNS:
        raise too_many_columns(name, row)
    for v in values:
        if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
            raise InputError(
                Message(
                    N_(
                        "%(file)s: row %(row)s: refused: a cell longer than %(max)s characters "
                        "(the limit)"
                    ),
                    file=name,
                    row=str(row),
                    max=MAX_CELL_CHARS,
                )
            )


def check_xlsx(path: Path, name: str | None = None) -> None:
    """Refuse an XLSX workbook whose parts would unpack past the limits, from the sizes
    its zip directory declares (nothing is unpacked). The declared sizes can be trusted
    as an upper bound: Python's zip reader (which openpyxl uses) never returns more
    than the declared size of a part, and refuses a part whose bytes disagree with it."""
    import zipfile

    label = name or path.name
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise InputError(
            Message(
                N_("%(file)s: not a readable XLSX workbook (%(fault)s)"),
                file=label,
                fault=type(e).__name__,
            )
        ) from None
    total = sum(i.file_size for i in infos)
    if total > MAX_XLSX_UNPACKED_BYTES:
        raise InputError(
            Message(
                N_("%(file)s: refused: the workbook unpacks to more than %(max)s MB (the limit)"),
                file=label,
                max=MAX_XLSX_UNPACKED_BYTES // 1024**2,
            )
        )
    for i in infos:
        if i.file_size > _RATIO_FLOOR and i.file_size > MAX_XLSX_RATIO * max(i.compress_size, 1):
            raise InputError(
                Message(
                    N_(
                        "%(file)s: refused: a part of the workbook expands more than %(max)s "
                        "times when unpacked (the limit; a list bomb?)"
                    ),
                    file=label,
                    max=str(MAX_XLSX_RATIO),
                )
            )
