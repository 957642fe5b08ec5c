"""Case key management: a passphrase-wrapped data key and the audit signing key.

Layout of a case's ``keys/`` folder (formats in ``docs/crypto.md``):

``keyring.json``
    The 256-bit *data key*, wrapped (AES-256-GCM) under a key-encryption key (KEK)
    derived from the passphrase with argon2id. The argon2id parameters and salt are
    stored in the file and authenticated as associated data of the wrap.
``audit_signing.json``
    The Ed25519 private key that signs audit checkpoints, encrypted (AES-256-GCM)
    under a subkey of the data key.
``audit_public.pem``
    The matching public key in plain PEM (SubjectPublicKeyInfo) so that anyone can
    verify the audit log without the passphrase.

Every other key is derived from the data key with HKDF-SHA256 and a distinct label,
so one secret (the passphrase) unlocks everything and changing the passphrase only
re-wraps the data key: no data is ever re-encrypted.

Nothing secret (passphrase, key bytes, plaintext) ever appears in an exception
message, a ``repr`` or a temporary file.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dalil.errors import Conflict, InputError, WrongPassphrase

__all__ = [
    "AUDIT_PUBLIC_FILE",
    "AUDIT_SIGNING_FILE",
    "FIELD_TOKEN_PREFIX",
    "KEYRING_FILE",
    "PROFILES",
    "FieldDecryptError",
    "KdfParams",
    "UnlockedKeys",
    "change_passphrase",
    "create_keyring",
    "default_profile",
    "key_fingerprint",
    "load_audit_public_key",
    "normalise_for_index",
    "unlock",
]

KEYRING_FILE: Final = "keyring.json"
AUDIT_SIGNING_FILE: Final = "audit_signing.json"
AUDIT_PUBLIC_FILE: Final = "audit_public.pem"

KEYRING_FORMAT: Final = "dalil-keyring"
SIGNING_FORMAT: Final = "dalil-audit-signing-key"
FORMAT_VERSION: Final = 1

#: Prefix of an encrypted field token (version 1: AES-256-GCM, 96-bit random nonce).
FIELD_TOKEN_PREFIX: Final = "df1:"

_WRAP_AAD: Final = b"dalil-keyring-v1\x00"
_SIGNING_AAD: Final = b"dalil-audit-signing-v1\x00"
_FIELD_AAD: Final = b"dalil-field-v1\x00"
_BYTES_AAD: Final = b"dalil-bytes-v1\x00"
_INDEX_PREFIX: Final = b"dalil-blind-index-v1\x00"

# HKDF labels (info) of the subkeys derived from the data key.
LABEL_FIELD: Final = b"dalil/v1/field-encryption"
LABEL_INDEX: Final = b"dalil/v1/blind-index"
LABEL_BLOB: Final = b"dalil/v1/blob"
LABEL_TOKEN: Final = b"dalil/v1/token"
LABEL_SIGNING_WRAP: Final = b"dalil/v1/audit-signing-key-wrap"
LABEL_KEY_ID: Final = b"dalil/v1/key-id"
LABEL_SEARCH: Final = b"dalil/v1/search-index"
LABEL_BACKUP: Final = b"dalil/v1/backup"

_WRONG = "wrong passphrase for this case"

# Bounds accepted when reading a key file: a damaged or hostile file must not make
# unlock allocate unbounded memory or spin for hours.
_MAX_MEMORY_KIB: Final = 4 * 1024 * 1024  # 4 GiB
_MAX_TIME_COST: Final = 64
_MAX_PARALLELISM: Final = 64


@dataclass(frozen=True)
class KdfParams:
    """argon2id parameters (RFC 9106). ``memory_cost`` is in KiB."""

    time_cost: int
    memory_cost: int
    parallelism: int
    salt_len: int = 16
    hash_len: int = 32


#: Named KDF profiles. ``strong`` is the default; ``test`` is for the test suite only.
PROFILES: Final[dict[str, KdfParams]] = {
    # RFC 9106 §4 "second recommended option" uses t=3, m=64 MiB, p=4; we keep the
    # memory and passes and use one lane so that the cost is the same on a laptop
    # with two cores as on a server (about 0.2-0.4 s per unlock), see docs/crypto.md.
    "strong": KdfParams(time_cost=3, memory_cost=64 * 1024, parallelism=1),
    # NEVER for real cases: trivially brute-forced. Tests create hundreds of cases.
    "test": KdfParams(time_cost=1, memory_cost=8, parallelism=1),
}


def default_profile() -> str:
    """The KDF profile for new key files: ``$DALIL_KDF_PROFILE`` or ``strong``."""
    name = os.environ.get("DALIL_KDF_PROFILE", "").strip() or "strong"
    if name not in PROFILES:
        raise InputError(
            f"DALIL_KDF_PROFILE={name!r} is not a known profile (known: {', '.join(PROFILES)})"
        )
    if name == "test" and not _weak_kdf_allowed():
        raise InputError(
            "DALIL_KDF_PROFILE=test makes a passphrase hash that is trivially brute-forced "
            "and is for the test suite only: unset it (a throw-away benchmark case may also "
            "set DALIL_WEAK_KDF_OK=1)"
        )
    return name


def weak_kdf_profile() -> bool:
    """Whether ``$DALIL_KDF_PROFILE`` is ``test`` where it is allowed (the test suite, or
    ``DALIL_WEAK_KDF_OK=1``): then password hashes (:mod:`dalil.core.access`) are cheap
    too. Never raises: an unusable profile name is refused where a key file is made."""
    return os.environ.get("DALIL_KDF_PROFILE", "").strip() == "test" and _weak_kdf_allowed()


def _weak_kdf_allowed() -> bool:
    """The test profile outside the test suite silently made weak cases: it now needs
    pytest running (this process or the one that started it) or an explicit
    ``DALIL_WEAK_KDF_OK=1``."""
    import sys

    return (
        "pytest" in sys.modules
        or bool(os.environ.get("PYTEST_CURRENT_TEST"))
        or os.environ.get("DALIL_WEAK_KDF_OK") == "1"
    )


# --------------------------------------------------------------------------- helpers


def _b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64d(text: Any, what: str, path: Path) -> bytes:
    if not isinstance(text, str):
        raise InputError(f"damaged key file {path}: {what} is not base64 text")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise InputError(f"damaged key file {path}: {what} is not valid base64") from None


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _hkdf(key: bytes, info: bytes, *, salt: bytes | None = None, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(key)


def _derive_kek(passphrase: str, kdf: dict[str, Any], salt: bytes) -> bytes:
    return hash_secret_raw(
        secret=passphrase.encode("utf-8"),
        salt=salt,
        time_cost=int(kdf["time_cost"]),
        memory_cost=int(kdf["memory_cost_kib"]),
        parallelism=int(kdf["parallelism"]),
        hash_len=int(kdf["output_len"]),
        type=Type.ID,
        version=int(kdf["argon2_version"]),
    )


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write *data* to *path* atomically: temp file in the same folder, fsync, rename."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _check_passphrase(passphrase: str, what: str = "passphrase") -> None:
    if not isinstance(passphrase, str):
        raise InputError(f"the {what} must be text")
    if passphrase == "":
        raise InputError(f"the {what} is empty")


def key_fingerprint(public_key: Ed25519PublicKey) -> str:
    """Hex SHA-256 of the raw 32-byte Ed25519 public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def normalise_for_index(value: str) -> str:
    """The normal form hashed by :meth:`UnlockedKeys.blind_index`.

    Unicode NFKC, case folded, NFKC again (case folding can denormalise), and every
    run of whitespace collapsed to one space with none at either end.
    """
    text = unicodedata.normalize("NFKC", value)
    text = unicodedata.normalize("NFKC", text.casefold())
    return " ".join(text.split())


class FieldDecryptError(InputError):
    """A protected field token could not be decrypted (wrong key, context or damage)."""


# --------------------------------------------------------------------------- unlocked keys


class UnlockedKeys:
    """The key material of an unlocked case. Never printed: ``repr`` shows the key id only.

    Attributes:
        blob_key: 32-byte master key of the case's :class:`~dalil.vault.blobs.BlobStore`.
        token_key: 32-byte HMAC key for API tokens and other keyed digests.
        search_key: 32-byte AES-256-GCM key of the encrypted search index.
        audit_signing_key: Ed25519 private key that signs audit checkpoints.
        audit_public_key: its public key (also in ``keys/audit_public.pem``).
        audit_key_fingerprint: hex SHA-256 of the raw public key.
        key_id: 16 hex characters identifying the data key (not secret, stable across
            passphrase changes).
    """

    __slots__ = (
        "_field_aead",
        "_index_key",
        "audit_key_fingerprint",
        "audit_public_key",
        "audit_signing_key",
        "backup_key",
        "blob_key",
        "key_id",
        "search_key",
        "token_key",
    )

    def __init__(self, data_key: bytes, signing_key: Ed25519PrivateKey) -> None:
        if len(data_key) != 32:
            raise ValueError("data key must be 32 bytes")
        self._field_aead = AESGCM(_hkdf(data_key, LABEL_FIELD))
        self._index_key = _hkdf(data_key, LABEL_INDEX)
        self.blob_key: bytes = _hkdf(data_key, LABEL_BLOB)
        self.token_key: bytes = _hkdf(data_key, LABEL_TOKEN)
        self.search_key: bytes = _hkdf(data_key, LABEL_SEARCH)
        self.backup_key: bytes = _hkdf(data_key, LABEL_BACKUP)
        self.key_id: str = _hkdf(data_key, LABEL_KEY_ID, length=8).hex()
        self.audit_signing_key: Ed25519PrivateKey = signing_key
        self.audit_public_key: Ed25519PublicKey = signing_key.public_key()
        self.audit_key_fingerprint: str = key_fingerprint(self.audit_public_key)

    def __repr__(self) -> str:
        return f"UnlockedKeys(key_id={self.key_id!r})"

    __str__ = __repr__

    def __reduce__(self) -> Any:  # refuse pickling key material by accident
        raise TypeError("UnlockedKeys cannot be pickled")

    # -- protected fields -------------------------------------------------------------

    @staticmethod
    def _aad(context: str) -> bytes:
        if not isinstance(context, str) or not context:
            raise InputError(
                "field encryption needs a non-empty context such as 'person.legal_name'"
            )
        return _FIELD_AAD + context.encode("utf-8")

    def encrypt_field(self, value: str, context: str) -> str:
        """Encrypt *value* for a Text column; *context* (e.g. ``person.legal_name``) is bound.

        Returns ``df1:`` + unpadded base64url(nonce ‖ ciphertext ‖ tag): ASCII only.
        A token only decrypts under the same context, so a ciphertext moved from one
        field (or record kind) into another fails instead of revealing anything there.
        """
        if not isinstance(value, str):
            raise InputError(f"the value of {context} must be text")
        nonce = secrets.token_bytes(12)
        sealed = self._field_aead.encrypt(nonce, value.encode("utf-8"), self._aad(context))
        return FIELD_TOKEN_PREFIX + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode(
            "ascii"
        )

    def decrypt_field(self, token: str, context: str) -> str:
        """Decrypt a token from :meth:`encrypt_field`; :class:`FieldDecryptError` on any failure."""
        aad = self._aad(context)
        fail = FieldDecryptError(
            f"cannot decrypt protected field {context}: wrong case key, wrong field or damaged value"
        )
        if not isinstance(token, str) or not token.startswith(FIELD_TOKEN_PREFIX):
            raise fail
        body = token[len(FIELD_TOKEN_PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise fail from None
        if len(raw) < 12 + 16:
            raise fail
        try:
            plain = self._field_aead.decrypt(raw[:12], raw[12:], aad)
            return plain.decode("utf-8")
        except (InvalidTag, UnicodeDecodeError):
            raise fail from None

    def encrypt_bytes(self, data: bytes, context: str) -> bytes:
        """Encrypt *data* (at most 64 MiB) for a binary column: nonce ‖ ciphertext ‖ tag,
        AES-256-GCM under the field key with *context* bound (as :meth:`encrypt_field`,
        but a separate AAD domain, so a field token and a byte value never decrypt as
        each other)."""
        if not isinstance(context, str) or not context:
            raise InputError("byte encryption needs a non-empty context")
        if len(data) > 64 * 1024 * 1024:
            raise InputError(f"{context}: more than 64 MiB")
        nonce = secrets.token_bytes(12)
        return nonce + self._field_aead.encrypt(nonce, bytes(data), _BYTES_AAD + context.encode())

    def decrypt_bytes(self, sealed: bytes, context: str) -> bytes:
        """Decrypt :meth:`encrypt_bytes`; :class:`FieldDecryptError` on any failure."""
        fail = FieldDecryptError(f"cannot decrypt {context}: wrong case key or damaged value")
        if not isinstance(context, str) or not context or len(sealed) < 28:
            raise fail
        try:
            return self._field_aead.decrypt(sealed[:12], sealed[12:], _BYTES_AAD + context.encode())
        except InvalidTag:
            raise fail from None

    def blind_index(self, value: str, context: str) -> str:
        """Keyed equality index: hex HMAC-SHA256 over (context, normalised value).

        Equal values (after :func:`normalise_for_index`) in the same context give the
        same index; without the case key the index reveals nothing, and the same value
        in two contexts gives unrelated indexes.
        """
        if not isinstance(value, str):
            raise InputError(f"the value of {context} must be text")
        if not isinstance(context, str) or not context:
            raise InputError("a blind index needs a non-empty context")
        msg = (
            _INDEX_PREFIX
            + context.encode("utf-8")
            + b"\x00"
            + normalise_for_index(value).encode("utf-8")
        )
        return hmac.new(self._index_key, msg, hashlib.sha256).hexdigest()

    def keyed_digest(self, data: bytes, purpose: str) -> str:
        """Hex HMAC-SHA256 of *data* under :attr:`token_key`, separated by *purpose*."""
        return hmac.new(
            self.token_key, purpose.encode("utf-8") + b"\x00" + data, hashlib.sha256
        ).hexdigest()


# --------------------------------------------------------------------------- key files


def _new_kdf_section(profile: str) -> tuple[dict[str, Any], bytes]:
    params = PROFILES[profile]
    salt = secrets.token_bytes(params.salt_len)
    return (
        {
            "algorithm": "argon2id",
            "argon2_version": 19,
            "time_cost": params.time_cost,
            "memory_cost_kib": params.memory_cost,
            "parallelism": params.parallelism,
            "output_len": params.hash_len,
            "salt": _b64e(salt),
            "profile": profile,
        },
        salt,
    )


def _wrap(data_key: bytes, passphrase: str, profile: str) -> dict[str, Any]:
    kdf, salt = _new_kdf_section(profile)
    kek = _derive_kek(passphrase, kdf, salt)
    nonce = secrets.token_bytes(12)
    wrapped = AESGCM(kek).encrypt(nonce, data_key, _WRAP_AAD + _canonical(kdf))
    return {
        "format": KEYRING_FORMAT,
        "version": FORMAT_VERSION,
        "kdf": kdf,
        "wrap": {"algorithm": "AES-256-GCM", "nonce": _b64e(nonce), "ciphertext": _b64e(wrapped)},
        "written": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        st = path.lstat()
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    if not path.is_file() or path.is_symlink():
        raise InputError(f"{what} is not a regular file: {path}")
    if st.st_size > 1 << 20:
        raise InputError(f"damaged {what} {path}: too large")
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"damaged {what} {path}: not valid JSON") from None
    if not isinstance(doc, dict):
        raise InputError(f"damaged {what} {path}: not a JSON object")
    return doc


def _int_in(section: dict[str, Any], name: str, lo: int, hi: int, path: Path) -> int:
    value = section.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise InputError(f"damaged key file {path}: kdf.{name} missing or out of range")
    return value


def _unwrap(doc: dict[str, Any], passphrase: str, path: Path) -> bytes:
    if doc.get("format") != KEYRING_FORMAT:
        raise InputError(f"damaged key file {path}: not a dalil keyring")
    if doc.get("version") != FORMAT_VERSION:
        raise InputError(f"key file {path} has unsupported version {doc.get('version')!r}")
    kdf = doc.get("kdf")
    wrap = doc.get("wrap")
    if not isinstance(kdf, dict) or not isinstance(wrap, dict):
        raise InputError(f"damaged key file {path}: kdf or wrap section missing")
    if kdf.get("algorithm") != "argon2id" or wrap.get("algorithm") != "AES-256-GCM":
        raise InputError(f"damaged key file {path}: unsupported algorithm")
    _int_in(kdf, "argon2_version", 19, 19, path)
    _int_in(kdf, "time_cost", 1, _MAX_TIME_COST, path)
    parallelism = _int_in(kdf, "parallelism", 1, _MAX_PARALLELISM, path)
    _int_in(kdf, "memory_cost_kib", 8 * parallelism, _MAX_MEMORY_KIB, path)
    _int_in(kdf, "output_len", 32, 32, path)
    salt = _b64d(kdf.get("salt"), "kdf.salt", path)
    if not 8 <= len(salt) <= 64:
        raise InputError(f"damaged key file {path}: kdf.salt has a bad length")
    nonce = _b64d(wrap.get("nonce"), "wrap.nonce", path)
    wrapped = _b64d(wrap.get("ciphertext"), "wrap.ciphertext", path)
    if len(nonce) != 12 or len(wrapped) != 32 + 16:
        raise InputError(f"damaged key file {path}: wrapped key has a bad length")
    kek = _derive_kek(passphrase, kdf, salt)
    try:
        return AESGCM(kek).decrypt(nonce, wrapped, _WRAP_AAD + _canonical(kdf))
    except InvalidTag:
        # Wrong passphrase and a tampered file are indistinguishable by design.
        raise WrongPassphrase(_WRONG) from None


def _signing_wrap_key(data_key: bytes) -> AESGCM:
    return AESGCM(_hkdf(data_key, LABEL_SIGNING_WRAP))


def _write_signing_key(keys_dir: Path, data_key: bytes, signing: Ed25519PrivateKey) -> None:
    public = signing.public_key()
    fingerprint = key_fingerprint(public)
    seed = signing.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    nonce = secrets.token_bytes(12)
    sealed = _signing_wrap_key(data_key).encrypt(
        nonce, seed, _SIGNING_AAD + fingerprint.encode("ascii")
    )
    doc = {
        "format": SIGNING_FORMAT,
        "version": FORMAT_VERSION,
        "algorithm": "Ed25519",
        "public_key_fingerprint": fingerprint,
        "wrap": {"algorithm": "AES-256-GCM", "nonce": _b64e(nonce), "ciphertext": _b64e(sealed)},
    }
    _atomic_write(keys_dir / AUDIT_SIGNING_FILE, json.dumps(doc, indent=2).encode("utf-8") + b"\n")
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _atomic_write(keys_dir / AUDIT_PUBLIC_FILE, pem, mode=0o644)


def load_audit_public_key(path: Path) -> Ed25519PublicKey:
    """Read an Ed25519 public key from a PEM file (``keys/audit_public.pem`` or a copy)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"public key file not found: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read public key file {path}: {exc.strerror}") from None
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise InputError(f"{path} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(f"{path} is not an Ed25519 public key")
    return key


def _read_signing_key(keys_dir: Path, data_key: bytes) -> Ed25519PrivateKey:
    path = keys_dir / AUDIT_SIGNING_FILE
    doc = _read_json(path, "audit signing key file")
    wrap = doc.get("wrap")
    fingerprint = doc.get("public_key_fingerprint")
    if (
        doc.get("format") != SIGNING_FORMAT
        or doc.get("version") != FORMAT_VERSION
        or doc.get("algorithm") != "Ed25519"
        or not isinstance(wrap, dict)
        or not isinstance(fingerprint, str)
    ):
        raise InputError(f"damaged audit signing key file {path}")
    nonce = _b64d(wrap.get("nonce"), "wrap.nonce", path)
    sealed = _b64d(wrap.get("ciphertext"), "wrap.ciphertext", path)
    try:
        seed = _signing_wrap_key(data_key).decrypt(
            nonce, sealed, _SIGNING_AAD + fingerprint.encode("ascii")
        )
        signing = Ed25519PrivateKey.from_private_bytes(seed)
    except (InvalidTag, ValueError, UnicodeEncodeError):
        raise InputError(
            f"damaged audit signing key file {path}: it does not decrypt under this case's key"
        ) from None
    public = signing.public_key()
    if key_fingerprint(public) != fingerprint:
        raise InputError(f"damaged audit signing key file {path}: fingerprint mismatch")
    pem_path = keys_dir / AUDIT_PUBLIC_FILE
    if pem_path.exists():
        on_disk = load_audit_public_key(pem_path)
        if key_fingerprint(on_disk) != fingerprint:
            raise InputError(
                f"{pem_path} does not match the case's audit signing key (replaced or damaged)"
            )
    else:
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        _atomic_write(pem_path, pem, mode=0o644)
    return signing


# --------------------------------------------------------------------------- public API


def create_keyring(keys_dir: Path, passphrase: str, *, profile: str | None = None) -> UnlockedKeys:
    """Create the key material of a new case in *keys_dir* and return it unlocked.

    A random 256-bit data key is wrapped under an argon2id KEK (profile ``strong`` unless
    *profile* or ``$DALIL_KDF_PROFILE`` says otherwise); a fresh Ed25519 audit signing key
    is stored encrypted under the data key, its public key in ``audit_public.pem``.
    Raises :class:`~dalil.errors.Conflict` if a keyring already exists there.
    """
    _check_passphrase(passphrase)
    profile = profile or default_profile()
    if profile not in PROFILES:
        raise InputError(f"unknown KDF profile {profile!r}")
    keys_dir = Path(keys_dir)
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(keys_dir, 0o700)
    if (keys_dir / KEYRING_FILE).exists():
        raise Conflict(f"{keys_dir} already holds a keyring")
    # A signing key without keyring.json is the leftover of an interrupted creation:
    # useless without its data key, so it is replaced below.
    data_key = secrets.token_bytes(32)
    signing = Ed25519PrivateKey.generate()
    # Signing key first: a keyring without its signing key is never left behind
    # looking complete.
    _write_signing_key(keys_dir, data_key, signing)
    doc = _wrap(data_key, passphrase, profile)
    _atomic_write(keys_dir / KEYRING_FILE, json.dumps(doc, indent=2).encode("utf-8") + b"\n")
    return UnlockedKeys(data_key, signing)


def unlock(keys_dir: Path, passphrase: str) -> UnlockedKeys:
    """Unlock a case's keys. :class:`WrongPassphrase` if the passphrase does not fit,
    :class:`InputError` if the key files are missing or damaged."""
    if not isinstance(passphrase, str):
        raise InputError("the passphrase must be text")
    keys_dir = Path(keys_dir)
    path = keys_dir / KEYRING_FILE
    doc = _read_json(path, "key file")
    data_key = _unwrap(doc, passphrase, path)
    return UnlockedKeys(data_key, _read_signing_key(keys_dir, data_key))


def change_passphrase(keys_dir: Path, old: str, new: str, *, profile: str | None = None) -> None:
    """Re-wrap the same data key under *new* (fresh salt, current profile), atomically.

    The old passphrase stops working; nothing else changes on disk.
    """
    _check_passphrase(new, "new passphrase")
    keys_dir = Path(keys_dir)
    path = keys_dir / KEYRING_FILE
    doc = _read_json(path, "key file")
    data_key = _unwrap(doc, old, path)
    _read_signing_key(keys_dir, data_key)  # refuse to re-wrap a keyring whose pair is broken
    profile = profile or default_profile()
    new_doc = _wrap(data_key, new, profile)
    _atomic_write(path, json.dumps(new_doc, indent=2).encode("utf-8") + b"\n")


def unwrap_data_key(keys_dir: Path, passphrase: str) -> bytes:
    """The raw 32-byte data key (for key splitting only; never store or print it).
    :class:`WrongPassphrase` if the passphrase does not fit."""
    keys_dir = Path(keys_dir)
    path = keys_dir / KEYRING_FILE
    data_key = _unwrap(_read_json(path, "key file"), passphrase, path)
    _read_signing_key(keys_dir, data_key)
    return data_key


def keys_from_data_key(keys_dir: Path, data_key: bytes) -> UnlockedKeys:
    """Unlock with a recovered *data_key* instead of a passphrase. It must be this
    case's key (it must open ``audit_signing.json``), else :class:`WrongPassphrase`."""
    keys_dir = Path(keys_dir)
    if len(data_key) != 32:
        raise WrongPassphrase("the recovered key is not this case's data key")
    try:
        return UnlockedKeys(data_key, _read_signing_key(keys_dir, data_key))
    except InputError:
        if not (keys_dir / AUDIT_SIGNING_FILE).exists():
            raise
        raise WrongPassphrase(
            "the recovered key is not this case's data key (shares of another case?)"
        ) from None


def rewrap_with_data_key(
    keys_dir: Path, data_key: bytes, new_passphrase: str, *, profile: str | None = None
) -> UnlockedKeys:
    """Wrap a recovered *data_key* under *new_passphrase* (key recovery), atomically.

    The key must be this case's: it has to open ``audit_signing.json`` (whose AAD binds
    the public key fingerprint), otherwise :class:`WrongPassphrase` and nothing changes."""
    _check_passphrase(new_passphrase, "new passphrase")
    keys = keys_from_data_key(keys_dir, data_key)
    doc = _wrap(data_key, new_passphrase, profile or default_profile())
    _atomic_write(Path(keys_dir) / KEYRING_FILE, json.dumps(doc, indent=2).encode("utf-8") + b"\n")
    return keys


def backup_key_from_keyring(doc: dict[str, Any], passphrase: str, where: str) -> tuple[bytes, str]:
    """``(backup_key, key_id)`` from a keyring document (one carried in a backup
    archive) and its passphrase. :class:`WrongPassphrase` if it does not fit."""
    data_key = _unwrap(doc, passphrase, Path(where))
    return _hkdf(data_key, LABEL_BACKUP), _hkdf(data_key, LABEL_KEY_ID, length=8).hex()
