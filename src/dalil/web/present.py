"""Records in words: labels instead of field names, vocabulary values as words, dates
without microseconds, linked records by their human label (pseudonym, title, name, file
name) instead of bare numbers or hashes, and the records related to a record.

Reads go through the service layer as the signed-in user; a sensitive evidence item's
file name stays hidden from roles that may not read it (``evidence.item_dict``), and
testimony links to a witness are shown only to roles that may reveal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

from dalil.display.messages import words
from dalil.services import evidence, records
from dalil.services import kernel as access
from dalil.services.records import WITNESS_ROLE
from dalil.web.context import N_, Ctx
from dalil.web.forms import EDIT_KINDS, FIELD_LABELS, VOCAB

#: Fields that hold the id of another record -> that record's web kind.
REF_FIELDS: dict[str, str] = {
    "incident_id": "incidents",
    "victim_id": "persons",
    "perpetrator_unit_id": "units",
    "parent_id": "units",
    "person_id": "persons",
    "organization_id": "units",
    "source_id": "sources",
    "evidence_id": "evidence",
}
SUBJECT_KINDS = {
    "incident": "incidents",
    "act": "acts",
    "person": "persons",
    "site": "sites",
    "unit": "units",
    "membership": "memberships",
}
#: Fields whose values are vocabulary codes.
WORD_FIELDS = frozenset(
    {
        "incident_type",
        "act_type",
        "status",
        "kind",
        "site_type",
        "coord_precision",
        "subject_kind",
        "role",
        "sex",
        "reliability",
        "copy_kind",
    }
)
#: Shown folded into their date (``2025-03 (month)``), never on their own.
HIDDEN = frozenset(
    {
        "date_start_precision",
        "date_end_precision",
        "date_precision",
        "published_precision",
        "version",
        "acts_as_victim",  # a person's acts: listed under the record, with labels
        "acts_as_perpetrator",
        "acts",  # an incident's acts, sites and provenance: listed under the record
        "sites",
        "provenance",
    }
)
PRECISION_OF = {
    "date_start": "date_start_precision",
    "date_end": "date_end_precision",
    "date": "date_precision",
    "published": "published_precision",
}
TIMESTAMPS = frozenset({"created_at", "updated_at", "added_at", "created", "updated"})


_DASH_HTML = '<span class="muted">—</span>'
_DASH = Markup(_DASH_HTML)


def esc(v: Any) -> str:
    """The text of ``markupsafe.escape(v)`` (``&``, ``<``, ``>``, ``'`` and ``"`` as
    ``&amp;``, ``&lt;``, ``&gt;``, ``&#39;``, ``&#34;``; an object with ``__html__``
    as its own HTML), as a plain ``str``: a list page escapes some 300 cells, and each
    :class:`Markup` made on the way is a call into Python (``Markup.__new__``) that costs
    more than the escaping itself. For building HTML that is wrapped in one ``Markup``
    at the end (``tests/web/test_list_page_cells.py`` holds the identity with ``escape``)."""
    t = type(v)
    if t is str:
        text: str = v
        return (
            text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("'", "&#39;")
            .replace('"', "&#34;")
        )
    if t is int:
        return str(v)  # digits and a sign: nothing to escape
    return str(escape(v))


def bdi_html(v: Any, direction: str = "auto") -> str:
    """``<bdi dir="…">v</bdi>`` with *v* escaped, as a plain ``str`` (see :func:`esc`)."""
    return f'<bdi dir="{direction}">{esc(v)}</bdi>'


def bdi(v: Any, direction: str = "auto") -> Markup:
    """``<bdi dir="…">v</bdi>`` with *v* escaped. Built by concatenation: ``Markup.format``
    goes through :class:`string.Formatter` and costs several times as much, and a list
    page has hundreds of cells."""
    return Markup(bdi_html(v, direction))


@dataclass
class Labels:
    """``(kind, id) -> (label, url)`` for the records a page links to; a label given as
    a message ("withheld item 6") is shown in *lang*."""

    found: dict[tuple[str, Any], tuple[str, str]] = field(default_factory=dict)
    lang: str = "en"

    def link(self, kind: str, ident: Any) -> Markup:
        return Markup(self.link_html(kind, ident))

    def link_html(self, kind: str, ident: Any) -> str:
        """:meth:`link` as a plain ``str`` of HTML (see :func:`esc`)."""
        if ident is None or ident == "":
            return _DASH_HTML
        label, url = self.found.get((kind, ident), (f"#{ident}", f"/{kind}/{ident}"))
        label = words(label, self.lang)
        return f'<a href="{esc(url)}"><bdi dir="auto">{esc(label)}</bdi></a>'


def lookup(sc: Any, wanted: dict[str, set[Any]], lang: str) -> Labels:
    """Labels of the records *wanted* (web kind -> ids), for a reader of *lang*:
    :func:`services.records.labels`."""
    return Labels(found=records.labels(sc, wanted), lang=lang)


def labels_for(ctx: Ctx, rows: Iterable[dict[str, Any]]) -> Labels:
    """Labels of the records *rows* link to, read in a transaction of their own; none is
    opened when they link to nothing (a list of persons or sources): on PostgreSQL each
    transaction costs round trips to the server."""
    wanted = wanted_for(rows)
    if not wanted:
        return Labels()
    with ctx.act(write=False) as sc:
        return lookup(sc, wanted, ctx.lang)


def wanted_for(rows: Iterable[dict[str, Any]]) -> dict[str, set[Any]]:
    wanted: dict[str, set[Any]] = {}
    for r in rows:
        for f, kind in REF_FIELDS.items():
            if r.get(f) is not None:
                wanted.setdefault(kind, set()).add(r[f])
        for pid in r.get("perpetrator_ids") or ():
            wanted.setdefault("persons", set()).add(pid)
        if r.get("subject_kind") in SUBJECT_KINDS and r.get("subject_id") is not None:
            wanted.setdefault(SUBJECT_KINDS[r["subject_kind"]], set()).add(r["subject_id"])
    return wanted


class Words:
    """Field values as words in the request's language."""

    def __init__(self, ctx: Ctx, labels: Labels) -> None:
        self._ = ctx.gettext.gettext
        self.labels = labels

    def word(self, code: Any) -> str:
        return self._(VOCAB[code]) if isinstance(code, str) and code in VOCAB else str(code)

    def value(self, name: str, v: Any, record: dict[str, Any] | None = None) -> Markup:
        return Markup(self.cell(name, v, record))

    def cell(self, name: str, v: Any, record: dict[str, Any] | None = None) -> str:
        """:meth:`value` as a plain ``str`` of HTML, every text in it escaped (see
        :func:`esc`): the list pages join their cells and wrap the table once."""
        if v is None or v == "" or v == [] or v == {}:
            return _DASH_HTML
        if name in REF_FIELDS:
            return self.labels.link_html(REF_FIELDS[name], v)
        if name == "perpetrator_ids" and isinstance(v, list):
            return ", ".join(self.labels.link_html("persons", i) for i in v)
        if name == "subject_id" and record and record.get("subject_kind") in SUBJECT_KINDS:
            return self.labels.link_html(SUBJECT_KINDS[record["subject_kind"]], v)
        if name in TIMESTAMPS or isinstance(v, datetime):
            return bdi_html(timestamp(v), "ltr")
        if name in PRECISION_OF and record is not None:
            prec = record.get(PRECISION_OF[name])
            text = f"{v} ({self.word(prec)})" if prec else str(v)
            return bdi_html(text, "ltr")
        if name == "protected_fields":
            return ", ".join(esc(self._(FIELD_LABELS.get(f, f))) for f in v if isinstance(f, str))
        if isinstance(v, bool):
            return esc(self._("yes") if v else self._("no"))
        if isinstance(v, list | tuple):
            return bdi_html(", ".join(self.word(x) if name == "roles" else str(x) for x in v))
        if isinstance(v, dict):
            from dalil.web.audit_words import words_html

            return str(words_html(v, self._))
        if name in WORD_FIELDS:
            return esc(self.word(v))
        return bdi_html(v)

    def facts(self, record: dict[str, Any]) -> list[tuple[str, Markup]]:
        """``(label, value)`` for a record page, in the record's field order."""
        out = []
        for k, v in record.items():
            if k in HIDDEN:
                continue
            out.append((self._(FIELD_LABELS.get(k, k)), self.value(k, v, record)))
        return out


def timestamp(v: Any) -> str:
    """``2026-12-02 09:14 UTC``: minutes, no microseconds."""
    if isinstance(v, str):
        try:
            v = datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            return str(v)
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M UTC")
    return str(v)


@dataclass
class Section:
    """Related records shown under a record: a heading, columns, rows of cells."""

    title: str  # msgid
    headers: tuple[str, ...]  # msgids
    rows: list[list[Markup]]
    add_url: str | None = None
    add_label: str | None = None  # msgid


def _can(ctx: Ctx, permission: str) -> bool:
    return ctx.user is not None and permission in access.permissions_for(ctx.user.role)


def related(ctx: Ctx, kind: str, record: dict[str, Any]) -> list[Section]:
    """The records related to *record* of web *kind*, with human labels."""
    ident = record.get("id")
    if ident is None or kind not in ("incidents", "persons", "acts", "sites", "units", "sources"):
        return []
    may_reveal = _can(ctx, access.PROTECTED_REVEAL)
    with ctx.act(write=False) as sc:
        acts: list[dict[str, Any]] = []
        as_perpetrator: list[dict[str, Any]] = []
        sites: list[dict[str, Any]] = []
        members: list[dict[str, Any]] = []
        subunits: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        items: list[dict[str, Any]] = []
        if kind == "incidents":
            acts = [a.to_dict() for a in records.list_(sc, "act", incident_id=ident)]
            sites = [s.to_dict() for s in records.list_(sc, "site", incident_id=ident)]
        elif kind == "persons":
            acts = [a.to_dict() for a in records.list_(sc, "act", victim_id=ident)]
            as_perpetrator = [a.to_dict() for a in records.acts_of_perpetrator(sc, ident)]
            members = [m.to_dict() for m in records.list_(sc, "membership", person_id=ident)]
        elif kind == "units":
            acts = [a.to_dict() for a in records.list_(sc, "act", perpetrator_unit_id=ident)]
            members = [m.to_dict() for m in records.list_(sc, "membership", organization_id=ident)]
            subunits = [u.to_dict() for u in records.list_(sc, "unit", parent_id=ident)]
        subject = {
            "incidents": "incident",
            "persons": "person",
            "acts": "act",
            "sites": "site",
            "units": "unit",
        }.get(kind)
        if subject is not None:
            links = [
                p.to_dict()
                for p in records.list_(sc, "provenance", subject_kind=subject, subject_id=ident)
            ]
        if kind == "sources":
            links = [p.to_dict() for p in records.list_(sc, "provenance", source_id=ident)]
            items = [evidence.item_dict(sc, it) for it in evidence.list_items(sc, source_id=ident)]
        if not may_reveal:  # a testimony's witness is protected
            links = [p for p in links if p.get("role") not in (WITNESS_ROLE, "identifies")]
        if kind == "incidents":
            # Evidence of the sources that support this incident, and items linked directly.
            src_ids = {p["source_id"] for p in links if p.get("source_id")}
            for sid in sorted(src_ids):
                items += [
                    evidence.item_dict(sc, it) for it in evidence.list_items(sc, source_id=sid)
                ]
        may = sc.can(access.EVIDENCE_READ_SENSITIVE)
        item_labels = {
            it["id"]: evidence.label(
                it["id"], it.get("original_name"), it["sensitive"], may_read_sensitive=may
            )
            for it in items
        }
        labels = lookup(
            sc,
            wanted_for([*acts, *as_perpetrator, *sites, *members, *subunits, *links]),
            ctx.lang,
        )
    w = Words(ctx, labels)
    out: list[Section] = []
    if kind in ("incidents", "persons", "units"):
        out.append(
            Section(
                N_("Acts") if kind != "units" else N_("Acts attributed to this unit"),
                (
                    N_("Act"),
                    N_("What was done"),
                    N_("Victim"),
                    N_("Incident"),
                    N_("Date"),
                    N_("Status"),
                ),
                [
                    [
                        labels.link("acts", a["id"]),
                        w.value("act_type", a["act_type"]),
                        w.value("victim_id", a["victim_id"]),
                        w.value("incident_id", a["incident_id"]),
                        w.value("date", a.get("date"), a),
                        w.value("status", a.get("status")),
                    ]
                    for a in acts
                ],
                add_url=(
                    f"/acts/new?incident_id={ident}"
                    if kind == "incidents"
                    else f"/acts/new?victim_id={ident}"
                    if kind == "persons"
                    else f"/acts/new?perpetrator_unit_id={ident}"
                ),
                add_label=N_("Record an act"),
            )
        )
    if kind == "persons":
        out.append(
            Section(
                N_("Acts as perpetrator"),
                (N_("Act"), N_("What was done"), N_("Victim"), N_("Incident"), N_("Date")),
                [
                    [
                        labels.link("acts", a["id"]),
                        w.value("act_type", a["act_type"]),
                        w.value("victim_id", a["victim_id"]),
                        w.value("incident_id", a["incident_id"]),
                        w.value("date", a.get("date"), a),
                    ]
                    for a in as_perpetrator
                ],
            )
        )
    if kind == "incidents":
        victims: dict[Any, Markup] = {}
        for a in acts:
            victims.setdefault(a["victim_id"], w.value("victim_id", a["victim_id"]))
        out.append(Section(N_("Victims"), (N_("Person"),), [[v] for v in victims.values()]))
        out.append(
            Section(
                N_("Sites"),
                (N_("Site"), N_("Type of site"), N_("Status")),
                [
                    [
                        Markup('<a href="/sites/{}"><bdi dir="auto">{}</bdi></a>').format(
                            s["id"], s["name"]
                        ),
                        w.value("site_type", s["site_type"]),
                        w.value("status", s.get("status")),
                    ]
                    for s in sites
                ],
                add_url=f"/sites/new?incident_id={ident}",
                add_label=N_("Add a site"),
            )
        )
    if kind in ("persons", "units"):
        out.append(
            Section(
                N_("Memberships"),
                (N_("Person"), N_("Unit"), N_("Rank"), N_("Position"), N_("From"), N_("Until")),
                [
                    [
                        w.value("person_id", m["person_id"]),
                        w.value("organization_id", m["organization_id"]),
                        w.value("rank", m.get("rank")),
                        w.value("position", m.get("position")),
                        w.value("date_start", m.get("date_start"), m),
                        w.value("date_end", m.get("date_end"), m),
                    ]
                    for m in members
                ],
                add_url=(
                    f"/memberships/new?person_id={ident}"
                    if kind == "persons"
                    else f"/memberships/new?organization_id={ident}"
                ),
                add_label=N_("Add a membership"),
            )
        )
    if kind == "units" and subunits:
        out.append(
            Section(
                N_("Sub-units"),
                (N_("Unit"),),
                [[w.value("parent_id", u["id"])] for u in subunits],
            )
        )
    subj = {
        "incidents": "incident",
        "persons": "person",
        "acts": "act",
        "sites": "site",
        "units": "unit",
    }
    if kind in subj or kind == "sources":
        out.append(
            Section(
                N_("Sources and evidence")
                if kind != "sources"
                else N_("What this source supports"),
                (
                    N_("Role"),
                    N_("Record supported") if kind == "sources" else N_("Source or evidence"),
                    N_("Where"),
                    N_("Notes"),
                ),
                [
                    [
                        w.value("role", p["role"]),
                        (
                            w.value("subject_id", p["subject_id"], p)
                            if kind == "sources"
                            else w.value("source_id", p["source_id"])
                            if p.get("source_id")
                            else w.value("evidence_id", p.get("evidence_id"))
                        ),
                        w.value("locator", p.get("locator")),
                        w.value("notes", p.get("notes")),
                    ]
                    for p in links
                ],
                add_url=(
                    f"/provenance/new?subject_kind={subj[kind]}&subject_id={ident}"
                    if kind in subj
                    else f"/provenance/new?source_id={ident}"
                ),
                add_label=N_("Link a source or evidence item"),
            )
        )
    if kind in ("incidents", "sources"):
        out.append(
            Section(
                N_("Evidence"),
                (N_("File name"), N_("Media type"), N_("Copy")),
                [
                    [
                        Markup('<a href="/evidence/{}"><bdi dir="auto">{}</bdi></a>').format(
                            it["sha256"], words(item_labels[it["id"]], ctx.lang)
                        ),
                        w.value("media_type", it.get("media_type")),
                        w.value("copy_kind", it.get("copy_kind")),
                    ]
                    for it in items
                ],
            )
        )
    return out


#: Record kind in audit object ids (``incident:3``) per web kind: the service kind.
AUDIT_KINDS = EDIT_KINDS
ACTION_WORDS = {
    "add": N_("recorded"),
    "update": N_("changed"),
    "retract": N_("retracted"),
    "restore": N_("restored"),
    "reveal": N_("protected fields revealed"),
    "search_protected": N_("found by a protected-field search"),
}


def _action_words(action: str, verb: str, _: Any) -> str:
    """What an entry did to the record, in words (``site.status`` -> Site status changed)."""
    from dalil.web.audit_words import ACTIONS

    if verb in ACTION_WORDS:
        return str(_(ACTION_WORDS[verb]))
    return str(_(ACTIONS[action])) if action in ACTIONS else action


def _other_detail(detail: dict[str, Any], _: Any) -> Markup:
    """An entry's details other than changed fields (a site's new status and its date)."""
    from dalil.web.audit_words import words_html

    rest = {k: v for k, v in detail.items() if k not in ("fields", "before", "after")}
    return words_html(rest, _) if rest else _DASH


def history(ctx: Ctx, kind: str, record: dict[str, Any]) -> Section | None:
    """Who changed which fields of the record when, from the audit log (for roles that
    may read the log; values of protected fields are never in it)."""
    from dalil.web.handlers.overview import audit as audit_page

    if kind not in AUDIT_KINDS or record.get("id") is None:
        return None
    if not _can(ctx, access.AUDIT_READ):
        return None
    entries = audit_page(ctx, object_id=f"{AUDIT_KINDS[kind]}:{record['id']}", limit=100)["items"]
    _ = ctx.gettext.gettext
    w = Words(ctx, Labels())
    rows: list[list[Markup]] = []
    for e in entries:
        verb = str(e.get("action", "")).rsplit(".", 1)[-1]
        detail = e.get("detail") or {}
        changes = []
        before, after = detail.get("before") or {}, detail.get("after") or {}
        for f in detail.get("fields") or []:
            label = _(FIELD_LABELS.get(f, f))
            if f in after or f in before:
                changes.append(
                    Markup("{}: {} → {}").format(
                        label, w.value(f, before.get(f)), w.value(f, after.get(f))
                    )
                )
            else:
                changes.append(Markup("{}: {}").format(label, _("changed (protected)")))
        rows.append(
            [
                Markup('<bdi dir="ltr">{}</bdi>').format(timestamp(e.get("ts"))),
                Markup('<bdi dir="auto">{}</bdi>').format(e.get("actor")),
                Markup(escape(_action_words(str(e.get("action", "")), verb, _))),
                Markup("<br>").join(changes) if changes else _other_detail(detail, _),
            ]
        )
    return Section(N_("History"), (N_("Time"), N_("User"), N_("What"), N_("Fields")), rows)
