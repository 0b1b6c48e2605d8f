"""Lists of figures, of tables and of key takeaways ("Key takeaways at a glance").

Each entry links to its figure, table or box. The lists are printed in the front matter,
beside the contents: there, like contents entries, their links print the target's page
from ``data-page`` (reportc.pdf.split), so the page numbers are exact in the part-by-part
build too. Captioned floats and boxes without an identifier get one here, before the
chapters are rendered, so that every entry has something to link to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reportc.document.kinds import DEFAULT_TAKEAWAYS_TITLE
from reportc.document.model import ChapterDoc
from reportc.pandoc import ast as A


@dataclass(frozen=True)
class ListEntry:
    """One line of a list: what it links to, the words it shows, and its chapter."""

    anchor: str
    number: str  # "Figure 3" / "Table 1" / "" for takeaways
    text: str
    chapter: str  # "Chapter 2" or the unnumbered part's title
    chapter_anchor: str


@dataclass
class ReportLists:
    """The lists a report asked for (``lists:`` in report.yaml), in report order."""

    figures: list[ListEntry] = field(default_factory=list)
    tables: list[ListEntry] = field(default_factory=list)
    takeaways: list[ListEntry] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)

    def entries(self, kind: str) -> list[ListEntry]:
        return getattr(self, kind)

    def __bool__(self) -> bool:
        return any(self.entries(kind) for kind in self.shown)


def collect_lists(docs: list[ChapterDoc], kinds: list[str],
                  takeaways: str = DEFAULT_TAKEAWAYS_TITLE) -> ReportLists:
    """Gather the entries of the ``kinds`` lists, giving anchors to what has none
    (``takeaways``: the title of a box that has none of its own).

    Call after numbering and cross-references (captions carry their "Figure N." label
    then, and takeaway boxes their title); changes the chapters' ASTs."""
    lists = ReportLists(shown=list(kinds))
    if not kinds:
        return lists
    taken = {_identifier(node) for doc in docs for node in A.iter_nodes(doc.ast["blocks"])}
    for doc in docs:
        chapter, named = doc.listed_name, len(taken)
        for node in A.iter_nodes(doc.ast["blocks"]):
            entry = None
            if node["t"] in ("Figure", "Table") and node["c"][1][1]:
                kind = "figures" if node["t"] == "Figure" else "tables"
                entry = _float_entry(node, kind, chapter, doc.anchor, taken)
            elif node["t"] == "Div" and "takeaways" in node["c"][0][1]:
                kind = "takeaways"
                entry = _takeaway_entry(node, chapter, doc.anchor, taken, takeaways)
            if entry is not None and kind in kinds:
                lists.entries(kind).append(entry)
        if len(taken) > named:  # an anchor given: the blocks' JSON kept is another's
            doc.blocks_json = None
    return lists


def _identifier(node: A.Node) -> str:
    """The identifier of any block that can carry one ('' for the rest)."""
    if node["t"] == "Header":
        return node["c"][1][0]
    if node["t"] in ("Figure", "Table", "Div", "CodeBlock"):
        return node["c"][0][0]
    return ""


def _anchor(node: A.Node, stem: str, taken: set[str]) -> str:
    """The node's identifier, or a new one (``stem-N``) no other element uses."""
    if node["c"][0][0]:
        return node["c"][0][0]
    number = 1
    while f"{stem}-{number}" in taken:
        number += 1
    identifier = f"{stem}-{number}"
    taken.add(identifier)
    node["c"][0][0] = identifier
    return identifier


def _float_entry(node: A.Node, kind: str, chapter: str, chapter_anchor: str,
                 taken: set[str]) -> ListEntry:
    caption = plain_text(node["c"][1][1])
    label = _caption_label(node["c"][1][1])
    number = label.rstrip(". ").replace("\u00a0", " ")
    text = caption[len(label):].lstrip() if label and caption.startswith(label) else caption
    anchor = _anchor(node, "list-figure" if kind == "figures" else "list-table", taken)
    return ListEntry(anchor, number, _first_sentence(text).rstrip("."), chapter,
                     chapter_anchor)


def _takeaway_entry(node: A.Node, chapter: str, chapter_anchor: str,
                    taken: set[str], default: str) -> ListEntry:
    """A box is quoted by its own title, or by its first item when it has the default one."""
    box_attr, blocks = node["c"]
    title = dict(box_attr[2]).get("aria-label", default)
    content = [b for b in blocks if not (b["t"] == "Div" and "takeaways-label" in b["c"][0][1])]
    text = title if title != default else _first_item(content)
    return ListEntry(_anchor(node, "takeaways", taken), "", text or title, chapter,
                     chapter_anchor)


def _caption_label(blocks: list[A.Node]) -> str:
    """The label numbering put in front of a caption ("Abbildung 3."), in whatever words
    the report's language gives it; ``""`` when there is none."""
    first = blocks[0]["c"] if blocks and blocks[0]["t"] in ("Para", "Plain") else []
    if first and first[0]["t"] == "Span" and "caption-label" in first[0]["c"][0][1]:
        return plain_text([{"t": "Plain", "c": first[0]["c"][1]}])
    return ""


def _first_item(blocks: list[A.Node]) -> str:
    """The first sentence of the box's first item (or paragraph)."""
    for block in blocks:
        if block["t"] in ("BulletList", "OrderedList"):
            items = block["c"] if block["t"] == "BulletList" else block["c"][1]
            if items:
                return _first_sentence(plain_text(items[0]))
        elif block["t"] in ("Para", "Plain"):
            return _first_sentence(plain_text(block))
    return ""


def plain_text(tree: object) -> str:
    """The words of ``tree`` without its citations and notes: a list or a description
    quotes what the text says, not its sources."""
    text = " ".join(A.stringify(_uncited(tree)).split())
    return re.sub(r"\s+([.,;:!?])", r"\1", text)  # where a citation was


def _uncited(tree: Any) -> Any:
    if isinstance(tree, list):
        return [_uncited(item) for item in tree
                if not (isinstance(item, dict) and item.get("t") in ("Cite", "Note"))]
    if isinstance(tree, dict):
        return {key: _uncited(value) for key, value in tree.items()}
    return tree


def _first_sentence(text: str) -> str:
    """A list shows a caption's or an item's first sentence: the rest is explanation."""
    match = re.match(r"(.+?[.!?])(\s+[A-Z\u201c\u2018\"(]|$)", text)
    return match.group(1) if match else text
