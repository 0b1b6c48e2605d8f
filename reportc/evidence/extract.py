"""A source file as plain text: PDF text with its line-end hyphenation undone, HTML and
Markdown read as text (entities decoded, markup dropped). Cached by the file's bytes."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

from reportc.cache import BuildCache, digest, tool_versions

_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
               "blockquote", "section", "article", "pre", "dd", "dt", "figcaption", "table"}
_SKIPPED_TAGS = {"script", "style", "head", "template", "noscript", "svg"}
# A word broken at the end of a line: "tech-\nnology" (a hyphen, or the soft hyphen or the
# marker some PDF producers leave in its place).
_LINE_END_HYPHEN = re.compile(r"(\w)[-\u00ad\u2010\ufffe\x02]\s*\n\s*(\w)")


def source_text(path: Path, cache: BuildCache) -> str:
    """The text of ``path`` (its bytes are the cache key, never its name or time)."""
    data = path.read_bytes()
    kind = path.suffix.lower().lstrip(".")
    key = digest(kind, data, tool_versions())
    cached = cache.get("source-text", key)
    if cached is not None:
        return cached
    text = extract(kind, data)
    cache.put("source-text", key, text)
    return text


def extract(kind: str, data: bytes) -> str:
    """Plain text of a source of ``kind`` (txt, md, html, htm, pdf)."""
    if kind == "pdf":
        return pdf_text(data)
    text = data.decode("utf-8", "replace").replace("\r\n", "\n").removeprefix("\ufeff")
    if kind in ("html", "htm"):
        return html_text(text)
    if kind == "md":
        return dehyphenate(markdown_text(text))
    return dehyphenate(html.unescape(text))


def pdf_text(data: bytes) -> str:
    """Every page's text in reading order, words broken across lines joined again."""
    import pypdfium2

    pages = []
    document = pypdfium2.PdfDocument(data)
    try:
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
            textpage.close()
            page.close()
    finally:
        document.close()
    return dehyphenate("\n".join(pages))


def dehyphenate(text: str) -> str:
    """Undo line-end hyphenation: ``tech-\\nnology`` becomes ``technology``."""
    joined = _LINE_END_HYPHEN.sub(r"\1\2", text)
    return re.sub("[\u00ad\ufffe\x02]", "", joined)


class _TextParser(HTMLParser):
    """Collects an HTML page's visible text; block elements end a line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(page: str) -> str:
    parser = _TextParser()
    parser.feed(page)
    parser.close()
    text = "".join(parser.parts).replace("\u00ad", "")
    return dehyphenate(re.sub(r"[ \t]*\n[\n \t]*", "\n\n", text).strip() + "\n")


def markdown_text(markdown: str) -> str:
    """Markdown as a reader sees it: link targets, emphasis marks and entities dropped."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)  # [text](url) -> text
    text = re.sub(r"(?<!\w)[*_]{1,3}|[*_]{1,3}(?!\w)", "", text)  # *emphasis*, __strong__
    text = re.sub(r"^\s{0,3}(#{1,6}|>|[-+*]|\d+[.)])\s+", "", text, flags=re.M)
    return html.unescape(text)
