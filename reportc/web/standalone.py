"""The self-contained web edition: one HTML file, nothing beside it.

Stylesheets linked as ``assets/<sheet>`` become ``<style>`` elements whose ``url()``
references (the fonts) are ``data:`` URLs, and images of the report directory become
``data:`` URLs too. Only files inside the theme and the report directory are read.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote

from reportc.editions.theme import Theme
from reportc.paths import inside

_STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="assets/([^"]+)">')
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")')
MIME = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2",
        ".svg": "image/svg+xml"}


def data_url(path: Path) -> str:
    mime = MIME.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] \
        or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def self_contained(page: str, theme: Theme, root: Path,
                   fonts: dict[Path, bytes] | None = None) -> str:
    """``page`` with its stylesheets, fonts and images inlined; ``fonts`` gives the bytes
    to inline for a theme font (its WOFF2 subset) instead of the file's."""
    def style(match: re.Match[str]) -> str:
        sheet = (theme.root / html.unescape(match.group(1))).resolve()
        if not inside(sheet, theme.root) or not sheet.is_file():
            return match.group(0)
        return f"<style>\n{inline_css(sheet, theme.root, fonts or {})}</style>"

    def image(match: re.Match[str]) -> str:
        source = unquote(html.unescape(match.group(2)))
        path = (root / source).resolve()
        if source.startswith("data:") or not inside(path, root) \
                or not path.is_file():
            return match.group(0)
        return match.group(1) + data_url(path) + match.group(3)

    return _IMG_SRC.sub(image, _STYLESHEET_LINK.sub(style, page))


def inline_css(sheet: Path, allowed: Path, fonts: dict[Path, bytes] | None = None) -> str:
    """The stylesheet's text with each local ``url()`` replaced by a ``data:`` URL (of the
    WOFF2 subset ``fonts`` holds for a font file, if any)."""
    def replace(match: re.Match[str]) -> str:
        target = match.group(2).strip()
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^#|^/", target):
            return match.group(0)  # data:, remote and absolute references stay as they are
        path = (sheet.parent / unquote(target.split("#")[0].split("?")[0])).resolve()
        if not inside(path, allowed) or not path.is_file():
            return match.group(0)
        if fonts and path in fonts:
            encoded = base64.b64encode(fonts[path]).decode("ascii")
            return f'url("data:font/woff2;base64,{encoded}") format("woff2")'
        return f'url("{data_url(path)}")'

    text = sheet.read_text(encoding="utf-8").replace("</style", "<\\/style")
    return _CSS_URL.sub(replace, text)
