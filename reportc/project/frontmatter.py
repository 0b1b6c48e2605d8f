"""A document's front matter, read as Quarto and pandoc read it, where a project's
settings need it before its chapters are read (its title, format, draft, bibliography)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml


def front_matter(root: Path, name: str) -> tuple[dict[str, Any], str]:
    """A document's front matter, read (``{}`` if it has none or it is not a mapping:
    reported where the chapter is read, as are bytes that are not UTF-8), and its text."""
    text = (root / name).read_text(encoding="utf-8", errors="replace")
    match = re.match(r"---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*\n", text.replace("\r\n", "\n"),
                     re.S)
    if not match:
        return {}, ""
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, ""
    return (meta, match.group(1)) if isinstance(meta, dict) else ({}, "")
