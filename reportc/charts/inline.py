"""Charts inline in the web page: selectable text in the page's own fonts.

An SVG shown by ``<img>`` is a picture to the browser: its text cannot be selected or
searched, and it cannot use the page's web fonts (it falls back to a system sans whose
widths differ from those the renderer measured). The web edition therefore puts each
chart's SVG into the page itself, as ``<svg role="img" aria-label="...">``: the alt text
stays its accessible name, and the theme's ``@font-face`` fonts draw its text. The PDF and
Word keep the ``<img>`` (WeasyPrint tags it as a Figure with /Alt).

The SVG is the renderer's, drawn from a spec checked before drawing; it is checked again
here as any SVG figure is (no script, no reference to load), and element ids are made
unique per chart so that two charts on one page cannot share a clip path.
"""

from __future__ import annotations

import base64
import html
import re

from reportc.charts.figures import SVG_URL

_CHART_IMG = re.compile(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" '
                        r'class="chart" alt="([^"]*)" ?/?>')
_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")
_ID = re.compile(r'\bid="([^"]+)"')
_UNSAFE = re.compile(r"<script\b|<foreignObject\b|\son[a-z]+\s*=|javascript:|<!ENTITY|"
                     r"(?:href|src)\s*=\s*\"(?!#)|url\(\s*['\"]?(?!#)|@import", re.I)


def inline_charts(page: str) -> str:
    """``page`` with every chart ``<img>`` replaced by its SVG (one left as an ``<img>`` if
    its SVG looks unsafe: a picture cannot script the page)."""
    if SVG_URL not in page:
        return page
    count = 0

    def inline(match: re.Match[str]) -> str:
        nonlocal count
        svg = base64.b64decode(match.group(1)).decode("utf-8", "replace")
        if _UNSAFE.search(svg) or not _SVG_OPEN.search(svg):
            return match.group(0)
        count += 1
        return _inlined(svg, html.unescape(match.group(2)), f"chart{count}-")

    return _CHART_IMG.sub(inline, page)


def _inlined(svg: str, alt: str, prefix: str) -> str:
    """The SVG with unique ids and the image's role, name and class on its root."""
    for name in dict.fromkeys(_ID.findall(svg)):
        svg = svg.replace(f'id="{name}"', f'id="{prefix}{name}"')
        svg = svg.replace(f"url(#{name})", f"url(#{prefix}{name})")
        svg = svg.replace(f'href="#{name}"', f'href="#{prefix}{name}"')
    label = html.escape(alt, quote=True)

    def root(match: re.Match[str]) -> str:
        attributes = re.sub(r'\s(?:class|role|aria-[a-z]+)="[^"]*"', "", match.group(1))
        return (f'<svg{attributes} class="chart" role="img" aria-label="{label}" '
                f'focusable="false">')

    return _SVG_OPEN.sub(root, svg, count=1)
