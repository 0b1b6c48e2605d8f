"""Cross-references that say where, as LaTeX's varioref does: a reference to something on
its own page prints no page, one on the next or previous page says so ("on the next
page"), and any other prints "on p. N".

Only references to targets in the same part are worded so (the print page gives each an
id, :func:`mark_local_xrefs`): the page distance between two places in one part does not
depend on where the part starts, so a part laid out alone words them as a one-pass layout
does. The wording changes the text, so the part is laid out again until the wording and
the pages agree (a wording that keeps moving its own link falls back to "on p. N").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

MAX_TRIES = 4
_LOCAL_XREF = re.compile(
    r'<a href="#([^"]+)"((?: data-page="\d+")?) class="xref" id="(xr-[^"]+)"(?: data-where="\w+")?')
_XREF = re.compile(r'<a href="#([^"]+)" class="xref"')
_ID = re.compile(r'\sid="([^"]+)"')

Layout = TypeVar("Layout")


def mark_local_xrefs(html: str, part: str) -> str:
    """Give every cross-reference whose target lies in the same part an id, so that its page
    is known once laid out."""
    own = set(_ID.findall(html))
    count = 0

    def mark(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(1) not in own:
            return match.group()
        count += 1
        return f'{match.group()} id="xr-{part}-{count}"'
    return _XREF.sub(mark, html)


def settle(html: str, lay_out: Callable[[str], Layout],
           anchor_pages: Callable[[Layout], dict[str, int]]) -> Layout:
    """Lay out ``html`` until every local cross-reference's wording fits its pages."""
    if "xr-" not in html:
        return lay_out(html)
    first = result = lay_out(html)
    for _ in range(MAX_TRIES):
        worded = _worded(html, anchor_pages(result))
        if worded == html:
            return result
        html = worded
        result = lay_out(html)
    return first if _worded(html, anchor_pages(result)) != html else result


def _worded(html: str, pages: dict[str, int]) -> str:
    """``html`` with each local cross-reference worded for the pages of ``pages``."""
    def word(match: re.Match[str]) -> str:
        target, page, link = match.groups()
        where = _where(pages.get(link), pages.get(target))
        attribute = f' data-where="{where}"' if where else ""
        return f'<a href="#{target}"{page} class="xref" id="{link}"{attribute}'
    return _LOCAL_XREF.sub(word, html)


def _where(link: int | None, target: int | None) -> str:
    if link is None or target is None:
        return ""
    return {0: "same", 1: "next", -1: "previous"}.get(target - link, "")
