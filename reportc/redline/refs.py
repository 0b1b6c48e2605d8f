"""What deleted text may still refer to: cross-references and bibliography entries.

Cross-references in deleted text whose target is gone become plain text, and
bibliography entries that only deleted citations need are carried over from the old
version.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import bibtexparser

from reportc.document.xrefs import XREF_PREFIXES
from reportc.pandoc import ast as A
from reportc.project.config import ReportConfig


def ids_in(tree: Any) -> set[str]:
    found = set()
    for node in A.iter_nodes(tree):
        content = node.get("c", [])
        if node["t"] in ("Header",) and content[1][0]:
            found.add(content[1][0])
        elif node["t"] in ("Figure", "Table", "Div", "Span") and content[0][0]:
            found.add(content[0][0])
    return found



def settle_deleted_xrefs(blocks: list, targets: set[str]) -> list:
    """In deleted text, a cross-reference to something gone becomes its plain text."""
    def fix(items: list) -> list:
        return [_plain_xref(item, targets) for item in items]

    return [_walk_deleted(block, fix) for block in blocks]


def _walk_deleted(tree: Any, fix: Callable[[list[Any]], Any], inside: bool = False) -> Any:
    if isinstance(tree, list):
        items = [_walk_deleted(item, fix, inside) for item in tree]
        return fix(items) if inside else items
    if isinstance(tree, dict) and "t" in tree and "c" in tree:
        deleted = inside or (tree["t"] in ("Span", "Div") and "del" in tree["c"][0][1])
        return {"t": tree["t"], "c": _walk_deleted(tree["c"], fix, deleted)}
    return tree


def _plain_xref(node: Any, targets: set[str]) -> Any:
    if not (isinstance(node, dict) and node.get("t") == "Cite"):
        return node
    ids = [c["citationId"] for c in node["c"][0]]
    if all(i.startswith(XREF_PREFIXES) for i in ids) and not all(i in targets for i in ids):
        return {"t": "Str", "c": A.stringify(node["c"][1])}
    return node


def _cited_keys(asts: dict[str, dict]) -> set[str]:
    return {c["citationId"] for ast in asts.values() for node in A.iter_nodes(ast["blocks"])
            if node["t"] == "Cite" for c in node["c"][0]
            if not c["citationId"].startswith(XREF_PREFIXES)}


def _bib_entries(path: Path | None) -> dict[str, str]:
    if path is None or not path.is_file():
        return {}
    library = bibtexparser.parse_string(path.read_text(encoding="utf-8"), parse_stack=[])
    return {entry.key: entry.raw or "" for entry in library.entries}


def merge_bibliographies(old: ReportConfig, new: ReportConfig, merged: Path,
                          asts: dict[str, dict]) -> str:
    """Add the old entries that deleted citations need; describe how the sources changed."""
    old_entries, new_entries = _bib_entries(old.bibliography), _bib_entries(new.bibliography)
    needed = sorted((_cited_keys(asts) - set(new_entries)) & set(old_entries))
    if needed and new.bibliography is not None:
        target = merged / new.bibliography.relative_to(new.root.resolve())
        extra = "\n\n".join(old_entries[key] for key in needed)
        target.write_text(target.read_text(encoding="utf-8").rstrip() + "\n\n" + extra + "\n",
                          encoding="utf-8")
    added = len(set(new_entries) - set(old_entries))
    removed = len(set(old_entries) - set(new_entries))
    changed = sum(1 for key in set(old_entries) & set(new_entries)
                  if _normal(old_entries[key]) != _normal(new_entries[key]))
    return f"{added} added, {removed} removed, {changed} changed"


def _normal(text: str) -> str:
    return " ".join(text.split())
