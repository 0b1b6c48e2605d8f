"""What the book holds besides its XHTML: the figures, the theme's stylesheet and the
fonts and pictures it names, each a file under ``EPUB/``.

Nothing from outside the report or the theme goes in: a figure is taken only from inside
the report (the chapters are checked for that before), a file the stylesheet names only
from inside the theme, a font only if its licence allows embedding. A ``url()`` of the
stylesheet that names anything else is left out of the book's copy of it.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from reportc.editions.theme import Theme
from reportc.paths import inside

MEDIA_TYPES = {
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".ttf": "font/ttf", ".otf": "font/otf",
    ".woff": "font/woff", ".woff2": "font/woff2", ".css": "text/css",
}
_DATA_URI = re.compile(r"data:(?P<type>[\w.+-]+/[\w.+-]+)(?P<params>(?:;[^,;]*)*),(?P<data>.*)",
                       re.S)
_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")
_DECLARATION = re.compile(r"[^;{}]*url\([^)]*\)[^;{}]*;?")
OPEN_LICENCE = re.compile(r"SIL Open Font License|Apache License|Ubuntu Font Licence", re.I)


def media_type(name: str) -> str:
    return MEDIA_TYPES.get(PurePosixPath(name).suffix.lower(), "application/octet-stream")


class Media:
    """The pictures of the chapters, each placed once under ``media/``: a file of the
    report by its name, a picture written into the page (a chart's ``data:`` URI) by a
    digest of its bytes."""

    def __init__(self, root: Path, reserved: tuple[str, ...] = ()) -> None:
        self.root = root
        self.files: dict[str, bytes] = {}  # name inside EPUB/ -> bytes
        self._placed: dict[str, str] = {}  # src as written -> name inside EPUB/
        self._taken = set(reserved)  # names the book gives other files (the cover's)

    def place(self, src: str) -> str | None:
        """The name inside ``EPUB/`` of the picture ``src`` names (``None``: not one the
        book may hold)."""
        if src not in self._placed:
            placed = self._data(src) if src.startswith("data:") else self._file(src)
            if placed is None:
                return None
            self._placed[src] = placed
        return self._placed[src]

    def _data(self, src: str) -> str | None:
        match = _DATA_URI.fullmatch(src)
        suffix = next((s for s, t in MEDIA_TYPES.items() if match and t == match["type"]), None)
        if match is None or suffix is None:
            return None
        try:
            data = base64.b64decode(match["data"], validate=False) \
                if ";base64" in match["params"] else unquote(match["data"]).encode("utf-8")
        except ValueError:
            return None
        name = f"media/image-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
        self.files[name] = data
        return name

    def _file(self, src: str) -> str | None:
        relative = unquote(src.split("#")[0].split("?")[0])
        path = self.root / relative
        if "://" in src or not relative or not inside(path, self.root) or not path.is_file():
            return None
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", PurePosixPath(relative).stem) or "image"
        suffix = PurePosixPath(relative).suffix.lower()
        name, n = f"media/{stem}{suffix}", 1
        while name in self.files or name in self._taken:
            n += 1
            name = f"media/{stem}-{n}{suffix}"
        self.files[name] = read(path)
        return name


def read(path: Path) -> bytes:
    """A file the book holds (an ``OSError`` is the edition's located error)."""
    return path.read_bytes()


def licensed(font: Path) -> bool:
    """May the font be embedded in a document? Its licence (``LICENSE-<Family>.md`` beside
    it) says so, as the SIL Open Font License does."""
    licence = font.parent / f"LICENSE-{font.stem.split('-')[0]}.md"
    return licence.is_file() and bool(OPEN_LICENCE.search(
        licence.read_text("utf-8", "replace")))


def licensed_fonts(theme: Theme) -> list[Path]:
    """The theme's fonts whose licence allows them to be embedded; others stay out."""
    return [font for font in theme.fonts if licensed(font)]


def theme_files(css: Path, theme_root: Path, stylesheet: str, fonts: list[Path]
                ) -> dict[str, bytes]:
    """The book's stylesheet (at ``stylesheet`` inside ``EPUB/``) from the theme's ``css``
    with each file it names that lies inside ``theme_root`` (and, for a font, is
    licensed), plus the licensed ``fonts`` under ``fonts/``. A declaration naming any
    other file is left out."""
    files = {f"fonts/{font.name}": read(font) for font in fonts}
    folder = posixpath.dirname(stylesheet)

    def keep(declaration: re.Match[str]) -> str:
        for url in _URL.finditer(declaration.group()):
            if url.group(2).startswith("data:"):
                continue  # within the stylesheet itself
            target = _css_target(css, theme_root, url.group(2), folder)
            if target is None:
                return ""
            name, path = target
            files.setdefault(name, read(path))
        return declaration.group()

    text = _DECLARATION.sub(keep, css.read_text(encoding="utf-8"))
    files[stylesheet] = text.encode("utf-8")
    return files


def _css_target(css: Path, theme_root: Path, url: str, folder: str
                ) -> tuple[str, Path] | None:
    """(name inside ``EPUB/``, file) of a ``url()`` of the stylesheet, if the book may
    hold it."""
    relative = unquote(url.split("#")[0].split("?")[0])
    if "://" in url or url.startswith("/") or not relative:
        return None
    path = css.parent / relative
    name = posixpath.normpath(posixpath.join(folder, relative))
    if name.startswith("../") or not inside(path, theme_root) or not path.is_file():
        return None
    if MEDIA_TYPES.get(path.suffix.lower(), "").startswith("font/") and not licensed(path):
        return None
    return name, path
