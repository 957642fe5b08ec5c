"""Attack: parser bombs (issue 18, break 8). A small hostile document made a parser spin
or swell in the caller's own process (a 62 KB DOCX took 22 s and 451 MB). Documents are
now parsed in a bounded worker process; over a limit, a one-line refusal names it."""

from __future__ import annotations

import io
import zipfile

import pytest

from dalil.errors import InputError
from dalil.sources import bounded
from dalil.sources.text import extract_bytes

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def docx_bomb(paragraphs: int) -> bytes:
    """A valid .docx whose one part expands to many tiny paragraphs (highly compressible:
    a few hundred KB on disk, well under the 256 MB unpacked-size guard)."""
    body = "<w:p><w:r><w:t>x</w:t></w:r></w:p>" * paragraphs
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
        'openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body + "</w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", doc)
    return buf.getvalue()


def test_docx_bomb_is_refused_naming_the_memory_limit() -> None:
    bomb = docx_bomb(2_000_000)  # ~70 MB of XML, 2 M paragraph objects
    assert len(bomb) < 1_000_000
    limits = bounded.Limits(cpu_seconds=60, memory_bytes=400 * 1024 * 1024, wall_seconds=120)
    with pytest.raises(InputError) as e:
        extract_bytes(bomb, "bomb.docx", limits=limits)
    msg = str(e.value)
    assert msg == "bomb.docx: refused: reading it needed more than 400 MB of memory (the limit)"


def test_docx_bomb_is_refused_naming_the_cpu_limit() -> None:
    bomb = docx_bomb(2_000_000)
    limits = bounded.Limits(cpu_seconds=1, memory_bytes=4096 * 1024 * 1024, wall_seconds=120)
    with pytest.raises(InputError, match=r"^bomb.docx: refused: .* 1 s of processor time"):
        extract_bytes(bomb, "bomb.docx", limits=limits)


def test_text_expanding_past_the_output_limit_is_refused() -> None:
    doc = docx_bomb(300_000)
    limits = bounded.Limits(output_bytes=200_000)
    with pytest.raises(InputError) as e:
        extract_bytes(doc, "big.docx", limits=limits)
    assert str(e.value) == "big.docx: refused: what it expands to is larger than 195 KB (the limit)"


def test_an_ordinary_document_still_reads_through_the_worker() -> None:
    got = extract_bytes(docx_bomb(3), "small.docx")
    assert got.text.split() == ["x", "x", "x"]
    got = extract_bytes(b"<html><body><p>Only this.</p></body></html>", "a.html")
    assert got.text == "Only this."
