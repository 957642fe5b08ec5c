"""All pages, assembled from one module per area. Each view calls the services (through
:mod:`dalil.web.handlers`) as the signed-in user; permissions and audit live there."""

from __future__ import annotations

from fastapi import APIRouter

from dalil.web.pages import (
    audit,
    dashboard,
    edit,
    evidence,
    findings,
    jobs,
    lists,
    media,
    records,
    retract,
    review,
    search,
    sources,
    users,
    victim_lists,
)

#: The page routers in the order they are matched; the app includes each itself (not
#: nested in one router: each included router is skipped as a whole when no path of it
#: starts with the request's first segment, see ``dalil.web.app``).
ROUTERS: tuple[APIRouter, ...] = (
    records.list_router,  # exact paths, the most read: matched first
    # Specific paths (/sources/new, /evidence/upload, /incidents/map …) before the
    # generic /{kind}/{id} pages of `records`, which is included last.
    dashboard.router,
    edit.router,
    sources.router,
    evidence.router,
    media.router,
    search.router,
    audit.router,
    users.router,
    jobs.router,
    lists.router,
    review.router,
    victim_lists.router,  # /lists/{id} after the named /lists/… pages
    findings.router,
    retract.router,
    records.router,
)
