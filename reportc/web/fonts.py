"""The web edition's fonts: the theme's TrueType/OpenType files subset to the Unicode
blocks the page uses (plus printable ASCII, for text a reader types or a script adds) and
compressed as WOFF2 (HarfBuzz subsets, fontTools and Brotli write): the flagship's eight
fonts go from 2.5 MB of TTF to a few hundred KB. The single page and the site
(:mod:`reportc.site`) both take them from here. The PDF keeps the full fonts (WeasyPrint
subsets them itself).

Deterministic: the font's own timestamp is kept (``recalcTimestamp=False``) and Brotli's
output depends on its input alone. Cached by the font's bytes, the code points kept and
the Brotli quality.

Brotli runs at quality 10, not fontTools' 11: quality 11 took 0.94 s of CPU for the
default theme's eight fonts (the subsetting itself about 0.2 s of it), quality 10 0.57 s,
for files 1.5 % larger (172 KB against 175 KB on the 200-page benchmark's page); every
clean build with a web edition pays it.
"""

from __future__ import annotations

import io
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from reportc.cache import BuildCache, digest, file_digest, tool_versions
from reportc.errors import ConfigError

_FONT_URL = re.compile(r'url\("?(\.\./fonts/[^")]+)\.(?:ttf|otf)"?\)')
PRINTABLE_ASCII = range(0x20, 0x7F)
BLOCK = 128
_MADE: dict[str, bytes] = {}  # this process's subsets: watch mode and the tests reuse them
NUMERIC_FEATURES = ["tnum", "lnum", "pnum", "onum"]  # font-variant-numeric
WOFF2_QUALITY = 10  # Brotli's quality for the WOFF2 files (see the module's docstring)


def woff2_name(font: Path) -> str:
    return font.stem + ".woff2"


def code_points(text: str) -> list[int]:
    """The code points to keep: every block of 128 that ``text`` uses a character of, and
    printable ASCII. Whole blocks keep the set (and so the cached fonts) the same when an
    edit brings a new letter of a script the report already uses."""
    used = set(text)  # each character once: the 200-page page in 0.02 s instead of 0.07 s
    blocks = {ord(c) // BLOCK for c in used} | {c // BLOCK for c in PRINTABLE_ASCII}
    return [start * BLOCK + n for start in sorted(blocks) for n in range(BLOCK)]


def web_fonts(fonts: list[Path], text: str, cache: BuildCache, jobs: int) -> list[bytes]:
    """Each of ``fonts`` subset to the blocks ``text`` uses, as WOFF2; the ones neither
    cached nor made earlier in this process are made in parallel (about 0.1 s of CPU a
    font, mostly Brotli)."""
    return WebFonts(fonts, text, cache).complete({}, jobs)


class WebFonts:
    """The WOFF2 subsets one page needs: each font's key (its bytes, the code points kept,
    the tools and Brotli's quality), and those found in the cache or made earlier in this
    process; :meth:`complete` makes the others."""

    def __init__(self, fonts: list[Path], text: str, cache: BuildCache) -> None:
        self.fonts, self.points, self._cache = fonts, code_points(text), cache
        self._keys = [digest(file_digest(font), ",".join(map(str, self.points)),
                             tool_versions(), f"brotli-quality={WOFF2_QUALITY}")
                      for font in fonts]  # the subsetter's version (uharfbuzz) is a tool
        self._made = [cache.get_bytes("woff2", key) for key in self._keys]
        for n, key in enumerate(self._keys):
            if self._made[n] is None and key in _MADE:
                self._made[n] = _MADE[key]
                cache.put_bytes("woff2", key, _MADE[key])  # kept in this out/'s cache too

    @property
    def missing(self) -> list[int]:
        """The indexes of the fonts still to make."""
        return [n for n, data in enumerate(self._made) if data is None]

    def complete(self, found: dict[int, bytes], jobs: int) -> list[bytes]:
        """Every subset: ``found`` (index -> bytes, made elsewhere by :func:`subset_font`)
        taken, the rest made here; all kept in the cache and for this process."""
        missing = [n for n in self.missing if n not in found]
        made = dict(found)
        made.update(zip(missing, _subset_fonts([self.fonts[n] for n in missing], self.points,
                                               jobs), strict=True))
        for n, data in made.items():
            self._made[n] = data
            self._cache.put_bytes("woff2", self._keys[n], data)
        _MADE.update((key, data) for key, data in zip(self._keys, self._made, strict=True)
                     if data)
        return [data for data in self._made if data is not None]


def _subset_fonts(fonts: list[Path], points: list[int], jobs: int) -> list[bytes]:
    """:func:`subset_font` of each font: in ``jobs`` worker processes when there are
    several fonts to make, one after another otherwise (a pool costs more than one font)."""
    if len(fonts) > 1 and jobs > 1:
        with ProcessPoolExecutor(min(jobs, len(fonts))) as pool:
            return list(pool.map(subset_font, fonts, [points] * len(fonts)))
    return [subset_font(font, points) for font in fonts]


def subset_font(font: Path, points: list[int]) -> bytes:
    """``font`` cut down to ``points`` as WOFF2. HarfBuzz's subsetter (uharfbuzz) cuts in a
    millisecond, keeping the glyphs its default features reach (kerning, ligatures, marks)
    and the figure styles the theme's CSS asks for, with every name record (the licence);
    fontTools then writes the WOFF2 (Brotli). A file HarfBuzz or fontTools cannot read is
    a :class:`ConfigError` naming it."""
    try:
        return _woff2(_harfbuzz_subset(font.read_bytes(), points))
    except Exception as exc:  # both fail in many ways on a bad file
        raise ConfigError(f"{font}: cannot make a web font of this font file "
                          f"({exc.__class__.__name__}: {exc}); replace it with a valid "
                          "TrueType or OpenType font") from exc


def _harfbuzz_subset(data: bytes, points: list[int]) -> bytes:
    import uharfbuzz as hb  # here: a rebuild with nothing to do loads neither library

    wanted = hb.SubsetInput()
    for point in points:
        wanted.unicode_set.add(point)
    for tag in NUMERIC_FEATURES:  # besides HarfBuzz's default features
        wanted.layout_feature_tag_set.add(int.from_bytes(tag.encode("ascii"), "big"))
    wanted.name_id_set.invert()  # every name record: the copyright and licence (OFL)
    wanted.flags = hb.SubsetFlags.NOTDEF_OUTLINE
    cut = hb.subset(hb.Face(hb.Blob(data)), wanted)
    if cut is None:
        raise ValueError("HarfBuzz could not subset it")
    return bytes(cut.blob.data)


def _woff2(data: bytes) -> bytes:
    from fontTools.ttLib import TTFont, woff2

    if not isinstance(woff2.brotli, _Brotli):  # fontTools compresses at quality 11
        woff2.brotli = _Brotli(woff2.brotli)
    with TTFont(io.BytesIO(data), recalcTimestamp=False) as face:
        face.flavor = "woff2"
        buffer = io.BytesIO()
        face.save(buffer, reorderTables=False)
    return buffer.getvalue()


class _Brotli:
    """The ``brotli`` module as fontTools' WOFF2 writer sees it: ``compress`` at
    :data:`WOFF2_QUALITY` unless a quality is given."""

    def __init__(self, module: Any) -> None:
        self._module = module

    def compress(self, data: bytes, *args: Any, **kwargs: Any) -> bytes:
        kwargs.setdefault("quality", WOFF2_QUALITY)
        return bytes(self._module.compress(data, *args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def woff2_stylesheet(css: str) -> str:
    """A stylesheet whose ``url("../fonts/X.ttf")`` point at ``X.woff2`` instead."""
    return _FONT_URL.sub(lambda m: f'url("{m.group(1)}.woff2") format("woff2")', css)
