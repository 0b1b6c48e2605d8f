"""Give a laid-out part its final page numbers without laying it out again.

A part is laid out before the parts in front of it are, so neither its folios nor the page
numbers its contents and cross-references print are known yet. It is laid out with
stand-ins instead: folios counted from a sentinel (``paginate.FOLIO_SENTINEL``), and each
page reference printing an estimate (``data-page``). Once every part's page count is known,
the stand-ins in the laid-out boxes are replaced by the real numbers just before the PDF is
drawn.

Page references keep their position only if the real number is exactly as wide as the
stand-in (the default theme prints them in tabular figures, and the estimate has the right
number of digits almost always); :func:`restamp` reports any that is not, and the caller
lays that part out again with the real numbers. Three kinds of number may change width:
folios sit alone in a margin box, so they move along their line as their alignment says;
a contents entry's number ends a one-line entry after a leader, so it keeps its right edge
and the leader gives or takes the difference, dot by dot exactly as WeasyPrint places
them (``weasyprint.layout.leader``), as long as one dot still fits; a list entry's number
sits right-aligned in a table cell of a fixed width, so it keeps its right edge as long
as it fits in the cell (the flagship's lists page was laid out again at the end of every
clean build, for one figure estimated on page 9 and found on page 10).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from reportc.pdf.compat import in_use
from reportc.pdf.compat.internals import Internals
from reportc.pdf.compat.patches import LEADER, merged_leader

if TYPE_CHECKING:
    from weasyprint.formatting_structure import boxes


def restamp(pages: list, stand_in: int, first_folio: int, numbers: dict[str, int]) -> bool:
    """Replace stand-in folios and page references on ``pages`` (WeasyPrint pages).

    ``pages[0]`` prints folio ``stand_in`` and should print ``first_folio``; ``numbers``
    maps each anchor to its real page. Returns ``False`` if some page reference would
    change width (the part must be laid out again).
    """
    w = in_use()
    fits = True
    for index, page in enumerate(pages):
        box = page._page_box
        for margin_box in (c for c in box.children if isinstance(c, w.boxes.MarginBox)):
            _restamp_folio(w, margin_box, str(stand_in + index), str(first_folio + index))
        moved = False
        for text_box, line, cell in _page_reference_boxes(w, box):
            place = (text_box.position_x, text_box.width)
            fits &= _restamp_reference(w, text_box, line, cell, numbers)
            moved |= place != (text_box.position_x, text_box.width)
        if moved:
            _gather_links(w, page)
    return fits


def _gather_links(w: Internals, page) -> None:
    """The page's links, anchors and bookmarks gathered again from its boxes: WeasyPrint
    gathered them when the page was made, so a link around a number that took another
    width kept the stand-in's rectangle (a clean build and an edit, whose stand-ins
    differ, then gave different bytes)."""
    page.links, page.anchors, page.bookmarks, page.forms = [], {}, [], {None: []}
    w.gather_anchors(page._page_box, page.anchors, page.links, page.bookmarks, page.forms)


def _page_reference_boxes(w: Internals, page_box) -> list[tuple]:
    """Each text box that prints a page reference, with its line if that line is the only
    one of its block (a one-line contents entry), else ``None``, and that block."""
    single_lines = {id(box.children[0]): box for box in page_box.descendants()
                    if isinstance(box, w.boxes.BlockContainerBox)
                    and len(box.children) == 1 and isinstance(box.children[0], w.boxes.LineBox)}
    found: dict[int, tuple] = {}
    for line in page_box.descendants():
        if not isinstance(line, w.boxes.LineBox):
            continue
        for box in line.descendants():
            if (isinstance(box, w.boxes.TextBox) and (box.element_tag or "").endswith("::after")
                    and box.element is not None and box.element.get("data-page")):
                block = single_lines.get(id(line))
                found[id(box)] = (box, line if block is not None else None, block)
    return list(found.values())


def _restamp_reference(w: Internals, box: boxes.TextBox, line: boxes.LineBox | None,
                       cell, numbers: dict[str, int]) -> bool:
    stand_in = box.element.get("data-page")
    target = (box.element.get("href") or "").removeprefix("#")
    if target not in numbers or not box.text.endswith(stand_in):
        return True  # not the fragment that prints the number (or not a page reference)
    text = box.text[:-len(stand_in)] + str(numbers[target])
    if text == box.text:
        return True
    if _width(w, box.text, box.style) == _width(w, text, box.style):
        _set_text(box, text)
        return True
    return line is not None and (_restamp_after_leader(w, box, line, text)
                                 or _restamp_in_cell(w, box, line, cell, text))


def _restamp_in_cell(w: Internals, box: boxes.TextBox, line: boxes.LineBox, cell,
                     text: str) -> bool:
    """A number alone at the end of a table cell of a fixed width that it still fits in
    (a list of figures' page column) keeps its right edge, as WeasyPrint aligns it. The
    table's columns are as wide as before: WeasyPrint sizes a column of a fixed width
    from that width whatever its content as long as the content fits, unless the table
    is too narrow for its fixed widths, and then the cell would be narrower than its
    width (not restamped). Anything else is laid out again."""
    fixed = _fixed_width(w, cell)
    if fixed is None or not _alone_at_its_right_edge(box, line, cell):
        return False
    new_width = _width(w, text, box.style)
    if new_width > fixed:
        return False
    position = cell.content_box_x() + (cell.width - new_width)  # as text_align() offsets
    line.position_x = box.position_x = position
    line.width = box.width = new_width
    _set_text(box, text)
    return True


def _restamp_after_leader(w: Internals, box: boxes.TextBox, line: boxes.LineBox, text: str) -> bool:
    """A number that ends its line after a leader takes a new width: it keeps its right
    edge, and the leader's dots are placed again as WeasyPrint places them (from the line's
    end, one dot width at a time, only where they fit between the text and the number)."""
    leader = next((b for b in line.descendants() if getattr(b, "is_leader", False)), None)
    line_end = line.position_x + line.width
    if (leader is None or not leader.children or line.style["direction"] != "ltr"
            or abs(box.position_x + box.width - line_end) > 0.01):
        return False
    dot = leader.children[0]  # one dot, or all of them merged (patches.py)
    step = getattr(dot, LEADER, (dot.text, dot.width))[1]
    width = _width(w, text, box.style)
    position = box.position_x + box.width - width
    if position < leader.position_x + step:
        return False  # not even one dot fits: WeasyPrint would break the line
    places, x = [], line.position_x + line.width
    for _ in range(int(line.width // step)):
        x -= step
        if leader.position_x <= x and x + step <= position:
            places.append(x)
    places.reverse()
    if hasattr(dot, LEADER):
        leader.children = (merged_leader(dot, places),) if places else ()
    else:
        leader.children = tuple(_placed(dot, x) for x in reversed(places))
    leader.width = position - leader.position_x
    box.position_x, box.width = position, width
    _set_text(box, text)
    return True


def _fixed_width(w: Internals, cell) -> float | None:
    """The width a table cell is given in its style (``None``: not a cell, or its width
    is not a fixed length, or the cell got less of it)."""
    if not isinstance(cell, w.boxes.TableCellBox):
        return None
    width = cell.style["width"]
    if getattr(width, "unit", None) != "px" or cell.width < width.value:
        return None
    return float(width.value)


def _alone_at_its_right_edge(box: boxes.TextBox, line: boxes.LineBox, cell) -> bool:
    """Is ``box`` the only box of ``line``, set flush right in ``cell`` (left to right)?"""
    return (list(line.children) == [box] and line.style["direction"] == "ltr"
            and line.style["text_align_all"] in ("right", "end")
            and line.style["text_indent"].value == 0
            and abs(box.position_x + box.width - (cell.content_box_x() + cell.width)) <= 0.01
            and (line.position_x, line.width) == (box.position_x, box.width))


def _placed(box: boxes.TextBox, x: float) -> boxes.TextBox:
    placed = box.copy()
    placed.position_x = x
    return placed


def _restamp_folio(w: Internals, margin_box: boxes.MarginBox, stand_in: str, folio: str) -> None:
    pattern = re.compile(rf"(?<!\d){stand_in}(?!\d)")
    for box in margin_box.descendants():
        if isinstance(box, w.boxes.TextBox) and pattern.search(box.text):
            text = pattern.sub(folio, box.text)
            shift = _width(w, box.text, box.style) - _width(w, text, box.style)
            align = box.style["text_align_all"]
            if align in ("right", "end"):
                box.position_x += shift
            elif align == "center":
                box.position_x += shift / 2
            box.width -= shift
            _set_text(box, text)


def _set_text(box: boxes.TextBox, text: str) -> None:
    """Drawing re-shapes ``pango_layout.text`` (layouts are rebuilt at draw time)."""
    box.text = text
    box.pango_layout.text = text


def _width(w: Internals, text: str, style) -> float:
    layout = w.Layout(style)
    layout.set_text(text)
    line, _ = layout.get_first_line()
    return w.line_size(line, style)[0]
