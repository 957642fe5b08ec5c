"""The application factory."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from dalil.errors import Conflict, DalilError, InputError, NotFound, PermissionDenied
from dalil.web.auth import LoginThrottle, SessionStore
from dalil.web.context import (
    LoginRequired,
    PasswordChangeRequired,
    csrf_protect,
    get_ctx,
    make_environments,
    render,
)
from dalil.web.principals import Principals
from dalil.web.problems import problem
from dalil.web.security import SafeErrorsMiddleware, SecurityHeadersMiddleware

if TYPE_CHECKING:
    from dalil.services.kernel import Case

STATIC_DIR = Path(__file__).parent / "static"
API_PREFIX = "/api/v1"


def _status_for(err: DalilError) -> int:
    if isinstance(err, PermissionDenied):
        return 403
    if isinstance(err, NotFound):
        return 404
    if isinstance(err, Conflict):
        return 409
    if isinstance(err, InputError):
        return 422
    return 400


#: Worker threads for the synchronous views (anyio's default is 40). The views hold the
#: GIL for almost all of their work, so more threads than this do not add throughput:
#: they add switching (measured: 40% of the server's CPU time in the kernel under 50
#: concurrent clients) and latency.
WORKER_THREADS = int(os.environ.get("DALIL_WEB_THREADS", "4"))


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield


def create_app(
    case_path: str | Path | None = None,
    passphrase: str | None = None,
    *,
    case: Case | None = None,
    throttle: LoginThrottle | None = None,
    sessions: SessionStore | None = None,
    allowed_hosts: list[str] | None = None,
    session_idle: float = 30 * 60,
    session_max: float = 12 * 3600,
    inline_jobs: bool = True,
) -> FastAPI:
    """Build the workbench for the case at *case_path*, unlocked with *passphrase*.

    An already open *case* may be given instead (``dalil serve``, tests); whoever opened
    it closes it (``app.state.case.close()``). *allowed_hosts* limits the ``Host`` header
    (``dalil serve`` on loopback allows only loopback names, which stops DNS-rebinding
    pages from talking to the workbench). *session_idle* and *session_max* (seconds)
    end a session after that long without a request, and that long after login.
    *inline_jobs*: run queued jobs in a thread of this process (False under ``dalil
    serve``, whose job worker processes run them).
    """
    if case is None:
        if case_path is None:
            raise ValueError("create_app needs case_path or case")
        from dalil.services.case_info import open_case

        case = open_case(Path(case_path), passphrase)

    app = FastAPI(
        lifespan=_lifespan,
        title="dalil REST API",
        version="1",
        description=(
            "JSON API of a dalil case. Authenticate with `Authorization: Bearer <token>` "
            "(tokens from `dalil user token NAME`). Lists are paginated with `limit` and "
            "`offset`. Protected person fields never appear unless a permitted user asks "
            "to reveal them with a reason."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(csrf_protect)],
        # No OpenTelemetry from the workbench: spans would carry case URLs to whatever
        # exporter the environment configures, and checking for one costs every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.case = case
    app.state.principals = Principals(case)
    # Sessions and throttling live in the case database (durable, shared by every
    # worker process); the in-memory stores may be passed in by tests.
    from dalil.web.sessions import DbLoginThrottle, DbSessionStore, DbTotpReplayGuard

    app.state.sessions = sessions or DbSessionStore(
        case, idle_seconds=session_idle, max_age_seconds=session_max
    )
    app.state.throttle = throttle or DbLoginThrottle(case)
    app.state.token_throttle = DbLoginThrottle(
        case, free_attempts=10, base_delay=1.0, max_delay=300, quiet_seconds=1.0
    )
    app.state.totp_guard = DbTotpReplayGuard(case)
    # Queued jobs run in job worker processes (dalil serve); without them, in a thread.
    from dalil.web.handlers.jobs import InlineJobRunner

    app.state.job_runner = InlineJobRunner(case) if inline_jobs else None
    app.state.envs = make_environments()

    if allowed_hosts:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    app.add_middleware(SafeErrorsMiddleware)  # inside the headers: a 500 carries them too
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    def is_api(request: Request) -> bool:
        return request.url.path.startswith(API_PREFIX + "/") or request.url.path == API_PREFIX

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        from urllib.parse import quote

        return RedirectResponse("/login?next=" + quote(exc.next_url, safe="/"), status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def _password_change(request: Request, exc: PasswordChangeRequired) -> Response:
        from urllib.parse import quote

        return RedirectResponse(
            "/account/password?next=" + quote(exc.next_url, safe="/"), status_code=303
        )

    @app.exception_handler(DalilError)
    async def _dalil_error(request: Request, exc: DalilError) -> Response:
        status = _status_for(exc)
        english, words, message_id = _refusal_words(exc, request, scrub=status in (404, 422))
        if is_api(request):
            return problem(
                status, words, code=exc.code, field=exc.field, error=english, message=message_id
            )
        ctx = get_ctx(request)
        return render(ctx, "error.html", status_code=status, message=words, status=status)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        headers = getattr(exc, "headers", None)
        if is_api(request) or (exc.status_code in (401,) and request.headers.get("authorization")):
            return problem(exc.status_code, str(exc.detail), headers=headers)
        try:
            ctx = get_ctx(request)
        except HTTPException:
            return problem(exc.status_code, str(exc.detail))
        return render(
            ctx,
            "error.html",
            status_code=exc.status_code,
            message=str(exc.detail),
            status=exc.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        # Name the field, never echo the submitted value (it may be a legal name).
        parts = []
        fields = []
        for e in exc.errors()[:5]:
            loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query"))
            parts.append(f"{loc}: {e.get('msg', 'invalid')}")
            fields.append(loc)
        message = "; ".join(parts) or "invalid request"
        if is_api(request):
            return problem(422, message, code="validation", field=fields[0] if fields else None)
        return render(get_ctx(request), "error.html", status_code=422, message=message, status=422)

    from dalil.web.api import search as search_api
    from dalil.web.api import v1
    from dalil.web.pages import auth as auth_routes
    from dalil.web.pages import pages

    app.include_router(auth_routes.router)
    for page_router in pages.ROUTERS:
        app.include_router(page_router)
    from dalil.web.api import review as review_api

    # before v1: its /{kind}/{item_id} would take /lists/decisions
    app.include_router(review_api.router, prefix=API_PREFIX)
    app.include_router(v1.router, prefix=API_PREFIX)
    from dalil.web.api import jobs as jobs_api

    app.include_router(jobs_api.router, prefix=API_PREFIX)
    app.include_router(search_api.router, prefix=API_PREFIX)
    from dalil.web.api import media as media_api

    app.include_router(media_api.router, prefix=API_PREFIX)
    _skip_by_first_segment(app)
    return app


def _skip_by_first_segment(app: FastAPI) -> None:
    """Let each included router be passed over as a whole when none of its paths starts
    with the request's first path segment (``/persons/7``: ``persons``; every API path:
    ``api``). FastAPI tries an included router's routes one by one, twice (to find the
    router, then the route in it): with some 300 routes an API read or a record page
    cost milliseconds of matching before its view ran. A router with a path whose first
    segment is a parameter is always tried. The order of matching is unchanged: a
    router passed over could not have matched."""
    try:
        from fastapi.routing import _IncludedRouter, iter_route_contexts
        from starlette._utils import get_route_path
        from starlette.routing import Match
    except ImportError:  # an older FastAPI keeps included routes flat on app.routes
        return

    class _FirstSegmentRouter(_IncludedRouter):
        dalil_first: frozenset[str] = frozenset()

        def matches(self, scope: Any) -> Any:
            first = get_route_path(scope).split("/", 2)[1:2]
            if (first[0] if first else "") not in self.dalil_first:
                return Match.NONE, {}
            return super().matches(scope)

    for route in app.router.routes:
        if type(route) is not _IncludedRouter:
            continue
        firsts = set()
        for context in iter_route_contexts([route]):
            path = context.path or ""
            first = path.split("/", 2)[1] if path.startswith("/") else "{"
            firsts.add(first)
        if not firsts or any("{" in f for f in firsts):
            continue  # a path that starts with a parameter (or none known): always tried
        route.__class__ = _FirstSegmentRouter
        route.dalil_first = frozenset(firsts)  # type: ignore[attr-defined]


def _request_lang(request: Request) -> str:
    """The request's language (its context's, or picked as the context picks it)."""
    ctx = getattr(request.state, "ctx", None)
    if ctx is not None:
        return str(ctx.lang)
    from dalil.display import i18n

    q = request.query_params.get("lang") if request.scope.get("query_string") else None
    return i18n.pick_language(
        q, request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language")
    )


def _refusal_words(
    exc: DalilError, request: Request, *, scrub: bool
) -> tuple[str, str, dict[str, Any] | None]:
    """A refusal's English words, its words in the request's language, and its message
    id and parameters (None when it was raised as plain words). *scrub* (a 404 or 422):
    every value the request submitted taken out of all three (a parameter that holds one
    becomes *the value given*, in the reader's language)."""
    from dalil.display.messages import N_, Message, error_in_words

    english = _without_submitted(exc.message, request) if scrub else exc.message
    words = exc.words
    if not isinstance(words, Message):
        return english, english, None
    if scrub:
        given = Message(N_("(the value given)"))
        params = {
            k: given if isinstance(v, str) and _without_submitted(v, request) != v else v
            for k, v in words.params.items()
        }
        words = Message(words.msgid, **params)
        english = _without_submitted(str(words), request)
    shown = DalilError(words)
    message_id = {"id": words.msgid, "params": words.to_json()["p"]}
    return english, error_in_words(shown, _request_lang(request)), message_id


def _without_submitted(message: str, request: Request) -> str:
    """*message* with every value the request submitted in its path or query string
    taken out: a 404 or 422 never repeats what was typed (it may be a legal name)."""
    values = {str(v) for v in request.path_params.values()}
    values |= {v for _k, v in request.query_params.multi_items()}
    import re

    for v in sorted((v for v in values if v.strip()), key=len, reverse=True):
        for form in (repr(v), f'"{v}"', v):
            message = re.sub(r"(?<!\w)" + re.escape(form) + r"(?!\w)", "(the value given)", message)
    return message


def route_table(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, included routers flattened (HEAD omitted).
    Mounted static files appear as ``("GET", "/static")``."""
    from starlette.routing import Mount

    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI keeps included routes flat on app.routes
        contexts: list[tuple[Any, str | None]] = [(r, getattr(r, "path", None)) for r in app.routes]
    else:
        contexts = [(c.original_route, c.path) for c in iter_route_contexts(app.routes)]
    found: set[tuple[str, str]] = set()
    for route, path in contexts:
        if path is None:
            continue
        if isinstance(route, Mount):
            found.add(("GET", path))
            continue
        for m in getattr(route, "methods", None) or ():
            if m != "HEAD":
                found.add((m, path))
    return found
