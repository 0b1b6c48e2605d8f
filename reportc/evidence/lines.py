"""Source lines for what the AST says: the AST has no positions, so a quotation, a
sentence or a citation is found again in the chapter's Markdown, in reading order."""

from __future__ import annotations

import re

from reportc.project.chapters import Chapter

_WORD = re.compile(r"[^\W_]+")
FIRST_WORDS = 6


class Locator:
    """Finds text in one chapter, each search starting where the previous one matched
    (then from the top: a footnote's text may stand at the end of the file)."""

    def __init__(self, chapter: Chapter):
        self.text = chapter.text
        self.cursor = 0
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", self.text)]

    def line(self, offset: int) -> int:
        low, high = 0, len(self.starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1

    def find(self, text: str, *, move: bool = True) -> int | None:
        """The line where ``text``'s first words are (markup, quotes and line breaks may
        stand between them); ``None`` if they are not found."""
        words = _WORD.findall(text)[:FIRST_WORDS]
        if not words:
            return None
        pattern = re.compile(r"[\W_]+".join(re.escape(w) for w in words))
        found = pattern.search(self.text, self.cursor) or pattern.search(self.text)
        if found is None:
            return None
        if move:
            self.cursor = found.start()
        return self.line(found.start())

    def find_key(self, key: str, after: int | None) -> int | None:
        """The line of ``@key`` at or after line ``after``."""
        start = self.starts[after - 1] if after else 0
        pattern = re.compile("@" + re.escape(key) + r"(?![\w:.#$%&+?<>~/-]*\w)")
        found = pattern.search(self.text, start) or pattern.search(self.text)
        return self.line(found.start()) if found else after
