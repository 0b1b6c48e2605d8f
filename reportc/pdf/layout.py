"""Stage 7a: lay out the print HTML with WeasyPrint and write the PDF.

WeasyPrint reports problems through its logger; this stage listens to it so
that a missing glyph or a refused resource becomes a build error naming what
went wrong, instead of a line on stderr nobody reads. Resources come only from
the report directory and the theme, through :class:`reportc.sandbox.fetcher.SandboxFetcher`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from reportc.pdf import compat
from reportc.pdf.compat.restamp import restamp
from reportc.pdf.compat.wording import printed_wordings
from reportc.pdf.results import DraftReport, LayoutResult
from reportc.pdf.split import FOLIO_SENTINEL
from reportc.pdf.varioref import settle
from reportc.sandbox.fetcher import SandboxFetcher
from reportc.sandbox.policy import Refusal

# Every PDF is tagged and says it is PDF/UA-1 (XMP pdfuaid:part, /MarkInfo, /Lang,
# DisplayDocTitle, /Tabs /S on each page); reportc.pdf.compat.tags builds the structure tree.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


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


def layout_pdf(html: str, base_dir: Path, stylesheets: list[Path], allowed: list[Path],
               identifier: bytes) -> LayoutResult:
    """Lay out ``html`` with WeasyPrint in one go; safe to call in a worker process."""
    draft = draft_layout(html, base_dir, stylesheets, allowed)
    if draft.document is None:
        return LayoutResult(None, draft.messages, draft.refused, True, draft.theme_messages)
    with _weasyprint_log() as log:
        pdf = draft.document.write_pdf(pdf_identifier=identifier, **PDF_OPTIONS)
    return LayoutResult(pdf, draft.messages + _messages(log),
                        draft.refused + draft.refused_while_drawing(),
                        theme_messages=draft.theme_messages,
                        pages=len(draft.document.pages), anchors=_anchor_pages(draft.document))


@dataclass
class Draft:
    """A laid-out document not yet drawn; lives only in the process that laid it out."""

    document: weasyprint.Document | None
    messages: list[tuple[int, str]]
    refused: list[Refusal]
    theme_messages: list[tuple[int, str]]
    fetcher: SandboxFetcher  # images are fetched again when drawn
    base_dir: Path

    def refused_while_drawing(self) -> list[Refusal]:
        located = self.fetcher.located_refusals(self.base_dir)
        return [r for r in located if r not in self.refused]


def report_draft(draft: Draft) -> DraftReport:
    problems = LayoutResult(None, draft.messages, draft.refused, draft.document is None,
                            draft.theme_messages)
    pages = len(draft.document.pages) if draft.document else 0
    return DraftReport(pages, _anchor_pages(draft.document), problems)


def _anchor_pages(document: weasyprint.Document | None) -> dict[str, int]:
    """Page index (0-based) of every anchor, first occurrence: the PDF's destinations."""
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages if document else []):
        for name in page.anchors:
            anchors.setdefault(name, index)
    return anchors


def draft_layout(html: str, base_dir: Path, stylesheets: list[Path],
                 allowed: list[Path]) -> Draft:
    """Lay out ``html`` (pages and boxes), keeping the document for :func:`finish_draft`."""
    return settle(html, lambda page: _draft(page, base_dir, stylesheets, allowed),
                  lambda draft: _anchor_pages(draft.document),
                  (lambda draft: printed_wordings(draft.document)) if compat.engaged() else None)


def _draft(html: str, base_dir: Path, stylesheets: list[Path], allowed: list[Path]) -> Draft:
    fetcher = SandboxFetcher(allowed)
    theme = _stylesheets(tuple(stylesheets), allowed, base_dir)
    with _weasyprint_log() as log:
        try:
            document = weasyprint.HTML(string=html, base_url=base_dir.as_uri() + "/",
                                       url_fetcher=fetcher).render(stylesheets=theme.sheets,
                                                                   font_config=theme.fonts)
        except RecursionError:
            document = None
    return Draft(document, _messages(log), theme.refused + fetcher.located_refusals(base_dir),
                 theme.messages, fetcher, base_dir)


def finish_draft(draft: Draft, keep: tuple[int, int], first_folio: int,
                 numbers: dict[str, int], identifier: bytes) -> LayoutResult | None:
    """Draw pages ``keep[0]:keep[1]`` with their real numbers (the first has folio
    ``first_folio``); ``None`` if a page reference would change width: lay out again."""
    assert draft.document is not None, "only a laid-out draft is kept to be drawn"
    pages = draft.document.pages[keep[0]:keep[1]]
    if not restamp(pages, FOLIO_SENTINEL, first_folio, numbers):
        return None
    with _weasyprint_log() as log:
        pdf = draft.document.copy(pages).write_pdf(pdf_identifier=identifier, **PDF_OPTIONS)
    return LayoutResult(pdf, _messages(log), draft.refused_while_drawing())


def draft_part(html: str, base_dir: Path, stylesheets: list[Path], allowed: list[Path]
                ) -> tuple[Draft, DraftReport]:
    """Worker side of a part's first step: lay it out and keep it (see reportc.pdf.workers)."""
    draft = draft_layout(html, base_dir, stylesheets, allowed)
    return draft, report_draft(draft)


def finish_part(draft: Draft, order: tuple) -> LayoutResult | None:
    """Worker side of a part's second step: ``order`` is (keep, first_folio, numbers, id)."""
    keep, first_folio, numbers, identifier = order
    return finish_draft(draft, keep, first_folio, numbers, identifier)


def warm_up(stylesheets: list[Path], base_dir: Path, allowed: list[Path], lang: str) -> None:
    """Lay out and draw a few lines in the theme, for nothing but the caches it fills:
    parsed stylesheets, loaded fonts, Pango's font map, cffi's C types. Processes forked
    afterwards inherit them instead of paying for them on their first part."""
    html = (f'<html lang="{escape(lang)}"><body><main><section class="part">'
            "<h1>Warm-up</h1><p>Text, <em>emphasis</em>, <strong>strong</strong> and a "
            'note.<span class="fn-body">A note.</span></p></section></main></body></html>')
    with contextlib.suppress(Exception):  # only a head start: the real layout reports
        draft = draft_layout(html, base_dir, stylesheets, allowed)
        if draft.document is not None:
            with _weasyprint_log():
                draft.document.write_pdf(**PDF_OPTIONS)
    load_hyphenation(lang)


def load_hyphenation(lang: str) -> None:
    """Load the language's hyphenation patterns now (0.1 s CPU). WeasyPrint loads them
    for the first word it tries to break, which the warm-up's short lines never need, so
    every forked worker loaded them again on its first part; pyphen keeps them per
    process once loaded."""
    import pyphen

    fallback = pyphen.language_fallback(lang)  # as WeasyPrint asks for them
    if fallback:
        pyphen.Pyphen(lang=fallback)


@dataclass
class _Theme:
    fonts: FontConfiguration
    sheets: list[weasyprint.CSS]
    messages: list[tuple[int, str]]  # what parsing them logged, repeated for every layout
    refused: list[Refusal]


_THEMES: dict[tuple, _Theme] = {}


def _stylesheets(paths: tuple[Path, ...], allowed: list[Path], base_dir: Path) -> _Theme:
    """Parsed stylesheets and their fonts, once per process while the theme's files (the
    stylesheets' folder and below, fonts included) stay the same."""
    theme_files = sorted({f for p in paths for f in p.parent.parent.rglob("*") if f.is_file()})
    key = (tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in [*paths, *theme_files]),
           tuple(map(str, allowed)), str(base_dir))
    if key not in _THEMES:
        fetcher, fonts = SandboxFetcher(allowed), FontConfiguration()
        with _weasyprint_log() as log:
            sheets = [weasyprint.CSS(filename=str(p), url_fetcher=fetcher, font_config=fonts)
                      for p in paths]
        _THEMES.clear()  # one theme per build: keep only the latest
        _THEMES[key] = _Theme(fonts, sheets, _messages(log), fetcher.located_refusals(base_dir))
    return _THEMES[key]


def _messages(log: _Collector) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage().splitlines()[0]) for r in log.records]
