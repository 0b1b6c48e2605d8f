"""Finishing pandoc's EPUB: what it does not write, then a zip with fixed dates.

- **Links across files**: pandoc points a cross-reference at another chapter's file for
  sections and tables; a figure's link it leaves as ``#fig-x``. Every fragment link to
  an id in another XHTML file gets that file's name.
- **Pages of the PDF**: a page-break marker (``epub:type="pagebreak"``,
  ``role="doc-pagebreak"``) where each of the PDF's pages starts, as far as the PDF's page
  map says: the page of every part opening and of every heading, figure, table, note and
  bibliography entry. A page on which nothing with an id starts (running text only) has
  no marker and is left out of the page list rather than placed by guess.
- **Navigation**: the page list, and landmarks for the body and the bibliography.
- **Accessibility metadata** (EPUB Accessibility 1.1): access modes, features, hazards,
  a summary, the conformance claim and the page source (the PDF edition).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from lxml import etree

from reportc.editions.base import Made
from reportc.epub.metadata import add_accessibility_metadata

XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
TYPE = f"{{{EPUB_NS}}}type"
TEXT_DIR = "EPUB/text/"
NAV = "EPUB/nav.xhtml"
OPF = "EPUB/content.opf"
DROPPED = {"META-INF/com.apple.ibooks.display-options.xml"}  # one reading system's options


def finish_epub(raw: bytes, made: Made) -> bytes:
    """The finished book, from pandoc's."""
    with zipfile.ZipFile(io.BytesIO(raw)) as book:
        files = {name: book.read(name) for name in book.namelist() if name not in DROPPED}
    pages = [name for name in files if name.startswith(TEXT_DIR) and name.endswith(".xhtml")]
    trees = {name: etree.fromstring(files[name]) for name in [*pages, NAV]}
    owners = {element.get("id"): name for name in pages
              for element in trees[name].iter() if element.get("id")}
    for name in pages:
        _link_across_files(trees[name], name, owners)
    marked = _mark_pages(trees, pages, made.products.get("pages") or {})
    _add_navigation(trees[NAV], marked, owners)
    for name, tree in trees.items():
        files[name] = _serialise(tree)
    files[OPF] = add_accessibility_metadata(files[OPF], made, bool(marked),
                                            _has_math(trees))
    if "META-INF/container.xml" in files:
        files["META-INF/container.xml"] = files["META-INF/container.xml"].replace(
            b"\r\n", b"\n")
    return _zip(files, made.release.date.timetuple()[:6])


def _link_across_files(tree: etree._Element, name: str, owners: dict[str, str]) -> None:
    """``#id`` of an element in another file becomes ``other.xhtml#id``."""
    for link in tree.iter(f"{{{XHTML}}}a"):
        href = link.get("href") or ""
        if not href.startswith("#"):
            continue
        owner = owners.get(href[1:])
        if owner and owner != name:
            link.set("href", f"{PurePosixPath(owner).name}{href}")


def _mark_pages(trees: dict[str, etree._Element], pages: list[str],
                page_map: dict) -> list[tuple[int, str]]:
    """Page-break markers where the PDF's pages start; (page, file) of each, in order.
    Page 1 of the PDF, its cover, is the title page's start."""
    anchors = _page_of_anchors(page_map)
    marked: list[tuple[int, str]] = []
    last = 0
    for name in sorted(pages, key=_reading_order):
        tree = trees[name]
        if anchors and PurePosixPath(name).stem == "title_page" and last == 0:
            _insert_marker(tree.find(f"{{{XHTML}}}body"), 1)
            marked.append((1, name))
            last = 1
        for element in list(tree.iter()):
            page = anchors.get(element.get("id") or "")
            if page is None or page <= last:
                continue
            _insert_marker(element, page)
            marked.append((page, name))
            last = page
        _mark_bibliography(tree)
    return marked


def _page_of_anchors(page_map: dict) -> dict[str, int]:
    """The page of each anchor, and of each part's opening (its first page)."""
    anchors = {str(k): int(v) for k, v in (page_map.get("anchors") or {}).items()}
    order, counts = page_map.get("order") or [], page_map.get("counts") or {}
    page = 1
    for part in order:
        anchors.setdefault(part, page)
        page += int(counts.get(part, 0))
    return anchors


def _mark_bibliography(tree: etree._Element) -> None:
    """The bibliography's section says what it is (pandoc writes a plain section)."""
    for section in tree.iter(f"{{{XHTML}}}section"):
        if section.get("id") == "bibliography":
            section.set(TYPE, "bibliography")
            section.set("role", "doc-bibliography")


def _reading_order(name: str) -> tuple[int, str]:
    """The title page before the chapters (ch001...), the cover before both."""
    stem = PurePosixPath(name).stem
    return ({"cover": 0, "title_page": 1}.get(stem, 2), stem)


def _insert_marker(element: etree._Element, page: int) -> None:
    """A marker before ``element``, or first inside it if it is a section or body."""
    marker = etree.Element(f"{{{XHTML}}}span", {
        "id": f"page-{page}", TYPE: "pagebreak", "role": "doc-pagebreak",
        "aria-label": str(page)})
    local = etree.QName(element).localname
    if local in ("section", "body") or element.getparent() is None:
        marker.tail = element.text
        element.text = None
        element.insert(0, marker)
    else:
        parent = element.getparent()
        parent.insert(parent.index(element), marker)


def _add_navigation(nav: etree._Element, marked: list[tuple[int, str]],
                    owners: dict[str, str]) -> None:
    """The page list after the contents; body and bibliography landmarks."""
    body = nav.find(f"{{{XHTML}}}body")
    landmarks = next((n for n in nav.iter(f"{{{XHTML}}}nav")
                      if n.get(TYPE) == "landmarks"), None)
    if body is None:
        return
    if marked:
        page_list = _page_list([(f"text/{PurePosixPath(name).name}#page-{page}", str(page))
                                for page, name in marked])
        page_list.set("hidden", "hidden")
        body.insert(body.index(landmarks) if landmarks is not None else len(body), page_list)
    if landmarks is not None:
        _add_landmarks(landmarks, owners)


def _add_landmarks(landmarks: etree._Element, owners: dict[str, str]) -> None:
    ordered = landmarks.find(f"{{{XHTML}}}ol")
    chapters = sorted(name for name in set(owners.values())
                      if PurePosixPath(name).stem.startswith("ch"))
    entries = [(chapters[0], "", "bodymatter", "Start of content")] if chapters else []
    if "bibliography" in owners:
        entries.append((owners["bibliography"], "#bibliography", "bibliography",
                        "Bibliography"))
    for name, fragment, kind, text in entries:
        item = etree.SubElement(ordered, f"{{{XHTML}}}li")
        link = etree.SubElement(item, f"{{{XHTML}}}a", {
            "href": f"text/{PurePosixPath(name).name}{fragment}", TYPE: kind})
        link.text = text


def _page_list(entries: list[tuple[str, str]]) -> etree._Element:
    nav = etree.Element(f"{{{XHTML}}}nav", {TYPE: "page-list", "id": "page-list",
                                            "role": "doc-pagelist"})
    title = etree.SubElement(nav, f"{{{XHTML}}}h2")
    title.text = "Pages of the print edition (PDF)"
    ordered = etree.SubElement(nav, f"{{{XHTML}}}ol")
    for href, text in entries:
        item = etree.SubElement(ordered, f"{{{XHTML}}}li")
        etree.SubElement(item, f"{{{XHTML}}}a", {"href": href}).text = text
    return nav


def _has_math(trees: dict[str, etree._Element]) -> bool:
    return any(next(tree.iter("{http://www.w3.org/1998/Math/MathML}math"), None) is not None
               for tree in trees.values())


def _serialise(tree: etree._Element) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8",
                          doctype="<!DOCTYPE html>") + b"\n"


def _zip(files: dict[str, bytes], when: tuple[int, ...]) -> bytes:
    """The OCF zip: ``mimetype`` first and stored, the rest deflated, all dated ``when``."""
    buffer = io.BytesIO()
    names = ["mimetype", *(n for n in files if n != "mimetype")]
    with zipfile.ZipFile(buffer, "w") as book:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=when)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" \
                else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            book.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()
