"""Attacks on the victim-list pages and API (issue 18, break 12): a viewer read the
original file name of a list stored as sensitive evidence. Lists are fictional."""

from __future__ import annotations

from .conftest import Client


def test_viewer_does_not_see_the_original_file_name_of_a_sensitive_list(
    client: Client, make_client: object
) -> None:
    client.login("viewer")
    rows = client.get("/api/v1/lists").json()
    assert rows and all(r["original_name"] is None for r in rows)
    assert "Fictional-list-A.csv" not in client.get("/api/v1/lists").text
    admin = make_client()  # type: ignore[operator]
    admin.login("admin")
    names = {r["original_name"] for r in admin.get("/api/v1/lists").json()}
    assert "Fictional-list-A.csv" in names


CANARY = "Fictional-Canary-Name"


def test_not_found_answers_never_repeat_the_submitted_value(
    client: Client, make_client: object
) -> None:
    """Issue 18, break 16: some 404/422 answers repeated what was submitted."""
    client.login("admin")
    t = client.csrf("/users")
    for action in ("unlock", "end-sessions", "revoke-tokens"):
        r = client.post(f"/users/{CANARY}/{action}", data={"csrf_token": t, "reason": "x"})
        assert r.status_code == 404 and CANARY not in r.text, [
            ln for ln in r.text.splitlines() if CANARY in ln
        ]
    assert r.status_code == 404 and CANARY not in r.text, [
        ln for ln in r.text.splitlines() if CANARY in ln
    ]
    api = make_client()  # type: ignore[operator]
    api.login("admin")
    for url in (f"/api/v1/evidence/{CANARY}", f"/api/v1/sources/compare?a={CANARY}&b=1"):
        r = api.get(url)
        assert r.status_code in (404, 422), (url, r.status_code)
        assert CANARY not in r.text, (url, r.text)


MALFORMED = {
    "huge-field.csv": b"record_id,full_name\n1," + b"A" * 300_000 + b"\n",
    "deep.json": b"[" * 200_000 + b"]" * 200_000,
    "unterminated.csv": (
        b'record_id,full_name\n1,"Fictional One\n2,Fictional Two\n3,Fictional Three\n'
    ),
    "nul.csv": b"record_id,full_name\n1,Fictional\x00One\n2,Fictional Two\n",
}


def test_malformed_list_uploads_get_a_one_line_refusal_never_a_500(client: Client) -> None:
    """Issue 18, break 13: a huge field or deep JSON gave a 500; an unterminated quote
    silently merged rows; a NUL byte was accepted inside a name."""
    client.login("investigator")
    for fname, data in MALFORMED.items():
        t = client.csrf("/lists/import")
        r = client.post(
            "/lists/import",
            data={"name": "Fictional malformed list", "csrf_token": t},
            files={"file": (fname, data, "text/csv")},
        )
        assert r.status_code == 422, (fname, r.status_code)
        import re

        alert = re.search(r'role="alert"[^>]*>([^<]*)<', r.text)
        assert alert and fname in alert.group(1), (fname, r.text[:300])
        assert "\n" not in alert.group(1).strip()
