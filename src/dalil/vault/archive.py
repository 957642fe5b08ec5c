"""The backup archive container: one file, encrypted and authenticated from end to end.

Layout (all integers big-endian)::

    "DALILBAK" (8) ‖ version 0x01 (1) ‖ header length uint32 (4) ‖ header (UTF-8 JSON)
    chunk 0 ‖ chunk 1 ‖ … ‖ chunk n-1

The header is in clear and holds nothing secret: the format, the time, the case's key id
and audit key fingerprint, the case's *wrapped* keyring (so the passphrase opens the
archive; cracking it costs the same argon2id as the case folder's ``keys/keyring.json``),
a random 16-byte ``salt``, a 7-byte ``nonce_prefix`` and the ``chunk_size``. The body is
a plaintext stream cut into chunks of ``chunk_size`` bytes (the last one shorter, maybe
empty), each sealed with AES-256-GCM exactly as evidence blobs are (the STREAM
construction)::

    content key = HKDF-SHA256(backup_key, salt, "dalil/v1/backup-content")
    nonce(i)    = nonce_prefix ‖ uint32(i) ‖ (0x01 for the last chunk, else 0x00)
    aad         = the whole clear prefix (magic, version, length and header)

so a changed, dropped, reordered or appended chunk, a cut archive or an edited header
fails authentication. ``backup_key`` is derived from the case data key
(``dalil/v1/backup``). The plaintext stream is a sequence of frames, each a tag byte, a
uint32 length and that many bytes::

    M {"name": …, "type": …}     a member begins (table rows, a blob, a key file …)
    D <bytes>                    member data (any number of frames, each ≤ 1 MiB)
    E {"sha256": …, "size": …}   the member ends; hash and size of its data
    Z {manifest}                 last frame: every member's name, sha256 and size, and
                                 whatever the writer adds (record counts, audit head)

A reader checks every frame, recomputes every member's SHA-256 against its ``E`` frame
and the manifest, and requires the final chunk: :func:`verify` does this in one pass
before a restore writes anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dalil.errors import InputError

MAGIC = b"DALILBAK"
VERSION = 1
FORMAT = "dalil-backup"
DEFAULT_CHUNK = 1 << 20
MAX_CHUNK = 64 << 20
MAX_HEADER = 1 << 20
FRAME_DATA_MAX = 1 << 20
_LABEL = b"dalil/v1/backup-content"


class ArchiveCorrupt(InputError):
    """The archive is damaged, cut, altered, or not opened with its case's key."""


def _content_key(backup_key: bytes, salt: bytes) -> AESGCM:
    return AESGCM(
        HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_LABEL).derive(backup_key)
    )


def _nonce(prefix: bytes, i: int, final: bool) -> bytes:
    return prefix + struct.pack(">I", i) + (b"\x01" if final else b"\x00")


class ArchiveWriter:
    """Write an archive to *out* (a binary file). Add members, then :meth:`finish`."""

    def __init__(
        self,
        out: BinaryIO,
        backup_key: bytes,
        header: dict[str, Any],
        *,
        chunk_size: int = DEFAULT_CHUNK,
    ) -> None:
        self.out = out
        self.chunk_size = chunk_size
        salt, self.prefix = secrets.token_bytes(16), secrets.token_bytes(7)
        head = {
            **header,
            "format": FORMAT,
            "version": VERSION,
            "salt": base64.b64encode(salt).decode(),
            "nonce_prefix": base64.b64encode(self.prefix).decode(),
            "chunk_size": chunk_size,
        }
        body = json.dumps(head, sort_keys=True, ensure_ascii=True).encode()
        self.aad = MAGIC + bytes([VERSION]) + struct.pack(">I", len(body)) + body
        out.write(self.aad)
        self.aead = _content_key(backup_key, salt)
        self.index = 0
        self.buf = bytearray()
        self.members: list[dict[str, Any]] = []
        self.bytes_out = len(self.aad)

    def _emit(self, final: bool) -> None:
        """Seal every full chunk in the buffer; with *final*, the rest (maybe empty) too."""
        while len(self.buf) >= self.chunk_size:
            piece = bytes(self.buf[: self.chunk_size])
            del self.buf[: self.chunk_size]
            self._seal(piece, final=False)
        if final:
            self._seal(bytes(self.buf), final=True)
            self.buf.clear()

    def _seal(self, piece: bytes, *, final: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.prefix, self.index, final), piece, self.aad)
        self.out.write(sealed)
        self.bytes_out += len(sealed)
        self.index += 1

    def _frame(self, tag: bytes, payload: bytes) -> None:
        self.buf += tag + struct.pack(">I", len(payload)) + payload
        if len(self.buf) >= self.chunk_size:
            self._emit(final=False)

    def add(
        self,
        name: str,
        kind: str,
        data: bytes | Iterable[bytes],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> dict[str, Any]:
        """Add a member; *data* is bytes or an iterable of byte pieces (streamed)."""
        self._frame(b"M", json.dumps({"name": name, "type": kind}).encode())
        h, size = hashlib.sha256(), 0
        pieces = [data] if isinstance(data, bytes | bytearray) else data
        for piece in pieces:
            for i in range(0, max(1, len(piece)), FRAME_DATA_MAX):
                part = bytes(piece[i : i + FRAME_DATA_MAX])
                if not part:
                    continue
                h.update(part)
                size += len(part)
                self._frame(b"D", part)
                if progress is not None:
                    progress(len(part))
        info = {"name": name, "type": kind, "sha256": h.hexdigest(), "size": size}
        self._frame(b"E", json.dumps({"sha256": info["sha256"], "size": size}).encode())
        self.members.append(info)
        return info

    def finish(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Write the manifest (with every member's hash) and the final chunk."""
        doc = {**manifest, "members": self.members}
        self._frame(b"Z", json.dumps(doc, sort_keys=True, ensure_ascii=False).encode())
        self._emit(final=True)
        return doc


def read_header(path: Path) -> tuple[dict[str, Any], bytes]:
    """The clear header of the archive at *path* and the exact bytes it covers."""
    try:
        with open(path, "rb") as f:
            fixed = f.read(13)
            if len(fixed) < 13 or fixed[:8] != MAGIC:
                raise ArchiveCorrupt(f"{path} is not a dalil backup archive")
            if fixed[8] != VERSION:
                raise ArchiveCorrupt(f"{path}: archive version {fixed[8]} is not supported")
            (n,) = struct.unpack(">I", fixed[9:13])
            if n > MAX_HEADER:
                raise ArchiveCorrupt(f"{path}: damaged archive header")
            body = f.read(n)
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None
    if len(body) != n:
        raise ArchiveCorrupt(f"{path}: the archive is cut short")
    try:
        head = json.loads(body)
    except ValueError:
        raise ArchiveCorrupt(f"{path}: damaged archive header") from None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise ArchiveCorrupt(f"{path}: damaged archive header")
    return head, fixed + body


@dataclass
class Member:
    name: str
    type: str


def iter_frames(
    path: Path, backup_key: bytes, *, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[str, Any]]:
    """Decrypt and parse *path*: yields ``("member", Member)``, ``("data", bytes)``,
    ``("end", {"sha256", "size"})`` (after checking the hash) and finally
    ``("manifest", dict)`` (after checking it lists exactly the members read).
    Raises :class:`ArchiveCorrupt` on any damage, before yielding anything past it."""
    head, aad = read_header(path)
    try:
        salt = base64.b64decode(head["salt"], validate=True)
        prefix = base64.b64decode(head["nonce_prefix"], validate=True)
        chunk = int(head["chunk_size"])
    except (KeyError, ValueError, TypeError):
        raise ArchiveCorrupt(f"{path}: damaged archive header") from None
    if len(salt) != 16 or len(prefix) != 7 or not 1 <= chunk <= MAX_CHUNK:
        raise ArchiveCorrupt(f"{path}: damaged archive header")
    aead = _content_key(backup_key, salt)
    bad = ArchiveCorrupt(
        f"{path}: the archive is damaged or was altered (authentication failed); "
        "nothing was restored"
    )

    def plain_chunks() -> Iterator[bytes]:
        step = chunk + 16
        with open(path, "rb") as f:
            f.seek(len(aad))
            i = 0
            cur = f.read(step)
            while True:
                nxt = f.read(step) if len(cur) == step else b""
                final = not nxt
                try:
                    out = aead.decrypt(_nonce(prefix, i, final), cur, aad)
                except InvalidTag:
                    raise bad from None
                if progress is not None:
                    progress(len(cur))
                yield out
                if final:
                    return
                cur, i = nxt, i + 1

    buf = bytearray()
    member: Member | None = None
    h = hashlib.sha256()
    size = 0
    seen: list[dict[str, Any]] = []
    done = False
    chunks = plain_chunks()

    def need(n: int) -> bool:
        while len(buf) < n:
            try:
                buf.extend(next(chunks))
            except StopIteration:
                return False
        return True

    while True:
        if not need(5):
            if buf or not done:
                raise bad
            return
        if done:
            raise bad  # bytes after the manifest
        tag = bytes(buf[:1])
        (n,) = struct.unpack(">I", buf[1:5])
        if n > max(FRAME_DATA_MAX, 64 << 20) or not need(5 + n):
            raise bad
        payload = bytes(buf[5 : 5 + n])
        del buf[: 5 + n]
        try:
            if tag == b"M" and member is None:
                d = json.loads(payload)
                member = Member(str(d["name"]), str(d["type"]))
                h, size = hashlib.sha256(), 0
                yield "member", member
            elif tag == b"D" and member is not None:
                h.update(payload)
                size += len(payload)
                yield "data", payload
            elif tag == b"E" and member is not None:
                d = json.loads(payload)
                if d.get("sha256") != h.hexdigest() or d.get("size") != size:
                    raise bad
                seen.append(
                    {"name": member.name, "type": member.type, "sha256": d["sha256"], "size": size}
                )
                member = None
                yield "end", d
            elif tag == b"Z" and member is None:
                d = json.loads(payload)
                if d.get("members") != seen:
                    raise bad
                done = True
                # the manifest must be the last thing: drain to the final chunk
                if not need(1) and not buf:
                    yield "manifest", d
                    return
                raise bad
            else:
                raise bad
        except (ValueError, KeyError, TypeError, AttributeError):
            raise bad from None


def verify(
    path: Path, backup_key: bytes, *, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Read the whole archive, checking everything; return its manifest."""
    for event, value in iter_frames(path, backup_key, progress=progress):
        if event == "manifest":
            return dict(value)
    raise ArchiveCorrupt(f"{path}: the archive has no manifest")
