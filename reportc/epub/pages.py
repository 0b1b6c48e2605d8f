"""The pages of the PDF edition in the book: a page-break marker (``epub:type="pagebreak"``,
``role="doc-pagebreak"``) where each of the PDF's pages starts, as far as the PDF's page
map says: the page of every part opening and of every heading, figure, table and
bibliography entry. A page on which nothing with an id starts (running text only) has
no marker and is left out of the page list rather than placed by guess. Page 1 of the
PDF, its cover, is the title page's start."""

from __future__ import annotations

from lxml import etree

from reportc.epub.xhtml import TYPE, XHTML, BookFile

_TABLE_PARTS = {"thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col", "caption"}
Marked = list[tuple[int, str]]  # (page, file name) of each marker, in reading order


def mark_pages(files: list[BookFile], page_map: dict) -> Marked:
    """Page-break markers in ``files`` (in reading order); (page, file) of each."""
    anchors = page_of_anchors(page_map)
    marked: Marked = []
    if not anchors:
        return marked
    last = 0
    for book_file in files:
        if book_file.kind == "title_page" and last == 0:
            _insert_marker(book_file.body, 1)
            marked.append((1, book_file.name))
            last = 1
        if book_file.kind not in ("chapter", "bibliography"):
            continue
        for element in book_file.body.xpath(".//*[@id]"):
            page = anchors.get(element.get("id"))
            if page is None or page <= last:
                continue
            _insert_marker(element, page)
            marked.append((page, book_file.name))
            last = page
    return marked


def page_of_anchors(page_map: dict) -> dict[str, int]:
    """The page of each anchor, and of each part's opening (its first page)."""
    anchors = {str(k): int(v) for k, v in (page_map.get("anchors") or {}).items()}
    order, counts = page_map.get("order") or [], page_map.get("counts") or {}
    page = 1
    for part in order:
        anchors.setdefault(part, page)
        page += int(counts.get(part, 0))
    return anchors


def _insert_marker(element: etree._Element, page: int) -> None:
    """A marker before ``element``; first inside it if it is a section or the body, or an
    item of a list (a list holds items only: the bibliography's entries); before the table
    if it is part of one."""
    marker = etree.Element(f"{{{XHTML}}}span", {
        "id": f"page-{page}", TYPE: "pagebreak", "role": "doc-pagebreak",
        "aria-label": str(page)})
    while _local(element) in _TABLE_PARTS and element.getparent() is not None:
        element = element.getparent()
    parent = element.getparent()
    if parent is None or _local(element) in ("section", "body") or _holds_items(parent):
        marker.tail = element.text
        element.text = None
        element.insert(0, marker)
    else:
        parent.insert(parent.index(element), marker)


def _holds_items(element: etree._Element) -> bool:
    return _local(element) in ("ol", "ul", "dl") or element.get("role") == "list"


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname
