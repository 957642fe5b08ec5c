"""The one private temporary folder: for files that must exist on a file system for a
moment (an uploaded list or roster handed to a reader that takes a path, a report being
rendered before it is sent).

Each use gets its own folder, mode 0700, inside the case folder's ``tmp/`` (mode 0700),
never in a shared system folder; files in it are written 0600 and the folder is removed
when the ``with`` block ends, whatever happens. Folders left by a crash stay inside the
case folder, under the case's own permissions, where :func:`sweep` removes them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Name of the private temporary area inside a case folder.
TEMP_DIR = "tmp"


def _area(case_root: Path) -> Path:
    base = Path(case_root) / TEMP_DIR
    base.mkdir(mode=0o700, exist_ok=True)
    os.chmod(base, 0o700)
    return base


@contextmanager
def private_tempdir(case_root: Path, prefix: str = "dalil-") -> Iterator[Path]:
    """A fresh 0700 folder under the case's ``tmp/``, removed when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=_area(case_root)))  # 0700
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_private(folder: Path, name: str, data: bytes) -> Path:
    """Write *data* to a new file *name* (0600; refuses to overwrite) in *folder*."""
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path


def sweep(case_root: Path, *, older_than: float = 24 * 3600) -> list[str]:
    """Remove folders of the private area older than *older_than* seconds (left by a
    crash); returns their names."""
    base = Path(case_root) / TEMP_DIR
    if not base.is_dir():
        return []
    now = time.time()
    gone: list[str] = []
    for p in base.iterdir():
        try:
            if now - p.lstat().st_mtime < older_than:
                continue
        except OSError:
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        gone.append(p.name)
    return gone
