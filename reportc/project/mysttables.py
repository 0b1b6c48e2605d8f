"""MyST's ``{list-table}`` as a pandoc grid table.

A list table is a bullet list of rows, each a bullet list of cells whose content may be
any Markdown (paragraphs, code, maths): a grid table is the pandoc table that holds
blocks in its cells. Each cell's content is translated first (its roles and directives,
:mod:`reportc.project.myst`), then laid out in columns as wide as their longest line;
``:header-rows:`` rows go above the ``===`` line. The argument is the caption, ``:name:``
the identifier (``tbl-name``, numbered and referenced).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from reportc.project.mysttext import label_id

Line = tuple[str, int]
Cell = list[Line]
_ITEM = re.compile(r"^([*+-])(?:[ \t]+|$)")


def items(lines: list[Line]) -> list[list[Line]]:
    """The items of a bullet list (its lines, dedented by the bullet's width); lines
    before the first bullet are left out."""
    indent = min((len(t) - len(t.lstrip()) for t, _ in lines if t.strip()), default=0)
    found: list[list[Line]] = []
    for text, number in lines:
        text = text[indent:]
        if match := _ITEM.match(text):
            found.append([(text[match.end():], number)])
        elif found:
            width = len(text) - len(text.lstrip())
            found[-1].append((text[min(width, 2):], number))
    return found


def grid_table(body: list[Line], options: dict[str, str], caption: str, opened: int,
               translate: Callable[[list[Line]], list[Line]]) -> list[Line]:
    """The grid table of a list table's ``body`` (``translate``: a cell's content as
    pandoc Markdown); ``[]`` when the body is no list of lists."""
    rows = _cells(body, translate)
    if not rows:
        return []
    widths = [max([3, *(len(t) for row in rows for t, _ in row[c])])
              for c in range(len(rows[0]))]
    written = options.get("header-rows", "0")
    header = int(written) if written.isdigit() else 0
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out: list[Line] = [("", opened), (rule, opened)]
    for index, row in enumerate(rows):
        number = next((n for cell in row for _, n in cell), opened)
        out += _row(row, widths, number)
        out.append((rule.replace("-", "=") if index + 1 == header else rule, number))
    return [*out, *caption_line(caption, options.get("name"), opened), ("", opened)]


def _cells(body: list[Line], translate: Callable[[list[Line]], list[Line]]
           ) -> list[list[Cell]]:
    """The rows of cells (translated), each row as long as the longest."""
    rows = [[_trim(translate(_trim(cell))) for cell in items(row)] for row in items(body)]
    if not any(rows):
        return []
    columns = max(len(row) for row in rows)
    return [row + [[]] * (columns - len(row)) for row in rows]


def caption_line(caption: str, name: str | None, number: int) -> list[Line]:
    """A table's caption line (pandoc's ``: Caption {#tbl-name}``), if it has either."""
    if not caption and not name:
        return []
    attribute = f" {{#{label_id(name, 'tbl')}}}" if name else ""
    return [("", number), (f": {caption}{attribute}", number)]


def _row(row: list[Cell], widths: list[int], number: int) -> list[Line]:
    """One row's lines: its cells side by side, each padded to its column's width."""
    lines = []
    for at in range(max(1, *(len(cell) for cell in row))):
        texts = [cell[at][0] if at < len(cell) else "" for cell in row]
        lines.append(("| " + " | ".join(t.ljust(w) for t, w in zip(texts, widths, strict=True))
                      + " |", number))
    return lines


def _trim(cell: Cell) -> Cell:
    """A cell's lines without the blank ones at its ends, tabs as spaces."""
    lines = [(t.replace("\t", "    ").rstrip(), n) for t, n in cell]
    while lines and not lines[-1][0]:
        lines.pop()
    while lines and not lines[0][0]:
        lines.pop(0)
    return lines


def definitions(body: list[Line], opened: int, closed: int) -> list[Line]:
    """A ``{glossary}`` as a definition list: a line at the margin is a term (several in a
    row share the definition), the indented lines under it its definition."""
    lines: list[Line] = [("", opened)]
    margin = min((len(t) - len(t.lstrip()) for t, _ in body if t.strip()), default=0)
    inside = False  # in a definition
    for text, number in body:
        if not text.strip():
            lines.append(("", number))
            inside = False
        elif len(text) - len(text.lstrip()) <= margin:
            lines += [("", number)] if inside else []
            lines.append((text.strip(), number))
            inside = False
        else:
            lines.append(((":   " if not inside else "    ") + text.strip(), number))
            inside = True
    return [*lines, ("", closed)]
