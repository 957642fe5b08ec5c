"""Evidence metadata edits carry the version they were based on (ETag/If-Match in the API,
a hidden field in the form): an edit of metadata changed since is refused, naming who
changed which fields, and nothing is overwritten. All data fictional."""

from __future__ import annotations

import re
from typing import Any

from .conftest import USERS, Client


def _bearer(seeded: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded['tokens'][role]}"}


def test_a_stale_evidence_edit_is_refused_in_the_api_and_the_form(
    client: Client, seeded: dict[str, Any]
) -> None:
    sha = seeded["note_evidence"]
    url = f"/api/v1/evidence/{sha}"
    first = client.get(url, headers=_bearer(seeded, "analyst"))
    etag = first.headers["ETag"]
    # The form is opened on this version (its hidden field).
    client.login("investigator")
    form = client.get(f"/evidence/{sha}/edit").text
    version = re.search(r'name="version" value="([^"]+)"', form)
    assert version and f'"{version.group(1)}"' == etag
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf
    # Someone else changes the notes through the API.
    r = client.request(
        "PATCH",
        url,
        json={"notes": "Fictional: changed by the analyst"},
        headers={**_bearer(seeded, "analyst"), "If-Match": etag},
    )
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] != etag
    # The same old version again: 409, naming who and which field; nothing overwritten.
    r = client.request(
        "PATCH",
        url,
        json={"notes": "Fictional: stale API edit"},
        headers={**_bearer(seeded, "admin"), "If-Match": etag},
    )
    assert r.status_code == 409
    assert USERS["analyst"] in r.text and "notes" in r.text
    r = client.post(
        f"/evidence/{sha}/edit",
        data={"csrf_token": csrf.group(1), "version": version.group(1),
              "notes": "Fictional: stale form edit"},
    )  # fmt: skip
    assert r.status_code == 409 and 'id="form-problem"' in r.text
    assert "Fictional: stale form edit" in r.text  # the input is kept
    now = client.get(url, headers=_bearer(seeded, "viewer")).json()
    assert now["notes"] == "Fictional: changed by the analyst"
