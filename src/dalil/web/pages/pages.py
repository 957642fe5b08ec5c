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

router = APIRouter(include_in_schema=False)
router.include_router(records.list_router)  # exact paths, the most read: matched first
# Specific paths (/sources/new, /evidence/upload, /incidents/map …) before the generic
# /{kind}/{id} pages of `records`, which is included last.
for _module in (
    dashboard,
    edit,
    sources,
    evidence,
    media,
    search,
    audit,
    users,
    jobs,
    lists,
    review,
    victim_lists,  # /lists/{id} after the named /lists/… pages
    findings,
    retract,
    records,
):
    router.include_router(_module.router)
