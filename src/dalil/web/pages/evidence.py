"""Evidence: upload page (the upload itself is the API) and logged download."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response, StreamingResponse

from dalil.web.context import PageCtx, render
from dalil.web.handlers import evidence, records
from dalil.web.handlers.evidence import digest_headers
from dalil.web.pages.common import MAX_PAGE

router = APIRouter(include_in_schema=False)


@router.get("/evidence/upload")
def evidence_upload(ctx: PageCtx) -> Response:
    sources = records.list_page(ctx, "sources", limit=MAX_PAGE, offset=0)["items"]
    return render(ctx, "evidence_upload.html", sources=sources)


@router.get("/evidence/{sha256}/download")
def evidence_download(ctx: PageCtx, sha256: str) -> Response:
    meta, chunks = evidence.content(ctx, sha256)
    return StreamingResponse(
        chunks,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": _attachment(meta.get("original_name") or sha256),
            **digest_headers(meta),
        },
    )


def _attachment(name: str) -> str:
    from urllib.parse import quote

    safe = "".join(c for c in name if c.isalnum() or c in "._-") or "evidence"
    return f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(name, safe='')}"
