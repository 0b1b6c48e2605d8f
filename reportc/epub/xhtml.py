"""The book's XHTML files, made from the HTML the citing stage rendered for the web edition
(no pandoc run of its own: on a 200-page report pandoc's EPUB writer cost 2.5 s, several
times the rest of the edition).

The chapter HTML is pandoc's html5, which is well-formed XML (raw HTML is off in the
chapters, and pandoc writes void elements as ``<br />``): each file is parsed once as
XML inside its XHTML frame. Then it is shaped for a book:

- **Notes**: a note call (``span.fn``: the call and the note's text for the print page)
  becomes an ``epub:type="noteref"`` link; the chapter's list of notes becomes
  ``epub:type="footnote"`` asides at the end of its file, each with its link back.
- **Chapter headings** read "3 Title", as the PDF's bookmarks: "Chapter 3" above the title
  is a device of a printed page.
- **Links** to an id in another file name that file (every id is unique in the report).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import PurePosixPath

from lxml import etree
from lxml import html as lxml_html

XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
MATHML = "http://www.w3.org/1998/Math/MathML"
SVG = "http://www.w3.org/2000/svg"
TYPE = f"{{{EPUB_NS}}}type"
NS = {"x": XHTML}
STYLESHEET = "styles/stylesheet1.css"  # inside EPUB/, as pandoc named it
# pandoc's rules for citeproc's lists (hanging indents, numbers in the margin), which its
# EPUB writer put in the head of a file that holds the bibliography
CSL_STYLE = """
    div.csl-bib-body { }
    div.csl-entry { clear: both; }
    .hanging-indent div.csl-entry { margin-left: 2em; text-indent: -2em; }
    div.csl-left-margin { min-width: 2em; float: left; }
    div.csl-right-inline { margin-left: 2em; padding-left: 1em; }
    div.csl-indent { margin-left: 2em; }
"""
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                          remove_blank_text=False)


@dataclass
class BookFile:
    """One XHTML file of the book: its name inside ``EPUB/`` and its tree."""

    name: str  # text/ch001.xhtml, nav.xhtml...
    tree: etree._Element
    kind: str = "chapter"  # cover, title_page, nav, chapter, bibliography

    @property
    def body(self) -> etree._Element:
        return self.tree[1]

    @property
    def stem(self) -> str:
        return PurePosixPath(self.name).stem


def xhtml_file(name: str, title: str, content: str, lang: str, body_type: str | None,
               body_attrs: str = "") -> BookFile:
    """The XHTML file ``name`` with ``content`` (XHTML markup) as its body. Content that is
    not well-formed XML (never pandoc's own) is read by the HTML parser instead."""
    depth = "../" * name.count("/")
    style = f"<style>{CSL_STYLE}</style>" if "csl-bib-body" in content else ""
    frame = (f'<html xmlns="{XHTML}" xmlns:epub="{EPUB_NS}" lang="{escape(lang)}" '
             f'xml:lang="{escape(lang)}"><head><meta charset="utf-8"/>'
             f"<title>{escape(title)}</title>{style}"
             f'<link rel="stylesheet" type="text/css" href="{depth}{STYLESHEET}"/></head>'
             + (f'<body epub:type="{body_type}"' if body_type else "<body")
             + f"{body_attrs}>\n")
    try:
        tree = etree.fromstring(f"{frame}{content}</body></html>".encode(), _PARSER)
    except etree.XMLSyntaxError:
        tree = etree.fromstring(f"{frame}{_as_xml(content)}</body></html>".encode(), _PARSER)
    return BookFile(name, tree)


def _as_xml(content: str) -> str:
    """HTML that is not well-formed XML, as XML (the HTML parser's reading of it)."""
    parts = lxml_html.fragments_fromstring(content)
    text = parts.pop(0) if parts and isinstance(parts[0], str) else ""
    return escape(text, quote=False) + "".join(
        etree.tostring(part, encoding="unicode", method="xml") for part in parts)


def shape_chapter(book_file: BookFile) -> None:
    """A chapter's web HTML shaped for the book: notes, its heading (see the module)."""
    body = book_file.body
    texts = _note_calls(body)
    for section in body.xpath(".//x:section[contains(@class, 'chapter-notes')]",
                              namespaces=NS):
        _footnotes(section, texts)
    heading = next(iter(body.xpath("x:h1[contains(@class, 'chapter-heading')]",
                                   namespaces=NS)), None)
    if heading is not None:
        flatten_heading(heading)


def _note_calls(body: etree._Element) -> dict[str, etree._Element]:
    """Each note call becomes its link, an ``epub:type="noteref"``; the note texts the
    calls carried (for the print page), by the id of the note they call."""
    texts: dict[str, etree._Element] = {}
    for call in body.xpath(".//x:span[@class='fn']", namespaces=NS):
        link = call.find("x:a", NS)
        if link is None:
            continue
        text = call.find("x:span[@class='fn-body']", NS)
        if text is not None:
            texts[(link.get("href") or "").lstrip("#")] = text
        link.set(TYPE, "noteref")
        link.tail = call.tail
        call.getparent().replace(call, link)
    return texts


def _footnotes(section: etree._Element, texts: dict[str, etree._Element]) -> None:
    """The chapter's list of notes as EPUB footnotes: one aside per note, its blocks and
    its link back to the call. A list left empty (written for the print page alone)
    takes each note's text from its call."""
    notes = section.xpath(".//x:div[@class='fn-item']", namespaces=NS)
    kept = {note.get("id") for note in notes}
    identifier = section.get("id", "")
    section.attrib.clear()
    section.attrib.update({"id": identifier, "class": "footnotes"})
    section.set(TYPE, "footnotes")
    for child in list(section):
        section.remove(child)
    for note in notes:
        aside = etree.SubElement(section, f"{{{XHTML}}}aside", {"id": note.get("id", "")})
        aside.set(TYPE, "footnote")
        aside.set("role", "doc-footnote")
        aside.extend(list(note))
        aside.text = note.text
    for identifier, text in texts.items():
        if identifier not in kept:
            aside = etree.SubElement(section, f"{{{XHTML}}}aside", {"id": identifier})
            aside.set(TYPE, "footnote")
            aside.set("role", "doc-footnote")
            paragraph = etree.SubElement(aside, f"{{{XHTML}}}p")
            paragraph.text = text.text
            paragraph.extend(list(text))


def flatten_heading(heading: etree._Element) -> None:
    """'Chapter 3' above the title is a page's device; the book's heading reads
    '3 Title', as the PDF's bookmarks (see :func:`reportc.document.numbering.
    flatten_chapter_heading`)."""
    heading.attrib.pop("data-bookmark", None)
    label = heading.find("x:span[@class='chapter-label']", NS)
    title = heading.find("x:span[@class='chapter-title']", NS)
    words = "".join(label.itertext()).split() if label is not None else []
    if title is None:
        if label is not None:
            heading.remove(label)
        return
    for child in list(heading):
        heading.remove(child)
    heading.text = (f"{words[-1]} " if words else "") + (title.text or "")
    heading.extend(list(title))


def link_across_files(files: Iterable[BookFile]) -> dict[str, str]:
    """``#id`` of an element in another file becomes ``other.xhtml#id``; returns the file
    that holds each id."""
    files = list(files)
    owners: dict[str, str] = {}
    for book_file in files:
        for identifier in book_file.tree.xpath("//@id"):
            owners.setdefault(str(identifier), book_file.name)
    for book_file in files:
        for link in book_file.tree.xpath("//x:a[starts-with(@href, '#')]", namespaces=NS):
            owner = owners.get(link.get("href")[1:])
            if owner and owner != book_file.name:
                link.set("href", f"{PurePosixPath(owner).name}{link.get('href')}")
    return owners


def heading_text(heading: etree._Element) -> str:
    """A heading's words, without its notes' calls."""
    words = [text for text in heading.xpath(".//text()[not(ancestor::x:a[@epub:type="
                                            "'noteref'])]",
                                            namespaces={**NS, "epub": EPUB_NS})]
    return " ".join("".join(words).split())


def serialise(book_file: BookFile) -> bytes:
    return etree.tostring(book_file.tree, xml_declaration=True, encoding="UTF-8",
                          doctype="<!DOCTYPE html>") + b"\n"


def has_element(book_file: BookFile, namespace: str, local: str) -> bool:
    return next(book_file.tree.iter(f"{{{namespace}}}{local}"), None) is not None
