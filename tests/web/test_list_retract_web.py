"""Retract and restore a victim list or one list record in the pages and the API:
the list page and the list-record page show the records without names, what a
retraction (or restore) will change downstream before it is confirmed, a refusal next
to the reason with the reason kept, and a confirmation after each step; the controls
only for roles that may write records. Through the service layer (same permission,
same audit as ``dalil list retract-record``). All data fictional."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dalil.core import audit
from dalil.model.lists import ListRecord

from .conftest import USERS, Client

ROWS = (
    "record_id,full_name,sex,age,date_of_death,place_of_death\n"
    "1,Fictional Zubayda Qorvath,male,77,2025-03-09,Wadi Fictiv\n"
    "2,Fictional Yusriyya Pelmanov,female,88,2025-03-09,Wadi Fictiv\n"
)


@pytest.fixture(scope="module")
def own_list(app: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """A list of its own (the shared lists stay in force for the other tests)."""
    from dalil.services import lists

    f: Path = tmp_path_factory.mktemp("lst") / "web-retract.csv"
    f.write_text(ROWS, encoding="utf-8")
    vl = lists.import_list(
        app.state.case, USERS["admin"], f, list_name="Fictional web retraction list"
    )
    with app.state.case.act(USERS["admin"], write=False) as ctx:
        recs = list(
            ctx.session.scalars(
                select(ListRecord.id).where(ListRecord.list_id == vl["id"]).order_by(ListRecord.id)
            )
        )
    return {"list": int(vl["id"]), "record": recs[0], "other": recs[1]}


def _log(app: Any, **kw: Any) -> list[dict[str, Any]]:
    with app.state.case.system_session() as s:
        return [e.to_dict() for e in audit.query(s, **kw)]


def _rows(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'id="list-record-(\d+)"', html)}


def test_the_lists_link_to_a_list_page_without_names(
    make_client: Any, own_list: dict[str, int]
) -> None:
    viewer = make_client()
    viewer.login("viewer")
    assert f'href="/lists/{own_list["list"]}"' in viewer.get("/lists").text
    r = viewer.get(f"/lists/{own_list['list']}")
    assert r.status_code == 200, r.text
    assert _rows(r.text) == {own_list["record"], own_list["other"]}
    assert "Zubayda" not in r.text and "Yusriyya" not in r.text  # names stay encrypted
    assert 'id="retract-form"' not in r.text  # a viewer may not retract
    r = viewer.get(f"/lists/records/{own_list['record']}")
    assert r.status_code == 200 and "Zubayda" not in r.text
    assert 'id="retract-form"' not in r.text
    assert viewer.get("/lists/999999").status_code == 404
    assert viewer.get("/lists/records/999999").status_code == 404


def test_a_viewer_is_refused_and_logged(
    make_client: Any, own_list: dict[str, int], app: Any
) -> None:
    viewer = make_client()
    viewer.login("viewer")
    token = viewer.csrf(f"/lists/{own_list['list']}")
    r = viewer.post(
        f"/lists/records/{own_list['record']}/retract",
        data={"reason": "a viewer tries (fictional)", "csrf_token": token},
    )
    assert r.status_code == 403
    denied = _log(app, actor=USERS["viewer"], action="access.denied")
    assert denied and denied[-1]["detail"]["permission"] == "record.write"


def test_retract_and_restore_a_list_record_in_the_page(
    make_client: Any, own_list: dict[str, int], app: Any
) -> None:
    ivy = make_client()
    ivy.login("investigator")
    rid, lid = own_list["record"], own_list["list"]
    page = ivy.get(f"/lists/records/{rid}")
    assert 'id="retract-form"' in page.text and 'id="retract-impact"' in page.text
    assert "List records that leave the linkage runs and the estimates: 1" in page.text
    # the form's own token (the one a browser sends)
    form = page.text[page.text.index('id="retract-form"') :]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    # too short: the page again, the refusal next to the field, the reason kept
    r = ivy.post(f"/lists/records/{rid}/retract", data={"reason": "no", "csrf_token": token})
    assert r.status_code == 422
    assert 'id="retract-error"' in r.text and 'aria-invalid="true"' in r.text
    assert re.search(r'<textarea id="retract-reason"[^>]*>no</textarea>', r.text)
    assert " open>" in r.text  # the form stays open
    reason = "Fictional: the same person entered twice on this list"
    r = ivy.post(f"/lists/records/{rid}/retract", data={"reason": reason, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"/lists/records/{rid}?done=retracted"
    done = ivy.get(r.headers["location"]).text
    assert 'id="retract-done"' in done and 'id="retraction"' in done and reason in done
    assert "/restore" in done and "List records that rejoin" in done
    assert rid not in _rows(ivy.get(f"/lists/{lid}").text)
    assert _rows(ivy.get(f"/lists/{lid}?retracted=only").text) == {rid}
    # already retracted (an older tab): said next to the field
    r = ivy.post(f"/lists/records/{rid}/retract", data={"reason": reason, "csrf_token": token})
    assert r.status_code == 409 and "This record is already retracted." in r.text
    back = "Fictional: two different people after all"
    r = ivy.post(f"/lists/records/{rid}/restore", data={"reason": back, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=restored")
    assert 'id="retract-done"' in ivy.get(r.headers["location"]).text
    assert rid in _rows(ivy.get(f"/lists/{lid}").text)
    entries = _log(app, actor=USERS["investigator"])
    mine = [(e["action"], e["object_ids"]) for e in entries if "list_record" in e["action"]]
    assert mine[-2:] == [
        ("list_record.retract", [f"list_record:{rid}"]),
        ("list_record.restore", [f"list_record:{rid}"]),
    ]


def test_retract_a_list_with_its_records_and_restore_it(
    make_client: Any, own_list: dict[str, int]
) -> None:
    admin = make_client()
    admin.login("admin")
    lid = own_list["list"]
    page = admin.get(f"/lists/{lid}")
    assert "List records that leave the linkage runs and the estimates: 2" in page.text
    token = admin.csrf(f"/lists/{lid}")
    r = admin.post(
        f"/lists/{lid}/retract",
        data={
            "reason": "Fictional: list not verified",
            "with_dependants": "1",
            "csrf_token": token,
        },
    )
    assert r.status_code == 303 and r.headers["location"] == f"/lists/{lid}?done=retracted"
    shown = admin.get(r.headers["location"]).text
    assert 'id="retraction"' in shown and "(retracted)" in admin.get("/lists").text
    assert _rows(shown) == set()  # its records were retracted with it
    r = admin.post(
        f"/lists/{lid}/restore",
        data={"reason": "Fictional: verified now", "csrf_token": token},
    )
    assert r.status_code == 303
    assert _rows(admin.get(f"/lists/{lid}").text) == {own_list["record"], own_list["other"]}


def test_the_api_previews_and_retracts_a_list_record(
    client: Client, seeded: dict[str, Any], own_list: dict[str, int]
) -> None:
    rid = own_list["other"]
    bearer = {"Authorization": f"Bearer {seeded['tokens']['investigator']}"}
    r = client.get(f"/api/v1/list_records/{rid}/impact", headers=bearer)
    assert r.status_code == 200, r.text
    seen = r.json()
    assert (seen["restore"], seen["list_records"], seen["object_id"]) == (
        False,
        1,
        f"list_record:{rid}",
    )
    r = client.post(
        f"/api/v1/list_records/{rid}/retract",
        json={"reason": "Fictional: entered by mistake"},
        headers=bearer,
    )
    assert r.status_code == 200, r.text
    assert client.get(f"/api/v1/list_records/{rid}/impact", headers=bearer).json()["restore"]
    r = client.post(
        f"/api/v1/list_records/{rid}/restore",
        json={"reason": "Fictional: not a mistake"},
        headers=bearer,
    )
    assert r.status_code == 200, r.text
