"""A document's front matter, read as Quarto and pandoc read it, where a project's
settings need it before its chapters are read (its title, format, draft, bibliography)."""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any

import yaml

from reportc.errors import Diagnostics


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


# a front matter block: between a first line '---' and a line '---' or '...' (the file
# may end there)
_BLOCK = re.compile(r"---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)", re.S)


def only_front_matter(root: Path, name: str) -> bool:
    """Is the file ``name`` a front matter block and nothing else (pandoc's manual's
    ``title.txt``)?"""
    text = (root / name).read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
    block = _BLOCK.match(text)
    return block is not None and not text[block.end():].strip()


@functools.lru_cache(maxsize=4096)
def _read(path: str, _mtime: int, _size: int) -> tuple[dict[str, Any], str]:
    """The front matter of the file at ``path`` as it is at that time and size."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    match = _BLOCK.match(text.replace("\r\n", "\n"))
    if not match:
        return {}, ""
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, ""
    return (meta, match.group(1)) if isinstance(meta, dict) else ({}, "")


def split_front_matter(raw: str, rel: str, diag: Diagnostics) -> tuple[dict, str]:
    """Return (front matter, text with the front matter lines blanked)."""
    lines = raw.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, raw
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        diag.error("front matter opened with '---' is never closed", rel, 1)
        return {}, raw
    block = "\n".join(lines[1:end])
    blanked = "\n" * end + "\n" + "\n".join(lines[end + 1:])
    try:
        meta = yaml.safe_load(block) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        diag.error(f"invalid front matter: {getattr(exc, 'problem', exc)}", rel, line)
        return {}, blanked
    except (ValueError, OverflowError) as exc:  # a date YAML reads but Python cannot hold
        line, value = unreadable_date(yaml.compose(block, Loader=yaml.SafeLoader))
        diag.error(f"invalid front matter: invalid date '{value}' ({exc})", rel, line + 1)
        return {}, blanked
    if not isinstance(meta, dict):
        diag.error("front matter must be a mapping (kind: ..., numbered: ...)", rel, 2)
        return {}, blanked
    meta["_lines"] = {str(k): front_line(lines, k) for k in meta}
    return meta, blanked


def front_line(lines: list[str], key: object) -> int:
    return next((n for n, line in enumerate(lines, 1) if line.startswith(f"{key}:")), 1)


def block_line(block: str, key: object) -> int:
    """The file's line of ``key:`` in a front matter ``block`` (its text after the opening
    ``---``, which is line 1), or 1 where the block does not write it."""
    return front_line(["---", *block.split("\n")], key)


def unreadable_date(node: Any) -> tuple[int, str]:
    """Line and text of the first timestamp (``date: 2026-13-45``) that is no date."""
    stack = [node]
    while stack:
        current = stack.pop(0)
        if isinstance(current, yaml.ScalarNode) and current.tag.endswith(":timestamp"):
            try:
                yaml.SafeLoader("").construct_yaml_timestamp(current)
            except (ValueError, OverflowError):
                return current.start_mark.line + 1, current.value
        elif isinstance(current, yaml.MappingNode):
            stack += [item for pair in current.value for item in pair]
        elif isinstance(current, yaml.SequenceNode):
            stack += current.value
    return 1, ""
