"""What the rest of the report knows about a chapter once it is read: headings, numbers,
cross-reference targets."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from reportc.cache import digest
from reportc.errors import Diagnostics, PathLike
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
class Trace:
    """How a chapter was read, numbered and resolved, for the per-chapter cache
    (:mod:`reportc.document.reuse`): what it took from the rest of the report (the counters
    it started from, the targets it looked up, the images it found) and what it gave and
    said (its identifiers, targets and warnings), so that an unchanged chapter whose inputs
    from the others are unchanged is taken whole from the last build."""

    key: str  # the chapter's record in the cache
    ast_key: str  # the read AST's entry (kept for a chapter taken whole)
    record: dict[str, Any] | None = None  # taken: the last build's record of it
    replayed: bool = False  # taken and its numbering replayed: resolving is to be checked
    warnings: dict[str, list[list[Any]]] = field(
        default_factory=lambda: {"read": [], "charts": [], "number": [], "resolve": []})
    entry: dict[str, int] = field(default_factory=dict)  # the counters it started from
    after: dict[str, int] = field(default_factory=dict)  # the counters it left
    claimed: list[str] = field(default_factory=list)  # identifiers it claimed
    targets: list[list[str]] = field(default_factory=list)  # [key, id, label, number] it made
    looked: dict[str, list[str] | None] = field(default_factory=dict)  # targets it read
    images: list[list[str]] = field(default_factory=list)  # [name written, file found]
    formulas: list[str] = field(default_factory=list)  # cache keys of its formulas' drawings
    # its charts, each [drawing's key, spec file as written ("": a chart block), block's text]
    charts: list[list[str]] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)  # the doc's fields after resolving
    shape: str | None = None  # taken: its ast_digest, with blocks_json its blocks


class Unparsed:
    """A chapter's tree whose blocks are still their JSON text (:class:`Tree`)."""

    def __init__(self, rest: dict[str, Any], blocks: str) -> None:
        self.rest, self.blocks = rest, blocks

    def parsed(self) -> dict[str, Any]:
        return {**self.rest, "blocks": json.loads(self.blocks)}


class Tree:
    """:attr:`ChapterDoc.ast`, which may be given :class:`Unparsed`: the tree of a chapter
    taken whole from the last build (:mod:`reportc.document.reuse`) has its blocks parsed
    when first read. An edit reads no other chapter's blocks (their HTML, checks and PDF
    parts are kept too), and parsing every record's blocks took 0.1 s of CPU (200 pages)
    on the way to the PDF's layout. Kept in the instance's ``ast`` entry, so that
    ``vars(doc)`` copies it whole, parsed or not."""

    def __get__(self, doc: ChapterDoc | None, owner: type | None = None) -> dict[str, Any]:
        if doc is None:
            raise AttributeError("ast")  # (so the dataclass field has no default)
        value = doc.__dict__["ast"]
        if isinstance(value, Unparsed):
            value = doc.__dict__["ast"] = value.parsed()
        return value

    def __set__(self, doc: ChapterDoc, value: dict[str, Any] | Unparsed) -> None:
        doc.__dict__["ast"] = value


@dataclass
class ChapterDoc:
    """A chapter after reading: its AST plus what the rest of the report needs to know."""

    chapter: Chapter
    ast: Tree = Tree()
    anchor: str = ""
    title: str = ""
    # a page without a heading (a declaration, a dedication): its first words, which name it
    # where a name is needed; "" for a chapter with a title
    untitled: str = ""
    number: str = ""
    label_word: str = ""  # "Chapter" or "Appendix" in the report's language (numbering's)
    headings: list[Heading] = field(default_factory=list)
    # each heading's [pandoc's identifier, GitHub's, reportc's] (reportc.document.links)
    heading_ids: list[list[str]] = field(default_factory=list)
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
    trace: Trace | None = field(default=None, repr=False, compare=False)

    @property
    def rel(self) -> str:
        return self.chapter.rel

    @property
    def label(self) -> str:
        """'Chapter 3', 'Appendix A' or '' for unnumbered parts."""
        if not self.number:
            return ""
        english = "Appendix" if self.chapter.kind == "appendix" else "Chapter"
        return f"{self.label_word or english} {self.number}"

    @property
    def listed_name(self) -> str:
        """What names the chapter beside its figures in a list: 'Chapter 3', else its
        title, else its first words (a page without a heading has neither)."""
        return self.label or self.title or self.untitled


def ast_digest(doc: ChapterDoc) -> str:
    """The chapter's AST, hashed: the key of a check that reads nothing else of it, so
    that an edit checks again only the chapters whose document changed (and every
    chapter whose numbers or cross-references moved with it). A tree has no cycles: not
    looking for them writes it a quarter faster, the same text. The blocks' JSON is kept
    for the citing stage (:func:`take_blocks`): one serialisation of the chapters instead
    of two (0.08 s each on 200 pages). A chapter taken whole from the last build has both
    from its record."""
    if doc.trace is not None and doc.trace.shape is not None:
        shape, doc.trace.shape = doc.trace.shape, None  # (its blocks_json: set when taken)
        return shape
    doc.blocks_json = json.dumps(doc.ast["blocks"], check_circular=False)
    rest = {name: value for name, value in doc.ast.items() if name != "blocks"}
    return digest(doc.rel, json.dumps(rest, ensure_ascii=False, check_circular=False),
                  doc.blocks_json)


def api_version(doc: ChapterDoc) -> list[int]:
    """The pandoc API version of the chapter's tree, read without parsing its blocks (the
    citing stage's keys name it: :class:`Tree`)."""
    value = doc.__dict__["ast"]
    tree: dict[str, Any] = value.rest if isinstance(value, Unparsed) else value
    return tree["pandoc-api-version"]


def take_blocks(doc: ChapterDoc) -> str:
    """The chapter's blocks as JSON: the text :func:`ast_digest` wrote, taken once (a
    later change of the tree would not show in it), else written now."""
    text, doc.blocks_json = doc.blocks_json, None
    return text if text is not None else json.dumps(doc.ast["blocks"], check_circular=False)


class Recording(Diagnostics):
    """``diag`` itself (its problems, policy and origins), noting each warning's words as
    given in ``said``: a chapter taken from the cache says them again (:func:`replay`),
    under the policy of its build."""

    def __init__(self, diag: Diagnostics, said: list[list[Any]]):
        super().__init__(diag.strict, diag.problems, diag.silenced, diag.origins, diag.pending)
        self.said = said

    def warning(self, message: str, path: PathLike = None, line: int | None = None, *,
                code: str, fails_strict: bool = True) -> None:
        self.said.append([message, None if path is None else str(path), line, code,
                          fails_strict])
        super().warning(message, path, line, code=code, fails_strict=fails_strict)


def replay(diag: Diagnostics, said: list[list[Any]]) -> None:
    """The warnings :class:`Recording` noted, given to ``diag`` again."""
    for message, path, line, code, fails_strict in said:
        diag.warning(message, path, line, code=code, fails_strict=fails_strict)
