"""Cut the print page into one standalone document per part.

Every part (front matter, each chapter, the bibliography) starts on a new page; a part's
document prints given page numbers (``data-page``) instead of ``target-counter()``, so
WeasyPrint never re-lays pages out to settle them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

FRONT = "front"
FOLIO_SENTINEL = 90000  # a part laid out before its start is known: folio of its first page


# a part's anchor: its heading's id, or the section's own (a page without a heading)
_PART_START = re.compile(
    r'<section class="(cover|part)[^"]*"(?: (?:aria-labelledby|id)="([^"]+)")?')
_LINK = re.compile(r'<a href="#([^"]+)"')
_ID = re.compile(r'id="([^"]+)"')  # an element's id once white space precedes it: ids()


@dataclass(frozen=True)
class SplitPage:
    """The print page cut at its part boundaries: prefix, parts in order, suffix."""

    prefix: str
    parts: dict[str, str]
    suffix: str
    classes: str = "part"  # prefix of the helper classes (.part-pad, .part-next) in parts.css

    @property
    def order(self) -> list[str]:
        return list(self.parts)

    def next_opener(self, part: str) -> str:
        """An empty element like the one that opens the next part ('' for the last)."""
        order = self.order
        index = order.index(part)
        if index + 1 == len(order):
            return ""
        match = _PART_START.match(self.parts[order[index + 1]])
        opener = match.group(0) if match else ""
        opened = re.match(r'<section class="([^"]*)"', opener)
        if not opened:
            return ""
        return (f'<section class="{opened.group(1)}"><div class="{self.classes}-next"></div>'
                '</section>\n')


def ids(body: str) -> Iterator[tuple[str, int]]:
    """Each element id in ``body`` with the offset of the white space before it: what
    ``\\sid="([^"]+)"`` finds, found from the literal ``id="`` instead, which ``re`` looks
    for quickly (a third of the time on the 2 MB print page; no id holds a quote, so no
    match hides another)."""
    for match in _ID.finditer(body):
        start = match.start()
        if start and body[start - 1].isspace():
            yield match.group(1), start - 1


def split_page(html: str, classes: str = "part") -> SplitPage:
    """Cut at each ``<section class="cover">``/``<section class="part">``; no parts (a
    template without them) means the page is laid out in one pass. ``classes``: the
    theme's prefix for the helper classes ("chunk" in a theme's deprecated chunks.css)."""
    starts = [(m.start(), FRONT if m.group(1) == "cover" else m.group(2))
              for m in _PART_START.finditer(html)]
    if not starts or starts[0][1] != FRONT or "</main>" not in html[starts[-1][0]:] \
            or any(part is None for _, part in starts):
        return SplitPage(html, {}, "", classes)
    end = html.rindex("</main>")
    parts = {}
    for index, (position, part) in enumerate(starts):
        stop = starts[index + 1][0] if index + 1 < len(starts) else end
        parts[part] = html[position:stop]
    return SplitPage(html[:starts[0][0]], parts, html[end:], classes)


def _prints_page(part: str, body: str, link: re.Match[str]) -> bool:
    """Only contents entries and cross-references print the page of their target."""
    return part == FRONT or body.startswith(' class="xref"', link.end())


def _numbered(part: str, body: str, numbers: dict[str, int]) -> str:
    """``body`` with a ``data-page`` on every link that prints its target's page."""
    def number(match: re.Match[str]) -> str:
        target = match.group(1)
        if target not in numbers or not _prints_page(part, body, match):
            return match.group(0)
        return f'{match.group(0)} data-page="{numbers[target]}"'
    return _LINK.sub(number, body)


def page_references(split: SplitPage, part: str) -> set[str]:
    """The anchors whose page numbers ``part`` prints."""
    body = split.parts[part]
    return {m.group(1) for m in _LINK.finditer(body) if _prints_page(part, body, m)}


def part_document(split: SplitPage, part: str, first_folio: int, numbers: dict[str, int],
                   padded: bool) -> tuple[str, frozenset[str]]:
    """A standalone page for one part, and the foreign anchors it links to.

    Its first page prints ``first_folio``; every link that prints a page number gets it
    from ``numbers`` (``data-page``), so WeasyPrint never re-lays pages out for
    ``target-counter``. ``padded``: one blank page first, so the part opens on a left page.
    The part ends with an empty copy of the next part's opener, so that the page break
    before it (and any blank page that break makes) is laid out as in one pass; that
    last page is dropped.
    """
    body = split.parts[part]
    own = {name for name, _ in ids(body)}
    foreign = {target for target in _LINK.findall(body) if target not in own}
    first_counter = first_folio - 1 if padded else first_folio
    style = f"<style>@page :first {{ counter-reset: page {first_counter}; }}</style>\n</head>"
    prefix = split.prefix.replace("</head>", style, 1)
    pad = f'<div class="{split.classes}-pad"></div>\n' if padded else ""
    ghosts = "".join(f'<span id="{g}"></span>' for g in sorted(foreign))
    ghost_box = f'<div class="ghost-anchors">{ghosts}</div>\n' if ghosts else ""
    body = _numbered(part, body, numbers)
    # Ghosts go last inside the part's last element: between the part and the next
    # opener WeasyPrint would ignore the page break; first inside the opener, they would
    # stop the heading's top margin from collapsing.
    closing = body.rindex("</section>")
    html = prefix + pad + body[:closing] + ghost_box + body[closing:] \
        + split.next_opener(part) + split.suffix
    return html, frozenset(foreign)


def numbered_page(split: SplitPage, numbers: dict[str, int]) -> str:
    """The whole print page with every printed page number given (``data-page``)."""
    bodies = [_numbered(part, body, numbers) for part, body in split.parts.items()]
    return split.prefix + "".join(bodies) + split.suffix
