"""Messages kept as a message id and parameters, put into words when they are shown.

A job's log lines and the error it ends with are stored once and read by people in
different languages (the workbench in English or Arabic, the CLI in English). So they
are stored as a message id (the English sentence, a msgid of the catalogues in
:mod:`dalil.display.i18n`, with ``%(name)s`` placeholders) and its parameters, as JSON,
and translated when shown::

    from dalil.display.messages import N_, Message

    say(Message(N_("Checked %(done)s of %(total)s items"), done=10, total=200))
    stored = encode(msg)        # '{"m": "Checked %(done)s of %(total)s items", "p": {...}}'
    render(stored, "ar")        # 'فُحص ١٠ …' — in the reader's language

A :class:`Message` is a ``str`` (its English words), so code that only prints it needs no
change. A stored line that is not such JSON (written before, or by other code) is shown
as it is. Parameters are counts, numbers, short codes or other messages (nested), never
a record's content. Integers are written with thousands separators, as the rest of the
interface writes them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

#: Longest stored form (the job log's column holds 500 characters).
STORED_MAX = 500
#: Longest text parameter kept (a file name inside an archive, a list of fields).
PARAM_MAX = 160


def N_(msgid: str) -> str:
    """Mark *msgid* for the catalogues (it is translated when shown)."""
    return msgid


class Message(str):
    """A message id and its parameters; as a ``str``, its English words."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> Message:
        clean = {str(k): _clean(v) for k, v in params.items()}
        self = super().__new__(cls, _fill(msgid, clean, None))
        self.msgid = msgid
        self.params = clean
        return self

    def to_json(self) -> dict[str, Any]:
        return {"m": self.msgid, "p": {k: _jsonable(v) for k, v in self.params.items()}}


def _clean(v: Any) -> Any:
    if isinstance(v, Message | bool) or v is None:
        return v
    if isinstance(v, int | float):
        return v
    return " ".join(str(v).split())[:PARAM_MAX]


def _jsonable(v: Any) -> Any:
    return v.to_json() if isinstance(v, Message) else v


def _number(v: int | float) -> str:
    if isinstance(v, int):
        return f"{v:,}"
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    return f"{v:,.6g}" if abs(v) >= 1 else f"{v:.3g}"


def _fill(
    msgid: str,
    params: Mapping[str, Any],
    lang: str | None,
    data: Callable[[str], str] | None = None,
    escape: Callable[[str], str] | None = None,
) -> str:
    """*msgid* translated into *lang* (None: English, no catalogue) with its *params*.
    *escape* is applied to the sentence and *data* to each text parameter (a page wraps
    a name or a file name so that it keeps its own direction)."""
    text = msgid
    if lang is not None:
        from dalil.display.i18n import translations

        text = translations(lang).gettext(msgid)
    if escape is not None:
        text = escape(text)
    shown: dict[str, str] = {}
    for k, v in params.items():
        if isinstance(v, Message):
            shown[k] = _fill(v.msgid, v.params, lang, data, escape)
        elif isinstance(v, bool) or v is None:
            shown[k] = str(v)
        elif isinstance(v, int | float):
            shown[k] = _number(v)
        else:
            shown[k] = data(str(v)) if data is not None else str(v)
    if not shown and "%(" not in text:
        return text
    try:
        return text % shown
    except (KeyError, ValueError, TypeError):
        return msgid if text is not msgid else text


def encode(message: str) -> str:
    """The stored form of *message*: JSON for a :class:`Message` (its English words,
    cut to one line, when the JSON would not fit), else the words on one line."""
    if isinstance(message, Message):
        text = json.dumps(message.to_json(), ensure_ascii=False, separators=(",", ":"))
        if len(text) <= STORED_MAX:
            return text
    return " ".join(str(message).split())[:300]


def _from_json(d: Any) -> Message | None:
    if not isinstance(d, dict) or not isinstance(d.get("m"), str):
        return None
    params: dict[str, Any] = {}
    for k, v in (d.get("p") or {}).items():
        nested = _from_json(v) if isinstance(v, dict) else None
        params[str(k)] = nested if nested is not None else v
    return Message(d["m"], **params)


def decode(stored: str | None) -> Message | None:
    """The message a stored line holds, or None for a line of plain words."""
    if not stored or not stored.startswith('{"m":'):
        return None
    try:
        return _from_json(json.loads(stored))
    except ValueError:
        return None


def render(stored: str | None, lang: str = "en") -> str:
    """A stored line in words in *lang* (a plain line as it is)."""
    if stored is None:
        return ""
    msg = decode(stored)
    if msg is None:
        return stored
    return _fill(msg.msgid, msg.params, lang)


def as_json(stored: str | None) -> dict[str, Any] | None:
    """``{"id": msgid, "params": {...}}`` of a stored message (API clients translate or
    branch on the id), or None for plain words."""
    msg = decode(stored)
    if msg is None:
        return None
    return {"id": msg.msgid, "params": msg.to_json()["p"]}


def in_words(
    message_id: str | None,
    params: Mapping[str, Any] | None,
    lang: str,
    *,
    data: Callable[[str], str] | None = None,
    escape: Callable[[str], str] | None = None,
) -> str:
    """The words in *lang* of a message given as :func:`as_json` gives it (*data*,
    *escape*: as for a page, see :func:`_fill`)."""
    if not message_id:
        return ""
    msg = _from_json({"m": message_id, "p": dict(params or {})})
    if msg is None:
        return message_id
    return _fill(msg.msgid, msg.params, lang, data, escape)


def words(text: str, lang: str) -> str:
    """*text* in *lang*: a :class:`Message` translated, any other text as it is (a
    record's label: a name, or words such as "withheld item 6")."""
    if isinstance(text, Message):
        return _fill(text.msgid, text.params, lang)
    return text


def error_in_words(err: BaseException, lang: str) -> str:
    """A refusal's words in *lang*: its message id translated when it was raised with a
    :class:`Message` (``DalilError.words``), else its text as it is."""
    words = getattr(err, "words", None)
    if isinstance(words, Message):
        return _fill(words.msgid, words.params, lang)
    return str(err)


__all__ = [
    "N_",
    "Message",
    "as_json",
    "decode",
    "encode",
    "error_in_words",
    "in_words",
    "render",
    "words",
]
