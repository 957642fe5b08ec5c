"""Every record page's Retract (or Restore) form behaves like the victim-list one: a
refused reason re-renders the page with status 422, the refusal next to the reason
field and the typed reason kept, and the form shows what retracting (or restoring)
changes downstream before it is confirmed. All data fictional."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

KINDS = [
    ("incidents", "incident"),
    ("persons", "person"),
    ("acts", "act"),
    ("sites", "site"),
    ("units", "unit"),
    ("memberships", "membership"),
    ("sources", "source"),
    ("provenance", "provenance"),
    ("evidence", "evidence"),
]


@pytest.mark.parametrize(("kind", "key"), KINDS)
def test_a_refused_reason_keeps_the_text_next_to_the_field(
    make_client: Any, seeded: dict[str, Any], kind: str, key: str
) -> None:
    ivy = make_client()
    ivy.login("investigator")
    url = f"/{kind}/{seeded[key]}"
    page = ivy.get(url)
    assert page.status_code == 200, page.text
    form = page.text[page.text.index('id="retract-form"') :]
    assert 'id="retract-impact"' in form  # what it changes, before it is confirmed
    head = page.text[: page.text.index('id="retract-form"')]
    action = re.findall(r'<form method="post" action="([^"]+)"', head)[-1]  # this form's
    assert action.endswith(("/retract", "/restore")), action
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    typed = "no"
    r = ivy.post(action, data={"reason": typed, "csrf_token": token})
    assert r.status_code == 422, (r.status_code, r.headers.get("location"))
    body = r.text
    assert 'aria-invalid="true"' in body and 'aria-describedby="retract-error"' in body
    field = body[body.index('<textarea id="retract-reason"') :]
    assert re.match(r'<textarea id="retract-reason"[^>]*>no</textarea>', field), field[:300]
    # the refusal right after the field
    after = field[field.index("</textarea>") :][:400]
    assert 'id="retract-error"' in after
    assert html.escape("Give a reason (at least 3 characters); it is logged.") in after
    assert " open>" in body  # the form stays open
