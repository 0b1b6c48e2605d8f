"""The search index: every page's text, by section, written at compile time as a script.

Each entry is one section of one page (the text from a heading with an id to the next):
its address (``page.html#id``), the chapter and the section it is in, and its words. The
file is ``assets/search-index.js``, which sets a global rather than being fetched as JSON,
so the search works from a static server and from a folder opened straight from disk
(browsers refuse ``fetch`` on ``file://``). lunr 2.3.9 (shipped in the theme,
``templates/site/``) builds its inverted index from these entries in the browser. The page
loads both only when the reader first focuses the search box (``site.js``), so reading a
chapter does not download the whole report's text. Note pop-ups are left out (their text is in the
chapter's list of notes), as are scripts, navigation, the header and the footer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

HEADINGS = {"h1", "h2", "h3", "h4"}
BLOCKS = {"p", "li", "div", "td", "th", "caption", "figcaption", "dt", "dd", "section",
          "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}  # a word ends with them
SKIPPED = {"script", "style", "nav", "header", "footer", "aside", "template"}
SKIPPED_CLASSES = {"fn-body", "fn-ref", "fn-back"}  # note pop-ups, calls and back-links
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "source", "track", "wbr"}


@dataclass
class Section:
    anchor: str
    title: str
    words: list[str] = field(default_factory=list)


class _Sections(HTMLParser):
    """Splits a page's ``<main>`` into sections at headings that carry an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = [Section("", "")]
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped here)
        self.skipping = 0  # how many open elements are left out
        self.in_main = False
        self.heading: Section | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "main":
            self.in_main = True
        if tag in _VOID:
            if tag == "br":
                self.handle_data(" ")
            return
        classes = (attr.get("class") or "").split()
        skip = tag in SKIPPED or bool(SKIPPED_CLASSES.intersection(classes))
        self.stack.append((tag, skip))
        self.skipping += skip
        if tag in HEADINGS and attr.get("id") and self.in_main:
            self.heading = Section(attr["id"] or "", "")
            self.sections.append(self.heading)

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.handle_data(" ")
        if tag == "main":
            self.in_main = False
        while self.stack:
            opened, skipped = self.stack.pop()
            self.skipping -= skipped
            if opened == tag:
                break
        if tag in HEADINGS:
            self.heading = None

    def handle_data(self, data: str) -> None:
        if not self.in_main or self.skipping:
            return
        if self.heading is not None:
            self.heading.title += data
        else:
            self.sections[-1].words.append(data)


def page_sections(text: str) -> list[Section]:
    parser = _Sections()
    parser.feed(text)
    parser.close()
    for section in parser.sections:
        section.title = " ".join(section.title.split())
    return [s for s in parser.sections if s.title or " ".join(s.words).strip()]


def first_paragraph(text: str) -> str:
    """The first paragraph of a chapter's HTML, as plain text without its note calls (the
    page's description)."""
    match = re.search(r"<p(?:\s[^>]*)?>.*?</p>", text, re.S)
    if not match:
        return ""
    parser = _Sections()
    parser.in_main = True
    parser.feed(match.group())
    parser.close()
    return " ".join("".join(parser.sections[0].words).split())


def index_entries(file: str, chapter: str, text: str) -> list[dict[str, str]]:
    """One entry per section of the page ``file`` (titled ``chapter``)."""
    entries = []
    for section in page_sections(text):
        words = " ".join("".join(section.words).split())
        if not words and not section.title:
            continue
        address = f"{file}#{section.anchor}" if section.anchor else file
        entries.append({"id": address, "c": chapter, "s": section.title or chapter,
                        "t": words})
    return entries


def index_script(entries: list[dict[str, str]]) -> str:
    """The index as a script setting ``window.reportcSearch``; safe inside ``<script>``."""
    data = json.dumps(entries, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return ("/* reportc: the site's search index (one entry per section), written at compile "
            "time. */\nwindow.reportcSearch = " + data + ";\n")
