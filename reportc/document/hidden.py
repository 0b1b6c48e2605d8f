"""Quarto's hidden content: a ``::: {.hidden}`` block or ``[text]{.hidden}`` span (what
Quarto's manual gives for maths macros and notes to self) is in no edition.

Quarto hides ``.hidden`` in every format, and ``.content-hidden`` without a
``when-format``/``unless-format`` condition too; reportc printed both. A condition on
formats reportc never makes (``when-format="ipynb"``, ``"revealjs"``, ``"typst"``) is
decided: ``.content-visible when-format="ipynb"`` is in no edition, ``.content-hidden
when-format="revealjs"`` in every one. A condition naming one of reportc's editions
(``when-format="pdf"``) is kept: they share one text.
"""

from __future__ import annotations

from typing import Any

from reportc.document.model import ChapterDoc

_CONDITIONS = {"when-format", "unless-format", "when-profile", "unless-profile",
               "when-meta", "unless-meta"}
# the formats (and Quarto's aliases) an edition of reportc is: a condition on any other
# format is false in every edition
EDITION_FORMATS = {"html", "html4", "html5", "html:js", "pdf", "latex", "docx", "epub",
                   "epub2", "epub3"}


def drop_hidden(doc: ChapterDoc) -> None:
    """Every hidden Div and Span of the chapter, content and all, leaves it."""
    text = doc.chapter.text  # (a copy of the whole tree: only where such a class is written)
    if ".hidden" in text or "content-hidden" in text or "content-visible" in text:
        doc.ast["blocks"] = _without_hidden(doc.ast["blocks"])


def _hidden(node: Any) -> bool:
    if type(node) is not dict or node.get("t") not in ("Div", "Span", "CodeBlock"):
        return False
    _, classes, pairs = node["c"][0]
    if "hidden" in classes and node["t"] != "CodeBlock":
        return True
    if "content-hidden" not in classes and "content-visible" not in classes:
        return False
    shown = _shown(dict(pairs))
    if shown is None:  # a condition this build cannot decide: kept in every edition
        return "content-hidden" in classes and not _CONDITIONS & {key for key, _ in pairs}
    return shown != ("content-visible" in classes)


def _shown(pairs: dict[str, str]) -> bool | None:
    """Whether a format condition holds in every edition (``True``), in none (``False``),
    or depends on the edition or on what is not a format (``None``)."""
    if (_CONDITIONS - {"when-format", "unless-format"}) & set(pairs):
        return None
    when, unless = _formats(pairs.get("when-format")), _formats(pairs.get("unless-format"))
    if (when and when & EDITION_FORMATS) or (unless and unless & EDITION_FORMATS):
        return None
    if when is not None:
        return False  # only for formats reportc never makes
    return True if unless is not None else None


def _formats(value: str | None) -> set[str] | None:
    return None if value is None else {name.strip() for name in value.split(",")}


def _without_hidden(tree: Any) -> Any:
    if isinstance(tree, list):
        return [_without_hidden(item) for item in tree if not _hidden(item)]
    if isinstance(tree, dict):
        return {key: _without_hidden(value) for key, value in tree.items()}
    return tree

