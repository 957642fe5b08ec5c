"""Small helpers for the English wording of CLI and report output."""

from __future__ import annotations


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``plural(1, "checkpoint")`` → ``"1 checkpoint"``; ``plural(6, "entry", "entries")``
    → ``"6 entries"``."""
    word = singular if n == 1 else (plural_form or singular + "s")
    return f"{n} {word}"
