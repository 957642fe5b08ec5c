"""The web layer's bridge to the service layer.

Every method takes the request's :class:`~dalil.web.context.Principal`, opens
``case.act(actor)`` and calls a function of :mod:`dalil.services`. Those functions check
permissions and write audit entries; nothing here does either. Results are converted to
JSON-ready dicts (the same keys as the CLI's ``--json``).

Capabilities that have not landed in the service layer yet answer 501 ("not available in
this version") instead of being faked.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import inspect
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

from dalil.cli_support import dumps
from dalil.errors import DalilError, NotFound, PermissionDenied

TOKEN_CACHE_SECONDS = 30.0


class NotAvailable(DalilError):
    """The capability behind this page has not landed in the service layer yet."""


def jsonable(obj: Any) -> Any:
    """Plain JSON types (dates as ISO strings), exactly as the CLI prints them."""
    if hasattr(obj, "to_dict"):
        obj = obj.to_dict()
    return json.loads(dumps(obj, indent=None))


def _service(module: str, *names: str) -> Callable[..., Any]:
    """The first of *names* defined in ``dalil.services.<module>``; else NotAvailable."""
    try:
        mod = importlib.import_module(f"dalil.services.{module}")
    except ModuleNotFoundError as e:
        if e.name and e.name.startswith("dalil.services"):
            raise NotAvailable(f"{module} are not available in this version of dalil") from e
        raise
    for n in names:
        fn = getattr(mod, n, None)
        if callable(fn):
            return fn  # type: ignore[no-any-return]
    raise NotAvailable(f"{module}: {names[0]} is not available in this version of dalil")


# kind -> (service module, list functions, get functions, id type)
KIND_SERVICES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], type]] = {
    "persons": ("persons", ("list_persons",), ("get_person",), int),
    "sources": ("sources", ("list_sources",), ("get_source",), int),
    "incidents": ("incidents", ("list_incidents",), ("get_incident",), int),
    "acts": ("acts", ("list_acts",), ("get_act",), int),
    "sites": ("sites", ("list_sites",), ("get_site",), int),
    "units": ("units", ("list_units",), ("get_unit",), int),
    "evidence": ("evidence", ("list_evidence", "list_items"), ("get_evidence", "get_item"), str),
}


def _accepts(fn: Callable[..., Any], *params: str) -> bool:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return False
    return all(p in sig.parameters for p in params)


def _id(kind: str, raw: str) -> Any:
    typ = KIND_SERVICES[kind][3]
    if typ is int:
        if not raw.isdigit() or len(raw) > 18:
            raise NotFound(f"no {kind.rstrip('s')} with id {raw[:40]!r}")
        return int(raw)
    if kind == "evidence":
        raw = raw.lower()
        if len(raw) != 64 or any(c not in "0123456789abcdef" for c in raw):
            raise NotFound(f"no evidence item with sha256 {raw[:70]!r}")
    return raw


class CaseBackend:
    """Service-layer calls for one open case (thread-safe: one transaction per call)."""

    def __init__(self, case: Any) -> None:
        self.case = case
        self._tokens: dict[str, tuple[float, Any]] = {}
        self._tokens_lock = threading.Lock()

    @classmethod
    def open(cls, path: Path, passphrase: str | None) -> CaseBackend:
        from dalil.case import Case

        return cls(Case.open(path, passphrase))

    def close(self) -> None:
        self.case.close()

    def case_name(self) -> str:
        return str(self.case.root.name)

    # --- users and logins ---------------------------------------------------------

    def _actor(self, principal: Any) -> Any:
        actor = principal.extra.get("actor") if principal is not None else None
        if actor is None:
            raise PermissionDenied("authentication required")
        return actor

    def user_info(self, name: str) -> dict[str, Any] | None:
        """The current role of *name*, or None if the user is gone or disabled."""
        try:
            actor = self.case.actor(name)
        except (NotFound, PermissionDenied):
            return None
        return {"name": actor.name, "role": actor.role, "active": True, "actor": actor}

    def login(self, name: str, password: str, address: str) -> dict[str, Any]:
        """Check the password (audited ``user.login``/``user.login_failed`` by the service)."""
        from dalil.services import users

        actor = users.login_password(self.case, name, password)
        return {"name": actor.name, "role": actor.role, "has_totp": self._has_totp(actor.name),
                "actor": actor}

    def _has_totp(self, name: str) -> bool:
        return self.totp_secret(name) is not None

    def totp_secret(self, name: str) -> str | None:
        from dalil.services import users

        fn = getattr(users, "totp_secret", None)
        if fn is None:
            return None
        secret = fn(self.case, name)
        return str(secret) if secret else None

    def login_second_factor(self, name: str, address: str, *, ok: bool) -> None:
        from dalil.services import users

        fn = getattr(users, "login_second_factor", None)
        if fn is not None:
            fn(self.case, name, ok=ok)

    def user_for_token(self, token: str) -> dict[str, Any] | None:
        """The user of a bearer token. A valid token is remembered for a few seconds so
        that each API call is not a write (the service audits each token login);
        revoking tokens from the web clears the memory at once."""
        from dalil.services import users

        if len(token) > 200:
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        with self._tokens_lock:
            hit = self._tokens.get(digest)
            if hit is not None and now - hit[0] < TOKEN_CACHE_SECONDS:
                actor = hit[1]
                return {"name": actor.name, "role": actor.role, "actor": actor}
        try:
            actor = users.login_token(self.case, token)
        except PermissionDenied:
            return None
        with self._tokens_lock:
            if len(self._tokens) > 10_000:
                self._tokens.clear()
            self._tokens[digest] = (now, actor)
        return {"name": actor.name, "role": actor.role, "actor": actor}

    def forget_tokens(self) -> None:
        with self._tokens_lock:
            self._tokens.clear()

    def users(self, principal: Any) -> list[dict[str, Any]]:
        from dalil.services import users

        with self.case.act(self._actor(principal), write=False) as ctx:
            return [jsonable(u) for u in users.list_users(ctx)]

    def roles(self) -> list[str]:
        from dalil.access import ROLES

        return list(ROLES)

    def add_user(self, principal: Any, name: str, role: str, password: str) -> dict[str, Any]:
        from dalil.services import users

        with self.case.act(self._actor(principal)) as ctx:
            return dict(jsonable(users.add_user(ctx, name, role, password)))

    def revoke_tokens(self, principal: Any, name: str) -> int:
        from dalil.services import users

        with self.case.act(self._actor(principal)) as ctx:
            n = int(users.revoke_tokens(ctx, name))
        self.forget_tokens()
        return n

    # --- records ------------------------------------------------------------------

    def list(self, principal: Any, kind: str, *, limit: int, offset: int) -> dict[str, Any]:
        module, list_names, _g, _t = KIND_SERVICES[kind]
        fn = _service(module, *list_names)
        with self.case.act(self._actor(principal), write=False) as ctx:
            if _accepts(fn, "limit", "offset"):
                rows = fn(ctx, limit=limit, offset=offset)
                count = _service(module, f"count_{kind}")
                total = int(count(ctx))
                items = [jsonable(r) for r in rows]
            else:
                rows = fn(ctx)
                total = len(rows)
                items = [jsonable(r) for r in rows[offset : offset + limit]]
        return {"items": items, "total": total}

    def get(self, principal: Any, kind: str, raw_id: str) -> dict[str, Any]:
        module, _l, get_names, _t = KIND_SERVICES[kind]
        fn = _service(module, *get_names)
        with self.case.act(self._actor(principal), write=False) as ctx:
            return dict(jsonable(fn(ctx, _id(kind, raw_id))))

    def reveal_person(self, principal: Any, raw_id: str, reason: str) -> dict[str, Any]:
        from dalil.services import persons

        with self.case.act(self._actor(principal)) as ctx:
            p = persons.get_person(ctx, _id("persons", raw_id))
            return dict(jsonable(persons.reveal(ctx, [p], reason=reason)[0]))

    def add_source(self, principal: Any, fields: dict[str, Any]) -> dict[str, Any]:
        fn = _service("sources", "add_source")
        with self.case.act(self._actor(principal)) as ctx:
            return dict(jsonable(fn(ctx, **fields)))

    def source_reading(self, principal: Any, raw_id: str) -> dict[str, Any]:
        """Text of a source cut into segments: plain, quotation, figure."""
        fn = _service("sources", "source_reading", "reading")
        with self.case.act(self._actor(principal), write=False) as ctx:
            return dict(jsonable(fn(ctx, _id("sources", raw_id))))

    def compare_sources(self, principal: Any, a: str, b: str) -> dict[str, Any]:
        fn = _service("sources", "compare_sources", "compare")
        with self.case.act(self._actor(principal)) as ctx:
            return dict(jsonable(fn(ctx, _id("sources", a), _id("sources", b))))

    # --- evidence -----------------------------------------------------------------

    async def add_evidence(self, principal: Any, body: AsyncIterator[bytes], *, name: str,
                           media_type: str, source_id: str | None,
                           sensitive: bool) -> dict[str, Any]:
        """Stream the request body into the vault without a plaintext temp file.

        The async body is bridged to a blocking file-like reader consumed by the service
        function in a worker thread."""
        fn = _service("evidence", "add_stream", "add_evidence_stream")
        actor = self._actor(principal)
        loop = asyncio.get_running_loop()
        reader = _QueueReader()

        async def pump() -> None:
            try:
                async for chunk in body:
                    await loop.run_in_executor(None, reader.put, chunk)
            finally:
                await loop.run_in_executor(None, reader.put, None)

        def work() -> dict[str, Any]:
            with self.case.act(actor) as ctx:
                item = fn(ctx, reader, name=name, media_type=media_type,
                          source_id=int(source_id) if source_id and source_id.isdigit() else None,
                          sensitive=sensitive)
                return dict(jsonable(item))

        pump_task = asyncio.ensure_future(pump())
        try:
            result = await loop.run_in_executor(None, work)
        finally:
            reader.close()
            await pump_task
        return result

    def evidence_content(self, principal: Any, sha256: str) -> tuple[dict[str, Any], Iterator[bytes]]:
        fn = _service("evidence", "open_content", "read_evidence")
        with self.case.act(self._actor(principal)) as ctx:
            meta, chunks = fn(ctx, _id("evidence", sha256))
        return dict(jsonable(meta)), chunks

    def custody(self, principal: Any, sha256: str) -> list[dict[str, Any]]:
        fn = _service("evidence", "custody")
        with self.case.act(self._actor(principal), write=False) as ctx:
            return [jsonable(e) for e in fn(ctx, _id("evidence", sha256))]

    def fixity(self, principal: Any) -> dict[str, Any]:
        fn = _service("evidence", "fixity")
        with self.case.act(self._actor(principal)) as ctx:
            return dict(jsonable(fn(ctx)))

    # --- audit and dashboard ------------------------------------------------------

    def audit(self, principal: Any, *, actor: str | None = None, action: str | None = None,
              object_id: str | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        fn = _service("audit", "show", "query", "list_entries")
        with self.case.act(self._actor(principal), write=False) as ctx:
            kwargs: dict[str, Any] = {"actor": actor, "action": action, "object_id": object_id}
            if _accepts(fn, "limit", "offset"):
                rows = fn(ctx, **kwargs, limit=limit, offset=offset)
                total = None
            else:
                all_rows = list(fn(ctx, **kwargs))
                all_rows.reverse()  # newest first
                total = len(all_rows)
                rows = all_rows[offset : offset + limit]
            items = [_audit_row(jsonable(r)) for r in rows]
        return {"items": items, "total": total if total is not None else offset + len(items)}

    def audit_verify(self, principal: Any) -> dict[str, Any]:
        fn = _service("audit", "verify")
        with self.case.act(self._actor(principal), write=False) as ctx:
            r = jsonable(fn(ctx))
        return {**r, "problem": r.get("reason")}

    def dashboard(self, principal: Any) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for kind in KIND_SERVICES:
            try:
                counts[kind] = self.list(principal, kind, limit=1, offset=0)["total"]
            except NotAvailable:
                continue
        try:
            recent = self.audit(principal, limit=10)
            entries = recent["total"]
            recent_items = recent["items"]
        except (NotAvailable, PermissionDenied):
            entries, recent_items = 0, []
        return {"counts": counts, "recent": recent_items,
                "audit": {"entries": entries, "last_checkpoint": None}}


def _audit_row(d: dict[str, Any]) -> dict[str, Any]:
    """Audit entries for display: the stored keys plus short aliases the templates use."""
    return {**d, "time": d.get("ts"), "objects": d.get("object_ids"), "hash": d.get("entry_hash")}


class _QueueReader:
    """A blocking, file-like ``read(n)`` over chunks put by another thread (bounded)."""

    def __init__(self, max_chunks: int = 16) -> None:
        import queue

        self._q: queue.Queue[bytes | None] = queue.Queue(maxsize=max_chunks)
        self._buf = bytearray()
        self._eof = False
        self._closed = False

    def put(self, chunk: bytes | None) -> None:
        import queue

        while not self._closed:
            try:
                self._q.put(chunk, timeout=0.5)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        self._closed = True
        import queue

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
