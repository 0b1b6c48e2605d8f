"""Quarto's code annotations: a code line ending in a comment ``# <1>`` (the block's
language's comment: ``// <1>``, ``-- <1>``, ``/* <1> */`` ...) is explained by item 1 of
the numbered list right after the block.

reportc printed the markers as code and the list as any list, so the reader saw a stray
``# <1>`` in the code. Now the markers leave the code's text; an annotated block gets the
class ``code-annotation-code``, an identifier, and ``data-code-annotations="LINE:N,..."``,
from which the render filter (``resources/render.lua``) puts the number after each such
line as an empty ``span.code-annotation-anchor`` whose CSS shows it, so copying the code
copies no number. The list is wrapped in a ``div.code-annotations`` naming the block
(``data-code-cell``); its numbers are the markers'. ``code-annotations: none`` (or
``false``) takes the markers out and leaves the list an ordinary list, as Quarto does.

A block with markers but no numbered list after it is left as written (it may show the
syntax): said once, at its line. A marker without an item, or an item without a marker,
is said too; the text of both is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reportc.document.model import ChapterDoc
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A

# each language's comment (its opening, and the closing where it has one), as Quarto
# knows them; any other language (or none) comments with '#'
_COMMENTS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("r", "python", "julia", "bash", "sh", "powershell", "stan", "octave",
                     "awk", "gawk", "sed", "perl", "ruby", "coffee", "yaml", "elm", "gap",
                     "dockerfile"), ("#", "")),
    **dict.fromkeys(("scala", "csharp", "fsharp", "cpp", "cc", "java", "groovy", "js",
                     "javascript", "d3", "node", "ojs", "sass", "scss", "go", "asy", "dot",
                     "json", "typescript", "swift", "rust", "typst"), ("//", "")),
    **dict.fromkeys(("sql", "mysql", "psql", "lua", "haskell", "vhdl"), ("--", "")),
    **dict.fromkeys(("matlab", "tikz", "latex"), ("%", "")),
    **dict.fromkeys(("fortran", "fortran95"), ("!", "")),
    "c": ("/*", "*/"), "css": ("/*", "*/"), "sas": ("*", ";"), "stata": ("*", ""),
    "mermaid": ("%%", ""), "apl": ("\u235d", ""), "html": ("<!--", "-->"),
    "markdown": ("<!--", "-->"), "ocaml": ("(*", "*)"),
}
_ANY_MARKER = re.compile(r"<\d+>")
_PATTERNS: dict[tuple[str, str], re.Pattern[str]] = {}
CODE_CLASS = "code-annotation-code"
LIST_CLASS = "code-annotations"


def shape_annotations(doc: ChapterDoc, diag: Diagnostics, style: str = "below") -> None:
    """Every annotated code block of ``doc`` and its list, shaped (see the module);
    ``style``: the ``code-annotations`` setting ("none": markers out, lists ordinary)."""
    if not may_annotate(doc.chapter.text):
        return  # nothing to look at: the tree is left as read
    count = 0
    for blocks in list(_block_lists(doc.ast["blocks"])):  # outer lists first: a cell's too
        index = 0
        while index < len(blocks):
            node: A.Node | None = blocks[index]
            cell = None
            if node and node["t"] == "Div" and "cell" in node["c"][0][1]:
                cell, node = node, _cell_code(node)
            if node is not None and node["t"] == "CodeBlock" and (lines := _markers(node)):
                count += 1
                following = blocks[index + 1] if index + 1 < len(blocks) else None
                listed = following if following and following["t"] == "OrderedList" else None
                _annotate(doc, diag, node, lines, listed, style, count)
                if listed is not None and style != "none":
                    _place_list(blocks, index, node, cell)
            index += 1


def _cell_code(cell: A.Node) -> A.Node | None:
    """The code of a Quarto cell (a frozen result's ``::: {.cell}``), whose list follows
    the cell, after its output."""
    return next((block for block in cell["c"][1] if block["t"] == "CodeBlock"), None)


def _place_list(blocks: list[A.Node], index: int, code: A.Node, cell: A.Node | None) -> None:
    """The list after ``blocks[index]`` in a ``div.code-annotations`` naming its block; a
    cell's goes right under its code, above the output, as Quarto puts it."""
    wrapped = {"t": "Div", "c": [A.attr("", [LIST_CLASS], [("data-code-cell", code["c"][0][0])]),
                                 [blocks[index + 1]]]}
    if cell is None:
        blocks[index + 1] = wrapped
        return
    del blocks[index + 1]
    inside = cell["c"][1]
    inside.insert(next(i for i, block in enumerate(inside) if block is code) + 1, wrapped)


def may_annotate(text: str) -> bool:
    """Whether a chapter's text has anything like a marker (``<1>``) at all."""
    return _ANY_MARKER.search(text) is not None


def _block_lists(blocks: list[A.Node]) -> Iterator[list[A.Node]]:
    """``blocks`` and every list of blocks inside them (a div's, a quote's, a list
    item's, a figure's), where a code block and its list may stand side by side."""
    yield blocks
    for node in blocks:
        kind, content = node["t"], node.get("c", [])
        if kind in ("Div", "Figure"):
            yield from _block_lists(content[-1])
        elif kind == "BlockQuote":
            yield from _block_lists(content)
        elif kind in ("BulletList", "OrderedList"):
            for item in content if kind == "BulletList" else content[1]:
                yield from _block_lists(item)


def _pattern(language: str) -> re.Pattern[str]:
    """The marker at a line's end in ``language``: the code before it, and its number."""
    opening, closing = _COMMENTS.get(language.lower(), ("#", ""))
    if (opening, closing) not in _PATTERNS:
        end = rf"\s*{re.escape(closing)}" if closing else ""
        _PATTERNS[opening, closing] = re.compile(
            rf"^(.*?)\s*{re.escape(opening)}\s*<(\d+)>{end}\s*$")
    return _PATTERNS[opening, closing]


def _markers(node: A.Node) -> dict[int, tuple[int, str]]:
    """The block's marked lines: line (from 1) -> (number, the line without its marker)."""
    text = node["c"][1]
    if "<" not in text:
        return {}
    classes = node["c"][0][1]
    pattern = _pattern(classes[0].strip("{}") if classes else "")
    found = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if match := pattern.match(line):
            found[number] = (int(match.group(2)), match.group(1))
    return found


def _annotate(doc: ChapterDoc, diag: Diagnostics, node: A.Node,
              lines: dict[int, tuple[int, str]], listed: A.Node | None, style: str,
              count: int) -> None:
    """One code block with markers: taken out (where a list follows) and checked
    against the list's items."""
    text = node["c"][1]
    first = text.split("\n")[min(lines) - 1]
    line = doc.chapter.line_of(first)
    numbers = sorted({number for number, _ in lines.values()})
    if listed is None:
        diag.warning(f"code annotation markers {_named(numbers)} with no numbered list right "
                     "after the block: the code is printed as written", doc.rel, line,
                     code="quarto.annotation")
        return
    code = text.split("\n")
    for number, (_, kept) in lines.items():
        code[number - 1] = kept
    node["c"][1] = "\n".join(code)
    _check_items(doc, diag, numbers, listed, line)
    if style == "none":
        return
    attr = node["c"][0]
    attr[0] = attr[0] or f"{doc.chapter.anchor}-annotated-{count}"
    attr[1].append(CODE_CLASS)
    attr[2].append(["data-code-annotations",
                    ",".join(f"{at}:{number}" for at, (number, _) in sorted(lines.items()))])


def _check_items(doc: ChapterDoc, diag: Diagnostics, numbers: list[int], listed: A.Node,
                 line: int | None) -> None:
    """Every marker has its item in the list and every item its marker; what is not is
    said (the text of both is printed all the same)."""
    start = listed["c"][0][0]
    items = {start + offset: item for offset, item in enumerate(listed["c"][1])}
    if missing := [n for n in numbers if n not in items]:
        diag.warning(f"code annotation {_named(missing)} has no item in the list after the "
                     "block", doc.rel, line, code="quarto.annotation")
    for number, item in items.items():
        if number not in numbers:
            words = " ".join(A.stringify(item).split()[:4])
            diag.warning(f"item {number} of the list after an annotated code block ('{words}') "
                         f"has no marker <{number}> in the code", doc.rel,
                         doc.chapter.line_of(words) or line, code="quarto.annotation")


def _named(numbers: list[int]) -> str:
    return ", ".join(f"<{n}>" for n in numbers)



def label_lines(blocks: list[A.Node], line: str, lines: str) -> None:
    """Each annotation list item begins with the lines it explains ("Line 3: ",
    "Lines 4–7: "; ``line``, ``lines``: those words in the report's language): where the
    code's numbers are not drawn (the Word edition), the list still points at the code."""
    marks: dict[str, dict[int, list[int]]] = {}
    for node in A.iter_nodes(blocks):
        if node["t"] == "CodeBlock" and CODE_CLASS in node["c"][0][1]:
            at = dict(node["c"][0][2]).get("data-code-annotations", "")
            found = marks.setdefault(node["c"][0][0], {})
            for pair in filter(None, at.split(",")):
                at_line, number = map(int, pair.split(":"))
                found.setdefault(number, []).append(at_line)
        elif node["t"] == "Div" and LIST_CLASS in node["c"][0][1] and node["c"][1]:
            found = marks.get(dict(node["c"][0][2]).get("data-code-cell", ""), {})
            listed = node["c"][1][0]
            for offset, item in enumerate(listed["c"][1]):
                if (where := found.get(listed["c"][0][0] + offset)) and item and \
                        item[0]["t"] in ("Para", "Plain"):
                    word = line if len(where) == 1 else lines
                    item[0]["c"][:0] = [{"t": "Strong", "c": A.text_inlines(
                        f"{word} {_ranges(where)}:")}, {"t": "Space"}]


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 5]`` as "1–3, 5"."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}\u2013{b}" for a, b in runs)
