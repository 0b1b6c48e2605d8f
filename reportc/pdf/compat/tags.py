"""The PDF's structure tree: what a screen reader and a PDF/UA validator read.

WeasyPrint 70 tags a document page by page: every page is a run of its own elements, so
a paragraph across a page break becomes two P, every text run becomes a Span, running
heads and contents leaders are text, notes are untyped NonStruct, anonymous boxes nest a
heading inside itself, and a link's description is its raw anchor id. This module
replaces WeasyPrint's tag builder (``weasyprint.pdf.add_tags``, pinned version only) with
one that keys structure elements by HTML element, so an element laid out on several pages
(a paragraph, a section) is one element with marked content on each page, and that maps
reportc's markup to PDF semantics:

- chapter headings: one H1 holding the title; the "Chapter N" label is a P before it;
- ``span.fn-body`` (a note) is a Note placed right after its call (a Reference), with its
  number as Lbl; ``.takeaways`` and ``.callout`` boxes are Aside (role-mapped to Div);
  bibliography entries are BibEntry;
- running heads, folios, contents leaders, the draft watermark, the cover band, rules,
  images with ``alt=""``, graphics marked ``aria-hidden`` (the takeaway stars) and marks
  a stylesheet draws (``::before``/``::after`` without a letter or digit: icons, the
  end-of-proof box) are drawn as Artifact (see :func:`_artifact`);
- images are Figure with /Alt (a missing alt is a warning: reportc.document.xrefs);
  table headers carry /Scope; elements with ``lang`` carry /Lang;
- a link's /Contents says where it goes: its text and where its target is, as printed
  ("2.1 Scope, page 7" in the contents, "Section 2.1 on page 9", "Figure 1 on the next
  page"), a bibliography entry, or its URL;
- elements without content (stand-in anchors of part-by-part layout) are left out.

The merge of part-by-part layouts (:mod:`reportc.pdf.merge`) joins these trees.
"""

from __future__ import annotations

import json
import re

import pydyf
import weasyprint
from weasyprint import document as wp_document
from weasyprint import pdf as wp_pdf
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.logger import LOGGER
from weasyprint.pdf import stream as wp_stream

from reportc.pdf.compat.tagwrite import _Node, _write
from reportc.project.language import ENGLISH, LINK_KEYS

# a link's description for screen readers, in English; a page in another language gives
# its words on its html element (data-link-words, reportc.project.language.Words.links)
LINK_WORDS = {key: ENGLISH[key] for key in LINK_KEYS}

PATCHED_VERSION = "70.0"

_ARTIFACTS: dict[int, set[int]] = {}  # id(page's tags dict) -> ids of boxes drawn as Artifact
_ARTIFACT_CLASSES = {"status-watermark", "cover-band", "part-pad", "ghost-anchors", "part-next",
                     "chunk-pad", "chunk-next"}  # chunk-*: themes with the old parts stylesheet
_TRANSPARENT = {"html", "body", "main"}
_TRANSPARENT_CLASSES = {"fn", "fn-keep"}
# inline elements PDF 1.7 has no type for: their text goes to the enclosing element
_PLAIN_INLINE = {"span", "em", "strong", "i", "b", "sup", "sub", "small", "cite", "time",
                 "abbr", "mark", "u", "s", "dfn", "var", "kbd", "samp", "bdi", "bdo", "wbr"}
_BLOCK_TAGS = {
    "p": "P", "section": "Sect", "article": "Art", "blockquote": "BlockQuote",
    "h1": "H1", "h2": "H2", "h3": "H3", "h4": "H4", "h5": "H5", "h6": "H6",
    "ul": "L", "ol": "L", "dl": "L", "table": "Table", "tr": "TR", "th": "TH", "td": "TD",
    "thead": "THead", "tbody": "TBody", "tfoot": "TFoot", "caption": "Caption",
    "figcaption": "Caption", "img": "Figure", "svg": "Figure", "pre": "P", "code": "Code",
    "q": "Quote", "a": "Link",
}
_CONTAINERS = {"Table", "TR", "THead", "TBody", "TFoot", "L"}  # may hold no content directly


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split()) if element is not None else set()


def _artifact(box) -> bool:
    """Boxes whose whole subtree is decoration or pagination, not content."""
    if isinstance(box, boxes.MarginBox) or getattr(box, "is_leader", False):
        return True
    element = getattr(box, "element", None)
    if element is None:
        return False
    tag, _, pseudo = (box.element_tag or "").partition("::")
    if tag == "hr" or _classes(element) & _ARTIFACT_CLASSES:
        return True
    if isinstance(box, boxes.ReplacedBox):  # an image or inline SVG the page marks as décor
        return element.get("alt") == "" or element.get("aria-hidden") == "true" or \
            element.get("role") in ("presentation", "none")
    # a mark the stylesheet draws (a callout's icon, the end-of-proof box, a separator dot):
    # a ::before or ::after without a letter or digit
    return pseudo in ("before", "after") and not any(c.isalnum() for c in "".join(_text(box)))


def _drawn_boxes(box, out: set[int]) -> None:
    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    out.add(id(box))
    for child in getattr(box, "children", ()):
        _drawn_boxes(child, out)


def _artifact_boxes(box, out: set[int], inside: bool = False) -> None:
    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    if inside or _artifact(box):
        _drawn_boxes(box, out)
        return
    for child in getattr(box, "children", ()):
        _artifact_boxes(child, out)


_original_paint = wp_document.Page.paint
_original_marked = wp_stream.Stream.marked
_original_add_tags = wp_pdf.add_tags


def _paint(self, stream, scale=1):
    """Note which of the page's boxes are decoration before it is drawn."""
    if stream._tags is not None:
        artifacts: set[int] = set()
        _artifact_boxes(self._page_box, artifacts)
        for fixed in getattr(self._page_box, "fixed_boxes", ()):
            if _artifact(fixed):
                _drawn_boxes(fixed, artifacts)
        _ARTIFACTS[id(stream._tags)] = artifacts
    return _original_paint(self, stream, scale)


def _marked(self, box, tag):
    """Decoration is drawn as /Artifact, without a marked-content id."""
    if self._tags is not None and id(box) in _ARTIFACTS.get(id(self._tags), ()):
        return self.artifact()
    return _original_marked(self, box, tag)


def apply() -> None:
    """Install the tag builder (pinned WeasyPrint only; otherwise WeasyPrint's own)."""
    if weasyprint.__version__ != PATCHED_VERSION:
        return
    wp_document.Page.paint = _paint
    wp_stream.Stream.marked = _marked
    wp_pdf.add_tags = add_tags


def remove() -> None:
    """Restore WeasyPrint's own tag builder (tests)."""
    wp_document.Page.paint = _original_paint
    wp_stream.Stream.marked = _original_marked
    wp_pdf.add_tags = _original_add_tags


# classes that decide a box's tag whatever its element, in the order they win
_CLASS_TAGS = (({"fn-body"}, "Note"), ({"takeaways", "callout"}, "Aside"),
               ({"csl-entry"}, "BibEntry"), ({"chapter-label"}, "P"))


def _element_tag(box, base: str) -> str | None:
    """The structure tag of a box by its element alone (see :meth:`_Builder.tag_for`)."""
    if base == "a" and not box.element.get("href"):
        return "Span"
    if base.endswith("}svg"):
        return "Figure"
    if base in _PLAIN_INLINE and box.element.get("lang") is None:
        return None
    if base in ("li", "dt", "dd"):
        return "LI"
    if base in _BLOCK_TAGS:
        return _BLOCK_TAGS[base]
    return "Div" if box.style["display"][0] == "block" or \
        isinstance(box, boxes.BlockBox) else "Span"


class _Builder:
    """Walks each page's boxes and grows one tree for the whole document."""

    def __init__(self, document, lang: str) -> None:
        self.root = _Node("Document", 0, None)
        self.nodes: dict[tuple, _Node] = {}  # (element, tag) -> node
        self.content: dict[int, _Node] = {}  # id(node) -> node its content goes to (LI: LBody)
        self.lang = lang
        self.page = 0
        self.tags: dict = {}
        self.artifacts: set[int] = set()
        self.parent_of: dict = {}
        self.links: list[tuple[object, object]] = []  # (HTML element, annotation)
        self.printed: dict[object, str] = {}  # link element -> text of its ::after
        self.words = LINK_WORDS  # the link descriptions' words (the page's data-link-words)

    def walk_page(self, page_number: int, page_box, tags: dict, artifacts: set[int]) -> None:
        self.page, self.tags, self.artifacts = page_number, tags, artifacts
        if not self.parent_of and page_box.children:
            html = page_box.children[0].element  # xml.etree elements know no parent
            if html is not None:
                self.parent_of = {kid: up for up in html.iter() for kid in up}
                self.words = {**LINK_WORDS, **json.loads(html.get("data-link-words") or "{}")}
        self.walk(page_box, self.root, None)
        for box, kid in list(tags.items()):  # drawn but not reached: keep it tagged
            self.root.kids.append(_Node("Span", page_number, self.root, [(page_number,
                                                                           kid["mcid"])]))
            del tags[box]

    def walk(self, box, parent: _Node, parent_key) -> None:
        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        if id(box) in self.artifacts or _artifact(box):
            self.add_links(box, parent)  # a leader's dots are decoration, not its link
            return
        if isinstance(box, boxes.TextBox):
            self.add_mcid(box, parent)
            return
        node, key = self.node_for(box, parent, parent_key)
        if (box.element_tag or "").endswith("::after") and box.element is not None:
            # "on p. 19", ". . . 19"; broken over two lines, it is two boxes: both words
            before = self.printed.get(box.element)
            text = "".join(_text(box))
            self.printed[box.element] = f"{before} {text}" if before else text
        if box.link_annotation:
            self.add_link(box.link_annotation, node)
        if isinstance(box, boxes.ReplacedBox):
            self.add_mcid(box, node)
        for child in getattr(box, "children", ()):
            self.walk(child, node, key)

    def add_links(self, box, parent: _Node) -> None:
        if getattr(box, "link_annotation", None):
            self.add_link(box.link_annotation, parent)
        for child in getattr(box, "children", ()):
            self.add_links(child, parent)

    def add_link(self, annotation, node: _Node) -> None:
        """Every box of a link has its annotation: all go to the Link element."""
        found: _Node | None = node
        while found is not None and found.tag != "Link":
            found = found.parent
        link = found or node
        link.kids.append((self.page, annotation))
        if link.element is not None:
            self.links.append((link.element, annotation))

    def add_mcid(self, box, node: _Node) -> None:
        kid = self.tags.pop(box, None)
        if kid is not None:
            self.content.get(id(node), node).kids.append((self.page, kid["mcid"]))

    def node_for(self, box, parent: _Node, parent_key) -> tuple[_Node, tuple | None]:
        """The element ``box`` belongs to, made the first time its HTML element is met."""
        element = box.element
        if element is None or isinstance(box, boxes.PageBox):
            return parent, parent_key
        base, _, pseudo = (box.element_tag or "").partition("::")
        if pseudo in ("before", "after"):
            pseudo = ""
        key = (element, pseudo)
        if key == parent_key:
            return parent, parent_key  # an anonymous box of the same element
        if key in self.nodes:
            return self.nodes[key], key
        if pseudo == "footnote-call" and getattr(box, "footnote", None) is not None:
            self.note_call(box, parent)
            return self.nodes[key], key
        tag = self.tag_for(box, base, pseudo)
        if tag is None:
            self.nodes[key] = parent
            return parent, key
        host = self.content.get(id(parent), parent)
        node = _Node(tag, self.page, host, element=element)
        self.nodes[key] = node
        if "chapter-label" in _classes(element) and host.parent is not None:
            host.parent.kids.insert(_index(host.parent, host), node)  # before the heading
            node.parent = host.parent
        elif pseudo == "marker" and host.tag == "LBody" and host.parent is not None:
            host.parent.kids.insert(_index(host.parent, host), node)  # Lbl before LBody
            node.parent = host.parent
        else:
            host.kids.append(node)
        self.decorate(node, box, element, base)
        return node, key

    def note_call(self, call, parent: _Node) -> None:
        """The call is a Reference; the note it calls follows it at once, wherever its
        text is laid out."""
        host = self.content.get(id(parent), parent)
        note_box = call.footnote
        note = _Node("Note", self.page, host)
        number = "".join(_text(call)).strip()
        note.attrs["ID"] = _note_id(self.parent_of, note_box.element, self.page, number)
        if number:
            note.attrs["T"] = f"Note {number}"
        self.nodes[(note_box.element, "")] = note
        reference = _Node("Reference", self.page, host)
        self.nodes[(call.element, "footnote-call")] = reference
        for text in _text_boxes(call):
            kid = self.tags.pop(text, None)
            if kid is not None:
                reference.kids.append((self.page, kid["mcid"]))
        host.kids += [reference, note]

    def tag_for(self, box, base: str, pseudo: str) -> str | None:
        """The structure tag of a box (``base``: its element's tag, ``pseudo``: its pseudo
        element's name); ``None``: the box is no element of its own in the structure."""
        classes = _classes(box.element)
        if pseudo:
            return "Lbl" if pseudo in ("marker", "footnote-marker") else "Span"
        if base in _TRANSPARENT or classes & _TRANSPARENT_CLASSES:
            return None
        for names, tag in _CLASS_TAGS:
            if classes & names:
                return tag
        return _element_tag(box, base)

    def decorate(self, node: _Node, box, element, base: str) -> None:
        lang = element.get("lang")
        if lang and lang != self.lang and base != "html":
            node.attrs["Lang"] = lang
        if node.tag == "LI":
            body = _Node("LBody", self.page, node)
            node.kids.append(body)
            self.content[id(node)] = body
        elif node.tag == "Figure":
            alt = element.get("alt")
            if base.endswith("}svg"):
                title = element.find("{http://www.w3.org/2000/svg}title")
                alt = title.text if title is not None else None
            if alt:  # reportc.document.xrefs warns about a missing one, with its line
                node.attrs["Alt"] = alt
        elif node.tag == "TH":
            scope = element.get("scope") or ("Column" if self.in_head(element) else "Row")
            node.attrs["A"] = {"O": "Table", "Scope": scope.capitalize()}
        elif node.tag == "TD":
            node.attrs["A"] = {"O": "Table"}

    def in_head(self, element) -> bool:
        parent = self.parent_of.get(element)
        while parent is not None and parent.tag != "thead":
            parent = self.parent_of.get(parent)
        return parent is not None

    def describe_link(self, element, annotation) -> None:
        """What a screen reader announces for the link: where it goes."""
        href = element.get("href") or ""
        if not href.startswith("#"):
            annotation["Contents"] = pydyf.String(href)
            return
        text = " ".join(" ".join(element.itertext()).split())
        after = " ".join(self.printed.get(element, "").split())
        page = re.fullmatch(r"[. ]*(\d+)", after)  # a contents line: leader dots, page
        words = self.words
        description = text or words["link-title"]
        if element.get("role") == "doc-biblioref" or href.startswith("#ref-"):
            short = description if len(description) <= 90 else description[:89] + "\u2026"
            description = f"{words['link-bibliography']}: {short}"
        if page:
            spoken = words["xref-page-spoken"].split()[-1]  # "on page" -> "page"
            description += f", {spoken} {page.group(1)}"
        elif after:  # a cross-reference's "on p. 9", "on the next page"
            description += " " + after.replace(words["xref-page"], words["xref-page-spoken"])
        annotation["Contents"] = pydyf.String(description)


def _note_id(parent_of: dict, element, page: int, number: str) -> str:
    """Unique in the merged PDF too: the part's anchor and the note's number (notes are
    numbered per chapter); page and number outside a part."""
    up = parent_of.get(element)
    while up is not None and not (up.tag == "section" and _part_anchor(up)):
        up = parent_of.get(up)
    where = _part_anchor(up) if up is not None else f"p{page}"
    return f"note-{where}-{number}"


def _part_anchor(section) -> str:
    """A part's anchor: its heading's id, or its own (a page without a heading)."""
    return section.get("aria-labelledby") or \
        (section.get("id", "") if "untitled" in section.get("class", "").split() else "")


def _index(parent: _Node, kid: _Node) -> int:
    return next(i for i, k in enumerate(parent.kids) if k is kid)


def _text_boxes(box):
    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)


def _text(box):
    for text in _text_boxes(box):
        yield text.text


def add_tags(pdf, document, pdf_version, page_streams) -> None:
    """Replaces ``weasyprint.pdf.add_tags``: same catalog entries, reportc's tree."""
    lang = document.metadata.lang or ""
    builder = _Builder(document, lang)
    for number, (page, stream) in enumerate(zip(document.pages, page_streams, strict=False)):
        artifacts = _ARTIFACTS.pop(id(stream._tags), set())
        builder.walk_page(number, page._page_box, stream._tags, artifacts)
    for element, annotation in builder.links:
        builder.describe_link(element, annotation)
    _write(pdf, builder.root, len(document.pages))
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
    if "Lang" not in pdf.catalog:
        LOGGER.error('Missing required "lang" attribute at the root of the document')
        pdf.catalog["Lang"] = pydyf.String()
