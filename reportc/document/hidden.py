"""Quarto's hidden content: a ``::: {.hidden}`` block or ``[text]{.hidden}`` span (what
Quarto's manual gives for maths macros and notes to self) is in no edition.

Quarto hides ``.hidden`` in every format, and ``.content-hidden`` without a
``when-format``/``unless-format`` condition too; reportc printed both. Conditional content
(``when-format="pdf"``) is kept: reportc's editions share one text.
"""

from __future__ import annotations

from typing import Any

from reportc.document.model import ChapterDoc

_CONDITIONS = {"when-format", "unless-format", "when-profile", "unless-profile",
               "when-meta", "unless-meta"}


def drop_hidden(doc: ChapterDoc) -> None:
    """Every hidden Div and Span of the chapter, content and all, leaves it."""
    if ".hidden" in doc.chapter.text or "content-hidden" in doc.chapter.text:
        doc.ast["blocks"] = _without_hidden(doc.ast["blocks"])


def _hidden(node: Any) -> bool:
    if type(node) is not dict or node.get("t") not in ("Div", "Span"):
        return False
    _, classes, pairs = node["c"][0]
    return "hidden" in classes or ("content-hidden" in classes and
                                   not _CONDITIONS & {key for key, _ in pairs})


def _without_hidden(tree: Any) -> Any:
    if isinstance(tree, list):
        return [_without_hidden(item) for item in tree if not _hidden(item)]
    if isinstance(tree, dict):
        return {key: _without_hidden(value) for key, value in tree.items()}
    return tree

