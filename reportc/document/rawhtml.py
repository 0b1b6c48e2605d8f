"""Raw HTML in a chapter, the part of :mod:`reportc.document.raw` that reads tags: which
names are HTML at all, which tags stand for Markdown (``<sup>``, ``<b>``, ``<a href>``), what
to write instead of the others."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from reportc.pandoc import ast as A

COMMENT = re.compile(r"^\s*<!--.*-->\s*$", re.S)
TAG = re.compile(r"^\s*<(/?)([A-Za-z][A-Za-z0-9]*)\b([^>]*?)/?>\s*$", re.S)
LINK = re.compile(r"^\s*<a\s+href\s*=\s*([\"'])([^\"'<>]*)\1\s*>\s*$", re.I)
SAFE_TARGET = re.compile(r"^(?:https?:|mailto:|#|[^:]*$)", re.I)  # else left out, warned
# every element name of HTML: any other "<Name>" in a chapter is text ("List<String>")
HTML_ELEMENTS = frozenset({
    "a", "abbr", "address", "area", "article", "aside", "audio", "b", "base", "bdi", "bdo",
    "blockquote", "body", "br", "button", "canvas", "caption", "center", "cite", "code", "col",
    "colgroup", "data", "datalist", "dd", "del", "details", "dfn", "dialog", "div", "dl", "dt",
    "em", "embed", "fieldset", "figcaption", "figure", "font", "footer", "form", "frame",
    "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html",
    "i", "iframe", "img", "input", "ins", "kbd", "label", "legend", "li", "link", "main",
    "map", "mark", "math", "menu", "meta", "meter", "nav", "noscript", "object", "ol",
    "optgroup", "option", "output", "p", "param", "picture", "pre", "progress", "q", "rp",
    "rt", "ruby", "s", "samp", "script", "search", "section", "select", "slot", "small",
    "source", "span", "strike", "strong", "style", "sub", "summary", "sup", "svg", "table",
    "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "time", "title", "tr",
    "track", "tt", "u", "ul", "var", "video", "wbr"
})
FIRST_TAG = re.compile(r"^\s*</?([A-Za-z][A-Za-z0-9]*)")
INLINE_TAGS = {"sup": "Superscript", "sub": "Subscript", "em": "Emph", "i": "Emph",
               "strong": "Strong", "b": "Strong", "u": "Underline", "ins": "Underline",
               "s": "Strikeout", "del": "Strikeout", "strike": "Strikeout"}
SILENT_TAGS = {"p", "div", "span", "br", "center", "small", "mark", "abbr", "kbd", "cite",
              "q", "font", "section", "article", "aside", "header", "footer", "nav", "main"}
# tags with no content of their own (or whose content is code): nothing of them is kept
EMPTY_TAGS = {"script", "style", "link", "meta", "img", "hr", "input", "iframe", "embed",
              "object", "base", "wbr", "source", "track", "area", "col", "param"}
# what pandoc's HTML reader drops from a table (with its content or its function);
# <style> it keeps as raw HTML, reported as any other
DROPPED_IN_TABLES = {"script", "iframe", "form", "input", "button", "select",
                     "textarea", "object", "embed", "video", "audio", "canvas", "template",
                     "svg", "noscript", "link", "meta"}
TAG_OPENING = re.compile(r"<([A-Za-z][A-Za-z0-9]*)\b[^>]*>")
HTML_HINTS = {
    "img": "write ![what it shows](path/to/image.png)",
    "a": "write [text](https://...)",
    "table": "write a Markdown table (a pipe or grid table)",
    "script": "a report carries no scripts",
    "style": "put styles in the theme's CSS (theme/)",
    "link": "put styles in the theme's CSS (theme/)",
    "i": "write *text* (an icon font is not loaded)",
    "iframe": "link to the page instead: [text](https://...)",
    "input": "a printed report has no form fields: write the text",
    "form": "a printed report has no form fields: write the text",
    "svg": "save the drawing as an .svg file and write ![what it shows](file.svg)",
    "video": "link to the video instead: [text](https://...)",
    "hr": "write a line of three dashes (---)",
    "details": "write a ::: {.callout-note collapse=true} block",
    "figure": "write ![caption](image.png){#fig-name}",
}
# prefixes of LaTeX labels, and the identifier prefix Quarto gives the same kind


def pair_tags(items: list[Any]) -> list[Any]:
    """``<sup>2</sup>`` as Superscript (and so on for :data:`INLINE_TAGS`); a tag left
    without its partner is dropped."""
    out: list[Any] = []
    for item in items:
        closing = closing_name(item)
        opened = next((i for i in range(len(out) - 1, -1, -1)
                       if opening_name(out[i]) == closing), None) if closing else None
        if opened is not None:
            inner, opening = out[opened + 1:], out[opened]["c"][1]
            del out[opened:]
            out.append(link(opening, inner) if closing == "a" else
                       {"t": INLINE_TAGS[closing], "c": inner})
        elif not closing:
            out.append(item)
    return [item for item in out if not opening_name(item)]


def spaced(items: list[Any]) -> list[Any]:
    """Inlines without the doubled space a removed comment or command leaves behind."""
    out: list[Any] = []
    for item in items:
        space = type(item) is dict and item.get("t") in ("Space", "SoftBreak")
        if space and (not out or out[-1].get("t") in ("Space", "SoftBreak", "LineBreak")):
            continue
        out.append(item)
    return out


def link(opening: str, inner: list[Any]) -> A.Node:
    """``<a href="...">text</a>`` as a Markdown link (its address is checked like any)."""
    match = LINK.match(opening)
    target = html_lib.unescape(match.group(2)) if match else ""
    return {"t": "Link", "c": [A.attr(), inner, [target, ""]]}


def drop_tags(items: list[Any]) -> list[Any]:
    return [item for item in items if not (opening_name(item) or closing_name(item))]


def opening_name(item: Any) -> str:
    if type(item) is dict and item.get("t") == "RawInline":
        tag = TAG.match(item["c"][1])
        return tag.group(2).lower() if tag and not tag.group(1) else ""
    return ""


def closing_name(item: Any) -> str:
    if type(item) is dict and item.get("t") == "RawInline":
        tag = TAG.match(item["c"][1])
        name = tag.group(2).lower() if tag and tag.group(1) else ""
        return name if name in INLINE_TAGS or name == "a" else ""
    return ""
