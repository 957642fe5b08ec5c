"""The audit log in words: refusals name the permission in words (not
``protected.reveal``) and the role; reasons the program wrote itself (``sources.compare``,
``corroboration: derivation graph``) and codes such as ``derivative_of_source`` are
shown in the reader's language. Only the display changes: the stored, hash-chained
entries keep their codes. Fictional data."""

from __future__ import annotations

import json
from typing import Any

import lxml.html
import pytest
from sqlalchemy import select

from dalil.core.audit import AuditEntry
from dalil.core.case import Case
from dalil.errors import PermissionDenied
from dalil.web.audit_words import PERMISSION_WORDS

from .conftest import USERS, Client

RAW = ("protected.reveal", "derivative_of_source", "sources.compare",
       "corroboration: derivation graph", "sources.graph")  # fmt: skip


def _visible(html: str) -> str:
    doc = lxml.html.document_fromstring(html)
    table = doc.xpath("//table")[0]
    return " ".join(table.text_content().split())


@pytest.fixture
def entries(client: Client, seeded: dict[str, Any], app: Any) -> Case:
    case: Case = app.state.case
    with pytest.raises(PermissionDenied), case.act(USERS["viewer"]) as ctx:
        ctx.require("protected.reveal", "see a protected name")
    client.login("admin")
    r = client.get(f"/sources/compare?a={seeded['source']}&b={seeded['source2']}")
    assert r.status_code == 200
    return case


def test_the_stored_entries_keep_their_codes(entries: Case) -> None:
    with entries.system_session(write=False) as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.action == "access.denied")).all()
        reads = s.scalars(select(AuditEntry).where(AuditEntry.action == "evidence.read")).all()
        compared = s.scalars(select(AuditEntry).where(AuditEntry.action == "sources.compare")).all()
    assert any(json.loads(e.detail)["permission"] == "protected.reveal" for e in denied)
    assert any(json.loads(e.detail)["reason"] == "sources.compare" for e in reads)
    assert compared and json.loads(compared[-1].detail)["direction"]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_audit_page_shows_no_raw_code(entries: Case, client: Client, lang: str) -> None:
    html = client.get(f"/audit?lang={lang}&limit=200").text
    text = _visible(html)
    for raw in RAW:
        assert raw not in text, (lang, raw)
    ar = lang == "ar"
    # the refusal: the permission and the role in words
    assert ("كشف الحقول المحمية" if ar else "reveal protected fields") in text
    assert ("مطّلع" if ar else "viewer") in text
    # reasons the program wrote: in words
    assert ("مقارنة مصدرين" if ar else "comparing two sources") in text


def test_every_permission_has_words() -> None:
    from dalil.core.access import ALL_PERMISSIONS

    assert set(ALL_PERMISSIONS) <= set(PERMISSION_WORDS), sorted(
        set(ALL_PERMISSIONS) - set(PERMISSION_WORDS)
    )


def test_every_reason_the_program_writes_is_shown_in_words() -> None:
    """Each reason a service or page passes itself (the user's reasons are shown as
    typed), and the other codes of audit details, in Arabic: no code, no English."""
    from dalil.display import i18n
    from dalil.web.audit_words import CODE_REASONS, DIRECTIONS, OUTCOMES, make_globals

    detail = make_globals(i18n.translations("ar"))["audit_detail"]
    details = [{"reason": r} for r in CODE_REASONS]
    details += [{"reason": "vetting screening of personnel file 0123456789ab"}]
    details += [{"direction": d} for d in DIRECTIONS] + [{"outcome": o} for o in OUTCOMES]
    details += [{"permission": "linkage.reveal", "role": "analyst"}]
    for d in details:
        shown = str(detail(d))
        text = lxml.html.fragment_fromstring(f"<p>{shown}</p>").text_content()
        words = text.replace("0123456789ab", "")
        assert not any("a" <= ch.lower() <= "z" for ch in words), (d, text)
        assert any("\u0600" <= ch <= "\u06ff" for ch in words), (d, text)


def test_every_job_kind_has_words() -> None:
    from dalil.services import jobs
    from dalil.web.audit_words import JOB_KINDS

    # dalil's own kinds (a test module may have registered kinds of its own in this process)
    own = {name for name, k in jobs.kinds().items() if k.fn.__module__.startswith("dalil.")}
    assert own <= set(JOB_KINDS), sorted(own - set(JOB_KINDS))
