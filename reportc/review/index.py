"""The report's text as a reader sees it, letter by letter, each letter knowing its source line.

A reviewer's remark is anchored to text in a DOCX or PDF made from the report; the author
needs the Markdown line that text came from. Neither file keeps source positions, so the
remark's text is searched for in the sources themselves, reduced on both sides to what
survives any rendering: letters and digits, case-folded and NFKC-normalised (ligatures
such as "ﬁ" become "fi", full-width forms their plain ones). Punctuation, spaces, line
breaks, hyphens (also a hyphenated line end), smart quotes and Markdown markup fall away.

What the build adds to the text is added to the index too, at the place it comes from: the
words of cross-references ("Section 2.1" for ``@sec-x``), the labels of figures and tables
("Figure 1."), chapter labels ("Chapter 3") and section numbers, and a takeaway box's
title. What it takes away is dropped: citation keys, attributes, link targets, footnote
labels. Text inside notes (``^[...]`` and ``[^label]:`` definitions) is marked, so an
anchor in a footnote is looked for among notes and an anchor in the body among the body.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from reportc.document.kinds import DEFAULT_TAKEAWAYS_TITLE
from reportc.document.model import ChapterDoc, Target
from reportc.document.xrefs import XREF_PREFIXES

KEY = r"[\w:.#$%&+?<>~/-]*\w"
_TOKENS = re.compile(
    r"(?P<div>^[ \t]*:{3,}.*$)"
    r"|(?P<fence>^[ \t]*(?:`{3,}|~{3,}).*$)"
    r"|(?P<attr>\{(?=[#.-]|[\w-]+=)[^{}\n]*\})"
    rf"|(?P<cites>\[[^\[\]]*?-?@\{{?{KEY}[^\[\]]*\])"
    rf"|(?P<cite>(?<![\w@])(?P<suppress>-?)@\{{?(?P<key>{KEY})\}}?)"
    r"|(?P<target>\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"]*\")?\))"
    r"|(?P<note_label>\[\^[^\]\s]+\]:?)"
    r"|(?P<caption>^(?:Table)?:(?=\s))", re.M)
_TITLE = re.compile(r"""title=(?:"([^"]*)"|'([^']*)'|(\S+?)(?=[\s}]))""")
_HEADING = re.compile(r"^(#{1,6})[ \t]+\S", re.M)
_FIG_ID = re.compile(r"!\[.*\]\([^)]*\)\{[^}]*#(fig-[\w:.-]+)")
_TBL_ID = re.compile(r"\{[^}]*#(tbl-[\w:.-]+)")


def fold(text: str) -> str:
    """Letters and digits only, NFKC-normalised and case-folded: what survives rendering."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


@dataclass
class Source:
    """One file the report's text comes from."""

    rel: str
    text: str
    line_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset)


@dataclass
class SourceIndex:
    """Every source's folded text in one string; per letter, where it came from."""

    sources: list[Source] = field(default_factory=list)
    stream: list[str] = field(default_factory=list)
    source_of: list[int] = field(default_factory=list)
    offset_of: list[int] = field(default_factory=list)
    note: bytearray = field(default_factory=bytearray)
    text: str = ""
    _digitless: tuple[str, list[int]] | None = None

    def add(self, source: Source, pieces: list[tuple[int, str, bool]]) -> None:
        """Append ``source``'s pieces (source offset, rendered text, in a note)."""
        number = len(self.sources)
        self.sources.append(source)
        for offset, piece, in_note in pieces:
            for ch in fold(piece):
                self.stream.append(ch)
                self.source_of.append(number)
                self.offset_of.append(offset)
                self.note.append(1 if in_note else 0)
        self.stream.append("\x00")  # no match runs from one file into the next
        self.source_of.append(number)
        self.offset_of.append(len(source.text))
        self.note.append(0)

    def freeze(self) -> None:
        self.text = "".join(self.stream)
        self._digitless = None

    def digitless(self) -> str:
        """:attr:`text` without its digits (the last resort of the search)."""
        if self._digitless is None:
            kept = [i for i, ch in enumerate(self.text) if not ch.isdigit()]
            self._digitless = ("".join(self.text[i] for i in kept), kept)
        return self._digitless[0]

    def digitless_position(self, position: int) -> int:
        """The :attr:`text` position of a :meth:`digitless` position."""
        self.digitless()
        assert self._digitless is not None  # digitless() has just computed it
        return self._digitless[1][position]

    def where(self, position: int) -> tuple[Source, int]:
        """The source and offset of the letter at ``position`` of :attr:`text`."""
        return self.sources[self.source_of[position]], self.offset_of[position]


def build_index(docs: list[ChapterDoc], targets: dict[str, Target],
                extra: list[Source], takeaways: str = DEFAULT_TAKEAWAYS_TITLE) -> SourceIndex:
    """The index of the chapters (in report order), then ``extra`` (report.yaml, the
    bibliography) whose title and entries a remark may be anchored to (``takeaways``: a
    takeaway box's title in the report's language, where the author gave none)."""
    index = SourceIndex()
    for doc in docs:
        source = Source(doc.rel, doc.chapter.text)
        index.add(source, chapter_pieces(source.text, doc, targets, takeaways))
    for source in extra:
        index.add(source, [(offset, ch, False) for offset, ch in enumerate(source.text)])
    index.freeze()
    return index


def chapter_pieces(text: str, doc: ChapterDoc, targets: dict[str, Target],
                   takeaways: str = DEFAULT_TAKEAWAYS_TITLE) -> list[tuple[int, str, bool]]:
    """The chapter as rendered text, in pieces that each know their source offset."""
    notes = bytearray(len(text) + 1)
    for start, end in _note_spans(text):
        notes[start:end] = b"\x01" * (end - start)
    inserts = _inserted_labels(text, doc, targets)
    pieces: list[tuple[int, str, bool]] = []
    position = 0

    def flush(upto: int) -> None:
        while inserts and inserts[0][0] <= upto:
            at, words = inserts.pop(0)
            pieces.append((at, words, False))

    def plain(start: int, end: int) -> None:
        for offset in range(start, end):
            flush(offset)
            pieces.append((offset, text[offset], bool(notes[offset])))

    for token in _TOKENS.finditer(text):
        plain(position, token.start())
        flush(token.start())
        position = token.end()
        rendered = _render_token(token, targets, takeaways)
        if rendered:
            pieces.append((token.start(), rendered, bool(notes[token.start()])))
    plain(position, len(text))
    pieces.extend((at, words, False) for at, words in inserts)
    return pieces


def _render_token(token: re.Match[str], targets: dict[str, Target], takeaways: str) -> str:
    """What the build prints in place of a piece of markup."""
    kind = token.lastgroup
    if kind == "div":
        title = _TITLE.search(token.group())
        if title:
            return next(group for group in title.groups() if group is not None)
        return takeaways if "takeaways" in token.group() else ""
    if kind == "cites":
        keys = re.findall(rf"(-?)@\{{?({KEY})", token.group())
        if keys and all(key.startswith(XREF_PREFIXES) for _, key in keys):
            return " ".join(_xref_words(targets, key, bool(dash)) for dash, key in keys)
        return ""
    if kind == "cite":
        key = token.group("key")
        if key.startswith(XREF_PREFIXES):
            return _xref_words(targets, key, bool(token.group("suppress")))
        return ""
    return ""


def _xref_words(targets: dict[str, Target], key: str, suppress: bool) -> str:
    target = targets.get(key)
    if target is None:
        return ""
    return target.number if suppress else target.label


def _inserted_labels(text: str, doc: ChapterDoc, targets: dict[str, Target]
                     ) -> list[tuple[int, str]]:
    """Words the build prints before a heading or caption: chapter labels, section
    numbers, "Figure 1." and "Table 1." (sorted by source offset)."""
    inserts: list[tuple[int, str]] = []
    numbered = iter([h.number for h in doc.headings])
    for match in _HEADING.finditer(text):
        if _in_code(text, match.start()):
            continue
        if len(match.group(1)) == 1 and doc.label and not inserts:
            inserts.append((match.end() - 1, doc.label))
        elif len(match.group(1)) > 1:
            number = next(numbered, "")
            if number:
                inserts.append((match.end() - 1, number))
    for line in re.finditer(r"^.*$", text, re.M):
        for pattern in (_FIG_ID, _TBL_ID):
            found = pattern.search(line.group())
            if found and found.group(1) in targets and (
                    pattern is _FIG_ID or re.match(r"(?:Table)?:\s", line.group())):
                inserts.append((line.start(), targets[found.group(1)].label + "."))
    return sorted(inserts)


def _in_code(text: str, offset: int) -> bool:
    """Whether ``offset`` lies inside a fenced code block."""
    fences = re.findall(r"^[ \t]*(?:`{3,}|~{3,})", text[:offset], re.M)
    return len(fences) % 2 == 1


def _note_spans(text: str) -> list[tuple[int, int]]:
    """Source ranges holding note text: ``^[...]`` inline notes and ``[^x]:`` definitions
    (with their indented continuation lines)."""
    spans: list[tuple[int, int]] = []
    for start in (m.start() for m in re.finditer(r"\^\[", text)):
        depth, end = 0, start + 1
        while end < len(text):
            depth += {"[": 1, "]": -1}.get(text[end], 0)
            if depth == 0:
                break
            end += 1
        spans.append((start, end))
    for match in re.finditer(r"^\[\^[^\]\s]+\]:.*(?:\n(?:[ \t]+.*|)(?=\n[ \t]))*", text, re.M):
        spans.append((match.start(), match.end()))
    return sorted(spans)


def read_source(root: Path, path: Path) -> Source | None:
    """A plain file (report.yaml, references.bib) as a source, if it exists."""
    if not path.is_file():
        return None
    return Source(path.relative_to(root).as_posix(), path.read_text(encoding="utf-8",
                                                                  errors="replace"))
