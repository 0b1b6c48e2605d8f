"""Every WeasyPrint and pydyf internal reportc uses, looked up in one guarded place.

:func:`resolve` checks the versions first, then imports each private module and looks
each private name up (``getattr`` inside ``try``): a renamed function in another
WeasyPrint is a reason to fall back, never an ``ImportError`` at ``import reportc``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

PINNED = {"weasyprint": "70.0", "pydyf": "0.13.0"}

# field of Internals -> (module, dotted name in it; "" for the module itself)
_NAMES = {
    "boxes": ("weasyprint.formatting_structure.boxes", ""),
    "box_build": ("weasyprint.formatting_structure.build", ""),
    "LayoutContext": ("weasyprint.layout", "LayoutContext"),
    "block_layout": ("weasyprint.layout.block", ""),
    "inline_layout": ("weasyprint.layout.inline", ""),
    "page_layout": ("weasyprint.layout.page", ""),
    "block_level_layout": ("weasyprint.layout.block", "block_level_layout"),
    "leader_index": ("weasyprint.layout.leader", "leader_index"),
    "Layout": ("weasyprint.text.line_break", "Layout"),
    "line_size": ("weasyprint.text.line_break", "line_size"),
    "pydyf": ("pydyf", ""),
    "RasterImage": ("weasyprint.images", "RasterImage"),
    "pdf_fonts": ("weasyprint.pdf.fonts", ""),
    "gather_anchors": ("weasyprint.anchors", "gather_anchors"),
}
# What the patches replace and the boxes' members they read must exist as well.
_REQUIRED = [
    ("weasyprint.layout", "LayoutContext._update_footnote_area"),
    ("weasyprint.layout", "LayoutContext.layout_footnote"),
    ("weasyprint.layout", "LayoutContext.report_footnote"),
    ("weasyprint.layout.page", "make_page"),
    ("weasyprint.layout.page", "remake_page"),
    ("weasyprint.formatting_structure.build", "compute_content_list"),
    ("weasyprint.css.targets", "TargetCollector.lookup_target"),
    ("weasyprint.layout.page", "block_level_layout"),
    ("weasyprint.layout.inline", "handle_leader"),
    ("weasyprint.layout.block", "_linebox_layout"),
    ("weasyprint.formatting_structure.build", "create_anonymous_boxes"),
    ("weasyprint.formatting_structure.boxes", "FootnoteAreaBox"),
    ("weasyprint.formatting_structure.boxes", "MarginBox"),
    ("weasyprint.formatting_structure.boxes", "LineBox"),
    ("weasyprint.formatting_structure.boxes", "TextBox"),
    ("weasyprint.formatting_structure.boxes", "BlockContainerBox"),
    ("pydyf", "zlib"),
    ("weasyprint.images", "RasterImage.__init__"),
    ("weasyprint.pdf.fonts", "ffi"),
]


@dataclass(frozen=True)
class Internals:
    """The private modules and names, as found in the installed WeasyPrint and pydyf."""

    boxes: ModuleType
    box_build: ModuleType
    LayoutContext: type
    block_layout: ModuleType
    inline_layout: ModuleType
    page_layout: ModuleType
    block_level_layout: Callable[..., Any]
    leader_index: Callable[..., Any]
    Layout: type
    line_size: Callable[..., Any]
    pydyf: ModuleType
    RasterImage: type
    pdf_fonts: ModuleType
    gather_anchors: Callable[..., Any]


def installed_versions() -> dict[str, str]:
    """The versions of WeasyPrint and pydyf, from their public ``__version__``."""
    versions = {}
    for name in PINNED:
        try:
            versions[name] = str(importlib.import_module(name).__version__)
        except (ImportError, AttributeError):
            versions[name] = "unknown"
    return versions


def resolve() -> tuple[Internals | None, str]:
    """The internals, or ``None`` and why they cannot be used."""
    versions = installed_versions()
    wrong = [f"{name} {versions[name]} (pinned: {PINNED[name]})"
             for name in PINNED if versions[name] != PINNED[name]]
    if wrong:
        return None, "not the pinned version: " + ", ".join(wrong)
    try:
        found = {field: _lookup(module, name) for field, (module, name) in _NAMES.items()}
        for module, name in _REQUIRED:
            _lookup(module, name)
        page_init = _lookup("weasyprint", "Page.__init__")
        if "_page_box" not in page_init.__code__.co_names:  # restamp reads page._page_box
            raise AttributeError("weasyprint.Page has no _page_box")
    except Exception as exc:  # any failure here means "do not patch"
        return None, f"a WeasyPrint/pydyf internal is missing ({type(exc).__name__}: {exc})"
    return Internals(**found), ""


def _lookup(module: str, dotted: str) -> Any:
    found: Any = importlib.import_module(module)
    for name in filter(None, dotted.split(".")):
        found = getattr(found, name)
    return found
