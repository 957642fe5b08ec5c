"""Evidence: streamed uploads, logged downloads, custody and fixity."""

from __future__ import annotations

import asyncio
import base64
import queue
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, BinaryIO, TypeVar, cast

from dalil.display.jsonout import jsonable
from dalil.errors import NotFound
from dalil.services import evidence
from dalil.web.context import Ctx
from dalil.web.handlers.records import parse_id

T = TypeVar("T")


def digest_headers(meta: dict[str, Any]) -> dict[str, str]:
    """``Repr-Digest`` (RFC 9530) and ``Content-Length`` of a download, so the receiver can
    check that what arrived is complete and unaltered."""
    raw = bytes.fromhex(str(meta["sha256"]))
    out = {"Repr-Digest": "sha-256=:" + base64.b64encode(raw).decode() + ":"}
    if isinstance(meta.get("size"), int):
        out["Content-Length"] = str(meta["size"])
    return out


def audit_row(d: dict[str, Any]) -> dict[str, Any]:
    """Audit entries for display: the stored keys plus short aliases the templates use."""
    return {**d, "time": d.get("ts"), "objects": d.get("object_ids"), "hash": d.get("entry_hash")}


class QueueReader:
    """A blocking, file-like ``read(n)`` over chunks put by another thread (bounded)."""

    def __init__(self, max_chunks: int = 16) -> None:
        self._q: queue.Queue[bytes | None] = queue.Queue(maxsize=max_chunks)
        self._buf = bytearray()
        self._eof = False
        self._closed = False

    def put(self, chunk: bytes | None) -> None:
        while not self._closed:
            try:
                self._q.put(chunk, timeout=0.5)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        self._closed = True
        try:
            while True:
                self._q.get_nowait()
        except queue.Empty:
            pass

    def read(self, n: int = -1) -> bytes:
        while not self._eof and (n < 0 or len(self._buf) < n):
            chunk = self._q.get()
            if chunk is None:
                self._eof = True
            else:
                self._buf += chunk
        if n < 0:
            out, self._buf = bytes(self._buf), bytearray()
        else:
            out, self._buf = bytes(self._buf[:n]), self._buf[n:]
        return out

    def readable(self) -> bool:
        return True


async def run_with_body(body: AsyncIterator[bytes], work: Callable[[BinaryIO], T]) -> T:
    """Run *work(reader)* in a worker thread while the request body is pumped into
    *reader* (a bounded, blocking file-like object): nothing is buffered whole."""
    loop = asyncio.get_running_loop()
    reader = QueueReader()

    async def pump() -> None:
        try:
            async for chunk in body:
                await loop.run_in_executor(None, reader.put, chunk)
        finally:
            await loop.run_in_executor(None, reader.put, None)

    pump_task = asyncio.ensure_future(pump())
    try:
        result = await loop.run_in_executor(None, work, cast(BinaryIO, reader))
    finally:
        reader.close()
        await pump_task
    return result


async def add_evidence(
    ctx: Ctx,
    body: AsyncIterator[bytes],
    *,
    name: str,
    media_type: str,
    source_id: str | None,
    sensitive: bool,
    copy_kind: str = "evidentiary",
    derived_from: str | None = None,
    graphic: bool = False,
) -> dict[str, Any]:
    """Stream the request body into the vault through ``evidence.add_stream`` (which
    checks the permission and references before storing anything, and audits): hashed
    and encrypted as it arrives, no plaintext temporary file. A web capture (``.wacz``,
    ``.warc``, ``.warc.gz``) is only stored here (``captures.store_capture_stream``) and
    queued as a ``capture`` job, which checks it and records it only when it passes: the
    answer then carries ``capture_job`` and no item yet."""
    actor = ctx.actor
    src = None
    if source_id:
        if not source_id.isdigit() or len(source_id) > 18:
            raise NotFound(f"no source with id {source_id[:40]!r}")
        src = int(source_id)
    media = None if media_type.startswith("application/octet-stream") else media_type[:100]

    from dalil.sources.webcapture import is_capture_name

    if copy_kind == "evidentiary" and derived_from is None and is_capture_name(name):

        def work_capture(reader: BinaryIO) -> dict[str, Any]:
            from dalil.services import captures, jobs

            put = captures.store_capture_stream(ctx.case, actor, reader, name=name, source_id=src)
            params = {
                "sha256": put.sha256,
                "name": name,
                "source": src,
                "sensitive": sensitive,
                "graphic": graphic,
            }
            with ctx.case.act(actor) as sc:
                job = jobs.submit(sc, "capture", params)
            return {
                "sha256": put.sha256,
                "size": put.size,
                "original_name": evidence.sanitise_name(name),
                "stored_new": put.stored_new,
                "capture_job": job["id"],
            }

        out_capture = await run_with_body(body, work_capture)
        from dalil.web.handlers.jobs import poke

        poke(ctx)
        return out_capture

    def work(reader: BinaryIO) -> dict[str, Any]:
        res = evidence.add_stream(
            ctx.case,
            actor,
            reader,
            name=name,
            source_id=src,
            sensitive=sensitive,
            media_type=media,
            copy_kind=copy_kind,
            derived_from=derived_from,
            capture={"uploaded_via": "web"},
            graphic=graphic,
            media_job=True,  # long media work (video keyframes) never inside the request
        )
        return {**jsonable(res.data), "created": res.created, "stored_new": res.stored_new}

    out = await run_with_body(body, work)
    if out.get("ocr_job") or out.get("media_job"):
        from dalil.web.handlers.jobs import poke

        poke(ctx)
    return out


def content(ctx: Ctx, raw: str) -> tuple[dict[str, Any], Iterator[bytes]]:
    """Metadata and a decrypting iterator over an item's content
    (``evidence.open_content``: checked and logged before any byte is sent)."""
    meta, chunks = evidence.open_content(
        ctx.case, ctx.actor, parse_id("evidence", raw), reason="web download"
    )
    return dict(jsonable(meta)), chunks


def custody(ctx: Ctx, raw: str) -> list[dict[str, Any]]:
    with ctx.act(write=False) as sc:
        return [audit_row(jsonable(e)) for e in evidence.custody(sc, parse_id("evidence", raw))]
