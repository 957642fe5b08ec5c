"""Refusals put into words in the reader's language (issue #11): the pair review page's
reason error next to its field, and the common refusals a job fails with. Fictional data."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from .conftest import Client


def _arabic(s: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in s)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_short_review_reason_is_refused_next_to_its_field_in_words(
    client: Client, seeded: dict[str, Any], lang: str
) -> None:
    client.get(f"/login?lang={lang}")
    client.login("analyst")
    page = client.get("/lists/pairs/2-5")
    assert page.status_code == 200
    token = client.csrf("/lists/pairs/2-5")
    r = client.post(
        "/lists/review-session", data={"reason": "no", "pair": "2-5", "csrf_token": token}
    )
    assert r.status_code == 422
    box = re.search(r'<p class="error" id="err-reason"[^>]*>(.*?)</p>', r.text, re.S)
    assert box is not None, r.text[:2000]
    words = unescape(re.sub(r"<[^>]+>", "", box.group(1))).strip()
    assert 'aria-describedby="err-reason"' in r.text
    if lang == "ar":
        assert _arabic(words) and not re.search(r"[A-Za-z]{3,}", words), words
    else:
        assert words == "state why the names are needed (reason, 5+ characters)"
