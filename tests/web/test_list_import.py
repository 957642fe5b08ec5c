"""Victim-list import from the workbench: upload, column mapping, validation report,
then all-or-nothing import. All names are fictional."""

from __future__ import annotations

import re
import tempfile
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from dalil.services import jobs

from .conftest import USERS, Client, seed_case

# Headings the importer does not recognise by itself: the mapping step must name them.
LIST_CSV = (
    b"Ref;Victim;Gender;Years;Died\n"
    b"c1;Fictional Nadim Qasir;m;34;2025-03-07\n"
    b"c2;Fictional Huda Barakat;female;abc;2025-03-07\n"
    b"c3;;m;20;2025-03-07\n"
    b"c4;Fictional Sami Darwish;m;41;2025-13-40\n"
)


def _upload(c: Client, name: str) -> Any:
    t = c.csrf("/lists/import")
    return c.post(
        "/lists/import",
        data={"name": name, "csrf_token": t},
        files={"file": ("fictional-list.csv", LIST_CSV, "text/csv")},
    )


def _mapping_fields(html: str) -> dict[str, str]:
    cols = re.findall(r'<label for="map-(\d+)"><bdi>([^<]+)</bdi>', html)
    want = {
        "Ref": "record_id",
        "Victim": "full_name",
        "Gender": "sex",
        "Years": "age",
        "Died": "date_of_death",
    }
    return {f"map_{i}": want[c] for i, c in cols if c in want}


def _temp_files(case_root: Path | None = None) -> set[str]:
    places = [Path(tempfile.gettempdir()), Path("/dev/shm")]
    if case_root is not None:
        places.append(case_root / "tmp")  # the case's private temporary area
    return {p.name for d in places if d.is_dir() for p in d.glob("dalil-list-*")}


def _jobs(app: Any) -> int:
    from sqlalchemy import func, select

    from dalil.model.job import Job

    with app.state.case.system_session(write=False) as s:
        return int(s.scalar(select(func.count(Job.id))) or 0)


def _check(c: Client, fields: dict[str, str]) -> int:
    """Step 2 (*Check the file*): answered at once with the check job's page; waits for
    the job (a real job run) and returns its id."""
    r = c.post("/lists/import/check", data={**fields, "csrf_token": c.csrf("/lists/import")})
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/"), r.text[-2000:]
    jid = int(r.headers["location"].rsplit("/", 1)[1])
    assert jobs.wait(c.app.state.case, jid, timeout=120) == "done"
    return jid


def test_upload_map_check_and_import_a_list(make_client: Any, seeded: dict[str, Any]) -> None:
    c = make_client()
    c.login("analyst")
    before = _temp_files(seeded["root"])
    r = _upload(c, "Fictional web list")
    assert r.status_code == 200 and "Victim" in r.text and "full_name" in r.text
    fields = _mapping_fields(r.text)
    assert len(fields) == 5
    # Step 2 is a job (never inside the request): the answer is the job's page
    t = c.csrf("/lists/import")
    r = c.post("/lists/import/check", data={**fields, "csrf_token": t})
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/"), r.text[-2000:]
    check = int(r.headers["location"].rsplit("/", 1)[1])
    assert jobs.wait(c.app.state.case, check, timeout=120) == "done"
    page = c.get(f"/jobs/{check}")
    assert "checking the file with the chosen columns" in page.text  # its log, in words
    assert f'id="job-check-report" href="/lists/import?check={check}"' in page.text
    ar = c.get(f"/jobs/{check}?lang=ar")
    assert "فحص الملف بالأعمدة المختارة" in ar.text
    c.get(f"/jobs/{check}?lang=en")  # the language chosen sticks: back to English
    r = c.get(f"/lists/import?check={check}")
    assert r.status_code == 200
    assert re.search(r'id="report-rows">4<', r.text)
    assert re.search(r'id="report-imported">3<', r.text)  # c3 has no name: rejected
    assert re.search(r'id="report-rejected">1<', r.text)
    assert "no name in any name column" in r.text
    # the mapping chosen is kept: shown selected, and carried by the import form
    assert re.search(r'<option value="full_name" selected>', r.text)
    assert 'action="/lists/import/confirm"' in r.text
    assert "Fictional web list" not in c.get("/lists").text  # a check stores nothing
    t = c.csrf("/lists/import")
    r = c.post("/lists/import/confirm", data={**fields, "csrf_token": t})
    # the import is a job: the answer is its page, which follows it
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/"), r.text
    jid = int(r.headers["location"].rsplit("/", 1)[1])
    assert jobs.wait(c.app.state.case, jid, timeout=120) == "done"
    job = c.get(f"/jobs/{jid}")
    assert 'id="job-import-report"' in job.text and "stored 3 of 3 records" in job.text
    r = c.get(f"/lists/import?job={jid}")
    assert r.status_code == 200 and 'id="import-done"' in r.text, r.text[-2000:]
    # the validation report, row by row, as before the import became a job
    assert re.search(r'id="report-rejected">1<', r.text)
    assert "no name in any name column" in r.text
    assert "Fictional web list" in c.get("/lists").text
    assert _temp_files(seeded["root"]) == before  # the private temporary copies are gone
    # the same name again is refused at once, next to the mapping, with no job
    _upload(c, "Fictional web list")
    _check(c, fields)
    n = _jobs(c.app)
    r = c.post("/lists/import/confirm", data={**fields, "csrf_token": c.csrf("/lists/import")})
    assert r.status_code == 422 and "already exists" in r.text
    assert _jobs(c.app) == n


def test_a_bad_mapping_is_refused_at_once_next_to_it_with_the_choices_kept(
    make_client: Any, app: Any
) -> None:
    """A mapping at fault is said on the mapping step (422), what was chosen kept, and no
    job is queued; the check job is for the file's rows."""
    c = make_client()
    c.login("analyst")
    fields = _mapping_fields(_upload(c, "Fictional doubled list").text)
    doubled = {**fields}
    doubled[next(k for k, v in fields.items() if v == "sex")] = "full_name"  # two name columns
    n = _jobs(app)
    r = c.post("/lists/import/check", data={**doubled, "csrf_token": c.csrf("/lists/import")})
    assert r.status_code == 422, r.text[-2000:]
    assert _jobs(app) == n  # nothing queued
    assert re.search(r'id="li-mapping-error"[^>]*><bdi>[^<]*both map to', r.text)
    assert 'aria-describedby="li-mapping-error"' in r.text
    # the choices made are kept: two columns chosen as the full name
    assert len(re.findall(r'<option value="full_name" selected>', r.text)) == 2
    assert re.search(r'<option value="age" selected>', r.text)


@pytest.mark.parametrize("fault", ["doubled", "no name"])
def test_a_bad_mapping_is_refused_in_arabic_on_an_arabic_page(
    make_client: Any, app: Any, fault: str
) -> None:
    """The mapping's refusals (two columns on one field, no name column) in the page's
    language: Arabic words, no Latin word but the file's columns and the fields' names."""
    c = make_client()
    c.get("/login?lang=ar")
    c.login("analyst")
    fields = _mapping_fields(_upload(c, f"Fictional list ({fault})").text)
    name = next(k for k, v in fields.items() if v == "full_name")
    if fault == "doubled":
        fields[next(k for k, v in fields.items() if v == "sex")] = "full_name"
    else:
        del fields[name]  # the name column left out
    r = c.post("/lists/import/check", data={**fields, "csrf_token": c.csrf("/lists/import")})
    assert r.status_code == 422, r.text[-2000:]
    box = re.search(r'id="li-mapping-error"[^>]*>(.*?)</p>', r.text, re.S)
    assert box is not None, r.text[-2000:]
    words = unescape(re.sub(r"<[^>]+>", "", box.group(1)))
    own = {"fictional", "list", "csv", "map", "Victim", "Gender", "full", "name"}
    own |= {"first", "father", "grandfather", "family"}
    assert any("\u0600" <= ch <= "\u06ff" for ch in words), words
    assert not set(re.findall(r"[A-Za-z]{3,}", words)) - own, words


def test_a_blank_list_name_is_refused_in_arabic_on_an_arabic_page(
    make_client: Any, app: Any
) -> None:
    """A list name of spaces only (the form's own check lets it through): refused on the
    mapping step in the page's language."""
    c = make_client()
    c.get("/login?lang=ar")
    c.login("analyst")
    fields = _mapping_fields(_upload(c, "   ").text)
    r = c.post("/lists/import/check", data={**fields, "csrf_token": c.csrf("/lists/import")})
    assert r.status_code == 422, r.text[-2000:]
    box = re.search(r'id="li-mapping-error"[^>]*>(.*?)</p>', r.text, re.S)
    assert box is not None, r.text[-2000:]
    words = unescape(re.sub(r"<[^>]+>", "", box.group(1)))
    assert any("\u0600" <= ch <= "\u06ff" for ch in words), words
    assert not re.search(r"[A-Za-z]{3,}", words), words


def test_a_list_import_job_reports_rows_stored_of_total(
    make_client: Any, seeded: dict[str, Any]
) -> None:
    """A list of 1,200 fictional rows: the job's log counts the records stored."""
    rows = b"".join(
        b"r%d;Fictional Person %d;m;%d;2025-03-07\n" % (i, i, 20 + i % 50) for i in range(1200)
    )
    c = make_client()
    c.login("analyst")
    t = c.csrf("/lists/import")
    r = c.post(
        "/lists/import",
        data={"name": "Fictional long web list", "csrf_token": t},
        files={"file": ("long.csv", b"Ref;Victim;Gender;Years;Died\n" + rows, "text/csv")},
    )
    fields = _mapping_fields(r.text)
    _check(c, fields)
    r = c.post("/lists/import/confirm", data={**fields, "csrf_token": c.csrf("/lists/import")})
    assert r.status_code == 303, r.text
    jid = int(r.headers["location"].rsplit("/", 1)[1])
    assert jobs.wait(c.app.state.case, jid, timeout=120) == "done"
    log = [line["message"] for line in c.get(f"/api/v1/jobs/{jid}").json()["log"]]
    stored = [m for m in log if m.startswith("stored ")]
    assert (
        stored[0] == "stored 0 of 1,200 records" and stored[-1] == "stored 1,200 of 1,200 records"
    )
    assert "stored 500 of 1,200 records" in stored and "stored 1,000 of 1,200 records" in stored


def test_without_a_name_column_the_mapping_step_says_so(make_client: Any) -> None:
    c = make_client()
    c.login("analyst")
    _upload(c, "Fictional unmapped list")
    t = c.csrf("/lists/import")
    r = c.post("/lists/import/check", data={"csrf_token": t})
    assert r.status_code == 422 and "no name column" in r.text


def _denied_imports(app: Any, user: str) -> int:
    from dalil.core import audit

    with app.state.case.system_session(write=False) as s:
        return sum(
            1
            for e in audit.query(s, actor=user, action="access.denied")
            if e.to_dict()["detail"].get("permission") == "record.write"
        )


def test_viewer_cannot_import_and_nothing_is_stored(make_client: Any, app: Any) -> None:
    c = make_client()
    c.login("viewer")
    before = _denied_imports(app, USERS["viewer"])
    # Step 1 already refuses a viewer (issue 18: the server no longer parses, or keeps
    # in the session, a file a viewer uploads).
    r = _upload(c, "Fictional viewer list")
    assert r.status_code == 403
    t = c.csrf("/lists/import")
    r = c.post("/lists/import/confirm", data={"csrf_token": t})
    assert r.status_code == 403
    assert "Fictional viewer list" not in c.get("/lists").text
    # The refusal is logged (one door: the same access.denied as from the CLI).
    assert _denied_imports(app, USERS["viewer"]) == before + 2  # the upload, the confirm


@pytest.fixture
def own_case(tmp_path: Path) -> Any:
    """An app on a copy of the seeded case of this test's own: other tests split and
    merge the seeded clusters (the authorization matrix as every role)."""
    from dalil.testing import TEST_PASSPHRASE
    from dalil.web.app import create_app

    ids = seed_case(tmp_path / "case")
    application = create_app(tmp_path / "case", TEST_PASSPHRASE)
    yield application, ids
    application.state.case.close()


def test_cluster_page_explains_each_link_without_names(
    make_client: Any, own_case: tuple[Any, dict[str, Any]]
) -> None:
    """The cluster of a victim from the seeded lists ("Fictional Alpha One" in both)."""
    application, seeded = own_case
    client = make_client(application)
    client.login("analyst")
    r = client.get(f"/lists/clusters/{seeded['list_person']}")
    assert r.status_code == 200, r.text
    # each field and the level it reached in words, and what drove the link
    assert "First name" in r.text and "same spelling" in r.text
    assert "For the same person:" in r.text
    assert "first_name" not in r.text  # no column names
    assert "Fictional Alpha" not in r.text  # no name
    # an analyst may split and merge: the buttons are there
    assert "Split the ticked records off" in r.text and "Merge with another victim" in r.text
    ar = client.get(f"/lists/clusters/{seeded['list_person']}?lang=ar")
    assert "مجموعة سجلات الضحية" in ar.text and "الاسم الأول" in ar.text
    assert "التهجئة نفسها" in ar.text
    # nothing ticked: said on the page, in words, nothing stored
    t = client.csrf(f"/lists/clusters/{seeded['list_person']}")
    bad = client.post(f"/lists/clusters/{seeded['list_person']}/split?lang=ar",
                      data={"csrf_token": t, "note": "x"})  # fmt: skip
    assert bad.status_code == 422 and "أشّر على السجلات المراد فصلها." in bad.text
    viewer = make_client(application)
    viewer.login("viewer")
    v = viewer.get(f"/lists/clusters/{seeded['list_person']}")
    assert v.status_code == 200 and "Split the ticked records off" not in v.text
    assert client.get("/lists/clusters/999999").status_code == 404
