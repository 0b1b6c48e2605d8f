"""Stage 7b: write the web edition (one HTML page, its assets and its images)."""

from __future__ import annotations

import shutil
from pathlib import Path

from reportc.web.page import Theme

ASSET_DIR = "assets"


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
