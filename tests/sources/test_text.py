"""extract_text: every supported format, the encoding rules, and every refusal names the file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.errors import InputError
from dalil.sources.text import (
    MEDIA_DOCX,
    MEDIA_HTML,
    MEDIA_PDF,
    MEDIA_TXT,
    decode_text,
    extract_text,
)

from .conftest import minimal_pdf

ARABIC = "قال شاهد إن المسلحين قتلوا أكثر من مئة شخص في البلدة الساحلية (نص تخيلي)."


def test_utf8_text_with_crlf_is_normalised(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes("Title line\r\n\r\nSecond para é.\r\n".encode())
    r = extract_text(p)
    assert r.media_type == MEDIA_TXT
    assert r.text == "Title line\n\nSecond para é.\n"
    assert r.encoding == "utf-8"
    assert r.title == "Title line"


@pytest.mark.parametrize("enc", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_bom_decides_encoding(tmp_path: Path, enc: str) -> None:
    p = tmp_path / "a.txt"
    raw = ARABIC.encode(enc)
    if enc == "utf-16-be":
        raw = b"\xfe\xff" + raw
    p.write_bytes(raw)
    r = extract_text(p)
    assert r.text == ARABIC
    assert r.language == "ar"


def test_cp1256_arabic_is_detected(tmp_path: Path) -> None:
    p = tmp_path / "ar.txt"
    p.write_bytes(ARABIC.encode("cp1256"))
    r = extract_text(p)
    assert r.encoding == "cp1256"
    assert r.text == ARABIC


def test_latin1_french_falls_back_to_cp1252(tmp_path: Path) -> None:
    text = "Le témoin a déclaré que les tirs ont duré toute la journée à la côte."
    p = tmp_path / "fr.txt"
    p.write_bytes(text.encode("latin-1"))
    r = extract_text(p)
    assert r.text == text
    assert r.encoding == "cp1252"


def test_binary_file_refused_naming_file(tmp_path: Path) -> None:
    p = tmp_path / "blob.txt"
    p.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(InputError, match=r"blob\.txt"):
        extract_text(p)


def test_undecodable_bytes_refused_as_unknown_encoding() -> None:
    # C1 control bytes that are undefined/controls in every fallback codec.
    with pytest.raises(InputError, match="unknown text encoding"):
        decode_text(b"abc def ghi jkl mno \x81\x8d\x9d pqr", "x.txt")


def test_empty_and_whitespace_files_refused(tmp_path: Path) -> None:
    for name, content in [("empty.txt", b""), ("blank.txt", b"  \n\t \n")]:
        p = tmp_path / name
        p.write_bytes(content)
        with pytest.raises(InputError, match=f"{name}: is empty"):
            extract_text(p)


def test_missing_file_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        extract_text(tmp_path / "nope.txt")


def test_unreadable_path_refused_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("fictional")
    path = tmp_path / "a.txt" / "inner.txt"  # a file where a folder should be
    with pytest.raises(InputError, match=r"inner\.txt: cannot read \(Not a directory\)"):
        extract_text(path)


def test_huge_file_refused_before_reading(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_bytes(b"word " * 3000)
    with pytest.raises(InputError, match="too large"):
        extract_text(p, max_bytes=10_000)


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    body = " ".join(["The fictional town of Port Selin saw heavy fighting."] * 6)
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
    <title>Fictional report &amp; findings</title>
    <script>var secret = "do not include";</script></head>
    <body><nav>Home | About | Donate</nav><article><h1>Fictional report</h1>
    <p>{body}</p><p>A second paragraph about the coast of Port Selin and its people.</p>
    </article><footer>Copyright</footer></body></html>"""
    p = tmp_path / "page.html"
    p.write_text(html, encoding="utf-8")
    r = extract_text(p)
    assert r.media_type == MEDIA_HTML
    assert "Port Selin saw heavy fighting" in r.text
    assert "do not include" not in r.text
    assert r.language == "en"
    assert r.title and "Fictional report" in r.title


def test_tiny_html_falls_back_to_tag_strip(tmp_path: Path) -> None:
    p = tmp_path / "tiny.htm"
    p.write_text("<html><body><p>Only &quot;this&quot;.</p></body></html>", encoding="utf-8")
    r = extract_text(p)
    assert 'Only "this".' in r.text


def test_pdf_text_layer_extracted(tmp_path: Path) -> None:
    p = tmp_path / "r.pdf"
    p.write_bytes(minimal_pdf(["Fictional NGO release.", "At least 32 killings documented."]))
    r = extract_text(p)
    assert r.media_type == MEDIA_PDF
    assert "At least 32 killings documented." in r.text


def test_pdf_without_text_layer_refused_as_scanned(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=612, height=792)
    buf = io.BytesIO()
    w.write(buf)
    p = tmp_path / "scan.pdf"
    p.write_bytes(buf.getvalue())
    with pytest.raises(InputError, match=r"scan\.pdf: PDF has no text layer \(scanned\?\)"):
        extract_text(p)


def test_truncated_pdf_refused(tmp_path: Path) -> None:
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    with pytest.raises(InputError, match=r"broken\.pdf"):
        extract_text(p)


def test_fake_pdf_suffix_refused(tmp_path: Path) -> None:
    p = tmp_path / "fake.pdf"
    p.write_text("just text", encoding="utf-8")
    with pytest.raises(InputError, match=r"fake\.pdf: has a \.pdf name but is not a PDF"):
        extract_text(p)


def test_docx_paragraphs_and_title(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.core_properties.title = "Fictional statement"
    d.add_paragraph("First paragraph about Port Selin (fictional).")
    d.add_paragraph("")
    d.add_paragraph("Second paragraph.")
    p = tmp_path / "s.docx"
    d.save(str(p))
    r = extract_text(p)
    assert r.media_type == MEDIA_DOCX
    assert r.text == "First paragraph about Port Selin (fictional).\n\nSecond paragraph."
    assert r.title == "Fictional statement"


def test_damaged_docx_refused(tmp_path: Path) -> None:
    p = tmp_path / "bad.docx"
    p.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(InputError, match=r"bad\.docx"):
        extract_text(p)


def test_unknown_suffix_binary_refused(tmp_path: Path) -> None:
    p = tmp_path / "image.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 100)
    with pytest.raises(InputError, match=r"image\.png"):
        extract_text(p)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1))
def test_any_utf8_text_round_trips(s: str) -> None:
    text, enc = decode_text(s.encode("utf-8"), "x.txt")
    assert text == s and enc == "utf-8"


def test_published_date_from_a_dateline(tmp_path: Path) -> None:
    p = tmp_path / "r.txt"
    p.write_text("Fictional release\n\nPORT SELIN, 14 March 2025 — text follows.", encoding="utf-8")
    assert extract_text(p).published == "2025-03-14"
    q = tmp_path / "n.txt"
    q.write_text("No date here, only words about a fictional harbour.", encoding="utf-8")
    assert extract_text(q).published is None
