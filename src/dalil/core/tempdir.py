"""The one private temporary folder: for files that must exist on a file system for a
moment (an uploaded list or roster handed to a reader that takes a path, a report being
rendered before it is sent).

Each use gets its own folder, mode 0700, inside the case folder's ``tmp/`` (mode 0700),
never in a shared system folder; files in it are written 0600 and the folder is removed
when the ``with`` block ends, whatever happens. Folders left by a crash (``kill -9``)
stay inside the case folder, under the case's own permissions, where :func:`sweep` removes
them when the case is next opened: a folder's name carries the id of the process that
made it, so one whose process is gone is removed at once, any other after a day.

Exports are built here too and only :func:`publish`-ed (moved) to where the user asked
when complete, with folders 0700 and files 0600 whatever the umask.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
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
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}p{os.getpid()}.", dir=_area(case_root)))
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


_OWNER = re.compile(r"p(\d+)\.[A-Za-z0-9_]+$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def sweep(case_root: Path, *, older_than: float = 24 * 3600) -> list[str]:
    """Remove what a crash left in the private area: folders whose process is gone
    (at once) and anything older than *older_than* seconds; returns their names."""
    base = Path(case_root) / TEMP_DIR
    if not base.is_dir():
        return []
    now = time.time()
    gone: list[str] = []
    for p in base.iterdir():
        try:
            m = _OWNER.search(p.name)
            dead = m is not None and not _alive(int(m.group(1)))
            if not dead and now - p.lstat().st_mtime < older_than:
                continue
        except OSError:
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        gone.append(p.name)
    return gone


def make_private(path: Path) -> None:
    """Folders 0700 and files 0600 under (and including) *path*, whatever the umask."""
    if path.is_dir() and not path.is_symlink():
        os.chmod(path, 0o700)
        for dirpath, dirnames, filenames in os.walk(path):
            for d in dirnames:
                os.chmod(os.path.join(dirpath, d), 0o700)
            for f in filenames:
                fp = os.path.join(dirpath, f)
                if not os.path.islink(fp):
                    os.chmod(fp, 0o600)
    elif path.exists() and not path.is_symlink():
        os.chmod(path, 0o600)


def publish(built: Path, dest: Path) -> None:
    """Move a finished export from the private area to *dest* (which must not exist),
    private (0700/0600). On the same file system this is one rename: nothing partial is
    ever outside the case folder. Across file systems it is copied to a hidden private
    sibling of *dest* and renamed when complete (removed if the copy fails)."""
    make_private(built)
    try:
        os.rename(built, dest)
        return
    except OSError as e:
        if e.errno != errno.EXDEV:
            raise
    staged = dest.parent / f".{dest.name}.partial-{secrets.token_hex(4)}"
    try:
        if built.is_dir():
            os.mkdir(staged, 0o700)
            shutil.copytree(built, staged, dirs_exist_ok=True)
        else:
            shutil.copyfile(built, staged)
        make_private(staged)
        os.rename(staged, dest)
    except BaseException:
        if staged.is_dir():
            shutil.rmtree(staged, ignore_errors=True)
        else:
            staged.unlink(missing_ok=True)
        raise
