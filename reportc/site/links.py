"""Links across pages: every ``href="#id"`` pointed at the page that holds ``id``.

The chapters are rendered as for the single page, where every cross-reference, note call,
citation and back-link is a fragment link. Once the pages are written, a map of which page
holds which id turns a fragment that is not on its own page into ``page.html#id``: a
reference to Figure 3 in another chapter, a citation to its bibliography entry, a list
entry to its chapter. Ids repeated on every page (the search box, the skip link's target)
stay local. Pandoc writes every id and href in double quotes, and the templates do too.
"""

from __future__ import annotations

import html
import re

_ID = re.compile(r'\sid="([^"]+)"')
_FRAGMENT_HREF = re.compile(r'(\shref=")#([^"]+)(")')
_MAIN = re.compile(r'<main id="main">(.*)</main>', re.S)


def id_map(pages: dict[str, str]) -> dict[str, str]:
    """Each id of a page's main content mapped to the first page (in reading order) with it."""
    owner: dict[str, str] = {}
    for file, text in pages.items():
        main = _MAIN.search(text)
        for match in _ID.finditer(main.group(1) if main else text):
            owner.setdefault(html.unescape(match.group(1)), file)
    return owner


def page_ids(text: str) -> set[str]:
    return {html.unescape(m.group(1)) for m in _ID.finditer(text)}


def point_links(file: str, text: str, owner: dict[str, str]) -> str:
    """``text`` (the page ``file``) with fragment links to other pages' ids made cross-page."""
    local = page_ids(text)

    def replace(match: re.Match[str]) -> str:
        target = html.unescape(match.group(2))
        page = owner.get(target)
        if target in local or page is None or page == file:
            return match.group(0)
        return f"{match.group(1)}{page}#{match.group(2)}{match.group(3)}"

    return _FRAGMENT_HREF.sub(replace, text)
