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


def test_assessments_and_provenance_links_are_labelled_in_arabic_on_the_retract_form(
    app: Any, make_client: Any, seeded: dict[str, Any]
) -> None:
    """What retracting a record takes with it (issue #11 item 4): an assessment by its
    element and finding in words and the act or incident it is of, a provenance link by
    its role and the kind of record it is about, in the page's language; was English
    built from the codes ('civilian: likely (act N)', 'supports incident N')."""
    from dalil.services import assessments, evidence, persons, records

    from .conftest import USERS

    case = app.state.case
    item = evidence.add_bytes(
        case, case.actor(USERS["admin"]), b"Fictional note, retract-label test.\n", name="n.txt"
    ).item
    with case.act(USERS["admin"]) as ctx:
        inc = records.add(ctx, "incident", title="Fictional raid (retract labels)")
        # a victim of this test's own: the seeded witness's page is counted elsewhere
        victim = persons.add_person(ctx, pseudonym="V-RL-1", roles=["victim"])
        act = records.add(
            ctx, "act", incident_id=inc.id, victim_id=victim.id, act_type="killing",
            status="likely",
        )  # fmt: skip
        assessments.assess(ctx, act.id, "civilian", "likely", [item.id], note="fictional")
        records.add(
            ctx, "provenance", subject_kind="incident", subject_id=inc.id, evidence_id=item.id,
            role="supports", locator="p. 1",
        )  # fmt: skip
    ivy = make_client()
    ivy.get("/login?lang=ar")
    ivy.login("investigator")
    # the evidence item's page: the link made with it, the assessment citing it
    wanted = {
        f"/evidence/{item.sha256}": ["مدني / عاجز عن القتال", "مرجَّح", f"الفعل {act.id}", "يؤيد"],
    }
    for url, words in wanted.items():
        page = ivy.get(url)
        assert page.status_code == 200, page.text[-1000:]
        form = page.text[page.text.index('id="retract-form"') :]
        form = form[: form.index("</form>")]
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", form)).split())
        for w in words:
            assert w in text, (url, w, text)
        for english in ("civilian", "likely", "supports", "incident "):
            assert english not in text, (url, english, text)


def test_an_act_type_with_two_words_is_in_arabic_on_the_retract_form(
    app: Any, make_client: Any, seeded: dict[str, Any]
) -> None:
    """An incident's retract form lists the acts it takes with it by their type in
    words: the codes of two words (sexual_violence, forced_displacement,
    property_destruction) have words of their own and were shown as codes."""
    from dalil.services import persons, records

    from .conftest import USERS

    case = app.state.case
    with case.act(USERS["admin"]) as ctx:
        inc = records.add(ctx, "incident", title="Fictional raid (act type words)")
        victim = persons.add_person(ctx, pseudonym="V-RL-2", roles=["victim"])
        for t in ("sexual_violence", "forced_displacement", "property_destruction"):
            records.add(ctx, "act", incident_id=inc.id, victim_id=victim.id, act_type=t)
    ivy = make_client()
    ivy.get("/login?lang=ar")
    ivy.login("investigator")
    page = ivy.get(f"/incidents/{inc.id}")
    assert page.status_code == 200, page.text[-1000:]
    form = page.text[page.text.index('id="retract-form"') :]
    form = form[: form.index("</form>")]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", form)).split())
    for words in ("عنف جنسي", "تهجير قسري", "تدمير ممتلكات"):
        assert words in text, (words, text)
    for code in ("sexual_violence", "forced_displacement", "property_destruction"):
        assert code not in text, (code, text)
