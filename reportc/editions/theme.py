"""The theme every edition takes its look from: a folder with the page template, its
stylesheets, its fonts and the Word reference document. The report's own ``templates/``
when it has one, else the default theme that ships inside the package."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from reportc.errors import ConfigError

PAGE_TEMPLATE = "report.html.j2"


def _default_theme() -> Path:
    """The default theme: package data ``reportc.theme`` when reportc is installed (the
    wheel maps the repository's top-level ``templates/`` there), else that folder of the
    source tree this module runs from."""
    try:
        spec = importlib.util.find_spec("reportc.theme")
    except (ImportError, ValueError):
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / PAGE_TEMPLATE).is_file():
            return Path(location).resolve()
    return Path(__file__).resolve().parents[2] / "templates"


DEFAULT_THEME = _default_theme()


@dataclass(frozen=True)
class Theme:
    """A folder with the page template, its stylesheets and fonts."""

    root: Path

    @property
    def fonts(self) -> list[Path]:
        return sorted((self.root / "fonts").glob("*.[ot]tf"))

    def files(self) -> list[Path]:
        """Every file of the theme, in a stable order (they all feed the cache keys)."""
        return sorted(p for p in self.root.rglob("*") if p.is_file())


def find_theme(report_root: Path) -> Theme:
    """The report's own ``templates/`` if it has a page template, else the default theme.
    A ``templates/`` folder with templates or stylesheets but no page template is a
    mistake (a misnamed file, a partial copy): it is reported, not silently replaced."""
    local = report_root / "templates"
    if (local / PAGE_TEMPLATE).is_file():
        return Theme(local.resolve())
    if local.is_dir() and (any(local.glob("*.j2")) or (local / "css").is_dir()):
        raise ConfigError(f"templates/{PAGE_TEMPLATE}: not found; the report's templates/ "
                          "folder is its theme and needs the page template (copy the default "
                          f"theme's from {DEFAULT_THEME}, or remove templates/ to use it)")
    if not (DEFAULT_THEME / PAGE_TEMPLATE).is_file():
        raise ConfigError(f"{DEFAULT_THEME / PAGE_TEMPLATE}: the default theme's page template "
                          "is missing; reinstall reportc")
    return Theme(DEFAULT_THEME)
