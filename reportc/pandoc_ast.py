"""Small helpers for pandoc's JSON AST (``pandoc -t json``).

Only what the build needs: walking, flattening to text and building the few
node types we insert. Nodes are plain dicts ``{"t": Type, "c": contents}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Node = dict[str, Any]
Attr = list[Any]  # [id, [classes], [[key, value], ...]]


def iter_nodes(tree: Any) -> Iterator[Node]:
    """Every AST node below ``tree`` in document order (parents before children)."""
    if isinstance(tree, dict):
        if "t" in tree:
            yield tree
        for value in tree.values():
            yield from iter_nodes(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from iter_nodes(item)


def map_inline_lists(tree: Any, fn: Callable[[list[Any]], list[Any]]) -> Any:
    """Apply ``fn`` to every list (bottom-up), letting it splice replacements in.

    Changes ``tree`` in place (and returns it): copying every node of a chapter made this
    the costliest Python step of a build."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            if isinstance(value, (dict, list)):
                tree[key] = map_inline_lists(value, fn)
        return tree
    if isinstance(tree, list):
        for index, item in enumerate(tree):
            if isinstance(item, (dict, list)):
                tree[index] = map_inline_lists(item, fn)
        return fn(tree)
    return tree


def stringify(tree: Any) -> str:
    """Plain text of inlines or blocks, as a reader would say it."""
    parts: list[str] = []
    _stringify(tree, parts)
    return "".join(parts).strip()


def _stringify(tree: Any, parts: list[str]) -> None:
    if isinstance(tree, list):
        for item in tree:
            _stringify(item, parts)
        return
    if not isinstance(tree, dict):
        return
    kind, content = tree.get("t"), tree.get("c")
    if kind == "Str":
        parts.append(content)
    elif kind in ("Space", "SoftBreak", "LineBreak"):
        parts.append(" ")
    elif kind == "Code":
        parts.append(content[1])
    elif kind == "Quoted":
        opening, closing = ("\u201c", "\u201d") if content[0]["t"] == "DoubleQuote" \
            else ("\u2018", "\u2019")
        parts.append(opening)
        _stringify(content[1], parts)
        parts.append(closing)
    elif kind == "Note":
        return
    elif kind == "Cite" or kind in ("Link", "Image", "Span"):
        _stringify(content[1], parts)
    elif kind == "Math":
        parts.append(content[1])
    elif isinstance(content, list):
        _stringify(content, parts)


def attr(identifier: str = "", classes: list[str] | None = None,
         pairs: list[tuple[str, str]] | None = None) -> Attr:
    return [identifier, classes or [], [list(pair) for pair in pairs or []]]


def text_inlines(text: str) -> list[Node]:
    """Inlines for a plain string (words separated by Space nodes)."""
    inlines: list[Node] = []
    for index, word in enumerate(text.split(" ")):
        if index:
            inlines.append({"t": "Space"})
        if word:
            inlines.append({"t": "Str", "c": word})
    return inlines


def span(inlines: list[Node], classes: list[str],
         pairs: list[tuple[str, str]] | None = None) -> Node:
    return {"t": "Span", "c": [attr("", classes, pairs), inlines]}


def link(inlines: list[Node], target: str, classes: list[str],
         pairs: list[tuple[str, str]] | None = None) -> Node:
    return {"t": "Link", "c": [attr("", classes, pairs), inlines, [target, ""]]}
