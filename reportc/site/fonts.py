"""The site's web fonts: each of the theme's fonts as WOFF2, subset to the characters the
site prints.

The theme ships TrueType files (2.5 MB: what WeasyPrint embeds, subset per PDF). A browser
downloads whole files, so the site gets each face cut down to the characters of its pages
and compressed as WOFF2 (HarfBuzz's subsetter, then fontTools with brotli): a chapter page
then loads well under 1 MB. Every face gets the same character set, so a word set in bold
or italic anywhere still finds its glyphs. The result is cached on the font's bytes, the
characters and the tool versions (uharfbuzz and fontTools among them).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from reportc.cache import BuildCache, digest, tool_versions
from reportc.errors import ConfigError

# Always kept: printable ASCII, so that the search box and any text typed or shown by the
# page's scripts (results, "No results") finds glyphs even if the report never uses them.
BASIC = "".join(chr(code) for code in range(0x20, 0x7F)) \
    + "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u2190\u2192"
FIGURE_FEATURES = ["lnum", "onum", "pnum", "tnum"]  # font-variant-numeric in css/*.css
_FONT_URL = re.compile(r'url\("\.\./fonts/([^"]+)\.[ot]tf"\)')


def web_font_name(font: Path) -> str:
    return font.stem + ".woff2"


def site_characters(texts: list[str]) -> str:
    """Every character of ``texts`` (the pages' HTML: text and attribute values alike, which
    over-counts a little markup but never misses a glyph), sorted: part of the cache key."""
    chars = set(BASIC)
    for text in texts:
        chars.update(text)
    return "".join(sorted(c for c in chars if c.isprintable() or c == "\u00a0"))


def subset_fonts(fonts: list[Path], characters: str, cache: BuildCache) -> list[bytes]:
    """Each of ``fonts`` cut down to ``characters`` (with their layout features), as WOFF2
    bytes (about 0.1 s a face not in the cache, mostly brotli)."""
    datas = [font.read_bytes() for font in fonts]
    keys = [digest(tool_versions(), data, characters) for data in datas]
    found = [cache.get_bytes("woff2", key) for key in keys]
    for i, value in enumerate(found):
        if value is not None:
            continue
        try:
            found[i] = subset_woff2(datas[i], characters)
        except Exception as exc:  # HarfBuzz and fontTools fail in many ways on a bad file
            raise ConfigError(f"{fonts[i]}: cannot make a web font of this font file "
                              f"({exc.__class__.__name__}: {exc}); replace it with a "
                              "valid TrueType or OpenType font") from exc
        cache.put_bytes("woff2", keys[i], found[i] or b"")
    return [value or b"" for value in found]


def subset_woff2(data: bytes, characters: str) -> bytes:
    """The font ``data`` cut down to ``characters``, as WOFF2. HarfBuzz's subsetter
    (uharfbuzz) cuts, in a millisecond where fontTools' takes 0.3 s to read the layout
    tables, keeping the glyphs its features reach (ligatures, figure styles); fontTools
    then writes the WOFF2 (brotli)."""
    import uharfbuzz as hb  # here: a rebuild with nothing to do loads neither
    from fontTools.ttLib import TTFont

    face = hb.Face(hb.Blob(data))
    wanted = hb.SubsetInput()
    for char in characters:
        wanted.unicode_set.add(ord(char))
    for tag in FIGURE_FEATURES:  # besides HarfBuzz's default features
        wanted.layout_feature_tag_set.add(int.from_bytes(tag.encode("ascii"), "big"))
    wanted.name_id_set.invert()  # every name record: the copyright and licence (OFL)
    wanted.flags = hb.SubsetFlags.NOTDEF_OUTLINE
    cut = hb.subset(face, wanted)
    if cut is None:
        raise ValueError("HarfBuzz could not subset it")
    with TTFont(io.BytesIO(cut.blob.data), recalcTimestamp=False) as ttfont:
        out = io.BytesIO()
        ttfont.flavor = "woff2"
        ttfont.save(out, reorderTables=False)
    return out.getvalue()


def woff2_css(css: str) -> str:
    """The theme stylesheet's ``@font-face`` sources pointed at the WOFF2 files."""
    return _FONT_URL.sub(lambda m: f'url("../fonts/{m.group(1)}.woff2") format("woff2")', css)
