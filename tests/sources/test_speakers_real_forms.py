"""Speakers as real reporting writes them (invented texts): abbreviations, pronouns after
a new person, "the office"/المنظمة, implicit Arabic subjects, reported speech, datelines."""

from __future__ import annotations

from dalil.sources.compare import analyse, compare
from dalil.sources.quotes import extract_quotes


def speakers(text: str) -> list[tuple[str | None, str]]:
    return [(q.speaker, q.speaker_kind) for q in extract_quotes(text)]


def test_speaker_after_an_abbreviation() -> None:
    text = '"We are alarmed by what we hear from the valley," U.N. rights spokesperson Ana Example told reporters.'
    assert speakers(text)[0][0] in ("Ana Example", "U.N. rights spokesperson Ana Example")
    text2 = 'The director of the Centre, Dara Example, said: "Nothing was near the market at all."'
    assert speakers(text2) == [("Dara Example", "named")]


def test_pronoun_goes_to_the_person_introduced_since_the_last_quote() -> None:
    text = (
        '"We are alarmed by these reports," said Ana Example, a spokesperson.\n\n'
        "A woman in Fictiontown, reached by telephone, said she had hidden with her children. "
        '"They took my husband and his brother," she said.\n\n'
        "Her cousin, Omar Example, described the same night. "
        '"They went door to door," he said.'
    )
    got = speakers(text)
    assert got[0][0] == "Ana Example"
    assert got[1] == ("A woman in Fictiontown", "anonymous")
    assert got[2] == ("Omar Example", "named")


def test_pronoun_after_a_person_named_in_prose() -> None:
    text = (
        "Sana Example, for the Fictional Office, said that the Office had verified the deaths. "
        '"The victims were lined up and shot," she said.'
    )
    assert speakers(text) == [("Sana Example", "named")]


def test_generic_reference_to_a_named_organisation() -> None:
    text = (
        "The Fictional Office for Human Rights said it was concerned.\n\n"
        '"Enforced disappearance is a crime under international law," the office said.'
    )
    assert speakers(text) == [("Fictional Office for Human Rights", "organization")]
    ar = (
        'قالت منظمة شهود الساحل إن الصيادين اختفوا.\n\nوقالت المنظمة: "على السلطات أن تكشف مصيرهم".'
    )
    assert speakers(ar) == [("منظمة شهود الساحل", "organization")]


def test_arabic_implicit_subject_and_reported_quote() -> None:
    text = (
        'وأكدت سلمى مثال، مديرة الشبكة، أن "ما جرى جريمة منظمة لا تمر دون محاسبة".\n\n'
        'وتابعت: "فرق الشبكة جمعت شهادات الناجين".\n\n'
        'ونقل البيان عن مدير المرصد كريم مثال قوله: "لقد أبلغنا الأمم المتحدة بكل التفاصيل".\n\n'
        'واضاف: "وسنواصل التوثيق في كل القرى".'
    )
    got = [sp for sp, _k in speakers(text)]
    assert got == ["سلمى مثال", "سلمى مثال", "كريم مثال", "كريم مثال"]


def test_spokesperson_words_given_to_the_organisation_are_not_misattributed() -> None:
    release = (
        "Spokesperson for the Fictional Office for Human Rights: Maren Example\n\n"
        "We are concerned by the arrests in Fictiontown.\n\n"
        '"Enforced disappearance is a crime under international law," Example said.'
    )
    news = (
        "The Fictional Office for Human Rights is concerned by the arrests.\n\n"
        '"Enforced disappearance is a crime under international law," the office said.'
    )
    q = compare(analyse(release, id="a"), analyse(news, id="b"))["quotes"][0]
    assert q["status"] == "verbatim" and "changed_speaker" not in q["flags"]
    assert q["source_speaker"] == "Maren Example"


def test_quoting_reported_speech_is_verbatim_and_keeps_the_reporter() -> None:
    release = "The group's director, Lina Example, added that the teams had collected 35 testimonies in the valley."
    news = 'Lina Example said "the teams had collected 35 testimonies in the valley".'
    q = compare(analyse(release, id="a"), analyse(news, id="b"))["quotes"][0]
    assert (q["status"], q["source_speaker"]) == ("verbatim", "Lina Example")


def test_a_dateline_is_not_what_anyone_said() -> None:
    release = "(Port Example, 30 April 2025) – At least 17 men from Oskel remain missing three weeks after the raid, the group said."
    news = 'At least 17 men from Oskel "remain missing three weeks after the raid," the group said.'
    q = compare(analyse(release, id="a"), analyse(news, id="b"))["quotes"][0]
    assert (q["status"], q["flags"]) == ("verbatim", [])
