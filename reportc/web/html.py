"""Stage 7b: write the web edition (one HTML page, its assets and its images), or with
``--self-contained`` one file with everything inlined."""

from __future__ import annotations

import shutil
from pathlib import Path

from reportc.cache import BuildCache
from reportc.charts.inline import inline_charts
from reportc.editions.base import Edition, Made
from reportc.editions.page import render_page
from reportc.editions.theme import Theme
from reportc.web.background import FontsInBackground
from reportc.web.fonts import WebFonts, web_fonts, woff2_name, woff2_stylesheet
from reportc.web.standalone import self_contained

ASSET_DIR = "assets"
WEB_STYLESHEETS = ["css/base.css", "css/screen.css"]


class HtmlEdition(Edition):
    """The accessible web page: ``<stem>.html`` with its stylesheets, fonts and images."""

    name = "html"
    shows = "html"

    def outputs(self, made: Made) -> list[str]:
        page = made.stem + ".html"
        if made.self_contained:
            return [page]
        theme = made.theme
        return [page, *(f"{ASSET_DIR}/{sheet}" for sheet in WEB_STYLESHEETS),
                *(f"{ASSET_DIR}/fonts/{woff2_name(font)}" for font in theme.fonts),
                *made.images]

    def write(self, made: Made, folder: Path) -> WebFontFiles | None:
        """The page; its fonts are made in the background (:class:`WebFontFiles`) unless
        the page inlines them."""
        context = made.context
        context.edition, context.stylesheets = "web", WEB_STYLESHEETS
        page = inline_charts(render_page(made.theme, context))  # the PDF keeps <img>
        name = made.stem + ".html"
        if made.self_contained:
            subsets = web_fonts(made.theme.fonts, page + _stylesheets_text(made.theme),
                                made.cache, made.jobs)
            fonts = {font.resolve(): data
                     for font, data in zip(made.theme.fonts, subsets, strict=True)}
            page = self_contained(page, made.theme, made.config.root, fonts)
            (folder / name).write_text(page, encoding="utf-8")
            return None
        return write_html_edition(folder, name, page, made.theme, WEB_STYLESHEETS,
                                  made.images, made.config.root, made.cache, made.jobs)


def write_html_edition(folder: Path, name: str, page: str, theme: Theme,
                       stylesheets: list[str], images: list[str], root: Path,
                       cache: BuildCache, jobs: int = 1) -> WebFontFiles:
    """Write ``name`` and everything it links to into ``folder``: the stylesheets point at
    the theme's fonts as WOFF2, subset to the blocks of the characters of the page and
    the stylesheets (their ``content:`` strings). The fonts are begun here and written by
    the returned :class:`WebFontFiles`."""
    (folder / name).write_text(page, encoding="utf-8")
    sheets = {sheet: (theme.root / sheet).read_bytes().decode("utf-8")
              for sheet in stylesheets}
    for sheet, css in sheets.items():
        target = folder / ASSET_DIR / sheet
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(woff2_stylesheet(css).encode("utf-8"))
    for image in images:
        _copy(root / image, folder / image)
    fonts = WebFonts(theme.fonts, page + "".join(sheets.values()), cache)
    return WebFontFiles(folder, fonts, FontsInBackground(fonts, jobs), jobs)


class WebFontFiles:
    """The page's fonts, made in the background while the other editions are written
    (:mod:`reportc.web.background`), written into the folder by :meth:`finish`."""

    def __init__(self, folder: Path, fonts: WebFonts, background: FontsInBackground,
                 jobs: int) -> None:
        self._folder, self._fonts, self._background, self._jobs = folder, fonts, background, jobs

    def finish(self) -> None:
        for font, data in zip(self._fonts.fonts, self._background.result(self._jobs),
                              strict=True):
            target = self._folder / ASSET_DIR / "fonts" / woff2_name(font)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    def close(self) -> None:
        self._background.close()


def _stylesheets_text(theme: Theme) -> str:
    """The web stylesheets' text: their ``content:`` strings need glyphs too."""
    return "".join((theme.root / sheet).read_bytes().decode("utf-8")
                   for sheet in WEB_STYLESHEETS)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
