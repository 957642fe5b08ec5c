"""Key recovery: the case data key cut into K-of-N Shamir shares written as words.

The shares are SLIP-39 mnemonics (the reference implementation, ``shamir-mnemonic``):
each share is 33 words from a 1,024-word list and ends with a Reed–Solomon checksum
(RS1024), so a mistyped or missing word is caught before anything is tried. Any K
shares give back the 256-bit data key; fewer than K reveal nothing about it (Shamir's
scheme over GF(256) is information-theoretically hiding). Shares of one split carry the
same random identifier, so shares of two splits (or two cases) are not mixed by mistake.

Pure functions: bytes in, words out. The service (:mod:`dalil.services.keys`) checks
permissions, writes the audit entries and re-wraps the recovered key.
"""

from __future__ import annotations

from collections.abc import Iterable

from dalil.errors import InputError

#: Most shares in one split (SLIP-39 allows 16 members per group).
MAX_SHARES = 16


def split_secret(secret: bytes, shares: int, threshold: int) -> list[str]:
    """Split *secret* (16–32 bytes) into *shares* mnemonics, any *threshold* of which
    recover it."""
    import shamir_mnemonic

    if not 2 <= threshold <= shares <= MAX_SHARES:
        if threshold < 2:
            raise InputError(
                "--threshold must be at least 2 (with 1, every share would be the key itself)"
            )
        raise InputError(
            f"need 2 <= threshold <= shares <= {MAX_SHARES} (got {threshold} of {shares})"
        )
    groups = shamir_mnemonic.generate_mnemonics(1, [(threshold, shares)], secret)
    return list(groups[0])


def normalise_share(text: str) -> str:
    """A share from a file or a prompt: ``#`` comment lines dropped, words lower-cased
    and joined by single spaces."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    return " ".join(" ".join(lines).lower().split())


def check_share(share: str, where: str = "share") -> None:
    """Raise :class:`InputError` naming *where* if *share* is not a well-formed mnemonic
    (unknown word, wrong length, or checksum mismatch: a typo)."""
    from shamir_mnemonic import MnemonicError
    from shamir_mnemonic.share import Share

    try:
        Share.from_mnemonic(share)
    except MnemonicError as e:
        msg = str(e).lower()
        if "checksum" in msg:
            why = "its checksum does not match (a mistyped or swapped word?)"
        elif "word" in msg and "invalid" in msg:
            why = "it holds a word that is not in the share word list (a typo?)"
        elif "length" in msg:
            why = "it has the wrong number of words (a word missing or added?)"
        else:
            why = "it is not a valid recovery share"
        raise InputError(f"{where}: {why}") from None


def combine_shares(shares: Iterable[tuple[str, str]]) -> bytes:
    """Recover the secret from ``(where, share)`` pairs. Each share is checked first, so
    a typo is reported against its file; then too few shares, or shares of different
    splits, give a clear :class:`InputError`."""
    import shamir_mnemonic
    from shamir_mnemonic import MnemonicError
    from shamir_mnemonic.share import Share

    items = list(shares)
    if not items:
        raise InputError("no recovery share given")
    parsed = []
    for where, share in items:
        check_share(share, where)
        parsed.append(Share.from_mnemonic(share))
    ids = {p.identifier for p in parsed}
    if len(ids) > 1:
        raise InputError("the shares come from different splits; use shares of one split")
    needed = parsed[0].member_threshold
    distinct = {p.index for p in parsed}
    if len(distinct) < needed:
        dup = " (the same share was given twice)" if len(distinct) < len(parsed) else ""
        raise InputError(
            f"{needed} different shares are needed to recover the key; "
            f"{len(distinct)} given{dup}. Fewer than {needed} reveal nothing about the key."
        )
    try:
        return bytes(shamir_mnemonic.combine_mnemonics([s for _, s in items]))
    except MnemonicError as e:
        # e.g. shares from different splits that happen to share an identifier
        raise InputError(f"the shares do not fit together ({type(e).__name__})") from None
