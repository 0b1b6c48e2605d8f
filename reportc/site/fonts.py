"""The site's web fonts: each of the theme's fonts as WOFF2, subset to the characters the
site prints, by the single page's subsetter (:mod:`reportc.web.fonts`): a chapter page then
loads well under 1 MB. Every face gets the same character set, so a word set in bold or
italic anywhere still finds its glyphs.
"""

from __future__ import annotations

from pathlib import Path

from reportc.cache import BuildCache
from reportc.web.fonts import web_fonts

# Always kept: printable ASCII, so that the search box and any text typed or shown by the
# page's scripts (results, "No results") finds glyphs even if the report never uses them.
BASIC = "".join(chr(code) for code in range(0x20, 0x7F)) \
    + "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u2190\u2192"


def site_characters(texts: list[str]) -> str:
    """Every character of ``texts`` (the pages' HTML: text and attribute values alike, which
    over-counts a little markup but never misses a glyph), sorted: part of the cache key."""
    chars = set(BASIC)
    for text in texts:
        chars.update(text)
    return "".join(sorted(c for c in chars if c.isprintable() or c == "\u00a0"))


def subset_fonts(fonts: list[Path], characters: str, cache: BuildCache) -> list[bytes]:
    """Each of ``fonts`` cut down to the blocks of ``characters``, as WOFF2 bytes (the
    single page's subsetter, :func:`reportc.web.fonts.web_fonts`, and its cache)."""
    return web_fonts(fonts, characters, cache, jobs=1)
