"""Bring a remark back to its source line: search its anchored text in the source index.

The anchor is folded like the index (:func:`reportc.review.index.fold`) and searched as a
pattern in which every run of digits is optional: a note number glued to a word
("deliveries12"), a section number before a heading ("1.1 Scope") or a page reference
are in the rendered text but not in the Markdown, while a digit the source has ("S-400")
must match. When the anchor occurs more than once, the text around it in the reviewed
file decides, and digits that agree count (in a table of years every row reads "row for
year", and only the digits tell them apart). If nothing matches, the search is repeated
without any digits, then with words dropped from either end of the anchor (the rendered
text may hold words the source does not, such as a narrative citation's author names).

An anchor inside a citation note is not in the sources at all (citeproc wrote the note);
it is placed where the note is called: the body text before the note's call is searched,
and the line is that of the citation that follows it in the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reportc.review.index import Source, SourceIndex, fold

CONTEXT = 60  # letters of context on each side that can decide between repeated anchors
POINT = 30  # letters on each side that place a remark with no anchored text
SHORTEST = 6  # the fewest letters a shortened anchor may keep
SHORTER = (20, 12, 8)  # the shorter stretches tried around a point
DROPPED_WORDS = 3  # the most words before a note's call that citeproc may have written


@dataclass
class Remark:
    """One reviewer remark read from a DOCX or a PDF."""

    author: str
    text: str  # the comment; for a suggested edit, the text to insert or delete
    kind: str = "comment"  # "comment", "insert", "delete", "format", "move-from", "move-to"
    anchor: str = ""  # the text it is attached to ("" for a point, e.g. an insertion)
    before: str = ""  # the text right before the anchor
    after: str = ""  # the text right after it
    page: int | None = None  # PDF page, from 1
    note_call: str | None = None  # in a note: the body text before the note's call
    order: int = 0
    comment: str = ""  # a suggested edit's own comment (a PDF strike-out's note)


@dataclass
class Placement:
    remark: Remark
    rel: str = ""
    line: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def placed(self) -> bool:
        return bool(self.rel)


def locate(index: SourceIndex, remark: Remark) -> Placement:
    """Where ``remark`` belongs; an unplaced :class:`Placement` if nowhere."""
    if remark.note_call is not None:
        found = _search(index, remark.anchor, remark.before, remark.after, notes=True)
        if found is None:
            found = _note_call(index, remark.note_call)
    else:
        found = _search(index, remark.anchor, remark.before, remark.after, notes=False) \
            or _search(index, remark.anchor, remark.before, remark.after, notes=True)
    if found is None:
        return Placement(remark)
    source, line = found
    return Placement(remark, source.rel, line)


def _search(index: SourceIndex, anchor: str, before: str, after: str, *, notes: bool
            ) -> tuple[Source, int] | None:
    folded = fold(anchor)
    if not folded:
        return _point(index, before, after, notes)
    hit = _find(index, folded, 0, before, after, notes)
    if hit is None and any(ch.isdigit() for ch in folded):
        bare = re.sub(r"\d", "", folded)
        if len(bare) >= SHORTEST:
            hit = _find(index, bare, 0, before, after, notes, digitless=True)
    if hit is None:
        hit = _shortened(index, anchor, before, after, notes)
    return None if hit is None else _line(index, hit)


def _point(index: SourceIndex, before: str, after: str, notes: bool
           ) -> tuple[Source, int] | None:
    """A remark with no anchored text (an insertion, a comment at a point): the letters on
    both sides of it, then shorter stretches (the text around a point may run into a
    caption, a note or the next chapter, which stand elsewhere in the source): those of
    its own paragraph, the letters before it, those after it, then fewer of them. The line
    is that of the letter before the point, or of the one after it at a paragraph's
    start (an insertion at the end of a box belongs inside the box)."""
    head, tail = fold(before)[-POINT:], fold(after)[:POINT]
    own_head = fold(before.rsplit("\n", 1)[-1])[-POINT:]
    own_tail = fold(after.split("\n", 1)[0])[:POINT]
    starts = not before.rstrip(" \t") or before.rstrip(" \t").endswith("\n")
    tries = [(head + tail, head), (own_head + own_tail, own_head), (head, head),
             (own_head, own_head), (tail, ""), (own_tail, "")]
    for size in SHORTER:
        tries += [(head[-size:], head[-size:]), (tail[:size], "")]
    for folded, left in tries:
        if len(re.sub(r"\d", "", folded)) < SHORTEST:
            continue
        marker = len(left) if starts or not left else len(left) - 1
        hit = _find(index, folded, min(marker, len(folded) - 1), before, after, notes)
        if hit is not None:
            return _line(index, hit)
    return None


def _shortened(index: SourceIndex, anchor: str, before: str, after: str, notes: bool
               ) -> int | None:
    """The anchor with words dropped from its start or its end (the fewest that give a
    match; the dropped words join the context, which decides between the two ends)."""
    words = anchor.split()
    for drop in range(1, len(words)):
        found: list[tuple[int, int]] = []
        for part, context_before, context_after in (
                (words[drop:], f"{before} {' '.join(words[:drop])}", after),
                (words[:-drop], before, f"{' '.join(words[-drop:])} {after}")):
            folded = fold(" ".join(part))
            if len(re.sub(r"\d", "", folded)) < SHORTEST:
                continue
            hit = _best(index, folded, 0, context_before, context_after, notes)
            if hit is not None:
                found.append(hit)
        if found:
            return max(found, key=lambda hit: hit[0])[1]
    return None


def _pattern(folded: str, marker: int) -> re.Pattern[str]:
    """Digit runs optional (unless the anchor is all digits); an empty group at ``marker``."""
    parts: list[str] = []
    position = 0
    only_digits = folded.isdigit()
    for run in re.finditer(r"\d+|\D+", folded):
        chunk = []
        for offset, ch in enumerate(run.group()):
            if position + offset == marker:
                chunk.append("()")
            chunk.append(re.escape(ch))
        body = "".join(chunk)
        optional = run.group().isdigit() and not only_digits
        parts.append(f"(?:{body})?" if optional else body)
        position += len(run.group())
    return re.compile("(?=(" + "".join(parts) + "))")


def _find(index: SourceIndex, folded: str, marker: int, before: str, after: str,
          notes: bool, digitless: bool = False) -> int | None:
    """The index position of the letter at ``marker`` in the best match, or ``None``."""
    best = _best(index, folded, marker, before, after, notes, digitless)
    return None if best is None else best[1]


def _best(index: SourceIndex, folded: str, marker: int, before: str, after: str,
          notes: bool, digitless: bool = False) -> tuple[int, int] | None:
    """(context score, index position of the letter at ``marker``) of the best match."""
    text = index.digitless() if digitless else index.text
    best: tuple[int, int] | None = None
    for match in _pattern(folded, marker).finditer(text):
        start, end = match.start(1), match.end(1)
        if end == start:
            continue
        position = match.start(2) if match.start(2) >= 0 else start
        real = index.digitless_position(position) if digitless else position
        if bool(index.note[real]) != notes:
            continue
        # digits of the anchor found in the match count as agreement: "row for year
        # 2031" is the row of 2031, not the first of sixty "row for year" rows
        score = _context_score(text, start, end, before, after) \
            + sum(ch.isdigit() for ch in text[start:end])
        if best is None or score > best[0]:
            best = (score, real)
    return best


def _context_score(text: str, start: int, end: int, before: str, after: str) -> int:
    """How many letters around a match agree with the reviewed file's: counted once with
    digits aside (a note number in the rendered text is not in the source), and once
    more with them (in a table of years, the neighbouring rows' digits tell the rows
    apart when their words are all alike)."""
    score = 0
    for strip in (True, False):
        want_before, want_after = fold(before), fold(after)
        have_before = text[max(0, start - 2 * CONTEXT):start]
        have_after = text[end:end + 2 * CONTEXT]
        if strip:
            want_before, want_after, have_before, have_after = (
                re.sub(r"\d", "", part) for part in (want_before, want_after, have_before,
                                                      have_after))
        score += _agreement(want_before[-CONTEXT:][::-1], have_before[::-1])
        score += _agreement(want_after[:CONTEXT], have_after)
    return score


def _agreement(want: str, have: str) -> int:
    """The length of the common start of ``want`` and ``have``."""
    count = 0
    for a, b in zip(want, have, strict=False):
        if a != b:
            break
        count += 1
    return count


def _line(index: SourceIndex, position: int) -> tuple[Source, int]:
    source, offset = index.where(position)
    return source, source.line(offset)


def _note_call(index: SourceIndex, call_context: str) -> tuple[Source, int] | None:
    """The line of the citation (or note) that follows the body text ``call_context``.

    The words right before a call may be citeproc's, not the author's (a narrative
    citation's "as Jörg Müller³ argues"), and the letters before them may run into
    another note: words are dropped from the end, then shorter stretches tried."""
    words = call_context.split()
    for drop in range(min(DROPPED_WORDS, len(words)) + 1):
        kept = " ".join(words[:len(words) - drop])
        folded = fold(kept)
        for size in (POINT, *SHORTER):
            tail = folded[-size:]
            if len(re.sub(r"\d", "", tail)) < SHORTEST:
                continue
            earlier = kept[:max(0, len(kept) - len(tail) * 2)]
            position = _find(index, tail, len(tail) - 1, earlier, "", notes=False)
            if position is not None:
                return _citation_after(index, position)
    return None


def _citation_after(index: SourceIndex, position: int) -> tuple[Source, int]:
    """The line of the citation or note right after ``position``, else of ``position``."""
    source, offset = index.where(position)
    for scan in range(offset + 1, len(source.text)):
        ch = source.text[scan]
        if ch in "[@^":
            return source, source.line(scan)
        if ch.isalnum():
            break
    return source, source.line(offset)
