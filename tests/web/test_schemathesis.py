"""Property-based API tests from the OpenAPI document (schemathesis, in-process ASGI):
no server errors, and every response matches the documented schema and status codes.

Runs on its own fictional case (so generated requests cannot disturb other tests) with
an admin token, the role that reaches the most code. Examples per operation are few to
keep the suite fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from dalil.testing import TEST_PASSPHRASE
from dalil.web import create_app

from .conftest import seed_case

_state: dict[str, Any] = {}


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("schemathesis") / "case"
    ids = seed_case(root)
    app = create_app(root, TEST_PASSPHRASE)
    _state["token"] = ids["tokens"]["admin"]
    yield app
    app.state.case.close()


def test_api_conforms_to_its_openapi_document(api_app: Any) -> None:
    from hypothesis import given

    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api_app)
    headers = {"Authorization": f"Bearer {_state['token']}"}
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 20
    tested = []
    calls: list[str] = []
    for op in operations:

        @given(case=op.as_strategy())
        @settings(
            max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: Any) -> None:
            calls.append(case.operation.label)
            case.call_and_validate(
                headers=headers,
                checks=[not_a_server_error, response_schema_conformance, status_code_conformance],
            )

        check()
        tested.append(op.label)
    assert set(calls) == set(tested)  # every operation really was called
    assert any("persons" in t for t in tested)
