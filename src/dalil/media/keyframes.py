"""Keyframes of a video at a fixed interval, as PNG images (ffmpeg).

The video goes to ffmpeg on standard input; a container that cannot be read from a
pipe (an MP4 whose index is at the end) is written for the moment of the call to a
private temporary folder in memory (``/dev/shm``; mode 0700, file 0600) and removed in a
``finally`` — never on disk: without ``/dev/shm`` such a video gets no keyframes. Frames
come back on standard output. ffmpeg runs bounded (:func:`dalil.media.tool.run_tool`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

EVERY_SECONDS = 5.0
MAX_FRAMES = 120
TIMEOUT_S = 600
#: Most PNG output read from ffmpeg for one video.
MAX_OUTPUT = 512 * 1024**2
_PNG = b"\x89PNG\r\n\x1a\n"


def _split_png(stream: bytes) -> list[bytes]:
    parts = stream.split(_PNG)
    return [_PNG + p for p in parts if p]


def _ffmpeg(src: str, data: bytes | None, every: float, max_frames: int) -> list[bytes]:
    from dalil.media.tool import ToolFailed, run_tool

    args = ["ffmpeg", "-v", "error", "-nostdin" if data is None else "-hide_banner", "-i", src,
            "-vf", f"fps=1/{every},scale='min(1280,iw)':-2", "-frames:v", str(max_frames),
            "-f", "image2pipe", "-vcodec", "png", "-"]  # fmt: skip
    try:
        out = run_tool(args, data or b"", "keyframes", timeout=TIMEOUT_S, memory=2 * 1024**3,
                       max_output=MAX_OUTPUT)  # fmt: skip
    except ToolFailed:
        return []
    return _split_png(out)


def keyframes(
    data: bytes, every: float = EVERY_SECONDS, max_frames: int = MAX_FRAMES
) -> list[tuple[float, bytes]]:
    """``(seconds, png)`` every *every* seconds (at most *max_frames*)."""
    frames = _ffmpeg("pipe:0", data, every, max_frames)
    if not frames:
        # Some containers (MP4 with the index at the end) need a seekable file: only in
        # memory (/dev/shm), never as a plaintext copy on disk.
        if not (os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK)):
            return []
        with tempfile.TemporaryDirectory(prefix="dalil-video-", dir="/dev/shm") as d:
            os.chmod(d, 0o700)
            p = Path(d) / "video"
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            frames = _ffmpeg(str(p), None, every, max_frames)
    return [(round(i * every, 3), f) for i, f in enumerate(frames)]
