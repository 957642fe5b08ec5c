"""Routers passed over by the request's first path segment (``dalil.web.app``): every
route of the app is still found, and the same route as when every router is tried in
turn; an API path never tries a page router, a page path never an API router."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.routing import Match

from dalil.web.app import route_table

routing = pytest.importorskip("fastapi.routing")
if not hasattr(routing, "_IncludedRouter"):  # an older FastAPI: routes flat, no skipping
    pytest.skip("this FastAPI keeps included routes flat", allow_module_level=True)


def _scope(app: Any, method: str, path: str) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "root_path": "",
            "query_string": b"", "headers": [], "app": app}  # fmt: skip


def _resolve(app: Any, method: str, path: str) -> tuple[str, Any]:
    """(endpoint name, path parameters) of the route the app picks, as its router does:
    the first full match in order, else the first partial one."""
    scope = _scope(app, method, path)
    partial = None
    for route in app.router.routes:
        match, child = route.matches(scope)
        if match == Match.NONE:
            continue
        found = route
        sub = {**scope, **child}
        if isinstance(route, routing._IncludedRouter):
            match, child, found, _context = route._match(sub)
            while isinstance(found, routing._IncludedRouter):
                match, child, found, _context = found._match({**sub, **child})
        picked = (match, getattr(found, "name", None), child.get("path_params"))
        if match == Match.FULL:
            return picked[1:]
        partial = partial or picked[1:]
    return partial or ("<none>", None)


def _sample(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_route_resolves_as_without_skipping(app: Any) -> None:
    table = sorted(route_table(app))
    skipping = [r for r in app.router.routes if type(r) is not routing._IncludedRouter
                and isinstance(r, routing._IncludedRouter)]  # fmt: skip
    assert len(skipping) >= 15, "page and API routers are passed over by first segment"
    with_skipping = {(m, p): _resolve(app, m, _sample(p)) for m, p in table}
    kept = [type(r) for r in skipping]
    for r in skipping:
        r.__class__ = routing._IncludedRouter  # every router tried in turn, as FastAPI does
    try:
        without = {(m, p): _resolve(app, m, _sample(p)) for m, p in table}
    finally:
        for r, cls in zip(skipping, kept, strict=True):
            r.__class__ = cls
    assert with_skipping == without
    unfound = [k for k, v in with_skipping.items() if v == ("<none>", None)]
    assert unfound == [("GET", "/static")]  # the mount answers below it: /static/app.css


def test_api_paths_skip_page_routers_and_pages_skip_api_routers(app: Any) -> None:
    api = _scope(app, "GET", "/api/v1/persons")
    page = _scope(app, "GET", "/persons/1")
    tried_api = [r for r in app.router.routes if isinstance(r, routing._IncludedRouter)
                 and r.matches(api)[0] != Match.NONE]  # fmt: skip
    tried_page = [r for r in app.router.routes if isinstance(r, routing._IncludedRouter)
                  and r.matches(page)[0] != Match.NONE]  # fmt: skip
    assert tried_api and tried_page
    assert not set(map(id, tried_api)) & set(map(id, tried_page))
