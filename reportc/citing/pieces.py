"""A chapter's HTML kept block by block, so that an edit writes only the blocks it changed.

The render filter (``resources/render.lua``, metadata ``reportc-pieces``) writes each
top-level block of a chapter behind a marker; pandoc's writer joins top-level blocks with
one newline and leaves out those that write nothing, so the chapter's HTML is its blocks'
HTML joined (:func:`joined`), then its notes: the web edition's list of notes, whose items
(one per note, each naming its number) are cut from it too (:func:`_items`).

What shapes a block's HTML is its cited JSON, the chapter's note prefix (its anchor) and
the number of its first note (notes are numbered through the chapter), besides the
settings and tools the chapter's key already holds (:data:`KIND` records are kept by
those). A code block would be numbered through the chapter as well (``cb1``...): a
chapter holding one is not kept in pieces, nor one whose text holds the marker itself.

After an edit, the blocks whose key the last record lacks are written, one pandoc process
for all of them (:func:`spliced`), each alone as a part of class ``reportc-part`` with its
prefix and first note number; everything else is the last build's HTML. Each piece is
checked alone (:func:`reportc.sandbox.rendered.html_problems`) when it is made, and only a
piece that ends outside every tag and passes is kept, so a chapter made of kept pieces
needs no check of its whole HTML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from reportc.cache import BuildCache, digest
from reportc.citing.cited import Cited
from reportc.citing.recite import sliced
from reportc.errors import ToolError
from reportc.pandoc.runner import BATCH_MARKER, run_pandoc
from reportc.sandbox.rendered import html_problems

KIND = "html-pieces"  # cache kind: the last HTML of each block of a chapter
MARK = "<!--reportc:block-->"
LIST_ENDS = ("\n</ol>\n</section>", "\n</ol>\n</div>")  # how a list of notes may end
_NOTE = '{"t": "Note"'  # a Note element as json.dumps writes pandoc's JSON


@dataclass
class Layout:
    """A chapter's top-level blocks: each one's JSON, the number of its first note and
    how many notes it holds, and its key (``usable``: whether the chapter may be kept in
    pieces at all)."""

    texts: list[str]
    firsts: list[int]
    counts: list[int]
    usable: bool
    keys: list[str] = field(default_factory=list)

    @property
    def notes(self) -> int:
        return sum(self.counts)


def layout(texts: list[str]) -> Layout:
    """The :class:`Layout` of a chapter's cited blocks (each one's JSON as json.dumps
    writes it)."""
    counts = [text.count(_NOTE) for text in texts]
    firsts, first = [], 1
    for count in counts:
        firsts.append(first)
        first += count
    usable = not any('"CodeBlock"' in text or MARK in text for text in texts)
    keys = [digest(text, str(at)) for text, at in zip(texts, firsts, strict=True)]
    return Layout(texts, firsts, counts, usable, keys)


def split_output(raw: str, blocks: int | None) -> tuple[list[str], str] | None:
    """Each block's HTML and what follows the blocks (``""``, or a newline and the notes)
    from the filter's output for a chapter written in pieces (``raw``: as split from the
    batch, a newline at its end); ``None`` if the markers are not where they belong
    (``blocks``: how many the chapter has, if known)."""
    parts = raw.removesuffix("\n").split(MARK)
    if (blocks is not None and len(parts) != blocks + 2) or len(parts) < 2 or parts[0]:
        return None
    pieces = []
    for part in parts[1:-1]:
        if part != "\n" and not (part.startswith("\n") and part.endswith("\n")
                                 and len(part) >= 2):
            return None
        pieces.append(part[1:-1] if part != "\n" else "")
    return pieces, parts[-1]


def unmarked(raw: str) -> str:
    """The chapter's HTML from the filter's output in pieces (the markers taken out)."""
    split = split_output(raw, None)
    if split is None:
        raise ValueError("the render filter's output lost a block marker")
    return joined(*split)


def joined(pieces: list[str], notes: str) -> str:
    """The chapter's HTML as the batch split gives it: the blocks that wrote something,
    a newline apart, then ``notes``, and a newline at the end of a chapter not empty."""
    html = "\n".join(piece for piece in pieces if piece) + notes
    return html + "\n" if html else ""


def _items(notes: str, prefix: str, first: int, count: int
           ) -> tuple[str, list[str], str] | None:
    """The list's head (up to its first item), the items of notes ``first`` on and its
    end, cut from ``notes`` (a newline and the list); ``None`` unless each item is found
    once, in order."""
    end = next((end for end in LIST_ENDS if notes.endswith(end)), None)
    if end is None:
        return None
    item = re.compile(f'\n<li><div id="{re.escape(prefix)}fn([0-9]+)" class="fn-item">')
    found = list(item.finditer(notes))
    if [int(match.group(1)) for match in found] != list(range(first, first + count)):
        return None
    starts = [match.start() + 1 for match in found]
    ends = [start - 1 for start in starts[1:]] + [len(notes) - len(end)]
    return notes[1:starts[0]], [notes[a:b] for a, b in zip(starts, ends, strict=True)], end


@dataclass
class Record:
    """A chapter's kept pieces: the notes list's head and end (``None`` if not known)
    and each block's HTML and its notes' list items, by block key."""

    head: str | None
    blocks: dict[str, tuple[str, list[str]]]
    end: str | None = None


def cut(raw: str, lay: Layout, prefix: str, with_list: bool) -> tuple[str, Record | None]:
    """The chapter's HTML from the filter's output in pieces, and its record (``None``
    if it cannot be kept in pieces or a piece did not pass its check alone). Raises
    ``ValueError`` if the output is not in pieces."""
    split = split_output(raw, len(lay.texts))
    if split is None:
        raise ValueError("the render filter's output lost a block marker")
    pieces, notes = split
    html = joined(pieces, notes)
    if not lay.usable:
        return html, None
    head: str | None = None
    end: str | None = None
    items: list[str] = []
    if with_list and lay.notes:
        cut_items = _items(notes, prefix, 1, lay.notes)
        if cut_items is None:
            return html, None
        head, items, end = cut_items
    blocks = {}
    for key, piece, first, count in zip(lay.keys, pieces, lay.firsts, lay.counts, strict=True):
        own = items[first - 1:first - 1 + count]
        if any(html_problems(text) != [] for text in [piece, *own]):
            return html, None
        blocks[key] = (piece, own)
    if head is not None and html_problems(head) is None:
        return html, None
    return html, Record(head, blocks, end)


def remember(cache: BuildCache, key: str, record: Record) -> None:
    cache.put(KIND, key, json.dumps({"head": record.head, "end": record.end,
                                     "blocks": record.blocks}))


def _recall(cache: BuildCache, key: str) -> Record | None:
    raw = cache.get(KIND, key)
    if raw is None:
        return None
    kept = json.loads(raw)
    return Record(kept["head"], {k: (v[0], v[1]) for k, v in kept["blocks"].items()},
                  kept["end"])


# writes the given blocks, each as a part (block, first note number): the raw output of each
Writer = Callable[[list[tuple[str, int]]], list[str] | None]


def spliced(cache: BuildCache, key: str, lay: Layout, prefix: str, with_list: bool,
            write: Writer) -> str | None:
    """The chapter's HTML from the last record's pieces and the changed blocks written
    by ``write`` (the record updated); ``None`` where it must be written whole: no record,
    a chapter not kept in pieces, a list of notes whose head is not known, or a new piece
    that fails its check alone (the whole chapter's check then reports it)."""
    last = _recall(cache, key) if lay.usable else None
    if last is None or (with_list and lay.notes and (last.head is None or last.end is None)):
        return None
    blocks = _blocks(last, lay, prefix, with_list, write)
    if blocks is None:
        return None
    pieces = [blocks[block][0] for block in lay.keys]
    notes = ""
    if lay.notes and with_list:
        items = [item for block in lay.keys for item in blocks[block][1]]
        notes = "\n" + str(last.head) + "\n".join(items) + str(last.end)
    elif lay.notes:
        notes = f'\n<section id="{prefix}notes" class="notes-heading chapter-notes"></section>'
    remember(cache, key, Record(last.head, blocks, last.end))
    return joined(pieces, notes)


def _blocks(last: Record, lay: Layout, prefix: str, with_list: bool, write: Writer
            ) -> dict[str, tuple[str, list[str]]] | None:
    """Each block's HTML and list items by key: kept, or written now (``None`` if one
    could not be)."""
    todo = [at for at, block in enumerate(lay.keys) if block not in last.blocks]
    written = write([(lay.texts[at], lay.firsts[at]) for at in todo]) if todo else []
    if written is None:
        return None
    blocks = {block: last.blocks[block] for block in lay.keys if block in last.blocks}
    for at, raw in zip(todo, written, strict=True):
        made = _piece(raw, prefix, lay.firsts[at], lay.counts[at], with_list)
        if made is None:
            return None
        blocks[lay.keys[at]] = made
    return blocks


def _piece(raw: str, prefix: str, first: int, count: int, with_list: bool
           ) -> tuple[str, list[str]] | None:
    """One block written alone: its HTML and its notes' list items, each checked alone."""
    split = split_output(raw, 1)
    if split is None:
        return None
    (piece,), notes = split
    items: list[str] = []
    if with_list and count:
        cut_items = _items(notes, prefix, first, count)
        if cut_items is None:
            return None
        items = cut_items[1]
    if any(html_problems(text) != [] for text in [piece, *items]):
        return None
    return piece, items


def record_key(anchor: str, chapter_key: str) -> str:
    """Where a chapter's pieces are kept: by its anchor and ``chapter_key`` (the tools,
    settings and filter its HTML depends on besides its blocks)."""
    return digest("html pieces", anchor, chapter_key)


def keep_records(cache: BuildCache, anchors: list[str], chapter_key: str) -> None:
    """Keeps these chapters' pieces in the cache though this build took their HTML whole
    from it (marked used, not read), for each chapter's next edit."""
    for anchor in anchors:
        name = f"{KIND}:{record_key(anchor, chapter_key)}"
        if name in cache.entries:
            cache.used.add(name)


def keep_cut(cache: BuildCache, raw: str, texts: list[str] | None, anchor: str,
             chapter_key: str, with_list: bool) -> tuple[str, bool] | None:
    """The chapter's HTML from the filter's output in pieces, and whether every piece
    passed its check alone (then kept for the next edit; ``texts``: its cited blocks,
    ``None`` if not at hand: not kept); ``None`` if the markers are not in place."""
    if texts is None:
        split = split_output(raw, None)
        return None if split is None else (joined(*split), False)
    try:
        html, record = cut(raw, layout(texts), anchor + "-", with_list)
    except ValueError:
        return None
    if record is not None:
        remember(cache, record_key(anchor, chapter_key), record)
    return html, record is not None


def write_parts(parts: list[tuple[str, int]], prefix: str, version: list[int],
                args: list[str], what: str) -> list[str] | None:
    """The render filter's output for each block (JSON, first note number) written alone,
    all in one pandoc process (``args``: pandoc's, with the filter); ``None`` if pandoc
    failed or warned (the chapter is then written whole, which reports why)."""
    names = [f"part{at}" for at in range(len(parts))]
    divs = ",".join(f'{{"t":"Div","c":[[{json.dumps(name)},["reportc-part"],'
                    f'[["prefix",{json.dumps(prefix)}],["first","{first}"]]],[{text}]]}}'
                    for name, (text, first) in zip(names, parts, strict=True))
    document = f'{{"pandoc-api-version":{json.dumps(version)},"meta":{{}},"blocks":[{divs}]}}'
    try:
        result = run_pandoc(args, document, what=what)
    except ToolError:
        return None
    split = BATCH_MARKER.split(result.output)[1:]
    return None if result.warnings or split[::2] != names else split[1::2]


def unmark_all(cache: BuildCache, written: dict[str, str] | None, anchors: list[str],
               cited: Cited | None, marked: bool, chapter_key: str, with_list: bool
               ) -> set[str] | None:
    """Takes the block markers out of each chapter's HTML in ``written`` (by anchor; if
    ``marked``: written in pieces), keeping its pieces for the next edit
    (:func:`keep_cut`); the anchors of the chapters whose pieces all passed their check
    alone (``None`` if ``written`` is or a marker is missing)."""
    if written is None or not marked:
        return None if written is None else set()
    checked = set()
    for anchor in anchors:
        made = keep_cut(cache, written[anchor], cited.texts.get(anchor) if cited else None,
                        anchor, chapter_key, with_list)
        if made is None:
            return None
        written[anchor] = made[0]
        if made[1]:
            checked.add(anchor)
    return checked


def spliced_chapter(cache: BuildCache, anchor: str, cited: Cited, version: list[int],
                    args: list[str], chapter_key: str, with_list: bool, what: str
                    ) -> str | None:
    """:func:`spliced` for the chapter ``anchor`` of the report ``cited``, its changed
    blocks written by pandoc with ``args`` (the render filter's)."""
    texts = cited.texts.get(anchor) or sliced(cited.blocks[anchor])[1]
    prefix = anchor + "-"
    return spliced(cache, record_key(anchor, chapter_key), layout(texts), prefix, with_list,
                   lambda parts: write_parts(parts, prefix, version, args, what))
