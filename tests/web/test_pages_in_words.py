"""Every page of the workbench, walked as the admin in Arabic and in English: no interface
string left in English on an Arabic page, and no developer output (codes, field names,
Python values, SQL, microsecond timestamps) on any page.

How an untranslated string is found: data values (names, titles, file names, ids, dates)
are written inside ``<bdi>`` or an element with ``dir="auto"`` (or ``translate="no"``, or
``<code>``/``<pre>``), as the pages must do anyway for bidirectional text. Everything
else on an Arabic page is interface text, and must hold no Latin word but a few allowed
tokens (``dalil``, ``UTC``, ``PDF`` …). The fictional case is rich enough that every
page has something to show: linked lists, a linkage job, estimates, assessed and signed
acts, a site with a status history, media; and pages in their other states (a job
finished with an estimate and one failed, retracted records with their Restore forms,
the words after a retract and of a refused one: ``STATES``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dalil.testing import TEST_PASSPHRASE, run_job
from dalil.web import create_app
from dalil.web.app import route_table
from dalil.web.auth import LoginThrottle

from .conftest import ROLES, USERS, Client, seed_case

#: Latin tokens an Arabic page may show as interface text: the product's name, units and
#: format names that Arabic writing uses as they are.
ALLOWED_LATIN = {
    "dalil",
    "UTC",
    "PDF",
    "HTML",
    "CSV",
    "JSON",
    "SHA",
    "BagIt",
    "TOTP",
    "API",
    "ZIP",
    "URL",
    "ETag",
    "ID",
    "GeoJSON",
    "LCMCR",
    "BMA",
    "BIC",
    "R-hat",
    "ESS",
    "GPS",
    "XLSX",
    "zip",
    "otpauth",  # the scheme of the link an authenticator app reads
    "ACLED",  # the data standards incidents are exported to
    "UCDP",
    "Chan",  # authors of the cited model-selection rule
    "Silverman",
    "Vincent",
    "Ctrl",  # keys, as printed on the keyboard
    "Cmd",
    "ar",  # the language codes a source's language field takes
    "en",
}

#: Routes that answer with a file or a redirect, not a page.
NOT_PAGES = {
    "/static",
    "/evidence/{sha256}/download",
    "/evidence/{sha256}/image",
    "/evidence/{sha256}/view",  # the item itself, streamed (image, audio, video, PDF page)
    "/findings/export/{fmt}",
    "/jobs/{job_id}/files/{name}",
    "/lists/jobs/{job_id}",
    "/login/totp",  # only during a login with a second factor (tests/web/test_totp_*)
}

DATA_TAGS = {"bdi", "pre", "kbd", "samp", "script", "style", "textarea", "template"}
#: What the user types (commands, column names) is marked ``<kbd>``; the job's technical
#: log, in English and said to be, is ``ol.log``. Neither is checked for internals.
TYPED = "//script|//style|//textarea|//template|//kbd|//ol[contains(@class, 'log')]"

#: Developer output that must never reach a page, in any language.
INTERNALS = [
    (re.compile(r"\bNone\b"), "a Python None"),
    (re.compile(r"\d{2}:\d{2}:\d{2}\.\d+"), "a timestamp with microseconds"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "an ISO timestamp"),
    (re.compile(r"\[\s*'|\{'|'\s*\]"), "a Python list or dict"),
    (re.compile(r"\b(SELECT|WHERE|JOIN|INSERT|UPDATE)\b"), "an SQL fragment"),
    (re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"), "a code or field name"),
]


def _page_routes(app: Any) -> list[str]:
    return sorted(
        path
        for method, path in route_table(app)
        if method == "GET" and not path.startswith("/api/") and path not in NOT_PAGES
    )


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A fresh fictional case with everything a page can show, and an admin client."""
    root = tmp_path_factory.mktemp("wordscase") / "case"
    ids = seed_case(root)
    app = create_app(root, TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=100))
    ids.update(_fill(app, ids))
    c, anon = Client(app), Client(app)
    c.login("admin")
    roles = {}
    for role in ROLES:
        roles[role] = Client(app)
        roles[role].login(role)
    yield {"ids": ids, "client": c, "anon": anon, "app": app, "roles": roles}
    for other in (c, anon, *roles.values()):
        other.close()
    app.state.case.close()


def _fill(app: Any, ids: dict[str, Any]) -> dict[str, Any]:
    """What the seeded case lacks for every page to show something: a finished linkage
    job, an estimate (recorded), an act assessed on every element and signed off, a site
    with a status history, a photo and a resized copy of it."""
    import tempfile

    from dalil.services import assessments, estimates, evidence, jobs, records, sites, users
    from dalil.synth.media_images import jpeg, scene, transform

    case = app.state.case
    out: dict[str, Any] = {}
    with case.act(USERS["admin"]) as ctx:
        job = jobs.submit(ctx, "linkage", {})
        users.add_user(ctx, "lee-words", "legal", "pw-words-legal-fictional")
        act = records.add(
            ctx,
            "act",
            incident_id=ids["incident"],
            act_type="killing",
            victim_id=ids["person"] + 3,
            status="likely",
            date="2025-03-07",
        )
        est = estimates.submit_estimate(ctx, {"linkage_draws": 0, "seed": 1})
    with case.act("lee-words") as ctx:
        for element in ("civilian", "deliberate", "identity", "party", "nexus"):
            assessments.assess(ctx, act.id, element, "likely", note="fictional assessment")
    with case.act(USERS["admin"]) as ctx:
        assessments.sign_off(ctx, act.id, note="fictional sign-off")
        sites.site_status(ctx, ids["site"], "located", on="2025-04-01", note="fictional")
    for jid in (int(job["id"]), int(est["id"])):
        assert run_job(case, jid, timeout=120) == "done"
    with case.act(USERS["admin"]) as ctx:
        estimates.record_job_estimate(ctx, int(est["id"]), "Fictional estimate")
    with tempfile.TemporaryDirectory() as d:
        photo, copy = Path(d) / "words-photo.jpg", Path(d) / "words-copy.jpg"
        photo.write_bytes(jpeg(scene(41)))
        copy.write_bytes(transform(scene(41), "resize", seed=5))
        added = evidence.add_files(case, USERS["admin"], [photo, copy], ocr=False)
    out["photo"] = added[0].item.id
    out["signed_act"] = act.id
    out["job"] = int(job["id"])
    out["estimate_job"] = int(est["id"])
    out.update(_retracted(case))
    return out


def _retracted(case: Any) -> dict[str, Any]:
    """A failed job, and a retracted incident and list record (their pages then hold
    the retraction notice and the Restore form; the lists, the estimate and the linkage
    say they predate the retraction)."""
    from sqlalchemy import select

    from dalil.model.lists import ListRecord, VictimList
    from dalil.services import jobs, records, retractions

    with case.act(USERS["admin"]) as ctx:
        failed = int(jobs.submit(ctx, "estimate", {"method": "nope"})["id"])
    assert run_job(case, failed, timeout=120) == "failed"
    with case.act(USERS["admin"]) as ctx:
        inc = records.add(ctx, "incident", title="Fictional incident entered twice")
        list_b = ctx.session.scalar(
            select(VictimList.id).where(VictimList.name == "Fictional list B")
        )
        rec = ctx.session.scalar(
            select(ListRecord.id).where(ListRecord.list_id == list_b, ListRecord.record_key == "5")
        )
        retractions.retract(ctx, "incident", inc.id, reason="Fictional: entered twice")
        retractions.retract(ctx, "list_record", rec, reason="Fictional: a duplicate row")
    return {"failed_job": failed, "gone_incident": inc.id, "list_b": list_b, "gone_record": rec}


#: Pages the route table names once but that show more in another state: a job of each
#: outcome, the retracted records of a list, a retracted record with its Restore form,
#: the message after a retract or restore, a refusal of one.
STATES = (
    "/jobs/{estimate_job}",
    "/jobs/{failed_job}",
    "/lists/{list_b}",
    "/lists/{list_b}?retracted=only",
    "/lists/{list_b}?done=retracted",
    "/lists/records/{gone_record}",
    "/lists/records/{gone_record}?done=retracted",
    "/incidents/{gone_incident}",
    "/incidents/{gone_incident}?retract=retracted",
    "/incidents/{incident}?retract=reason",
    "/incidents?retracted=only",
)


def _urls(walk: dict[str, Any]) -> list[str]:
    """Every page route made concrete, then the pages in their other states."""
    ids = walk["ids"]
    return [_concrete(p, ids) for p in _page_routes(walk["app"])] + [
        u.format(**ids) for u in STATES
    ]


def _concrete(path: str, ids: dict[str, Any]) -> str:
    kind = path.split("/")[1]
    key = {
        "persons": "person",
        "sources": "source",
        "incidents": "incident",
        "acts": "act",
        "sites": "site",
        "units": "unit",
        "memberships": "membership",
        "provenance": "provenance",
    }
    if path.startswith("/findings/acts/"):
        return path.replace("{item_id}", str(ids["signed_act"]))
    if path.startswith("/findings/sites/"):
        return path.replace("{item_id}", str(ids["site"]))
    if path.startswith("/findings/incidents/"):
        return path.replace("{item_id}", str(ids["incident"]))
    if path.startswith("/evidence/") and "{item_id}" in path:
        item = ids["photo"] if path.endswith("/location") else ids["evidence"]
        path = path.replace("{item_id}", str(item))
    if "{item_id}" in path:
        path = path.replace("{item_id}", str(ids[key[kind]]))
    return (
        path.replace("{sha256}", ids["evidence"])
        .replace("{name}", USERS["investigator"])
        .replace("{job_id}", str(ids["job"]))
        .replace("{person_id}", str(ids["list_person"]))
        .replace("{pair}", "1-4")  # record 1 of list A and of list B: one person
        .replace("{list_id}", "1")  # list A
        .replace("{record_id}", "1")  # its first record
    )


def _interface_text(html: str, lang: str) -> list[str]:
    """Text a user reads on the page that is interface, not data: text nodes outside data
    elements, and the labels in attributes (aria-label, title, placeholder, alt)."""
    import lxml.html

    doc = lxml.html.document_fromstring(html)
    out: list[str] = []

    def is_data(el: Any) -> bool:
        tag = el.tag if isinstance(el.tag, str) else ""
        # a point on a map: its tooltip names the record
        in_svg_link = tag == "a" and bool(el.xpath("ancestor::svg"))
        return (
            in_svg_link
            or tag in DATA_TAGS
            or el.get("dir") == "auto"
            or el.get("translate") == "no"
            or (el.get("lang") not in (None, lang))
        )

    def visit(el: Any) -> None:
        if is_data(el):
            if el.tail and el.tail.strip():
                out.append(el.tail.strip())
            return
        for attr in ("aria-label", "title", "placeholder", "alt"):
            if el.get(attr):
                out.append(el.get(attr))
        if el.tag == "input" and el.get("type") in ("submit", "button") and el.get("value"):
            out.append(el.get("value"))
        if el.text and el.text.strip():
            out.append(el.text.strip())
        for child in el:
            visit(child)
        if el.tail and el.tail.strip():
            out.append(el.tail.strip())

    head_title = doc.find(".//title")
    if head_title is not None and head_title.text:
        out.append(head_title.text)
    body = doc.find("body")
    assert body is not None
    visit(body)
    return out


def _all_text(html: str) -> str:
    import lxml.html

    doc = lxml.html.document_fromstring(html)
    for bad in doc.xpath(TYPED):
        bad.drop_tree()
    return " ".join(doc.text_content().split())


def _latin_words(texts: list[str]) -> list[str]:
    words: list[str] = []
    for t in texts:
        for w in re.findall(r"(?<![.\w])[A-Za-z][A-Za-z_.\-]*[A-Za-z]", t):
            if w not in ALLOWED_LATIN:
                words.append(f"{w!r} in {t[:80]!r}")
    return words


def test_every_page_route_is_walked(walk: dict[str, Any]) -> None:
    routes = _page_routes(walk["app"])
    assert len(routes) > 40, routes  # the route table really was read


def _get(walk: dict[str, Any], url: str, lang: str) -> str:
    sep = "&" if "?" in url else "?"
    client = walk["anon"] if url == "/login" else walk["client"]
    r = client.get(f"{url}{sep}lang={lang}")
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html"), url
    return r.text


def test_no_english_interface_string_on_any_arabic_page(walk: dict[str, Any]) -> None:
    found: dict[str, list[str]] = {}
    for url in _urls(walk):
        words = _latin_words(_interface_text(_get(walk, url, "ar"), "ar"))
        if words:
            found[url] = sorted(set(words))
    assert not found, "\n".join(f"{u}: {w}" for u, w in found.items())


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_every_page_in_arabic_as_each_role(walk: dict[str, Any], role: str) -> None:
    """The same walk as each other role: the pages it may see, and the refusal page of
    those it may not, hold no English interface string."""
    found: dict[str, list[str]] = {}
    seen = 0
    for url in _urls(walk):
        if url == "/login":
            continue
        r = walk["roles"][role].get(url + ("&" if "?" in url else "?") + "lang=ar")
        assert r.status_code in (200, 403), (role, url, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), (role, url)
        seen += r.status_code == 200
        words = _latin_words(_interface_text(r.text, "ar"))
        if words:
            found[f"{url} ({r.status_code})"] = sorted(set(words))
    assert seen > 20
    assert not found, "\n".join(f"{u}: {w}" for u, w in found.items())


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_developer_output_on_any_page(walk: dict[str, Any], lang: str) -> None:
    found: dict[str, list[str]] = {}
    for url in _urls(walk):
        text = _all_text(_get(walk, url, lang))
        hits = [
            f"{what}: {m.group(0)!r} in …{text[max(0, m.start() - 40) : m.end() + 40]!r}…"
            for rx, what in INTERNALS
            for m in rx.finditer(text)
        ]
        if hits:
            found[url] = hits
    assert not found, "\n".join(f"{u}: {w}" for u, w in found.items())


def test_the_pages_in_other_states_show_them(walk: dict[str, Any]) -> None:
    """The walk's extra pages really are in their state (in Arabic): the estimate of an
    estimate job, the failure of a failed one, the retracted records and their Restore
    forms, the words after a retract and of a refused one."""
    from dalil.display.i18n import translations
    from dalil.web.pages.records import RETRACT_WORDS
    from dalil.web.pages.victim_lists import DONE_WORDS

    ar = translations("ar").gettext
    ids = walk["ids"]
    expect = {
        "/jobs/{estimate_job}": 'id="estimate-result"',
        "/jobs/{failed_job}": ar("Failed:"),
        "/lists/{list_b}?retracted=only": f'id="list-record-{ids["gone_record"]}"',
        "/lists/{list_b}?done=retracted": ar(DONE_WORDS["retracted"]),
        "/lists/records/{gone_record}": f'action="/lists/records/{ids["gone_record"]}/restore"',
        "/incidents/{gone_incident}": f'action="/incidents/{ids["gone_incident"]}/restore"',
        "/incidents/{gone_incident}?retract=retracted": ar(RETRACT_WORDS["retracted"]),
        "/incidents/{incident}?retract=reason": ar(RETRACT_WORDS["reason"]),
        "/incidents?retracted=only": f'href="/incidents/{ids["gone_incident"]}"',
    }
    assert set(expect) <= set(STATES)
    missing = [u for u, mark in expect.items() if mark not in _get(walk, u.format(**ids), "ar")]
    assert not missing, missing
