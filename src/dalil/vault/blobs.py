"""Content-addressed, encrypted, append-only evidence blobs.

A blob is identified by the SHA-256 of its plaintext (hex), computed while streaming.
It is stored encrypted in chunks with AES-256-GCM (format in ``docs/crypto.md``):

* a per-blob random salt derives the blob's content key (HKDF-SHA256 of the store key);
* chunk *i* uses the nonce ``prefix(7) ‖ uint32_be(i) ‖ final(1)`` so chunks cannot be
  reordered, dropped, duplicated, or the blob truncated or extended, without failing
  authentication; the header is associated data of every chunk; the final chunk also
  authenticates the plaintext SHA-256, which binds the file to its name;
* the file is named by HMAC-SHA256(name key, sha256) so that a copied evidence folder
  does not reveal which known files it holds.

Writes go to ``root/tmp/`` (ciphertext only), are fsynced, then hard-linked (or renamed)
to the final name atomically; an existing blob is never replaced. Temp files are held
under an exclusive ``flock`` while being written, so :meth:`BlobStore.cleanup_temp` only
removes temp files whose writer is gone.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import hmac
import os
import re
import secrets
import stat
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dalil.errors import CheckFailed, InputError

__all__ = [
    "MAGIC",
    "BlobCorrupt",
    "BlobError",
    "BlobMissing",
    "BlobStore",
    "PutResult",
]

MAGIC: Final = b"DALILBLB"
VERSION: Final = 1
_HEADER = struct.Struct(">8sBI16s7s")  # magic, version, chunk_size, salt, nonce prefix
HEADER_LEN: Final = _HEADER.size  # 36
TAG_LEN: Final = 16
MAX_CHUNK: Final = 64 << 20
_MAX_INDEX: Final = 0xFFFFFFFF

LABEL_NAME: Final = b"dalil/v1/blob-name"
LABEL_CONTENT: Final = b"dalil/v1/blob-content"

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
TMP_DIR: Final = "tmp"
TMP_SUFFIX: Final = ".part"


class BlobError(CheckFailed):
    """A blob could not be read back intact. The message names its sha256."""

    def __init__(self, message: str, sha256: str) -> None:
        super().__init__(message)
        self.sha256 = sha256


class BlobMissing(BlobError):
    """No blob is stored under this sha256."""


class BlobCorrupt(BlobError):
    """The stored blob fails authentication or its hash does not match."""


@dataclass(frozen=True)
class PutResult:
    """Outcome of :meth:`BlobStore.put`: plaintext SHA-256 (hex), size, newly stored?"""

    sha256: str
    size: int
    stored_new: bool


def _hkdf(key: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)


def _nonce(prefix: bytes, index: int, final: bool) -> bytes:
    return prefix + index.to_bytes(4, "big") + (b"\x01" if final else b"\x00")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_full(f: BinaryIO, n: int) -> bytes:
    """Read up to *n* bytes, looping over short reads (pipes, sockets)."""
    data = f.read(n)
    if data is None:  # a non-blocking stream with nothing ready: never mistake it for EOF
        raise InputError("the input stream is non-blocking and had no data ready")
    if len(data) == n or not data:
        return bytes(data)
    if len(data) > n:
        raise InputError("the input stream returned more bytes than were asked for")
    parts = [data]
    got = len(data)
    while got < n:
        more = f.read(n - got)
        if more is None:
            raise InputError("the input stream is non-blocking and had no data ready")
        if not more:
            break
        parts.append(more)
        got += len(more)
    if got > n:
        raise InputError("the input stream returned more bytes than were asked for")
    return b"".join(parts)


def _check_sha(sha256: str) -> str:
    if not isinstance(sha256, str):
        raise InputError("a blob id must be a SHA-256 hex string")
    sha = sha256.strip().lower()
    if not _SHA_RE.match(sha):
        raise InputError(f"not a SHA-256 hex digest: {sha256[:80]!r}")
    return sha


class BlobStore:
    """Encrypted content-addressed store under *root* (a case's ``evidence/`` folder).

    *key* is the store's 32-byte master key (``UnlockedKeys.blob_key``); *chunk_size*
    the plaintext bytes per chunk for new blobs (blobs record their own chunk size).
    Opening a store removes stale temp files left by killed writers.
    """

    def __init__(self, root: Path, key: bytes, chunk_size: int = 1 << 20) -> None:
        if not isinstance(key, bytes | bytearray) or len(key) != 32:
            raise ValueError("BlobStore key must be 32 bytes")
        if not 1 <= chunk_size <= MAX_CHUNK:
            raise ValueError(f"chunk_size must be between 1 and {MAX_CHUNK}")
        self.root = Path(root)
        self.chunk_size = chunk_size
        self._key = bytes(key)
        self._name_key = _hkdf(self._key, LABEL_NAME)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.tmp_dir = self.root / TMP_DIR
        self.tmp_dir.mkdir(mode=0o700, exist_ok=True)
        self.cleanup_temp()

    def __repr__(self) -> str:
        return f"BlobStore(root={str(self.root)!r}, chunk_size={self.chunk_size})"

    # -- naming -------------------------------------------------------------------------

    def blob_name(self, sha256: str) -> str:
        """The stored file name of a blob: hex HMAC-SHA256(name key, raw sha256 digest)."""
        sha = _check_sha(sha256)
        return hmac.new(self._name_key, bytes.fromhex(sha), hashlib.sha256).hexdigest()

    def path_for(self, sha256: str) -> Path:
        """Where the blob with this plaintext SHA-256 is (or would be) stored."""
        name = self.blob_name(sha256)
        return self.root / name[:2] / name

    # -- temp files ---------------------------------------------------------------------

    def _new_temp(self) -> tuple[int, Path]:
        """Create and exclusively lock a fresh temp file; return (fd, path)."""
        for _ in range(100):
            path = self.tmp_dir / f"{secrets.token_hex(16)}{TMP_SUFFIX}"
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # pragma: no cover - 128-bit names
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                # A cleaner may have unlinked the file between our open and our lock.
                if os.stat(path).st_ino == os.fstat(fd).st_ino:
                    return fd, path
            except OSError:
                pass
            os.close(fd)
        raise OSError(errno.EAGAIN, "could not create a temp file in the blob store")

    def cleanup_temp(self) -> int:
        """Remove temp files whose writer is gone (not locked); return how many.

        A temp file another live process is writing is locked with ``flock`` and left alone.
        """
        removed = 0
        try:
            entries = list(os.scandir(self.tmp_dir))
        except FileNotFoundError:
            return 0
        for entry in entries:
            try:
                fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW)
            except OSError:
                # A symlink or something that vanished: remove links, skip the rest.
                if entry.is_symlink():
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                        removed += 1
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a live writer holds it
                try:
                    same = os.stat(entry.path).st_ino == os.fstat(fd).st_ino
                except FileNotFoundError:
                    same = False
                if same:
                    os.unlink(entry.path)
                    removed += 1
            finally:
                os.close(fd)
        return removed

    # -- writing ------------------------------------------------------------------------

    def put(self, src: BinaryIO, *, progress: Callable[[int], None] | None = None) -> PutResult:
        """Store the stream *src* (read to its end); return its SHA-256, size, and whether
        it was new. Memory use is bounded by a few chunks whatever the size.

        *progress*, if given, is called after each chunk with the total plaintext bytes
        read so far.
        """
        chunk_size = self.chunk_size
        salt = secrets.token_bytes(16)
        prefix = secrets.token_bytes(7)
        header = _HEADER.pack(MAGIC, VERSION, chunk_size, salt, prefix)
        aead = AESGCM(_hkdf(self._key, LABEL_CONTENT, salt=salt))
        hasher = hashlib.sha256()
        fd, tmp = self._new_temp()
        size = 0
        try:
            with os.fdopen(fd, "wb", buffering=0, closefd=False) as out:
                out.write(header)
                index = 0
                current = _read_full(src, chunk_size)
                while True:
                    hasher.update(current)
                    size += len(current)
                    nxt = _read_full(src, chunk_size) if len(current) == chunk_size else b""
                    final = not nxt
                    if final:
                        aad = header + hasher.digest()
                        out.write(aead.encrypt(_nonce(prefix, index, True), current, aad))
                    else:
                        out.write(aead.encrypt(_nonce(prefix, index, False), current, header))
                    if progress is not None:
                        progress(size)
                    if final:
                        break
                    index += 1
                    if index > _MAX_INDEX:
                        raise InputError("file too large for this chunk size")
                    current = nxt
                os.fsync(fd)
            sha = hasher.hexdigest()
            final_path = self.path_for(sha)
            stored_new = self._publish(tmp, final_path)
        finally:
            # Unlink while still holding the lock, then release it.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            os.close(fd)
        return PutResult(sha256=sha, size=size, stored_new=stored_new)

    def _publish(self, tmp: Path, final_path: Path) -> bool:
        """Atomically give *tmp* its final name unless a blob is already there."""
        if final_path.exists():
            return False
        final_path.parent.mkdir(mode=0o700, exist_ok=True)
        try:
            os.link(tmp, final_path)  # atomic, never replaces an existing blob
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            # File systems without hard links: rename (may replace an identical blob
            # written concurrently, which holds the same plaintext).
            if final_path.exists():
                return False
            os.replace(tmp, final_path)
        _fsync_dir(final_path.parent)
        return True

    def put_path(self, path: Path, *, progress: Callable[[int], None] | None = None) -> PutResult:
        """Store the regular file at *path*. Symlinks, folders, devices and FIFOs are refused."""
        path = Path(path)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            raise InputError(f"no such file: {path}") from None
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
        if stat.S_ISLNK(st.st_mode):
            raise InputError(f"refusing symlink: {path}")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"not a regular file: {path}")
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise InputError(f"refusing symlink: {path}") from None
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
        with os.fdopen(fd, "rb", buffering=0) as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped between lstat and open
                raise InputError(f"not a regular file: {path}")
            return self.put(f, progress=progress)

    # -- reading ------------------------------------------------------------------------

    def exists(self, sha256: str) -> bool:
        """Whether a blob file is stored under this SHA-256 (not whether it is intact)."""
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> Iterator[bytes]:
        """Yield the plaintext of a blob chunk by chunk.

        Raises :class:`BlobMissing` at once if absent, :class:`BlobCorrupt` when a chunk
        fails authentication. Chunks already yielded are authentic but the blob is only
        known to be complete once iteration ends without an error: write to a temp file
        and commit on success (as :meth:`export_to` does).
        """
        sha = _check_sha(sha256)
        path = self.path_for(sha)
        try:
            f = open(path, "rb", buffering=0)  # noqa: SIM115 - closed in the generator
        except FileNotFoundError:
            raise BlobMissing(f"blob {sha} is missing from the evidence store", sha) from None
        return self._iter_plain(f, sha)

    def _iter_plain(self, f: BinaryIO, sha: str) -> Iterator[bytes]:
        def corrupt(why: str) -> BlobCorrupt:
            return BlobCorrupt(f"blob {sha} is corrupt: {why}", sha)

        with f:
            header = _read_full(f, HEADER_LEN)
            if len(header) != HEADER_LEN:
                raise corrupt("header truncated")
            magic, version, chunk_size, salt, prefix = _HEADER.unpack(header)
            if magic != MAGIC:
                raise corrupt("not a dalil blob (bad magic)")
            if version != VERSION:
                raise corrupt(f"unsupported blob format version {version}")
            if not 1 <= chunk_size <= MAX_CHUNK:
                raise corrupt("chunk size out of range")
            aead = AESGCM(_hkdf(self._key, LABEL_CONTENT, salt=salt))
            final_aad = header + bytes.fromhex(sha)
            step = chunk_size + TAG_LEN
            index = 0
            current = _read_full(f, step)
            while True:
                if len(current) < TAG_LEN:
                    raise corrupt(f"chunk {index} truncated")
                nxt = _read_full(f, step) if len(current) == step else b""
                final = not nxt
                try:
                    if final:
                        plain = aead.decrypt(_nonce(prefix, index, True), current, final_aad)
                    else:
                        plain = aead.decrypt(_nonce(prefix, index, False), current, header)
                except InvalidTag:
                    raise corrupt(f"chunk {index} failed authentication") from None
                yield plain
                if final:
                    return
                index += 1
                if index > _MAX_INDEX:
                    raise corrupt("too many chunks")
                current = nxt

    def plain_size(self, sha256: str) -> int:
        """The plaintext size of a stored blob, from its header and file size (nothing is
        decrypted). Raises :class:`BlobMissing`, or :class:`BlobCorrupt` when the file
        cannot be a whole blob."""
        sha = _check_sha(sha256)
        path = self.path_for(sha)
        try:
            with open(path, "rb", buffering=0) as f:
                header = _read_full(f, HEADER_LEN)
                stored = os.fstat(f.fileno()).st_size
        except FileNotFoundError:
            raise BlobMissing(f"blob {sha} is missing from the evidence store", sha) from None
        return self._layout(sha, header, stored)[1]

    def _layout(self, sha: str, header: bytes, stored: int) -> tuple[int, int, int]:
        """(chunk size, plaintext size, number of chunks) of a blob file of *stored* bytes."""
        if len(header) != HEADER_LEN:
            raise BlobCorrupt(f"blob {sha} is corrupt: header truncated", sha)
        magic, version, chunk_size, _salt, _prefix = _HEADER.unpack(header)
        if magic != MAGIC or version != VERSION or not 1 <= chunk_size <= MAX_CHUNK:
            raise BlobCorrupt(f"blob {sha} is corrupt: bad header", sha)
        body = stored - HEADER_LEN
        step = chunk_size + TAG_LEN
        chunks = max(1, -(-body // step))
        plain = body - chunks * TAG_LEN
        if body < TAG_LEN or plain < 0 or plain > chunks * chunk_size:
            raise BlobCorrupt(f"blob {sha} is corrupt: truncated", sha)
        return chunk_size, plain, chunks

    def open_range(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        """Yield the plaintext bytes *start* to *end* (inclusive) of a blob, decrypting only
        the chunks that hold them (a seek in a video, an HTTP Range request).

        Every chunk read is authenticated as in :meth:`open`: its nonce carries its index
        and whether it is the last, so a chunk moved, dropped or a blob cut short fails.
        Nothing is written anywhere. Raises :class:`BlobMissing` at once if absent and
        :class:`InputError` for a range outside the blob."""
        sha = _check_sha(sha256)
        path = self.path_for(sha)
        try:
            f = open(path, "rb", buffering=0)  # noqa: SIM115 - closed in the generator
        except FileNotFoundError:
            raise BlobMissing(f"blob {sha} is missing from the evidence store", sha) from None
        try:
            header = _read_full(f, HEADER_LEN)
            chunk_size, plain, chunks = self._layout(sha, header, os.fstat(f.fileno()).st_size)
        except BaseException:
            f.close()
            raise
        if not 0 <= start <= end < plain:
            f.close()
            raise InputError(f"range {start}-{end} is outside the blob ({plain} bytes)")
        return self._iter_range(f, sha, header, chunk_size, chunks, start, end)

    def _iter_range(
        self,
        f: BinaryIO,
        sha: str,
        header: bytes,
        chunk_size: int,
        chunks: int,
        start: int,
        end: int,
    ) -> Iterator[bytes]:
        _magic, _version, _size, salt, prefix = _HEADER.unpack(header)
        aead = AESGCM(_hkdf(self._key, LABEL_CONTENT, salt=salt))
        final_aad = header + bytes.fromhex(sha)
        step = chunk_size + TAG_LEN
        with f:
            index = start // chunk_size
            f.seek(HEADER_LEN + index * step)
            while index * chunk_size <= end:
                final = index == chunks - 1
                data = _read_full(f, step)
                try:
                    plain = aead.decrypt(
                        _nonce(prefix, index, final), data, final_aad if final else header
                    )
                except InvalidTag:
                    raise BlobCorrupt(
                        f"blob {sha} is corrupt: chunk {index} failed authentication", sha
                    ) from None
                base = index * chunk_size
                yield plain[max(0, start - base) : end - base + 1]
                index += 1

    def verify(self, sha256: str) -> None:
        """Decrypt the whole blob, re-hash it and compare with its id.

        Raises :class:`BlobMissing` or :class:`BlobCorrupt` (messages name the sha256).
        """
        sha = _check_sha(sha256)
        hasher = hashlib.sha256()
        for chunk in self.open(sha):
            hasher.update(chunk)
        if hasher.hexdigest() != sha:  # pragma: no cover - the final tag binds the hash
            raise BlobCorrupt(f"blob {sha} is corrupt: content hash does not match", sha)

    def export_to(self, sha256: str, dest: Path, *, overwrite: bool = False) -> int:
        """Write the plaintext of a blob to *dest* atomically; return its size.

        The plaintext goes to a temp file next to *dest* (mode 0600), is checked against
        the id, fsynced and renamed; on any failure the temp file is removed and *dest*
        is untouched. Refuses to replace an existing *dest* unless *overwrite*.
        """
        sha = _check_sha(sha256)
        dest = Path(dest)
        if dest.is_symlink() or (dest.exists() and not overwrite):
            raise InputError(f"refusing to overwrite existing file: {dest}")
        parent = dest.parent
        if not parent.is_dir():
            raise InputError(f"no such folder: {parent}")
        chunks = self.open(sha)  # raises BlobMissing before any file is created
        tmp = parent / f".{dest.name}.{secrets.token_hex(8)}.part"
        hasher = hashlib.sha256()
        size = 0
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb", buffering=0) as out:
                for chunk in chunks:
                    hasher.update(chunk)
                    size += len(chunk)
                    view = memoryview(chunk)
                    while view:
                        n = out.write(view)
                        view = view[n or 0 :]
                os.fsync(out.fileno())
            if hasher.hexdigest() != sha:  # pragma: no cover - the final tag binds the hash
                raise BlobCorrupt(f"blob {sha} is corrupt: content hash does not match", sha)
            if overwrite:
                os.replace(tmp, dest)
            else:
                try:
                    os.link(tmp, dest)  # atomic and never replaces a file created meanwhile
                except FileExistsError:
                    raise InputError(f"refusing to overwrite existing file: {dest}") from None
                except OSError as exc:
                    if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                        raise
                    if dest.exists():
                        raise InputError(f"refusing to overwrite existing file: {dest}") from None
                    os.replace(tmp, dest)
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        with contextlib.suppress(OSError):
            _fsync_dir(parent)
        return size
