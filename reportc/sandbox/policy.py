"""The file policy: which files WeasyPrint (through :class:`reportc.sandbox.fetcher.
SandboxFetcher`) and the checks may read. It imports no WeasyPrint, so checking needs none."""

from __future__ import annotations

import base64
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlparse
from xml.etree import ElementTree

from reportc.paths import inside


def file_refusal(url: str, allowed: list[Path]) -> tuple[Path | None, str | None]:
    """``(path, None)`` if ``url`` names a regular file WeasyPrint may read, else a reason.

    Allowed: ``file:`` URLs of regular files inside one of the ``allowed`` folders,
    after resolving symbolic links, and not hidden (no path part starting with '.').
    """
    parsed = urlparse(url)
    if parsed.scheme.lower() != "file":
        return None, ("remote URLs are never fetched; only files inside the report "
                      "directory may be used")
    if parsed.netloc not in ("", "localhost"):
        return None, "files on other hosts are never read"
    path = Path(unquote(parsed.path)).resolve()
    roots = [root.resolve() for root in allowed]
    root = next((root for root in roots if inside(path, root)), None)
    if root is None:
        return None, ("only files inside the report directory may be used "
                      "(symbolic links are followed before checking)")
    if any(part.startswith(".") for part in path.relative_to(root).parts):
        return None, "hidden files and folders (names starting with '.') are never used"
    try:
        info = path.stat()
    except OSError:
        return None, "no such file"
    if not stat.S_ISREG(info.st_mode):
        return None, "not a regular file"
    return path, None


def decode_data_url(url: str) -> str:
    """The text a ``data:`` URL holds (base64 or percent-encoded; '' if it does not
    decode), for the checks that look inside embedded SVG and CSS."""
    header, _, payload = url.partition(",")
    try:
        raw = base64.b64decode(payload + "==") if header.lower().endswith(";base64") \
            else unquote_to_bytes(payload)
    except ValueError:
        return ""
    return raw.decode("utf-8", "replace")


def unreadable_image(path: Path) -> str:
    """Why WeasyPrint would fail to load the image ``path`` (found at the image's line
    before the PDF is laid out, not after), or ``""``: a raster image Pillow cannot decode,
    an SVG that is not well-formed XML."""
    try:
        if path.suffix.lower() == ".svg":
            ElementTree.parse(path)
        else:
            # here: a rebuild with nothing to do, or a report of SVG figures only, loads no
            # imaging library (0.015 s of an edit's way to the PDF's layout)
            from PIL import Image, ImageFile

            # as WeasyPrint sets it when imported, so that this says what the PDF draws in
            # any order of imports: a PNG whose metadata chunk has a wrong checksum (an
            # editor's; browsers skip the chunk) is drawn, not refused
            ImageFile.LOAD_TRUNCATED_IMAGES = True
            with Image.open(path) as image:
                image.verify()
    except ElementTree.ParseError as exc:
        return f"it is not well-formed SVG ({exc})"
    except (OSError, ValueError, SyntaxError):  # Pillow's errors for a broken file
        damaged = _damaged_png_chunk(path)
        if damaged:
            return (f"its PNG chunk '{damaged}' is damaged (its checksum does not match): "
                    "save the image again, e.g. from an image editor or with optipng")
        return "it is not a PNG, JPEG, GIF, WebP or other image Pillow can decode"
    return ""


def _damaged_png_chunk(path: Path) -> str:
    """The type of the first chunk of the PNG file ``path`` whose CRC is wrong, if any (a
    file damaged in its image data or header, which Pillow refuses whole)."""
    data = path.read_bytes()
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ""
    at = 8
    while at + 12 <= len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        body = data[at + 4:at + 8 + size]
        if len(body) < size + 4 or zlib.crc32(body) != int.from_bytes(
                data[at + 8 + size:at + 12 + size], "big"):
            return body[:4].decode("latin-1") if len(body) == size + 4 else ""
        at += 12 + size
    return ""


@dataclass(frozen=True)
class Refusal:
    """One resource the layout asked for and did not get (plain data: crosses processes)."""

    url: str
    reason: str
    path: str | None = None  # where the reference is, relative to the report
    line: int | None = None

    @property
    def message(self) -> str:
        return f"refused to load '{shorten(self.url)}': {self.reason}"


def shorten(url: str, limit: int = 120) -> str:
    """A URL cut to ``limit`` characters for a message."""
    return url if len(url) <= limit else url[:limit - 1] + "\u2026"
