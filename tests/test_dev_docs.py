"""The developer docs (docs/dev/*.md) say their code runs: every ``python`` block of a
file is executed, in order, as one script in a fresh interpreter (so a model defined in a
walk-through does not join this test process's tables) with a private working folder
and no case settings from the environment. A block marked ``python no-run`` (code that
only runs inside another tool, such as an Alembic migration) is compiled, not run.
Nothing in the docs may point at a file outside the repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs" / "dev").glob("*.md"))
FENCE = re.compile(r"^```(python(?: no-run)?)\n(.*?)^```$", re.M | re.S)


def blocks(path: Path) -> list[tuple[str, int, str]]:
    text = path.read_text(encoding="utf-8")
    return [
        (m.group(1), text.count("\n", 0, m.start()) + 1, m.group(2)) for m in FENCE.finditer(text)
    ]


def test_the_docs_have_code_to_run() -> None:
    assert {p.name for p in DOCS} >= {"architecture.md", "services.md"}
    for path in DOCS:
        assert any(kind == "python" for kind, _, _ in blocks(path)), path.name


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_every_python_block_runs(path: Path, tmp_path: Path) -> None:
    script = ["import sys"]
    for kind, line, code in blocks(path):
        compile(code, f"{path.name}:{line}", "exec")  # every block is valid Python
        if kind == "python":
            script.append(f"exec(compile({code!r}, {f'{path.name}:{line}'!r}, 'exec'))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DALIL_")}
    env["PYTHONPATH"] = str(ROOT / "src")
    env["TMPDIR"] = str(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", "\n".join(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_the_runner_fails_on_a_broken_block(tmp_path: Path) -> None:
    doc = tmp_path / "broken.md"
    doc.write_text("```python\nfrom dalil.services import persons\npersons.no_such()\n```\n")
    [(kind, _, code)] = blocks(doc)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert kind == "python" and proc.returncode != 0 and "no_such" in proc.stderr


def test_nothing_points_outside_the_repository() -> None:
    outside = re.compile(r"/work/|DESIGN\.md")
    files = [*DOCS, *(ROOT / "docs").glob("*.md"), ROOT / "README.md"]
    files += [p for p in (ROOT / "src").rglob("*.py")] + list((ROOT / "benchmarks").glob("*.py"))
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in files
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if outside.search(line)
    ]
    assert found == []
