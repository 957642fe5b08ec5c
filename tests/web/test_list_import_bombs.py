"""Attack: a list bomb uploaded to the web list import (issue 18, break 8): a small XLSX
that expands to millions of rows is refused at step 1 in one line naming the limit,
next to the form, never a 500; nothing is stored or kept for the next step."""

from __future__ import annotations

import re

from tests.linkage.test_attack_list_bombs import xlsx_bomb

from .conftest import Client

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_xlsx_list_bomb_upload_is_refused_naming_the_limit_never_a_500(client: Client) -> None:
    client.login("investigator")
    t = client.csrf("/lists/import")
    r = client.post(
        "/lists/import",
        data={"name": "Fictional bomb list", "csrf_token": t},
        files={"file": ("bomb.xlsx", xlsx_bomb(2_000_000), XLSX)},
    )
    assert r.status_code == 422, r.status_code
    alert = re.search(r'role="alert"[^>]*>([^<]*)<', r.text)
    assert alert, r.text[:500]
    msg = alert.group(1).strip()
    assert msg == (
        "bomb.xlsx: refused: a part of the workbook expands more than 100 times when "
        "unpacked (the limit; a list bomb?)"
    )
    # Nothing kept for the next steps, nothing stored.
    t = client.csrf("/lists/import")
    r = client.post("/lists/import/confirm", data={"csrf_token": t}, follow_redirects=False)
    assert r.status_code == 303
    assert "Fictional bomb list" not in client.get("/lists").text
