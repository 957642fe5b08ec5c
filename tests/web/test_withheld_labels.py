"""A sensitive evidence item linked from a record is labelled in words, never by a hash:
its file name for a role that may read sensitive items, "withheld item N" (in the
reader's language) for one that may not, with nothing of its name or content (issue
#11, items 4 and 9). All data fictional."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from .conftest import USERS, Client

NAME = "statement-of-fictional-witness-K.txt"


@pytest.fixture(scope="module")
def linked(app: Any, seeded: dict[str, Any]) -> dict[str, Any]:
    """A sensitive item supporting the seeded incident (a provenance link)."""
    from dalil.services import assessments, evidence, records

    case = app.state.case
    res = evidence.add_bytes(
        case,
        case.actor(USERS["admin"]),
        b"Fictional sensitive statement of witness K, withheld-label test.\n",
        name=NAME,
        sensitive=True,
    )
    with case.act(USERS["admin"]) as ctx:
        link = records.add(
            ctx,
            "provenance",
            subject_kind="incident",
            subject_id=seeded["incident"],
            evidence_id=res.item.id,
            role="supports",
            locator="p. 1",
        )
        # an act whose legal assessment cites the item
        act = records.add(
            ctx, "act", incident_id=seeded["incident"], victim_id=seeded["person"] + 4,
            act_type="killing", status="likely",
        )  # fmt: skip
        assessments.assess(ctx, act.id, "civilian", "likely", [res.item.id], note="fictional")
    return {"item": res.item.id, "sha256": res.item.sha256, "link": link.id, "act": act.id}


def _text(html: str) -> str:
    main = re.search(r"<main[^>]*>(.*?)</main>", html, re.S)
    assert main is not None
    text = re.sub(r"<option[^>]*>", "<option> ", main.group(1))  # options as words too
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split())


def _pages(seeded: dict[str, Any], linked: dict[str, Any]) -> list[str]:
    return [
        "/provenance?limit=500",
        f"/provenance/{linked['link']}",
        f"/incidents/{seeded['incident']}",
        "/evidence?limit=500",
        "/provenance/new",  # the evidence item to choose
        f"/findings/acts/{linked['act']}",  # the evidence a finding cites
    ]


@pytest.mark.parametrize(("lang", "words"), [("en", "withheld item"), ("ar", "دليل محجوب")])
def test_a_role_that_may_not_read_it_sees_withheld_item_n(
    client: Client, seeded: dict[str, Any], linked: dict[str, Any], lang: str, words: str
) -> None:
    client.get(f"/login?lang={lang}")
    client.login("analyst")  # may write records, may not read sensitive items
    for url in _pages(seeded, linked):
        r = client.get(url)
        assert r.status_code == 200, url
        text = _text(r.text)
        assert f"{words} {linked['item']}" in text, (url, text[-1500:])
        assert "statement-of-fictional" not in r.text and NAME not in r.text, url
        assert linked["sha256"][:12] not in text, url  # no hash as its label
        if lang == "ar":  # the act type in words (the findings page; the acts that
            assert "killing" not in text, url  # depend on the incident, on its page)


def test_a_role_that_may_read_it_sees_its_file_name(
    client: Client, seeded: dict[str, Any], linked: dict[str, Any]
) -> None:
    client.login("investigator")
    for url in _pages(seeded, linked):
        text = _text(client.get(url).text)
        assert NAME in text and "withheld item" not in text, (url, text[-1500:])
