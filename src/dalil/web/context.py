"""Per-request context for pages and API: who is asking, in which language, and rendering.

Views stay thin: they read the :class:`Ctx`, call :mod:`dalil.services` as that user
(``with ctx.act() as sc: persons.get_person(sc, pid)``) and render a template or return
JSON. Permission checks and audit entries happen in the service layer only.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy import event
from starlette.concurrency import run_in_threadpool

from dalil.display import i18n
from dalil.display.i18n import LANG_COOKIE, LANGUAGES
from dalil.display.messages import words
from dalil.errors import PermissionDenied
from dalil.web.auth import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    UNSAFE_METHODS,
    Session,
    csrf_ok,
)

if TYPE_CHECKING:
    from dalil.services.kernel import Actor, Case, Context
    from dalil.web.principals import Principals

TEMPLATES_DIR = __import__("pathlib").Path(__file__).parent / "templates"


def N_(message: str) -> str:
    """Mark *message* for translation where it is defined; translate it when shown."""
    return message


@dataclass
class Principal:
    """The authenticated user of a request, as the service layer knows them."""

    name: str
    role: str
    via: str  # "session" or "token"
    actor: Actor
    must_change_password: bool = False  # sessions only: an admin reset the password


@dataclass
class Ctx:
    request: Request
    lang: str
    session: Session | None
    user: Principal | None
    set_lang_cookie: bool = False

    @property
    def direction(self) -> str:
        return LANGUAGES[self.lang].direction

    @property
    def gettext(self) -> gettext.NullTranslations:
        return i18n.translations(self.lang)

    def _(self, message: str, **kw: Any) -> str:
        text = self.gettext.gettext(message)
        return text % kw if kw else text

    @property
    def case(self) -> Case:
        """The open case this app serves."""
        case: Case = self.request.app.state.case
        return case

    @property
    def principals(self) -> Principals:
        """The app's memory of users and tokens (logins go through the services)."""
        principals: Principals = self.request.app.state.principals
        return principals

    @property
    def actor(self) -> Actor:
        """The signed-in user as the service layer knows them (PermissionDenied if none)."""
        if self.user is None:
            raise PermissionDenied("authentication required")
        return self.user.actor

    #: The read transaction of :meth:`reading` while one is open, and the permissions
    #: refused inside it (logged once it has ended).
    _shared: Context | None = field(default=None, repr=False)
    _refused: list[str] = field(default_factory=list, repr=False)

    def act(self, *, write: bool = False) -> AbstractContextManager[Context]:
        """One transaction of the service layer as the signed-in user:
        ``with ctx.act() as sc: persons.get_person(sc, pid)``. Reads by default; pass
        ``write=True`` for anything that changes the case or writes an audit entry.
        Inside :meth:`reading`, a read joins the page's open read transaction."""
        if not write and self._shared is not None:
            return self._joined(self._shared)
        return self.case.act(self.actor, write=write)

    @contextmanager
    def reading(self) -> Iterator[Context]:
        """One read transaction for every read of a page: the handlers' ``act()`` reads
        inside it join it (one BEGIN, and rows already read come from the session
        instead of another round trip). The services still check each permission; a
        refusal inside is logged after the transaction ends, as on its own."""
        if self._shared is not None:
            yield self._shared
            return
        # The session's identity map holds rows weakly: a row a helper read and let go
        # would be selected again by the next ``session.get`` of it. Rows loaded in
        # the page's transaction are kept until it ends.
        kept: list[object] = []

        def keep(_session: object, instance: object) -> None:
            kept.append(instance)

        try:
            with self.case.act(self.actor, write=False) as sc:
                self._shared = sc
                event.listen(sc.session, "loaded_as_persistent", keep)
                try:
                    yield sc
                finally:
                    self._shared = None
                    event.remove(sc.session, "loaded_as_persistent", keep)
                    kept.clear()
        finally:
            refused, self._refused = self._refused, []
            if refused:
                from dalil.services.audit import log_refusals

                log_refusals(self.case, self.actor, refused)

    @contextmanager
    def _joined(self, sc: Context) -> Iterator[Context]:
        try:
            yield sc
        except PermissionDenied:
            if sc.denied is not None:
                self._refused.append(sc.denied)
                sc.denied = None  # logged once, by reading(), not again by the outer act
            raise


class PasswordChangeRequired(Exception):
    """Raised by page dependencies while an admin-set password waits to be replaced."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


#: Pages open to a user who must first replace an admin-set password.
PASSWORD_CHANGE_PATHS = ("/account/password", "/logout")


class LoginRequired(Exception):
    """Raised by page dependencies for anonymous users; answered with a redirect."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def make_environments() -> dict[str, Environment]:
    envs: dict[str, Environment] = {}
    for code in LANGUAGES:
        env = Environment(
            loader=FileSystemLoader(str(TEMPLATES_DIR)),
            autoescape=select_autoescape(["html"]),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            # Templates ship with the package: compile each once, never stat it again.
            auto_reload=False,
            cache_size=-1,
        )
        env.install_gettext_translations(i18n.translations(code), newstyle=True)  # type: ignore[attr-defined]
        # ``_()`` is called some 70 times per page: the same words, found in one step
        # (see :func:`_fast_gettext`).
        env.globals["_"] = env.globals["gettext"] = _fast_gettext(i18n.translations(code))
        env.globals["LANGUAGES"] = LANGUAGES
        env.filters["num"] = _format_number
        env.globals["value_html"] = _value_html(i18n.translations(code))
        from dalil.web.forms import EDIT_KINDS
        from dalil.web.present import timestamp

        env.filters["when"] = timestamp  # 2026-12-02 09:14 UTC: no microseconds
        from dalil.web.audit_words import make_globals

        env.globals.update(make_globals(i18n.translations(code)))
        env.filters["words"] = partial(words, lang=code)  # a Message label in words
        env.filters["ltr"] = _ltr  # a left-to-right value (a date, a number) inside a sentence
        env.globals["edit_kinds"] = tuple(EDIT_KINDS)
        env.globals["new_kinds"] = tuple(k for k in EDIT_KINDS if k != "sources")
        from dalil.web.handlers.retractions import SERVICE_KINDS

        env.globals["retract_kinds"] = tuple(SERVICE_KINDS)
        envs[code] = env
    return envs


def _fast_gettext(translations: gettext.NullTranslations) -> Any:
    """The templates' ``_()`` and ``gettext()``: what Jinja's newstyle gettext returns
    (the translation, as Markup under autoescape, ``%`` formatted with the keyword
    arguments), without its two indirections (``_`` resolving ``gettext`` in the
    context, then calling it through the context) and without formatting a text that
    has no ``%`` and no arguments (formatting it would return it unchanged)."""
    lookup = translations.gettext

    @pass_context
    def gettext_(context: Any, message: str, /, **variables: Any) -> Any:
        rv: Any = lookup(message)
        if context.eval_ctx.autoescape:
            rv = Markup(rv)
        if not variables and "%" not in rv:
            return rv
        return rv % variables

    return gettext_


_MUTED = Markup('<span class="muted">—</span>')


def _value_html(translations: gettext.NullTranslations) -> Any:
    """One cell value as HTML, as the ``value`` macro of ``_value.html`` wrote it: a dash
    for nothing, yes/no for booleans, ``k: x; …`` for mappings, a comma-joined list,
    else the value, escaped and in a ``<bdi dir="auto">`` (a name in Arabic script
    inside an English table keeps its own direction). Python, because list pages call
    it for every cell and a Jinja macro call costs several times as much."""
    yes = Markup(translations.gettext("yes"))
    no = Markup(translations.gettext("no"))

    def bdi(v: Any) -> Markup:
        # escape() is markupsafe's C function; ``Markup(...) % v`` costs several times more.
        return Markup(f'<bdi dir="auto">{escape(v)}</bdi>')

    def value_html(v: Any) -> Markup:
        if v is None or (isinstance(v, str) and v == ""):
            return _MUTED
        if isinstance(v, str):
            return bdi(v)
        if v is True:
            return yes
        if v is False:
            return no
        if isinstance(v, Mapping):
            if not v:
                return _MUTED
            return bdi(Markup("; ").join(escape(k) + ": " + escape(x) for k, x in v.items()))
        if v == "":  # an object that equals "" (the macro's test)
            return _MUTED
        try:
            items = list(iter(v))
        except TypeError:
            return bdi(v)
        if not items:
            return _MUTED
        return bdi(Markup(", ").join(items))

    return value_html


def _ltr(value: Any) -> Markup:
    return Markup('<bdi dir="ltr">{}</bdi>').format(value)


def _format_number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class _NeedsLookup(Exception):
    """The request's user is not in the app's memory: a database lookup is needed."""


def get_ctx(request: Request) -> Ctx:
    """Resolve language, session and user once per request (cached on request.state).
    May look the user up in the database: call it from a worker thread (or use
    :func:`get_ctx_async`, the dependency the views use)."""
    cached = getattr(request.state, "ctx", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    return _resolve(request, peek=False)


async def get_ctx_async(request: Request) -> Ctx:
    """:func:`get_ctx` as an async dependency. A user the app remembers (a bearer
    token looked up moments ago, its client known to the throttle) is resolved on the
    event loop without a hop to a worker thread; anything that needs the database (a
    token seen for the first time, the throttle's rows, a session kept in the case
    database) goes to a worker thread, so the checks and their audit entries are exactly
    those of :func:`get_ctx`."""
    cached = getattr(request.state, "ctx", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    try:
        return _resolve(request, peek=True)
    except _NeedsLookup:
        return await run_in_threadpool(get_ctx, request)


def _resolve(request: Request, *, peek: bool) -> Ctx:
    app = request.app
    principals: Principals = app.state.principals
    headers = request.headers
    auth = headers.get("authorization", "")
    bearer = auth[:7].lower() == "bearer "
    if peek and request.cookies.get(SESSION_COOKIE) and app.state.sessions.in_database:
        # Sessions live in the case database: read in a worker thread, never on the
        # event loop (a round trip there holds up every other request of the worker).
        raise _NeedsLookup
    user: Principal | None = None
    session: Session | None = None
    if bearer:
        token = auth[7:].strip()
        # Failed tokens are throttled per client address: each failure is an audited
        # write, so an unthrottled guesser could flood the log.
        key = "bearer@" + client_address(request)
        if peek and not app.state.token_throttle.answers_from_memory(key, key):
            raise _NeedsLookup
        wait = app.state.token_throttle.retry_after(key, key)
        if wait > 0:
            raise HTTPException(
                status_code=429,
                detail="too many invalid tokens; wait",
                headers={"Retry-After": str(int(wait) + 1)},
            )
        if peek:
            hit, info = principals.cached_user_for_token(token)
            if not hit:
                raise _NeedsLookup
        else:
            info = principals.user_for_token(token) if token else None
        if info is None:
            app.state.token_throttle.failure(key, key)
            raise HTTPException(
                status_code=401,
                detail="invalid or revoked token",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        user = Principal(name=info.name, role=info.role, via="token", actor=info.actor)
    cookies = request.cookies
    sid = cookies.get(SESSION_COOKIE)
    if not bearer and sid:
        sessions = app.state.sessions
        session = sessions.get(sid)
        if session is not None and session.user is not None:
            if peek:
                hit, current = principals.cached_user_info(session.user)
                if not hit:
                    raise _NeedsLookup
            else:
                current = principals.user_info(session.user)
            if current is None:
                sessions.destroy(session)
                session = None
            else:
                user = Principal(
                    name=current.name,
                    role=current.role,
                    via="session",
                    actor=current.actor,
                    must_change_password=current.must_change_password,
                )
    elif sid:
        session = app.state.sessions.get(sid)
    q = request.query_params.get("lang") if request.scope.get("query_string") else None
    cookie_lang = cookies.get(LANG_COOKIE)
    lang = i18n.pick_language(q, cookie_lang, headers.get("accept-language"))
    ctx = Ctx(
        request=request,
        lang=lang,
        session=session,
        user=user,
        set_lang_cookie=bool(q and q in LANGUAGES and q != cookie_lang),
    )
    request.state.ctx = ctx
    return ctx


async def csrf_protect(request: Request) -> None:
    """Refuse unsafe requests that ride on the session cookie without the CSRF token."""
    if request.method not in UNSAFE_METHODS:
        return
    if request.headers.get("authorization", "")[:7].lower() == "bearer ":
        return  # no ambient credential: a bearer token cannot be forged cross-site
    ctx = await get_ctx_async(request)
    origin = request.headers.get("origin")
    if origin and origin != "null":
        expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin != expected:
            raise HTTPException(status_code=403, detail="cross-origin request refused")
    supplied = request.headers.get(CSRF_HEADER)
    if not supplied:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            supplied = value if isinstance(value, str) else None
    if not csrf_ok(ctx.session, supplied):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token")


async def page_user(ctx: Annotated[Ctx, Depends(get_ctx_async)]) -> Ctx:
    """Pages: anonymous visitors go to the login form."""
    if ctx.user is None:
        path = ctx.request.url.path
        q = ctx.request.url.query
        raise LoginRequired(path + (f"?{q}" if q else ""))
    if ctx.user.must_change_password and ctx.request.url.path not in PASSWORD_CHANGE_PATHS:
        path = ctx.request.url.path
        raise PasswordChangeRequired(path if ctx.request.method == "GET" else "/")
    return ctx


async def api_user(ctx: Annotated[Ctx, Depends(get_ctx_async)]) -> Ctx:
    """API: anonymous requests get 401."""
    if ctx.user is None:
        raise HTTPException(
            status_code=401,
            detail="authentication required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return ctx


def render(ctx: Ctx, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    env: Environment = ctx.request.app.state.envs[ctx.lang]
    tpl = env.get_template(template)
    request = ctx.request
    base_q = {k: v for k, v in request.query_params.items() if k != "lang"}

    def lang_url(code: str) -> str:
        if status_code in (404, 422):
            # An error page never repeats what was submitted (in its path or query).
            return "/?" + urlencode({"lang": code})
        return request.url.path + "?" + urlencode({**base_q, "lang": code})

    from dalil.services.kernel import RECORD_WRITE, permissions_for

    perms = permissions_for(ctx.user.role) if ctx.user is not None else frozenset()
    values.setdefault("saved", request.query_params.get("saved") == "1")
    values.setdefault("perms", perms)
    html = tpl.render(
        ctx=ctx,
        can_write=RECORD_WRITE in perms,
        user=ctx.user,
        lang=ctx.lang,
        dir=ctx.direction,
        csrf_token=ctx.session.csrf if ctx.session else "",
        lang_url=lang_url,
        path=request.url.path,
        case_name=getattr(ctx.case.config, "title", "") or ctx.case.root.name,
        **values,
    )
    resp = HTMLResponse(html, status_code=status_code)
    finish(ctx, resp)
    return resp


def finish(ctx: Ctx, resp: HTMLResponse | JSONResponse | RedirectResponse) -> None:
    """Set the cookies a response owes (language choice, session)."""
    if ctx.set_lang_cookie:
        resp.set_cookie(
            LANG_COOKIE,
            ctx.lang,
            max_age=365 * 86400,
            httponly=True,
            samesite="strict",
            secure=ctx.request.url.scheme == "https",
            path="/",
        )
    if ctx.session is not None:
        save = getattr(ctx.request.app.state.sessions, "save", None)
        if save is not None:
            save(ctx.session)  # durable stores write what the request changed
        set_session_cookie(ctx.request, resp, ctx.session)


def see_other(ctx: Ctx, url: str) -> RedirectResponse:
    """The answer to a form that did its work: 303 See Other to *url*, with the cookies
    the response owes (:func:`finish`)."""
    resp = RedirectResponse(url, status_code=303)
    finish(ctx, resp)
    return resp


def set_session_cookie(request: Request, resp: Any, session: Session) -> None:
    resp.set_cookie(
        SESSION_COOKIE,
        session.id,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def ensure_session(ctx: Ctx) -> Session:
    if ctx.session is None:
        ctx.session = ctx.request.app.state.sessions.create()
    return ctx.session


#: Dependency aliases for views: any visitor, a logged-in page user, an API user.
AnyCtx = Annotated[Ctx, Depends(get_ctx_async)]
PageCtx = Annotated[Ctx, Depends(page_user)]
ApiCtx = Annotated[Ctx, Depends(api_user)]
