"""Output safety: artifacts appear in ``out/`` all together or not at all.

Everything is written into a staging folder inside the output folder (same
filesystem, so each move is an atomic rename). Only when every artifact is
written are they synced to disk and moved into place; a failure anywhere
(including a full disk) leaves the previous artifacts byte-identical and removes
the staging folder. If the moves themselves fail halfway, the files already
replaced are restored from hard-linked copies of the previous ones.

``out/`` holds exactly the current build's artifacts: a manifest
(``.reportc-outputs.json``) lists what each kind of build (the report, a
redline) last wrote, and the commit removes the files an earlier build of the
same kind wrote under other names (a draft PDF beside the release files, a
figure no chapter uses any more). Those removals are part of the same commit:
if it fails, they are restored too. Files the manifest never listed are never
touched, so ``--out`` at a folder with other files in it is safe.

A build killed outright (``kill -9``) cannot clean up after itself: its staging
folder carries its process id, and the next build removes staging folders whose
process is gone. The previous artifacts are untouched either way, since nothing
is written to their names except by rename.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reportc.errors import BuildFailed, ConfigError, Problem

STAGING_PREFIX = ".reportc-stage-"  # on disk: unchanged, so older leftovers are recognised
_STAGING_NAME = re.compile(re.escape(STAGING_PREFIX) + r"(\d+)-")
_UNOWNED_STALE_SECONDS = 3600  # staging folders without a process id (older reportc)
_BACKUP = ".previous"
MANIFEST = ".reportc-outputs.json"


@dataclass
class Staging:
    path: Path
    out_dir: Path
    family: str = "report"  # what kind of build writes here: "report" or "redline"

    def commit(self) -> list[Path]:
        """Move staged files into the output folder, each by an atomic rename.

        Files are synced first, so a crash right after a rename cannot leave an
        artifact with missing contents. On failure the renames done so far are
        undone and the error is raised. A file the output folder holds already, byte
        for byte, is left as it is: after an edit most are (stylesheets, fonts,
        figures), and syncing each cost an edit of 200 pages 0.2-0.5 s.
        """
        files = sorted(p for p in self.path.rglob("*") if p.is_file())
        names = [p.relative_to(self.path).as_posix() for p in files]
        stale = self._stale(names)
        _write_manifest(self.path / MANIFEST, self.out_dir, self.family, names)
        files.append(self.path / MANIFEST)
        files = [source for source in files
                 if not _same_file(source, self.out_dir / source.relative_to(self.path))]
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
            for target in stale:  # moved aside, so that a failure can put them back
                backup = self.path / ".stale" / target.relative_to(self.out_dir)
                backup.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, backup)
                moved.append((target, backup))
        except BaseException:
            _roll_back(moved)
            raise
        _remove_empty_folders(self.out_dir, stale)
        for folder in sorted({target.parent for target, _ in moved if target.exists()}):
            _fsync_dir(folder)
        return [self.out_dir / name for name in names]

    def _stale(self, names: list[str]) -> list[Path]:
        """Files the last build of this kind wrote that this one does not."""
        listed = _read_manifest(self.out_dir).get(self.family, [])
        current = set(names)
        return [self.out_dir / name for name in listed
                if name not in current and _owned_name(name) and (self.out_dir / name).is_file()]


def _read_manifest(out_dir: Path) -> dict[str, list[str]]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): [str(n) for n in v] for k, v in data.items() if isinstance(v, list)}


def _write_manifest(path: Path, out_dir: Path, family: str, names: list[str]) -> None:
    manifest = {**_read_manifest(out_dir), family: sorted(names)}
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _owned_name(name: str) -> bool:
    """A manifest entry this module may delete: relative, inside, not hidden."""
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and \
        not any(part in ("..", "") or part.startswith(".") for part in parts)


def _remove_empty_folders(out_dir: Path, removed: list[Path]) -> None:
    for target in removed:
        folder = target.parent
        while folder != out_dir and folder.is_relative_to(out_dir):
            try:
                folder.rmdir()
            except OSError:
                break  # not empty
            folder = folder.parent


@contextmanager
def staging_folder(out_dir: Path, family: str = "report") -> Iterator[Staging]:
    """A staging folder in ``out_dir``; write into it, then :meth:`Staging.commit`.
    ``family``: the kind of build, whose earlier artifacts the commit replaces."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out_dir))
    except OSError as exc:
        raise _write_failure(exc, out_dir, None) from exc
    try:
        yield Staging(staging, out_dir, family)
    except OSError as exc:
        raise _write_failure(exc, out_dir, staging) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_out_dir(out_dir: Path) -> None:
    """Refuse, before any work, an output folder that is a file (or lies below one)."""
    for folder in (out_dir, *out_dir.parents):
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                what = "is a file" if folder == out_dir else f"is inside {folder}, a file"
                raise ConfigError(f"{out_dir}: the output folder {what}, not a folder; give "
                                  "--out a folder (it is created if missing)")
            return


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


def _same_file(staged: Path, target: Path) -> bool:
    """Does ``target`` hold the staged file's bytes already (a file, not a link)?"""
    try:
        return not target.is_symlink() and target.is_file() and \
            target.stat().st_size == staged.stat().st_size and \
            target.read_bytes() == staged.read_bytes()
    except OSError:
        return False


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
