"""Source lines for what the AST says: the AST has no positions, so a quotation, a
sentence or a citation is found again in the chapter's Markdown, in reading order."""

from __future__ import annotations

import bisect
import re

from reportc.project.chapters import Chapter

_WORD = re.compile(r"[^\W_]+")
_LONGER_KEY = re.compile(r"[\w:.#$%&+?<>~/-]*\w")  # what would make @key a longer key
FIRST_WORDS = 6


class Locator:
    """Finds text in one chapter, each search starting where the previous one matched
    (then from the top: a footnote's text may stand at the end of the file)."""

    def __init__(self, chapter: Chapter):
        self.text = chapter.text
        self.cursor = 0  # a place in ``self.words``
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", self.text)]
        found = list(_WORD.finditer(self.text))
        self.offsets = [match.start() for match in found]
        # " w1 w2 … ": a run of words is found with str.find, no pattern to compile
        self.words = " " + " ".join(match.group() for match in found) + " "
        self.places = [0] * len(self.words)
        position = 1
        for number, match in enumerate(found):
            self.places[position] = number
            position += len(match.group()) + 1

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def find(self, text: str, *, move: bool = True) -> int | None:
        """The line where ``text``'s first words are (markup, quotes and line breaks may
        stand between them); ``None`` if they are not found."""
        words = _WORD.findall(text)[:FIRST_WORDS]
        if not words:
            return None
        needle = " " + " ".join(words) + " "
        place = self.words.find(needle, self.cursor)
        if place < 0:
            place = self.words.find(needle)
        if place < 0:
            return None
        if move:
            self.cursor = place
        return self.line(self.offsets[self.places[place + 1]])

    def find_key(self, key: str, after: int | None) -> int | None:
        """The line of ``@key`` at or after line ``after`` (else the first anywhere)."""
        start = self.starts[after - 1] if after else 0
        found = self._key_from("@" + key, start)
        if found is None:
            found = self._key_from("@" + key, 0)
        return self.line(found) if found is not None else after

    def _key_from(self, written: str, start: int) -> int | None:
        """Where ``written`` (``@key``) first stands from ``start`` on, not the start of a
        longer key. Found with str.find: a pattern per key (750 in a long bibliography)
        overflowed the re module's cache, and each was compiled again for every citation."""
        at = self.text.find(written, start)
        while at >= 0 and _LONGER_KEY.match(self.text, at + len(written)):
            at = self.text.find(written, at + 1)
        return at if at >= 0 else None
