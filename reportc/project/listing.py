"""The ``chapters:`` (and ``appendices:``) lists of report.yaml or _quarto.yml.

An item is a path from the report directory (``source/intro.md``, ``content/02.qmd``;
a bare name is looked for in ``chapters/`` first, as before) or a ``part:`` group with
its own ``chapters:``, as Quarto writes them. Each item keeps the file and line it is
written at, so that a missing chapter is reported there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Listed:
    """One listed chapter file."""

    name: str  # as written
    line: int
    file: str  # report.yaml or _quarto.yml
    kind: str = "chapter"  # or "appendix"
    part: str = ""  # the title of the part this chapter opens
    level: int = 0  # a Jupyter Book's section file: its depth under the chapter file before


Err = Callable[[str, str], None]


def listed_chapters(data: dict, lines: dict[str, int], files: dict[str, str], root: Path,
                    err: Err) -> list[Listed] | None:
    """Every listed chapter in order (``None`` if neither list is given)."""
    if "chapters" not in data and "appendices" not in data:
        return None
    listed: list[Listed] = []
    for key, kind in (("chapters", "chapter"), ("appendices", "appendix")):
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, list):
            err(key, f"'{key}' must be a list of chapter files (or part: groups)")
            continue
        file = files.get(key, "report.yaml")
        for index, item in enumerate(value):
            where = f"{key}[{index}]"  # (an item a Quarto profile adds: in its own file)
            listed.extend(_items(item, where, lines, files.get(where, file), kind, root, err))
    return listed


def _items(item: Any, where: str, lines: dict[str, int], file: str, kind: str, root: Path,
           err: Err) -> list[Listed]:
    line = lines.get(where) or lines.get(where.split("[")[0], 1)
    if isinstance(item, (str, int, float)):
        return [Listed(str(item), line, file, kind)]
    if isinstance(item, dict) and "part" in item:
        inner = item.get("chapters") or []
        if not isinstance(inner, list):
            err(where, "a part's 'chapters' must be a list of chapter files")
            return []
        part = part_title(str(item["part"]), root)
        found = [x for i, sub in enumerate(inner)
                 for x in _items(sub, f"{where}.chapters[{i}]", lines, file, kind, root, err)]
        if found:
            first = found[0]
            found[0] = Listed(first.name, first.line, first.file, first.kind, part, first.level)
        return found
    if isinstance(item, dict) and isinstance(item.get("file") or item.get("href"), str):
        return [Listed(str(item.get("file") or item.get("href")), line, file, kind,
                       level=_level(item.get("level")))]
    err(where, "each chapter is a file name or a group 'part: Title' with its 'chapters:'")
    return []


def _level(value: Any) -> int:
    """A Jupyter Book section's depth (0: a chapter)."""
    return value if isinstance(value, int) and value > 0 else 0


def part_title(value: str, root: Path) -> str:
    """A part is given by its title or by a file whose title it takes (Quarto's part page:
    front matter ``title:`` or its first ``#`` heading)."""
    path = (root / value).resolve()
    if not value.endswith((".qmd", ".md", ".Rmd")) or not path.is_relative_to(root.resolve()) \
            or not path.is_file():
        return value
    text = path.read_text(encoding="utf-8", errors="replace")
    front = re.match(r"---\n(.*?)\n---", text, re.S)
    if front:
        try:
            meta = yaml.safe_load(front.group(1))
        except yaml.YAMLError:
            meta = None
        if isinstance(meta, dict) and meta.get("title"):
            return str(meta["title"])
    heading = re.search(r"^#\s+(.+?)(?:\s*\{[^}]*\})?\s*$", text, re.M)
    return heading.group(1) if heading else Path(value).stem
