"""The fast cell renderer (``value_html``, Python) writes exactly what the Jinja macro it
replaced on the list pages wrote, for every language and any JSON-like value — including
values crafted to break out of the HTML (a pseudonym or source title is user input)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from dalil.display.i18n import LANGUAGES
from dalil.web import present
from dalil.web.context import make_environments

# The macro as it was in templates/_value.html before the Python version replaced it.
OLD_MACRO = (
    '{% macro value(v) %}{% if v is none or v == "" or (v is iterable and v is not string '
    'and v|length == 0) %}<span class="muted">—</span>{% elif v is sameas true %}'
    '{{ _("yes") }}{% elif v is sameas false %}{{ _("no") }}{% elif v is mapping %}'
    '<bdi dir="auto">{% for k, x in v.items() %}{{ k }}: {{ x }}{% if not loop.last %}; '
    "{% endif %}{% endfor %}</bdi>{% elif v is iterable and v is not string %}"
    '<bdi dir="auto">{{ v|join(", ") }}</bdi>{% else %}<bdi dir="auto">{{ v }}</bdi>'
    "{% endif %}{% endmacro %}{{ value(v) }}"
)

ENVS = make_environments()
HOSTILE = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=1>',
        "a&b",
        "م. ع. (fictional)",
        "",
        " ",
        "'",
        "%s",
        "%(x)s",
        "{{ 7*7 }}",
    ]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    HOSTILE,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), HOSTILE), inner, max_size=4),
    ),
    max_leaves=8,
)


def _old(lang: str, v: Any) -> str:
    env = ENVS[lang]
    return env.from_string(OLD_MACRO).render(v=v)


def _new(lang: str, v: Any) -> str:
    env = ENVS[lang]
    return env.from_string("{{ value_html(v) }}").render(v=v)


@settings(max_examples=300, deadline=None)
@given(v=values, lang=st.sampled_from(sorted(LANGUAGES)))
def test_fast_cell_renderer_writes_what_the_macro_wrote(v: Any, lang: str) -> None:
    assert _new(lang, v) == _old(lang, v)


def test_fast_cell_renderer_escapes_markup_in_stored_values() -> None:
    out = _new("en", {"<b>": ["<script>", "x"]})
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out


def test_value_macro_in_templates_delegates_to_the_fast_renderer() -> None:
    for lang in LANGUAGES:
        env = ENVS[lang]
        tpl = env.from_string('{% from "_value.html" import value %}{{ value(v) }}')
        for v in (None, "", True, False, 0, 1.5, "<i>x</i>", [], ["a", "<b>"], {"k": [1, 2]}):
            assert tpl.render(v=v) == _old(lang, v)


@settings(max_examples=300, deadline=None)
@given(v=st.one_of(scalars, st.builds(Markup, HOSTILE)), direction=st.sampled_from(["auto", "ltr"]))
def test_the_concatenating_cell_wrapper_writes_what_markup_format_wrote(
    v: Any, direction: str
) -> None:
    """``present.bdi`` (list pages' cells) replaced ``Markup.format``: the same HTML,
    stored values escaped, markup already escaped kept as it is."""
    old = Markup('<bdi dir="' + direction + '">{}</bdi>').format(v)
    assert present.bdi(v, direction) == old
    assert isinstance(present.bdi(v, direction), Markup)


@settings(max_examples=200, deadline=None)
@given(label=st.one_of(st.text(max_size=20), HOSTILE), ident=st.integers(min_value=1))
def test_a_linked_record_label_is_escaped_as_before(label: str, ident: int) -> None:
    labels = present.Labels(found={("sources", ident): (label, f"/sources/{ident}")})
    old = Markup('<a href="{}"><bdi dir="auto">{}</bdi></a>').format(f"/sources/{ident}", label)
    assert labels.link("sources", ident) == old
