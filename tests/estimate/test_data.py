"""Reading capture histories: both file forms agree, strata, and what is refused."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.errors import InputError
from dalil.estimate import CaptureTable, read_capture_csv

tables = (
    st.integers(2, 5)
    .flatmap(
        lambda J: st.lists(st.integers(0, 40), min_size=2**J - 1, max_size=2**J - 1).map(
            lambda c, J=J: (J, c)
        )
    )
    .filter(lambda jc: sum(jc[1]) > 0)
)


@given(tables, st.randoms(use_true_random=False))
@settings(max_examples=60, deadline=None)
def test_pattern_rows_and_one_row_per_person_read_to_the_same_table(jc, rnd: random.Random):
    J, c = jc
    lists = [f"list {j}" for j in range(J)]
    counts = np.array([0, *c])
    pattern_rows, person_rows = [], []
    for cell in range(1, 2**J):
        bits = [(cell >> j) & 1 for j in range(J)]
        if counts[cell] or rnd.random() < 0.5:  # zero-count rows may be present or not
            pattern_rows.append(",".join(map(str, bits)) + f",{counts[cell]}")
        person_rows += [",".join(map(str, bits))] * int(counts[cell])
    rnd.shuffle(pattern_rows)
    rnd.shuffle(person_rows)
    head = ",".join(lists)
    a = read_capture_csv("p.csv", text=head + ",count\n" + "\n".join(pattern_rows) + "\n").table
    b = read_capture_csv("v.csv", text=head + "\n" + "\n".join(person_rows) + "\n").table
    assert a.lists == b.lists == tuple(lists)
    assert np.array_equal(a.counts, counts) and np.array_equal(b.counts, counts)
    assert a.observed == sum(c)
    back = CaptureTable.from_patterns(
        lists, {"".join(str(r[name]) for name in lists): r["count"] for r in a.as_rows()}
    )
    assert np.array_equal(back.counts, counts)


def test_count_column_is_found_in_any_case_and_position_and_bom_is_ignored():
    t = read_capture_csv("x.csv", text="\ufeffCount,A,B\n3,1,0\n4,0,1\n5,1,1\n").table
    assert t.lists == ("A", "B") and t.observed == 12


def test_whole_number_counts_written_as_floats_are_accepted():
    t = read_capture_csv("x.csv", text="A,B,count\n1,0,3.0\n0,1,4\n1,1,5\n").table
    assert t.observed == 12


def test_blank_lines_are_skipped_and_line_numbers_stay_true():
    with pytest.raises(InputError, match="line 4: list column 'B'"):
        read_capture_csv("x.csv", text="A,B,count\n1,0,3\n\n1,x,4\n")


def test_repeated_pattern_is_allowed_in_different_strata_but_not_in_one():
    text = "g,A,B,count\nN,1,0,3\nS,1,0,4\nN,1,1,2\nS,1,1,2\nN,0,1,1\nS,0,1,1\n"
    d = read_capture_csv("x.csv", text=text, strata="g")
    assert set(d.strata) == {"N", "S"} and d.table.observed == 13
    with pytest.raises(InputError, match="line 3: pattern 10 in stratum 'N' repeats line 2"):
        read_capture_csv("x.csv", text="g,A,B,count\nN,1,0,3\nN,1,0,4\n", strata="g")


def test_duplicate_header_and_too_many_lists_are_refused():
    with pytest.raises(InputError, match="column 'A' appears more than once"):
        read_capture_csv("x.csv", text="A,A,count\n1,0,1\n")
    head = ",".join(f"L{i}" for i in range(16))
    with pytest.raises(InputError, match="at most 15"):
        read_capture_csv("x.csv", text=head + "\n" + ",".join(["1"] * 16) + "\n")


def test_long_bad_values_are_shortened_in_the_message():
    secret_like = "x" * 200
    with pytest.raises(InputError) as e:
        read_capture_csv("x.csv", text=f"A,B\n1,{secret_like}\n")
    assert secret_like not in str(e.value) and len(str(e.value)) < 200


def test_capture_table_refuses_impossible_tables():
    with pytest.raises(InputError, match="at least two lists"):
        CaptureTable(("A",), np.array([0, 3]))
    with pytest.raises(InputError, match="negative"):
        CaptureTable(("A", "B"), np.array([0, 3, -1, 2]))
    with pytest.raises(InputError, match="all-zero"):
        CaptureTable(("A", "B"), np.array([5, 3, 1, 2]))
    with pytest.raises(InputError, match="twice"):
        CaptureTable.from_patterns(["A", "B"], [("10", 3), ("10", 4)])
