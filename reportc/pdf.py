"""Stage 7a: lay out the print HTML with WeasyPrint and write the PDF.

WeasyPrint reports problems through its logger; this stage listens to it so
that a missing glyph or a refused resource becomes a build error naming what
went wrong, instead of a line on stderr nobody reads. Resources come only from
the report directory and the theme, through :class:`reportc.fetch.SandboxFetcher`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from .errors import Diagnostics
from .fetch import Refusal, SandboxFetcher

FATAL_LOG_FRAGMENTS = (".notdef glyph", "cannot be loaded", "Failed to load")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _weasyprint_log() -> Iterator[_Collector]:
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    previous, level = logger.propagate, logger.level
    logger.addHandler(collector)
    logger.propagate = False
    logger.setLevel(logging.WARNING)  # the CLI quiets it to ERROR for the console
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.propagate = previous
        logger.setLevel(level)


@dataclass
class LayoutResult:
    """What one WeasyPrint run produced; plain data, so it can cross process boundaries."""

    pdf: bytes | None
    messages: list[tuple[int, str]] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    too_deep: bool = False


def layout_pdf(html: str, base_dir: Path, stylesheets: list[Path], allowed: list[Path],
               identifier: bytes) -> LayoutResult:
    """Lay out ``html`` with WeasyPrint; safe to call in a worker process."""
    fetcher = SandboxFetcher(allowed)
    fonts = FontConfiguration()
    with _weasyprint_log() as log:
        try:
            document = weasyprint.HTML(string=html, base_url=base_dir.as_uri() + "/",
                                       url_fetcher=fetcher)
            sheets = [weasyprint.CSS(filename=str(sheet), url_fetcher=fetcher,
                                     font_config=fonts) for sheet in stylesheets]
            pdf = document.write_pdf(stylesheets=sheets, font_config=fonts,
                                     pdf_identifier=identifier)
        except RecursionError:
            return LayoutResult(None, too_deep=True)
    messages = [(r.levelno, r.getMessage().splitlines()[0]) for r in log.records]
    return LayoutResult(pdf, messages, fetcher.located_refusals(base_dir))


def report_layout(result: LayoutResult, diag: Diagnostics, where: str = "") -> bytes | None:
    """Turn a layout's log and refusals into diagnostics; the PDF only if all is well."""
    if result.too_deep:
        diag.error("WeasyPrint gave up: the document nests too deeply "
                   "(blockquotes or lists inside each other hundreds of times)", where or None)
        return None
    _report_log(result.messages, diag)
    for refusal in result.refused:
        diag.error(refusal.message, refusal.path or where or None, refusal.line)
    return None if diag.errors else result.pdf


def _report_log(messages: list[tuple[int, str]], diag: Diagnostics) -> None:
    for level, message in messages:
        if "refused to load" in message:
            continue  # reported once, from the fetcher
        if level >= logging.ERROR or any(f in message for f in FATAL_LOG_FRAGMENTS):
            diag.error(f"WeasyPrint: {message}")
        else:
            diag.warning(f"WeasyPrint: {message}")
