"""Does the cover's byline fit below its title?

The print theme sets the byline (authors, affiliations, date) at the foot of the cover,
positioned from the bottom, and the title from the top: a long title over many authors
made the two overlap (Manubot's own paper: two title lines over seven authors with long
affiliations). WeasyPrint can neither push a block to the foot of a box with flex nor
measure one before layout, so the heights are estimated here from the theme's sizes,
generously, and a crowded cover lets the byline follow the title instead (class
``cover-crowded``). A cover with room is laid out as before, byte for byte.
"""

from __future__ import annotations

import math

from reportc.project.settings import ReportConfig

PAGE_MM = {"a4": 297.0, "letter": 279.4}
TOP_MM = 82 + 30  # the band and the space under it
FOOT_MM = 30  # the byline's distance from the foot
TITLE_LINE_MM, TITLE_CHARS = 12.3, 28  # 31 pt, 1.12 leading, on a 158 mm measure
SUBTITLE_LINE_MM, SUBTITLE_CHARS = 6.7, 62  # 14 pt sans
BYLINE_LINE_MM, BYLINE_CHARS = 5.2, 90  # 10.5 pt sans
GAP_MM = 10  # the least space left between title block and byline


def crowded_cover(config: ReportConfig) -> bool:
    """Whether the byline, set from the foot of the page, would reach the title block."""
    page = PAGE_MM.get(config.paper.lower(), PAGE_MM["a4"])
    return _title_block(config) + GAP_MM > page - FOOT_MM - _byline(config)


def _title_block(config: ReportConfig) -> float:
    """Where the title block ends, in mm from the top of the page."""
    height = TOP_MM + _lines(config.title, TITLE_CHARS) * TITLE_LINE_MM + 6
    if config.subtitle:
        height += _lines(config.subtitle, SUBTITLE_CHARS) * SUBTITLE_LINE_MM + 18
    if config.organisation:
        height += 10
    if config.publisher.logo is not None:
        height += 28
    return height


def _byline(config: ReportConfig) -> float:
    """The byline's height in mm: each author's name and affiliation, then the date."""
    lines = sum(1 + _lines(author.affiliation, BYLINE_CHARS) for author in config.authors)
    return lines * BYLINE_LINE_MM + 3 * len(config.authors) + 11


def _lines(text: str, width: int) -> int:
    """Lines ``text`` takes at ``width`` characters a line, breaking between words."""
    count, used = 0, width
    for word in text.split():
        if used + 1 + len(word) > width:
            count, used = count + 1, len(word)
        else:
            used += 1 + len(word)
    return count + math.ceil(max(0, used - width) / width) if count else 0
