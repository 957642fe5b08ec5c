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
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, cast

from dalil.display.jsonout import jsonable
from dalil.errors import DalilError, NotFound, PermissionDenied

TOKEN_CACHE_SECONDS = 30.0
USER_CACHE_SECONDS = 5.0


class NotAvailable(DalilError):
    """The capability behind this page has not landed in the service layer yet."""


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


#: Web kinds (plural, URL segment) -> the ``records`` service kind (singular).
RECORD_KINDS: dict[str, str] = {
    "sources": "source",
    "incidents": "incident",
    "acts": "act",
    "sites": "site",
    "units": "unit",
}
KINDS = ("persons", *RECORD_KINDS, "evidence")


def _id(kind: str, raw: str) -> Any:
    """Record ids are integers; evidence is addressed by its SHA-256 (64 hex digits)."""
    if kind == "evidence":
        raw = raw.lower()
        if len(raw) != 64 or any(c not in "0123456789abcdef" for c in raw):
            raise NotFound(f"no evidence item with sha256 {raw[:70]!r}")
        return raw
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # "²".isdigit() is True
        raise NotFound(f"no {kind.rstrip('s')} with id {raw[:40]!r}")
    return int(raw)


class CaseBackend:
    """Service-layer calls for one open case (thread-safe: one transaction per call)."""

    def __init__(self, case: Any) -> None:
        self.case = case
        self._tokens: dict[str, tuple[float, Any]] = {}
        self._users: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self._tokens_lock = threading.Lock()

    @classmethod
    def open(cls, path: Path, passphrase: str | None) -> CaseBackend:
        from dalil.core.case import Case

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
        """The current role of *name*, or None if the user is gone or disabled. Looked up
        at most every USER_CACHE_SECONDS per user (each lookup is a database session), so
        a role change or a disabled account made elsewhere (the CLI) takes effect within
        that time; changes made through the web clear the memory at once."""
        now = time.monotonic()
        with self._tokens_lock:
            hit = self._users.get(name)
            if hit is not None and now - hit[0] < USER_CACHE_SECONDS:
                return hit[1]
        try:
            actor = self.case.actor(name)
        except (NotFound, PermissionDenied):
            info = None
        else:
            info = {"name": actor.name, "role": actor.role, "active": True, "actor": actor}
        with self._tokens_lock:
            if len(self._users) > 10_000:
                self._users.clear()
            self._users[name] = (now, info)
        return info

    def cached_user_info(self, name: str) -> tuple[bool, dict[str, Any] | None]:
        """(True, what :meth:`user_info` would return) if that is still remembered, else
        (False, None): answered from memory only, never the database."""
        now = time.monotonic()
        with self._tokens_lock:
            hit = self._users.get(name)
            if hit is not None and now - hit[0] < USER_CACHE_SECONDS:
                return True, hit[1]
        return False, None

    def cached_user_for_token(self, token: str) -> tuple[bool, dict[str, Any] | None]:
        """(True, the user) if *token* is a valid token remembered by
        :meth:`user_for_token`, else (False, None): memory only, never the database (an
        unknown or invalid token is decided by :meth:`user_for_token`)."""
        if not token or len(token) > 200:
            return False, None
        digest = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        with self._tokens_lock:
            hit = self._tokens.get(digest)
            if hit is not None and now - hit[0] < TOKEN_CACHE_SECONDS:
                actor = hit[1]
                return True, {"name": actor.name, "role": actor.role, "actor": actor}
        return False, None

    def login(self, name: str, password: str, address: str) -> dict[str, Any]:
        """Check the password (audited ``user.login``/``user.login_failed`` by the service)."""
        from dalil.services import users

        actor = users.login_password(self.case, name, password)
        return {
            "name": actor.name,
            "role": actor.role,
            "has_totp": self._has_totp(actor.name),
            "actor": actor,
        }

    def _has_totp(self, name: str) -> bool:
        from dalil.services import users

        return bool(users.has_totp(self.case, name))

    def totp_secret(self, name: str) -> str | None:
        """The user's TOTP secret for checking a login code, or None (service layer)."""
        from dalil.services import users

        secret = users.totp_secret(self.case, name)
        return str(secret) if secret else None

    def login_second_factor(self, name: str, address: str, *, ok: bool) -> None:
        from dalil.services import users

        users.login_second_factor(self.case, name, ok=ok)

    def new_totp(self, principal: Any) -> dict[str, str]:
        """A fresh secret and its otpauth URI for the signed-in user to enrol."""
        from dalil.services import users

        name = self._actor(principal).name
        secret = users.new_totp_secret()
        return {"secret": secret, "uri": users.totp_uri(name, secret)}

    def totp_status(self, principal: Any) -> bool:
        return self._has_totp(self._actor(principal).name)

    def enable_totp(self, principal: Any, secret: str, code: str) -> None:
        from dalil.services import users

        actor = self._actor(principal)
        with self.case.act(actor) as ctx:
            users.enable_totp(ctx, actor.name, secret, code)

    def disable_totp(self, principal: Any, name: str, code: str | None = None) -> None:
        from dalil.services import users

        with self.case.act(self._actor(principal)) as ctx:
            users.disable_totp(ctx, name, code=code)
        self.forget_tokens()

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
        """Forget remembered tokens and users (after a change to users or tokens)."""
        with self._tokens_lock:
            self._tokens.clear()
            self._users.clear()

    def users(self, principal: Any) -> list[dict[str, Any]]:
        from dalil.services import users

        with self.case.act(self._actor(principal), write=False) as ctx:
            return [jsonable(u) for u in users.list_users(ctx)]

    def roles(self) -> list[str]:
        from dalil.core.access import ROLES

        return list(ROLES)

    def add_user(self, principal: Any, name: str, role: str, password: str) -> dict[str, Any]:
        from dalil.services import users

        with self.case.act(self._actor(principal)) as ctx:
            out = dict(jsonable(users.add_user(ctx, name, role, password)))
        self.forget_tokens()
        return out

    def revoke_tokens(self, principal: Any, name: str) -> int:
        from dalil.services import users

        with self.case.act(self._actor(principal)) as ctx:
            n = int(users.revoke_tokens(ctx, name))
        self.forget_tokens()
        return n

    # --- records ------------------------------------------------------------------

    def _list_rows(self, ctx: Any, kind: str, limit: int, offset: int) -> tuple[list[Any], int]:
        """(rows of the page, total), paged in the database by the service layer."""
        from dalil.web import paging

        if kind not in KINDS:
            raise NotFound(f"no such list {kind[:40]!r}")
        return paging.page(ctx, kind, RECORD_KINDS.get(kind), limit=limit, offset=offset)

    def _row(self, ctx: Any, kind: str, row: Any) -> dict[str, Any]:
        if kind == "evidence":
            # item_dict hides a sensitive item's name from users who may not read it.
            return dict(jsonable(_service("evidence", "item_dict")(ctx, row)))
        return dict(jsonable(row))

    def list_page(self, principal: Any, kind: str, *, limit: int, offset: int) -> dict[str, Any]:
        with self.case.act(self._actor(principal), write=False) as ctx:
            rows, total = self._list_rows(ctx, kind, limit, offset)
            items = [self._row(ctx, kind, r) for r in rows]
        return {"items": items, "total": total}

    def get(self, principal: Any, kind: str, raw_id: str) -> dict[str, Any]:
        ident = _id(kind, raw_id)
        with self.case.act(self._actor(principal), write=False) as ctx:
            if kind == "persons":
                row = _service("persons", "get_person")(ctx, ident)
            elif kind == "evidence":
                row = _service("evidence", "get_item")(ctx, ident)
            else:
                row = _service("records", "get")(ctx, RECORD_KINDS[kind], ident)
            return self._row(ctx, kind, row)

    def search(self, principal: Any, query: str, **kw: Any) -> dict[str, Any]:
        """Case-wide search (``dalil.services.search.search``) as *principal*."""
        from dalil.services import search

        with self.case.act(self._actor(principal)) as ctx:
            return dict(search.search(ctx, query, **kw))

    def reveal_person(self, principal: Any, raw_id: str, reason: str) -> dict[str, Any]:
        from dalil.services import persons

        with self.case.act(self._actor(principal)) as ctx:
            p = persons.get_person(ctx, _id("persons", raw_id))
            return dict(jsonable(persons.reveal(ctx, [p], reason=reason)[0]))

    def add_source(self, principal: Any, fields: dict[str, Any]) -> dict[str, Any]:
        fn = _service("records", "add")
        values = {k: v for k, v in fields.items() if v not in (None, "")}
        with self.case.act(self._actor(principal)) as ctx:
            return dict(jsonable(fn(ctx, "source", **values)))

    async def add_source_upload(
        self,
        principal: Any,
        body: AsyncIterator[bytes],
        *,
        name: str,
        fields: dict[str, Any],
        sensitive: bool,
    ) -> dict[str, Any]:
        """A Source from an uploaded document (``source_upload.add_source_stream``: the
        original as evidentiary evidence, its extracted text as a working copy)."""
        from dalil.services import sources as source_upload

        actor = self._actor(principal)
        values = {k: v for k, v in fields.items() if v not in (None, "")}

        def work(reader: _QueueReader) -> dict[str, Any]:
            return dict(
                jsonable(
                    source_upload.add_source_stream(
                        self.case,
                        actor,
                        cast(BinaryIO, reader),
                        name=name,
                        sensitive=sensitive,
                        capture={"uploaded_via": "web"},
                        **values,
                    )
                )
            )

        return dict(await self.run_with_body(body, work))

    MAX_TEXT = 2_000_000  # characters of a source text shown or compared

    def _source_text(self, principal: Any, raw_id: str) -> tuple[dict[str, Any], str | None]:
        """The source record and its stored text: the working-copy text item derived from
        its file (``source add FILE``), else a text/plain evidentiary item. Reading it is an
        evidence read, checked and logged like a download."""
        source = self.get(principal, "sources", raw_id)
        with self.case.act(self._actor(principal), write=False) as ctx:
            items = [
                jsonable(_service("evidence", "item_dict")(ctx, r))
                for r in _service("evidence", "list_items")(ctx, source_id=source["id"])
            ]
        texts = [i for i in items if str(i.get("media_type") or "").startswith("text/plain")]
        texts.sort(key=lambda i: (i.get("copy_kind") != "working", i.get("id", 0)))
        if not texts:
            return source, None
        _meta, chunks = self.evidence_content(principal, texts[0]["sha256"])
        data = bytearray()
        for chunk in chunks:
            data += chunk
            if len(data) > 4 * self.MAX_TEXT:
                break
        return source, bytes(data).decode("utf-8", errors="replace")[: self.MAX_TEXT]

    def source_reading(self, principal: Any, raw_id: str) -> dict[str, Any]:
        """The source's text cut into plain, quotation and figure segments."""
        from dalil.web.textview import reading

        source, text = self._source_text(principal, raw_id)
        if text is None:
            return {"source": source, "segments": [], "quotes": [], "quantities": [], "words": 0}
        return {
            "source": source,
            **reading(
                text, title=source.get("title"), doc_date=_date_or_none(source.get("published"))
            ),
        }

    def compare_sources(self, principal: Any, a: str, b: str) -> dict[str, Any]:
        """Compare the stored texts of sources *a* (earlier) and *b* (later)."""
        sa, ta = self._source_text(principal, a)
        sb, tb = self._source_text(principal, b)
        missing = [s["title"] for s, t in ((sa, ta), (sb, tb)) if t is None]
        if missing:
            from dalil.errors import InputError

            raise InputError(
                f"no text stored for: {'; '.join(missing)} (add the source with a file)"
            )
        assert ta is not None and tb is not None
        return self.compare_texts(
            principal,
            {
                "text": ta,
                "title": sa.get("title"),
                "date": sa.get("published"),
                "id": f"source:{sa['id']}",
            },
            {
                "text": tb,
                "title": sb.get("title"),
                "date": sb.get("published"),
                "id": f"source:{sb['id']}",
            },
        )

    def compare_texts(
        self, principal: Any, earlier: dict[str, Any], later: dict[str, Any]
    ) -> dict[str, Any]:
        """Compare two texts (the `dalil sources compare` result, plus highlighted segments).
        Pure analysis of what the user supplied: nothing is read from or written to the case."""
        from dalil.sources.compare import analyse, compare
        from dalil.web.textview import comparison_segments

        self._actor(principal)
        docs = [
            analyse(
                d["text"],
                id=str(d.get("id") or name),
                title=d.get("title"),
                doc_date=_date_or_none(d.get("date")),
            )
            for name, d in (("earlier", earlier), ("later", later))
        ]
        result = compare(docs[0], docs[1])
        swapped = result["direction"] == "source_of_derivative"
        src_text, der_text = (
            (later["text"], earlier["text"]) if swapped else (earlier["text"], later["text"])
        )
        return dict(jsonable(comparison_segments(result, src_text, der_text)))

    # --- evidence -----------------------------------------------------------------

    async def add_evidence(
        self,
        principal: Any,
        body: AsyncIterator[bytes],
        *,
        name: str,
        media_type: str,
        source_id: str | None,
        sensitive: bool,
        copy_kind: str = "evidentiary",
        derived_from: str | None = None,
    ) -> dict[str, Any]:
        """Stream the request body into the vault through ``evidence.add_stream`` (which
        checks the permission and references before storing anything, and audits): hashed
        and encrypted as it arrives, no plaintext temporary file."""
        from dalil.services import evidence

        actor = self._actor(principal)
        src = None
        if source_id:
            if not source_id.isdigit() or len(source_id) > 18:
                raise NotFound(f"no source with id {source_id[:40]!r}")
            src = int(source_id)
        media = None if media_type.startswith("application/octet-stream") else media_type[:100]

        def work(reader: _QueueReader) -> dict[str, Any]:
            res = evidence.add_stream(
                self.case,
                actor,
                cast(BinaryIO, reader),
                name=name,
                source_id=src,
                sensitive=sensitive,
                media_type=media,
                copy_kind=copy_kind,
                derived_from=derived_from,
                capture={"uploaded_via": "web"},
            )
            return {**jsonable(res.data), "created": res.created, "stored_new": res.stored_new}

        return dict(await self.run_with_body(body, work))

    async def run_with_body(
        self, body: AsyncIterator[bytes], work: Callable[[_QueueReader], Any]
    ) -> Any:
        """Run *work(reader)* in a worker thread while the request body is pumped into
        *reader* (a bounded, blocking file-like object): nothing is buffered whole."""
        loop = asyncio.get_running_loop()
        reader = _QueueReader()

        async def pump() -> None:
            try:
                async for chunk in body:
                    await loop.run_in_executor(None, reader.put, chunk)
            finally:
                await loop.run_in_executor(None, reader.put, None)

        pump_task = asyncio.ensure_future(pump())
        try:
            result = await loop.run_in_executor(None, work, reader)
        finally:
            reader.close()
            await pump_task
        return result

    def evidence_content(self, principal: Any, raw: str) -> tuple[dict[str, Any], Iterator[bytes]]:
        """Metadata and a decrypting iterator over an item's content
        (``evidence.open_content``: checked and logged before any byte is sent)."""
        from dalil.services import evidence

        meta, chunks = evidence.open_content(
            self.case, self._actor(principal), _id("evidence", raw), reason="web download"
        )
        return dict(jsonable(meta)), chunks

    def custody(self, principal: Any, raw: str) -> list[dict[str, Any]]:
        fn = _service("evidence", "custody")
        with self.case.act(self._actor(principal), write=False) as ctx:
            return [_audit_row(jsonable(e)) for e in fn(ctx, _id("evidence", raw))]

    def fixity(self, principal: Any) -> dict[str, Any]:
        fn = _service("evidence", "fixity")
        r = dict(jsonable(fn(self.case, self._actor(principal))))
        r["problems"] = [
            *(f"missing {s}" for s in r.get("missing", [])),
            *(f"corrupt {s}" for s in r.get("corrupt", [])),
        ]
        return r

    # --- victim lists and estimates --------------------------------------------

    def victim_lists(self, principal: Any) -> list[dict[str, Any]]:
        fn = _linkage("list_lists")
        with self.case.act(self._actor(principal), write=False) as ctx:
            return [jsonable(x) for x in fn(ctx)]

    def review_queue(
        self, principal: Any, *, reason: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Uncertain pairs, most uncertain first; names only with a reason (logged)."""
        fn = _linkage("review")
        with self.case.act(self._actor(principal), write=reason is not None) as ctx:
            return [jsonable(x) for x in fn(ctx, reason=reason, limit=limit)]

    def decide_pair(
        self, principal: Any, pair: str, verdict: str, note: str | None
    ) -> dict[str, Any]:
        fn = _linkage("decide")
        with self.case.act(self._actor(principal)) as ctx:
            return dict(jsonable(fn(ctx, pair, verdict, note=note or None)))

    # Victim-list import from an upload. ``dalil.linkage`` reads lists from a path, so
    # each step writes the uploaded bytes to a private temporary folder OUTSIDE the case
    # folder (/dev/shm where it exists, else the system temporary folder; mode 0700, file
    # 0600, under the original name), calls the linkage code and
    # deletes the folder in a ``finally``. Between steps the bytes stay in server memory.

    def _with_list_file(self, filename: str, data: bytes, fn: Callable[[Path], Any]) -> Any:
        import os
        import shutil
        import tempfile

        from dalil.services.evidence import sanitise_name

        shm = Path("/dev/shm")  # memory, not disk, where the system has it
        where = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
        folder = Path(tempfile.mkdtemp(prefix="dalil-list-", dir=where))  # 0700
        try:
            root = Path(self.case.root).resolve()
            if root == folder.resolve() or root in folder.resolve().parents:
                raise NotAvailable("the temporary folder is inside the case folder; set TMPDIR")
            path = folder / sanitise_name(filename)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            return fn(path)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def list_file_columns(self, principal: Any, filename: str, data: bytes) -> dict[str, Any]:
        """The file's columns, the standard fields, and the mapping guessed from headings."""
        from dalil.linkage import io as list_io
        from dalil.linkage.fields import STANDARD_FIELDS

        self._actor(principal)

        def read(path: Path) -> dict[str, Any]:
            header, rows = list_io._read_rows(path, None, None)
            try:
                guessed, _ignored = list_io._resolve_mapping(path, header, {})
            except DalilError:
                guessed = {}
            return {"columns": header, "rows": len(rows), "guessed": guessed}

        return {**self._with_list_file(filename, data, read), "fields": list(STANDARD_FIELDS)}

    def check_list_file(
        self, principal: Any, filename: str, data: bytes, mapping: dict[str, str], list_name: str
    ) -> dict[str, Any]:
        """Validate with the mapping (nothing stored): the validation report."""
        from dalil.linkage import io as list_io

        self._actor(principal)
        return dict(
            jsonable(
                self._with_list_file(
                    filename,
                    data,
                    lambda p: list_io.load_list(p, mapping=mapping, list_name=list_name).report(),
                )
            )
        )

    def may_import_lists(self, principal: Any) -> None:
        """Raise PermissionDenied unless the user may import lists: the same first check
        as ``services.lists.import_list`` (which checks again), made before anything else
        so that the answer does not depend on what the session holds."""
        from dalil.core import access

        actor = self._actor(principal)
        access.require(actor, access.RECORD_WRITE, "import lists")
        access.require(actor, access.EVIDENCE_ADD, "import lists (the original file is evidence)")

    def import_list_file(
        self, principal: Any, filename: str, data: bytes, mapping: dict[str, str], list_name: str
    ) -> dict[str, Any]:
        """Import (``services.lists.import_list``: permission, evidence, audit inside)."""
        fn = _linkage("import_list")
        actor = self._actor(principal)
        return dict(
            jsonable(
                self._with_list_file(
                    filename,
                    data,
                    lambda p: fn(self.case, actor, p, list_name=list_name, mapping=mapping),
                )
            )
        )

    def link_lists(self, principal: Any, say: Callable[[str], None]) -> dict[str, Any]:
        """Run the linkage of every imported list (``lists link``), reporting progress."""
        fn = _linkage("link")
        with self.case.act(self._actor(principal)) as ctx:
            return dict(jsonable(fn(ctx, progress=say)))

    def histories(self, principal: Any) -> dict[str, Any]:
        fn = _linkage("case_histories")
        with self.case.act(self._actor(principal), write=False) as ctx:
            names, rows = fn(ctx)
        return {"lists": list(names), "rows": jsonable(rows)}

    def estimate(self, principal: Any, method: str = "loglinear") -> dict[str, Any]:
        """Estimate the total from the case's capture histories (pure computation on
        what ``histories`` returns; nothing is written)."""
        from dalil.estimate import CaptureTable
        from dalil.estimate import estimate as run_estimate

        h = self.histories(principal)
        names = h["lists"]
        counts: dict[str, int] = {}
        for row in h["rows"]:
            key = "".join(str(int(row[n])) for n in names)
            counts[key] = counts.get(key, 0) + int(row["count"])
        table = CaptureTable.from_patterns(names, counts)
        result = run_estimate(table, method=method)
        return {"histories": h, **dict(jsonable(result))}

    # --- audit and dashboard ------------------------------------------------------

    def audit(
        self,
        principal: Any,
        *,
        actor: str | None = None,
        action: str | None = None,
        object_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Newest entries first. The service returns the newest N; pages are cut from
        ``offset + limit + 1`` of them, so ``total`` is null and ``has_more`` tells if
        there is a next page."""
        fn = _service("audit", "show")
        with self.case.act(self._actor(principal), write=False) as ctx:
            rows = fn(
                ctx, actor=actor, action=action, object_id=object_id, limit=offset + limit + 1
            )
        rows = list(reversed(rows))
        page = rows[offset : offset + limit]
        return {
            "items": [_audit_row(jsonable(r)) for r in page],
            "total": None,
            "has_more": len(rows) > offset + limit,
        }

    def audit_verify(self, principal: Any) -> dict[str, Any]:
        """Verify the hash chain and signed checkpoints (anyone logged in may; the CLI
        lets anyone holding the public key do it)."""
        self._actor(principal)
        fn = _service("audit", "verify_case")
        r = dict(jsonable(fn(self.case)))
        return {**r, "problem": r.get("reason")}

    def dashboard(self, principal: Any) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for kind in KINDS:
            try:
                counts[kind] = self.list_page(principal, kind, limit=1, offset=0)["total"]
            except NotAvailable:
                continue
        try:
            recent = self.audit(principal, limit=10)["items"]
        except (NotAvailable, PermissionDenied):
            recent = []
        entries = recent[0]["seq"] if recent else None
        return {"counts": counts, "recent": recent, "audit": {"entries": entries}}


def _linkage(name: str) -> Callable[..., Any]:
    """A function of the victim-list service (``dalil.services.lists``)."""
    try:
        mod = importlib.import_module("dalil.services.lists")
    except ModuleNotFoundError as e:
        raise NotAvailable("victim lists are not available in this version of dalil") from e
    fn = getattr(mod, name, None)
    if not callable(fn):
        raise NotAvailable(f"victim lists: {name} is not available in this version of dalil")
    return fn  # type: ignore[no-any-return]


def digest_headers(meta: dict[str, Any]) -> dict[str, str]:
    """``Repr-Digest`` (RFC 9530) and ``Content-Length`` of a download, so the receiver can
    check that what arrived is complete and unaltered."""
    import base64

    raw = bytes.fromhex(str(meta["sha256"]))
    out = {"Repr-Digest": "sha-256=:" + base64.b64encode(raw).decode() + ":"}
    if isinstance(meta.get("size"), int):
        out["Content-Length"] = str(meta["size"])
    return out


def _date_or_none(value: Any) -> Any:
    """A ``datetime.date`` from an ISO day, else None (months and years stay undated)."""

    try:
        return date.fromisoformat(str(value)) if value and len(str(value)) == 10 else None
    except ValueError:
        return None


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


# --- findings (legal assessment, incidents coding, sites, units, corroboration, vetting,
# reports): module functions taking the CaseBackend, appended by the findings pages. ------

#: Largest personnel file accepted for vetting from the web (bytes).
VETTING_MAX_BYTES = 20 * 1024 * 1024


def _evidence_refs(raw: Any) -> list[str]:
    """Evidence references from a form field ("3, 5 ab12…") or a JSON list."""
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = raw.replace(",", " ").split()
    return [str(x).strip() for x in raw if str(x).strip()]


def findings_overview(b: CaseBackend, principal: Any) -> dict[str, Any]:
    """Acts, incidents (with their aggregate line) and sites, for the findings index."""
    from dalil.services import assessments, records, sites

    with b.case.act(b._actor(principal), write=False) as ctx:
        aggs = {str(a["incident"]): a for a in jsonable(assessments.aggregates(ctx))}
        acts = [jsonable(a) for a in records.list_(ctx, "act")]
        incidents = [jsonable(i) for i in records.list_(ctx, "incident")]
        sites = [jsonable(s) for s in records.list_(ctx, "site")]
    for inc in incidents:
        inc["aggregate"] = aggs.get(str(inc["id"]))
    return {"acts": acts, "incidents": incidents, "sites": sites}


def findings_assessment(b: CaseBackend, principal: Any, raw_act: str) -> dict[str, Any]:
    """The act's checklist (``dalil assess ACT --json``) and the act record."""
    from dalil.services import assessments, records

    act_id = _id("acts", raw_act)
    with b.case.act(b._actor(principal), write=False) as ctx:
        out = dict(jsonable(assessments.show_assessment(ctx, act_id)))
        out["record"] = jsonable(records.get(ctx, "act", act_id))
        out["evidence_sha256"] = _evidence_shas(
            ctx,
            [
                e
                for part in ("elements", "incident_elements", "history")
                for x in out[part]
                for e in x.get("evidence") or []
            ],
        )
    return out


def _evidence_shas(ctx: Any, ids: list[Any]) -> dict[str, str]:
    """Evidence id -> SHA-256 (the workbench addresses evidence pages by SHA-256)."""
    get_item = _service("evidence", "get_item")
    out: dict[str, str] = {}
    for i in dict.fromkeys(str(x) for x in ids):
        try:
            out[i] = get_item(ctx, i).sha256
        except NotFound:
            continue
    return out


def findings_assess(
    b: CaseBackend,
    principal: Any,
    raw_act: str,
    element: str,
    finding: str,
    evidence: Any = None,
    note: str | None = None,
) -> dict[str, Any]:
    from dalil.services import assessments

    act_id = _id("acts", raw_act)
    with b.case.act(b._actor(principal)) as ctx:
        return dict(
            jsonable(
                assessments.assess(
                    ctx, act_id, element, finding, _evidence_refs(evidence), note=note or None
                )
            )
        )


def findings_assess_incident(
    b: CaseBackend,
    principal: Any,
    raw_inc: str,
    element: str,
    finding: str,
    evidence: Any = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Record the incident-level element (the widespread or systematic attack)."""
    from dalil.services import assessments

    inc_id = _id("incidents", raw_inc)
    with b.case.act(b._actor(principal)) as ctx:
        return dict(
            jsonable(
                assessments.assess_incident(
                    ctx, inc_id, element, finding, _evidence_refs(evidence), note=note or None
                )
            )
        )


def findings_sign_off(
    b: CaseBackend, principal: Any, raw_act: str, note: str | None = None
) -> dict[str, Any]:
    from dalil.services import assessments

    act_id = _id("acts", raw_act)
    with b.case.act(b._actor(principal)) as ctx:
        return dict(jsonable(assessments.sign_off(ctx, act_id, note=note or None)))


def findings_incident(b: CaseBackend, principal: Any, raw_inc: str) -> dict[str, Any]:
    """An incident's coding, aggregate line, acts (with their sign-off status) and the
    incident-level elements."""
    from dalil.services import assessments, coding, records

    inc_id = _id("incidents", raw_inc)
    with b.case.act(b._actor(principal), write=False) as ctx:
        record = jsonable(records.get(ctx, "incident", inc_id))
        agg = jsonable(assessments.aggregates(ctx, inc_id))
        coding = next(c for c in coding.codings(ctx) if str(c.incident_id) == str(inc_id))
        acts = []
        incident_elements: list[Any] = []
        for a in records.list_(ctx, "act", incident_id=inc_id):
            shown = jsonable(assessments.show_assessment(ctx, a.id))
            incident_elements = shown["incident_elements"]
            acts.append(
                {
                    "id": a.id,
                    "act_type": getattr(a, "act_type", None),
                    "status": shown["status"],
                    "victim": getattr(a, "victim_id", None),
                }
            )
    return {
        "record": record,
        "coding": jsonable(coding),
        "aggregate": agg[0] if agg else None,
        "acts": acts,
        "incident_elements": incident_elements,
    }


def findings_set_coding(
    b: CaseBackend, principal: Any, raw_inc: str, fields: dict[str, Any]
) -> dict[str, Any]:
    from dalil.services import coding

    inc_id = _id("incidents", raw_inc)
    clean = {k: v for k, v in fields.items() if v not in (None, "")}
    if "fatality_sources" in clean:
        clean["fatality_sources"] = {
            k: _evidence_refs(v)
            for k, v in dict(clean["fatality_sources"]).items()
            if _evidence_refs(v)
        }
        if not clean["fatality_sources"]:
            del clean["fatality_sources"]
    with b.case.act(b._actor(principal)) as ctx:
        return dict(jsonable(coding.set_coding(ctx, inc_id, **clean)))


def findings_export(b: CaseBackend, principal: Any, fmt: str) -> str:
    """ACLED/UCDP/CSV export text (audited ``incident.export`` by the service)."""
    from dalil.services import coding

    with b.case.act(b._actor(principal)) as ctx:
        return str(coding.export_incidents(ctx, fmt))


def findings_timeline(b: CaseBackend, principal: Any) -> list[dict[str, Any]]:
    from dalil.services import coding

    with b.case.act(b._actor(principal), write=False) as ctx:
        return [dict(x) for x in jsonable(coding.timeline(ctx))]


def findings_site(b: CaseBackend, principal: Any, raw_site: str) -> dict[str, Any]:
    from dalil.services import sites

    with b.case.act(b._actor(principal), write=False) as ctx:
        return dict(jsonable(sites.show_site(ctx, _id("sites", raw_site))))


def findings_site_status(
    b: CaseBackend,
    principal: Any,
    raw_site: str,
    status: str,
    on: str,
    note: str | None = None,
    evidence: Any = None,
) -> dict[str, Any]:
    from dalil.services import sites

    with b.case.act(b._actor(principal)) as ctx:
        return dict(
            jsonable(
                sites.site_status(
                    ctx,
                    _id("sites", raw_site),
                    status,
                    on,
                    note=note or None,
                    evidence=_evidence_refs(evidence),
                )
            )
        )


def findings_units(b: CaseBackend, principal: Any) -> dict[str, Any]:
    """Units as a hierarchy (parent before children, with depth), dated memberships (by
    person id and pseudonym) and the suspects linked to acts."""
    from dalil.services import records, units

    with b.case.act(b._actor(principal), write=False) as ctx:
        suspects = [dict(x) for x in jsonable(units.suspects_for_acts(ctx))]
        units = [jsonable(u) for u in records.list_(ctx, "unit")]
        memberships = [jsonable(m) for m in records.list_(ctx, "membership")]
    children: dict[Any, list[dict[str, Any]]] = {}
    ids = {u["id"] for u in units}
    for u in units:
        parent = u.get("parent_id") if u.get("parent_id") in ids else None
        children.setdefault(parent, []).append(u)
    ordered: list[dict[str, Any]] = []
    seen: set[Any] = set()

    def walk(parent: Any, depth: int) -> None:
        for u in children.get(parent, []):
            if u["id"] in seen:
                continue
            seen.add(u["id"])
            ordered.append({**u, "depth": depth})
            walk(u["id"], depth + 1)

    walk(None, 0)
    ordered += [{**u, "depth": 0} for u in units if u["id"] not in seen]
    for u in ordered:
        u["members"] = [m for m in memberships if m.get("organization_id") == u["id"]]
    return {"units": ordered, "memberships": memberships, "suspects": suspects}


def findings_corroboration(b: CaseBackend, principal: Any) -> dict[str, Any]:
    """The claims × sources matrix. Building the independent groups reads the sources'
    texts, which the service logs as an evidence read: a write transaction."""
    from dalil.services import corroboration

    with b.case.act(b._actor(principal)) as ctx:
        return dict(jsonable(corroboration.corroboration(ctx)))


def _private_temp_dir() -> str | None:
    """A memory-backed folder when the system has one (Linux /dev/shm), else the system
    temporary folder: never the case folder."""
    import os

    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


def findings_vet(
    b: CaseBackend,
    principal: Any,
    data: bytes,
    *,
    name: str,
    threshold: float = 0.5,
    columns: list[str] | None = None,
) -> dict[str, Any]:
    """Screen an uploaded personnel file (CSV or XLSX) against the case's suspects.

    The service reads a path, so the upload is written to a private temporary file (mode
    0600, in /dev/shm where available, else the system temporary folder — never the case
    folder) that is deleted before this returns, whatever happens.
    """
    import os
    import tempfile

    from dalil.errors import InputError
    from dalil.services import vetting

    mapping: dict[str, str] = {}
    for c in columns or []:
        if not c.strip():
            continue
        if "=" not in c:
            raise InputError(f"column mapping {c[:80]!r}: use HEADER=FIELD")
        header, field = c.split("=", 1)
        mapping[header.strip()] = field.strip()
    if not data:
        raise InputError("the personnel file is empty")
    if len(data) > VETTING_MAX_BYTES:
        raise InputError(
            f"the personnel file is larger than {VETTING_MAX_BYTES // (1024 * 1024)} MB"
        )
    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    actor = b._actor(principal)
    with tempfile.TemporaryDirectory(prefix="dalil-vet-", dir=_private_temp_dir()) as folder:
        os.chmod(folder, 0o700)
        path = Path(folder) / ("personnel" + suffix)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            with b.case.act(actor) as ctx:
                out = dict(
                    jsonable(vetting.vet(ctx, path, columns=mapping or None, threshold=threshold))
                )
        except InputError as e:
            # The service names the file by its path: name the upload instead.
            # …and speak of the form's column mapping, not the CLI's --column option.
            raise InputError(
                e.message.replace(str(path), name)
                .replace(
                    "with --column HEADER=FIELD or --column HEADER=ignore",
                    "with a column mapping HEADER=FIELD or HEADER=ignore",
                )
                .replace("--column ", "column mapping ")
            ) from None
        finally:
            path.unlink(missing_ok=True)
    out["file"] = name
    return out


def findings_report(
    b: CaseBackend,
    principal: Any,
    *,
    audience: str,
    fmt: str,
    lang: str = "en",
    title: str | None = None,
) -> tuple[dict[str, Any], bytes]:
    """Build a report (audited ``report.build`` by the service) and return it as bytes.

    The file is written to a private temporary folder (as for vetting) and deleted once read.
    """
    import os
    import tempfile

    try:
        from dalil.services.reports import build_report
    except ModuleNotFoundError as e:  # pragma: no cover
        raise NotAvailable("reports are not available in this version of dalil") from e
    actor = b._actor(principal)
    ext = "pdf" if fmt == "pdf" else "html"
    with tempfile.TemporaryDirectory(prefix="dalil-report-", dir=_private_temp_dir()) as folder:
        os.chmod(folder, 0o700)
        out = Path(folder) / f"report.{ext}"
        try:
            meta = build_report(
                b.case, actor, audience=audience, fmt=fmt, out=out, lang=lang, title=title or None
            )
            data = out.read_bytes()
        finally:
            out.unlink(missing_ok=True)
    meta = dict(jsonable(meta))
    meta.pop("out", None)
    return meta, data
