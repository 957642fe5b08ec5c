"""Embedded metadata of photos, audio and video, read with ExifTool (and ffprobe).

Why ExifTool: it reads EXIF, XMP, IPTC, maker notes, QuickTime/MP4/Matroska container
tags and the JUMBF boxes that carry C2PA manifests, in one well-maintained program
(Debian ``libimage-exiftool-perl``) that runs as a separate process — a parser bug in a
hostile file then cannot reach dalil's memory, and limits apply. The file goes to it on
standard input (never written to disk). ffprobe (ffmpeg) adds stream codecs and
duration for audio and video when the container can be read from a pipe.

:func:`read_metadata` returns ``{"tags": {group:name: value}, "summary": {...}}``; the
summary holds what the checks and the evidence page use: ``capture_time`` (ISO),
``gps`` (``{"lat", "lon"}``), ``device`` (make, model, serial, software), ``caption``,
``width``/``height``, ``duration`` (seconds), ``codecs``, ``c2pa`` (present, claim
generator, …) and ``mime_type`` as ExifTool detects it from the content.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from typing import Any

TIMEOUT_S = 120
MEMORY_BYTES = 1024**3
#: Most JSON read from ExifTool or ffprobe for one item.
MAX_OUTPUT = 16 * 1024**2
#: Groups that describe the file on disk (the pipe), not the content: dropped.
_DROP_GROUPS = ("System", "ExifTool", "SourceFile")
_TIME_KEYS = (
    "ExifIFD:DateTimeOriginal",
    "ExifIFD:CreateDate",
    "XMP-exif:DateTimeOriginal",
    "XMP-photoshop:DateCreated",
    "XMP-xmp:CreateDate",
    "QuickTime:CreationDate",
    "Keys:CreationDate",
    "QuickTime:CreateDate",
    "Track1:MediaCreateDate",
    "Matroska:DateTimeOriginal",
    "RIFF:DateTimeOriginal",
    "IFD0:ModifyDate",
)
_OFFSET_KEYS = ("ExifIFD:OffsetTimeOriginal", "ExifIFD:OffsetTime")
_CAPTION_KEYS = (
    "IPTC:Caption-Abstract",
    "XMP-dc:Description",
    "IFD0:ImageDescription",
    "XMP-dc:Title",
    "IPTC:Headline",
    "QuickTime:Description",
    "ItemList:Description",
)
_SERIAL_KEYS = (
    "ExifIFD:SerialNumber",
    "ExifIFD:BodySerialNumber",
    "MakerNotes:SerialNumber",
    "MakerNotes:InternalSerialNumber",
    "XMP-aux:SerialNumber",
)


def _run(args: list[str], data: bytes, what: str) -> bytes | None:
    """Standard output of a bounded run (:func:`dalil.media.tool.run_tool`); ``None``
    when the tool is missing or fails (the item keeps what the other tool found). A
    timeout or an oversized output is an :class:`InputError`."""
    from dalil.media.tool import ToolFailed, run_tool

    if shutil.which(args[0]) is None:
        return None
    try:
        return run_tool(args, data, what, timeout=TIMEOUT_S, memory=MEMORY_BYTES,
                        max_output=MAX_OUTPUT, ok_codes=(0, 1))  # fmt: skip
    except ToolFailed:
        return None


def exiftool_tags(data: bytes) -> dict[str, Any]:
    out = _run(["exiftool", "-j", "-n", "-G1", "-a", "-q", "-q", "-"], data, "read metadata")
    if not out:
        return {}
    try:
        rows = json.loads(out.decode("utf-8", "replace"))
    except ValueError:
        return {}
    tags = rows[0] if rows and isinstance(rows[0], dict) else {}
    return {k: v for k, v in tags.items() if k.split(":", 1)[0] not in _DROP_GROUPS}


def ffprobe_info(data: bytes) -> dict[str, Any]:
    out = _run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         "-i", "pipe:0"],
        data, "read the container",
    )  # fmt: skip
    if not out:
        return {}
    try:
        info = json.loads(out.decode("utf-8", "replace"))
    except ValueError:
        return {}
    return info if isinstance(info, dict) else {}


def _iso_time(value: Any, offset: Any = None) -> str | None:
    if not isinstance(value, str):
        return None
    m = re.match(r"(\d{4})[:-](\d{2})[:-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?(.*)", value)
    if not m or m.group(1) == "0000":
        return None
    y, mo, d, hh, mi, ss, rest = m.groups()
    out = f"{y}-{mo}-{d}"
    if hh:
        out += f"T{hh}:{mi}:{ss or '00'}"
        tz = (rest or "").strip() or (offset if isinstance(offset, str) else "")
        if re.fullmatch(r"[+-]\d{2}:\d{2}|Z", tz or ""):
            out += tz
    return out


def summarise(tags: dict[str, Any], probe: dict[str, Any] | None = None) -> dict[str, Any]:
    s: dict[str, Any] = {}
    s["mime_type"] = tags.get("File:MIMEType")
    offset = next((tags[k] for k in _OFFSET_KEYS if k in tags), None)
    for k in _TIME_KEYS:
        t = _iso_time(tags.get(k), offset)
        if t:
            s["capture_time"], s["capture_time_tag"] = t, k
            break
    lat_v, lon_v = tags.get("Composite:GPSLatitude"), tags.get("Composite:GPSLongitude")
    lat = float(lat_v) if isinstance(lat_v, int | float) else None
    lon = float(lon_v) if isinstance(lon_v, int | float) else None
    if (
        lat is not None
        and lon is not None
        and -90 <= lat <= 90
        and -180 <= lon <= 180
        and ((lat, lon) != (0.0, 0.0))
    ):
        s["gps"] = {"lat": float(lat), "lon": float(lon)}
        alt = tags.get("Composite:GPSAltitude")
        if isinstance(alt, int | float):
            s["gps"]["alt"] = float(alt)
    device = {
        "make": next((tags[k] for k in tags if k.endswith(":Make")), None),
        "model": next((tags[k] for k in tags if k.endswith(":Model")), None),
        "serial": next((str(tags[k]) for k in _SERIAL_KEYS if tags.get(k)), None),
        "software": next((tags[k] for k in tags if k.endswith(":Software")), None),
    }
    device = {k: str(v) for k, v in device.items() if v not in (None, "")}
    if device:
        s["device"] = device
    cap = next((tags[k] for k in _CAPTION_KEYS if tags.get(k)), None)
    if cap:
        s["caption"] = str(cap)
    for key, name in (("File:ImageWidth", "width"), ("File:ImageHeight", "height")):
        if isinstance(tags.get(key), int):
            s[name] = tags[key]
    if "width" not in s:
        w, h = tags.get("Track1:ImageWidth"), tags.get("Track1:ImageHeight")
        if isinstance(w, int) and isinstance(h, int):
            s["width"], s["height"] = w, h
    dur = next((tags[k] for k in tags if k.endswith(":Duration")
                and isinstance(tags[k], int | float)), None)  # fmt: skip
    if dur is not None:
        s["duration"] = round(float(dur), 3)
    jumbf = {k: v for k, v in tags.items() if k.startswith(("JUMBF", "C2PA")) or "C2PA" in k}
    if jumbf:
        gen = next((v for k, v in jumbf.items() if "ClaimGenerator" in k), None)
        s["c2pa"] = {"present": True, "claim_generator": gen, "tags": len(jumbf)}
    if probe:
        streams = probe.get("streams") or []
        codecs = [
            {"type": st.get("codec_type"), "codec": st.get("codec_name")}
            for st in streams
            if isinstance(st, dict)
        ]
        if codecs:
            s["codecs"] = codecs
        fmt = probe.get("format") or {}
        with contextlib.suppress(TypeError, ValueError):
            s.setdefault("duration", round(float(str(fmt.get("duration"))), 3))
        ctime = (fmt.get("tags") or {}).get("creation_time")
        if ctime and "capture_time" not in s:
            t = _iso_time(str(ctime).replace("Z", "+00:00")[:25])
            if t:
                s["capture_time"], s["capture_time_tag"] = t, "ffprobe:creation_time"
    return {k: v for k, v in s.items() if v is not None}


def read_metadata(data: bytes, media_type: str) -> dict[str, Any]:
    """Tags and summary of an image, audio or video file held in memory."""
    tags = exiftool_tags(data)
    probe = ffprobe_info(data) if media_type.startswith(("audio/", "video/")) else {}
    return {"tags": tags, "summary": summarise(tags, probe)}


GPS_TAG = re.compile(r"GPS", re.I)


def without_gps(meta: dict[str, Any]) -> dict[str, Any]:
    """*meta* with every position removed (tags whose name says GPS, and the summary's
    ``gps``), replaced by ``"gps": "protected"`` where there was one."""
    tags = {k: v for k, v in meta.get("tags", {}).items() if not GPS_TAG.search(k)}
    summary = dict(meta.get("summary", {}))
    if "gps" in summary:
        summary["gps"] = "protected"
    return {**meta, "tags": tags, "summary": summary}
