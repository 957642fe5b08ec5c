"""Trusted timestamps (RFC 3161) over the audit log's signed head.

``request(case, user, tsa_url, ca_pem)`` appends an ``audit.timestamp`` entry naming the
evidence added since the previous request, signs the head (that entry) and queues a
timestamp request for it, all in one transaction; then every queued request is sent to
its TSA (``send_queued``). A TSA that cannot be reached leaves the request queued for the
next run: dalil works offline. A token is kept only when it verifies against the TSA
certificate chain given with the request (kept with it); ``check(case)`` verifies every
kept token again, and that its head is the log's (``dalil audit verify`` calls it).
The encoding is in docs/crypto.md §7.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from sqlalchemy import select

from dalil.core import access, audit
from dalil.core.access import Actor
from dalil.core.audit import AuditCheckpoint, AuditEntry, AuditTimestamp
from dalil.core.context import oid
from dalil.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dalil.core.case import Case

#: Environment variables giving the default TSA (the configured default).
ENV_URL = "DALIL_TSA_URL"
ENV_CA = "DALIL_TSA_CA"
#: Seconds to wait for a TSA.
TIMEOUT = 30.0
MAX_RESPONSE = 1 << 20


@dataclass
class Outcome:
    seq: int
    status: str  # "stamped" | "queued"
    tsa: str
    gen_time: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "status": self.status,
            "tsa": self.tsa,
            "gen_time": self.gen_time,
            "error": self.error,
        }


def _check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"tsa must be an http:// or https:// URL, not {url!r}", field="tsa")
    return url


def load_ca(pem: bytes, where: str) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError:
        certs = []
    if not certs:
        raise InputError(f"{where}: no PEM certificate in it (the TSA's CA certificate)")
    return certs


def _split(certs: list[x509.Certificate]) -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    roots = [c for c in certs if c.subject == c.issuer]
    return roots or certs[:1], [c for c in certs if c not in (roots or certs[:1])]


def token_problem(row: AuditTimestamp) -> str | None:
    """None if *row*'s response is a granted token over its message that verifies against
    the kept TSA chain; else why not."""
    from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

    if row.response is None:
        return "no token yet (queued)"
    try:
        resp = decode_timestamp_response(row.response)
        roots, inter = _split(load_ca(row.tsa_ca_pem.encode("ascii"), "kept TSA chain"))
        b = VerifierBuilder()
        for c in roots:
            b = b.add_root_certificate(c)
        for c in inter:
            b = b.add_intermediate_certificate(c)
        b.build().verify_message(resp, row.message())
    except VerificationError as e:
        msg = str(e)
        if "Mismatch between messages" in msg:
            return "the token dates another head (message imprint differs)"
        return "the token does not verify against the TSA certificate kept with it"
    except (ValueError, InputError):
        return "the token is unreadable"
    return None


def _post(url: str, body: bytes) -> bytes:
    req = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/timestamp-query"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
        data: bytes = r.read(MAX_RESPONSE + 1)
    if len(data) > MAX_RESPONSE:
        raise ValueError("the TSA's answer is too large")
    return data


def _evidence_since(session: Session, after_seq: int) -> list[str]:
    shas: list[str] = []
    for e in session.scalars(
        select(AuditEntry)
        .where(AuditEntry.seq > after_seq, AuditEntry.action == "evidence.add")
        .order_by(AuditEntry.seq)
    ):
        for o in json.loads(e.object_ids):
            kind, _, ref = str(o).partition(":")
            if kind == "evidence" and ref not in shas:
                shas.append(ref)
    return shas


def request(
    case: Case,
    user: str | Actor | None,
    tsa_url: str | None = None,
    ca_pem: str | os.PathLike[str] | None = None,
) -> list[Outcome]:
    """Queue a timestamp of the current head (with the evidence added since the previous
    request), then send every queued request. Returns one outcome per request sent."""
    url = _check_url(tsa_url or os.environ.get(ENV_URL, ""))
    ca_path = ca_pem or os.environ.get(ENV_CA)
    if not ca_path:
        raise InputError(
            "the TSA's CA certificate (PEM) is needed, kept with each token to verify it",
            field="tsa_ca",
        )
    try:
        ca_bytes = Path(ca_path).read_bytes()
    except OSError as e:
        raise InputError(
            f"cannot read the TSA certificate {ca_path}: {e.strerror or e}", field="tsa_ca"
        ) from None
    load_ca(ca_bytes, str(ca_path))
    with case.act(user) as ctx:
        ctx.require(access.FIXITY_RUN, "timestamp the audit log")
        last = ctx.session.scalars(
            select(AuditTimestamp).order_by(AuditTimestamp.seq.desc()).limit(1)
        ).first()
        since = int(last.seq) if last is not None else 0
        shas = _evidence_since(ctx.session, since)
        ctx.audit(
            "audit.timestamp",
            [oid("case", "self")],
            detail={"tsa": url, "since_seq": since, "evidence": shas},
        )
        cp = audit.checkpoint(ctx.session, case.keys.audit_signing_key)
        ctx.session.add(
            AuditTimestamp(
                seq=cp.seq,
                head_hash=cp.head_hash,
                ts=cp.ts,
                key_fingerprint=cp.key_fingerprint,
                signature=cp.signature,
                evidence=json.dumps(shas),
                tsa_url=url,
                tsa_ca_pem=ca_bytes.decode("ascii", errors="replace"),
                requested=cp.ts,
            )
        )
    return send_queued(case)


def send_queued(case: Case) -> list[Outcome]:
    """Send every queued request to its TSA; keep each token that verifies."""
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder, decode_timestamp_response

    with case.system_session(write=False) as s:
        ids = list(
            s.scalars(
                select(AuditTimestamp.id)
                .where(AuditTimestamp.response.is_(None))
                .order_by(AuditTimestamp.id)
            )
        )
    out: list[Outcome] = []
    for tid in ids:
        with case.system_session(write=False) as s:
            row = s.get(AuditTimestamp, tid)
            assert row is not None
            seq, url, message = int(row.seq), row.tsa_url, row.message()
        error: str | None = None
        response: bytes | None = None
        gen_time: str | None = None
        try:
            tsq = (
                TimestampRequestBuilder()
                .data(message)
                .hash_algorithm(HashAlgorithm.SHA256)
                .cert_request(cert_request=True)
                .nonce(nonce=True)
                .build()
            )
            raw = _post(url, tsq.as_bytes())
        except (urllib.error.URLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", None) or e
            error = f"TSA unreachable ({type(e).__name__}: {str(reason)[:200]})"
        else:
            try:
                resp = decode_timestamp_response(raw)
            except ValueError:
                error = "the TSA's answer is not an RFC 3161 response"
            else:
                if resp.status not in (0, 1):
                    error = f"the TSA refused the request (status {resp.status})"
                elif resp.tst_info.nonce != tsq.nonce:
                    error = "the TSA's answer is for another request (nonce differs)"
                else:
                    response, gen_time = raw, resp.tst_info.gen_time.isoformat()
        with case.system_session() as s:
            row = s.get(AuditTimestamp, tid)
            assert row is not None
            if response is not None:
                row.response = response
                why = token_problem(row)
                if why is not None:
                    row.response = None
                    error = f"the TSA's token was not kept: {why}"
                else:
                    row.gen_time = gen_time
                    row.last_error = None
                    _attach_to_checkpoint(s, row)
            if error is not None:
                row.last_error = error[:500]
        out.append(
            Outcome(
                seq=seq,
                status="queued" if error else "stamped",
                tsa=url,
                gen_time=None if error else gen_time,
                error=error,
            )
        )
    return out


def _attach_to_checkpoint(s: Session, row: AuditTimestamp) -> None:
    """Store the token in the checkpoint it dates (``audit_checkpoint.tsa_token``); put the
    checkpoint back if it was superseded meanwhile (its signature is still valid)."""
    from rfc3161_client import decode_timestamp_response

    assert row.response is not None
    token = decode_timestamp_response(row.response).time_stamp_token()
    cp = s.scalars(
        select(AuditCheckpoint).where(
            AuditCheckpoint.seq == row.seq,
            AuditCheckpoint.head_hash == row.head_hash,
            AuditCheckpoint.ts == row.ts,
            AuditCheckpoint.signature == row.signature,
        )
    ).first()
    if cp is None:
        cp = AuditCheckpoint(
            seq=row.seq,
            head_hash=row.head_hash,
            ts=row.ts,
            key_fingerprint=row.key_fingerprint,
            signature=row.signature,
        )
        s.add(cp)
    cp.tsa_token = token


@dataclass
class CheckResult:
    stamped: int
    queued: int
    problems: list[tuple[int, str]]


def check(case: Case, public_key: Any) -> CheckResult:
    """Verify every kept token: against its kept TSA chain, over its checkpoint message,
    signed by *public_key*, and naming a head that is the log's entry at its sequence."""
    problems: list[tuple[int, str]] = []
    stamped = queued = 0
    with case.system_session(write=False) as s:
        for row in s.scalars(select(AuditTimestamp).order_by(AuditTimestamp.seq)):
            seq = int(row.seq)
            if row.response is None:
                queued += 1
                continue
            stamped += 1
            why = token_problem(row)
            if why is None:
                try:
                    public_key.verify(base64.b64decode(row.signature, validate=True), row.message())
                except (InvalidSignature, binascii.Error, ValueError):
                    why = "the head it dates is not signed by the case key"
            if why is None:
                stored = s.scalar(select(AuditEntry.entry_hash).where(AuditEntry.seq == seq))
                if stored is None:
                    why = f"the log has no entry {seq} (cut after it was timestamped)"
                elif stored != row.head_hash:
                    why = f"entry {seq} differs from the head the TSA dated (log rewritten)"
            if why is not None:
                problems.append((seq, f"timestamp of entry {seq} ({row.gen_time}): {why}"))
    return CheckResult(stamped=stamped, queued=queued, problems=problems)


def pem_blocks(pem: str) -> list[str]:
    end = "-----END CERTIFICATE-----"
    return [b.strip() + "\n" + end + "\n" for b in pem.split(end) if "BEGIN CERTIFICATE" in b]


def tokens(case: Case, upto: int | None = None) -> list[dict[str, Any]]:
    """Every kept token (up to entry *upto*) in the custody-manifest form (docs/crypto.md §6)."""
    from rfc3161_client import decode_timestamp_response

    out: list[dict[str, Any]] = []
    with case.system_session(write=False) as s:
        stmt = select(AuditTimestamp).where(AuditTimestamp.response.is_not(None))
        if upto is not None:
            stmt = stmt.where(AuditTimestamp.seq <= upto)
        for row in s.scalars(stmt.order_by(AuditTimestamp.seq, AuditTimestamp.id)):
            assert row.response is not None
            token = decode_timestamp_response(row.response).time_stamp_token()
            out.append(
                {
                    "seq": int(row.seq),
                    "head_hash": row.head_hash,
                    "ts": row.ts,
                    "key_fingerprint": row.key_fingerprint,
                    "signature": row.signature,
                    "evidence": json.loads(row.evidence),
                    "tsa": row.tsa_url,
                    "gen_time": row.gen_time,
                    "token": base64.b64encode(token).decode("ascii"),
                    "tsa_certificates": pem_blocks(row.tsa_ca_pem),
                }
            )
    return out
