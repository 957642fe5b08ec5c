"""Attack: one long file name blocks the court export (issue 18, break 10). An evidence
name of 154 Arabic letters (305 bytes, over the 255-byte file-name limit) made
``export bag`` fail for the whole case. Names are fictional."""

from __future__ import annotations

from pathlib import Path

from dalil.core import audit
from dalil.core.case import Case
from dalil.services import evidence, export

LONG = "شهادة" * 31 + ".pdf"  # 155 Arabic letters + extension: 314 bytes


def test_bag_export_with_a_305_byte_arabic_file_name_succeeds(
    any_case: Case, tmp_path: Path
) -> None:
    assert len(LONG.encode()) > 255
    admin = any_case.actor("admin")
    a = evidence.add_bytes(any_case, admin, b"%PDF-1.4 fictional a\n", name=LONG)
    b = evidence.add_bytes(any_case, admin, b"%PDF-1.4 fictional b\n", name=LONG)
    out = tmp_path / "bag"
    res = export.export_bag(any_case, "admin", out)
    assert res["items"] == 2
    files = sorted(p for p in (out / "data" / "evidence").rglob("*") if p.is_file())
    assert len(files) == 2  # one per item: each in its own content-id folder
    for f in files:
        assert len(f.name.encode()) <= 255 and f.name.endswith(".pdf")
        assert f.parent.name in (a.item.sha256, b.item.sha256)
    with any_case.system_session() as s:
        assert len(audit.query(s, action="export.bag")) == 1
        assert audit.query(s, action="export.bag_failed") == []
