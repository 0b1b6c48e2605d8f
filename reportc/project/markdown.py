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


_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")


def promote_sections(text: str) -> str:
    """A file whose first heading is ``##`` or deeper, with no ``# Title`` before it, with
    every ATX heading raised so that the first is level 1 (line numbers kept).

    Manubot writes a paper as content files that pandoc joins into one document, whose
    title (the one ``#`` level) comes from metadata.yaml: its content files start at
    ``## Abstract``, and a ``##`` section is the paper's top level. In a report that top
    level is a chapter, so the file's ``##`` sections are its chapters (split as a file of
    several ``#`` headings is), their ``###`` their sections."""
    fences = Fences()
    lines = text.split("\n")
    headings = [(index, match) for index, line in enumerate(lines)
                if not fences.inside(index + 1, line.strip()) and (match := _ATX.match(line))]
    if not headings or len(headings[0][1].group(2)) == 1:
        return text
    shift = len(headings[0][1].group(2)) - 1
    for index, match in headings:
        level = max(1, len(match.group(2)) - shift)
        lines[index] = match.group(1) + "#" * level + lines[index][match.end():]
    return "\n".join(lines)
