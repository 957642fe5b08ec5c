"""Who is asking: the web's short memory of users and bearer tokens.

Logins, token checks and their audit entries happen in :mod:`dalil.services.users`;
this module only remembers the answers for a few seconds so that every request is not a
database round trip (and every API call not an audited write). A role change or a
disabled account made elsewhere (the CLI) takes effect within
:data:`USER_CACHE_SECONDS`; changes made through the web call :meth:`Principals.forget`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dalil.errors import NotFound, PermissionDenied
from dalil.services import users

if TYPE_CHECKING:
    from dalil.services.kernel import Actor, Case

TOKEN_CACHE_SECONDS = 30.0
USER_CACHE_SECONDS = 5.0
_MAX_REMEMBERED = 10_000


@dataclass(frozen=True)
class UserInfo:
    """An active user as the service layer knows them."""

    name: str
    role: str
    actor: Actor
    #: An admin set their password: the pages ask for a new one first (not the API).
    must_change_password: bool = False


@dataclass(frozen=True)
class LoginResult:
    """A password login that succeeded (a second factor may still be due)."""

    user: UserInfo
    has_totp: bool


class Principals:
    """The users and tokens of one open case, remembered briefly (thread-safe)."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self._tokens: dict[str, tuple[float, Actor]] = {}
        self._users: dict[str, tuple[float, UserInfo | None]] = {}
        self._lock = threading.Lock()

    # --- sessions -----------------------------------------------------------------

    def user_info(self, name: str) -> UserInfo | None:
        """The current role of *name*, or None if the user is gone or disabled; looked up
        at most every :data:`USER_CACHE_SECONDS` per user."""
        now = time.monotonic()
        with self._lock:
            hit = self._users.get(name)
            if hit is not None and now - hit[0] < USER_CACHE_SECONDS:
                return hit[1]
        try:
            actor = users.current_actor(self.case, name)
        except (NotFound, PermissionDenied):
            info = None
        else:
            info = UserInfo(
                actor.name, actor.role, actor, users.must_change_password(self.case, name)
            )
        with self._lock:
            if len(self._users) > _MAX_REMEMBERED:
                self._users.clear()
            self._users[name] = (now, info)
        return info

    def cached_user_info(self, name: str) -> tuple[bool, UserInfo | None]:
        """(True, what :meth:`user_info` would return) if still remembered, else (False,
        None): memory only, never the database."""
        now = time.monotonic()
        with self._lock:
            hit = self._users.get(name)
            if hit is not None and now - hit[0] < USER_CACHE_SECONDS:
                return True, hit[1]
        return False, None

    # --- bearer tokens ------------------------------------------------------------

    def cached_user_for_token(self, token: str) -> tuple[bool, UserInfo | None]:
        """(True, the user) if *token* is a valid token remembered by
        :meth:`user_for_token`, else (False, None): memory only (an unknown or invalid
        token is decided by :meth:`user_for_token`)."""
        if not token or len(token) > 200:
            return False, None
        digest = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            hit = self._tokens.get(digest)
            if hit is not None and now - hit[0] < TOKEN_CACHE_SECONDS:
                return True, UserInfo(hit[1].name, hit[1].role, hit[1])
        return False, None

    def user_for_token(self, token: str) -> UserInfo | None:
        """The user of a bearer token (the service audits each token login). A valid
        token is remembered for :data:`TOKEN_CACHE_SECONDS`."""
        if not token or len(token) > 200:
            return None
        hit, info = self.cached_user_for_token(token)
        if hit:
            return info
        try:
            actor = users.login_token(self.case, token)
        except PermissionDenied:
            return None
        with self._lock:
            if len(self._tokens) > _MAX_REMEMBERED:
                self._tokens.clear()
            self._tokens[hashlib.sha256(token.encode()).hexdigest()] = (time.monotonic(), actor)
        return UserInfo(actor.name, actor.role, actor)

    def forget(self) -> None:
        """Forget remembered tokens and users (after a change to users or tokens)."""
        with self._lock:
            self._tokens.clear()
            self._users.clear()

    # --- logins ---------------------------------------------------------------------

    def login(self, name: str, password: str) -> LoginResult:
        """Check the password (audited ``user.login`` / ``user.login_failed``)."""
        actor = users.login_password(self.case, name, password)
        return LoginResult(
            UserInfo(actor.name, actor.role, actor), users.has_totp(self.case, actor.name)
        )

    def totp_secret(self, name: str) -> str | None:
        """The user's TOTP secret for checking a login code, or None."""
        secret = users.totp_secret(self.case, name)
        return str(secret) if secret else None

    def login_second_factor(self, name: str, *, ok: bool) -> bool:
        """Record the outcome of a second-factor check (audited, counted per account);
        returns whether the account is locked now."""
        return users.login_second_factor(self.case, name, ok=ok)

    def is_locked(self, name: str) -> bool:
        """Whether too many wrong second-factor codes locked the account."""
        return users.is_locked(self.case, name)
