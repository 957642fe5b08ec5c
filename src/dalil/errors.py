"""Errors that reach the user.

Every error a user can cause is a :class:`DalilError` with a one-line message.
The CLI prints ``error: <message>`` and exits 2; the web answers 4xx.
A failed *check* (fixity, audit verify) is a :class:`CheckFailed` and exits 1.
Messages never contain protected plaintext or secrets.
"""

from __future__ import annotations


class DalilError(Exception):
    """A user-facing error: bad input, unknown id, refused operation. Exit code 2."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        # Keep the message to one line: users read it, scripts grep it.
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return str(self)


class InputError(DalilError):
    """Malformed or invalid input (dates, coordinates, files, options)."""


class NotFound(DalilError):
    """An id or name that the case does not hold."""


class PermissionDenied(DalilError):
    """The acting user's role does not allow the operation (deny by default)."""


class WrongPassphrase(DalilError):
    """The passphrase does not unlock the case's key material."""


class Conflict(DalilError):
    """The operation conflicts with stored state (duplicate name, rule violated)."""


class CheckFailed(Exception):
    """A verification found a problem (fixity, audit chain). Exit code 1."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))
