"""Errors in one shape: a service error names the field (a service parameter), a stable
code and a plain message; each interface words it for its users — the CLI with its
option, a web form next to the field with the input kept, the API as a problem document
naming the field. No service message names a CLI option. All data fictional."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from dalil.core.case import Case
from dalil.errors import InputError
from dalil.testing import TEST_PASSPHRASE, DalilRunner

from .conftest import USERS, Client

SERVICES = Path(__file__).resolve().parents[2] / "src" / "dalil" / "services"
HALF = {"title": "Fictional raid on Kafr Nabl (fictional)", "lat": "35.5"}


def test_the_service_names_the_field_and_a_stable_code(seeded: dict[str, Any]) -> None:
    from dalil.services import records

    case = Case.open(seeded["root"], TEST_PASSPHRASE)
    try:
        with pytest.raises(InputError) as caught, case.act(USERS["investigator"]) as ctx:
            records.add(ctx, "incident", title=HALF["title"], lat=35.5)
    finally:
        case.close()
    err = caught.value
    assert (err.field, err.code) == ("lon", "coordinates_incomplete")
    assert "--" not in err.message and "longitude (lon)" in err.message


def test_the_cli_words_it_with_the_option(seeded: dict[str, Any]) -> None:
    dalil = DalilRunner(
        {
            "DALIL_CASE": str(seeded["root"]),
            "DALIL_PASSPHRASE": TEST_PASSPHRASE,
            "DALIL_USER": USERS["investigator"],
        }
    )
    r = dalil("incident", "add", "--title", HALF["title"], "--lat", HALF["lat"])
    assert r.exit_code == 2
    assert r.stderr.strip() == (
        "error: give both latitude (lat) and longitude (lon), or neither (--lon)"
    )


def test_the_api_answers_a_problem_document_naming_the_field(
    client: Client, seeded: dict[str, Any]
) -> None:
    r = client.post(
        "/api/v1/incidents",
        json={"title": HALF["title"], "lat": 35.5},
        headers={"Authorization": f"Bearer {seeded['tokens']['investigator']}"},
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 422 and body["title"] == "Unprocessable Entity"
    assert (body["field"], body["code"]) == ("lon", "coordinates_incomplete")
    assert body["detail"] == body["error"] and "--" not in body["detail"]


def test_the_api_names_the_field_of_a_malformed_request(
    client: Client, seeded: dict[str, Any]
) -> None:
    r = client.post(
        "/api/v1/estimate",
        json={"strata": "religion"},
        headers={"Authorization": f"Bearer {seeded['tokens']['analyst']}"},
    )
    assert r.status_code == 422
    assert (r.json()["field"], r.json()["code"]) == ("strata", "validation")


def test_a_web_form_shows_it_next_to_the_field_with_the_input_kept(client: Client) -> None:
    client.login("investigator")
    token = client.csrf("/incidents/new")
    r = client.post("/incidents/new", data={**HALF, "csrf_token": token})
    assert r.status_code == 422
    assert 'id="err-lon"' in r.text
    assert f'value="{HALF["title"]}"' in r.text and 'value="35.5"' in r.text
    assert "--lon" not in r.text


def _raised_texts(tree: ast.AST) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for sub in ast.walk(node.exc):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    out.append((node.lineno, sub.value))
    return out


def test_no_service_message_names_a_cli_option() -> None:
    flag = re.compile(r"(?:^|[\s(`'\"])--[a-z][a-z-]+")
    offenders = [
        f"{path.name}:{line}: {text!r}"
        for path in sorted(SERVICES.glob("*.py"))
        for line, text in _raised_texts(ast.parse(path.read_text(encoding="utf-8")))
        if flag.search(text)
    ]
    assert offenders == []


def test_the_flag_scan_sees_a_flag() -> None:
    tree = ast.parse('raise InputError("give both --lat and --lon")')
    assert [t for _, t in _raised_texts(tree)] == ["give both --lat and --lon"]
