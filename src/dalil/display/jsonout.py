"""The one JSON encoder: what the CLI's ``--json``, the web API and exports print.

``dumps`` writes UTF-8 text (Arabic stays readable) with dates as ISO strings, decimals as
floats, paths as strings, sets and tuples as lists and objects with ``to_dict()`` as
their dict. ``jsonable`` converts the same way to plain Python values (for FastAPI
responses and templates), so every interface shows the same values.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any


def _default(o: Any) -> Any:
    if isinstance(o, datetime | date):
        return o.isoformat()
    if isinstance(o, Decimal):
        return float(o)
    if isinstance(o, Path):
        return str(o)
    if isinstance(o, set | frozenset | tuple):
        return list(o)
    if hasattr(o, "to_dict"):
        return o.to_dict()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def dumps(obj: Any, *, indent: int | None = 2) -> str:
    """JSON the way every command prints it: UTF-8 text (Arabic stays readable), stable keys."""
    return json.dumps(obj, ensure_ascii=False, indent=indent, default=_default)


def jsonable(obj: Any) -> Any:
    """Plain JSON types (dates as ISO strings), exactly as the CLI's ``dumps`` prints them."""
    if hasattr(obj, "to_dict"):
        obj = obj.to_dict()
    return _plain(obj)


_SCALARS = (str, int, float, bool, type(None))
#: The exact types returned as they are without further look (a subclass, such as a
#: ``str`` enum, takes the ``isinstance`` path below, as before).
_SCALAR_TYPES = frozenset(_SCALARS)


def _plain(o: Any) -> Any:
    t = type(o)
    if t in _SCALAR_TYPES:
        return o
    if t is dict:  # a row of a list (the common case): its scalars taken as they are
        return {
            (k if type(k) is str else str(k)): (v if type(v) in _SCALAR_TYPES else _plain(v))
            for k, v in o.items()
        }
    if t is datetime:
        return o.isoformat()
    if isinstance(o, _SCALARS):
        return o
    if isinstance(o, dict):
        return {str(k): _plain(v) for k, v in o.items()}
    if isinstance(o, list | tuple | set | frozenset):
        return [_plain(v) for v in o]
    # The common non-JSON types, converted exactly as the CLI's encoder does (fast path).
    if isinstance(o, datetime | date):
        return o.isoformat()
    if isinstance(o, Decimal):
        return float(o)
    # Anything else (dates, decimals, paths, objects with to_dict): the CLI's encoder.
    return json.loads(dumps(o, indent=None))
