"""The rendered HTML's backstop: what pandoc wrote for a chapter or the reference list is
scanned for anything that would script the page or load remote content, though the checks
on the Markdown (:mod:`reportc.sandbox.checks`) let none of it through.

Python's HTML parser reads about 3 MB a second; the 200-page report's chapters are 3.5 MB
of HTML, checked before the first page is laid out. Almost all of pandoc's HTML is *plain*:
every ``<`` opens a tag of letters whose attributes are all ``name="value"`` with no ``&``
in a value, and no element whose content is raw text. For plain HTML, one regular
expression finds the same tags and attributes the parser would, so their problems are
found without the parser; anything else, and any HTML in which a problem is found, goes
through the parser, which then says exactly what it finds.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from reportc.errors import Diagnostics
from reportc.sandbox.checks import (
    LINK_SCHEMES,
    STYLE_LOADS,
    UNSAFE_TAGS,
    URL_ATTRIBUTES,
    dangerous_scheme,
    shortened,
    url_scheme,
)

MATHML = "http://www.w3.org/1998/Math/MathML"
_SPACE = "[ \t\n\r\f]"
_NAME = "[a-zA-Z_:][-a-zA-Z0-9_:.]*"
# A plain tag: an end tag, or a start tag whose attributes are each name or name="value"
# (no quote, <, > or & in the value: nothing for the parser to unescape or read otherwise).
_PLAIN_TAG = re.compile(f'<(?:/[a-zA-Z][a-zA-Z0-9-]*{_SPACE}*|([a-zA-Z][a-zA-Z0-9-]*)'
                        f'((?:{_SPACE}+{_NAME}(?:="[^"<>&]*")?)*){_SPACE}*/?)>')
_PLAIN_ATTRIBUTE = re.compile(f'{_SPACE}+({_NAME})(?:="([^"<>&]*)")?')
# pandoc's MathML names its namespace on <math>; nothing is loaded (as _HtmlScan allows)
_MATH_NAMESPACE = re.compile(f'{_SPACE}+(?i:xmlns)="{re.escape(MATHML)}"')
# Elements whose content a parser reads as text (as HTML's own rules, and newer Pythons'
# parser, do): HTML holding one is never taken as plain.
_RAW_TEXT = {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
             "noscript", "plaintext"}


def _plain_and_safe(fragment: str) -> bool:
    """Is ``fragment`` plain HTML (see the module's docstring) with nothing to report?"""
    tags = _PLAIN_TAG.findall(fragment)
    if len(tags) != fragment.count("<"):
        return False
    names = {name.lower() for name, _ in tags if name}
    if names & (UNSAFE_TAGS | _RAW_TEXT):
        return False
    attributes = [_MATH_NAMESPACE.sub("", written) if name.lower() == "math" else written
                  for name, written in tags] if "math" in names else [a for _, a in tags]
    pairs = set(_PLAIN_ATTRIBUTE.findall("".join(attributes)))
    return not any(_attribute_problem(key.lower(), value) for key, value in pairs)


class _HtmlScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNSAFE_TAGS:
            self.problems.append(f"a <{tag}> element")
        for key, value in attrs:
            if tag == "math" and key == "xmlns" and value == MATHML:
                continue  # pandoc's MathML names its namespace; nothing is loaded
            problem = _attribute_problem(key, value or "")
            if problem:
                self.problems.append(problem)

    handle_startendtag = handle_starttag


def _attribute_problem(key: str, value: str) -> str:
    """What an attribute of the rendered HTML would make a browser do that a report may
    not: run script, follow a link of another scheme, load an image or a style ("": none)."""
    if key.startswith("on"):
        return f"an event-handler attribute '{key}'"
    if key in ("href", "xlink:href") and url_scheme(value) not in LINK_SCHEMES | {""}:
        return f"a link to '{shortened(value)}'"
    if key == "src" and url_scheme(value) and not value.lower().startswith("data:image/"):
        return f"an image from '{shortened(value)}'"
    if key in URL_ATTRIBUTES - {"href", "src"}:
        return f"an attribute '{key}'"
    if key == "style" and STYLE_LOADS.search(value):
        return "a style attribute that loads something"
    if dangerous_scheme(value):
        return f"a '{dangerous_scheme(value)}:' address"
    return ""


def html_problems(fragment: str) -> list[str] | None:
    """What :func:`check_html` finds in ``fragment``, checked alone; ``None`` if it ends
    inside a tag, a comment or a script's text, where what is joined after it could be
    read otherwise: a fragment that ends outside every tag is checked once, alone, and
    stays checked wherever it is joined (reportc.citing.pieces keeps such blocks)."""
    if _plain_and_safe(fragment):  # every tag closed, none with anything to report
        return []
    scan = _HtmlScan()
    scan.feed(fragment)
    if "<" in scan.rawdata or scan.cdata_elem is not None:
        return None
    scan.close()
    return list(dict.fromkeys(scan.problems))


def check_html(fragment: str, where: str | None, diag: Diagnostics) -> bool:
    """Backstop: report script, event handlers or unsafe URLs in rendered HTML."""
    if _plain_and_safe(fragment):
        return True
    scan = _HtmlScan()
    scan.feed(fragment)
    scan.close()
    for problem in dict.fromkeys(scan.problems):
        diag.error(f"the HTML made from this file would contain {problem}; nothing from a "
                   "chapter or the bibliography may script the page or load remote content",
                   where)
    return not scan.problems
