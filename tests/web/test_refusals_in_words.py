"""Refusals put into words in the reader's language (issue #11): the pair review page's
reason error next to its field, and the common refusals a job fails with. Fictional data."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from dalil.errors import DalilError
from dalil.testing import run_job

from .conftest import Client


def _arabic(s: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in s)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_short_review_reason_is_refused_next_to_its_field_in_words(
    client: Client, seeded: dict[str, Any], lang: str
) -> None:
    client.get(f"/login?lang={lang}")
    client.login("analyst")
    page = client.get("/lists/pairs/2-5")
    assert page.status_code == 200
    token = client.csrf("/lists/pairs/2-5")
    r = client.post(
        "/lists/review-session", data={"reason": "no", "pair": "2-5", "csrf_token": token}
    )
    assert r.status_code == 422
    box = re.search(r'<p class="error" id="err-reason"[^>]*>(.*?)</p>', r.text, re.S)
    assert box is not None, r.text[:2000]
    words = unescape(re.sub(r"<[^>]+>", "", box.group(1))).strip()
    assert 'aria-describedby="err-reason"' in r.text
    if lang == "ar":
        assert _arabic(words) and not re.search(r"[A-Za-z]{3,}", words), words
    else:
        assert words == "state why the names are needed (reason, 5+ characters)"


def _failed_in_words(case: Any, kind: str, params: dict[str, Any]) -> tuple[str, str]:
    from dalil.display.messages import in_words
    from dalil.services import jobs

    with case.act("admin") as ctx:
        jid = int(jobs.submit(ctx, kind, params)["id"])
    assert run_job(case, jid, timeout=120) == "failed"
    with case.act("admin", write=False) as ctx:
        job = jobs.get(ctx, jid)
    err = job["error_message"]
    assert err is not None
    return job["error"], in_words(err["id"], err["params"], "ar")


@pytest.mark.parametrize(
    ("kind", "params", "english"),
    [
        ("linkage", {}, "no list imported yet: import a victim list first"),
        ("estimate", {}, "no list imported yet: import a victim list first"),
        ("estimate", {"method": "nope"}, "method: one of"),
        ("estimate", {"seed": -3}, "seed: a whole number from 0"),
        ("estimate", {"linkage_draws": 1}, "linkage draws: 0 (off) or 2 to"),
    ],
)
def test_a_job_refused_for_a_common_reason_fails_in_words(
    tmp_path: Any, kind: str, params: dict[str, Any], english: str
) -> None:
    from dalil.core.case import Case
    from dalil.testing import TEST_PASSPHRASE

    case = Case.init(tmp_path / "case", TEST_PASSPHRASE, admin="admin")
    try:
        error, ar = _failed_in_words(case, kind, params)
    finally:
        case.close()
    assert english in error and "refused" not in error, error  # the CLI's English words
    assert _arabic(ar) and "refused" not in ar and english.split(":")[0] not in ar, ar
    # what is left in Latin letters is only a value the user gave or a method's code
    latin = re.findall(r"[A-Za-z]{3,}", ar)
    assert set(latin) <= {"nope", "loglinear", "lcmcr", "bma", "all"}, ar


@pytest.mark.parametrize(
    ("params", "english"),
    [
        ({"audience": "everyone"}, "unknown audience 'everyone'; use internal or public"),
        ({"lang": "xx"}, "unknown language 'xx'; use one of:"),
    ],
)
def test_a_report_job_refused_its_settings_fails_in_words(
    tmp_path: Any, params: dict[str, Any], english: str
) -> None:
    from dalil.core.case import Case
    from dalil.testing import TEST_PASSPHRASE

    case = Case.init(tmp_path / "case", TEST_PASSPHRASE, admin="admin")
    try:
        error, ar = _failed_in_words(case, "report", {"format": "html", **params})
    finally:
        case.close()
    assert error.startswith(english), error
    assert _arabic(ar) and "unknown" not in ar and "use" not in ar, ar


def _latin_words(s: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{3,}", s))


def _warc(first_page: bytes) -> bytes:
    """A one-record WARC (a fictional page) written by warcio, with its digests."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    head = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.0")
    w.write_record(
        w.create_warc_record(
            "http://fictional.example/market.html",
            "response",
            payload=io.BytesIO(first_page),
            http_headers=head,
        )
    )
    return buf.getvalue()


CAPTURE_PAGE = b"<html><body>Fictional covered market, amber-lantern-7</body></html>"


@pytest.mark.parametrize(
    ("data", "english"),
    [
        (
            _warc(CAPTURE_PAGE).replace(b"covered market", b"Covered market"),
            "edited.warc: a WARC record's digest does not match (the record was altered "
            "or damaged)",
        ),
        (
            b"<html>Fictional notes, amber-lantern-7</html>\n\n",
            "edited.warc: not a readable WARC (its records could not be read)",
        ),
    ],
)
def test_a_warc_the_library_refuses_fails_the_job_in_fixed_words(
    tmp_path: Any, data: bytes, english: str
) -> None:
    """The library's own line (which may quote the file: 'first line: …') is never shown:
    fixed words in English and Arabic, nothing of the capture's content."""
    import io

    from dalil.core.case import Case
    from dalil.services import captures
    from dalil.testing import TEST_PASSPHRASE

    case = Case.init(tmp_path / "case", TEST_PASSPHRASE, admin="admin")
    try:
        put = captures.store_capture_stream(case, "admin", io.BytesIO(data), name="edited.warc")
        error, ar = _failed_in_words(case, "capture", {"sha256": put.sha256, "name": "edited.warc"})
    finally:
        case.close()
    assert error == english, error
    assert "amber" not in error and "first line" not in error
    assert _arabic(ar) and _latin_words(ar) <= {"edited", "warc"}, ar


def test_an_api_refusal_raised_in_words_answers_in_the_request_language(
    client: Client, seeded: dict[str, Any]
) -> None:
    """`detail` in the request's language (Accept-Language), `error` the English words
    (as before), `message` the id and parameters."""
    h = {"Authorization": f"Bearer {seeded['tokens']['analyst']}"}
    english = "state why the names are needed (reason, 5+ characters)"
    r = client.post("/api/v1/lists/review-sessions", json={"reason": "no"}, headers=h)
    assert r.status_code == 422
    assert r.json()["detail"] == english and r.json()["error"] == english
    r = client.post(
        "/api/v1/lists/review-sessions",
        json={"reason": "no"},
        headers={**h, "Accept-Language": "ar"},
    )
    body = r.json()
    assert r.status_code == 422 and body["field"] == "reason", body
    assert _arabic(body["detail"]) and not _latin_words(body["detail"]), body
    assert body["error"] == english
    assert body["message"] == {"id": english, "params": {}}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_why_no_text_was_extracted_is_shown_in_words_on_the_job_page(
    client: Client, app: Any, lang: str
) -> None:
    """A document the text extraction refuses: the source text job's result says why in
    the page's language (the API keeps the English words and the message id)."""
    from dalil.services import jobs

    client.get(f"/login?lang={lang}")
    client.login("investigator")
    t = client.csrf("/sources/new")
    r = client.post(
        "/api/v1/sources/upload",
        params={"name": "notes-fictional.pdf", "title": "Fictional notes", "kind": "article"},
        content=f"Fictional notes ({lang}) typed as plain text, saved as .pdf.\n".encode(),
        headers={"X-CSRF-Token": t, "Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 202, r.text
    jid = int(r.json()["text_job"])
    assert jobs.wait(app.state.case, jid, timeout=120) == "done"
    english = "notes-fictional.pdf: has a .pdf name but is not a PDF file"
    got = client.get(f"/api/v1/jobs/{jid}?lang=en").json()["result"]
    assert got["text_error"] == english, got
    assert got["text_error_message"]["id"] == "%(file)s: has a .pdf name but is not a PDF file"
    page = client.get(f"/jobs/{jid}").text
    box = re.search(r'<dl id="job-result"[^>]*>(.*?)</dl>', page, re.S)
    assert box is not None
    shown = unescape(re.sub(r"<[^>]+>", " ", box.group(1)))
    if lang == "en":
        assert english in shown, shown
    else:
        assert _arabic(shown) and "has a" not in shown, shown
        assert _latin_words(shown) <= {"notes", "fictional", "pdf", "PDF"}, shown


def test_the_list_check_gives_each_rows_reason_in_arabic(
    make_client: Any, seeded: dict[str, Any]
) -> None:
    """The validation report's reasons (a value blanked, a row without a name) in the
    page's language; the CLI's English words unchanged (the report's ``reason``)."""
    from .test_list_import import LIST_CSV, _check, _mapping_fields

    c = make_client()
    c.get("/login?lang=ar")
    c.login("analyst")
    t = c.csrf("/lists/import")
    r = c.post(
        "/lists/import",
        data={"name": "Fictional list (ar)", "csrf_token": t},
        files={"file": ("fictional-list.csv", LIST_CSV, "text/csv")},
    )
    assert r.status_code == 200, r.text[-1500:]
    # the check is a job: its report is at /lists/import?check=N, in the page's language
    r = c.get(f"/lists/import?check={_check(c, _mapping_fields(r.text))}")
    assert r.status_code == 200
    body = re.search(r"<tbody>(.*?)</tbody>", r.text.split("report-rejected")[1], re.S)
    assert body is not None
    rows = [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td>(.*?)</td>", tr)
        ]
        for tr in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]
    assert len(rows) == 3, rows  # c2's age, c3 without a name, c4's date
    for _row, _column, action, reason in rows:
        assert _arabic(action) and _arabic(reason), (action, reason)
        assert not _latin_words(reason), reason


@pytest.mark.parametrize(
    ("select", "english", "own"),
    [
        (["incident:999"], "no incident with id 999", set()),
        (["nope"], "invalid select 'nope': use KIND:ID (evidence:SHA, source:3, incident:2 …)",
         {"nope", "KIND", "evidence", "SHA", "source", "incident"}),
        (["place:3"], "invalid select kind 'place'; allowed: evidence, source, incident, act, "
         "person, site", {"place", "evidence", "source", "incident", "act", "person", "site"}),
        (["evidence:99"], "no evidence item with id 99", set()),
    ],
)  # fmt: skip
def test_a_bag_export_refused_its_selection_fails_in_words(
    tmp_path: Any, select: list[str], english: str, own: set[str]
) -> None:
    """The bag job's refusals (``select`` as the API gives it): English words as the CLI
    prints them, Arabic without English but the user's own terms and the kind codes."""
    from dalil.core.case import Case
    from dalil.testing import TEST_PASSPHRASE

    case = Case.init(tmp_path / "case", TEST_PASSPHRASE, admin="admin")
    try:
        error, ar = _failed_in_words(case, "bag", {"select": select})
    finally:
        case.close()
    assert error == english, error
    assert _arabic(ar) and _latin_words(ar) <= own, ar


def test_an_unknown_record_page_says_so_in_arabic(client: Client) -> None:
    client.get("/login?lang=ar")
    client.login("investigator")
    r = client.get("/incidents/987654")
    assert r.status_code == 404
    box = re.search(r"<main[^>]*>(.*?)</main>", r.text, re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", box.group(1) if box else r.text))
    assert _arabic(text) and "with id" not in text and "value given" not in text, text
    assert "987654" not in text  # what was typed is not repeated


def test_an_unknown_pair_is_refused_in_arabic(client: Client) -> None:
    client.get("/login?lang=ar")
    client.login("analyst")
    r = client.get("/api/v1/lists/pairs/999999-999998?lang=ar")
    assert r.status_code == 404
    body = r.json()
    assert body["error"].startswith("no list record with id "), body  # the English words
    assert _arabic(body["detail"]) and not _latin_words(body["detail"]), body
    assert body["message"]["id"] == "no list record with id %(id)s", body


def test_a_warc_with_a_bad_length_leaves_none_of_its_content_on_stderr(capfd: Any) -> None:
    """warcio warns on standard error about a record not followed by a newline, quoting
    the bytes it found there (the capture's content): only the offset is written."""
    import contextlib
    import io

    from dalil.errors import InputError
    from dalil.sources.webcapture import Capture, read_warc

    data = _warc(CAPTURE_PAGE)[:-4] + b"Fictional leftover amber-lantern-9\r\n\r\n"
    with contextlib.suppress(InputError):
        read_warc(io.BytesIO(data), "long.warc", Capture(kind="warc"), len(data))
    err = capfd.readouterr().err
    assert "amber-lantern-9" not in err, err


def test_a_split_of_a_record_from_another_cluster_is_refused_in_arabic(
    client: Client, seeded: dict[str, Any]
) -> None:
    """A refusal a page shows (not a field's): in the page's language when the service
    words it with a message id."""
    client.get("/login?lang=ar")
    client.login("analyst")
    pid = seeded["list_person"]
    t = client.csrf(f"/lists/clusters/{pid}")
    r = client.post(
        f"/lists/clusters/{pid}/split", data={"csrf_token": t, "record": "987654", "note": "x"}
    )
    assert r.status_code in (404, 422), r.text[-1000:]
    text = unescape(re.sub(r"<[^>]+>", " ", r.text))
    assert "cluster" not in text and "no list record" not in text, text[-1500:]


def test_a_retraction_refused_answers_in_arabic(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    """A retraction with a blank reason, and the restore of a record not retracted: the
    API's detail in Arabic with Accept-Language, its English words in ``error``."""
    from dalil.services import records

    from .conftest import USERS

    with app.state.case.act(USERS["admin"]) as ctx:
        iid = int(records.add(ctx, "incident", title="Fictional incident, words test").id)
    h = {"Authorization": f"Bearer {seeded['tokens']['investigator']}", "Accept-Language": "ar"}
    r = client.post(f"/api/v1/incidents/{iid}/retract", json={"reason": "   "}, headers=h)
    assert r.status_code == 422, r.text
    assert r.json()["error"].startswith("a reason is required"), r.json()
    assert _arabic(r.json()["detail"]) and not _latin_words(r.json()["detail"]), r.json()
    r = client.post(f"/api/v1/incidents/{iid}/restore", json={"reason": "fictional"}, headers=h)
    assert r.status_code == 409, r.text
    assert r.json()["error"] == f"incident {iid} is not retracted; nothing to restore"
    assert _arabic(r.json()["detail"]) and not _latin_words(r.json()["detail"]), r.json()


_BAD_FIELDS = [
    ("date_start", "31/31/2025", "اليوم الأول"),
    ("incident_type", "picnic", "نوع الحادثة"),
]


@pytest.mark.parametrize(("name", "bad", "label"), _BAD_FIELDS)
def test_a_record_refused_for_a_bad_value_is_refused_in_arabic_through_the_api(
    client: Client, seeded: dict[str, Any], name: str, bad: str, label: str
) -> None:
    r = client.post(
        "/api/v1/incidents",
        json={"title": "Fictional raid on Tell Hamra (fictional)", name: bad},
        headers={
            "Authorization": f"Bearer {seeded['tokens']['investigator']}",
            "Accept-Language": "ar",
        },
    )
    assert r.status_code == 422
    body = r.json()
    assert body["field"] == name
    words = body["detail"]
    assert _arabic(words) and label in words and bad in words, words
    assert "invalid" not in words and name not in words, words
    assert body["error"].startswith(f"invalid {name} '{bad}'"), body["error"]  # English kept


@pytest.mark.parametrize(("name", "bad", "label"), _BAD_FIELDS)
def test_a_record_form_shows_a_bad_value_refused_in_arabic_next_to_its_field(
    client: Client, seeded: dict[str, Any], name: str, bad: str, label: str
) -> None:
    client.get("/login?lang=ar")
    client.login("investigator")
    token = client.csrf("/incidents/new")
    data = {"title": "Fictional raid on Tell Hamra (fictional)", name: bad, "csrf_token": token}
    r = client.post("/incidents/new", data=data)
    assert r.status_code == 422
    box = re.search(rf'<span class="error[^"]*" id="err-{name}"[^>]*>(.*?)</span>', r.text, re.S)
    assert box is not None, r.text[:3000]
    words = unescape(re.sub(r"<[^>]+>", "", box.group(1))).strip().replace(bad, "")
    assert _arabic(words) and not re.search(r"[A-Za-z]{3,}", words), words


@pytest.mark.parametrize(
    ("body", "label", "english"),
    [
        ({"lat": 35.5}, "العنوان", "incident needs title"),
        ({"title": "Fictional raid (fictional)", "lat": 95}, "خط العرض", "invalid lat 95"),
        ({"title": "Fictional raid (fictional)", "lat": 35.5}, "خط الطول", "give both latitude"),
        ({"title": "Fictional raid (fictional)", "colour": "red"}, "colour", "unknown incident"),
    ],
)
def test_a_record_missing_or_out_of_range_is_refused_in_arabic_through_the_api(
    client: Client, seeded: dict[str, Any], body: dict[str, Any], label: str, english: str
) -> None:
    r = client.post(
        "/api/v1/incidents",
        json=body,
        headers={
            "Authorization": f"Bearer {seeded['tokens']['investigator']}",
            "Accept-Language": "ar",
        },
    )
    assert r.status_code == 422
    words = r.json()["detail"]
    assert _arabic(words) and label in words, words
    assert not re.search(r"[A-Za-z]{3,}", words.replace("colour", "")), words
    assert r.json()["error"].startswith(english), r.json()["error"]


@pytest.mark.parametrize(
    ("body", "label", "english"),
    [
        ({"date_start": "2025-03-08", "date_end": "2025-03-01"}, "اليوم الأخير", "invalid date"),
        ({"fatalities_low": 9, "fatalities_best": 3}, "القتلى", "invalid fatalities"),
    ],
)
def test_a_record_whose_fields_disagree_is_refused_in_arabic_through_the_api(
    client: Client, seeded: dict[str, Any], body: dict[str, Any], label: str, english: str
) -> None:
    r = client.post(
        "/api/v1/incidents",
        json={"title": "Fictional raid (fictional)", **body},
        headers={
            "Authorization": f"Bearer {seeded['tokens']['investigator']}",
            "Accept-Language": "ar",
        },
    )
    assert r.status_code == 422
    words = r.json()["detail"]
    assert _arabic(words) and label in words, words
    assert not re.search(r"[A-Za-z]{3,}", words), words
    assert r.json()["error"].startswith(english), r.json()["error"]


def _record_refusals(ctx: Any) -> list[tuple[str, str, Any]]:
    """(English start, the user's value allowed in Latin letters, the refusing call)."""
    from dalil.services import records

    iid = int(records.add(ctx, "incident", title="Fictional raid, words test").id)
    top = int(records.add(ctx, "unit", name="Fictional brigade (fictional)", kind="armed_group").id)
    sub = int(
        records.add(ctx, "unit", name="Fictional company", kind="armed_group", parent_id=top).id
    )
    src = int(records.add(ctx, "source", title="Fictional report", kind="report").id)
    return [
        ("unknown incident field 'colour'", "colour",
         lambda: records.spec_for("incident").field("colour")),
        ("unknown record kind 'picnic'; known: source, incident", "picnic",
         lambda: records.spec_for("picnic")),
        (f"unit {top} cannot be its own parent (cycle through unit {top})", "",
         lambda: records.update(ctx, "unit", top, parent_id=sub)),
        ("a provenance link needs exactly one of evidence or source", "",
         lambda: records.add(ctx, "provenance", subject_kind="incident", subject_id=iid,
                             role="supports")),
        ("role testimony_of: the subject must be a person", "",
         lambda: records.add(ctx, "provenance", subject_kind="incident", subject_id=iid,
                             source_id=src, role="testimony_of")),
        ("invalid page: limit -1, offset 0", "", lambda: records.list_(ctx, "incident", limit=-1)),
        ("invalid page: limit 5, offset -2", "",
         lambda: records.list_open(ctx, "incident", limit=5, offset=-2)),
        ("unit records have no date to filter by", "",
         lambda: records.list_open(ctx, "unit", date_from="2025")),
        ("unit records have no place to filter by", "",
         lambda: records.list_open(ctx, "unit", place="Hamra")),
        ("cannot filter incident records by title", "",
         lambda: records.list_(ctx, "incident", title="x")),
        ("invalid version 'yesterday': expected ISO 8601", "yesterday",
         lambda: records.update(ctx, "incident", iid, if_version="yesterday", title="y")),
        ("cannot sort incident records by '-colour'; by: id, title, incident_type", "colour",
         lambda: records.list_open(ctx, "incident", order="-colour")),
        ("nothing to update: give at least one field", "",
         lambda: records.update(ctx, "incident", iid)),
        (f"incident {iid} was changed since you opened it (by ", "",
         lambda: records.update(ctx, "incident", iid, if_version="2000-01-01T00:00:00+00:00",
                                title="z")),
    ]  # fmt: skip


def test_the_remaining_record_refusals_are_in_arabic(app: Any) -> None:
    """Each refusal of the records service in Arabic words (only the user's own value in
    Latin letters, and the names of the users who edited), its English words unchanged."""
    from dalil.display.messages import error_in_words
    from dalil.errors import DalilError
    from dalil.services import records

    from .conftest import USERS

    with app.state.case.act(USERS["admin"]) as ctx:
        cases = _record_refusals(ctx)
        records.update(ctx, "incident", int(cases[-1][0].split()[1]), title="Edited (fict.)")
        wrong = []
        for english, value, call in cases:
            with pytest.raises(DalilError) as caught:
                call()
            assert str(caught.value).startswith(english), (english, str(caught.value))
            words = error_in_words(caught.value, "ar")
            left = _latin_words(words) - {value} - set(USERS.values())
            if not _arabic(words) or left:
                wrong.append(words)
        assert not wrong, wrong


_LIST_FILES = [
    ("roll.csv", b"", "roll.csv: the file is empty"),
    ("roll.ods", b"x", "roll.ods: .ods is not supported"),
    ("roll.csv", b"full_name,age\nFictional Person,3,4,5\n", "roll.csv: row 2: 4 values but 2"),
    ("roll.csv", b'full_name\n"Fictional\nPerson\n', "roll.csv: row 2: a quoted value is never"),
    ("roll.json", b'[{"full_name": "Fictional\\u0000"}]', "roll.json: row 1, column 'full_name'"),
    ("roll.xlsx", b"not a zip", "roll.xlsx: not a readable XLSX workbook"),
    ("roll.json", b"[{", "roll.json: not valid JSON (line 1, column 3)"),
    ("roll.json", b"[" * 100_000, "roll.json: JSON nested too deeply"),
    ("roll.json", b'{"rows": []}', "roll.json: expected a JSON array of objects"),
    ("roll.json", b"[3]", "roll.json: row 1: expected an object"),
]


@pytest.mark.parametrize(("name", "data", "english"), _LIST_FILES)
def test_a_list_file_refused_is_refused_in_arabic(
    tmp_path: Any, name: str, data: bytes, english: str
) -> None:
    """A victim list the reader refuses: its English words as they were, its Arabic words
    with no Latin word but the file's own name (and its column's)."""
    from dalil.display.messages import error_in_words
    from dalil.errors import DalilError
    from dalil.linkage import io

    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DalilError) as caught:
        io.preview(path)
    assert str(caught.value).startswith(english), str(caught.value)
    words = error_in_words(caught.value, "ar")
    # the file's name and column, and the reading library's name for the fault
    left = _latin_words(words) - {
        "roll",
        "csv",
        "ods",
        "xlsx",
        "json",
        "full",
        "name",
        "BadZipFile",
    }
    left -= {"records"}  # the JSON key itself
    assert _arabic(words) and not left, words


@pytest.mark.parametrize(
    ("sheet", "english"),
    [
        (None, "roll.xlsx: the workbook has 2 sheets (Alpha, Beta); choose one with --sheet"),
        ("Gamma", "roll.xlsx: no sheet named 'Gamma' (sheets: Alpha, Beta)"),
    ],
)
def test_a_workbook_sheet_refused_is_refused_in_arabic(
    tmp_path: Any, sheet: str | None, english: str
) -> None:
    import openpyxl

    from dalil.display.messages import error_in_words
    from dalil.errors import DalilError
    from dalil.linkage import io

    wb = openpyxl.Workbook()
    wb.active.title = "Alpha"
    wb.active.append(["full_name"])
    wb.create_sheet("Beta").append(["full_name"])
    wb.save(tmp_path / "roll.xlsx")
    with pytest.raises(DalilError) as caught:
        io.preview(tmp_path / "roll.xlsx", sheet=sheet)
    assert str(caught.value) == english
    words = error_in_words(caught.value, "ar")
    left = _latin_words(words) - {"roll", "xlsx", "Alpha", "Beta", "Gamma", "sheet"}
    assert _arabic(words) and not left, words
    if sheet is None:
        assert "--sheet" in words, words  # the option to give, as it is spelled


def test_a_missing_list_file_is_refused_in_arabic(tmp_path: Any) -> None:
    from dalil.display.messages import error_in_words
    from dalil.errors import DalilError
    from dalil.linkage import io

    with pytest.raises(DalilError) as caught:
        io.preview(tmp_path / "roll.csv")
    assert str(caught.value) == f"{tmp_path / 'roll.csv'}: no such file"
    words = error_in_words(caught.value, "ar")
    assert _arabic(words) and words.startswith(str(tmp_path / "roll.csv")), words


@pytest.mark.parametrize(
    ("url", "label", "english"),
    [
        ("/incidents?order=colour", "العنوان",
         "cannot sort incident records by (the value given); by: id, title,"),
        ("/incidents?order=-colour", "العنوان",
         "cannot sort incident records by (the value given); by: id, title,"),
        ("/persons?order=colour", "الاسم المستعار",
         "cannot sort persons by (the value given); by: id, pseudonym,"),
    ],
)  # fmt: skip
def test_a_list_sorted_by_an_unknown_field_is_refused_in_arabic(
    client: Client, seeded: dict[str, Any], url: str, label: str, english: str
) -> None:
    """The list page's refusal in Arabic words, the fields it sorts by as their labels;
    in English the words as before."""
    client.get("/login?lang=ar")
    client.login("investigator")
    r = client.get(url)
    assert r.status_code == 422, r.text[-1000:]
    box = re.search(r"<main[^>]*>(.*?)</main>", r.text, re.S)
    assert box is not None, r.text[-2000:]
    words = unescape(re.sub(r"<[^>]+>", " ", box.group(1)))
    assert _arabic(words) and label in words, words
    assert not _latin_words(words), words
    r = client.get(url + "&lang=en")
    assert r.status_code == 422 and english in unescape(r.text), r.text[-2000:]


@pytest.mark.parametrize(
    ("event", "english"),
    [
        ({"ev_status": "located", "ev_on": "2025"}, "invalid date '2025': use YYYY-MM-DD"),
        ({"ev_status": "reported", "ev_on": "2025-05-01"}, "site status cannot go from"),
        ({"ev_status": "secured", "ev_on": "2025-01-01"}, "status date 2025-01-01 is before"),
    ],
)
def test_a_site_status_change_refused_is_refused_in_arabic(
    client: Client, app: Any, event: dict[str, str], english: str
) -> None:
    """The site form's status change: a date not a day, a status going back, a date
    before the last change; in Arabic on the form, the English words in the API."""
    from dalil.services import records, sites

    from .conftest import USERS

    with app.state.case.act(USERS["admin"]) as ctx:
        sid = int(records.add(ctx, "site", name="Fictional well (words)", site_type="burial").id)
        sites.site_status(ctx, sid, "located", "2025-04-01")
    client.get("/login?lang=ar")
    client.login("investigator")
    url = f"/sites/{sid}/edit"
    page = client.get(url).text
    version = re.search(r'name="version" value="([^"]+)"', page)
    assert version is not None
    data = {"name": "Fictional well (words)", "site_type": "burial", "version": version.group(1)}
    r = client.post(url, data={**data, **event, "csrf_token": client.csrf(url)})
    assert r.status_code == 422, r.text[-1500:]
    box = re.search(r'<p class="error"[^>]*>(.*?)</p>', r.text, re.S)
    assert box is not None, r.text[-2000:]
    words = unescape(re.sub(r"<[^>]+>", " ", box.group(1)))
    assert _arabic(words) and not _latin_words(words), words
    with app.state.case.act(USERS["admin"]) as ctx, pytest.raises(DalilError) as caught:
        sites.site_status(ctx, sid, event["ev_status"], event["ev_on"])
    assert str(caught.value).startswith(english), str(caught.value)


@pytest.mark.parametrize(
    ("body", "english"),
    [
        ({"age": 200}, "invalid age 200: must be at most 130"),
        ({"age_min": 131}, "invalid age_min 131: must be at most 130"),
        ({"age_min": 40, "age_max": 30}, "invalid age range 40-30: minimum above maximum"),
        ({"age": -1}, "invalid age -1: must be zero or more"),
    ],
)
def test_a_person_age_refused_is_refused_in_arabic_through_the_api(
    client: Client, seeded: dict[str, Any], body: dict[str, Any], english: str
) -> None:
    """The person service's age refusals (issue #11 item 10): Arabic words and no Latin
    word in the API's detail, the English words kept in its error."""
    r = client.post(
        "/api/v1/persons",
        json={"pseudonym": "Fictional person (age words)", **body},
        headers={
            "Authorization": f"Bearer {seeded['tokens']['investigator']}",
            "Accept-Language": "ar",
        },
    )
    assert r.status_code == 422, r.text
    words = r.json()["detail"]
    assert _arabic(words) and not re.search(r"[A-Za-z]{3,}", words), words
    assert r.json()["error"] == english, r.json()["error"]


def test_an_age_not_a_number_and_an_unknown_person_field_are_refused_in_arabic(
    app: Any,
) -> None:
    """``parse_age`` (the forms' age) and a person field that does not exist, through the
    service: Arabic words (only the typed field name left in Latin), English unchanged."""
    from dalil.display.messages import error_in_words
    from dalil.services import persons

    from .conftest import USERS

    with pytest.raises(DalilError) as caught:
        persons.parse_age("about forty")
    assert str(caught.value) == (
        "invalid age 'about forty': use a number (34) or a range (30-40)"
    ), str(caught.value)
    words = error_in_words(caught.value, "ar")
    assert _arabic(words) and set(re.findall(r"[A-Za-z]{3,}", words)) == {"about", "forty"}, words
    for call in (
        lambda ctx: persons.add_person(ctx, pseudonym="Fictional (field words)", nickname="x"),
        lambda ctx: persons.update_person(ctx, 1, nickname="x"),
    ):
        with app.state.case.act(USERS["admin"]) as ctx, pytest.raises(DalilError) as caught:
            call(ctx)
        assert str(caught.value) == "unknown person field(s): nickname", str(caught.value)
        words = error_in_words(caught.value, "ar")
        assert _arabic(words) and set(re.findall(r"[A-Za-z]{3,}", words)) == {"nickname"}, words


def test_the_remaining_person_refusals_are_in_arabic(app: Any) -> None:
    """Nothing to update, a reveal without a reason, a page out of range: Arabic words
    with no Latin word, the English words unchanged."""
    from dalil.display.messages import error_in_words
    from dalil.services import persons

    from .conftest import USERS

    calls = [
        ("nothing to update: give at least one field", lambda ctx: persons.update_person(ctx, 1)),
        ("a reveal needs a reason (why you need the protected fields)",
         lambda ctx: persons.reveal(ctx, [persons.get_person(ctx, 1)], reason="no")),
        ("invalid limit -1: must be 0 or more", lambda ctx: persons.list_persons(ctx, limit=-1)),
        ("invalid offset -2: must be 0 or more", lambda ctx: persons.list_persons(ctx, offset=-2)),
    ]  # fmt: skip
    wrong = []
    for english, call in calls:
        with app.state.case.act(USERS["admin"]) as ctx, pytest.raises(DalilError) as caught:
            call(ctx)
        assert str(caught.value) == english, str(caught.value)
        words = error_in_words(caught.value, "ar")
        if not _arabic(words) or re.search(r"[A-Za-z]{3,}", words):
            wrong.append(words)
    assert not wrong, wrong
