"""Characters no font can print, found before the PDF is laid out.

WeasyPrint draws a character that no font has as an empty box (``.notdef``) and says so
only while it lays out the PDF, which for a long report is a minute in, and without a line.
The fonts it can use are the theme's and those fontconfig knows (its fallback), so the
characters of each chapter are checked against their character sets first: a missing one
is an error at its line before layout starts (and before any edition is written).
"""

from __future__ import annotations

import bisect
import functools
import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

from reportc.cache import BuildCache, digest, tool_versions
from reportc.document.hidden import conditional
from reportc.document.model import ChapterDoc
from reportc.editions.conditional import blocks_for
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A

# need no glyph of their own: controls, format characters (joiners, variation selectors)
# and separators
_NO_GLYPH = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def check_glyphs(docs: list[ChapterDoc], fonts: list[Path], diag: Diagnostics,
                 cache: BuildCache | None = None, shapes: list[str] | None = None) -> None:
    """Report each character of a chapter that neither a theme font (``fonts``) nor a
    system font has, once per chapter at its first line (those first on one line in one
    error). ``shapes``: each chapter's
    :func:`reportc.document.model.ast_digest`; a chapter checked before with the same
    fonts takes its findings from ``cache`` (no walk, and no ``fc-list`` if none is new)."""
    lister = shutil.which("fc-list")
    if lister is None:
        return  # no fontconfig to ask: WeasyPrint's own message after layout remains
    against = digest(tool_versions(), lister, *map(_font_digest, fonts))
    covered: Coverage | None = None  # asked for at the first chapter not cached
    for doc, shape in zip(docs, shapes or [""] * len(docs), strict=True):
        key = digest(shape, doc.chapter.text, against) if shape and cache else ""
        found = _recalled(cache, key)
        if found is None:
            covered = covered if covered is not None else _coverage(fonts, cache, against)
            if covered is None:
                return  # fc-list failed: as without fontconfig
            found = _missing(doc, covered)
            if cache and key:
                cache.put("glyphs", key, json.dumps(found))
        for message, line in found:
            diag.error(message, doc.rel, line)


def _recalled(cache: BuildCache | None, key: str) -> list[tuple[str, int | None]] | None:
    """A chapter's errors as the last check with the same key found them."""
    stored = cache.get("glyphs", key) if cache and key else None
    return None if stored is None else [(message, line) for message, line in json.loads(stored)]


def _font_digest(path: Path) -> str:
    return digest(str(path), path.read_bytes() if path.is_file() else b"<missing>")


MAX_NAMED = 5  # characters a line's error names


def _missing(doc: ChapterDoc, covered: Coverage) -> list[tuple[str, int | None]]:
    """The chapter's errors: each character no font (``covered``: their code points) has,
    with its first line."""
    text = doc.chapter.text
    missing = sorted({char for char in _printed(doc) if ord(char) not in covered
                      and unicodedata.category(char) not in _NO_GLYPH},
                     key=lambda char: text.find(char))
    lines: dict[int | None, list[str]] = {}  # first line -> the characters first there
    for char in missing:
        line = text.count("\n", 0, text.index(char)) + 1 if char in text else None
        lines.setdefault(line, []).append(char)
    return [(_message(chars), line) for line, chars in lines.items()]


def _message(chars: list[str]) -> str:
    """One error for the characters first found on one line: a text in a script no font has
    (a page of Oriya) is one error a line, not one a character."""
    if len(chars) == 1:
        return (f"no font has {_named(chars[0])}: the PDF would print an empty box; install a "
                "font that has it (emoji: Debian's fonts-noto-color-emoji) or write it another "
                "way")
    shown = ", ".join(_named(char) for char in chars[:MAX_NAMED])
    more = f" and {len(chars) - MAX_NAMED} more" if len(chars) > MAX_NAMED else ""
    return (f"no font has {len(chars)} characters of this line: {shown}{more}: the PDF would "
            "print empty boxes; install a font that has them (Debian: fonts-noto-core for "
            "most scripts, fonts-noto-cjk for Chinese, Japanese and Korean, "
            "fonts-noto-color-emoji for emoji) or write them another way")


def _named(char: str) -> str:
    name = unicodedata.name(char, "").title()
    return f"'{char}' (U+{ord(char):04X}{' ' + name if name else ''})"


def _printed(doc: ChapterDoc) -> set[str]:
    """The characters the chapter prints as text, its charts' data included (not those of a
    comment left out, nor of formulas, which are drawn)."""
    chars: set[str] = set("".join(doc.charted))
    blocks = doc.ast["blocks"]
    if conditional(doc.chapter.text):  # not the content for other editions only
        blocks = blocks_for(blocks, "pdf", set())
    for node in A.iter_nodes(blocks):
        if node["t"] == "Str":
            chars.update(node["c"])
        elif node["t"] in ("Code", "CodeBlock"):
            chars.update(node["c"][1])
    return chars


class Coverage:
    """The code points some font has: a theme font's (a set) or fontconfig's (sorted,
    disjoint ``[first, last]`` ranges, looked up by bisection: not expanded into a set of
    its 50,000 points on every build)."""

    def __init__(self, system: list[list[int]], theme: frozenset[int]) -> None:
        self.firsts = [first for first, _ in system]
        self.lasts = [last for _, last in system]
        self.theme = theme

    def __contains__(self, point: int) -> bool:
        if point in self.theme:
            return True
        index = bisect.bisect_right(self.firsts, point) - 1
        return index >= 0 and point <= self.lasts[index]


def _coverage(fonts: list[Path], cache: BuildCache | None, against: str) -> Coverage | None:
    """Every code point a theme font or a system font has (``None`` without fontconfig);
    both from ``cache`` under ``against`` (the theme fonts' bytes, the installed fonts as
    :func:`~reportc.cache.tool_versions` sees them: the key the chapters' findings are
    kept under too) when found before: loading the theme fonts' character maps was most
    of an edit's glyph check, then running ``fc-list`` and reading its ranges (0.03 s)."""
    stored = cache.get("glyph-system", against) if cache else None
    system = json.loads(stored) if stored is not None else system_ranges()
    if system is None:
        return None
    if cache and stored is None:
        cache.put("glyph-system", against, json.dumps(system))
    stored = cache.get("glyph-fonts", against) if cache else None
    if stored is not None:
        return Coverage(system, frozenset(json.loads(stored)))
    theme = theme_coverage(tuple(fonts))
    if cache:
        cache.put("glyph-fonts", against, json.dumps(sorted(theme)))
    return Coverage(system, theme)


@functools.cache
def system_ranges() -> list[list[int]] | None:
    """The code points fontconfig's fonts have, as sorted disjoint ``[first, last]``
    ranges (``None`` without ``fc-list``)."""
    if shutil.which("fc-list") is None:
        return None
    try:
        listing = subprocess.run(["fc-list", "--format", "%{charset}\n"], capture_output=True,
                                 text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    ranges: list[list[int]] = []
    for item in set(listing.split()):
        first, _, last = item.partition("-")
        try:
            ranges.append([int(first, 16), int(last or first, 16)])
        except ValueError:
            continue
    merged: list[list[int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        elif low <= high:
            merged.append([low, high])
    return merged


@functools.cache
def theme_coverage(fonts: tuple[Path, ...]) -> frozenset[int]:
    """Every code point the theme's font files have: the characters of their best Unicode
    character map, read by HarfBuzz (1 ms for the default theme's eight fonts, against
    50 ms with fontTools, on every clean build's way to the PDF's layout)."""
    import uharfbuzz as hb  # here: not on a no-change rebuild

    points: set[int] = set()
    for path in fonts:
        try:
            points.update(hb.Face(hb.Blob.from_file_path(str(path))).unicodes)
        except (OSError, hb.HarfBuzzError):  # not readable; a damaged file has no characters
            continue  # WeasyPrint reports a font it cannot load
    return frozenset(points)
