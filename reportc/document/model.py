"""What the rest of the report knows about a chapter once it is read: headings, numbers,
cross-reference targets."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from reportc.cache import digest
from reportc.project.chapters import Chapter


@dataclass
class Heading:
    level: int
    id: str
    title: str
    number: str = ""


@dataclass
class Target:
    """Something a cross-reference can point at, with the words that name it."""

    id: str
    label: str  # "Figure 2", "Section 3.2", "Chapter 3", or a quoted title
    number: str  # what [-@id] prints


@dataclass
class Float:
    """A numbered float (figure, table, listing), in reading order: what lists of figures
    and tables print."""

    kind: str  # "figure", "table" or "listing"
    number: str  # "2"
    caption: str  # the caption's plain text, without its label
    id: str  # the anchor to link to ("" when the author gave none)
    label: str = ""  # "Figure 2"


@dataclass
class ChapterDoc:
    """A chapter after reading: its AST plus what the rest of the report needs to know."""

    chapter: Chapter
    ast: dict[str, Any]
    anchor: str = ""
    title: str = ""
    number: str = ""
    headings: list[Heading] = field(default_factory=list)
    cite_keys: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    drawn: list[str] = field(default_factory=list)  # PDF figures drawn into the chapter (SVG)
    inputs: list[str] = field(default_factory=list)  # chart specs and data read (not shipped)
    charted: list[str] = field(default_factory=list)  # text its charts print (the glyph check's)
    floats: list[Float] = field(default_factory=list)  # numbered figures, tables, listings
    has_refs: bool = False  # the chapter has a `::: {#refs}` div: the bibliography goes there
    # a LaTeX "\appendix" in the chapter: "before" its title (it is the first appendix) or
    # "after" it (the next chapter is); see reportc.document.raw.start_appendices
    appendix: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # a LaTeX \label -> its identifier
    # the blocks as JSON, written by ast_digest for the citing stage to take (take_blocks):
    # whatever changes the blocks in between clears it
    blocks_json: str | None = field(default=None, repr=False, compare=False)

    @property
    def rel(self) -> str:
        return self.chapter.rel

    @property
    def label(self) -> str:
        """'Chapter 3', 'Appendix A' or '' for unnumbered parts."""
        if not self.number:
            return ""
        return ("Appendix " if self.chapter.kind == "appendix" else "Chapter ") + self.number


def ast_digest(doc: ChapterDoc) -> str:
    """The chapter's AST, hashed: the key of a check that reads nothing else of it, so
    that an edit checks again only the chapters whose document changed (and every
    chapter whose numbers or cross-references moved with it). A tree has no cycles: not
    looking for them writes it a quarter faster, the same text. The blocks' JSON is kept
    for the citing stage (:func:`take_blocks`): one serialisation of the chapters instead
    of two (0.08 s each on 200 pages)."""
    doc.blocks_json = json.dumps(doc.ast["blocks"], check_circular=False)
    rest = {name: value for name, value in doc.ast.items() if name != "blocks"}
    return digest(doc.rel, json.dumps(rest, ensure_ascii=False, check_circular=False),
                  doc.blocks_json)


def take_blocks(doc: ChapterDoc) -> str:
    """The chapter's blocks as JSON: the text :func:`ast_digest` wrote, taken once (a
    later change of the tree would not show in it), else written now."""
    text, doc.blocks_json = doc.blocks_json, None
    return text if text is not None else json.dumps(doc.ast["blocks"], check_circular=False)
