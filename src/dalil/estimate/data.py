"""Capture histories: read, validate and tabulate the input of an estimate.

A capture table for ``J`` lists is a vector of ``2**J`` counts indexed by the
capture pattern: cell ``c`` has list ``j`` (0-based, in column order) iff bit
``j`` of ``c`` is set.  Cell 0, the people on no list, is never observed; it is
what every method estimates.

Input files (CSV, UTF-8, header row):

* one 0/1 column per list and a ``count`` column, one row per observed pattern; or
* one 0/1 column per list and no ``count`` column, one row per unique victim;
* optionally one or more stratum columns (``strata=``), and columns to ignore
  when ``lists=`` names the list columns explicitly.

Every problem is an :class:`~dalil.errors.InputError` naming the file, line and column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dalil import tabular
from dalil.errors import InputError

MAX_LISTS = 15


@dataclass(frozen=True)
class CaptureTable:
    """Observed counts of each capture pattern over ``lists``.

    ``counts[c]`` is the number of people whose pattern has bit ``j`` set for each
    list ``j`` they appear on; ``counts[0]`` is always 0 (unobserved).
    """

    lists: tuple[str, ...]
    counts: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        c = np.asarray(self.counts, dtype=np.int64)
        if c.shape != (2 ** len(self.lists),):
            raise InputError(
                f"a capture table for {len(self.lists)} lists needs {2 ** len(self.lists)} cells"
            )
        if len(self.lists) < 2:
            raise InputError("estimation needs at least two lists; one list cannot show overlap")
        if len(set(self.lists)) != len(self.lists):
            raise InputError("list names must be unique")
        if (c < 0).any():
            raise InputError("counts must not be negative")
        if c[0] != 0:
            raise InputError("the all-zero pattern (on no list) cannot be observed")
        object.__setattr__(self, "counts", c)

    @property
    def n_lists(self) -> int:
        return len(self.lists)

    @property
    def observed(self) -> int:
        """Number of distinct people observed on at least one list."""
        return int(self.counts.sum())

    @property
    def list_sizes(self) -> dict[str, int]:
        cells = np.arange(self.counts.size)
        return {
            name: int(self.counts[(cells >> j) & 1 == 1].sum()) for j, name in enumerate(self.lists)
        }

    def patterns(self) -> np.ndarray:
        """All ``2**J`` patterns as a (cells, J) 0/1 matrix, row ``c`` = pattern of cell ``c``."""
        cells = np.arange(2**self.n_lists)
        return ((cells[:, None] >> np.arange(self.n_lists)[None, :]) & 1).astype(np.int8)

    def pattern_label(self, cell: int) -> str:
        return "".join(str((cell >> j) & 1) for j in range(self.n_lists))

    def as_rows(self) -> list[dict[str, int]]:
        """Observed patterns as rows ``{list: 0/1, ..., "count": n}`` (non-zero counts only)."""
        rows = []
        for c in range(1, self.counts.size):
            if self.counts[c]:
                row = {name: (c >> j) & 1 for j, name in enumerate(self.lists)}
                row["count"] = int(self.counts[c])
                rows.append(row)
        return rows

    @classmethod
    def from_patterns(
        cls, lists: Sequence[str], patterns: Mapping[str, int] | Iterable[tuple[str, int]]
    ) -> CaptureTable:
        """Build from ``{"110": 155, ...}``: one character per list, in ``lists`` order."""
        items = patterns.items() if isinstance(patterns, Mapping) else patterns
        counts = np.zeros(2 ** len(lists), dtype=np.int64)
        seen: set[str] = set()
        for pat, n in items:
            if len(pat) != len(lists) or set(pat) - {"0", "1"}:
                raise InputError(f"pattern {pat!r} must be {len(lists)} characters of 0/1")
            if pat in seen:
                raise InputError(f"pattern {pat} is given twice")
            seen.add(pat)
            cell = sum(1 << j for j, ch in enumerate(pat) if ch == "1")
            if cell == 0 and n:
                raise InputError("the all-zero pattern (on no list) cannot be observed")
            if int(n) != n or n < 0:
                raise InputError(f"pattern {pat}: count must be a non-negative integer")
            counts[cell] = int(n)
        return cls(tuple(lists), counts)

    @classmethod
    def from_records(cls, lists: Sequence[str], records: np.ndarray) -> CaptureTable:
        """Build from a (people, J) 0/1 matrix, one row per unique person."""
        rec = np.asarray(records, dtype=np.int64)
        if rec.ndim != 2 or rec.shape[1] != len(lists):
            raise InputError("records must be a (people, lists) 0/1 matrix")
        if ((rec != 0) & (rec != 1)).any():
            raise InputError("records must be 0/1")
        cells = (rec << np.arange(len(lists))[None, :]).sum(axis=1)
        if (cells == 0).any():
            raise InputError("a record on no list cannot be observed")
        counts = np.bincount(cells, minlength=2 ** len(lists)).astype(np.int64)
        return cls(tuple(lists), counts)


UNKNOWN_VALUES = frozenset({"", "unknown"})
"""Stratum values that mean "not known" (compared without case): such people are
allocated to the known strata (see :mod:`dalil.estimate.strata`), never estimated
as a stratum of their own."""

StratumKey = tuple[str | None, ...]


def is_unknown(value: object) -> bool:
    return value is None or str(value).strip().lower() in UNKNOWN_VALUES


@dataclass(frozen=True)
class CaptureData:
    """What an input file holds: the pooled table and, if stratified, one table per
    stratum.  People whose stratum is (partly) unknown are kept apart in
    ``unknown``, keyed by what is known of it (``None`` for an unknown part);
    ``parts`` gives the column values of each known stratum."""

    table: CaptureTable
    strata: dict[str, CaptureTable] | None = None
    stratum_columns: tuple[str, ...] = ()
    unknown: dict[StratumKey, CaptureTable] = field(default_factory=dict)
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def unknown_people(self) -> int:
        return sum(t.observed for t in self.unknown.values())


def _split_names(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [v.strip() for v in value if v.strip()]


def read_capture_csv(
    path: str | Path,
    *,
    strata: str | Sequence[str] | None = None,
    lists: str | Sequence[str] | None = None,
    text: str | None = None,
) -> CaptureData:
    """Read and validate a capture-history CSV (see the module docstring).

    ``strata`` names stratum column(s); ``lists`` names the list columns (default:
    every column that is neither ``count`` nor a stratum).  ``text`` reads from a
    string instead of ``path`` (``path`` is then only used in messages).
    """
    name = str(path)
    if text is None:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"{name}: no such file")
        text = tabular.decode(p.read_bytes(), name).text  # the one table reader
    reader = tabular.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{name}: empty file, expected a header row") from None
    except csv.Error as e:
        raise InputError(f"{name}, line 1: not valid CSV ({e})") from None
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise InputError(f"{name}, line 1: column {dup[0]!r} appears more than once")
    lower = [h.lower() for h in header]
    count_idx = lower.index("count") if "count" in lower else None
    strata_cols = _split_names(strata)
    for s in strata_cols:
        if s not in header:
            raise InputError(
                f"{name}: stratum column {s!r} not in the header ({', '.join(header)})"
            )
    wanted = _split_names(lists)
    if wanted:
        for lname in wanted:
            if lname not in header:
                raise InputError(f"{name}: list column {lname!r} not in the header")
        list_cols = wanted
    else:
        list_cols = [h for i, h in enumerate(header) if i != count_idx and h not in strata_cols]
    if count_idx is not None and header[count_idx] in list_cols:
        raise InputError(
            f"{name}: column {header[count_idx]!r} cannot be both a list and the count"
        )
    if len(list_cols) < 2:
        raise InputError(
            f"{name}: found {len(list_cols)} list column(s) ({', '.join(list_cols) or 'none'}); "
            "estimation needs at least two lists"
        )
    if len(list_cols) > MAX_LISTS:
        raise InputError(
            f"{name}: {len(list_cols)} list columns; at most {MAX_LISTS} are supported"
        )
    list_idx = [header.index(c) for c in list_cols]
    strata_idx = [header.index(c) for c in strata_cols]
    J = len(list_cols)

    tables: dict[StratumKey, np.ndarray] = {}
    first_line: dict[tuple[StratumKey, int], int] = {}
    line = 1
    rows = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise InputError(f"{name}, line {line + 1}: not valid CSV ({e})") from None
        line = reader.line_num
        if not row or all(not v.strip() for v in row):
            continue
        if len(row) != len(header):
            raise InputError(
                f"{name}, line {line}: {len(row)} fields, the header has {len(header)}"
            )
        rows += 1
        cell = 0
        for j, i in enumerate(list_idx):
            v = row[i].strip()
            if v not in ("0", "1"):
                shown = v if len(v) <= 20 else v[:20] + "…"
                hint = (
                    "" if wanted else " (if it is not a list, name the list columns with --lists)"
                )
                raise InputError(
                    f"{name}, line {line}: list column {header[i]!r} must be 0 or 1, "
                    f"got {shown!r}{hint}"
                )
            if v == "1":
                cell |= 1 << j
        if count_idx is not None:
            raw = row[count_idx].strip()
            try:
                fval = float(raw)
            except ValueError:
                raise InputError(
                    f"{name}, line {line}: count must be a whole number, got {raw[:20]!r}"
                ) from None
            if not np.isfinite(fval) or fval != int(fval):
                raise InputError(f"{name}, line {line}: count must be a whole number, got {raw!r}")
            if fval < 0:
                raise InputError(f"{name}, line {line}: count must not be negative, got {raw!r}")
            n = int(fval)
        else:
            n = 1
        stratum: StratumKey = tuple(
            None if is_unknown(row[i]) else row[i].strip() for i in strata_idx
        )
        if cell == 0:
            if count_idx is None:
                raise InputError(
                    f"{name}, line {line}: this person is on no list (all list columns 0)"
                )
            if n:
                raise InputError(
                    f"{name}, line {line}: the all-zero pattern (on no list) has count {n}; "
                    "nobody on no list can be observed — leave the row out"
                )
            continue
        if count_idx is not None:
            key = (stratum, cell)
            if key in first_line:
                shown = " / ".join("?" if v is None else v for v in stratum)
                where = f" in stratum {shown!r}" if strata_idx else ""
                raise InputError(
                    f"{name}, line {line}: pattern "
                    f"{''.join(str((cell >> j) & 1) for j in range(J))}{where} repeats line "
                    f"{first_line[key]}; give each pattern once"
                )
            first_line[key] = line
        t = tables.get(stratum)
        if t is None:
            t = tables[stratum] = np.zeros(2**J, dtype=np.int64)
        t[cell] += n
    if rows == 0:
        raise InputError(f"{name}: no data rows")
    total = np.zeros(2**J, dtype=np.int64)
    for t in tables.values():
        total += t
    if total.sum() == 0:
        raise InputError(f"{name}: all counts are zero; nothing was observed")
    pooled = CaptureTable(tuple(list_cols), total)
    if not strata_idx:
        return CaptureData(table=pooled)
    known = {k: v for k, v in tables.items() if None not in k}
    per = {" / ".join(k): CaptureTable(tuple(list_cols), v) for k, v in sorted(known.items())}  # type: ignore[arg-type]
    parts = {" / ".join(k): tuple(k) for k in known}  # type: ignore[arg-type]
    unknown = {
        k: CaptureTable(tuple(list_cols), v)
        for k, v in sorted(tables.items(), key=lambda kv: tuple(str(x) for x in kv[0]))
        if None in k and v.sum() > 0
    }
    return CaptureData(
        table=pooled,
        strata=per,
        stratum_columns=tuple(strata_cols),
        unknown=unknown,
        parts=parts,  # type: ignore[arg-type]
    )


def capture_data_from_rows(
    lists: Sequence[str],
    rows: Iterable[Mapping[str, object]],
    *,
    strata: Sequence[str] = (),
    keep: str | Sequence[str] | None = None,
    source: str = "case",
) -> CaptureData:
    """Capture data from rows ``{list: 0/1, ..., stratum: value, "count": n}`` (the shape
    of a case's capture histories), validated like a file.  ``keep`` restricts the
    estimate to some of the lists (people recorded only on the others drop out)."""
    wanted = _split_names(keep) or list(lists)
    for name in wanted:
        if name not in lists:
            raise InputError(f"{source}: no list named {name!r} (lists: {', '.join(lists)})")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")  # in memory, read back below: not an output
    w.writerow([*strata, *wanted, "count"])
    merged: dict[tuple[str, ...], int] = {}
    for r in rows:
        key = (*(str(r[s]) for s in strata), *(str(r[name]) for name in wanted))
        if all(v == "0" for v in key[len(strata) :]):
            continue  # recorded only on lists left out
        merged[key] = merged.get(key, 0) + int(str(r["count"]))
    for key, n in merged.items():
        w.writerow([*key, n])
    if not merged:
        raise InputError(f"{source}: no linked victims on the chosen lists")
    return read_capture_csv(source, text=buf.getvalue(), strata=list(strata) or None, lists=wanted)
