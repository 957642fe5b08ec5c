"""Users, roles and permissions: deny by default.

A user has one role. A role grants a fixed set of permissions (:data:`ROLE_PERMISSIONS`);
anything not granted is refused. Every service function that reads or writes a case
calls :func:`require` with the permission it needs, so the CLI, the web app and the
Python API enforce the same rules.

Passwords are hashed with argon2id (argon2-cffi); API tokens are random 256-bit
strings of which only a SHA-256 digest is stored. ``verify_password`` and
``authenticate_token`` are the checks the web layer calls (through
:mod:`dalil.services.users`, which also writes the login to the audit log).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from dalil.errors import Conflict, InputError, NotFound, PermissionDenied
from dalil.store.base import Base

ROLES: Final = ("admin", "investigator", "analyst", "legal", "viewer")

# Permissions. Names are "<object>.<verb>"; services check them with require().
CASE_READ: Final = "case.read"  # read records (open fields only) and evidence metadata
RECORD_WRITE: Final = "record.write"  # add/update sources, persons, incidents, acts, sites, …
EVIDENCE_ADD: Final = "evidence.add"  # ingest files into the vault
EVIDENCE_READ: Final = "evidence.read"  # read the content of non-sensitive evidence
EVIDENCE_READ_SENSITIVE: Final = "evidence.read_sensitive"  # content of --sensitive items
PROTECTED_REVEAL: Final = "protected.reveal"  # decrypt protected person fields (with a reason)
ANALYSIS_RUN: Final = "analysis.run"  # record linkage, estimation, source comparison writes
# Names of the two records of a victim-list pair under review, once a reason is stated for
# the review session; every pair shown is logged on its own, citing that reason.
LINKAGE_REVEAL: Final = "linkage.reveal"
LINKAGE_DECIDE: Final = "linkage.decide"  # decide, undo, blind-vote; split and merge clusters
FINDING_ASSESS: Final = "finding.assess"  # legal assessment of acts
FINDING_SIGNOFF: Final = "finding.signoff"  # sign off an assessment
REPORT_INTERNAL: Final = "report.internal"  # build internal (unredacted-structure) reports
REPORT_PUBLIC: Final = "report.public"  # build/publish redacted public reports
EXPORT_RECORDS: Final = "export.records"  # export records as JSON/CSV (open fields)
EXPORT_BAG: Final = "export.bag"  # export evidence as a BagIt bag
EXPORT_PROTECTED: Final = "export.protected"  # include protected fields / sensitive evidence
AUDIT_READ: Final = "audit.read"  # read the audit log and custody ledger
FIXITY_RUN: Final = "fixity.run"  # re-verify blobs
USER_MANAGE: Final = "user.manage"  # add/update users, issue/revoke tokens
KEYS_MANAGE: Final = "keys.manage"  # change the case passphrase

ALL_PERMISSIONS: Final = frozenset(
    {
        CASE_READ,
        RECORD_WRITE,
        EVIDENCE_ADD,
        EVIDENCE_READ,
        EVIDENCE_READ_SENSITIVE,
        PROTECTED_REVEAL,
        ANALYSIS_RUN,
        LINKAGE_REVEAL,
        LINKAGE_DECIDE,
        FINDING_ASSESS,
        FINDING_SIGNOFF,
        REPORT_INTERNAL,
        REPORT_PUBLIC,
        EXPORT_RECORDS,
        EXPORT_BAG,
        EXPORT_PROTECTED,
        AUDIT_READ,
        FIXITY_RUN,
        USER_MANAGE,
        KEYS_MANAGE,
    }
)

ROLE_PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "admin": ALL_PERMISSIONS,
    "investigator": frozenset(
        {
            CASE_READ,
            RECORD_WRITE,
            EVIDENCE_ADD,
            EVIDENCE_READ,
            EVIDENCE_READ_SENSITIVE,
            PROTECTED_REVEAL,
            # Investigators decide pairs (they know the families and the places) but do
            # not run the linkage or the estimate that the decisions feed.
            LINKAGE_REVEAL,
            LINKAGE_DECIDE,
            REPORT_INTERNAL,
            EXPORT_RECORDS,
            EXPORT_BAG,
            AUDIT_READ,
            FIXITY_RUN,
        }
    ),
    "analyst": frozenset(
        {
            CASE_READ,
            RECORD_WRITE,
            EVIDENCE_ADD,
            EVIDENCE_READ,
            ANALYSIS_RUN,
            # The names of a pair under review only (never protected.reveal): a reason
            # once per review session, each pair shown logged on its own.
            LINKAGE_REVEAL,
            LINKAGE_DECIDE,
            REPORT_INTERNAL,
            EXPORT_RECORDS,
            AUDIT_READ,
            FIXITY_RUN,
        }
    ),
    "legal": frozenset(
        {
            CASE_READ,
            EVIDENCE_READ,
            EVIDENCE_READ_SENSITIVE,
            PROTECTED_REVEAL,
            LINKAGE_REVEAL,
            FINDING_ASSESS,
            FINDING_SIGNOFF,
            REPORT_INTERNAL,
            REPORT_PUBLIC,
            EXPORT_RECORDS,
            EXPORT_BAG,
            EXPORT_PROTECTED,
            AUDIT_READ,
            FIXITY_RUN,
        }
    ),
    "viewer": frozenset({CASE_READ}),
}

_NAME_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_TOKEN_PREFIX: Final = "dalil_"


def _now() -> datetime:
    return datetime.now(UTC)


class User(Base):
    """A person who uses the case (not a person *in* the case)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: TOTP secret, encrypted with the case data key (context "users.totp_secret").
    totp_secret_enc: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Set when an admin sets the password: the web asks for a new one at the next login.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "disabled": self.disabled,
            "has_password": self.password_hash is not None,
            "has_totp": self.totp_secret_enc is not None,
            "must_change_password": bool(self.must_change_password),
            "created_at": self.created_at,
            "last_login_at": self.last_login_at,
        }


class ApiToken(Base):
    """A bearer token for the REST API; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "label": self.label,
            "created_at": self.created_at,
            "last_used_at": self.last_used_at,
            "revoked_at": self.revoked_at,
        }


@dataclass(frozen=True)
class Actor:
    """The acting user, as the service layer sees it."""

    name: str
    role: str
    user_id: int | None = None

    @property
    def permissions(self) -> frozenset[str]:
        return permissions_for(self.role)

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def permissions_for(role: str) -> frozenset[str]:
    """The permissions of *role*; an unknown role has none (deny by default)."""
    return ROLE_PERMISSIONS.get(role, frozenset())


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; allowed: {', '.join(ROLES)}")
    return role


def check_user_name(name: str) -> str:
    if not _NAME_RE.match(name):
        raise InputError(
            f"invalid user name {name!r}: use 1-64 letters, digits, '.', '_', '@' or '-'"
        )
    return name


def require(actor: Actor, permission: str, what: str | None = None) -> None:
    """Raise :class:`PermissionDenied` unless *actor*'s role grants *permission*."""
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    if not actor.can(permission):
        doing = what or permission
        raise PermissionDenied(f"user {actor.name!r} (role {actor.role}) may not {doing}")


# --- passwords ---------------------------------------------------------------------

_HASHER: Final = PasswordHasher()  # argon2id with the library's current defaults
# The test suite creates and logs in hundreds of users: under the key files' test KDF
# profile (``DALIL_KDF_PROFILE=test``, refused outside the test suite, see
# :func:`dalil.vault.keys.default_profile`) passwords get its cheap parameters too.
_TEST_HASHER: Final = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _hasher() -> PasswordHasher:
    from dalil.vault.keys import weak_kdf_profile

    return _TEST_HASHER if weak_kdf_profile() else _HASHER


_DUMMY: dict[int, str] = {}


def _dummy_hash() -> str:
    """A hash of a random password nobody knows (made once per process), verified in
    place of a missing one so that every refusal takes the time of a real check."""
    hasher = _hasher()
    if id(hasher) not in _DUMMY:
        _DUMMY[id(hasher)] = hasher.hash(secrets.token_urlsafe(24))
    return _DUMMY[id(hasher)]


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise InputError("password too short: use at least 8 characters")
    return _hasher().hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"no user named {name!r}")
    return user


def find_user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def create_user(session: Session, name: str, role: str, password: str | None = None) -> User:
    check_user_name(name)
    check_role(role)
    if find_user(session, name) is not None:
        raise Conflict(f"a user named {name!r} already exists")
    user = User(
        name=name,
        role=role,
        password_hash=hash_password(password) if password is not None else None,
        disabled=False,
        created_at=_now(),
    )
    session.add(user)
    session.flush()
    return user


def verify_password(session: Session, name: str, password: str) -> User:
    """The enabled user *name* if *password* is theirs; else :class:`PermissionDenied`.

    The message is the same for an unknown user, a wrong password and a disabled
    account, so it tells an attacker nothing. Rehashes when parameters changed.
    """
    user = find_user(session, name)
    # Every refusal costs one argon2 verification, like a wrong password: an unknown
    # user, one without a password and a disabled one are checked against a dummy
    # hash, so the answer time does not tell them apart (it once did: ~20 ms vs ~280 ms).
    stored = user.password_hash if user is not None else None
    matches = password_matches(stored or _dummy_hash(), password) and stored is not None
    if user is None or user.disabled or not matches:
        raise PermissionDenied("invalid user name or password")
    assert user.password_hash is not None
    hasher = _hasher()
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = _now()
    return user


# --- API tokens --------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, label: str | None = None) -> tuple[str, ApiToken]:
    """Create a new token for *user*; returns (the token, once; its stored row)."""
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=token_digest(token), label=label, created_at=_now())
    session.add(row)
    session.flush()
    return token, row


def authenticate_token(session: Session, token: str) -> User:
    """The enabled user holding the unrevoked *token*; else :class:`PermissionDenied`."""
    digest = token_digest(token)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        raise PermissionDenied("invalid or revoked token")
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        raise PermissionDenied("invalid or revoked token")
    row.last_used_at = _now()
    return user


def revoke_tokens(session: Session, user: User, token_id: int | None = None) -> int:
    """Revoke one token (by id) or all of *user*'s tokens; returns how many."""
    q = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if token_id is not None:
        q = q.where(ApiToken.id == token_id)
    rows = list(session.scalars(q))
    if token_id is not None and not rows:
        raise NotFound(f"no active token with id {token_id} for user {user.name!r}")
    for r in rows:
        r.revoked_at = _now()
    return len(rows)


def actor_for(user: User) -> Actor:
    return Actor(name=user.name, role=user.role, user_id=user.id)
