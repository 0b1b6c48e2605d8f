"""Stage 7b: write the web edition (one HTML page, its assets and its images), or with
``--self-contained`` one file with everything inlined."""

from __future__ import annotations

import shutil
from pathlib import Path

from reportc.editions.base import Edition, Made
from reportc.editions.theme import Theme
from reportc.web.page import render_page
from reportc.web.standalone import self_contained

ASSET_DIR = "assets"
WEB_STYLESHEETS = ["css/base.css", "css/screen.css"]


class HtmlEdition(Edition):
    """The accessible web page: ``<stem>.html`` with its stylesheets, fonts and images."""

    name = "html"

    def outputs(self, made: Made) -> list[str]:
        page = made.stem + ".html"
        if made.self_contained:
            return [page]
        theme = made.theme
        return [page, *(f"{ASSET_DIR}/{sheet}" for sheet in WEB_STYLESHEETS),
                *(f"{ASSET_DIR}/fonts/{font.name}" for font in theme.fonts), *made.images]

    def write(self, made: Made, folder: Path) -> None:
        context = made.context
        context.edition, context.stylesheets = "web", WEB_STYLESHEETS
        page = render_page(made.theme, context)
        name = made.stem + ".html"
        if made.self_contained:
            page = self_contained(page, made.theme, made.config.root)
            (folder / name).write_text(page, encoding="utf-8")
        else:
            write_html_edition(folder, name, page, made.theme, WEB_STYLESHEETS, made.images,
                               made.config.root)


def write_html_edition(folder: Path, name: str, page: str, theme: Theme,
                       stylesheets: list[str], images: list[str], root: Path) -> None:
    """Write ``name`` and everything it links to into ``folder``."""
    (folder / name).write_text(page, encoding="utf-8")
    for sheet in stylesheets:
        _copy(theme.root / sheet, folder / ASSET_DIR / sheet)
    for font in theme.fonts:
        _copy(font, folder / ASSET_DIR / "fonts" / font.name)
    for image in images:
        _copy(root / image, folder / image)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
