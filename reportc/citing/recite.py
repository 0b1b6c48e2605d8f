"""Citing again without citeproc: an edit that cites nothing new reuses the last run.

What citeproc computes for a report is a function of the *sequence of citations* alone:
pandoc hands citeproc each ``Cite`` element's citation list (keys, prefixes, suffixes,
locators, modes, note numbers) in document order, with a position reset where each
chapter starts, plus the references those keys name, the style and the locale
(:func:`record_key` hashes exactly that, with :meth:`CitationSetup.fingerprint`). Ibid,
"subsequent" short forms, disambiguation and citation numbers all come out of that
sequence; the text between citations does not reach citeproc.

What pandoc then does with each rendered citation is local: it puts it in the ``Cite``,
turns a note style's citation into a footnote, and moves punctuation and the space next
to such a note (``mvPunct``, ``deNote`` in pandoc's ``Text.Pandoc.Citeproc``), looking
at most two inlines before a citation and at the punctuation run after it. So when the
sequence is unchanged, a chapter's cited blocks are the last build's, with the edited
blocks put in (:func:`splice`): blocks that cite nothing as they are, and an edited
paragraph's changed inlines where they lie apart from every citation, inside divs and
block quotes too. Anything else (an edit next to a citation, in a list or a table that
cites) is cited again by citeproc.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from reportc.cache import BuildCache, digest

RECORD = "cite-record"  # cache kind: the last citing of a sequence of citations
# What citeproc's pass may change besides a citation (pandoc's csl-note and csl-quoted
# spans, a ``refs`` div it fills) or marks one: blocks and inlines holding none of these
# come out of citeproc as they went in.
_MARKS = ('"Cite"', '"csl-note"', '"csl-quoted"', '"refs"', '__refs"')


@dataclass(frozen=True)
class Recalled:
    """The report cited as the last build cited it: each chapter's cited blocks (JSON, by
    anchor), the reference list's HTML, the keys left out of it and the list as citeproc
    left it (JSON, for the EPUB; ``None`` if not known)."""

    blocks: dict[str, str]
    references: str
    dropped: list[str]
    listed: str | None = None
    texts: dict[str, list[str]] = field(default_factory=dict)  # a spliced chapter's blocks


def record_key(chapters: list[tuple[str, str]], fingerprint: str) -> str:
    """Hash of what citeproc sees: each chapter's citations in order (``chapters``:
    anchor and blocks JSON as citeproc gets them) and ``fingerprint`` (the references,
    the style, the locale and the tools)."""
    sequence = [[anchor, _citations(blocks)] for anchor, blocks in chapters]
    return digest("citation sequence", json.dumps(sequence), fingerprint)


_CITE = '{"t": "Cite", "c": '  # a Cite element as json.dumps writes pandoc's JSON


def _citations(blocks: str) -> list:
    """Every ``Cite``'s citation list in document order (pandoc's ``query`` order: a
    citation inside another's prefix after it). Only the citations are parsed: a quote
    in text is escaped in JSON, so the pattern matches nothing but a ``Cite``; if the
    word "Cite" appears otherwise (a text, other spacing), the whole chapter is walked."""
    decoder, found = json.JSONDecoder(), []
    at = blocks.find(_CITE)
    while at != -1:
        value, _ = decoder.raw_decode(blocks, at + len(_CITE))
        found.append(value[0])
        at = blocks.find(_CITE, at + 1)
    return found if blocks.count('"Cite"') == len(found) else _walk(json.loads(blocks), [])


def _walk(node: object, found: list) -> list:
    if isinstance(node, list):
        for item in node:
            _walk(item, found)
    elif isinstance(node, dict):
        if node.get("t") == "Cite":
            found.append(node["c"][0])
        _walk(node.get("c"), found)
    return found


def remember(cache: BuildCache, key: str, chapters: list[tuple[str, str]],
             cited: dict[str, str], references: str, dropped: list[str],
             listed: str | None = None, blocks: dict[str, list[str]] | None = None) -> None:
    """Keep this build's citing under its sequence of citations: a JSON header line, then
    each chapter's blocks and cited blocks one after the other (sliced by their lengths
    when read, not parsed; ``blocks``: a chapter's cited blocks one by one, where known,
    whose lengths are kept too, so that a recall parses only the blocks an edit touched)."""
    texts = [text for anchor, source in chapters for text in (source, cited[anchor])]
    sizes = {anchor: [len(text) for text in listed_blocks]
             for anchor, listed_blocks in (blocks or {}).items()}
    header = {"chapters": [[anchor, len(source), len(cited[anchor]), sizes.get(anchor)]
                           for anchor, source in chapters],
              "references": references, "dropped": dropped, "listed": listed}
    cache.put(RECORD, key, json.dumps(header) + "\n" + "".join(texts))


def recall(cache: BuildCache, key: str, chapters: list[tuple[str, str]]) -> Recalled | None:
    """The report cited from the last build with the same sequence of citations, each
    edited chapter spliced (:func:`splice`); ``None`` if there is none or an edit needs
    citeproc."""
    raw = cache.get(RECORD, key)
    if raw is None:
        return None
    line = raw.index("\n")
    header, at = json.loads(raw[:line]), line + 1
    if [row[0] for row in header["chapters"]] != [anchor for anchor, _ in chapters]:
        return None
    blocks, texts = {}, {}
    for (anchor, source), (_, source_size, cited_size, *sizes) in zip(
            chapters, header["chapters"], strict=True):
        last, cited = raw[at:at + source_size], raw[at + source_size:at + source_size + cited_size]
        at += source_size + cited_size
        cut = _cut(cited, sizes[0] if sizes else None)
        if source == last:
            blocks[anchor] = cited
            if cut is not None:
                texts[anchor] = cut
            continue
        spliced = splice_texts(sliced(last)[1], cut or sliced(cited)[1], sliced(source)[1])
        if spliced is None:
            return None
        texts[anchor] = spliced
        blocks[anchor] = "[" + ", ".join(spliced) + "]"  # as json.dumps writes the list
    return Recalled(blocks, header["references"], header["dropped"], header.get("listed"),
                    texts)


def _cut(text: str, sizes: list[int] | None) -> list[str] | None:
    """A JSON list's items' texts by their lengths (json.dumps's ", " between them);
    ``None`` if the lengths are not known or do not fit."""
    if sizes is None or len(text) != 2 + sum(sizes) + 2 * max(len(sizes) - 1, 0):
        return None
    texts, at = [], 1
    for size in sizes:
        texts.append(text[at:at + size])
        at += size + 2
    return texts


def sliced(text: str) -> tuple[list, list[str]]:
    """A JSON list as json.dumps writes it: its items and each one's text, read in one
    pass of the decoder (no item written again); another spacing is parsed and written."""
    decoder, items, texts = json.JSONDecoder(), [], []
    at, end = 1, len(text) - 1
    while at < end and text[0] == "[":
        item, stop = decoder.raw_decode(text, at)
        items.append(item)
        texts.append(text[at:stop])
        if stop != end and text[stop:stop + 2] != ", ":
            items = json.loads(text)
            return items, [json.dumps(item) for item in items]
        at = stop + 2
    return items, texts


def _text(node: object) -> str:
    return json.dumps(node, separators=(",", ":"))


def _plain(text: str) -> bool:
    """Does citeproc's pass leave this element (compact JSON) as it is?"""
    return not any(mark in text for mark in _MARKS)


def _common(old: list[str], new: list[str]) -> tuple[int, int]:
    """Lengths of the common head and (after it) the common tail of two lists."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return head, tail


def splice(old: list, cited: list, new: list) -> list | None:
    """The cited form of a chapter's blocks ``new``, from its last blocks ``old`` and their
    cited form ``cited``, when each edit cites nothing and stays apart from citations;
    ``None`` when citeproc must cite it (:func:`splice_texts` on the blocks' JSON)."""
    texts = splice_texts(*([_text(block) for block in blocks] for blocks in (old, cited, new)))
    return None if texts is None else [json.loads(text) for text in texts]


def splice_texts(old: list[str], cited: list[str], new: list[str]) -> list[str] | None:
    """:func:`splice` on the blocks' JSON texts (one spacing throughout), parsing only
    the blocks an edit touched. Unchanged blocks keep their cited form; a run of changed
    blocks that cite nothing is taken as it is, and a changed paragraph that cites is
    spliced (:func:`splice_inlines`; written by json.dumps)."""
    if len(old) != len(cited) or not _unchanged_by_citeproc(old, cited):
        return None
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    result: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result += cited[i1:i2]
        elif all(_plain(text) for text in old[i1:i2] + new[j1:j2]):
            result += new[j1:j2]
        elif i2 - i1 == j2 - j1:  # blocks edited one for one
            last, was, now = ([json.loads(text) for text in texts]
                              for texts in (old[i1:i2], cited[i1:i2], new[j1:j2]))
            spliced = _splice_each(last, was, now, new[j1:j2])
            if spliced is None:
                return None
            result += [json.dumps(block) for block in spliced]
        else:
            return None
    return result


def _unchanged_by_citeproc(old_text: list[str], cited_text: list[str]) -> bool:
    """Whether every block citing nothing came out of citeproc as it went in."""
    return all(cited == text for text, cited in zip(old_text, cited_text, strict=True)
               if _plain(text))


def _splice_each(old: list, cited: list, new: list, new_text: list[str]) -> list | None:
    """Blocks edited one for one: each taken as it is if neither form cites, else spliced;
    ``None`` if one cannot be."""
    result = []
    for last, was, block, text in zip(old, cited, new, new_text, strict=True):
        spliced = block if _plain(_text(last)) and _plain(text) else \
            _splice_block(last, was, block)
        if spliced is None:
            return None
        result.append(spliced)
    return result


def _splice_block(last: dict, was: dict, block: dict) -> dict | None:
    """One edited block that cites, spliced: a paragraph's inlines, or the blocks inside a
    div (same attributes) or a block quote; ``None`` for any other block."""
    kind = block["t"]
    if not kind == last["t"] == was["t"]:
        return None
    if kind in ("Para", "Plain"):
        inlines = splice_inlines(last["c"], was["c"], block["c"])
        return None if inlines is None else {"t": kind, "c": inlines}
    if kind == "BlockQuote":
        blocks = splice(last["c"], was["c"], block["c"])
        return None if blocks is None else {"t": kind, "c": blocks}
    if kind == "Div" and _text(block["c"][0]) == _text(last["c"][0]) == _text(was["c"][0]):
        blocks = splice(last["c"][1], was["c"][1], block["c"][1])
        return None if blocks is None else {"t": kind, "c": [block["c"][0], blocks]}
    return None


def _spacy(text: str) -> bool:
    return text in ('{"t":"Space"}', '{"t":"SoftBreak"}')


def _zones(texts: list[str]) -> list[tuple[int, int]]:
    """The inlines pandoc may change around each citation (or anything else not plain):
    the two before it (the space before a note is dropped, punctuation moved next to the
    inline before) up to the first space after it (the punctuation run it moves)."""
    zones = []
    for at, text in enumerate(texts):
        if not _plain(text):
            end = next((j for j in range(at + 1, len(texts)) if _spacy(texts[j])), len(texts))
            zones.append((max(at - 2, 0), end))
    return zones


def _inside(zones: list[tuple[int, int]], index: int) -> bool:
    return any(start <= index < end for start, end in zones)


def _context(texts: list[str], zones: list[tuple[int, int]], indexes: range) -> int:
    """How many inlines, walking ``indexes``, pandoc leaves as they are (at most 8)."""
    count = 0
    for index in indexes:
        if count == 8 or _inside(zones, index):
            break
        count += 1
    return count


def splice_inlines(old: list, cited: list, new: list) -> list | None:
    """A paragraph's cited inlines after an edit that changed only inlines pandoc leaves
    as they are (outside every :func:`_zones`, the same zones before and after the edit),
    put where their unchanged neighbours are in the last cited form."""
    old_text, new_text = [_text(x) for x in old], [_text(x) for x in new]
    head, tail = _common(old_text, new_text)
    old_end, new_end = len(old) - tail, len(new) - tail
    if not _apart_from_zones(old_text, new_text, head, old_end, new_end):
        return None
    old_zones = _zones(old_text)
    left = _context(old_text, old_zones, range(head - 1, -1, -1))
    right = _context(old_text, old_zones, range(old_end, len(old)))
    low, high = head - left, old_end + right
    needle = old_text[low:high]
    at = _find_neighbours(needle, [_text(x) for x in cited], low == 0, high == len(old),
                          left, right)
    if at is None:
        return None
    return cited[:at] + new[low:new_end + right] + cited[at + len(needle):]


def _apart_from_zones(old_text: list[str], new_text: list[str], head: int, old_end: int,
                      new_end: int) -> bool:
    """Whether the edit (``old_text[head:old_end]`` became ``new_text[head:new_end]``)
    is plain text outside every zone, and left the zones where they were."""
    old_zones, new_zones = _zones(old_text), _zones(new_text)
    shift = new_end - old_end
    moved = [(a + shift, b + shift) if a >= old_end else (a, b) for a, b in old_zones]
    if moved != new_zones or not all(_plain(t) for t in new_text[head:new_end]):
        return False  # a zone moved or grew: the edit is next to a citation
    return all(b <= head or a >= old_end for a, b in old_zones) and \
        all(b <= head or a >= new_end for a, b in new_zones)  # else: inside a zone


def _find_neighbours(needle: list[str], cited_text: list[str], at_start: bool, at_end: bool,
                     left: int, right: int) -> int | None:
    """Where the edit's unchanged neighbours (``needle``: ``left`` inlines, the old text,
    ``right`` inlines) are in the cited paragraph: at its start or end if the edit is, else
    the one place they occur; ``None`` if not found exactly once."""
    if at_end:
        hits = [len(cited_text) - len(needle)]
    elif at_start:
        hits = [0]
    elif needle[: left] or needle[len(needle) - right:]:
        hits = [i for i in range(len(cited_text) - len(needle) + 1)
                if cited_text[i:i + len(needle)] == needle]
    else:
        return None
    if len(hits) != 1 or hits[0] < 0 or cited_text[hits[0]:hits[0] + len(needle)] != needle \
            or (at_start and hits[0] != 0):
        return None
    return hits[0]
