"""Evidence: upload page (the upload itself is the API) and logged download."""

from __future__ import annotations

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from dalil.display.messages import error_in_words
from dalil.web.context import PageCtx, render
from dalil.web.handlers import evidence, records
from dalil.web.handlers.evidence import digest_headers
from dalil.web.handlers.jobs import poke
from dalil.web.handlers.viewing import view_response
from dalil.web.pages.common import MAX_PAGE

router = APIRouter(include_in_schema=False)


@router.get("/evidence/upload")
def evidence_upload(ctx: PageCtx) -> Response:
    sources = records.list_page(ctx, "sources", limit=MAX_PAGE, offset=0)["items"]
    return render(ctx, "evidence_upload.html", sources=sources)


@router.get("/evidence/{item_id}/transcript")
def evidence_transcript(ctx: PageCtx, item_id: str) -> Response:
    """The newest transcript (OCR, corrected, or the typed text) with its versions, and
    a form to store a corrected version (reading it is logged as evidence.get)."""
    from dalil.services import ocr

    with ctx.act(write=True) as sc:
        t = ocr.transcript(sc, item_id, reason="read transcript in the workbench")
    return render(ctx, "transcript.html", t=t, item_id=item_id, saved=None)


@router.post("/evidence/{item_id}/transcript")
def evidence_transcript_save(
    ctx: PageCtx,
    item_id: str,
    text: str = Form(..., min_length=1, max_length=5_000_000),
    note: str | None = Form(None, max_length=1000),
) -> Response:
    """Store the edited text as a new version of the transcript (author: you)."""
    from dalil.services import ocr

    with ctx.act(write=False) as sc:
        case, actor = sc.case, sc.actor
    saved = ocr.correct_transcript(case, actor, item_id, text, note=note)
    with ctx.act(write=True) as sc:
        t = ocr.transcript(sc, item_id, reason="read transcript in the workbench")
    return render(ctx, "transcript.html", t=t, item_id=item_id, saved=saved)


@router.post("/evidence/{item_id}/ocr")
def evidence_ocr(ctx: PageCtx, item_id: str) -> Response:
    """Queue OCR of a scanned PDF or an image; the job page shows its progress."""
    from dalil.services import ocr

    with ctx.act(write=True) as sc:
        job = ocr.submit_ocr(sc, item_id)
    poke(ctx)
    return RedirectResponse(f"/jobs/{job['id']}", status_code=303)


@router.post("/evidence/{item_id}/location")
def evidence_location(
    ctx: PageCtx, item_id: str, reason: str = Form("", max_length=1000)
) -> Response:
    """Where a photo or video was taken (its GPS position), for roles that may reveal
    protected fields, with a reason (logged ``evidence.reveal_location``)."""
    from dalil.errors import InputError
    from dalil.services import evidence as evidence_service
    from dalil.services import media

    with ctx.act() as sc:
        sha = evidence_service.resolve_item(sc, item_id).sha256
    try:
        with ctx.act(write=True) as sc:
            m = media.metadata(sc, item_id, reveal_gps=True, reason=reason)
    except InputError as e:  # no reason: said beside the field
        return render(ctx, "evidence_location.html", status_code=422, m=None, sha256=sha,
                      item_id=item_id, error=error_in_words(e, ctx.lang), reason=reason)  # fmt: skip
    return render(ctx, "evidence_location.html", m=m, item_id=item_id, sha256=sha, error=None,
                  reason="")  # fmt: skip


@router.get("/evidence/{sha256}/view")
def evidence_view(
    ctx: PageCtx, sha256: str, page: int | None = Query(None, ge=1, le=100_000)
) -> Response:
    """The item itself, shown in the page (image, audio, video; a PDF page as a picture):
    streamed decrypted, byte ranges for seeking, every view logged (``evidence.view``)."""
    ref = records.parse_id("evidence", sha256)
    byte_range = ctx.request.headers.get("range")
    return view_response(ctx, ref, byte_range=byte_range, page=page, via="web")


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
