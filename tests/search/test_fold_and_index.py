"""The search library on plain data: folding, stemming, phrases, prefixes, names across
scripts, permissions before ranking, snippets, serialisation. All text is fictional."""

from __future__ import annotations

from dalil.search.fold import analyse, fold, word_name_key
from dalil.search.index import Doc, Index, Segment, snippet
from dalil.search.query import Part, parse

ALL = {"open", "content", "sensitive", "protected"}


def _ix(*docs: Doc) -> Index:
    return Index([Segment.build(list(docs))])


def _doc(i: int, text: str, access: str = "content", kind: str = "source") -> Doc:
    return Doc(f"{kind}:{i}:text", kind, i, access, str(i), text)


def test_arabic_folding_diacritics_tatweel_alef_hamza_ta_marbuta_ya() -> None:
    assert analyse("مُحَمَّد")[0] == analyse("محمد")[0]
    assert analyse("محـــمد")[0] == "محمد"
    assert analyse("أحمد")[0] == analyse("احمد")[0] == analyse("إحمد")[0]
    assert analyse("مدرسة")[0] == analyse("مدرسه")[0]
    assert analyse("مستشفى")[0] == analyse("مستشفي")[0]
    assert analyse("سؤال")[0] == analyse("سوال")[0]
    assert analyse("٢٠٢٥")[0] == "2025"


def test_arabic_prefixes() -> None:
    assert analyse("المدرسة")[0] == analyse("مدرسة")[0]
    assert analyse("والمدرسة")[0] == analyse("مدرسة")[0]
    assert analyse("بالمدرسة")[0] == analyse("مدرسة")[0]
    # a single-letter prefix becomes an alternate term, never the primary one
    assert analyse("وبيروت") == ("وبيروت", "بيروت")
    assert analyse("بيروت")[0] == "بيروت"
    assert analyse("ورد") == ("ورد", None)  # too short to cut


def test_english_stemming_and_accents() -> None:
    assert analyse("killed")[0] == analyse("Killing")[0] == analyse("kills")[0]
    assert fold("Café") == "cafe"


def test_name_keys_cross_scripts() -> None:
    k = word_name_key("محمد")
    assert k and k == word_name_key("Mohammad") == word_name_key("Muhammad") == word_name_key("Mhd")


def test_query_parse() -> None:
    assert parse('gunmen "mass grave" kill*') == [
        Part(("gunmen",)),
        Part(("mass", "grave"), phrase=True),
        Part(("kill",), prefix=True),
    ]
    assert parse("“المقبرة الجماعية”") == [Part(("المقبرة", "الجماعية"), phrase=True)]
    assert parse("  ,, ") == []


def test_search_folds_both_sides_and_ranks() -> None:
    ix = _ix(
        _doc(1, "قُتِلَ المدنيون في المدرسةِ الكبيرة، وشاهدنا المقبرة الجماعية."),
        _doc(2, "The gunmen killed twelve civilians near the school in Fictional Town."),
        _doc(3, "A report about the weather in Fictional Town."),
    )
    n, hits = ix.search(parse("مدرسه"), ALL)
    assert n == 1 and hits[0].ref == 1 and "<mark>المدرسةِ</mark>" in hits[0].snippet
    n, hits = ix.search(parse("killing civilians"), ALL)
    assert [h.ref for h in hits] == [2]
    n, hits = ix.search(parse("Fictional Town"), ALL)
    assert n == 2


def test_phrase_and_prefix() -> None:
    ix = _ix(
        _doc(1, "they found a mass grave behind the school"),
        _doc(2, "a grave error; the mass of people"),
        _doc(3, "شاهدنا المقبرة الجماعية قرب البلدة"),
    )
    assert [h.ref for h in ix.search(parse('"mass grave"'), ALL)[1]] == [1]
    assert sorted(h.ref for h in ix.search(parse("mass grave"), ALL)[1]) == [1, 2]
    assert [h.ref for h in ix.search(parse('"مقبرة جماعية"'), ALL)[1]] == [3]
    assert [h.ref for h in ix.search(parse('"جماعية مقبرة"'), ALL)[1]] == []
    assert [h.ref for h in ix.search(parse("beh*"), ALL)[1]] == [1]
    assert [h.ref for h in ix.search(parse("بلد*"), ALL)[1]] == [3]


def test_names_across_scripts() -> None:
    ix = _ix(
        _doc(1, "Mohammad Fictional was seen at the checkpoint."),
        _doc(2, "Witness says Mhd Fictional left early."),
        _doc(3, "شهد محمد الخيالي على الحادثة."),
        _doc(4, "The checkpoint was moved."),
    )
    refs = sorted(h.ref for h in ix.search(parse("محمد"), ALL)[1])
    assert refs == [1, 2, 3]
    refs = sorted(h.ref for h in ix.search(parse("Muhammad"), ALL)[1])
    assert refs == [1, 2, 3]


def test_permissions_filter_before_ranking_and_hide_vocabulary() -> None:
    secret = _doc(1, "Zubaydah Fictional saw the convoy convoy convoy", access="protected")
    public = _doc(2, "The convoy passed the bridge", access="open")
    ix = _ix(secret, public)
    n, hits = ix.search(parse("convoy"), {"open"})
    assert n == 1 and hits[0].ref == 2
    # the score does not depend on documents the caller cannot see
    alone = _ix(public).search(parse("convoy"), {"open"})[1][0].score
    assert hits[0].score == alone
    assert ix.search(parse("Zubaydah"), {"open"}) == (0, [])
    # terms only in hidden documents are neither expanded nor highlighted
    n, hits = ix.search(parse("convoy"), {"open"})
    assert all("zubaydah" not in t for t in hits[0].matched)


def test_kinds_filter_and_paging() -> None:
    docs = [_doc(i, f"convoy number {i}") for i in range(1, 8)]
    docs.append(Doc("incident:9", "incident", 9, "open", "x", "convoy attack"))
    ix = _ix(*docs)
    assert ix.search(parse("convoy"), ALL, kinds={"incident"})[0] == 1
    n, page1 = ix.search(parse("convoy"), ALL, limit=3)
    _, page2 = ix.search(parse("convoy"), ALL, limit=3, offset=3)
    assert n == 8 and len(page1) == 3 and not {h.ref for h in page1} & {h.ref for h in page2}


def test_segments_replace_and_remove() -> None:
    ix = _ix(_doc(1, "old words here"), _doc(2, "other text"))
    ix.add(Segment.build([_doc(1, "new words now")]), removed=["source:2:text"])
    assert ix.search(parse("old"), ALL)[0] == 0
    assert ix.search(parse("new"), ALL)[0] == 1
    assert ix.search(parse("other"), ALL)[0] == 0
    compact = ix.compact()
    assert len(compact.segments) == 1 and compact.search(parse("new"), ALL)[0] == 1


def test_serialisation_round_trip() -> None:
    seg = Segment.build([_doc(1, "قُتِلَ محمد في المدرسة"), _doc(2, "Mohammad killed")])
    again = Segment.from_bytes(seg.to_bytes())
    for q in ("محمد", "killing", "مدرسة"):
        assert Index([seg]).search(parse(q), ALL) == Index([again]).search(parse(q), ALL)


def test_snippet_escapes_html_and_marks() -> None:
    s = snippet("<script>x</script> the convoy & the bridge", {"convoy"})
    assert "<script>" not in s and "&lt;script&gt;" in s and "<mark>convoy</mark>" in s
