"""The list pages' cheaper paths write what the old ones wrote.

* ``present.esc`` gives the text of ``markupsafe.escape`` for any value (the cells of a
  list page are built as plain ``str`` and wrapped in one ``Markup``);
* ``Words.cell`` writes what ``Words.value`` wrote before it became ``Markup(cell)``
  (the old method is kept below as the oracle), for hostile text too;
* a list page shows a hostile pseudonym and source title escaped, never as markup;
* the plain list statements are built once per shape with their bounds as parameters
  (``persons.list_persons_open``, ``records.list_open``): pages of one shape with other
  bounds are still the right rows, and a list page runs a bounded number of statements
  whatever its number of rows.
"""

from __future__ import annotations

import html
import itertools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape
from sqlalchemy import event

from dalil.web import present

from .conftest import USERS

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=1>',
    "a&b",
    "'single'",
    "&amp; already",
    "م. ع. (fictional)",
    "",
    " ",
    "%s",
    "{{ 7*7 }}",
]
text = st.one_of(st.text(max_size=24), st.sampled_from(HOSTILE))


class Html:
    """An object that says it is HTML already (``__html__``): escape keeps it."""

    def __init__(self, s: str) -> None:
        self.s = s

    def __html__(self) -> str:
        return self.s


@settings(max_examples=400, deadline=None)
@given(
    v=st.one_of(
        text,
        st.builds(Markup, text),
        st.builds(Html, text),
        st.integers(),
        st.booleans(),
        st.floats(allow_nan=False),
        st.none(),
        st.lists(text, max_size=3),
    )
)
def test_esc_is_markupsafe_escape_as_plain_text(v: Any) -> None:
    out = present.esc(v)
    assert type(out) is str
    assert out == str(escape(v))


def test_esc_escapes_every_special_character() -> None:
    out = present.esc("<a href=\"x\" title='y'>&</a>")
    assert out == "&lt;a href=&#34;x&#34; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
    assert html.unescape(out) == "<a href=\"x\" title='y'>&</a>"


def _old_value(w: present.Words, name: str, v: Any, record: dict[str, Any] | None) -> Markup:
    """``Words.value`` as it was before it became ``Markup(Words.cell(...))``."""
    from dalil.display.messages import words
    from dalil.web.present import (
        FIELD_LABELS,
        PRECISION_OF,
        REF_FIELDS,
        SUBJECT_KINDS,
        TIMESTAMPS,
        WORD_FIELDS,
        timestamp,
    )

    dash = Markup('<span class="muted">—</span>')

    def bdi(v: Any, direction: str = "auto") -> Markup:
        return Markup(f'<bdi dir="{direction}">{escape(v)}</bdi>')

    def link(kind: str, ident: Any) -> Markup:
        if ident is None or ident == "":
            return dash
        label, url = w.labels.found.get((kind, ident), (f"#{ident}", f"/{kind}/{ident}"))
        label = words(label, w.labels.lang)
        return Markup(f'<a href="{escape(url)}"><bdi dir="auto">{escape(label)}</bdi></a>')

    if v is None or v == "" or v == [] or v == {}:
        return dash
    if name in REF_FIELDS:
        return link(REF_FIELDS[name], v)
    if name == "perpetrator_ids" and isinstance(v, list):
        return Markup(", ").join(link("persons", i) for i in v)
    if name == "subject_id" and record and record.get("subject_kind") in SUBJECT_KINDS:
        return link(SUBJECT_KINDS[record["subject_kind"]], v)
    if name in TIMESTAMPS or isinstance(v, datetime):
        return bdi(timestamp(v), "ltr")
    if name in PRECISION_OF and record is not None:
        prec = record.get(PRECISION_OF[name])
        words = f"{v} ({w.word(prec)})" if prec else str(v)
        return bdi(words, "ltr")
    if name == "protected_fields":
        return Markup(", ").join(
            escape(w._(FIELD_LABELS.get(f, f))) for f in v if isinstance(f, str)
        )
    if isinstance(v, bool):
        return Markup(escape(w._("yes") if v else w._("no")))
    if isinstance(v, list | tuple):
        return bdi(", ".join(w.word(x) if name == "roles" else str(x) for x in v))
    if isinstance(v, dict):
        from dalil.web.audit_words import words_html

        return words_html(v, w._)
    if name in WORD_FIELDS:
        return Markup(escape(w.word(v)))
    return bdi(v)


class _Ctx:
    """What ``Words`` reads of a request: its translations."""

    def __init__(self, lang: str) -> None:
        from dalil.display import i18n

        self.gettext = i18n.translations(lang)


NAMES = [
    "title",
    "pseudonym",
    "roles",
    "sex",
    "kind",
    "age",
    "published",
    "date",
    "created_at",
    "source_id",
    "victim_id",
    "perpetrator_ids",
    "subject_id",
    "protected_fields",
    "notes",
]
cell_values = st.one_of(
    text,
    st.integers(min_value=-5, max_value=10**6),
    st.booleans(),
    st.none(),
    st.lists(st.one_of(text, st.sampled_from(["victim", "witness", "report"])), max_size=3),
    st.lists(st.integers(min_value=1, max_value=9), max_size=3),
    st.dictionaries(st.sampled_from(["a", "<k>"]), text, max_size=2),
    st.just(datetime(2026, 12, 4, 9, 14, 33, tzinfo=UTC)),
    st.sampled_from(["2025-03", "female", "report", "likely"]),
)


@settings(max_examples=500, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    v=cell_values,
    lang=st.sampled_from(["en", "ar"]),
    label=text,
    prec=st.sampled_from([None, "month", "day", "<b>"]),
    subject_kind=st.sampled_from([None, "person", "<x>"]),
)
def test_cell_writes_what_value_wrote(
    name: str, v: Any, lang: str, label: str, prec: Any, subject_kind: Any
) -> None:
    found = {(k, i): (label, f"/{k}/{i}?x=<&>") for k in ("persons", "sources") for i in range(10)}
    w = present.Words(_Ctx(lang), present.Labels(found=found, lang=lang))  # type: ignore[arg-type]
    record = {"published_precision": prec, "date_precision": prec, "subject_kind": subject_kind}
    try:
        old = _old_value(w, name, v, record)
    except (TypeError, AttributeError, KeyError) as err:  # a value the field never holds
        with pytest.raises(type(err)):
            w.cell(name, v, record)
        return
    new = w.cell(name, v, record)
    assert type(new) is str
    assert new == str(old)
    assert w.value(name, v, record) == old and isinstance(w.value(name, v, record), Markup)


def test_a_list_page_shows_hostile_text_escaped(app: Any, client: Any) -> None:
    from dalil.services import persons, records

    evil = "<script>alert('x')</script>&\""
    with app.state.case.act(USERS["admin"]) as ctx:
        pid = persons.add_person(ctx, pseudonym=f"P{evil}", roles=["victim"]).id
        sid = records.add(ctx, "source", kind="report", title=f"T{evil}", publisher=evil).id
    client.login("admin")
    for url in (f"/persons?limit=5&after={pid - 1}", f"/sources?limit=5&after={sid - 1}"):
        page = client.get(url)
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#34;" in page.text


class _Statements:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.seen: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        # the page's statements, not those of a job that the shared app's inline job
        # runner (or its heartbeat) happens to run at the same time
        if not threading.current_thread().name.startswith(("dalil-inline-jobs", "dalil-job-")):
            self.seen.append(sql)


@pytest.fixture
def statements(app: Any) -> Iterator[_Statements]:
    s = _Statements(app.state.case.engine)
    event.listen(s.engine, "before_cursor_execute", s)
    yield s
    event.remove(s.engine, "before_cursor_execute", s)


_SERIAL = itertools.count(1)


@pytest.mark.parametrize("kind", ["persons", "sources"])
def test_list_page_statements_bounded(
    app: Any, client: Any, statements: _Statements, kind: str
) -> None:
    """The login session's read, the page's rows and (a small total is not remembered)
    its count, and on SQLite a ``BEGIN`` for each of the two transactions: no statement
    per row, as many for 5 rows as for 20."""
    from dalil.services import persons, records

    with app.state.case.act(USERS["admin"]) as ctx:
        for _ in range(20):
            n = next(_SERIAL)
            if kind == "persons":
                persons.add_person(ctx, pseudonym=f"V-cells-{n}", roles=["victim"])
            else:
                records.add(ctx, "source", kind="report", title=f"Fictional cells {n}")
    client.login("admin")
    counts = []
    for limit in (5, 20):
        url = f"/{kind}?limit={limit}"
        assert client.get(url).status_code == 200  # warm
        statements.seen.clear()
        page = client.get(url)
        assert page.status_code == 200
        assert page.text.count("<tr><td><a href=") == limit
        counts.append(len(statements.seen))
    assert counts[0] == counts[1] <= 5, statements.seen


def test_a_kept_statement_pages_by_its_bounds(app: Any) -> None:
    """One shape (id order, *after* and *limit* given), built once, run with other
    bounds: each page is the rows after its own bound, not after the first one's."""
    from dalil.services import persons, records

    with app.state.case.act(USERS["admin"], write=False) as ctx:
        every = [p["id"] for p in persons.list_persons_open(ctx)]
        for after in (every[0], every[2], every[4]):
            got = [p["id"] for p in persons.list_persons_open(ctx, after=after, limit=2)]
            assert got == [i for i in every if i > after][:2]
        for before in (every[-1], every[-3]):
            got = [p["id"] for p in persons.list_persons_open(ctx, before=before, limit=2)]
            assert got == [i for i in every if i < before][-2:]
        for offset in (1, 3):
            got = [p["id"] for p in persons.list_persons_open(ctx, offset=offset, limit=2)]
            assert got == every[offset : offset + 2]
        sources = [s["id"] for s in records.list_open(ctx, "source")]
        for after in (sources[0], sources[1]):
            got = [s["id"] for s in records.list_open(ctx, "source", after=after, limit=1)]
            assert got == [i for i in sources if i > after][:1]
        for offset in (0, 1):
            got = [s["id"] for s in records.list_open(ctx, "source", offset=offset, limit=1)]
            assert got == sources[offset : offset + 1]
