"""Case keys: passphrase wrapping, field encryption, blind indexes, the audit key."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.errors import Conflict, DalilError, InputError, WrongPassphrase
from dalil.vault import keys as K
from dalil.vault.keys import (
    FieldDecryptError,
    UnlockedKeys,
    change_passphrase,
    create_keyring,
    key_fingerprint,
    load_audit_public_key,
    normalise_for_index,
    unlock,
)

from .conftest import PASSPHRASE

# A fixed, cheap keyring for Hypothesis examples (function fixtures do not mix with @given).
_SHARED = UnlockedKeys(b"\x11" * 32, K.Ed25519PrivateKey.from_private_bytes(b"\x22" * 32))


def _keyring(keys_dir: Path) -> dict:
    return json.loads((keys_dir / K.KEYRING_FILE).read_text())


def _write(keys_dir: Path, doc: dict) -> None:
    (keys_dir / K.KEYRING_FILE).write_text(json.dumps(doc))


def test_unlock_returns_the_same_keys_as_create(keys_dir: Path, keys: UnlockedKeys) -> None:
    again = unlock(keys_dir, PASSPHRASE)
    assert again.blob_key == keys.blob_key
    assert again.token_key == keys.token_key
    assert again.key_id == keys.key_id
    assert again.audit_key_fingerprint == keys.audit_key_fingerprint
    token = keys.encrypt_field("Fictional Witness", "person.legal_name")
    assert again.decrypt_field(token, "person.legal_name") == "Fictional Witness"


def test_two_cases_have_independent_keys(tmp_path: Path) -> None:
    a = create_keyring(tmp_path / "a", PASSPHRASE)
    b = create_keyring(tmp_path / "b", PASSPHRASE)
    assert a.blob_key != b.blob_key
    assert a.audit_key_fingerprint != b.audit_key_fingerprint
    with pytest.raises(FieldDecryptError):
        b.decrypt_field(a.encrypt_field("x", "person.contact"), "person.contact")


def test_wrong_passphrase_is_refused_with_one_generic_message(
    keys_dir: Path, keys: UnlockedKeys
) -> None:
    with pytest.raises(WrongPassphrase) as exc:
        unlock(keys_dir, PASSPHRASE + "x")
    assert str(exc.value) == "wrong passphrase for this case"
    assert exc.value.__cause__ is None and exc.value.__suppress_context__


def test_empty_passphrase_is_refused_at_creation(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        create_keyring(tmp_path / "k", "")


def test_create_refuses_to_overwrite_an_existing_keyring(
    keys_dir: Path, keys: UnlockedKeys
) -> None:
    before = (keys_dir / K.KEYRING_FILE).read_bytes()
    with pytest.raises(Conflict):
        create_keyring(keys_dir, "another passphrase")
    assert (keys_dir / K.KEYRING_FILE).read_bytes() == before
    assert unlock(keys_dir, PASSPHRASE).key_id == keys.key_id


def test_key_files_are_private_and_public_key_is_readable(
    keys_dir: Path, keys: UnlockedKeys
) -> None:
    for name in (K.KEYRING_FILE, K.AUDIT_SIGNING_FILE):
        assert stat.S_IMODE(os.stat(keys_dir / name).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(keys_dir).st_mode) == 0o700
    pub = load_audit_public_key(keys_dir / K.AUDIT_PUBLIC_FILE)
    assert key_fingerprint(pub) == keys.audit_key_fingerprint
    assert not list(keys_dir.glob(".*tmp")), "no temp file left behind"


def test_key_file_holds_no_key_or_passphrase_in_clear(keys_dir: Path, keys: UnlockedKeys) -> None:
    blob = b"".join(p.read_bytes() for p in keys_dir.iterdir())
    assert PASSPHRASE.encode() not in blob
    assert keys.blob_key not in blob and keys.blob_key.hex().encode() not in blob


def test_default_kdf_profile_is_the_strong_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DALIL_KDF_PROFILE")
    assert K.default_profile() == "strong"
    strong = K.PROFILES["strong"]
    assert strong.memory_cost >= 64 * 1024 and strong.time_cost >= 3
    create_keyring(tmp_path / "k", PASSPHRASE)
    kdf = _keyring(tmp_path / "k")["kdf"]
    assert kdf["algorithm"] == "argon2id"
    assert (kdf["time_cost"], kdf["memory_cost_kib"], kdf["parallelism"]) == (
        strong.time_cost,
        strong.memory_cost,
        strong.parallelism,
    )
    assert len(K._b64d(kdf["salt"], "salt", Path("x"))) >= 16


def test_unknown_kdf_profile_is_an_input_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DALIL_KDF_PROFILE", "fast")
    with pytest.raises(InputError, match="DALIL_KDF_PROFILE"):
        create_keyring(tmp_path / "k", PASSPHRASE)


def test_unlock_uses_the_parameters_stored_at_creation(
    monkeypatch: pytest.MonkeyPatch, keys_dir: Path, keys: UnlockedKeys
) -> None:
    monkeypatch.delenv("DALIL_KDF_PROFILE")  # the profile now would be 'strong'
    assert unlock(keys_dir, PASSPHRASE).key_id == keys.key_id


def test_change_passphrase_rewraps_and_old_passphrase_stops_working(
    keys_dir: Path, keys: UnlockedKeys
) -> None:
    token = keys.encrypt_field("Fictional Name", "person.legal_name")
    salt_before = _keyring(keys_dir)["kdf"]["salt"]
    signing_before = (keys_dir / K.AUDIT_SIGNING_FILE).read_bytes()
    change_passphrase(keys_dir, PASSPHRASE, "a new fictional passphrase")
    with pytest.raises(WrongPassphrase):
        unlock(keys_dir, PASSPHRASE)
    again = unlock(keys_dir, "a new fictional passphrase")
    assert again.decrypt_field(token, "person.legal_name") == "Fictional Name"
    assert again.blob_key == keys.blob_key
    assert _keyring(keys_dir)["kdf"]["salt"] != salt_before
    assert (keys_dir / K.AUDIT_SIGNING_FILE).read_bytes() == signing_before


def test_change_passphrase_with_wrong_old_passphrase_changes_nothing(
    keys_dir: Path, keys: UnlockedKeys
) -> None:
    before = (keys_dir / K.KEYRING_FILE).read_bytes()
    with pytest.raises(WrongPassphrase):
        change_passphrase(keys_dir, "not it", "new one")
    assert (keys_dir / K.KEYRING_FILE).read_bytes() == before


@pytest.mark.parametrize(
    "field",
    ["ciphertext", "nonce", "salt", "time_cost", "memory_cost_kib"],
)
def test_tampered_key_file_does_not_unlock(keys_dir: Path, keys: UnlockedKeys, field: str) -> None:
    doc = _keyring(keys_dir)
    if field in ("ciphertext", "nonce"):
        raw = bytearray(K._b64d(doc["wrap"][field], field, keys_dir))
        raw[0] ^= 1
        doc["wrap"][field] = K._b64e(bytes(raw))
    elif field == "salt":
        raw = bytearray(K._b64d(doc["kdf"]["salt"], field, keys_dir))
        raw[-1] ^= 0x80
        doc["kdf"]["salt"] = K._b64e(bytes(raw))
    else:
        doc["kdf"][field] += 1  # parameters are authenticated as associated data
    _write(keys_dir, doc)
    with pytest.raises(WrongPassphrase):
        unlock(keys_dir, PASSPHRASE)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: "not json at all", "not valid JSON"),
        (lambda d: [1, 2], "not a JSON object"),
        (lambda d: {**d, "format": "other"}, "not a dalil keyring"),
        (lambda d: {**d, "version": 99}, "unsupported version"),
        (lambda d: {**d, "kdf": {**d["kdf"], "memory_cost_kib": 1 << 40}}, "out of range"),
        (lambda d: {**d, "kdf": {**d["kdf"], "time_cost": 10_000}}, "out of range"),
        (lambda d: {**d, "kdf": {**d["kdf"], "salt": "***"}}, "base64"),
        (lambda d: {**d, "wrap": {**d["wrap"], "ciphertext": "AAAA"}}, "bad length"),
        (lambda d: {k: v for k, v in d.items() if k != "wrap"}, "missing"),
    ],
)
def test_damaged_key_file_is_an_input_error_naming_the_file(
    keys_dir: Path, keys: UnlockedKeys, mutate, message: str
) -> None:
    doc = mutate(_keyring(keys_dir))
    (keys_dir / K.KEYRING_FILE).write_text(doc if isinstance(doc, str) else json.dumps(doc))
    with pytest.raises(InputError, match=message) as exc:
        unlock(keys_dir, PASSPHRASE)
    assert str(keys_dir / K.KEYRING_FILE) in str(exc.value)
    assert PASSPHRASE not in str(exc.value)


def test_missing_key_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        unlock(tmp_path / "nowhere", PASSPHRASE)


def test_replaced_audit_public_key_is_detected_on_unlock(
    tmp_path: Path, keys_dir: Path, keys: UnlockedKeys
) -> None:
    other = create_keyring(tmp_path / "other", PASSPHRASE)
    (keys_dir / K.AUDIT_PUBLIC_FILE).write_bytes(
        (tmp_path / "other" / K.AUDIT_PUBLIC_FILE).read_bytes()
    )
    assert other.audit_key_fingerprint != keys.audit_key_fingerprint
    with pytest.raises(InputError, match="does not match"):
        unlock(keys_dir, PASSPHRASE)


def test_audit_signing_key_swapped_from_another_case_is_refused(
    tmp_path: Path, keys_dir: Path, keys: UnlockedKeys
) -> None:
    create_keyring(tmp_path / "other", PASSPHRASE)
    for name in (K.AUDIT_SIGNING_FILE, K.AUDIT_PUBLIC_FILE):
        (keys_dir / name).write_bytes((tmp_path / "other" / name).read_bytes())
    with pytest.raises(InputError, match="signing key"):
        unlock(keys_dir, PASSPHRASE)


def test_unlocked_keys_never_print_key_bytes(keys: UnlockedKeys) -> None:
    text = repr(keys) + str(keys)
    for secret in (keys.blob_key, keys.token_key):
        assert secret.hex() not in text and repr(secret) not in text
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(keys)


@settings(max_examples=150, deadline=None)
@given(
    value=st.text(),
    context=st.sampled_from(["person.legal_name", "person.contact", "person.notes"]),
)
def test_field_encryption_round_trips_any_text(value: str, context: str) -> None:
    token = _SHARED.encrypt_field(value, context)
    assert token.startswith("df1:") and token.isascii()
    assert _SHARED.decrypt_field(token, context) == value


@pytest.mark.parametrize(
    "value",
    ["سلمى يوسف الخيالية", "محمد بن علي (fictional)", "  spaced\u00a0name ", "", "x" * 10_000],
)
def test_field_encryption_round_trips_arabic_and_edge_cases(keys: UnlockedKeys, value: str) -> None:
    token = keys.encrypt_field(value, "person.legal_name")
    assert value == "" or value not in token
    assert keys.decrypt_field(token, "person.legal_name") == value


def test_same_value_encrypts_differently_each_time(keys: UnlockedKeys) -> None:
    a = keys.encrypt_field("Fictional Name", "person.legal_name")
    b = keys.encrypt_field("Fictional Name", "person.legal_name")
    assert a != b


def test_legal_name_ciphertext_moved_into_contact_field_fails(keys: UnlockedKeys) -> None:
    token = keys.encrypt_field("Fictional Name", "person.legal_name")
    with pytest.raises(FieldDecryptError) as exc:
        keys.decrypt_field(token, "person.contact")
    assert "Fictional" not in str(exc.value)
    assert "person.contact" in str(exc.value)


@settings(max_examples=60, deadline=None)
@given(pos=st.integers(min_value=0, max_value=10_000), bit=st.integers(min_value=0, max_value=5))
def test_field_ciphertext_bit_flip_is_rejected(pos: int, bit: int) -> None:
    token = _SHARED.encrypt_field("Fictional Name", "person.legal_name")
    body = list(token)
    i = 4 + pos % (len(token) - 4)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    body[i] = alphabet[(alphabet.index(body[i]) ^ (1 << bit)) % 64]
    tampered = "".join(body)
    if tampered == token:
        return
    try:
        out = _SHARED.decrypt_field(tampered, "person.legal_name")
    except FieldDecryptError:
        return
    # The last base64 character can carry padding bits that do not change the bytes.
    assert out == "Fictional Name"
    assert i == len(token) - 1


@pytest.mark.parametrize(
    "token", ["", "df1:", "df1:!!!!", "xx1:AAAA", "df1:" + "A" * 20, "plain text"]
)
def test_malformed_field_tokens_are_rejected(keys: UnlockedKeys, token: str) -> None:
    with pytest.raises(FieldDecryptError):
        keys.decrypt_field(token, "person.legal_name")


def test_field_encryption_needs_a_context(keys: UnlockedKeys) -> None:
    with pytest.raises(InputError):
        keys.encrypt_field("x", "")


def test_blind_index_matches_after_normalisation(keys: UnlockedKeys) -> None:
    a = keys.blind_index("  Fictional\t  NAME ", "person.legal_name")
    b = keys.blind_index("fictional name", "person.legal_name")
    c = keys.blind_index("ｆｉｃｔｉｏｎａｌ name", "person.legal_name")  # full-width (NFKC)
    assert a == b == c
    assert len(a) == 64 and int(a, 16) >= 0
    assert keys.blind_index("fictional names", "person.legal_name") != a


def test_blind_index_differs_between_fields_and_cases(tmp_path: Path, keys: UnlockedKeys) -> None:
    other = create_keyring(tmp_path / "o", PASSPHRASE)
    a = keys.blind_index("محمد", "person.legal_name")
    assert a != keys.blind_index("محمد", "person.aliases")
    assert a != other.blind_index("محمد", "person.legal_name")
    import hashlib

    assert a != hashlib.sha256(normalise_for_index("محمد").encode()).hexdigest()


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_normalisation_is_idempotent(value: str) -> None:
    once = normalise_for_index(value)
    assert normalise_for_index(once) == once
    assert _SHARED.blind_index(value, "c") == _SHARED.blind_index(once, "c")


def test_errors_are_dalil_errors(keys_dir: Path, keys: UnlockedKeys) -> None:
    with pytest.raises(DalilError):
        unlock(keys_dir, "nope")


def test_interrupted_creation_can_be_retried(keys_dir: Path, keys: UnlockedKeys) -> None:
    (keys_dir / K.KEYRING_FILE).unlink()  # as if killed after writing the signing key
    again = create_keyring(keys_dir, PASSPHRASE)
    assert again.key_id != keys.key_id
    assert unlock(keys_dir, PASSPHRASE).audit_key_fingerprint == again.audit_key_fingerprint
