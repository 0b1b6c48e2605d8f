"""What a layout reports, as plain data that crosses from a layout worker to the build, and
how the build turns it into diagnostics. Apart from :mod:`reportc.pdf.layout`, which
imports WeasyPrint: the build's own process reads these when its workers lay the PDF
out, and need not import WeasyPrint for it (0.5 s of CPU)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from reportc.errors import Diagnostics
from reportc.sandbox.policy import Refusal

FATAL_LOG_FRAGMENTS = (".notdef glyph", "cannot be loaded", "Failed to load")


@dataclass
class LayoutResult:
    """What one WeasyPrint run produced; plain data, so it can cross process boundaries."""

    pdf: bytes | None
    messages: list[tuple[int, str]] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    too_deep: bool = False
    theme_messages: list[tuple[int, str]] = field(default_factory=list)  # not about a chapter
    pages: int = 0
    anchors: dict[str, int] = field(default_factory=dict)  # anchor -> page index (0-based)


@dataclass(frozen=True)
class DraftReport:
    """What the parent needs to know about a draft: plain data."""

    pages: int
    anchors: dict[str, int]  # anchor -> page index (0-based), first occurrence
    problems: LayoutResult  # messages, refusals, too_deep; no PDF yet


def report_layout(result: LayoutResult, diag: Diagnostics, where: str = "",
                  texts: dict[str, str] | None = None) -> bytes | None:
    """Turn a layout's log and refusals into diagnostics; the PDF only if all is well.
    ``texts``: each chapter's source by its file, to put a message at its line."""
    if result.too_deep:
        diag.error("WeasyPrint gave up: the document nests too deeply "
                   "(blockquotes or lists inside each other hundreds of times)", where or None)
        return None
    _report_log(result.theme_messages, diag, None)
    _report_log(result.messages, diag, where or None, texts or {})
    for refusal in result.refused:
        diag.error(refusal.message, refusal.path or where or None, refusal.line)
    return None if diag.errors else result.pdf


def _report_log(messages: list[tuple[int, str]], diag: Diagnostics, where: str | None,
                texts: dict[str, str] | None = None) -> None:
    for level, message in messages:
        if "refused to load" in message:
            continue  # reported once, from the fetcher
        path, line = source_line(message, where, texts or {})
        if level >= logging.ERROR or any(f in message for f in FATAL_LOG_FRAGMENTS):
            diag.error(f"WeasyPrint: {message}", path, line)
        else:
            diag.warning(f"WeasyPrint: {message}", path, line, code="layout")


def source_line(message: str, where: str | None, texts: dict[str, str]
                ) -> tuple[str | None, int | None]:
    """The chapter file and line a WeasyPrint message is about: the line that holds what
    it quotes (an attribute's CSS ``color: nonsense``; an id ``'x'`` as ``#x``, its second
    place when it is "defined twice"); in the part's chapter, else in the first that has
    it (one-pass layout does not say which chapter). WeasyPrint knows only the page."""
    quoted = [a or b for a, b in re.findall(r"`([^`\n]+)`|'([^'\n]+)'", message)]
    for name in [where] if where else list(texts):
        lines = texts.get(name or "", "").split("\n")
        for text in quoted:
            needle = re.compile(r"#" + re.escape(text) + r"(?![\w:.-])") if \
                message.startswith("Anchor") else re.compile(re.escape(text))
            found = [number for number, line in enumerate(lines, 1) if needle.search(line)]
            if found:
                return name, found[min(1, len(found) - 1)] if "twice" in message else found[0]
    return where, None
