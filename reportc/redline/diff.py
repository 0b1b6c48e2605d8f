"""Word-level diff of two pandoc ASTs: blocks are paired, then diffed word by word.

Working on the AST rather than on Markdown text keeps citations, notes, links and
``:::`` boxes intact: a word token is one inline node (with its following space), so
``[@key]`` or a whole footnote is never split. Changes become pandoc spans,
``[inserted]{.ins}`` and ``[deleted]{.del}``; a whole inserted or deleted table, figure
or box gets a ``.ins``/``.del`` div. Deleted headings are unnumbered and lose their ids,
deleted figures and tables lose their captions (kept as struck-through text), so
numbering follows the new version.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from reportc.pandoc import ast as A

INLINE_TYPES = {"Str", "Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript",
                "SmallCaps", "Quoted", "Cite", "Code", "Space", "SoftBreak", "LineBreak", "Math",
                "RawInline", "Link", "Image", "Note", "Span"}
BLOCK_TYPES = {"Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote",
               "OrderedList", "BulletList", "DefinitionList", "Header", "HorizontalRule",
               "Table", "Figure", "Div"}
WHITESPACE = {"Space", "SoftBreak"}
SIMILAR = 0.4  # paragraphs less alike than this are shown as deleted + inserted, not merged
FAIL = object()  # "these two nodes cannot be merged"


@dataclass
class Counts:
    """Words inserted and deleted."""

    ins: int = 0
    dele: int = 0

    def add(self, cls: str, words: int) -> None:
        if cls == "ins":
            self.ins += words
        else:
            self.dele += words

    def merge(self, other: Counts) -> None:
        self.ins += other.ins
        self.dele += other.dele


_CITATION_COUNTERS = re.compile(r'"citation(?:Hash|NoteNum)":-?\d+,?')


def node_key(node: Any) -> str:
    """Identity for diffing; citation counters (which shift when an earlier citation is
    added or removed) do not count."""
    text = json.dumps(node, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _CITATION_COUNTERS.sub("", text)


def _list_kind(items: list) -> str | None:
    if not items or not all(isinstance(i, dict) and "t" in i for i in items):
        return None
    types = {i["t"] for i in items}
    if types <= INLINE_TYPES:
        return "inline"
    if types <= BLOCK_TYPES:
        return "block"
    return None


def _words(nodes: list) -> int:
    """Words in ``nodes`` (outside notes, which count where they are marked)."""
    count = 0
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict) and "t" in node:
            if node["t"] == "Str":
                count += any(ch.isalnum() for ch in node["c"])  # punctuation is no word
            elif node["t"] == "Cite":
                count += 1  # a citation is one word, whatever its rendering
            elif node["t"] in ("Code", "Math"):
                count += len(node["c"][1].split()) or 1
            elif node["t"] != "Note" and isinstance(node.get("c"), list):
                stack.extend(node["c"])
    return count


def _groups(inlines: list) -> list[list]:
    """Word tokens: each non-space inline with the spaces that follow it."""
    groups: list[list] = []
    for node in inlines:
        if node["t"] in WHITESPACE and groups and groups[-1][0]["t"] not in WHITESPACE:
            groups[-1].append(node)
        else:
            groups.append([node])
    return groups


def _group_key(group: list) -> str:
    """A word's identity; the space after it does not count (re-wrapped text is unchanged)."""
    return "" if group[0]["t"] in WHITESPACE else node_key(group[0])


def _flat(groups: list[list]) -> list:
    return [node for group in groups for node in group]


def diff_inlines(old: list, new: list, counts: Counts) -> list:
    """``new`` with the words deleted from ``old`` and inserted into ``new`` marked."""
    a, b = _groups(old), _groups(new)
    out: list = []
    for tag, i1, i2, j1, j2 in _opcodes(a, b, _group_key):
        if tag != "equal" and out and out[-1]["t"] not in WHITESPACE and i1 > 0 \
                and a[i1 - 1][-1]["t"] in WHITESPACE:
            out.append({"t": "Space"})  # the old text had a space here
        if tag == "equal":
            out += _flat(b[j1:j2])
        elif tag == "delete":
            out += mark_inlines(_flat(a[i1:i2]), "del", counts)
        elif tag == "insert":
            out += mark_inlines(_flat(b[j1:j2]), "ins", counts)
        else:
            out += _replace_inlines(a[i1:i2], b[j1:j2], counts)
    return out


def _replace_inlines(a: list[list], b: list[list], counts: Counts) -> list:
    """Replaced words: containers of the same kind (emphasis, notes, links) are diffed
    inside; other words become one deleted run followed by one inserted run."""
    out: list = []
    pending_del: list = []
    pending_ins: list = []

    def flush() -> None:
        out.extend(_del_then_ins(pending_del, pending_ins, counts))
        pending_del.clear()
        pending_ins.clear()

    if len(a) == len(b):
        for old, new in zip(a, b, strict=True):
            merged = FAIL
            if old[0]["t"] == new[0]["t"] and old[0]["t"] not in ("Str", "Cite"):
                local = Counts()
                merged = _merge(old[0], new[0], local)
                if merged is not FAIL:
                    flush()
                    counts.merge(local)
                    out.append(merged)
                    out.extend(new[1:])
            if merged is FAIL:
                pending_del.extend(old)
                pending_ins.extend(new)
    else:
        pending_del.extend(_flat(a))
        pending_ins.extend(_flat(b))
    flush()
    return out


def _del_then_ins(deleted: list, inserted: list, counts: Counts) -> list:
    if not deleted:
        return mark_inlines(inserted, "ins", counts)
    if not inserted:
        return mark_inlines(deleted, "del", counts)
    marked = mark_inlines(deleted, "del", counts)
    gap = [] if marked[-1]["t"] in WHITESPACE else [{"t": "Space"}]
    return [*marked, *gap, *mark_inlines(inserted, "ins", counts)]


def mark_inlines(inlines: list, cls: str, counts: Counts) -> list:
    """Wrap ``inlines`` in a ``.ins``/``.del`` span (surrounding spaces stay outside)."""
    start, end = 0, len(inlines)
    while start < end and inlines[start]["t"] in WHITESPACE:
        start += 1
    while end > start and inlines[end - 1]["t"] in WHITESPACE:
        end -= 1
    core = inlines[start:end]
    if not core:
        return list(inlines)
    counts.add(cls, _words(core))
    core = [_mark_note(node, cls, counts) if node["t"] == "Note" else node for node in core]
    return [*inlines[:start], A.span(core, [cls]), *inlines[end:]]


def _mark_note(note: dict, cls: str, counts: Counts) -> dict:
    """A note's text is laid out away from its call (page foot, pop-up): mark it too."""
    return {"t": "Note", "c": mark_blocks(note["c"], cls, counts, bar=False)}


def mark_blocks(blocks: list, cls: str, counts: Counts, bar: bool) -> list:
    out: list = []
    for block in blocks:
        out += mark_block(block, cls, counts, bar)
    return out


def mark_block(block: dict, cls: str, counts: Counts, bar: bool = True) -> list:
    """A whole block inserted or deleted."""
    kind = block["t"]
    if kind in ("Para", "Plain"):
        return [{"t": kind, "c": mark_inlines(block["c"], cls, counts)}]
    if kind == "Header":
        level, attr, inlines = block["c"]
        marked = mark_inlines(inlines, cls, counts)
        if cls == "ins":
            return [{"t": "Header", "c": [level, attr, marked]}]
        if level == 1:  # a chapter has one title: a deleted one is a struck-through line
            return [{"t": "Para", "c": marked}]
        return [{"t": "Header", "c": [level, ["", [*attr[1], "unnumbered"], attr[2]], marked]}]
    inner = _mark_inside(block, cls, counts)
    blocks = _uncaption(inner) if cls == "del" else [inner]
    return [{"t": "Div", "c": [A.attr("", [cls]), blocks]}] if bar else blocks


def _mark_inside(tree: Any, cls: str, counts: Counts) -> Any:
    """Mark every run of text inside a container block; deleted ids are dropped."""
    if isinstance(tree, list):
        kind = _list_kind(tree)
        if kind == "inline":
            return mark_inlines(tree, cls, counts)
        if kind == "block":
            return mark_blocks(tree, cls, counts, bar=False)
        return [_mark_inside(item, cls, counts) for item in tree]
    if isinstance(tree, dict) and "t" in tree and "c" in tree:
        content = _mark_inside(tree["c"], cls, counts)
        if cls == "del" and tree["t"] in ("Div", "Figure", "Table") and content[0][0]:
            content[0] = ["", content[0][1], content[0][2]]
        return {"t": tree["t"], "c": content}
    return tree


def _uncaption(block: dict) -> list:
    """A deleted figure or table loses its caption (kept as text) so it is not numbered."""
    if block["t"] not in ("Figure", "Table"):
        return [block]
    content = list(block["c"])
    caption_blocks = content[1][1]
    content[1] = [None, []]
    text = [{"t": "Para", "c": b["c"]} if b["t"] == "Plain" else b for b in caption_blocks]
    return [{"t": block["t"], "c": content}, *text]


def _opcodes(old: list, new: list, key: Callable[[Any], str]
             ) -> Sequence[tuple[str, int, int, int, int]]:
    """How ``new`` differs from ``old``, item by item as ``key`` sees them (difflib)."""
    matcher = SequenceMatcher(None, [key(x) for x in old], [key(x) for x in new],
                              autojunk=False)
    return matcher.get_opcodes()


def diff_blocks(old: list, new: list, counts: Counts) -> list:
    """``new`` with blocks deleted from ``old`` kept (marked) and changed blocks diffed."""
    out: list = []
    for tag, i1, i2, j1, j2 in _opcodes(old, new, node_key):
        if tag == "equal":
            out += new[j1:j2]
        elif tag == "delete":
            out += mark_blocks(old[i1:i2], "del", counts, bar=True)
        elif tag == "insert":
            out += mark_blocks(new[j1:j2], "ins", counts, bar=True)
        else:
            out += _replace_blocks(old[i1:i2], new[j1:j2], counts)
    return out


def _replace_blocks(old: list, new: list, counts: Counts) -> list:
    """Pair each old block with the next new block it resembles; the rest are del/ins."""
    out: list = []
    j = 0
    # One short block for another (a table cell, a tight list item): diff it in place.
    one_for_one = len(old) == len(new) == 1 and old[0]["t"] == new[0]["t"] != "Para"
    for block in old:
        match = 0 if one_for_one else next(
            (k for k in range(j, len(new)) if _pairs(block, new[k])), None)
        if match is None:
            out += mark_block(block, "del", counts)
            continue
        out += mark_blocks(new[j:match], "ins", counts, bar=True)
        local = Counts()
        merged = _merge(block, new[match], local)
        if merged is FAIL:
            out += mark_block(block, "del", counts) + mark_block(new[match], "ins", counts)
        else:
            counts.merge(local)
            out.append(merged)
        j = match + 1
    out += mark_blocks(new[j:], "ins", counts, bar=True)
    return out


def _pairs(old: dict, new: dict) -> bool:
    """Whether ``new`` is a revision of ``old`` (rather than a different block)."""
    if old["t"] != new["t"]:
        return False
    if old["t"] == "Header":
        return old["c"][0] == new["c"][0]
    if old["t"] in ("Para", "Plain"):
        a = A.stringify(old["c"]).split()
        b = A.stringify(new["c"]).split()
        return SequenceMatcher(None, a, b, autojunk=False).ratio() >= SIMILAR
    if old["t"] == "Div":
        return old["c"][0][1] == new["c"][0][1]  # same kind of box
    return True


def _merge(old: Any, new: Any, counts: Counts) -> Any:
    """Merge two nodes of the same shape, diffing their text; ``FAIL`` when shapes differ."""
    if old == new or (isinstance(new, dict) and new.get("t") == "Cite"
                      and node_key(old) == node_key(new)):
        return new
    if isinstance(old, dict) and isinstance(new, dict):
        return _merge_nodes(old, new, counts)
    if isinstance(old, list) and isinstance(new, list):
        return _merge_lists(old, new, counts)
    return FAIL


def _merge_nodes(old: dict, new: dict, counts: Counts) -> Any:
    """Two AST nodes: of one type and shape, their contents merged (a list's items
    diffed as items); ``FAIL`` otherwise."""
    if "t" not in new or "c" not in new or old.get("t") != new.get("t") \
            or old.keys() != new.keys():
        return FAIL
    if new["t"] in ("BulletList", "OrderedList"):
        return _merge_list(old, new, counts)
    content = _merge(old["c"], new["c"], counts)
    return FAIL if content is FAIL else {"t": new["t"], "c": content}


def _merge_lists(old: list, new: list, counts: Counts) -> Any:
    """Two lists: inlines or blocks are diffed, attributes take the new ones, and other
    lists (a node's fields) are merged item by item if they are as long."""
    for kind, diff in (("inline", diff_inlines), ("block", diff_blocks)):
        if all(_list_kind(x) == kind or not x for x in (old, new)):
            return diff(old, new, counts)
    if _is_attr(old) and _is_attr(new):
        return new
    if len(old) != len(new):
        return FAIL
    merged = [_merge(x, y, counts) for x, y in zip(old, new, strict=True)]
    return FAIL if any(m is FAIL for m in merged) else merged


def _merge_list(old: dict, new: dict, counts: Counts) -> Any:
    if new["t"] == "OrderedList":
        items = _diff_items(old["c"][1], new["c"][1], counts)
        return {"t": "OrderedList", "c": [new["c"][0], items]}
    return {"t": "BulletList", "c": _diff_items(old["c"], new["c"], counts)}


def _diff_items(old: list, new: list, counts: Counts) -> list:
    out: list = []
    for tag, i1, i2, j1, j2 in _opcodes(old, new, node_key):
        if tag == "equal":
            out += new[j1:j2]
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(pairs):
            out.append(diff_blocks(old[i1 + k], new[j1 + k], counts))
        out += [mark_blocks(item, "del", counts, bar=False) for item in old[i1 + pairs:i2]]
        out += [mark_blocks(item, "ins", counts, bar=False) for item in new[j1 + pairs:j2]]
    return out


def _is_attr(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], list) and isinstance(value[2], list))
