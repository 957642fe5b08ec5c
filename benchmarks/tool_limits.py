"""What running external tools bounded costs: ExifTool and ffprobe on a fictional JPEG,
and Tesseract on a fictional rendered line, through ``dalil.media.tool.run_tool`` (own
process group, rlimits incl. no file written, stderr dropped, capped output read by a
thread) against the baseline ``subprocess.run(capture_output=True)`` with the same
arguments, interleaved, median of N runs each.

    python benchmarks/tool_limits.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from collections.abc import Callable

from dalil.media.tool import run_tool
from dalil.synth.media_images import jpeg, scene


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f}  runs: {args.runs} each")
    photo = jpeg(scene(3))
    cases = {
        "exiftool -j": ["exiftool", "-j", "-n", "-G1", "-a", "-q", "-q", "-"],
        "ffprobe json": ["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                         "-show_streams", "-i", "pipe:0"],
        "tesseract tsv": ["tesseract", "stdin", "stdout", "-l", "eng", "--psm", "3", "tsv"],
    }  # fmt: skip
    print(f"{'tool':<16}{'baseline ms':>12}{'bounded ms':>12}{'ratio':>8}")
    for name, argv in cases.items():
        base = lambda a=argv: subprocess.run(a, input=photo, capture_output=True, check=False)  # noqa: E731
        bounded = lambda a=argv, n=name: run_tool(a, photo, n, ok_codes=(0, 1))  # noqa: E731
        base()
        bounded()  # warm the page cache
        b_ms, r_ms = 0.0, 0.0
        for _ in range(2):  # interleave, so load changes hit both alike
            b_ms += _median_ms(base, args.runs // 2 or 1) / 2
            r_ms += _median_ms(bounded, args.runs // 2 or 1) / 2
        print(f"{name:<16}{b_ms:>12.1f}{r_ms:>12.1f}{r_ms / b_ms:>8.2f}")
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
