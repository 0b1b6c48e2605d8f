"""The two revisions to compare, taken out of git: ``git archive`` for a commit, the
tracked and unignored files for the working tree."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

from reportc.errors import ReportError
from reportc.project.config import CONFIG_NAME
from reportc.project.git import run_git

GIT_TIMEOUT = 60


def git(cwd: Path, *args: str) -> str:
    """git's output as text; a :class:`ReportError` naming what failed otherwise."""
    return _text(_run(cwd, *args), args[0])


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    done = run_git(cwd, *args, timeout=GIT_TIMEOUT)
    if done is None:
        raise ReportError(f"reportc diff: git {args[0]} could not run "
                          f"(is git installed? it has {GIT_TIMEOUT} s)")
    return done


def _text(done: subprocess.CompletedProcess[bytes], command: str) -> str:
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReportError(f"reportc diff: git {command} failed: "
                          f"{detail[-1] if detail else done.returncode}")
    return done.stdout.decode("utf-8", "replace").strip()


def describe_rev(repo: Path, rev: str) -> str:
    commit = git(repo, "rev-parse", "--short", f"{rev}^{{commit}}")
    return rev if rev.startswith(commit) else f"{rev} ({commit})"


def extract_revision(repo: Path, rev: str, prefix: str, target: Path) -> Path:
    """The report directory as it was at ``rev``, unpacked into ``target``."""
    try:
        git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except ReportError:
        raise ReportError(f"reportc diff: unknown revision '{rev}'") from None
    done = _run(repo, "archive", "--format=tar", rev, "--", prefix if prefix != "." else ".")
    if done.returncode != 0:
        raise ReportError(f"reportc diff: cannot read '{prefix}' at {rev}: "
                          f"{done.stderr.decode('utf-8', 'replace').strip()}")
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        try:
            archive.extractall(target, filter="data")  # no links out, no odd modes
        except TypeError:  # Python 3.11.0-3.11.3 has no filters
            archive.extractall(target)
    root = target / prefix
    if not (root / CONFIG_NAME).is_file():
        raise ReportError(f"reportc diff: there is no {CONFIG_NAME} in '{prefix}' at {rev}")
    return root


def copy_working_tree(repo: Path, prefix: str, target: Path) -> Path:
    """Tracked and untracked-but-not-ignored files of the report directory, as they are now."""
    listing = git(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                  prefix)
    for rel in filter(None, listing.split("\0")):
        source = repo / rel
        if source.is_file():
            destination = target / rel
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    root = target / prefix
    root.mkdir(parents=True, exist_ok=True)
    return root
