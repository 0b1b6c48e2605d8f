"""The EPUB 3 edition: for e-readers and for readers who use assistive technology.

pandoc writes the book from the chapter ASTs as the citing stage cited them for the PDF and
the web page (no citeproc run of its own: on a 200-page report that was most of the
EPUB's cost), with notes as EPUB footnotes, MathML, one XHTML file per chapter, the
navigation document with its landmarks; :mod:`reportc.epub.package` then
adds what pandoc does not: the page list of the PDF edition and its page-break markers,
the accessibility metadata of EPUB Accessibility 1.1, and a zip with fixed dates. The
PDF edition is built with it: the page list and the cover picture come from the PDF.

Cached as a whole: the key covers the pandoc document, the theme, the images, the
citation data, the page map and the cover.
"""

from __future__ import annotations

import calendar
import json
import os
import tempfile
from pathlib import Path

from reportc.cache import digest, file_digest, tool_versions
from reportc.citing.render import cite_report
from reportc.document.read import warning_place
from reportc.editions.base import Edition, Made
from reportc.editions.theme import DEFAULT_THEME, Theme
from reportc.epub.document import epub_document, licensed_fonts
from reportc.errors import ToolError
from reportc.pandoc.runner import run_pandoc
from reportc.project.config import ReportConfig

EPUB_STYLESHEET = "css/epub.css"


class EpubEdition(Edition):
    """``<stem>.epub``: EPUB 3, checked by EPUBCheck and DAISY Ace in the tests."""

    name = "epub"
    requires = ("pdf",)

    def outputs(self, made: Made) -> list[str]:
        return [made.stem + ".epub"]

    def inputs(self, config: ReportConfig, theme: Theme) -> list[Path]:
        """The default theme's EPUB stylesheet when the theme has none."""
        return [stylesheet(theme)]

    def key(self, made: Made) -> str:
        document = _document(made)
        files = [*made.theme.files(), stylesheet(made.theme),
                 *(made.config.root / i for i in made.images)]
        files += [p for p in (made.setup.bibliography, made.setup.csl) if p]
        cover = made.products.get("cover")
        return digest(tool_versions(), document, *(file_digest(p) for p in files),
                      json.dumps(made.products.get("pages") or {}, sort_keys=True),
                      cover.read_bytes() if cover else b"", made.release.date.isoformat(),
                      made.stem)  # the page source the metadata names

    def write(self, made: Made, folder: Path) -> None:
        target = folder / self.outputs(made)[0]
        if not _document(made):
            return  # citing failed: reported
        with tempfile.TemporaryDirectory(prefix="reportc-epub-") as scratch:
            raw = Path(scratch) / "pandoc.epub"
            try:
                result = run_pandoc(_pandoc_args(made, raw), _document(made),
                                    what=target.name, env=_dated(made))
            except ToolError as exc:
                made.diag.error(str(exc))
                return
            for warning in result.warnings:  # at the chapter line it is about
                path, line = warning_place(warning, made.docs) or (target.name, None)
                made.diag.warning(f"pandoc (EPUB edition): {warning}", path, line,
                                  code="pandoc")
            from reportc.epub.package import finish_epub  # lxml: not on a no-change rebuild

            target.write_bytes(finish_epub(raw.read_bytes(), made))


def _document(made: Made) -> str:
    """The book's pandoc document (JSON), made once per build: from the cited report the
    citing stage handed over, else (a build whose HTML came from the cache whole) from
    :func:`cite_report`, which finds it in the cache or runs citeproc."""
    if "epub-document" not in made.products:
        cited = made.cited if made.cited and made.cited.references is not None else \
            cite_report(made.docs, made.setup, made.diag, made.cache)
        made.products["epub-document"] = "" if cited is None else \
            epub_document(made, cited)
    return made.products["epub-document"]


def _pandoc_args(made: Made, target: Path) -> list[str]:
    """pandoc's EPUB 3 settings. Without ``--sandbox``, as for Word: the writer reads the
    figures (each checked to lie inside the report), the theme's stylesheet and fonts."""
    args = ["-f", "json", "-t", "epub3", "--mathml",
            "--split-level=1", "--toc", "--toc-depth=2", "--epub-title-page=true",
            f"--css={stylesheet(made.theme)}", f"--resource-path={made.config.root}",
            "-o", str(target)]
    args += [f"--epub-embed-font={font}" for font in licensed_fonts(made.theme)]
    cover = made.products.get("cover")
    return args + ([f"--epub-cover-image={cover}"] if cover else [])


def stylesheet(theme: Theme) -> Path:
    """The theme's EPUB stylesheet, or the default theme's."""
    own = theme.root / EPUB_STYLESHEET
    return own if own.is_file() else DEFAULT_THEME / EPUB_STYLESHEET


def _dated(made: Made) -> dict[str, str]:
    """pandoc dates the book's modification time by SOURCE_DATE_EPOCH (else the clock)."""
    return {"SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH")
            or str(calendar.timegm(made.release.date.timetuple()))}
