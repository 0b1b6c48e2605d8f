"""Cross-references that say where, as LaTeX's varioref does: a reference to something on
its own page prints no page, one on the next or previous page says so ("on the next
page"), and any other prints "on p. N".

Only references to targets in the same part are worded so (the print page gives each an
id, :func:`reportc.editions.typography.mark_local_xrefs`): the page distance between two
places in one part does not depend on where the part starts, so a part laid out alone
words them as a one-pass layout does. The wording is chosen while WeasyPrint paginates
(:mod:`reportc.pdf.compat.wording`), which makes again only the pages a changed wording
moves. A wording that keeps moving its own link (it says "on the next page", which pushes
the link onto the target's page) is fixed to "on p. N", always true, and the part is laid
out again.

Without the compat patches (another WeasyPrint version) the part is laid out, its
references are worded for the pages it came out with (``data-where``, which the theme's
CSS words), and it is laid out again until wording and pages agree: the same result, at
the cost of laying out most parts twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

MAX_TRIES = 3
# A marked reference: its opening up to the class, then its id (given by
# reportc.editions.typography.mark_local_xrefs).
_LOCAL_XREF = re.compile(r'(<a href="#([^"]+)"(?: data-page="\d+")? class="xref"'
                         r'(?: data-where="\w+")?) id="(xr-[^"]+)"')

Layout = TypeVar("Layout")
_DISTANCE = {0: "same", 1: "next", -1: "previous"}

__all__ = ["settle", "where"]


def where(link_page: int | None, target_page: int | None) -> str:
    """The wording for a link on ``link_page`` to a target on ``target_page``."""
    if link_page is None or target_page is None:
        return "far"
    return _DISTANCE.get(target_page - link_page, "far")


def settle(html: str, lay_out: Callable[[str], Layout],
           anchors: Callable[[Layout], dict[str, int]],
           printed: Callable[[Layout], dict[str, str]] | None) -> Layout:
    """Lay out ``html`` with every local cross-reference worded for its pages.

    ``anchors``: a layout's page index of each anchor; ``printed``: the wording each
    reference printed, known only with the compat patches (``None`` without them: the
    caller, :mod:`reportc.pdf.layout`, knows whether they are engaged)."""
    targets = {m.group(3): m.group(2) for m in _LOCAL_XREF.finditer(html)}
    if not targets:
        return lay_out(html)
    if printed is None:
        return _settle_by_relayout(html, lay_out, lambda result: _due(targets, anchors(result)))
    fixed: set[str] = set()
    for _ in range(MAX_TRIES):
        result = lay_out(_marked(html, fixed))
        due, shown = _due(targets, anchors(result)), printed(result)
        wrong = {link for link, wording in shown.items()
                 if link not in fixed and wording != due[link]}
        if not wrong:
            return result
        fixed |= wrong
    return lay_out(_marked(html, set(targets)))


def _due(targets: dict[str, str], anchors: dict[str, int]) -> dict[str, str]:
    """The wording each reference's pages call for."""
    return {link: where(anchors.get(link), anchors.get(target))
            for link, target in targets.items()}


def _marked(html: str, fixed: set[str]) -> str:
    """``html`` with each reference marked to be worded while paginating, those in
    ``fixed`` fixed to "on p. N"."""
    def mark(match: re.Match[str]) -> str:
        opening, _, link = match.groups()
        far = ' data-where="far"' if link in fixed else ""
        return f'{opening} data-varioref{far} id="{link}"'
    return _LOCAL_XREF.sub(mark, html)


def _settle_by_relayout(html: str, lay_out: Callable[[str], Layout],
                        due: Callable[[Layout], dict[str, str]]) -> Layout:
    """Lay out, word every reference for the pages it came out with (``data-where``), lay
    out again until they agree; "on p. N" everywhere if they never do."""
    first = result = lay_out(html)
    for _ in range(MAX_TRIES + 1):
        worded = _LOCAL_XREF.sub(_worded_for(due(result)), html)
        if worded == html:
            return result
        html, result = worded, lay_out(worded)
    return first


def _worded_for(wanted: dict[str, str]) -> Callable[[re.Match[str]], str]:
    """A substitution giving each marked reference the ``data-where`` of ``wanted``."""
    def word(match: re.Match[str]) -> str:
        opening, _, link = match.groups()
        opening = re.sub(r' data-where="\w+"', "", opening)
        return f'{opening} data-where="{wanted[link]}" id="{link}"'
    return word
