"""The split, merge and name-reveal refusals of the victim lists (issue #11 item 10) in
the reader's language: Arabic words, no Latin word left, the English words unchanged.
Fictional data (the web tests' seeded case)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from .conftest import USERS


def _arabic(s: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in s)


def _latin_words(s: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{3,}", s))


def test_the_split_merge_and_reveal_refusals_are_in_arabic(
    app: Any, seeded: dict[str, Any]
) -> None:
    from dalil.display.messages import error_in_words
    from dalil.errors import DalilError
    from dalil.services import lists

    pid = seeded["list_person"]
    with app.state.case.act(USERS["admin"], write=False) as ctx:
        members = [r["id"] for r in lists.cluster_view(ctx, pid)["records"]]
    assert members
    calls = [
        ("name the record ids to split off (see lists cluster)",
         lambda ctx: lists.split(ctx, pid, [])),
        ("a split must leave at least one record with the person",
         lambda ctx: lists.split(ctx, pid, members)),
        ("a victim cannot be merged with itself: name two different victims",
         lambda ctx: lists.merge(ctx, pid, pid)),
        ("state why the names are needed (reason, 5+ characters)",
         lambda ctx: lists.cluster_view(ctx, pid, reason="no")),
        ("state why the names are needed (reason, 5+ characters)",
         lambda ctx: lists.review(ctx, reason="no")),
    ]  # fmt: skip
    wrong = []
    for english, call in calls:
        with app.state.case.act(USERS["admin"]) as ctx, pytest.raises(DalilError) as caught:
            call(ctx)
        assert str(caught.value) == english, str(caught.value)
        words = error_in_words(caught.value, "ar")
        if not _arabic(words) or _latin_words(words):
            wrong.append(words)
    assert not wrong, wrong


def _page_error(r: Any) -> str:
    box = re.search(r'id="cluster-error"[^>]*>(.*?)</p>', r.text, re.S)
    assert box is not None, r.text[-2000:]
    return unescape(re.sub(r"<[^>]+>", "", box.group(1))).strip()


def test_a_victim_merged_with_itself_is_refused_in_arabic_on_the_cluster_page(
    make_client: Any, seeded: dict[str, Any]
) -> None:
    c = make_client()
    c.get("/login?lang=ar")
    c.login("analyst")
    pid = seeded["list_person"]
    t = c.csrf(f"/lists/clusters/{pid}")
    r = c.post(f"/lists/clusters/{pid}/merge", data={"csrf_token": t, "other": str(pid)})
    assert r.status_code == 422, r.text[-1000:]
    words = _page_error(r)
    assert _arabic(words) and not _latin_words(words), words


def test_a_split_of_record_ids_not_numbers_is_refused_in_arabic_on_the_cluster_page(
    make_client: Any, seeded: dict[str, Any]
) -> None:
    c = make_client()
    c.get("/login?lang=ar")
    c.login("analyst")
    pid = seeded["list_person"]
    t = c.csrf(f"/lists/clusters/{pid}")
    r = c.post(f"/lists/clusters/{pid}/split", data={"csrf_token": t, "record": "x1"})
    assert r.status_code == 422, r.text[-1000:]
    words = _page_error(r)
    assert _arabic(words) and not _latin_words(words), words
