"""A case: a folder with ``case.toml``, a database, ``evidence/`` (blobs) and ``keys/``.

    case = Case.init(path, passphrase, admin="coordinator")      # new case
    case = Case.open(path, passphrase)                            # existing case
    with case.act("alice") as ctx:                                # one transaction as alice
        person = persons.add_person(ctx, pseudonym="W-1", legal_name="…")
    case.close()

Everything that reads or writes records goes through :meth:`Case.act`, which yields a
:class:`dalil.core.context.Context` (acting user + session + keys). Permission
checks and audit entries happen in the service functions that take that context; on
leaving the block the transaction commits and, if it wrote audit entries, a signed
checkpoint is added in the same transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dalil.errors import Conflict, InputError, NotFound, PermissionDenied
from dalil.store.engine import is_sqlite, make_engine, make_sessionmaker, normalise_url, redact_url

if TYPE_CHECKING:
    from dalil.core.access import Actor
    from dalil.core.context import Context
    from dalil.vault.blobs import BlobStore
    from dalil.vault.keys import UnlockedKeys

CASE_FILE = "case.toml"
DB_FILE = "case.db"
EVIDENCE_DIR = "evidence"
KEYS_DIR = "keys"
WITNESS_FILE = "audit_head.json"
FORMAT_VERSION = 1


def _toml_str(value: str) -> str:
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(
        c if c.isprintable() else (f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
        for c in out
    )
    return f'"{out}"'


@dataclass
class CaseConfig:
    """The contents of ``case.toml``."""

    format_version: int
    database: str  # "case.db" (relative to the case folder) or a PostgreSQL URL
    created: str  # ISO 8601 UTC
    admin: str
    audit_key_fingerprint: str
    title: str = ""  # shown on reports; stored in the clear (not a protected field)
    summary: str = ""  # paragraphs separated by blank lines; default report summary

    @classmethod
    def load(cls, path: Path) -> CaseConfig:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise NotFound(f"no case at {path.parent} (no {CASE_FILE}); run dalil init") from e
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise InputError(f"{path}: not a valid case.toml ({e})") from e
        try:
            cfg = cls(
                format_version=int(data["format_version"]),
                database=str(data["database"]),
                created=str(data["created"]),
                admin=str(data["admin"]),
                audit_key_fingerprint=str(data.get("audit_key_fingerprint", "")),
                title=str(data.get("title", "")),
                summary=str(data.get("summary", "")),
            )
        except KeyError as e:
            raise InputError(f"{path}: missing field {e.args[0]!r}") from e
        if cfg.format_version > FORMAT_VERSION:
            raise InputError(
                f"{path}: case format {cfg.format_version} is newer than this dalil "
                f"understands ({FORMAT_VERSION}); upgrade dalil"
            )
        return cfg

    def dump(self) -> str:
        return (
            "# dalil case. Keep the passphrase separate from this folder.\n"
            f"format_version = {self.format_version}\n"
            f"database = {_toml_str(self.database)}\n"
            f"created = {_toml_str(self.created)}\n"
            f"admin = {_toml_str(self.admin)}\n"
            f"audit_key_fingerprint = {_toml_str(self.audit_key_fingerprint)}\n"
            f"title = {_toml_str(self.title)}\n"
            f"summary = {_toml_str(self.summary)}\n"
        )

    def summary_paragraphs(self) -> list[str]:
        return split_paragraphs(self.summary)

    def save(self, path: Path) -> None:
        """Write case.toml atomically (temp file, fsync, rename)."""
        import secrets

        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            with open(tmp, "x", encoding="utf-8") as f:
                f.write(self.dump())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


#: Longest case title accepted (it heads every report).
TITLE_MAX = 300
#: Longest case summary accepted, in characters.
SUMMARY_MAX = 20_000


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of *text*: separated by blank lines, each stripped."""
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def check_title(title: str) -> str:
    t = " ".join(title.split())
    if not t:
        raise InputError("the case title must not be empty")
    if len(t) > TITLE_MAX:
        raise InputError(f"the case title is longer than {TITLE_MAX} characters")
    return t


def check_summary(summary: str, where: str = "summary") -> str:
    text = "\n\n".join(split_paragraphs(summary))
    if len(text) > SUMMARY_MAX:
        raise InputError(f"{where}: longer than {SUMMARY_MAX} characters")
    return text


def public_key_fingerprint(public_key: Any) -> str:
    """SHA-256 (hex) of the raw Ed25519 public key bytes."""
    from cryptography.hazmat.primitives import serialization

    if isinstance(public_key, bytes | bytearray):
        raw = bytes(public_key)
    else:
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def find_case_dir(case: str | os.PathLike[str] | None = None) -> Path:
    """``--case`` if given, else ``$DALIL_CASE``, else the current folder."""
    if case is not None:
        return Path(case)
    env = os.environ.get("DALIL_CASE")
    if env:
        return Path(env)
    return Path.cwd()


class Case:
    """An open case. Create with :meth:`init` or :meth:`open`; close with :meth:`close`."""

    def __init__(
        self, root: Path, config: CaseConfig, engine: Engine, keys: UnlockedKeys | None
    ) -> None:
        self.root = root
        self.config = config
        self.engine = engine
        self.sessionmaker: sessionmaker[Session] = make_sessionmaker(engine)
        self._keys = keys
        self._blobs: BlobStore | None = None

    # --- construction ------------------------------------------------------------

    @staticmethod
    def database_url(root: Path, config: CaseConfig) -> str:
        db = config.database
        if "://" in db:
            return normalise_url(db)
        return f"sqlite:///{(root / db).resolve()}"

    @classmethod
    def init(
        cls,
        root: str | os.PathLike[str],
        passphrase: str,
        *,
        admin: str = "admin",
        database: str | None = None,
        title: str | None = None,
        summary: str | None = None,
    ) -> Case:
        """Create a new case in *root* (absent or empty) and return it, unlocked."""
        from dalil.core import access
        from dalil.store.migrate import upgrade
        from dalil.vault import keys as vault_keys

        root = Path(root)
        access.check_user_name(admin)
        if root.exists():
            if not root.is_dir():
                raise Conflict(f"{root} exists and is not a folder")
            if any(root.iterdir()):
                raise Conflict(f"{root} is not empty; refusing to create a case there")
        if not passphrase:
            raise InputError("the passphrase must not be empty")
        title = check_title(title) if title is not None else ""
        summary = check_summary(summary) if summary is not None else ""
        db_setting = DB_FILE
        if database is not None:
            url = normalise_url(database)
            if not url.startswith("postgresql"):
                raise InputError("--database must be a postgresql:// URL (SQLite is the default)")
            db_setting = url
        existed = root.exists()
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        engine: Engine | None = None
        try:
            # Private whatever the umask: the folder 0700, the database file 0600 (made
            # here before SQLite opens it; its -wal/-shm files take its mode).
            os.chmod(root, 0o700)
            (root / EVIDENCE_DIR).mkdir(mode=0o700)
            (root / KEYS_DIR).mkdir(mode=0o700)
            if db_setting == DB_FILE:
                os.close(os.open(root / DB_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            keys = vault_keys.create_keyring(root / KEYS_DIR, passphrase)
            config = CaseConfig(
                format_version=FORMAT_VERSION,
                database=db_setting,
                created=datetime.now(UTC).isoformat(timespec="seconds"),
                admin=admin,
                audit_key_fingerprint=keys.audit_key_fingerprint,
                title=title,
                summary=summary,
            )
            engine = make_engine(cls.database_url(root, config))
            if not is_sqlite(engine):
                _refuse_nonempty_database(engine)
            upgrade(engine)
            case = cls(root, config, engine, keys)
            case._bootstrap_admin(admin)
            # case.toml last: a folder without it is not a case, so a failed init
            # never leaves something that looks like a usable case.
            (root / CASE_FILE).write_text(config.dump(), encoding="utf-8")
        except BaseException as e:
            if engine is not None:
                engine.dispose()
            _remove_partial_case(root, remove_root=not existed)
            if isinstance(e, OperationalError):
                raise InputError(
                    f"cannot create the case database {redact_url(db_setting)}"
                ) from None
            raise
        return case

    @classmethod
    def open(
        cls,
        root: str | os.PathLike[str] | None = None,
        passphrase: str | None = None,
        *,
        check_schema: bool = True,
    ) -> Case:
        """Open the case in *root* (see :func:`find_case_dir`); unlock it if *passphrase*."""
        from dalil.store.migrate import needs_upgrade

        root = find_case_dir(root)
        config = CaseConfig.load(root / CASE_FILE)
        _private_on_open(root, config)
        engine = make_engine(cls.database_url(root, config))
        keys = None
        if passphrase is not None:
            from dalil.vault import keys as vault_keys

            keys = vault_keys.unlock(root / KEYS_DIR, passphrase)
        try:
            stale = check_schema and needs_upgrade(engine)
        except OperationalError:
            engine.dispose()
            raise InputError(
                f"cannot connect to the case database {redact_url(cls.database_url(root, config))}"
            ) from None
        if stale:
            engine.dispose()
            raise InputError(f"the case database at {root} needs migrating: run dalil upgrade")
        return cls(root, config, engine, keys)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- keys and blobs ----------------------------------------------------------

    @property
    def keys(self) -> UnlockedKeys:
        if self._keys is None:
            raise InputError("the case is locked: a passphrase is needed for this")
        return self._keys

    @property
    def unlocked(self) -> bool:
        return self._keys is not None

    @property
    def evidence_dir(self) -> Path:
        return self.root / EVIDENCE_DIR

    @property
    def keys_dir(self) -> Path:
        return self.root / KEYS_DIR

    @property
    def blobs(self) -> BlobStore:
        if self._blobs is None:
            from dalil.vault.blobs import BlobStore

            self._blobs = BlobStore(self.evidence_dir, self.keys.blob_key)
        return self._blobs

    def audit_public_key(self) -> Any:
        """The Ed25519 public key that verifies this case's audit checkpoints."""
        return self.keys.audit_public_key

    def describe(self) -> dict[str, Any]:
        db = self.config.database
        return {
            "path": str(self.root),
            "format_version": self.config.format_version,
            "database": redact_url(db) if "://" in db else db,
            "created": self.config.created,
            "admin": self.config.admin,
            "audit_key_fingerprint": self.config.audit_key_fingerprint,
            "title": self.config.title,
            "summary": self.config.summary_paragraphs(),
        }

    # --- acting as a user ----------------------------------------------------------

    def actor(self, name: str | None = None) -> Actor:
        """The :class:`Actor` for user *name* (default: ``$DALIL_USER``, else the admin)."""
        from dalil.core.access import actor_for, get_user
        from dalil.errors import PermissionDenied

        name = name or os.environ.get("DALIL_USER") or self.config.admin
        with self.sessionmaker() as s, s.begin():
            s.connection(execution_options={"dalil_begin": "DEFERRED"})
            user = get_user(s, name)
            if user.disabled:
                raise PermissionDenied(f"user {name!r} is disabled")
            return actor_for(user)

    @contextmanager
    def act(self, user: str | Actor | None = None, *, write: bool = True) -> Iterator[Context]:
        """One transaction acting as *user*; commits on success, rolls back on error.

        ``write=False`` opens a read transaction (SQLite: deferred BEGIN) in which
        appending to the audit log is refused; use it for list/show without reveal.
        """
        from dalil.core.access import Actor
        from dalil.core.context import Context

        actor = user if isinstance(user, Actor) else self.actor(user)
        session = self.sessionmaker()
        ctx: Context | None = None
        try:
            session.connection(
                execution_options={"dalil_begin": "IMMEDIATE" if write else "DEFERRED"}
            )
            ctx = Context(case=self, actor=actor, session=session, writable=write)
            yield ctx
            ctx._finish()
            session.commit()
            self._save_witness(ctx)
        except IntegrityError as e:
            session.rollback()
            # Raced with another writer (PostgreSQL) or a constraint the services did not
            # pre-check. The database's message may quote values: do not pass it on.
            raise Conflict(
                "the change conflicts with stored data (duplicate or missing reference); "
                "nothing was saved"
            ) from e
        except PermissionDenied:
            session.rollback()
            session.close()
            self._log_denied(actor, ctx)
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @property
    def witness_path(self) -> Path:
        """``keys/audit_head.json``: the newest signed audit head, kept outside the database."""
        return self.root / KEYS_DIR / WITNESS_FILE

    def _save_witness(self, ctx: Context) -> None:
        """After a commit that wrote a checkpoint, record it in the witness file."""
        cp = ctx.checkpoint
        if cp is None:
            return
        from dalil.core import audit

        try:
            audit.save_witness(self.witness_path, cp)
        except OSError as e:
            raise InputError(
                f"the change was saved, but the audit witness file {self.witness_path} "
                f"could not be written ({e.strerror or e}); check the keys/ folder"
            ) from None

    def _bootstrap_admin(self, admin: str) -> None:
        """Create the first admin of a new case (and the first audit entries)."""
        from dalil.core import access
        from dalil.core.access import Actor
        from dalil.core.context import oid

        with self.act(Actor(name=admin, role="admin")) as ctx:
            user = access.create_user(ctx.session, admin, "admin")
            ctx.audit(
                "case.init",
                [oid("case", "self")],
                change={"admin": admin, "audit_key_fingerprint": self.config.audit_key_fingerprint},
            )
            ctx.audit("user.add", [oid("user", user.name)], change={"role": "admin"})

    def require(self, actor: Actor, permission: str, what: str | None = None) -> None:
        """:func:`dalil.core.access.require` for checks made outside :meth:`act` (before a
        long ingest, a fixity run, a key change): a refusal is logged as
        ``access.denied`` in its own short transaction, then raised."""
        from dalil.core.access import require

        try:
            require(actor, permission, what)
        except PermissionDenied:
            self.log_denial(actor, permission)
            raise

    def _log_denied(self, actor: Actor, ctx: Context | None) -> None:
        if ctx is None or ctx.denied is None:
            return
        self.log_denial(actor, ctx.denied)

    def log_denial(self, actor: Actor, permission: str) -> None:
        """Record a refused permission (a curious or compromised account probing).

        Its own transaction; never raises (logging a refusal must not hide the refusal).
        Skipped only when the case is locked (no key to sign the checkpoint)."""
        if self._keys is None:
            return
        from dalil.core.context import Context as _Ctx

        session = self.sessionmaker()
        try:
            session.connection(execution_options={"dalil_begin": "IMMEDIATE"})
            c = _Ctx(case=self, actor=actor, session=session)
            c.audit("access.denied", [], detail={"permission": permission, "role": actor.role})
            c._finish()
            session.commit()
            self._save_witness(c)
        except Exception:  # never let logging a refusal hide the refusal itself
            session.rollback()
        finally:
            session.close()

    @contextmanager
    def system_session(self, *, write: bool = True) -> Iterator[Session]:
        """A raw session without an actor, for maintenance (migrations, verification)."""
        session = self.sessionmaker()
        try:
            session.connection(
                execution_options={"dalil_begin": "IMMEDIATE" if write else "DEFERRED"}
            )
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def _private_on_open(root: Path, config: CaseConfig) -> None:
    """At every open: the SQLite file and its journals 0600 (a case made before this
    rule, or copied with a loose umask), and what a crash left in the private temp area
    removed (:func:`dalil.core.tempdir.sweep`)."""
    from dalil.core import tempdir

    if config.database == DB_FILE:
        for suffix in ("", "-wal", "-shm", "-journal"):
            p = root / (DB_FILE + suffix)
            try:
                if p.exists() and not p.is_symlink() and p.stat().st_mode & 0o077:
                    os.chmod(p, 0o600)
            except OSError:
                pass  # not ours to change (a read-only copy): opening still works
    with contextlib.suppress(OSError):
        tempdir.sweep(root)


def _remove_partial_case(root: Path, *, remove_root: bool) -> None:
    """Undo a failed init: the folder was empty (or absent) before, so all of it is ours."""
    import shutil

    for child in list(root.iterdir()) if root.is_dir() else []:
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    if remove_root:
        with contextlib.suppress(OSError):
            root.rmdir()


def _refuse_nonempty_database(engine: Engine) -> None:
    from sqlalchemy import inspect

    names = inspect(engine).get_table_names()
    if names:
        engine.dispose()
        raise Conflict(
            "the database already holds tables; use an empty database (or schema) for a new case"
        )
