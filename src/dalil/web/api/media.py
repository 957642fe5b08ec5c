"""REST: reading evidence — OCR and transcripts, media metadata, similar media and the
"same media?" review queue. The JSON twins of ``dalil evidence ocr|transcript|metadata|
similar|same-media|same-media-decide``: the same service functions (which check the
permission and write the audit entry)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from dalil.display.jsonout import jsonable
from dalil.services import media, ocr
from dalil.web.context import ApiCtx
from dalil.web.handlers.jobs import poke
from dalil.web.handlers.viewing import view_response
from dalil.web.problems import ERRORS

router = APIRouter()


class OcrIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    languages: str | None = Field(
        None, max_length=60, description="Tesseract languages joined by + (default ara+eng)."
    )


class TranscriptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=ocr.MAX_TRANSCRIPT)
    note: str | None = Field(None, max_length=1000, description="What you corrected.")


class RevealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=1000, description="Why (logged).")


class SameMediaIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    a: int = Field(ge=1, le=2**62, description="Evidence item id.")
    b: int = Field(ge=1, le=2**62, description="Evidence item id.")
    verdict: str = Field(pattern="^(accept|reject)$")
    reason: str | None = Field(None, max_length=1000, description="Kept with the decision.")


@router.post(
    "/evidence/{item_id}/ocr", response_model=dict[str, Any], status_code=202, responses=ERRORS
)
def start_ocr(ctx: ApiCtx, item_id: str, body: OcrIn | None = None) -> dict[str, Any]:
    """Queue OCR of a scanned PDF or an image (`dalil evidence ocr --background`); follow
    `/api/v1/jobs/{id}` for its progress."""
    with ctx.act(write=True) as sc:
        job = ocr.submit_ocr(sc, item_id, languages=body.languages if body else None)
    poke(ctx)
    return dict(jsonable(job))


@router.get("/evidence/{item_id}/transcript", response_model=dict[str, Any], responses=ERRORS)
def get_transcript(
    ctx: ApiCtx,
    item_id: str,
    reason: str = Query("read transcript", max_length=500, description="Why (logged)."),
) -> dict[str, Any]:
    """The newest transcript (OCR, corrected, or the typed text) and its versions with
    their authors (`dalil evidence transcript --json`); the read is logged."""
    with ctx.act(write=True) as sc:
        return dict(jsonable(ocr.transcript(sc, item_id, reason=reason)))


@router.post(
    "/evidence/{item_id}/transcript",
    response_model=dict[str, Any],
    status_code=201,
    responses=ERRORS,
)
def correct_transcript(ctx: ApiCtx, item_id: str, body: TranscriptIn) -> dict[str, Any]:
    """Store a corrected transcript as a new version (author: you)."""
    return dict(jsonable(ocr.correct_transcript(ctx.case, ctx.actor, item_id, body.text,
                                                note=body.note)))  # fmt: skip


@router.get(
    "/evidence/{item_id}/view",
    responses={
        **ERRORS,
        200: {"content": {"image/*": {}, "audio/*": {}, "video/*": {}},
              "description": "The item (a PDF: one page as a PNG)"},
        206: {"description": "The byte range asked for (header `Range`)"},
        416: {"description": "The range lies outside the item"},
    },
)  # fmt: skip
def view_item(
    ctx: ApiCtx,
    request: Request,
    item_id: str,
    page: int | None = Query(None, ge=1, le=100_000, description="Page of a PDF (from 1)."),
) -> Response:
    """An image, audio or video item as its own type for showing inline (byte ranges for
    seeking; HTML, SVG and other types are refused: download them), or one page of a PDF
    rendered as a PNG (page count in `X-Page-Count`). Streamed decrypted, never stored;
    every view logged (`evidence.view`)."""
    return view_response(ctx, item_id, byte_range=request.headers.get("range"), page=page,
                         via="api")  # fmt: skip


@router.get("/evidence/{item_id}/metadata", response_model=dict[str, Any], responses=ERRORS)
def get_metadata(ctx: ApiCtx, item_id: str) -> dict[str, Any]:
    """Embedded metadata of a photo, audio or video and its consistency flags, without
    the position (`dalil evidence metadata --json`)."""
    with ctx.act() as sc:
        return dict(jsonable(media.metadata(sc, item_id)))


@router.post("/evidence/{item_id}/metadata/reveal", response_model=dict[str, Any], responses=ERRORS)
def reveal_metadata(ctx: ApiCtx, item_id: str, body: RevealIn) -> dict[str, Any]:
    """The metadata with the position (GPS): roles that may reveal protected fields; the
    reason is logged (`evidence.reveal_location`)."""
    with ctx.act(write=True) as sc:
        return dict(jsonable(media.metadata(sc, item_id, reveal_gps=True, reason=body.reason)))


@router.get("/evidence/{item_id}/similar", response_model=list[dict[str, Any]], responses=ERRORS)
def get_similar(
    ctx: ApiCtx,
    item_id: str,
    threshold: int | None = Query(None, ge=0, le=64, description="Most differing bits."),
) -> list[dict[str, Any]]:
    """Items showing the same photo or video, closest first (`dalil evidence similar`)."""
    with ctx.act() as sc:
        return list(jsonable(media.similar(sc, item_id, threshold=threshold)))


@router.get("/same-media", response_model=list[dict[str, Any]], responses=ERRORS)
def same_media(
    ctx: ApiCtx,
    status: str = Query("pending", pattern="^(pending|accepted|rejected|all)$"),
) -> list[dict[str, Any]]:
    """The "same media?" review queue (`dalil evidence same-media --json`)."""
    with ctx.act() as sc:
        return list(jsonable(media.review_queue(sc, status=None if status == "all" else status)))


@router.post("/same-media/decide", response_model=dict[str, Any], responses=ERRORS)
def decide_same_media(ctx: ApiCtx, body: SameMediaIn) -> dict[str, Any]:
    """Decide whether two items are the same media (logged `evidence.same_media`)."""
    with ctx.act(write=True) as sc:
        return dict(jsonable(media.decide(sc, body.a, body.b, body.verdict, reason=body.reason)))
