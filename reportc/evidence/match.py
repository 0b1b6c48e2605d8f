"""Is a quotation in a source? Both are reduced to their letters and digits, so quotes,
apostrophes, dashes, whitespace, line breaks, hyphenation and markup cannot differ; what is
left must be equal, case included except at the start of the quotation (and after an
ellipsis). An ellipsis stands for omitted words in order; ``[t]he``-style brackets for any
letters. For a quotation that is not found, the closest passage of the source is the run
of source words most of the quotation's words line up with."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

_ELLIPSIS = re.compile(r"\.\s*\.\s*\.|…")
_BRACKET = re.compile(r"\[[^\[\]]*\]")
_RUN = re.compile(r"[^\W_]+")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
OMITTED = 3000  # letters an ellipsis may stand for (a few paragraphs)
BRACKETED = 40  # letters a [bracketed] change may stand for
SHOWN = 300  # characters of a closest passage shown


@dataclass
class SourceIndex:
    """One source file's text, ready for quotations to be looked up in it."""

    text: str
    letters: str  # the letters and digits of ``text``, compatibility-normalised
    words: list[str] = field(default_factory=list)  # lower-case words, for closest passages
    spans: list[tuple[int, int]] = field(default_factory=list)  # each word's place in text
    places: dict[str, list[int]] = field(default_factory=dict)  # word -> its indexes


def index_source(text: str) -> SourceIndex:
    letters = "".join(letters_of(match.group()) for match in _RUN.finditer(text))
    index = SourceIndex(text, letters)
    places: dict[str, list[int]] = defaultdict(list)
    for number, match in enumerate(_WORD.finditer(text)):
        word = letters_of(match.group()).lower()
        index.words.append(word)
        index.spans.append(match.span())
        places[word].append(number)
    index.places = dict(places)
    return index


def letters_of(text: str) -> str:
    """Letters and digits only (ligatures and full-width forms as their plain letters)."""
    if text.isascii():
        return text if text.isalnum() else "".join(ch for ch in text if ch.isalnum())
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


@dataclass(frozen=True)
class Segment:
    pattern: re.Pattern[str]  # over SourceIndex.letters
    longest: int  # the most letters it can match


def quote_pattern(quote: str) -> list[Segment] | None:
    """The quotation as the patterns of its parts between ellipses, over
    :attr:`SourceIndex.letters` (``None`` if it has no letters: nothing to check)."""
    segments = []
    for segment in _ELLIPSIS.split(quote):
        pieces, first, longest = [], True, 0
        for index, piece in enumerate(_BRACKET.split(segment)):
            if index:
                pieces.append(f"[^\\W_]{{0,{BRACKETED}}}?")
                first, longest = False, longest + BRACKETED
            letters = letters_of(piece)
            if first and letters:
                pieces.append(f"[{re.escape(letters[0].lower())}{re.escape(letters[0].upper())}]")
                letters, first, longest = letters[1:], False, longest + 1
            pieces.append(re.escape(letters))
            longest += len(letters)
        if any(letters_of(p) for p in _BRACKET.split(segment)):
            segments.append(Segment(re.compile("".join(pieces)), longest))
    return segments or None


def found_in(segments: list[Segment], source: SourceIndex) -> bool:
    """Are the parts in the source in order, each within :data:`OMITTED` letters of the
    one before? Each part is taken at its earliest place after the previous one, which
    leaves the most room for the rest (no backtracking, however many ellipses)."""
    letters = source.letters
    for start in segments[0].pattern.finditer(letters):
        end = start.end()
        for segment in segments[1:]:
            found = segment.pattern.search(letters, end, end + OMITTED + segment.longest)
            if found is None or found.start() - end > OMITTED:
                break
            end = found.end()
        else:
            return True
    return False


def closest(quote: str, source: SourceIndex) -> str:
    """The source passage the quotation's words line up with best: each word votes for an
    alignment, rare words more than common ones."""
    words = [letters_of(w).lower() for w in _WORD.findall(_BRACKET.sub(" ", quote))]
    votes: dict[int, float] = defaultdict(float)
    for offset, word in enumerate(words):
        places = source.places.get(word, [])
        for place in places:
            votes[place - offset] += 1 / len(places)
    if not votes:
        return ""
    start = max(votes, key=lambda s: (votes[s], -s))
    slack = max(2, len(words) // 4)  # words added or dropped shift the alignment a little
    window = range(max(0, start - slack), min(len(source.words), start + len(words) + slack))
    shared = [n for n in window if source.words[n] in set(words)]
    if not shared:
        return ""
    first, last = shared[0], shared[-1]
    passage = " ".join(source.text[source.spans[first][0]:source.spans[last][1]].split())
    return passage if len(passage) <= SHOWN else passage[:SHOWN].rsplit(" ", 1)[0] + " …"
