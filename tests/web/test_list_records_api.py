"""GET /api/v1/lists/{id}/records: a victim list's records as the list page shows them
(the same service function, ``lists.victim_list``): open fields only, in row order,
paged, the records in force or (``retracted=only``) the retracted ones. Fictional data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import USERS, Client

NAMES = ("Fictional Omega Kappa", "Fictional Sigma Lambda", "Fictional Tau Mu")
TEXT = "record_id,full_name,sex,age,date_of_death,place_of_death\n" + "".join(
    f"{i},{n},male,{30 + i},2025-04-0{i},Qarya\n" for i, n in enumerate(NAMES, 1)
)


@pytest.fixture(scope="module")
def wlist(app: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A list of three records of its own, its second record retracted (the list is
    retracted afterwards)."""
    from sqlalchemy import select

    from dalil.model.lists import ListRecord
    from dalil.services import lists, retractions

    case = app.state.case
    path: Path = tmp_path_factory.mktemp("wlist") / "fictional-list-w.csv"
    path.write_text(TEXT, encoding="utf-8")
    res = lists.import_list(case, USERS["admin"], path, list_name="Fictional list W")
    path.unlink()
    list_id = int(res["id"])
    with case.act(USERS["admin"], write=False) as ctx:
        ids = list(
            ctx.session.scalars(
                select(ListRecord.id).where(ListRecord.list_id == list_id).order_by(ListRecord.row)
            )
        )
    with case.act(USERS["admin"]) as ctx:
        retractions.retract(ctx, "list_record", ids[1], reason="Fictional: a duplicate row")
    yield {"id": list_id, "records": ids}
    # left out of the linkage runs and estimates of the tests that follow
    with case.act(USERS["admin"]) as ctx:
        retractions.retract(ctx, "list", list_id, reason="Fictional: test list done")


def _bearer(seeded: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded['tokens'][role]}"}


def test_a_lists_records_in_row_order_paged_without_names(
    client: Client, seeded: dict[str, Any], wlist: dict[str, Any]
) -> None:
    h = _bearer(seeded, "viewer")
    url = f"/api/v1/lists/{wlist['id']}/records"
    r = client.get(url, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    first, _gone, third = wlist["records"]
    assert [x["id"] for x in body["items"]] == [first, third]
    assert body["total"] == 2 and body["has_more"] is False and body["offset"] == 0
    assert [x["row"] for x in body["items"]] == sorted(x["row"] for x in body["items"])
    assert body["items"][0]["list"] == "Fictional list W" and body["items"][0]["sex"] == "m"
    assert not any(n in r.text for n in NAMES)  # protected: never without a reveal
    page = client.get(url + "?limit=1&offset=1", headers=h).json()
    assert [x["id"] for x in page["items"]] == [third] and page["limit"] == 1
    assert client.get(url + "?limit=1", headers=h).json()["has_more"] is True
    gone = client.get(url + "?retracted=only", headers=h).json()
    assert [x["id"] for x in gone["items"]] == [wlist["records"][1]] and gone["total"] == 1
    assert not any(n in str(gone) for n in NAMES)


def test_the_api_gives_the_records_the_list_page_shows(
    client: Client, seeded: dict[str, Any], wlist: dict[str, Any]
) -> None:
    client.login("viewer")
    for q in ("", "?retracted=only"):
        page = client.get(f"/lists/{wlist['id']}{q}").text
        shown = [int(x) for x in re.findall(r'<tr id="list-record-(\d+)"', page)]
        api = client.get(
            f"/api/v1/lists/{wlist['id']}/records{q}", headers=_bearer(seeded, "viewer")
        ).json()
        assert shown and [x["id"] for x in api["items"]] == shown, (q, shown, api)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/lists/987654/records", 404),
        ("/api/v1/lists/1/records?retracted=all", 422),
        ("/api/v1/lists/1/records?limit=0", 422),
        ("/api/v1/lists/1/records?limit=501", 422),
    ],
)
def test_an_unknown_list_or_a_bad_page_is_refused(
    client: Client, seeded: dict[str, Any], url: str, status: int
) -> None:
    r = client.get(url, headers=_bearer(seeded, "viewer"))
    assert r.status_code == status, r.text
