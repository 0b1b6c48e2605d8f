"""A document's front matter, read as Quarto and pandoc read it, where a project's
settings need it before its chapters are read (its title, format, draft, bibliography)."""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any

import yaml


def front_matter(root: Path, name: str) -> tuple[dict[str, Any], str]:
    """A document's front matter, read (``{}`` if it has none or it is not a mapping:
    reported where the chapter is read, as are bytes that are not UTF-8), and its text.
    A project's settings ask a document several times (its title, format, draft,
    bibliography, a listing's fields): it is read once while the file is unchanged, and
    each caller gets its own copy."""
    path = root / name
    stat = path.stat()
    meta, block = _read(str(path), stat.st_mtime_ns, stat.st_size)
    return copy.deepcopy(meta), block


@functools.lru_cache(maxsize=4096)
def _read(path: str, _mtime: int, _size: int) -> tuple[dict[str, Any], str]:
    """The front matter of the file at ``path`` as it is at that time and size."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    match = re.match(r"---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*\n", text.replace("\r\n", "\n"),
                     re.S)
    if not match:
        return {}, ""
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, ""
    return (meta, match.group(1)) if isinstance(meta, dict) else ({}, "")
