"""Quotation forms and speaker attribution (fictional names throughout)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.sources.quotes import extract_quotes


def one(text: str) -> tuple[str, str | None, str]:
    qs = extract_quotes(text)
    assert len(qs) == 1, [q.text for q in qs]
    return qs[0].text, qs[0].speaker, qs[0].speaker_kind


def test_straight_quotes_speaker_after_verb_first() -> None:
    assert one('"They took my brother away at night," said Nadia Qorvan.') == (
        "They took my brother away at night",
        "Nadia Qorvan",
        "named",
    )


def test_curly_quotes_speaker_before_verb() -> None:
    assert one("“They took my brother away at night,” Qorvan said.")[1:] == ("Qorvan", "named")


def test_guillemets_speaker_before_with_colon() -> None:
    text = "Nadia Qorvan told reporters: « They took my brother away at night. »"
    assert one(text) == ("They took my brother away at night.", "Nadia Qorvan", "named")


def test_according_to_before_the_quote() -> None:
    text = 'According to Coastal Rights Watch, "the victims were all unarmed civilians."'
    assert one(text)[1:] == ("Coastal Rights Watch", "organization")


def test_surname_resolved_to_full_name_given_earlier() -> None:
    text = (
        "Nadia Qorvan leads the fictional group.\n\n"
        '"We documented every killing we could reach," Qorvan said.'
    )
    assert one(text)[1] == "Nadia Qorvan"


def test_split_quote_joined_into_one_by_same_speaker() -> None:
    text = '"Without justice," warned Nadia Qorvan, "there will be no peace in Port Selin."'
    q = extract_quotes(text)
    assert len(q) == 1
    assert q[0].text == "Without justice, there will be no peace in Port Selin."
    assert q[0].speaker == "Nadia Qorvan"
    assert len(q[0].segments) == 2


def test_multi_paragraph_quote_with_opening_mark_at_each_paragraph() -> None:
    text = (
        "Nadia Qorvan said: “They came at dawn and took the men from every house.\n\n"
        "“Then they drove them to the square and nobody saw them again.”\n\n"
        "The fictional ministry did not answer."
    )
    q = extract_quotes(text)
    assert len(q) == 1
    assert "took the men" in q[0].text and "nobody saw them again" in q[0].text
    assert len(q[0].segments) == 2 and not q[0].unbalanced
    assert q[0].speaker == "Nadia Qorvan"


def test_unbalanced_mark_closes_at_paragraph_end_without_crashing() -> None:
    text = 'She said: "they never came back to the village\n\nThe next paragraph is prose.'
    q = extract_quotes(text)
    assert len(q) == 1 and q[0].unbalanced
    assert q[0].text == "they never came back to the village"


def test_nested_quotes_inside_guillemets() -> None:
    text = "Un témoin a dit : « Ils criaient “dehors” à tout le monde dans la rue. »"
    q = extract_quotes(text)
    assert len(q) == 1 and "“dehors”" in q[0].text


def test_role_speaker() -> None:
    text = 'The Interior Ministry\'s spokesman told reporters that "the security forces acted only to restore order."'
    assert one(text)[1:] == ("The Interior Ministry's spokesman", "role")


def test_anonymous_speakers() -> None:
    for who in [
        "one witness",
        "a spokesperson for a European rights group",
        "sources",
        "a resident",
    ]:
        text = f'"The shooting went on for hours and hours," {who} said.'
        assert one(text)[2] == "anonymous", who


def test_official_who_asked_not_to_be_named_is_anonymous() -> None:
    text = '"We were ordered to leave the checkpoint," said an official who asked not to be named.'
    assert one(text)[2] == "anonymous"


def test_pronoun_takes_previous_speaker() -> None:
    text = (
        '"We documented thirty-two killings in detail," said Nadia Qorvan.\n\n'
        '"The real toll is far higher than that," she added.'
    )
    q = extract_quotes(text)
    assert [x.speaker for x in q] == ["Nadia Qorvan", "Nadia Qorvan"]


def test_the_group_resolves_to_last_organisation() -> None:
    text = (
        "Coastal Rights Watch published its findings.\n\n"
        '"The killings were deliberate and targeted," the group said.'
    )
    assert one(text)[1:] == ("Coastal Rights Watch", "organization")


def test_unattributed_quote_has_speaker_kind_none() -> None:
    assert one('"Never again will this town be silent about what happened."')[1:] == (None, "none")


def test_scare_quotes_and_titles_are_not_quotations() -> None:
    assert extract_quotes('The so-called "terrorists" were children.') == []
    assert extract_quotes('A report titled "Blood on the Fictional Coast of Selin" came out.') == []


def test_further_quote_in_same_paragraph_keeps_speaker() -> None:
    text = '"They went from house to house," said Nadia Qorvan. "These were deliberate killings."'
    q = extract_quotes(text)
    assert [x.speaker for x in q] == ["Nadia Qorvan", "Nadia Qorvan"]


def test_arabic_guillemets_and_speech_verbs() -> None:
    text = "وقالت نادية قورفان، مديرة المنظمة: «قتلت الميليشيات الرجال أمام عائلاتهم».\n\nوأضاف أحد الشهود: «لم يبق أحد في الحي»."
    q = extract_quotes(text)
    assert [x.text for x in q] == ["قتلت الميليشيات الرجال أمام عائلاتهم", "لم يبق أحد في الحي"]
    assert [(x.speaker, x.speaker_kind) for x in q] == [
        ("نادية قورفان", "named"),
        ("أحد الشهود", "anonymous"),
    ]


def test_arabic_role_and_organization() -> None:
    q = extract_quotes("وصرح المتحدث باسم وزارة الداخلية: «قوات الأمن تحركت لإعادة النظام فقط».")
    assert q[0].speaker_kind == "role"
    q = extract_quotes("وقالت منظمة حقوق الساحل: «عمليات القتل كانت متعمدة وممنهجة».")
    assert q[0].speaker_kind == "organization"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab "“”«»„\n.,:said X Y')), max_size=120))
def test_any_arrangement_of_marks_never_crashes(text: str) -> None:
    for q in extract_quotes(text):
        assert 0 <= q.span[0] <= q.span[1] <= len(text)
        for s, e in q.segments:
            assert 0 <= s <= e <= len(text)


def test_apposition_between_speaker_and_verb() -> None:
    before = 'Tomas Ostal, a spokesperson for the fictional Interior Ministry, said: "The forces acted within the law at all times."'
    after = '"The forces acted within the law at all times," Tomas Ostal, a spokesperson for the fictional ministry, told reporters.'
    for text in (before, after):
        q = extract_quotes(text)[0]
        assert (q.speaker, q.speaker_kind) == ("Tomas Ostal", "named")
        assert q.attribution_span is not None
        assert text[q.attribution_span[0] : q.attribution_span[1]] == "Tomas Ostal"


def test_anonymous_speaker_with_apposition() -> None:
    text = 'A European diplomat, speaking on condition of anonymity, said: "Nobody believes the official toll anymore."'
    assert one(text)[2] == "anonymous"


def test_partial_quote_after_reported_speech() -> None:
    text = 'The fictional rights office said it had received "credible reports of summary executions of civilians".'
    assert one(text)[1:] == ("The fictional rights office", "organization")


def test_arabic_curly_quotes_and_akkada() -> None:
    text = "وأكد مدير المرصد: “قتل ما لا يقل عن ٤٠ مدنيا في الحي الشرقي”."
    q = extract_quotes(text)
    assert [x.text for x in q] == ["قتل ما لا يقل عن ٤٠ مدنيا في الحي الشرقي"]
    assert q[0].speaker_kind == "role"


def test_arabic_attribution_after_the_quote() -> None:
    text = "«لن نسكت عن هذه الجرائم»، قالت نادية قورفان."
    q = extract_quotes(text)
    assert len(q) == 1 and q[0].speaker == "نادية قورفان" and q[0].speaker_kind == "named"
