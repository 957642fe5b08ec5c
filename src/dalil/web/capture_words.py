"""A web capture job's result in words: what was captured (its kind, pages and media,
sizes in readable units), each record the import made as a link showing its title or file
name, the integrity checks in sentences and the warnings in words (issue #11, "words,
not internals"). Also the readable size and media-type words the job page uses for other
results (:mod:`dalil.web.audit_words`).

The stored result (``captures.record_stored_capture``) is unchanged: the CLI and the API
give it as it is; this module only shows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

from dalil.web.context import N_

Gettext = Callable[[str], str]

#: Units of a readable size (powers of 1,024).
_UNITS = (N_("%(n)s KB"), N_("%(n)s MB"), N_("%(n)s GB"), N_("%(n)s TB"))

#: Media types with words of their own.
_MEDIA_TYPES: dict[str, str] = {
    "application/wacz": N_("web archive (WACZ)"),
    "application/warc": N_("web archive (WARC)"),
    "application/pdf": N_("PDF document"),
    "text/html": N_("web page (HTML)"),
    "text/plain": N_("text"),
}
#: The first part of other media types (``image/png`` -> image (PNG)).
_MEDIA_KINDS: dict[str, str] = {
    "image": N_("image"),
    "video": N_("video"),
    "audio": N_("audio"),
    "text": N_("text"),
}
_KIND_AND_FORMAT = N_("%(kind)s (%(format)s)")
#: What a capture is, by its ``kind`` (else: a web capture).
_WEB_CAPTURE = N_("web capture")
CAPTURE_KINDS: dict[str, str] = {
    "wacz": _MEDIA_TYPES["application/wacz"],
    "warc": _MEDIA_TYPES["application/warc"],
}

#: ``<url>: too large to extract (<media type>)``: a record of the capture left out.
_SKIPPED = re.compile(r"(?P<url>.*): too large to extract \((?P<type>[^()]*)\)")
#: :data:`dalil.sources.webcapture.NO_HTML` (the library's own words, stored in the summary).
_NO_HTML = "the page's HTML is not in the capture"


def size_words(n: Any, _: Gettext) -> str:
    """``73 bytes``, ``4.4 KB``, ``1.2 MB`` (powers of 1,024), in the reader's language."""
    try:
        size = int(n)
    except (TypeError, ValueError):
        return str(n)
    if size < 1024:
        return _("%(n)s bytes") % {"n": f"{size:,}"}
    value = float(size)
    for unit in _UNITS:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            shown = f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
            return _(unit) % {"n": shown}
    raise AssertionError("unreachable")  # pragma: no cover


def media_type_words(media_type: Any, _: Gettext) -> str:
    """``image/png`` -> image (PNG); ``application/wacz`` -> web archive (WACZ); a type
    with no word of its own: file (its format)."""
    text = str(media_type or "").split(";", 1)[0].strip().lower()
    if text in _MEDIA_TYPES:
        return _(_MEDIA_TYPES[text])
    major, _sep, minor = text.partition("/")
    fmt = re.split(r"[+.]", minor.removeprefix("x-").removeprefix("vnd."))[-1].upper() or "?"
    kind = _MEDIA_KINDS.get(major, N_("file"))
    return _(_KIND_AND_FORMAT) % {"kind": _(kind), "format": fmt}


def _bdi(v: Any, direction: str = "auto") -> Markup:
    return Markup('<bdi dir="{}">{}</bdi>').format(direction, v)


def _when(v: Any) -> Markup:
    from dalil.web.present import timestamp

    return _bdi(timestamp(v), "ltr") if v else Markup("")


def wanted(result: Mapping[str, Any]) -> dict[str, set[Any]]:
    """The records a capture job's result links to (web kind -> ids), for their labels."""
    out: dict[str, set[Any]] = {"sources": set(), "evidence": set()}
    for s in result.get("sources") or ():
        out["sources"].add(s.get("id"))
    ev = result.get("evidence") or {}
    out["evidence"].add(ev.get("id"))
    if ev.get("source_id") is not None:
        out["sources"].add(ev["source_id"])
    for item in (*(result.get("media") or ()), *(result.get("texts") or ())):
        out["evidence"].add(item.get("id"))
    return {k: {i for i in v if i is not None} for k, v in out.items()}


def capture_view(
    result: Mapping[str, Any], link: Callable[[str, Any], Markup], _: Gettext
) -> tuple[list[tuple[str, Markup]], list[Markup]]:
    """``(rows, warnings)`` of a capture job's result: rows are ``(label, value)`` in the
    reader's language; *link* (``present.Labels.link``) gives a record's link by its
    human label."""
    sep = escape(_(", "))
    ev: Mapping[str, Any] = result.get("evidence") or {}
    cap: Mapping[str, Any] = result.get("capture") or {}
    rows: list[tuple[str, Markup]] = []
    warnings: list[Markup] = []

    what = _(CAPTURE_KINDS.get(str(cap.get("kind")), _WEB_CAPTURE))
    rows.append(
        (
            _("What was captured"),
            Markup("{} ({}{}{})").format(
                link("evidence", ev.get("id")), what, sep, size_words(ev.get("size"), _)
            ),
        )
    )
    if result.get("recorded_before"):
        rows.append(
            (_("Note"), Markup(escape(_("recorded by an earlier try of this job, shown again"))))
        )

    # pages: each with the source made for it and the text kept from it
    pages: list[Mapping[str, Any]] = list(cap.get("pages") or ())
    made = list(result.get("sources") or ())
    own_source: dict[str, Any] = {}
    for url in dict.fromkeys(str(p.get("url")) for p in pages):
        if len(own_source) < len(made):
            own_source[url] = made[len(own_source)].get("id")
    texts = {
        str((t.get("capture") or {}).get("url")): t.get("id") for t in result.get("texts") or ()
    }
    items = []
    for p in pages:
        url = str(p.get("url") or "")
        title = p.get("title") or url
        head = link("sources", own_source[url]) if url in own_source else _bdi(title)
        parts = [head, _bdi(url, "ltr")]
        if p.get("captured_at"):
            parts.append(Markup(escape(_("captured %(when)s"))) % {"when": _when(p["captured_at"])})
        if url in texts:
            parts.append(
                Markup(escape(_("text kept as %(file)s"))) % {"file": link("evidence", texts[url])}
            )
        elif not result.get("recorded_before"):
            why = p.get("text_error")
            msg = (
                N_("%(page)s: its HTML is not in the capture, so no text was kept")
                if why == _NO_HTML
                else N_("%(page)s: no text could be read from the page")
            )
            warnings.append(Markup(escape(_(msg))) % {"page": _bdi(title)})
            parts.append(Markup(escape(_("no text kept"))))
        items.append(Markup(" — ").join(parts))
    rows.append((_("Pages"), _counted(len(pages), items)))
    if not made and ev.get("source_id") is not None:
        rows.append((_("Source"), link("sources", ev["source_id"])))

    # media: the items made from the capture (or, recorded before, those it lists)
    media = list(result.get("media") or ())
    listed = media or list(cap.get("media") or ())
    total = sum(int(m.get("size") or 0) for m in listed)
    entries = []
    for m in media:
        media_url = (m.get("capture") or {}).get("url")
        entries.append(
            Markup(" — ").join(
                [
                    link("evidence", m.get("id")),
                    Markup(escape(media_type_words(m.get("media_type"), _) + _(", ")))
                    + escape(size_words(m.get("size"), _)),
                    *([_bdi(media_url, "ltr")] if media_url else []),
                ]
            )
        )
    count = Markup("{}{}{}").format(
        f"{len(listed):,}", sep, _("%(size)s in all") % {"size": size_words(total, _)}
    ) if listed else Markup("0")  # fmt: skip
    rows.append((_("Media items"), _counted_markup(count, entries)))

    # integrity, in sentences; an unsigned capture is a warning
    rows.append((_("Integrity"), _integrity(cap, warnings, _)))

    for s in cap.get("skipped") or ():
        m = _SKIPPED.fullmatch(str(s))
        if m:
            warnings.append(
                Markup(
                    escape(_("%(url)s: too large to extract (%(what)s); kept in the capture only"))
                )
                % {
                    "url": _bdi(m["url"], "ltr"),
                    "what": media_type_words(m["type"], _),
                }
            )
        else:
            warnings.append(Markup('<bdi dir="ltr" lang="en">{}</bdi>').format(s))
    return rows, warnings


def _counted(n: int, items: list[Markup]) -> Markup:
    return _counted_markup(Markup(f"{n:,}"), items)


def _counted_markup(head: Markup, items: list[Markup]) -> Markup:
    if not items:
        return head
    return head + Markup("<ul>{}</ul>").format(
        Markup("").join(Markup("<li>{}</li>").format(i) for i in items)
    )


def _integrity(cap: Mapping[str, Any], warnings: list[Markup], _: Gettext) -> Markup:
    integ: Mapping[str, Any] = cap.get("integrity") or {}
    said: list[Markup] = []
    if cap.get("kind") == "wacz":
        said.append(
            Markup(
                escape(
                    _("the %(n)s files inside were checked against the archive's own digests")
                    % {"n": f"{int(integ.get('resources_checked') or 0):,}"}
                )
            )
        )
    elif integ.get("record_digests_checked"):
        said.append(Markup(escape(_("the digest of each record was checked"))))
    sig: Mapping[str, Any] = integ.get("signature") or {}
    if integ.get("signed") and sig.get("verified"):
        signer = str(sig.get("signer") or "")
        if signer.startswith("domain "):
            who = Markup(
                escape(_("by the domain %(domain)s; its certificate chain is not checked"))
            ) % {"domain": _bdi(signer.removeprefix("domain "), "ltr")}
        else:
            who = Markup(escape(_("by an anonymous key; who signed it is not known")))
        said.append(Markup("{}: {}").format(_("the signature verifies"), who))
        if sig.get("time"):
            said.append(
                Markup(escape(_("time-stamped by an authority at %(when)s")))
                % {"when": _when((sig.get("time") or {}).get("gen_time"))}
            )
    else:
        warnings.append(
            Markup(
                escape(
                    _(
                        "the capture is not signed: nothing shows who made it, nor that it "
                        "is unchanged since it was made"
                    )
                )
            )
        )
    return Markup(escape(_("; "))).join(said) if said else Markup("—")
