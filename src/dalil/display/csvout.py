"""CSV out: the one way dalil writes a CSV file (exports, histories, linkage clusters,
incident codings, synthetic and demo lists).

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula,
also after leading tabs, carriage returns or spaces; a formula can fetch a web address
with the sheet's contents or run a command (CSV or "formula" injection). Names, places
and notes in a case come from victim lists, witnesses and web pages, so any cell may
carry one. Every cell written here that would start a formula is prefixed with an
apostrophe (``'=HYPERLINK(…)``), which spreadsheets show as text and do not run.
Plain numbers (``-3``, ``+1.5``, ``-1e-3``: coordinates, counts) are left as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any

#: First characters that start a formula (with their full-width forms, which some
#: spreadsheets fold to ASCII), and the control characters that hide them.
FORMULA_START = frozenset("=+-@＝＋－＠")
_LEADING_SPACE = " \t\r\n\u00a0\u3000"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value: object) -> object:
    """*value* safe to put in a CSV cell: a text that a spreadsheet would read as a
    formula gets a leading apostrophe; anything else (numbers, None) is unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "\t\r":
        return "'" + value
    head = value.lstrip(_LEADING_SPACE)
    if head and head[0] in FORMULA_START and not _NUMBER.fullmatch(value.strip()):
        return "'" + value
    return value


class Writer:
    """:func:`csv.writer` whose every cell is :func:`neutralise`-d."""

    def __init__(self, f: IO[str], **kw: Any) -> None:
        self._w = csv.writer(f, **kw)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._w.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


if TYPE_CHECKING:
    _DictWriterBase = csv.DictWriter[str]
else:
    _DictWriterBase = csv.DictWriter


class DictWriter(_DictWriterBase):
    """:class:`csv.DictWriter` whose every cell (and header) is :func:`neutralise`-d."""

    def writeheader(self) -> Any:
        return self.writer.writerow([neutralise(c) for c in self.fieldnames])

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: neutralise(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for r in rowdicts:
            self.writerow(r)


def writer(f: IO[str], **kw: Any) -> Writer:
    return Writer(f, **kw)
