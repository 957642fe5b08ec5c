"""Every refused permission is logged as ``access.denied``, even when the check runs
before any transaction (a curious or compromised account probing must leave a trace)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.testing import TEST_PASSPHRASE, DalilRunner


def _denials(case: Case, user: str) -> list[dict[str, object]]:
    with case.system_session(write=False) as s:
        return [e.to_dict() for e in audit.query(s, actor=user, action="access.denied")]


@pytest.fixture
def viewer(dalil: DalilRunner) -> str:
    dalil.json("user", "add", "vera", "--role", "viewer")
    return "vera"


def _refused(r: Any) -> None:
    assert r.exit_code == 2, r.stderr
    assert "may not" in r.stderr


def test_viewer_adding_evidence_is_refused_and_logged(
    case: Case, dalil: DalilRunner, viewer: str, tmp_path: Path
) -> None:
    f = tmp_path / "fictional-statement.txt"
    f.write_text("a fictional statement")
    _refused(dalil("evidence", "add", str(f), "--user", viewer))
    [d] = _denials(case, viewer)
    assert d["detail"] == {"permission": "evidence.add", "role": "viewer"}
    assert dalil.json("evidence", "list") == []


def test_viewer_exporting_a_bag_is_refused_and_logged(
    case: Case, dalil: DalilRunner, viewer: str, tmp_path: Path
) -> None:
    _refused(dalil("export", "bag", str(tmp_path / "bag"), "--user", viewer))
    [d] = _denials(case, viewer)
    assert d["detail"]["permission"] == "export.bag"  # type: ignore[index]
    assert not (tmp_path / "bag").exists()


def test_viewer_running_fixity_is_refused_and_logged(
    case: Case, dalil: DalilRunner, viewer: str
) -> None:
    _refused(dalil("fixity", "--user", viewer))
    [d] = _denials(case, viewer)
    assert d["detail"]["permission"] == "fixity.run"  # type: ignore[index]


def test_viewer_changing_the_passphrase_is_refused_and_logged(
    case: Case, dalil: DalilRunner, viewer: str, tmp_path: Path
) -> None:
    new = tmp_path / "new-pass"
    new.write_text("another fictional passphrase")
    r = dalil("passphrase", "change", "--new-passphrase-file", str(new), "--user", viewer)
    _refused(r)
    [d] = _denials(case, viewer)
    assert d["detail"]["permission"] == "keys.manage"  # type: ignore[index]
    Case.open(case.root, TEST_PASSPHRASE).close()  # the old passphrase still opens it


def test_logged_denials_keep_the_audit_log_verifiable(
    case: Case, dalil: DalilRunner, viewer: str
) -> None:
    _refused(dalil("fixity", "--user", viewer))
    _refused(dalil("audit", "show", "--user", viewer))
    assert len(_denials(case, viewer)) == 2
    assert dalil("audit", "verify").exit_code == 0


def test_viewer_streaming_evidence_in_is_refused_and_logged(case: Case, viewer: str) -> None:
    """The web upload path (add_stream) checks before reading a byte, and logs the refusal."""
    import io

    from dalil.errors import PermissionDenied
    from dalil.services import evidence

    stream = io.BytesIO(b"a fictional upload")
    with pytest.raises(PermissionDenied):
        evidence.add_stream(case, viewer, stream, name="fictional.txt")
    assert stream.tell() == 0  # nothing read, nothing stored
    [d] = _denials(case, viewer)
    assert d["detail"] == {"permission": "evidence.add", "role": "viewer"}


def test_viewer_importing_a_list_is_refused_and_logged(
    case: Case, dalil: DalilRunner, viewer: str, tmp_path: Path
) -> None:
    f = tmp_path / "fictional-list.csv"
    f.write_text("record_id,full_name\n1,Fictional Person One\n", encoding="utf-8")
    _refused(dalil("lists", "import", str(f), "--list", "Fictional list", "--user", viewer))
    [d] = _denials(case, viewer)
    assert d["detail"] == {"permission": "record.write", "role": "viewer"}
    assert dalil.json("evidence", "list") == []  # the original file was not kept either
