"""The one answer to "is this path inside the report?": paths are resolved first (symbolic
links followed, ``..`` gone), so neither a link nor ``../`` can lead out of the report."""

from __future__ import annotations

from pathlib import Path


def inside(path: Path, root: Path) -> bool:
    """Is ``path``, resolved, ``root`` or below it?"""
    return path.resolve().is_relative_to(root.resolve())


def relative(path: Path, root: Path, outside: str | None = None) -> str:
    """``path`` as messages name it: relative to ``root`` with '/'; if it is not inside,
    ``outside`` (default: the path as given)."""
    if inside(path, root):
        return path.resolve().relative_to(root.resolve()).as_posix()
    return str(path) if outside is None else outside
