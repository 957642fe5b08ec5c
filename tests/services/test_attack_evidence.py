"""Attack: "sensitive" ignored for content already held (issue 18, break 7). Bytes
already stored as ordinary evidence, uploaded again with sensitive=true, answered 201
and stayed readable by roles that must not read sensitive items. Names are fictional."""

from __future__ import annotations

import pytest

from dalil.core.case import Case
from dalil.errors import PermissionDenied
from dalil.services import evidence, users

DATA = b"Fictional witness statement, W-3, amber-lantern-77.\n"


def test_sensitive_reupload_of_bytes_already_held_makes_them_sensitive(any_case: Case) -> None:
    with any_case.act() as ctx:
        users.add_user(ctx, "ana", "analyst")
    admin = any_case.actor("admin")
    first = evidence.add_bytes(any_case, admin, DATA, name="statement.txt")
    assert not first.item.sensitive
    _meta, chunks = evidence.open_content(any_case, "ana", first.item.sha256)  # readable
    assert b"".join(chunks) == DATA

    again = evidence.add_bytes(any_case, admin, DATA, name="statement.txt", sensitive=True)
    assert not again.created and again.item.sensitive
    with pytest.raises(PermissionDenied):
        evidence.open_content(any_case, "ana", first.item.sha256)
    # An ordinary re-upload never loosens it.
    evidence.add_bytes(any_case, admin, DATA, name="statement.txt", sensitive=False)
    with pytest.raises(PermissionDenied):
        evidence.open_content(any_case, "ana", first.item.sha256)
