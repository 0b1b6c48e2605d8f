"""Two fixes to WeasyPrint's footnote layout, applied to the pinned version only.

1. Speed.
WeasyPrint 70 recomputes the height of a page's footnote area by laying out *every* note
on the page again each time one note is added, moved to the next page or taken back
(``LayoutContext._update_footnote_area``). Pages with five or six Chicago-style notes lay
out each note many times: on the 50-page benchmark report this was 40 % of layout time.

When the area's height is simply the sum of its notes' heights (no max-height on the area,
no vertical margins on the notes, not inside columns), each note is laid out once per
area width and the heights are added. Any other case, or any other WeasyPrint version,
runs WeasyPrint's own code. The note boxes that are finally drawn are still laid out by
WeasyPrint at the end of each page; only the running height used for page breaking is
computed here. ``tests/test_weasyprint_patches.py`` checks that the PDF is byte-identical
with and without the patch.

2. Order. When a note does not fit on its page it is "reported" to the next one, and
WeasyPrint 70 can report a later note before an earlier one (a note reported from one
line, then the note before it taken back when the line is pushed down), so the next page
printed note 18 above note 17 (flagship, chapter 2). The notes carried over to a page are
put back in the order their calls were first laid out, just before the page is made.
``tests/test_flagship.py`` checks every chapter's notes are printed 1..N in order.
"""

from __future__ import annotations

import math

import weasyprint
from weasyprint.formatting_structure import build as box_build
from weasyprint.layout import LayoutContext
from weasyprint.layout import page as page_layout
from weasyprint.layout.block import block_level_layout

PATCHED_VERSION = "70.0"
_original_update = LayoutContext._update_footnote_area
_original_layout_footnote = LayoutContext.layout_footnote
_original_make_page = page_layout.make_page


def _note_height(context: LayoutContext, area, note) -> float | None:
    """The height one note adds to the footnote area, or ``None`` if heights do not add up."""
    cache = context.__dict__.setdefault("_reportc_note_heights", {})
    key = (id(note), area.width)
    if key not in cache:
        single = box_build.create_anonymous_boxes(area.copy_with_children([note]).deepcopy())
        laid_out = block_level_layout(context, single, -math.inf, None, area.page)[0]
        child = laid_out.children[-1]
        adds_up = (len(laid_out.children) == 1 and child.margin_top == 0
                   and child.margin_bottom == 0)
        cache[key] = laid_out.height if adds_up else None
    return cache[key]


def _update_footnote_area(self: LayoutContext) -> bool:
    """``LayoutContext._update_footnote_area`` with each note's height computed once."""
    area = self.current_footnote_area
    if (self.in_column or not self.current_page_footnotes
            or area.style["max_height"].value != math.inf):
        return _original_update(self)
    heights = [_note_height(self, area, note) for note in self.current_page_footnotes]
    if None in heights:
        return _original_update(self)
    if area.height != "auto":
        self.page_bottom += area.margin_height()
    area.children = self.current_page_footnotes
    total = 0.0
    for height in heights:
        total += height
    area.height = total
    self.page_bottom -= area.margin_height()
    return False  # an area without max-height never overflows


def _layout_footnote(self: LayoutContext, footnote) -> bool:
    """``LayoutContext.layout_footnote``, remembering the order notes are first met in
    (lines are laid out in document order, so this is the order of their calls)."""
    order = self.__dict__.setdefault("_reportc_note_order", {})
    order.setdefault(id(footnote), len(order))
    return _original_layout_footnote(self, footnote)


def _make_page(context: LayoutContext, *args, **kwargs):
    """``make_page`` with the notes carried over from the page before in call order."""
    order = context.__dict__.get("_reportc_note_order", {})
    if len(context.reported_footnotes) > 1:
        context.reported_footnotes.sort(key=lambda note: order.get(id(note), math.inf))
    return _original_make_page(context, *args, **kwargs)


def apply() -> bool:
    """Install the patches if WeasyPrint is the version they were written and tested for."""
    if weasyprint.__version__ != PATCHED_VERSION:
        return False
    LayoutContext._update_footnote_area = _update_footnote_area
    LayoutContext.layout_footnote = _layout_footnote
    page_layout.make_page = _make_page
    return True


def remove() -> None:
    """Restore WeasyPrint's own methods (tests compare both)."""
    LayoutContext._update_footnote_area = _original_update
    LayoutContext.layout_footnote = _original_layout_footnote
    page_layout.make_page = _original_make_page
