"""``jsonable`` gives exactly what the CLI's ``dumps`` prints, read back: for rows of
plain values (its fast path) and for every type it converts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from dalil.display.jsonout import dumps, jsonable


class Colour(StrEnum):
    RED = "red"


class WithDict:
    def to_dict(self) -> dict[str, object]:
        return {"n": 1, "when": date(2025, 3, 1)}


def test_jsonable_equals_dumps_read_back() -> None:
    row = {
        "id": 7,
        "pseudonym": "V-000007",
        "age": None,
        "ratio": 0.5,
        "alive": False,
        "roles": ["victim", "witness"],
        "created_at": datetime(2026, 12, 3, 16, 43, 59, 452490, tzinfo=UTC),
        "born": date(1990, 1, 2),
        "amount": Decimal("1.25"),
        "where": Path("a/b"),
        "colour": Colour.RED,
        "tags": ("x", "y"),
        "nested": {"k": {"deeper": [datetime(2025, 1, 1), {3: "three"}]}, 4: "four"},
        "obj": WithDict(),
    }
    out = jsonable(row)
    assert out == json.loads(dumps(row, indent=None))
    assert out["created_at"] == "2026-12-03T16:43:59.452490+00:00"
    assert out["nested"]["4"] == "four" and out["nested"]["k"]["deeper"][1] == {"3": "three"}
    assert jsonable([row, row]) == [out, out]
    assert jsonable(WithDict()) == {"n": 1, "when": "2025-03-01"}
