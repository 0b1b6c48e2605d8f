"""What reportc reads of a chapter's Markdown text itself, before pandoc does: which lines
are fenced code (```` ``` ```` or ``~~~``, closed by a fence of the same character at least
as long), where brackets and ``:::`` markers mean nothing."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^(`{3,}|~{3,})")


class Fences:
    """Feed it each line in order; it says whether the line belongs to fenced code."""

    def __init__(self) -> None:
        self.opened: tuple[str, int] | None = None  # (fence, line number) of an open fence

    def inside(self, number: int, stripped: str) -> bool:
        """Is line ``number`` (stripped of spaces) fenced code, opening and closing fence
        lines included?"""
        if self.opened:
            fence = self.opened[0]
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                self.opened = None
            return True
        if match := _FENCE.match(stripped):
            self.opened = (match.group(1), number)
            return True
        return False
