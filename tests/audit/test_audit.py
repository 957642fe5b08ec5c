"""Audit log: appends, checkpoints, verification, and every kind of tampering."""

from __future__ import annotations

import base64
import itertools
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from dalil.core import audit
from dalil.core.audit import GENESIS_HASH, AuditCheckpoint, AuditEntry, AuditObject
from dalil.errors import InputError

from .conftest import TABLES, Db, sqlite_engine


def build(
    db: Db, key: Ed25519PrivateKey, n: int = 10, checkpoints: tuple[int, ...] = (3, 8, 10)
) -> None:
    """n entries, with a checkpoint right after each entry in *checkpoints*."""
    with db.session() as s:
        for i in range(1, n + 1):
            audit.append(
                s,
                actor=("admin", "investigator-a")[i % 2],
                action=("person.add", "evidence.get", "person.reveal")[i % 3],
                object_ids=[f"person:{i}", f"evidence:{i * 7}"],
                change={"pseudonym": f"W-{i}", "legal_name": f"df1:fictional-ciphertext-{i}"},
                detail={"reason": f"fictional reason {i}"} if i % 3 == 2 else None,
            )
            if i in checkpoints:
                audit.checkpoint(s, key, keep_every=1)
        s.commit()


def check(db: Db, key: Ed25519PrivateKey) -> audit.VerifyResult:
    with db.engine.connect() as conn:
        return audit.verify(conn, key.public_key())


def assert_bad(result: audit.VerifyResult, seq: int, *words: str) -> None:
    assert not result.ok
    assert result.first_bad_seq == seq, result.reason
    assert result.reason is not None
    for w in words:
        assert w in result.reason, result.reason


def rows(db: Db) -> list[tuple]:
    with db.engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT seq, ts, actor, action, object_ids, digest, detail, prev_hash, "
                    "entry_hash FROM audit_log ORDER BY seq"
                )
            )
        )


# ------------------------------------------------------------------ the good path


def test_untouched_log_verifies(db: Db, signing_key: Ed25519PrivateKey) -> None:
    build(db, signing_key)
    r = check(db, signing_key)
    assert r.ok and r.reason is None and r.first_bad_seq is None
    assert (r.entries, r.checkpoints, r.head_seq, r.sealed_seq) == (10, 3, 10, 10)
    assert r.head_hash == rows(db)[-1][8]


def test_empty_log_verifies(db: Db, signing_key: Ed25519PrivateKey) -> None:
    r = check(db, signing_key)
    assert r.ok and r.entries == 0 and r.head_hash == GENESIS_HASH
    with db.session() as s:
        cp = audit.checkpoint(s, signing_key)
        s.commit()
    assert cp.seq == 0 and cp.head_hash == GENESIS_HASH
    assert check(db, signing_key).ok


def test_entries_are_numbered_and_chained(db: Db, signing_key: Ed25519PrivateKey) -> None:
    build(db, signing_key, n=6, checkpoints=())
    got = rows(db)
    assert [r[0] for r in got] == [1, 2, 3, 4, 5, 6]
    assert got[0][7] == GENESIS_HASH
    for before, after in itertools.pairwise(got):
        assert after[7] == before[8]
    for r in got:
        assert audit.entry_hash(*r[:8]) == r[8]


def test_entries_appended_together_chain_as_if_appended_one_by_one(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    with db.session() as s:
        audit.append(s, actor="admin", action="case.init")
        made = audit.append_many(
            s,
            actor="coordinator",
            entries=[
                ("person.add", [f"person:{i}", "list:1", "list:1"], {"pseudonym": f"V-{i}"}, None)
                for i in range(1, 5)
            ],
        )
        audit.append(s, actor="admin", action="person.reveal", object_ids=["person:2"])
        s.commit()
    assert [e.seq for e in made] == [2, 3, 4, 5]
    got = rows(db)
    assert [r[0] for r in got] == [1, 2, 3, 4, 5, 6] and got[0][7] == GENESIS_HASH
    for before, after in itertools.pairwise(got):
        assert after[7] == before[8]
    for r in got:
        assert audit.entry_hash(*r[:8]) == r[8]
    assert [r[3] for r in got] == ["case.init", *["person.add"] * 4, "person.reveal"]
    with db.session() as s:
        indexed = sorted(s.execute(select(AuditObject.object_id, AuditObject.seq)).all())
        cp = audit.checkpoint(s, signing_key)
        s.commit()
    # each entry's ids indexed once (a repeated id too)
    assert [(o, q) for o, q in indexed if o == "list:1"] == [("list:1", q) for q in (2, 3, 4, 5)]
    assert ("person:3", 4) in indexed and ("person:2", 6) in indexed
    assert cp.seq == 6
    r = check(db, signing_key)
    assert r.ok and r.entries == 6, r.reason


def test_a_bad_entry_among_many_appends_none(db: Db, signing_key: Ed25519PrivateKey) -> None:
    with db.session() as s:
        audit.append(s, actor="admin", action="case.init")
        with pytest.raises(InputError):
            audit.append_many(
                s,
                actor="admin",
                entries=[
                    ("person.add", ["person:1"], {"pseudonym": "V-1"}, None),
                    ("person.add", ["person:2"], {"x": float("nan")}, None),
                ],
            )
        s.commit()
    assert [r[3] for r in rows(db)] == ["case.init"]
    with db.session() as s:
        assert audit.append_many(s, actor="admin", entries=[]) == []


def test_change_is_stored_only_as_a_digest(db: Db, signing_key: Ed25519PrivateKey) -> None:
    with db.session() as s:
        e = audit.append(
            s,
            actor="admin",
            action="person.update",
            object_ids=["person:1"],
            change={"legal_name": "df1:opaque", "note": "FICTIONAL-SECRET-PHRASE"},
        )
        s.commit()
    assert (
        e.digest
        == audit.hashlib.sha256(
            audit.canonical_json(
                {"legal_name": "df1:opaque", "note": "FICTIONAL-SECRET-PHRASE"}
            ).encode()
        ).hexdigest()
    )
    assert all("FICTIONAL-SECRET-PHRASE" not in str(v) for v in rows(db)[0])


def test_entry_and_record_commit_together_or_not_at_all(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    with db.session() as s:
        audit.append(s, actor="admin", action="person.add", object_ids=["person:1"])
        s.rollback()
    assert rows(db) == []
    with db.session() as s:
        audit.append(s, actor="admin", action="person.add", object_ids=["person:1"])
        s.commit()
    assert [r[0] for r in rows(db)] == [1]


def test_checkpoint_is_not_repeated_when_the_head_has_not_moved(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    build(db, signing_key, n=2, checkpoints=(2,))
    with db.session() as s:
        again = audit.checkpoint(s, signing_key)
        s.commit()
        assert again.seq == 2
        assert len(s.execute(select(AuditCheckpoint)).scalars().all()) == 1


def test_detail_and_arabic_text_round_trip(db: Db, signing_key: Ed25519PrivateKey) -> None:
    with db.session() as s:
        audit.append(
            s,
            actor="محقق-١",
            action="person.reveal",
            object_ids=["person:3"],
            detail={"reason": "مراجعة قانونية (fictional)"},
        )
        s.commit()
        [e] = audit.query(s, actor="محقق-١")
        assert e.to_dict()["detail"] == {"reason": "مراجعة قانونية (fictional)"}
    assert check(db, signing_key).ok


@pytest.mark.parametrize(
    "kwargs",
    [
        {"actor": "", "action": "person.add"},
        {"actor": "ad\x1fmin", "action": "person.add"},
        {"actor": "admin", "action": "person.add\nforged line"},
        {"actor": "admin", "action": "person.add", "object_ids": "person:1"},
        {"actor": "admin", "action": "person.add", "object_ids": ["bad\x1fid"]},
        {"actor": "admin", "action": "person.add", "detail": {"x": object()}},
        {"actor": "admin", "action": "person.add", "change": {"x": float("nan")}},
    ],
)
def test_bad_append_arguments_are_refused(db: Db, kwargs: dict) -> None:
    with db.session() as s, pytest.raises(InputError):
        audit.append(s, **kwargs)


def test_query_filters(db: Db, signing_key: Ed25519PrivateKey) -> None:
    build(db, signing_key, n=12, checkpoints=())
    with db.session() as s:
        assert [e.seq for e in audit.query(s, object_id="person:1")] == [1]
        assert [e.seq for e in audit.query(s, object_id="person:12")] == [12]
        assert [e.seq for e in audit.query(s, actor="admin")] == [2, 4, 6, 8, 10, 12]
        assert [e.seq for e in audit.query(s, action="person.reveal")] == [2, 5, 8, 11]
        assert [e.seq for e in audit.query(s, action="person.*")] == [2, 3, 5, 6, 8, 9, 11, 12]
        assert [e.seq for e in audit.query(s, actor="admin", limit=2)] == [10, 12]
        assert audit.query(s, object_id="person:%") == []
        assert audit.query(s, object_id='"') == []


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ops=st.lists(
        st.tuples(
            st.text(
                alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12
            ).filter(str.strip),
            st.sampled_from(["person.add", "evidence.get", "export.bag", "user.login"]),
            st.lists(st.text(alphabet="abc:0123", min_size=1, max_size=6), max_size=3),
            st.dictionaries(st.text(max_size=5), st.text(max_size=20) | st.integers(), max_size=3),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_chain_invariants_hold_for_any_sequence_of_appends(tmp_path_factory, ops) -> None:
    key = Ed25519PrivateKey.generate()
    engine = sqlite_engine(tmp_path_factory.mktemp("prop") / "case.db")
    audit.Base.metadata.create_all(engine, tables=TABLES)
    db = Db(engine, "", "sqlite")
    try:
        with db.session() as s:
            for actor, action, ids, detail, cp in ops:
                audit.append(s, actor=actor, action=action, object_ids=ids, detail=detail)
                if cp:
                    audit.checkpoint(s, key, keep_every=1)
            s.commit()
        got = rows(db)
        assert [r[0] for r in got] == list(range(1, len(ops) + 1))
        prev = GENESIS_HASH
        for r in got:
            assert r[7] == prev and audit.entry_hash(*r[:8]) == r[8]
            prev = r[8]
        result = check(db, key)
        assert result.ok and result.entries == len(ops)
        assert result.sealed_seq == max((i + 1 for i, op in enumerate(ops) if op[4]), default=0)
        # Any single-field modification of any entry is caught at that entry.
        victim = len(ops) // 2 + 1
        db.sql("UPDATE audit_log SET detail = :d WHERE seq = :s", d='{"tampered":1}', s=victim)
        changed = check(db, key)
        if got[victim - 1][6] != '{"tampered":1}':
            assert not changed.ok and changed.first_bad_seq == victim
    finally:
        engine.dispose()


# ------------------------------------------------------------------ tampering


def test_modified_entry_is_named(db: Db, signing_key: Ed25519PrivateKey) -> None:
    build(db, signing_key)
    db.sql("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 5")
    assert_bad(check(db, signing_key), 5, "entry 5", "modified")


def test_modified_reveal_reason_is_named(db: Db, signing_key: Ed25519PrivateKey) -> None:
    build(db, signing_key)
    db.sql("""UPDATE audit_log SET detail = '{"reason":"routine"}' WHERE seq = 2""")
    assert_bad(check(db, signing_key), 2, "entry 2", "modified")


def test_modified_entry_with_recomputed_own_hash_breaks_the_next_link(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    build(db, signing_key, checkpoints=())
    r = rows(db)[3]  # seq 4
    new = audit.entry_hash(4, r[1], "mallory", *r[3:8])
    db.sql("UPDATE audit_log SET actor='mallory', entry_hash=:h WHERE seq=4", h=new)
    assert_bad(check(db, signing_key), 5, "entry 5", "link broken")


def test_deleted_entry_is_named(db: Db, signing_key: Ed25519PrivateKey) -> None:
    build(db, signing_key)
    db.sql("DELETE FROM audit_log WHERE seq = 6")
    assert_bad(check(db, signing_key), 6, "entry 6 is missing", "deleted")


def test_deleted_entries_renumbered_are_detected(db: Db, signing_key: Ed25519PrivateKey) -> None:
    build(db, signing_key)
    db.sql("DELETE FROM audit_log WHERE seq = 6")
    for seq in range(7, 11):
        db.sql("UPDATE audit_log SET seq = :n WHERE seq = :o", n=seq - 1, o=seq)
    assert_bad(check(db, signing_key), 6, "entry 6", "contents of entry 7")


def test_inserted_entry_is_detected(db: Db, signing_key: Ed25519PrivateKey) -> None:
    build(db, signing_key, checkpoints=())
    for seq in range(10, 5, -1):  # make room at 6
        db.sql("UPDATE audit_log SET seq = :n WHERE seq = :o", n=seq + 1, o=seq)
    prev = rows(db)[4][8]
    fields = ("2026-01-01T00:00:00.000000Z", "mallory", "person.add", "[]", "0" * 64, "{}", prev)
    h = audit.entry_hash(6, *fields)
    db.sql(
        "INSERT INTO audit_log VALUES (6, :ts, :a, :ac, :o, :d, :de, :p, :h)",
        ts=fields[0],
        a=fields[1],
        ac=fields[2],
        o=fields[3],
        d=fields[4],
        de=fields[5],
        p=prev,
        h=h,
    )
    # The forged entry 6 is self-consistent; the renumbered old entry 6, now 7, is not.
    assert_bad(check(db, signing_key), 7, "entry 7", "contents of entry 6", "inserted")


def test_inserted_entry_with_whole_chain_recomputed_is_caught_by_the_checkpoint(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    build(db, signing_key, checkpoints=(3, 8))
    old = rows(db)
    db.sql("DELETE FROM audit_log")
    forged = [
        *old[:5],
        (0, "2026-01-01T00:00:00.000000Z", "mallory", "person.add", "[]", "0" * 64, "{}", "", ""),
        *old[5:],
    ]
    prev = GENESIS_HASH
    for seq, r in enumerate(forged, start=1):
        h = audit.entry_hash(seq, *r[1:7], prev)
        db.sql(
            "INSERT INTO audit_log VALUES (:s, :ts, :a, :ac, :o, :d, :de, :p, :h)",
            s=seq,
            ts=r[1],
            a=r[2],
            ac=r[3],
            o=r[4],
            d=r[5],
            de=r[6],
            p=prev,
            h=h,
        )
        prev = h
    result = check(db, signing_key)
    assert_bad(result, 4, "checkpoint at entry 8", "entries 4-8", "rewritten")
    assert result.sealed_seq == 3


def test_reordered_entries_are_named(db: Db, signing_key: Ed25519PrivateKey) -> None:
    build(db, signing_key)
    db.sql("UPDATE audit_log SET seq = 100 WHERE seq = 4")
    db.sql("UPDATE audit_log SET seq = 4 WHERE seq = 5")
    db.sql("UPDATE audit_log SET seq = 5 WHERE seq = 100")
    assert_bad(check(db, signing_key), 4, "entry 4", "contents of entry 5", "reordered")


def test_tail_truncated_after_a_checkpoint_is_detected(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    build(db, signing_key, checkpoints=(3, 8))
    db.sql("DELETE FROM audit_log WHERE seq > 6")
    result = check(db, signing_key)
    assert_bad(result, 7, "truncated", "entry 8", "ends at entry 6")
    assert result.sealed_seq == 3


def test_truncating_the_unsealed_tail_is_not_detectable_and_sealed_seq_says_so(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    # A documented limit: entries after the newest checkpoint are protected by the chain only.
    build(db, signing_key, checkpoints=(3, 8))
    db.sql("DELETE FROM audit_log WHERE seq > 8")
    result = check(db, signing_key)
    assert result.ok and result.head_seq == 8 and result.sealed_seq == 8


def test_forged_checkpoint_signature_is_named(db: Db, signing_key: Ed25519PrivateKey) -> None:
    build(db, signing_key)
    db.sql(
        "UPDATE audit_checkpoint SET signature = :s WHERE seq = 8",
        s=base64.b64encode(bytes(64)).decode(),
    )
    assert_bad(check(db, signing_key), 8, "entry 8", "signature is invalid")


def test_checkpoint_moved_to_another_entry_is_detected(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    build(db, signing_key)
    r = rows(db)
    db.sql("UPDATE audit_checkpoint SET seq = 5, head_hash = :h WHERE seq = 8", h=r[4][8])
    assert_bad(check(db, signing_key), 5, "signature is invalid")


def test_garbage_checkpoint_signature_is_named(db: Db, signing_key: Ed25519PrivateKey) -> None:
    build(db, signing_key)
    db.sql("UPDATE audit_checkpoint SET signature = 'not base64!' WHERE seq = 3")
    assert_bad(check(db, signing_key), 3, "checkpoint", "signature is invalid")


def test_log_rewritten_and_resigned_with_another_key_is_detected(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    build(db, signing_key)
    mallory = Ed25519PrivateKey.generate()
    # Rewrite entry 2 and everything after it, then re-sign all checkpoints with her key.
    db.sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    prev = GENESIS_HASH
    for r in rows(db):
        h = audit.entry_hash(r[0], *r[1:7], prev)
        db.sql(
            "UPDATE audit_log SET prev_hash = :p, entry_hash = :h WHERE seq = :s",
            p=prev,
            h=h,
            s=r[0],
        )
        prev = h
    heads = {r[0]: r[8] for r in rows(db)}
    fp = audit._fingerprint(mallory.public_key())
    with db.engine.connect() as conn:
        cps = list(conn.execute(text("SELECT id, seq, ts FROM audit_checkpoint")))
    for cid, seq, ts in cps:
        sig = mallory.sign(audit.checkpoint_message(seq, heads[seq], ts, fp))
        db.sql(
            "UPDATE audit_checkpoint SET head_hash=:h, key_fingerprint=:f, signature=:s WHERE id=:i",
            h=heads[seq],
            f=fp,
            s=base64.b64encode(sig).decode(),
            i=cid,
        )
    assert check(db, mallory).ok  # consistent under her key ...
    assert_bad(check(db, signing_key), 3, "another key")  # ... not under the case's


def test_resigned_with_another_key_claiming_our_fingerprint_is_detected(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    build(db, signing_key)
    mallory = Ed25519PrivateKey.generate()
    with db.engine.connect() as conn:
        cid, seq, head, ts, fp = conn.execute(
            text(
                "SELECT id, seq, head_hash, ts, key_fingerprint FROM audit_checkpoint WHERE seq = 10"
            )
        ).one()
    sig = mallory.sign(audit.checkpoint_message(seq, head, ts, fp))
    db.sql(
        "UPDATE audit_checkpoint SET signature=:s WHERE id=:i",
        s=base64.b64encode(sig).decode(),
        i=cid,
    )
    assert_bad(check(db, signing_key), 10, "signature is invalid")


def test_checkpoint_beyond_the_end_inserted_by_a_forger_is_detected(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    build(db, signing_key)
    db.sql(
        "INSERT INTO audit_checkpoint (seq, head_hash, ts, key_fingerprint, signature) "
        "VALUES (50, :h, '2026-01-01T00:00:00Z', :f, :s)",
        h="a" * 64,
        f=audit._fingerprint(signing_key.public_key()),
        s=base64.b64encode(bytes(64)).decode(),
    )
    assert_bad(check(db, signing_key), 50, "signature is invalid")


def test_the_first_problem_is_reported_when_there_are_several(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    build(db, signing_key)
    db.sql("UPDATE audit_log SET action = 'x.y' WHERE seq = 9")
    db.sql("UPDATE audit_log SET action = 'x.y' WHERE seq = 4")
    assert_bad(check(db, signing_key), 4, "entry 4")


def test_verify_accepts_a_session(db: Db, signing_key: Ed25519PrivateKey) -> None:
    build(db, signing_key, n=3)
    with db.session() as s:
        assert audit.verify(s, signing_key.public_key()).ok


def test_to_dict_shapes(db: Db, signing_key: Ed25519PrivateKey) -> None:
    build(db, signing_key, n=3, checkpoints=(3,))
    with db.session() as s:
        e = s.get(AuditEntry, 2)
        assert e is not None
        d = e.to_dict()
        assert d["object_ids"] == ["person:2", "evidence:14"] and d["seq"] == 2
        cp = s.execute(select(AuditCheckpoint)).scalar_one().to_dict()
        assert cp["seq"] == 3 and cp["tsa_token"] is None
    with db.engine.connect() as conn:
        assert json.loads(json.dumps(audit.verify(conn, signing_key.public_key()).to_dict()))["ok"]


def test_superseded_checkpoints_keep_the_newest_and_one_per_block(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    with db.session() as s:
        for i in range(1, 11):
            audit.append(s, actor="admin", action="person.add", object_ids=[f"person:{i}"])
            audit.checkpoint(s, signing_key, keep_every=4)  # after every "command"
        s.commit()
        kept = [
            c.seq
            for c in s.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)).scalars()
        ]
    assert kept == [4, 8, 10]
    result = check(db, signing_key)
    assert result.ok and result.sealed_seq == 10 and result.checkpoints == 3


def test_timestamped_checkpoints_are_never_superseded(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    with db.session() as s:
        audit.append(s, actor="admin", action="person.add")
        cp = audit.checkpoint(s, signing_key)
        cp.tsa_token = b"fictional RFC 3161 token"
        audit.append(s, actor="admin", action="person.add")
        audit.checkpoint(s, signing_key)
        s.commit()
        kept = [
            c.seq
            for c in s.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)).scalars()
        ]
    assert kept == [1, 2]
    assert check(db, signing_key).ok


def test_checkpoint_by_another_key_does_not_supersede(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    other = Ed25519PrivateKey.generate()
    with db.session() as s:
        audit.append(s, actor="admin", action="person.add")
        audit.checkpoint(s, signing_key)
        audit.append(s, actor="admin", action="person.add")
        audit.checkpoint(s, other)
        s.commit()
        fps = [c.key_fingerprint for c in s.execute(select(AuditCheckpoint)).scalars()]
    assert len(fps) == 2
    assert_bad(check(db, signing_key), 2, "another key")


def test_query_limit_with_object_filter_returns_the_newest_matches(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    with db.session() as s:
        for i in range(6):
            audit.append(s, actor="admin", action="evidence.get", object_ids=["evidence:1"])
            audit.append(s, actor="admin", action="evidence.get", object_ids=[f"evidence:1{i}"])
        s.commit()
        assert [e.seq for e in audit.query(s, object_id="evidence:1", limit=2)] == [9, 11]
        assert audit.query(s, actor="admin", limit=0) == []


def test_tail_truncated_after_a_superseding_checkpoint_is_detected(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    # The realistic pattern: a checkpoint after every command, default retention.
    with db.session() as s:
        for i in range(1, 8):
            audit.append(s, actor="admin", action="person.add", object_ids=[f"person:{i}"])
            audit.checkpoint(s, signing_key)
        s.commit()
    db.sql("DELETE FROM audit_log WHERE seq >= 5")
    assert_bad(check(db, signing_key), 5, "truncated", "entry 7", "ends at entry 4")


def test_failed_verify_still_reports_the_size_of_the_log(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    build(db, signing_key)
    db.sql("UPDATE audit_log SET actor = 'x' WHERE seq = 2")
    result = check(db, signing_key)
    assert not result.ok and result.entries == 10 and result.head_seq == 1
