"""The EPUB 3 edition: for e-readers and for readers who use assistive technology.

Written from the chapters' HTML as the citing stage rendered it for the web edition (the
same citations, notes and bibliography: citeproc runs once per build), without a pandoc
run of its own: :mod:`reportc.epub.xhtml` makes each chapter an XHTML file with its notes
as EPUB footnotes and MathML as the web page has it, :mod:`reportc.epub.nav` the
navigation document, :mod:`reportc.epub.pages` the page list of the PDF edition and its
page-break markers, :mod:`reportc.epub.metadata` the package document with the
accessibility metadata of EPUB Accessibility 1.1, and :mod:`reportc.epub.package` the zip
with fixed dates. The PDF edition is built with it: the page list and the cover picture
come from the PDF.

Cached as a whole: the key covers the chapters' HTML, the bibliography, the metadata, the
theme, the images, the page map and the cover.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
from pathlib import Path

from reportc.cache import digest, file_digest, tool_versions
from reportc.editions.base import Edition, Made
from reportc.editions.theme import DEFAULT_THEME, Theme
from reportc.progress import StageTimer
from reportc.project.config import ReportConfig

EPUB_STYLESHEET = "css/epub.css"


class EpubEdition(Edition):
    """``<stem>.epub``: EPUB 3, checked by EPUBCheck and DAISY Ace in the tests."""

    name = "epub"
    shows = "epub"
    requires = ("pdf",)

    def outputs(self, made: Made) -> list[str]:
        return [made.stem + ".epub"]

    def inputs(self, config: ReportConfig, theme: Theme) -> list[Path]:
        """The default theme's EPUB stylesheet when the theme has none."""
        return [stylesheet(theme)]

    def key(self, made: Made) -> str:
        files = [*made.theme.files(), stylesheet(made.theme),
                 *(made.config.root / i for i in made.images)]
        cover = made.products.get("cover")
        return digest(tool_versions(), _described(made),
                      *(str(part.html) for part in made.context.parts),
                      str(made.context.bibliography), *(file_digest(p) for p in files),
                      json.dumps(made.products.get("pages") or {}, sort_keys=True),
                      cover.read_bytes() if cover else b"", made.stem)

    def write(self, made: Made, folder: Path) -> None:
        from reportc.epub.media import licensed_fonts  # lxml: not on a no-change rebuild
        from reportc.epub.package import BookStyle, make_book

        timer, target = StageTimer(), folder / self.outputs(made)[0]
        css = stylesheet(made.theme)
        style = BookStyle(css, made.theme.root if css.is_relative_to(made.theme.root)
                          else DEFAULT_THEME, licensed_fonts(made.theme))
        try:
            book = make_book(made, style, modified(made))
        except OSError as exc:  # a figure or font that cannot be read
            made.diag.error(f"{target.name}: {exc.filename or ''}: {exc.strerror or exc}")
            return
        target.write_bytes(book)
        timer.done(f"EPUB: {target.name} ({len(book) // 1024} KB)")


def _described(made: Made) -> str:
    """What the metadata, the title page and the status banner say, as one text."""
    config, record, release = made.config, made.context.matter.record, made.release
    return json.dumps([
        config.title, config.subtitle, [a.name for a in config.authors], config.lang,
        config.organisation, config.keywords, config.description, config.display_date,
        str(config.date), config.references_title, config.slug, config.version,
        config.publisher.doi, config.publisher.isbn, record.rights if record else "",
        record.description if record else "", release.stamp, release.watermark,
        release.watermark_detail, release.date.isoformat(), modified(made).isoformat()])


def stylesheet(theme: Theme) -> Path:
    """The theme's EPUB stylesheet, or the default theme's."""
    own = theme.root / EPUB_STYLESHEET
    return own if own.is_file() else DEFAULT_THEME / EPUB_STYLESHEET


def modified(made: Made) -> dt.datetime:
    """When the book was last modified, for its metadata: SOURCE_DATE_EPOCH, else the
    release date (never the clock: the same report gives the same bytes)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else \
        calendar.timegm(made.release.date.timetuple())
    return dt.datetime.fromtimestamp(seconds, dt.UTC)
