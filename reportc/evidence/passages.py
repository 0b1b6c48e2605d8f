"""A chapter's prose as the evidence check reads it: blocks of sentences, each with the
quotations it makes and the citations it carries (those of its notes included).

Straight quotes reach us as pandoc ``Quoted`` nodes, curly ones as characters; both are
written here as curly quotes, so one scanner pairs them. A citation or a note in the text
is one private-use character standing for the next item of its list."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CITE, NOTE, GAP = "\ue000", "\ue001", "\x00"
_OPENERS_BEFORE = set(" \t\n([{/—–-“‘" + CITE + NOTE)
_SENTENCE_END = ".!?"
_CLOSERS = "’”)]"
_ABBREVIATIONS = {"e.g", "i.e", "cf", "mr", "dr", "no", "vs", "st", "nn", "pp", "p", "n"}
_QUOTE_MARKS = re.compile("[“”‘’]")
_STOPS = re.compile("[.!?][’”)\\]" + NOTE + "]*\\s")
_BLOCKS = {"Para", "Plain", "Header", "BlockQuote", "BulletList", "Div", "Table", "Figure",
           "OrderedList", "DefinitionList", "LineBlock"}


@dataclass
class Citation:
    keys: list[str]  # the entries cited, in order
    locator: str  # "p. 4", or "key: p. 4; key2: n. 5" when several carry one
    text: str  # as written: "[@lee2022, p. 4]"


@dataclass
class Sentence:
    text: str  # plain text, citations as written, notes left out
    own: str  # the author's own words: quotations replaced by GAP, citations dropped
    quotes: list[str]  # top-level quotations, as written
    citations: list[Citation]
    note_keys: list[str]  # entries the sentence's notes cite


@dataclass
class Block:
    kind: str  # "para", "note", "quote" (a block quote), "heading" or "cell" (of a table)
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """Every entry the block cites, notes included, in order."""
        return _unique(key for s in self.sentences
                       for key in [*(k for c in s.citations for k in c.keys), *s.note_keys])


def chapter_blocks(ast: dict[str, Any]) -> list[Block]:
    """The chapter's blocks in reading order; a paragraph's notes follow it."""
    blocks: list[Block] = []
    _walk(ast.get("blocks", []), blocks)
    return blocks


def _walk(items: list[Any], out: list[Block], kind: str = "para") -> None:
    for node in items:
        tag, content = node.get("t"), node.get("c")
        if tag in ("Para", "Plain"):
            _paragraph(content, out, kind)
        elif tag == "Header":
            _paragraph(content[2], out, "heading")
        elif tag == "BlockQuote":
            out.append(_block_quote(content))
        elif tag == "Table":  # cells are fragments, not sentences of one's own
            _walk(_child_blocks(content), out, "cell")
        elif tag in ("BulletList", "Div", "Figure", "OrderedList", "DefinitionList",
                     "LineBlock"):
            _walk(_child_blocks(content), out, kind)


def _child_blocks(content: Any) -> list[Any]:
    """Every block directly under a container (lists, divs, tables, figures)."""
    found: list[Any] = []
    if isinstance(content, dict) and content.get("t") in _BLOCKS:
        return [content]
    if isinstance(content, list):
        for item in content:
            found += _child_blocks(item)
    elif isinstance(content, dict):
        for value in content.values():
            found += _child_blocks(value)
    return found


def _paragraph(inlines: list[Any], out: list[Block], kind: str) -> None:
    flat = _Flat()
    text = flat.inlines(inlines)
    note_blocks: list[list[Block]] = []
    for note in flat.notes:
        note_blocks.append([])
        _walk(note, note_blocks[-1], "note")
    note_keys = [Block("note", [s for b in blocks for s in b.sentences]).keys
                 for blocks in note_blocks]
    out.append(Block(kind, split_sentences(text, flat.citations, note_keys)))
    for blocks in note_blocks:
        out.append(Block("note", [s for b in blocks for s in b.sentences]))


def _block_quote(content: list[Any]) -> Block:
    """A block quote is one quotation; the citations in it are its own."""
    inner: list[Block] = []
    _walk(content, inner, "quote")
    sentences = [s for b in inner for s in b.sentences]
    text = " ".join(s.text for s in sentences)
    quote = " ".join(_strip_marks(s) for s in sentences)
    citations = [c for s in sentences for c in s.citations]
    note_keys = [k for s in sentences for k in s.note_keys]
    return Block("quote", [Sentence(text, GAP, [quote], citations, note_keys)])


def _strip_marks(sentence: Sentence) -> str:
    text = sentence.text
    for citation in sentence.citations:
        text = text.replace(citation.text, " ")
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split()))


class _Flat:
    """Inlines as text: quotations in curly quotes, each citation and note a marker."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self.notes: list[list[Any]] = []

    def inlines(self, items: list[Any]) -> str:
        return "".join(self.inline(node) for node in items)

    def inline(self, node: dict[str, Any]) -> str:
        tag, content = node.get("t"), node.get("c", [])
        if tag == "Str":
            return str(content)
        if tag in ("Space", "SoftBreak", "LineBreak"):
            return " "
        if tag == "Quoted":
            marks = "“”" if content[0].get("t") == "DoubleQuote" else "‘’"
            return marks[0] + self.inlines(content[1]) + marks[1]
        if tag == "Cite":
            self.citations.append(_citation(content))
            return CITE
        if tag == "Note":
            self.notes.append(content)
            return NOTE
        if tag in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript",
                   "SmallCaps"):
            return self.inlines(content)
        if tag in ("Span", "Link"):
            return self.inlines(content[1])
        if tag in ("Code", "Math"):
            return str(content[1])
        return ""  # images, raw HTML


def _citation(content: list[Any]) -> Citation:
    from reportc.pandoc.ast import stringify

    items, written = content
    keys = [item["citationId"] for item in items]
    located = [(item["citationId"], _plain(stringify(item.get("citationSuffix", []))))
               for item in items]
    located = [(key, where) for key, where in located if where]
    locator = located[0][1] if len(located) == 1 else "; ".join(f"{k}: {w}" for k, w in located)
    return Citation(keys, locator, " ".join(stringify(written).split()))


def split_sentences(text: str, citations: list[Citation], note_keys: list[list[str]]
                    ) -> list[Sentence]:
    """The sentences of a paragraph's text (see :class:`_Flat`), never split inside a
    quotation; each takes the citations and notes whose markers it holds."""
    quotes, ends = _scan(text)
    sentences, start = [], 0
    cited, noted = 0, 0
    for end in [*ends, len(text)]:
        span = text[start:end]
        if span.strip():
            inner = [(a - start, b - start) for a, b in quotes if start <= a < end]
            own_cites = citations[cited:cited + span.count(CITE)]
            keys = [k for n in range(noted, noted + span.count(NOTE)) for k in note_keys[n]]
            sentences.append(_sentence(span, inner, own_cites, keys))
        cited, noted = cited + span.count(CITE), noted + span.count(NOTE)
        start = end
    return sentences


def _sentence(span: str, quotes: list[tuple[int, int]], citations: list[Citation],
              note_keys: list[str]) -> Sentence:
    written = iter(c.text for c in citations)
    plain = "".join(next(written, "") if ch == CITE else ch for ch in span if ch != NOTE)
    own, last = [], 0
    for a, b in quotes:
        own += [span[last:a], GAP]
        last = b + 1
    own.append(span[last:])
    strip = str.maketrans("", "", CITE + NOTE)
    said = [" ".join(span[a + 1:b].translate(strip).split()) for a, b in quotes]
    return Sentence(" ".join(plain.split()), " ".join("".join(own).translate(strip).split()),
                    said, citations, _unique(note_keys))


def _scan(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Top-level quotation spans (opening and closing mark) and sentence ends outside them.

    ‘ opens after a space or an opening bracket; ’ closes an open ‘ unless a letter follows
    (then it is an apostrophe, as in Putin’s). Only quotation marks and the spaces after a
    full stop are looked at."""
    quotes, unclosed = _quotations(text)
    ends = [found.end() - 1 for found in _STOPS.finditer(text)
            if found.end() - 1 < unclosed and _ends_sentence(text, found.end() - 1)
            and not any(a < found.end() - 1 < b for a, b in quotes)]
    return quotes, ends


def _quotations(text: str) -> tuple[list[tuple[int, int]], int]:
    """The top-level quotation spans, and where the first quotation left open starts (the
    text's length if none is): no sentence ends after it."""
    stack: list[tuple[str, int]] = []
    quotes = []
    for found in _QUOTE_MARKS.finditer(text):
        index, char = found.start(), found.group()
        before = text[index - 1] if index else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        if char == "“" or (char == "‘" and before in _OPENERS_BEFORE):
            stack.append((char, index))
        elif _closes(stack, char, after):
            mark = "“" if char == "”" else "‘"
            while stack and stack[-1][0] != mark:
                stack.pop()
            opened = stack.pop()[1]
            if not stack:
                quotes.append((opened, index))
    return quotes, stack[0][1] if stack else len(text)


def _closes(stack: list[tuple[str, int]], char: str, after: str) -> bool:
    """Whether a closing mark closes an open quotation: ” closes an open “ (and what is
    open inside it); ’ closes the innermost ‘ unless a letter follows (an apostrophe)."""
    return bool(stack) and ((char == "”" and any(m == "“" for m, _ in stack)) or
                            (char == "’" and stack[-1][0] == "‘" and not after.isalpha()))


def _ends_sentence(text: str, index: int) -> bool:
    """Does a sentence end at the space ``text[index]``? A full stop (or ! ?), possibly
    followed by closing marks or a note, and a capital, a digit or a quotation next."""
    back = index - 1
    while back >= 0 and text[back] in _CLOSERS + NOTE:
        back -= 1
    if back < 0 or text[back] not in _SENTENCE_END:
        return False
    word = text[:back].rsplit(" ", 1)[-1]
    if (len(word) == 1 and word.isalpha()) or word.lower() in _ABBREVIATIONS:
        return False  # an initial or an abbreviation
    after = text[index + 1:].lstrip()
    return bool(after) and (after[0].isupper() or after[0].isdigit() or after[0] in "‘“[(")


def _plain(text: str) -> str:
    return " ".join(text.split()).strip(" ,")


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(items))
