"""bookdown's cross-references: ``\\@ref(label)`` as the cross-reference it means.

bookdown writes a reference as ``\\@ref(intro)`` (a chapter or section: its ``{#intro}``
or the identifier pandoc would give its title), ``\\@ref(fig:label)``, ``\\@ref(tab:label)``
or ``\\@ref(eq:label)``, and prints the number alone ("Chapter \\@ref(intro)" reads
"Chapter 1"). pandoc reads it as the text "@ref(intro)", which would print as it is: each
becomes the number-only cross-reference ``[-@sec-intro]`` (``fig:x`` -> ``fig-x``,
``tab:x`` -> ``tbl-x``), and the headings it names take the ``sec-`` identifier reportc
numbers, in every chapter.
"""

from __future__ import annotations

import re
from typing import Any

from reportc.document.model import ChapterDoc
from reportc.document.raw import quarto_id
from reportc.pandoc import ast as A

_REF = re.compile(r"@ref\(([^()\s]+)\)")


def bookdown_refs(docs: list[ChapterDoc]) -> None:
    """Every ``\\@ref(label)`` of the report as a cross-reference (see the module)."""
    labels: set[str] = set()
    for doc in docs:
        if "@ref(" in doc.chapter.text:
            doc.ast["blocks"] = A.map_inline_lists(
                doc.ast["blocks"], lambda items: _references(items, labels))
    sections = {label for label in labels if ":" not in label}
    for doc in docs if sections else []:
        for node in A.iter_nodes(doc.ast["blocks"]):
            if node["t"] == "Header":
                identifier = node["c"][1][0] or _auto_identifier(node["c"][2])
                if identifier in sections:
                    node["c"][1][0] = f"sec-{identifier}"


def _references(items: list[Any], labels: set[str]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if type(item) is dict and item.get("t") == "Str" and "@ref(" in item["c"]:
            out.extend(_split(item["c"], labels))
        else:
            out.append(item)
    return out


def _split(text: str, labels: set[str]) -> list[Any]:
    """``text`` with each ``@ref(label)`` as a number-only citation of its target."""
    parts: list[Any] = []
    last = 0
    for match in _REF.finditer(text):
        if match.start() > last:
            parts.append({"t": "Str", "c": text[last:match.start()]})
        label = match.group(1)
        labels.add(label)
        key = quarto_id(label) if ":" in label else f"sec-{label}"
        citation = {"citationId": key, "citationPrefix": [], "citationSuffix": [],
                    "citationMode": {"t": "SuppressAuthor"}, "citationNoteNum": 0,
                    "citationHash": 0}
        parts.append({"t": "Cite", "c": [[citation], [{"t": "Str", "c": f"[-@{key}]"}]]})
        last = match.end()
    if last < len(text):
        parts.append({"t": "Str", "c": text[last:]})
    return parts


def _auto_identifier(title: list[Any]) -> str:
    """The identifier pandoc's ``auto_identifiers`` gives a heading (bookdown's default)."""
    text = A.stringify(title).lower()
    text = re.sub(r"[^\w\s.-]", "", text)
    text = re.sub(r"\s+", "-", text.strip())
    return text.lstrip("0123456789.-_") or "section"
