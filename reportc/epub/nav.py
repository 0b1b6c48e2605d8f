"""The book's navigation: the navigation document (contents to the second heading level,
the page list of the PDF edition, landmarks for the cover, the title page, the contents,
the start of the text and the bibliography) and, for reading systems of EPUB 2, the NCX
with the same contents."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from html import escape

from lxml import etree

from reportc.epub.pages import Marked
from reportc.epub.xhtml import EPUB_NS, NS, TYPE, XHTML, BookFile, heading_text, xhtml_file

NAV = "nav.xhtml"
NCX = "toc.ncx"
PAGE_LIST_TITLE = "Pages of the print edition (PDF)"


@dataclass
class Entry:
    """One entry of the contents: a heading of level 1 or 2 and the entries under it."""

    href: str  # relative to EPUB/
    heading: etree._Element  # a copy: its words and markup as the contents show them
    text: str  # its words alone (the NCX's)
    children: list[Entry] = field(default_factory=list)


def contents(files: list[BookFile]) -> list[Entry]:
    """The headings of levels 1 and 2 with an id, in reading order (notes left out)."""
    entries: list[Entry] = []
    for book_file in files:
        if book_file.kind not in ("chapter", "bibliography"):
            continue
        for heading in book_file.body.xpath(
                ".//x:h1[@id] | .//x:h2[@id]", namespaces=NS):
            if "unlisted" in (heading.get("class") or "").split():
                continue
            label = _label(heading)
            entry = Entry(f"{book_file.name}#{heading.get('id')}", label, heading_text(label))
            level_one = etree.QName(heading).localname == "h1"
            if level_one or not entries:
                entries.append(entry)
            else:
                entries[-1].children.append(entry)
    return entries


def _label(heading: etree._Element) -> etree._Element:
    """A copy of the heading's words and markup for the contents: no note calls, no
    links, no ids."""
    label = copy.deepcopy(heading)
    for call in label.xpath(".//x:a[@epub:type='noteref']",
                            namespaces={**NS, "epub": EPUB_NS}):
        _drop(call, keep_content=False)
    for link in label.xpath(".//x:a", namespaces=NS):
        _drop(link, keep_content=True)
    for element in label.iter():
        element.attrib.pop("id", None)
    return label


def _drop(element: etree._Element, keep_content: bool) -> None:
    """Take ``element`` out of its parent, keeping its tail (and its content)."""
    parent = element.getparent()
    index = parent.index(element)
    pieces = [element.text or ""] if keep_content else []
    children = list(element) if keep_content else []
    tail = element.tail or ""
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    text = "".join(pieces)
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
        _append_text(parent, index, text)
    else:
        _append_text(parent, index, text + tail)


def _append_text(parent: etree._Element, index: int, text: str) -> None:
    """``text`` where the child at ``index`` of ``parent`` was: after the one before."""
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        before = parent[index - 1]
        before.tail = (before.tail or "") + text


def navigation_document(title: str, lang: str, entries: list[Entry], marked: Marked,
                        landmarks: list[tuple[str, str, str]]) -> BookFile:
    """``nav.xhtml``: the contents, the page list (hidden: reading systems offer it as
    a "go to page") and the landmarks (hidden) as (href, epub:type, words)."""
    nav = xhtml_file(NAV, title, "", lang, "frontmatter")
    nav.kind = "nav"
    toc = _nav(nav.body, "toc", "toc", "doc-toc")
    heading = etree.SubElement(toc, f"{{{XHTML}}}h1", {"id": "toc-title"})
    heading.text = title
    _entries(toc, entries)
    if marked:
        pages = _nav(nav.body, "page-list", "page-list", "doc-pagelist", hidden=True)
        etree.SubElement(pages, f"{{{XHTML}}}h2").text = PAGE_LIST_TITLE
        ordered = etree.SubElement(pages, f"{{{XHTML}}}ol")
        for page, name in marked:
            _link(etree.SubElement(ordered, f"{{{XHTML}}}li"), f"{name}#page-{page}",
                  str(page))
    marks = _nav(nav.body, "landmarks", "landmarks", "", hidden=True)
    ordered = etree.SubElement(marks, f"{{{XHTML}}}ol")
    for href, kind, words in landmarks:
        _link(etree.SubElement(ordered, f"{{{XHTML}}}li"), href, words).set(TYPE, kind)
    return nav


def _nav(body: etree._Element, kind: str, identifier: str, role: str,
         hidden: bool = False) -> etree._Element:
    nav = etree.SubElement(body, f"{{{XHTML}}}nav", {"id": identifier})
    nav.set(TYPE, kind)
    if role:
        nav.set("role", role)
    if hidden:
        nav.set("hidden", "hidden")
    return nav


def _entries(parent: etree._Element, entries: list[Entry]) -> None:
    ordered = etree.SubElement(parent, f"{{{XHTML}}}ol", {"class": "toc"})
    for entry in entries:
        item = etree.SubElement(ordered, f"{{{XHTML}}}li")
        link = _link(item, entry.href, "")
        link.text = entry.heading.text
        link.extend(copy.deepcopy(child) for child in entry.heading)
        if entry.children:
            _entries(item, entry.children)


def _link(parent: etree._Element, href: str, words: str) -> etree._Element:
    link = etree.SubElement(parent, f"{{{XHTML}}}a", {"href": href})
    link.text = words
    return link


def ncx(identifier: str, title: str, entries: list[Entry], title_page: str) -> bytes:
    """``toc.ncx``, the contents for reading systems of EPUB 2."""
    count = 0

    def points(items: list[Entry]) -> str:
        nonlocal count
        out = []
        for item in items:
            count += 1
            out.append(f'<navPoint id="navPoint-{count}"><navLabel><text>'
                       f'{escape(item.text)}</text></navLabel><content src="'
                       f'{escape(item.href)}"/>{points(item.children)}</navPoint>')
        return "".join(out)

    listed = points(entries)
    depth = 2 if any(entry.children for entry in entries) else 1
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<ncx version="2005-1" xmlns="http://www.daisy.org/z3986/2005/ncx/"><head>'
            f'<meta name="dtb:uid" content="{escape(identifier)}"/>'
            f'<meta name="dtb:depth" content="{depth}"/>'
            f'<meta name="dtb:totalPageCount" content="0"/>'
            f'<meta name="dtb:maxPageNumber" content="0"/></head>'
            f'<docTitle><text>{escape(title)}</text></docTitle><navMap>'
            f'<navPoint id="navPoint-0"><navLabel><text>{escape(title)}</text></navLabel>'
            f'<content src="{escape(title_page)}"/></navPoint>{listed}'
            f'</navMap></ncx>\n').encode()
