"""Trust checks before pandoc: paragraphs with many unmatched ``[``.

pandoc's Markdown reader backtracks exponentially on unmatched brackets, so a build would
stall on a paragraph with many of them; such a paragraph is refused before pandoc reads it,
and a stall that happens anyway is explained with the paragraph most likely behind it.
The other trust checks are :mod:`reportc.sandbox.checks`.
"""

from __future__ import annotations

from reportc.errors import Diagnostics
from reportc.project.chapters import Chapter
from reportc.project.markdown import Fences

BRACKET_LIMIT = 12  # unmatched '[' in one paragraph (12: ~0.5 s, 20: ~25 s in pandoc 3.9)


def check_brackets(chapter: Chapter, diag: Diagnostics) -> bool:
    """Refuse a paragraph with many unmatched ``[`` before pandoc stalls on it."""
    ok = True
    for start, lines in _paragraphs(chapter.text):
        unmatched = _unmatched_brackets(lines)
        if len(unmatched) >= BRACKET_LIMIT:
            line = start + unmatched[0][0]
            diag.error(f"{len(unmatched)} '[' without a matching ']' in one paragraph: pandoc's "
                       "Markdown reader slows down exponentially on them (write a literal "
                       "bracket as '\\[')", chapter.rel, line)
            ok = False
    return ok


def stall_hint(chapter: Chapter) -> tuple[int | None, str]:
    """Where a pandoc stall most likely comes from: ``(line, advice)``, or ``(None, '')``."""
    best: tuple[int, int] | None = None
    for start, lines in _paragraphs(chapter.text):
        count = sum(line.count("[") for line in lines)
        if count >= 6 and (best is None or count > best[1]):
            best = (start, count)
    if best is None:
        return None, ""
    return best[0], (f"most likely the paragraph starting here: {best[1]} '[' in one paragraph "
                     "make pandoc's Markdown reader backtrack exponentially (write literal "
                     "brackets as '\\[' or split the paragraph)")


def _paragraphs(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks outside fenced code: ``(first line number, lines)``."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 1
    fences = Fences()
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if fences.inside(number, stripped) or not stripped:
            if current:
                blocks.append((start, current))
            current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, current))
    return blocks


def _unmatched_brackets(lines: list[str]) -> list[tuple[int, int]]:
    """``(line offset, column)`` of each ``[`` never closed, ignoring escapes and code."""
    stack: list[tuple[int, int]] = []
    ticks = 0
    for offset, line in enumerate(lines):
        index = 0
        while index < len(line):
            char = line[index]
            if char == "\\":
                index += 2
                continue
            if char == "`":
                run = len(line[index:]) - len(line[index:].lstrip("`"))
                ticks = 0 if ticks == run else (ticks or run)
                index += run
                continue
            if not ticks:
                if char == "[":
                    stack.append((offset, index))
                elif char == "]" and stack:
                    stack.pop()
            index += 1
    return stack
