"""Errors that reach the user.

Every error a user can cause is a :class:`DalilError` with a one-line message, a stable
``code`` (``input``, ``not_found``, ``permission_denied``, ``conflict`` … or a more precise
one given by the raiser) and, when one input is at fault, the ``field`` it concerns (the
service's parameter name, e.g. ``lat``). The CLI prints ``error: <message>`` and exits 2;
the web shows the message next to the field; the API answers 4xx with a problem document.
A failed *check* (fixity, audit verify) is a :class:`CheckFailed` and exits 1.
Messages never contain protected plaintext or secrets.
"""

from __future__ import annotations


class DalilError(Exception):
    """A user-facing error: bad input, unknown id, refused operation. Exit code 2."""

    exit_code = 2
    #: Stable code of this kind of error (API clients branch on it, never on the text).
    default_code = "error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        # Keep the message to one line: users read it, scripts grep it.
        super().__init__(" ".join(str(message).split()))
        self.field = field
        self.code = code or self.default_code
        #: The message as a message id and parameters, when it was given as one
        #: (:class:`dalil.display.messages.Message`): shown translated (a job's error).
        self.words = message if hasattr(message, "msgid") else None

    @property
    def message(self) -> str:
        return str(self)


class InputError(DalilError):
    """Malformed or invalid input (dates, coordinates, files, options)."""

    default_code = "input"


class NotFound(DalilError):
    """An id or name that the case does not hold."""

    default_code = "not_found"


class PermissionDenied(DalilError):
    """The acting user's role does not allow the operation (deny by default)."""

    default_code = "permission_denied"


class WrongPassphrase(DalilError):
    """The passphrase does not unlock the case's key material."""

    default_code = "wrong_passphrase"


class Conflict(DalilError):
    """The operation conflicts with stored state (duplicate name, rule violated)."""

    default_code = "conflict"


class CheckFailed(Exception):
    """A verification found a problem (fixity, audit chain). Exit code 1."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))
