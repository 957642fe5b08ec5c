"""External tools run bounded: a tool that runs too long, writes too much or tries to
write a file is stopped, with a one-line error naming the step and nothing of the input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dalil.errors import InputError
from dalil.media.tool import ToolFailed, run_tool

SECRET = b"CANARY-fictional-statement-text"


def test_output_beyond_the_limit_is_stopped() -> None:
    t0 = time.monotonic()
    with pytest.raises(InputError, match="read the thing: output larger than 1 MB; stopped"):
        run_tool(["cat", "/dev/zero"], b"", "read the thing", max_output=1024**2, timeout=30)
    assert time.monotonic() - t0 < 10  # stopped at the limit, not at the timeout


def test_a_tool_that_hangs_is_stopped_at_the_timeout() -> None:
    t0 = time.monotonic()
    with pytest.raises(InputError, match=r"took longer than 0\.5 s; stopped") as e:
        run_tool(["sleep", "30"], SECRET, "wait", timeout=0.5)
    assert time.monotonic() - t0 < 5
    assert SECRET.decode() not in str(e.value)


def test_a_tool_writes_no_file(tmp_path: Path) -> None:
    target = tmp_path / "copy.bin"
    with pytest.raises(ToolFailed, match=r"copy: dd failed \(exit"):
        run_tool(["dd", f"of={target}"], SECRET * 1000, "copy")
    assert not target.exists() or target.stat().st_size == 0


def test_input_in_output_out_and_errors_without_content() -> None:
    assert run_tool(["cat"], SECRET, "echo") == SECRET
    with pytest.raises(ToolFailed) as e:
        run_tool(["sh", "-c", "cat >&2; exit 3"], SECRET, "fail")
    assert str(e.value) == "fail: sh failed (exit 3)"
    with pytest.raises(InputError, match="not installed"):
        run_tool(["no-such-tool-dalil"], b"", "do nothing")
