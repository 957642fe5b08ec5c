"""Evidence vault service: ingest, dedupe, names, symlinks, sensitivity, get, fixity."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import InputError, PermissionDenied
from dalil.services import evidence, users
from dalil.services.evidence import sanitise_name


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_same_content_twice_is_stored_once(any_case: Case, tmp_path: Path) -> None:
    a = _file(tmp_path, "a.txt", b"fictional statement one")
    b = _file(tmp_path, "b.txt", b"fictional statement one")
    r1, r2 = evidence.add_files(any_case, None, [a, b])
    assert r1.created and not r2.created and r1.item.id == r2.item.id
    blobs = [p for p in any_case.evidence_dir.rglob("*") if p.is_file() and ".tmp" not in str(p)]
    assert len([p for p in blobs if any_case.blobs.tmp_dir not in p.parents]) == 1


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("/abs/path/x.pdf", "x.pdf"),
        ("..", "unnamed"),
        ("a\\..\\b.doc", "b.doc"),
        ("evil\x00\x1bname.txt", "evilname.txt"),
        (".hidden", "hidden"),
    ],
)
def test_path_traversal_names_are_neutralised(given: str, shown: str) -> None:
    assert sanitise_name(given) == shown


def test_symlink_is_refused_and_nothing_stored(case: Case, tmp_path: Path) -> None:
    target = _file(tmp_path, "t.txt", b"fictional")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with pytest.raises(InputError, match="symbolic link"):
        evidence.add_files(case, None, [link])
    with case.act(write=False) as ctx:
        assert evidence.list_items(ctx) == []


def test_unknown_source_refused_before_storing_blob(case: Case, tmp_path: Path) -> None:
    from dalil.errors import NotFound

    f = _file(tmp_path, "a.txt", b"fictional content")
    with pytest.raises(NotFound, match="no source with id 9"):
        evidence.add_files(case, None, [f], source_id=9)
    assert not any(
        p.is_file() for p in case.evidence_dir.rglob("*") if case.blobs.tmp_dir not in p.parents
    )


def test_get_round_trips_and_is_logged(case: Case, tmp_path: Path) -> None:
    data = os.urandom(300_000)
    (res,) = evidence.add_files(case, None, [_file(tmp_path, "v.bin", data)])
    out = tmp_path / "out.bin"
    evidence.get_to_path(case, None, res.item.sha256, out)
    assert out.read_bytes() == data
    with case.act(write=False) as ctx:
        actions = [e["action"] for e in evidence.custody(ctx, res.item.id)]
    assert actions == ["evidence.add", "evidence.get"]


def test_sensitive_evidence_hidden_from_analyst(case: Case, tmp_path: Path) -> None:
    (res,) = evidence.add_files(
        case, None, [_file(tmp_path, "testimony-W1.txt", b"x")], sensitive=True
    )
    with case.act() as ctx:
        users.add_user(ctx, "ana", "analyst")
    with case.act("ana", write=False) as ctx:
        d = evidence.item_dict(ctx, evidence.get_item(ctx, res.item.id))
        assert d["original_name"] is None
    with pytest.raises(PermissionDenied, match="sensitive"):
        evidence.get_to_path(case, "ana", str(res.item.id), tmp_path / "o")
    assert not (tmp_path / "o").exists()


def test_viewer_cannot_read_evidence_content(case: Case, tmp_path: Path) -> None:
    (res,) = evidence.add_files(case, None, [_file(tmp_path, "a.txt", b"fictional")])
    with case.act() as ctx:
        users.add_user(ctx, "vera", "viewer")
    with pytest.raises(PermissionDenied):
        evidence.get_to_path(case, "vera", str(res.item.id), tmp_path / "o")
    with pytest.raises(PermissionDenied):
        evidence.add_files(case, "vera", [tmp_path / "a.txt"])


def test_fixity_names_corrupt_and_missing_blobs(case: Case, tmp_path: Path) -> None:
    r1, r2, _r3 = evidence.add_files(
        case, None, [_file(tmp_path, f"{i}.bin", os.urandom(5000 + i)) for i in range(3)]
    )
    rep = evidence.fixity(case)
    assert rep.passed and rep.ok == 3
    p1 = case.blobs.path_for(r1.item.sha256)
    raw = bytearray(p1.read_bytes())
    raw[-100] ^= 1
    p1.write_bytes(bytes(raw))
    case.blobs.path_for(r2.item.sha256).unlink()
    rep = evidence.fixity(case)
    assert not rep.passed
    assert rep.corrupt == [r1.item.sha256] and rep.missing == [r2.item.sha256] and rep.ok == 1
    with case.system_session() as s:
        last = audit.query(s, action="evidence.fixity")[-1]
        assert r1.item.sha256 in last.detail


def test_unreferenced_blob_reported_not_an_error(case: Case, tmp_path: Path) -> None:
    put = case.blobs.put_path(_file(tmp_path, "orphan.bin", b"orphan fictional"))
    rep = evidence.fixity(case)
    assert rep.passed and len(rep.unreferenced) == 1
    assert case.blobs.path_for(put.sha256).name in rep.unreferenced[0]


def test_fixity_cli_exit_1_names_item(case: Case, tmp_path: Path, dalil) -> None:  # type: ignore[no-untyped-def]
    (r,) = evidence.add_files(case, None, [_file(tmp_path, "a.bin", b"fictional bytes")])
    assert dalil("fixity").exit_code == 0
    case.blobs.path_for(r.item.sha256).unlink()
    res = dalil("fixity")
    assert res.exit_code == 1 and f"missing {r.item.sha256}" in res.stderr


def test_derived_from_links_working_copy(case: Case, tmp_path: Path) -> None:
    (orig,) = evidence.add_files(case, None, [_file(tmp_path, "o.pdf", b"%PDF fictional")])
    (work,) = evidence.add_files(
        case,
        None,
        [_file(tmp_path, "o.txt", b"fictional text")],
        copy_kind="working",
        derived_from=orig.item.sha256[:12],
    )
    assert work.data["derived_from"] == orig.item.sha256 and work.data["copy_kind"] == "working"
    with pytest.raises(InputError, match="allowed: evidentiary, working"):
        evidence.add_files(case, None, [tmp_path / "o.txt"], copy_kind="draft")


@given(st.text(max_size=300))
def test_sanitised_names_never_carry_paths_or_control_characters(name: str) -> None:
    import unicodedata

    out = sanitise_name(name)
    assert out and "/" not in out and "\\" not in out and not out.startswith(".")
    assert len(out) <= 200
    assert all(unicodedata.category(c)[0] != "C" for c in out)


def test_source_add_keeps_original_and_extracted_text_as_working_copy(
    case: Case, tmp_path: Path
) -> None:
    from dalil.services import sources as source_intake

    html = tmp_path / "article.html"
    html.write_text(
        "<html><head><title>Fictional</title></head><body><p>Fictional article: twelve "
        "civilians were killed in Fictional Town on 7 March 2025, a fictional NGO said.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    out = source_intake.add_source(case, None, html, kind="article", title="Fictional article")
    assert out["evidence"]["copy_kind"] == "evidentiary"
    assert out["evidence"]["source_id"] == out["source"]["id"]
    if out["text"] is None:  # extraction capability absent: the reason is given instead
        assert out["text_error"]
        return
    assert out["text"]["copy_kind"] == "working"
    assert out["text"]["derived_from"] == out["evidence"]["sha256"]
    got = tmp_path / "text.txt"
    evidence.get_to_path(case, None, out["text"]["sha256"], got)
    assert "twelve civilians" in got.read_text(encoding="utf-8")


def test_source_add_binary_file_is_kept_without_text(case: Case, tmp_path: Path) -> None:
    from dalil.services import sources as source_intake

    f = _file(tmp_path, "clip.bin", b"\x00\x01fictional\x00binary" * 100)
    out = source_intake.add_source(case, None, f, kind="media", title="Fictional clip")
    assert out["evidence"] is not None and out["text"] is None and out["text_error"]
