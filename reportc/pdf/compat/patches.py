"""Fixes to WeasyPrint's footnote layout, applied to the pinned version only.

1. Speed. WeasyPrint 70 recomputes the height of a page's footnote area by laying out
*every* note on the page again each time one note is added, moved to the next page or
taken back (``LayoutContext._update_footnote_area``). Pages with five or six Chicago-style
notes lay out each note many times: on the 50-page benchmark report this was 40 % of
layout time. When the area's height is simply the sum of its notes' heights (no
max-height on the area, no vertical margins on the notes, not inside columns), each note
is laid out once per area width and the heights are added; and when the page is finished,
those laid-out notes are stacked in the area (``make_page``'s last layout of the area)
instead of being laid out once more (another 8 % of a chapter's layout). Any other case,
or any other WeasyPrint version, runs WeasyPrint's own code. ``tests/test_weasyprint_patches.py``
checks that the PDF is byte-identical with and without these patches.

2. Order. When a note does not fit on its page it is "reported" to the next one, and
WeasyPrint 70 can report a later note before an earlier one (a note reported from one
line, then the note before it taken back when the line is pushed down), so the next page
printed note 18 above note 17 (flagship, chapter 2). The notes carried over to a page are
put back in the order their calls were first laid out, just before the page is made.
``tests/test_flagship.py`` checks every chapter's notes are printed 1..N in order.

3. Leaders. WeasyPrint 70 fills a leader (the dots of a contents line) with one text box
per dot, each shaped again by Pango when it is drawn: the contents of a 500-page report
took longer to draw than a chapter. The dots of a leader are merged into one text box of
the same dots at the same places (only where they are evenly spaced and the line is not
justified). The page's text and look are unchanged; ``tests/test_pdf.py`` and
``tests/test_paginate.py`` check the contents lines.

4. Deflate level. pydyf, WeasyPrint's PDF writer, deflates every stream at zlib level 9:
a tenth of the time it takes to draw a chapter, for streams 1.8 % smaller than at zlib's
default level 6 (measured on the 200-page benchmark's chapters). pydyf is given level 6
(pinned pydyf only); the streams hold the same bytes once inflated (tested).

5. Lost notes. When the last line that fits on a page only fits once the page's last notes
are moved to the next page, WeasyPrint 70 keeps the line but never lays out the notes
called in it (``_linebox_layout``'s "report footnotes and see if we don't overflow"
branch appends the line and stops before its footnote loop): those notes vanish from the
PDF (flagship, chapter 4, note 24). Such notes are moved to the next page too, after the
ones moved to make room. ``tests/test_weasyprint_patches.py`` builds a page that loses
notes without the fix.

6. Notes on pages made again. WeasyPrint 70 makes a page again on its own when content
that depends on page numbers changes (``make_all_pages``), starting it with the notes
carried over from whichever page was made last, not from the page before it: notes
carried into that page vanish, or land pages later. The notes each page carries into the
next are remembered; a page made again after another than the one before it starts with
those, and when a page made again carries different notes, the next page is made again
too. Nothing changes for a layout that makes each page once.

7. Nearby references. ``compute_content_list`` chooses the wording of a cross-reference to
a nearby page while pages are made (:mod:`reportc.pdf.compat.wording`).

8. Image names. WeasyPrint 70 names a raster image in the PDF (and in its image cache) by
a hash of its absolute URL, so the same report built in another folder gave other bytes.
A raster image is named by a hash of its bytes and orientation instead
(``images.RasterImage.__init__``): the same everywhere, and two copies of one picture
are stored once. ``tests/test_publisher.py`` builds its fixture (a PNG logo) in two folders.

9. Font subsets. WeasyPrint 70 hands HarfBuzz the glyphs to keep as a C array declared with
its length (``ffi.new(f"hb_codepoint_t[{n}]", ...)`` in ``pdf.fonts.Font._harfbuzz_subset``),
and cffi parses every new declaration with pycparser: 4 ms for each new length, once per
font per part (5 % of the flagship's layout workers' time). The fonts module is given an
``ffi`` that declares such arrays open-ended (``hb_codepoint_t[]``), parsed once; the
array holds the same values (tested: the PDF is byte-identical).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import math
import re
import zlib
from typing import TYPE_CHECKING, Any

from reportc.pdf.compat import wording

if TYPE_CHECKING:
    from weasyprint.layout import LayoutContext

    from reportc.pdf.compat.internals import Internals

FLATE_LEVEL = 6
LEADER = "_reportc_leader"  # on a merged leader's text box: (one dot's text, its width)
ORIGINAL: dict[str, Any] = {}  # WeasyPrint's own functions, by the name they are patched at
_W: Internals  # the internals the patches were applied with (set by apply)


def _note_layout(context: LayoutContext, area, note):
    """``note`` laid out alone in a copy of the footnote area, once per note and area width;
    ``None`` if heights do not add up (the note has vertical margins, or is not one box)."""
    cache = context.__dict__.setdefault("_reportc_note_layouts", {})
    key = (id(note), area.width)
    if key not in cache:
        single = _W.box_build.create_anonymous_boxes(area.copy_with_children([note]).deepcopy())
        laid_out = _W.block_level_layout(context, single, -math.inf, None, area.page)[0]
        child = laid_out.children[-1]
        adds_up = (len(laid_out.children) == 1 and child.margin_top == 0
                   and child.margin_bottom == 0)
        cache[key] = laid_out if adds_up else None
    return cache[key]


def _note_height(context: LayoutContext, area, note) -> float | None:
    """The height one note adds to the footnote area, or ``None`` if heights do not add up."""
    laid_out = _note_layout(context, area, note)
    return None if laid_out is None else laid_out.height


def _update_footnote_area(self: LayoutContext) -> bool:
    """``LayoutContext._update_footnote_area`` with each note's height computed once."""
    area = self.current_footnote_area
    if (self.in_column or not self.current_page_footnotes
            or area.style["max_height"].value != math.inf):
        return ORIGINAL["_update_footnote_area"](self)
    heights = [_note_height(self, area, note) for note in self.current_page_footnotes]
    if any(height is None for height in heights):
        return ORIGINAL["_update_footnote_area"](self)
    if area.height != "auto":
        self.page_bottom += area.margin_height()
    area.children = self.current_page_footnotes
    total = 0.0
    for height in heights:
        total += height or 0.0  # never None here (checked above)
    area.height = total
    self.page_bottom -= area.margin_height()
    return False  # an area without max-height never overflows


def _page_block_level_layout(context: LayoutContext, box, *args, **kwargs):
    """``block_level_layout`` as ``make_page`` calls it; for the page's footnote area, the
    notes laid out one by one for their heights are stacked instead of laid out again."""
    if isinstance(box, _W.boxes.FootnoteAreaBox):
        stacked = _stacked_notes(context, box, args, kwargs)
        if stacked is not None:
            return stacked
    return ORIGINAL["block_level_layout"](context, box, *args, **kwargs)


def _stacked_notes(context: LayoutContext, area, args: tuple, kwargs: dict):
    """The footnote area laid out empty, with copies of the page's notes as laid out by
    :func:`_note_layout` moved into it one under the other; ``None`` where that would not
    be exactly WeasyPrint's layout (see :func:`_update_footnote_area`)."""
    notes = context.current_page_footnotes
    width = context.current_footnote_area.width
    if (context.in_column or not notes or len(area.children) != len(notes)
            or area.style["max_height"].value != math.inf
            or any(child.element is not note.element
                   for child, note in zip(area.children, notes, strict=True))):
        return None
    cache = context.__dict__.get("_reportc_note_layouts", {})
    singles = [cache.get((id(note), width)) for note in notes]
    if any(single is None or _positioned(single) for single in singles):
        return None
    laid_out = ORIGINAL["block_level_layout"](context, area.copy_with_children([]), *args,
                                           **kwargs)
    empty = laid_out[0]
    y = empty.content_box_y()
    children = []
    for single in singles:
        child = single.children[-1].deepcopy()
        child.translate(empty.content_box_x() - single.content_box_x(), y - child.position_y)
        y += child.margin_height()
        children.append(child)
    empty.children = children
    empty.height = y - empty.content_box_y()
    return (empty, *laid_out[1:])


def _positioned(single) -> bool:
    """Does a note hold a positioned box (WeasyPrint would lay it out with the page)?"""
    return any(not isinstance(box.style["position"], str)  # running()
               or box.style["position"] in ("absolute", "fixed")
               for box in single.descendants())


def _layout_footnote(self: LayoutContext, footnote) -> bool:
    """``LayoutContext.layout_footnote``, remembering the order notes are first met in
    (lines are laid out in document order, so this is the order of their calls)."""
    order = self.__dict__.setdefault("_reportc_note_order", {})
    order.setdefault(id(footnote), len(order))
    return ORIGINAL["layout_footnote"](self, footnote)


def _make_page(context: LayoutContext, *args, **kwargs):
    """``make_page`` with the notes carried over from the page before in call order."""
    order = context.__dict__.get("_reportc_note_order", {})
    if len(context.reported_footnotes) > 1:
        context.reported_footnotes.sort(key=lambda note: order.get(id(note), math.inf))
    return ORIGINAL["make_page"](context, *args, **kwargs)


_CARRIED = "_reportc_carried"  # on the layout context: see 6. above


def _remake_page(index: int, context: LayoutContext, root_box, html):
    """``remake_page`` with the notes carried into the page from the page before it, and
    the next page made again when the notes this page carries change (see 6. above)."""
    carried = context.__dict__.setdefault(_CARRIED, {"last": None, "into": {}})
    if carried["last"] != index - 1:
        context.reported_footnotes = list(carried["into"].get(index, []))
    wording.track(context.page_maker, index)
    page, resume_at = ORIGINAL["remake_page"](index, context, root_box, html)
    wording.track(context.page_maker, index + 1)
    notes = [id(note) for note in context.reported_footnotes]
    before = carried["into"].get(index + 1)
    carried["into"][index + 1] = list(context.reported_footnotes)
    carried["last"] = index
    if before is not None and [id(note) for note in before] != notes \
            and index + 1 < len(context.page_maker):
        context.page_maker[index + 1][-1]["content_changed"] = True
        wording.forget_mark()  # a mark no reference's wording may take back
    return page, resume_at


def _raster_image_init(self, pillow_image, image_id, image_data, *args, **kwargs) -> None:
    """``RasterImage.__init__`` with the image named by its bytes (see 8. above)."""
    if isinstance(image_data, bytes):
        orientation = kwargs.get("orientation", args[2] if len(args) > 2 else None)
        named = hashlib.sha256(image_data + repr(orientation).encode())
        image_id = named.hexdigest()[:32]
    ORIGINAL["__init__"](self, pillow_image, image_id, image_data, *args, **kwargs)


def _handle_leader(context: LayoutContext, line, containing_block) -> None:
    """``handle_leader``, then the leader's dots merged into one text box."""
    ORIGINAL["handle_leader"](context, line, containing_block)
    _, leader = _W.leader_index(line)
    if leader is None or len(leader.children) < 2 or line.style["text_align_all"] == "justify":
        return
    dots = sorted(leader.children, key=lambda box: box.position_x)
    step = dots[0].width
    if any(abs(right.position_x - left.position_x - step) > 1e-6
           for left, right in itertools.pairwise(dots)):
        return
    leader.children = (merged_leader(dots[0], [dot.position_x for dot in dots]),)


def merged_leader(dot, positions: list[float]):
    """One text box holding a leader's dots at ``positions`` (left to right, one dot width
    apart), made from ``dot``: a text box of one dot, or of dots merged before."""
    text, step = getattr(dot, LEADER, (dot.text, dot.width))
    box = dot.copy()
    box.pango_layout = copy.copy(dot.pango_layout)  # drawing shapes its text again
    box.text = box.pango_layout.text = text * len(positions)
    box.position_x = positions[0]
    box.width = positions[-1] + step - positions[0]
    setattr(box, LEADER, (text, step))
    return box


class _Deflate:
    """The ``zlib`` module as pydyf sees it: every stream deflated at :data:`FLATE_LEVEL`."""

    def compressobj(self, level: int = -1, *args, **kwargs):
        return zlib.compressobj(FLATE_LEVEL, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(zlib, name)


_SIZED_ARRAY = re.compile(r"(\w+)\[(\d+)\]")


class _OpenArrays:
    """cffi's ``ffi`` as WeasyPrint's font module sees it: an array declared with the length
    of its initial values is declared open-ended instead (see 9. above)."""

    def __init__(self, ffi: Any) -> None:
        self.original = ffi

    def new(self, cdecl: Any, init: Any = None) -> Any:
        sized = _SIZED_ARRAY.fullmatch(cdecl) if isinstance(cdecl, str) else None
        if sized and isinstance(init, (tuple, list)) and int(sized[2]) == len(init):
            return self.original.new(f"{sized[1]}[]", init)
        return self.original.new(cdecl, init)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.original, name)


def _linebox_layout(context: LayoutContext, box, index, child, new_children: list,
                    *args, **kwargs):
    """WeasyPrint's line layout, then any note called in a line it kept on the page without
    laying the note out (see 5. above) is laid out and moved to the next page."""
    kept = len(new_children)
    result = ORIGINAL["_linebox_layout"](context, box, index, child, new_children,
                                      *args, **kwargs)
    if not context.footnotes or len(new_children) == kept:
        return result
    stranded = [d.footnote for line in new_children[kept:] for d in line.descendants()
                if d.footnote is not None and d.footnote in context.footnotes]
    for note in stranded:
        context.layout_footnote(note)
        context.report_footnote(note)
    abort, stop, resume_at, position_y, new_footnotes, max_lines = result
    return abort, stop, resume_at, position_y, [*new_footnotes, *stranded], max_lines


def _targets(w: Internals) -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for every patch."""
    return [(w.LayoutContext, "_update_footnote_area", _update_footnote_area),
            (w.LayoutContext, "layout_footnote", _layout_footnote),
            (w.page_layout, "make_page", _make_page),
            (w.page_layout, "remake_page", _remake_page),
            (w.box_build, "compute_content_list", wording.compute_content_list),
            (w.RasterImage, "__init__", _raster_image_init),
            (w.page_layout, "block_level_layout", _page_block_level_layout),
            (w.inline_layout, "handle_leader", _handle_leader),
            (w.block_layout, "_linebox_layout", _linebox_layout)]


def apply(w: Internals) -> None:
    """Install the patches (once: applying them again changes nothing)."""
    global _W
    _W = w
    for owner, name, replacement in _targets(w):
        current = getattr(owner, name)
        if current is not replacement:
            ORIGINAL[name] = current
            setattr(owner, name, replacement)
    wording.ORIGINAL["compute_content_list"] = ORIGINAL["compute_content_list"]
    if not isinstance(w.pydyf.zlib, _Deflate):
        ORIGINAL["zlib"] = w.pydyf.zlib
        setattr(w.pydyf, "zlib", _Deflate())  # noqa: B010 (a module attribute mypy cannot see)
    ffi = getattr(w.pdf_fonts, "ffi")  # noqa: B009 (a module attribute mypy cannot see)
    if not isinstance(ffi, _OpenArrays):
        setattr(w.pdf_fonts, "ffi", _OpenArrays(ffi))  # noqa: B010


def remove(w: Internals) -> None:
    """Restore WeasyPrint's and pydyf's own code (tests compare both)."""
    for owner, name, _ in _targets(w):
        if name in ORIGINAL:
            setattr(owner, name, ORIGINAL.pop(name))
    setattr(w.pydyf, "zlib", ORIGINAL.pop("zlib", zlib))  # noqa: B010
    ffi = getattr(w.pdf_fonts, "ffi")  # noqa: B009
    if isinstance(ffi, _OpenArrays):
        setattr(w.pdf_fonts, "ffi", ffi.original)  # noqa: B010
