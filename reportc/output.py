"""Output safety: artifacts appear in ``out/`` all together or not at all.

Everything is written into a staging folder inside the output folder (same
filesystem, so each move is an atomic rename). Only when every artifact is
written are they synced to disk and moved into place; a failure anywhere
(including a full disk) leaves the previous artifacts byte-identical and removes
the staging folder. If the moves themselves fail halfway, the files already
replaced are restored from hard-linked copies of the previous ones.

A build killed outright (``kill -9``) cannot clean up after itself: its staging
folder carries its process id, and the next build removes staging folders whose
process is gone. The previous artifacts are untouched either way, since nothing
is written to their names except by rename.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reportc.errors import BuildFailed, Problem

STAGING_PREFIX = ".reportc-stage-"  # on disk: unchanged, so older leftovers are recognised
_STAGING_NAME = re.compile(re.escape(STAGING_PREFIX) + r"(\d+)-")
_UNOWNED_STALE_SECONDS = 3600  # staging folders without a process id (older reportc)
_BACKUP = ".previous"


@dataclass
class Staging:
    path: Path
    out_dir: Path

    def commit(self) -> list[Path]:
        """Move staged files into the output folder, each by an atomic rename.

        Files are synced first, so a crash right after a rename cannot leave an
        artifact with missing contents. On failure the renames done so far are
        undone and the error is raised.
        """
        files = sorted(p for p in self.path.rglob("*") if p.is_file())
        for source in files:
            _fsync(source)
        backups = self.path / _BACKUP
        moved: list[tuple[Path, Path | None]] = []
        try:
            for source in files:
                target = self.out_dir / source.relative_to(self.path)
                target.parent.mkdir(parents=True, exist_ok=True)
                backup = None
                if target.is_file():
                    backup = backups / source.relative_to(self.path)
                    backup.parent.mkdir(parents=True, exist_ok=True)
                    _keep_copy(target, backup)
                os.replace(source, target)
                moved.append((target, backup))
        except BaseException:
            _roll_back(moved)
            raise
        for folder in sorted({target.parent for target, _ in moved}):
            _fsync_dir(folder)
        return [target for target, _ in moved]


@contextmanager
def staging_folder(out_dir: Path) -> Iterator[Staging]:
    """A staging folder in ``out_dir``; write into it, then :meth:`Staging.commit`."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out_dir))
    except OSError as exc:
        raise _write_failure(exc, out_dir, None) from exc
    try:
        yield Staging(staging, out_dir)
    except OSError as exc:
        raise _write_failure(exc, out_dir, staging) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def remove_stale_staging(out_dir: Path) -> list[Path]:
    """Remove staging folders left by builds that were killed; return what was removed."""
    removed = []
    for folder in out_dir.glob(STAGING_PREFIX + "*"):
        if not folder.is_dir() or folder.is_symlink():
            continue
        match = _STAGING_NAME.match(folder.name)
        if match:
            stale = not _process_alive(int(match.group(1)))
        else:
            stale = time.time() - folder.stat().st_mtime > _UNOWNED_STALE_SECONDS
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False
    return True


def _keep_copy(target: Path, backup: Path) -> None:
    """A copy of the previous artifact to restore if the commit fails (a hard link if possible)."""
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)


def _roll_back(moved: list[tuple[Path, Path | None]]) -> None:
    for target, backup in reversed(moved):
        try:
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        except OSError:
            pass  # keep restoring the others


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot sync a directory; the renames are done regardless
    finally:
        os.close(fd)


def _write_failure(exc: OSError, out_dir: Path, staging: Path | None) -> BuildFailed:
    """An :class:`OSError` while writing, as a message a writer can act on."""
    name = str(exc.filename or "")
    if staging is not None and name.startswith(str(staging)):
        name = str(out_dir / Path(name).relative_to(staging))
    reason = exc.strerror or str(exc)
    advice = " (free some disk space and build again)" if exc.errno == errno.ENOSPC else ""
    return BuildFailed([Problem(f"could not write the output: {reason}{advice}; the previous "
                                "output is left unchanged", name or str(out_dir))])
