"""The media type of a file from its first bytes (magic numbers), not its name.

Covers what evidence usually is: PDF, JPEG, PNG, GIF, TIFF, WebP, BMP, HEIC/HEIF/AVIF,
MP4/MOV/3GP (ISO base media), Matroska/WebM, AVI, WAV, MP3, OGG, FLAC, M4A, ZIP-based
office documents, and UTF-8 text. Returns ``None`` when nothing matches.
"""

from __future__ import annotations

#: Bytes to read for sniffing.
HEAD = 4096

_BRANDS_IMAGE = {b"heic": "image/heic", b"heix": "image/heic", b"mif1": "image/heif",
                 b"msf1": "image/heif", b"avif": "image/avif"}  # fmt: skip
_BRANDS_AUDIO = {b"M4A ", b"M4B "}
_BRANDS_QT = {b"qt  "}
_BRANDS_3GP = {b"3gp4", b"3gp5", b"3gp6", b"3g2a"}


def sniff(head: bytes) -> str | None:
    """The media type of a file starting with *head* (give at least :data:`HEAD` bytes)."""
    h = head
    if h.startswith(b"%PDF-"):
        return "application/pdf"
    if h.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if h.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if h[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if h[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if h[:4] == b"RIFF" and h[8:12] == b"WEBP":
        return "image/webp"
    if h[:4] == b"RIFF" and h[8:12] == b"WAVE":
        return "audio/wav"
    if h[:4] == b"RIFF" and h[8:12] == b"AVI ":
        return "video/x-msvideo"
    if h[:2] == b"BM" and len(h) > 14:
        return "image/bmp"
    if h[4:8] == b"ftyp":
        brand = h[8:12]
        if brand in _BRANDS_IMAGE:
            return _BRANDS_IMAGE[brand]
        if brand in _BRANDS_AUDIO:
            return "audio/mp4"
        if brand in _BRANDS_QT:
            return "video/quicktime"
        if brand in _BRANDS_3GP:
            return "video/3gpp"
        return "video/mp4"
    if h.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"webm" in h[:64] else "video/x-matroska"
    if h.startswith(b"OggS"):
        return "audio/ogg"
    if h.startswith(b"fLaC"):
        return "audio/flac"
    if h.startswith(b"ID3") or (len(h) > 1 and h[0] == 0xFF and (h[1] & 0xE0) == 0xE0):
        return "audio/mpeg"
    if h.startswith(b"PK\x03\x04"):
        if b"word/" in h:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if b"xl/" in h:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "application/zip"
    if b"\x00" not in h[:1024]:
        try:
            h[:1024].decode("utf-8")
        except UnicodeDecodeError as e:
            if e.start < 1020:  # not just a character cut at the end of the sample
                return None
        low = h[:512].lstrip().lower()
        if low.startswith((b"<!doctype html", b"<html")):
            return "text/html"
        return "text/plain"
    return None


def is_image(media_type: str | None) -> bool:
    return bool(media_type) and str(media_type).startswith("image/")


def is_video(media_type: str | None) -> bool:
    return bool(media_type) and str(media_type).startswith("video/")


def is_audio(media_type: str | None) -> bool:
    return bool(media_type) and str(media_type).startswith("audio/")
