"""Keyframes of a video at a fixed interval, as PNG images (ffmpeg).

The video goes to ffmpeg on standard input; a container that cannot be read from a
pipe (an MP4 whose index is at the end) is written for the moment of the call to a
private temporary folder in memory (``/dev/shm`` where it exists; mode 0700, file 0600)
and removed in a ``finally``. Frames come back on standard output.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

from dalil.errors import InputError

EVERY_SECONDS = 5.0
MAX_FRAMES = 120
TIMEOUT_S = 600
_PNG = b"\x89PNG\r\n\x1a\n"


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _split_png(stream: bytes) -> list[bytes]:
    parts = stream.split(_PNG)
    return [_PNG + p for p in parts if p]


def _ffmpeg(src: str, data: bytes | None, every: float, max_frames: int) -> list[bytes]:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise InputError("ffmpeg is not installed (needed for video keyframes)")
    args = [exe, "-v", "error", "-nostdin" if data is None else "-hide_banner", "-i", src,
            "-vf", f"fps=1/{every},scale='min(1280,iw)':-2", "-frames:v", str(max_frames),
            "-f", "image2pipe", "-vcodec", "png", "-"]  # fmt: skip
    try:
        proc = subprocess.run(
            args, input=data, capture_output=True, timeout=TIMEOUT_S, check=False,
            preexec_fn=_limits, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise InputError(f"keyframes: took longer than {TIMEOUT_S} s; stopped") from None
    if proc.returncode != 0:
        return []
    return _split_png(proc.stdout)


def keyframes(
    data: bytes, every: float = EVERY_SECONDS, max_frames: int = MAX_FRAMES
) -> list[tuple[float, bytes]]:
    """``(seconds, png)`` every *every* seconds (at most *max_frames*)."""
    frames = _ffmpeg("pipe:0", data, every, max_frames)
    if not frames:
        base = "/dev/shm" if os.path.isdir("/dev/shm") else None
        with tempfile.TemporaryDirectory(prefix="dalil-video-", dir=base) as d:
            os.chmod(d, 0o700)
            p = Path(d) / "video"
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            frames = _ffmpeg(str(p), None, every, max_frames)
    return [(round(i * every, 3), f) for i, f in enumerate(frames)]
