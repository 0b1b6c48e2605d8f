"""Small helpers for pandoc's JSON AST (``pandoc -t json``).

Only what the build needs: walking, flattening to text and building the few
node types we insert. Nodes are plain dicts ``{"t": Type, "c": contents}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Node = dict[str, Any]
Attr = list[Any]  # [id, [classes], [[key, value], ...]]


def iter_nodes(tree: Any) -> list[Node]:
    """Every AST node below ``tree`` in document order (parents before children), as a
    list made before the caller looks at any: nodes the caller inserts are not visited.

    A recursive function filling one list: two and a half times faster than nested
    generators, whose every node climbs back up through each level of the chapter."""
    nodes: list[Node] = []
    _collect(tree, nodes)
    return nodes


def _collect(tree: Any, nodes: list[Node]) -> None:
    values: Iterable[Any]
    if type(tree) is dict:
        if "t" in tree:
            nodes.append(tree)
        values = tree.values()
    elif type(tree) is list:
        values = tree
    else:
        return
    for value in values:
        if type(value) is dict or type(value) is list:
            _collect(value, nodes)


def map_inline_lists(tree: Any, fn: Callable[[list[Any]], list[Any]]) -> Any:
    """Apply ``fn`` to every list (bottom-up), letting it splice replacements in.

    Changes ``tree`` in place (and returns it): copying every node of a chapter made this
    the costliest Python step of a build."""
    if type(tree) is dict:
        for key, value in tree.items():
            if type(value) is dict or type(value) is list:
                tree[key] = map_inline_lists(value, fn)
        return tree
    if type(tree) is list:
        for index, item in enumerate(tree):
            if type(item) is dict or type(item) is list:
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
    kind, content = tree.get("t"), tree.get("c", [])
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
