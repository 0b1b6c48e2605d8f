"""A chart's data as a table a screen reader can walk: a real ``<table>`` with column
headers, inside ``<details>`` so that it is one click away in the web edition and out of
the way otherwise (print and Word leave the block out: ``.chart-data``).

The table is written here as the HTML pandoc writes for it (a test keeps them equal) and
goes into the chapter as one raw block: as a pandoc table (a node per row, cell and word)
every walk of the chapter's document paid for it, and pandoc for reading and writing it
(with 20 charts of 12 rows, a tenth of a second of pandoc's and more of the build's)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from reportc.charts.spec import ChartData
from reportc.pandoc import ast as A
from reportc.project.words import ENGLISH

DATA_CLASS = "chart-data"
_DETAILS = re.compile(r'<div class="chart-data">\s*<details class="chart-data-fold">.*?'
                      r"</details>\s*</div>", re.S)
_NUMBER = re.compile(r"^[-+]?(?:\d[\d,]*)?\.?\d+(?:[eE][-+]?\d+)?%?$")
_RIGHT = ' style="text-align: right;"'
# pandoc's HTML writer adds the text variation selector after these (never an emoji)
_TEXT_STYLE = re.compile("([\u2194\u21a9])(?!\ufe0e)")


def data_details(data: ChartData, limit: int, words: Mapping[str, str] = ENGLISH) -> A.Node:
    """``<details><summary>Data (N rows)</summary><table>...</table></details>`` in the
    report's ``words``."""
    rows = data.rows[:limit]
    count = len(data.rows)
    counted = f"{count} {words['chart-row'] if count == 1 else words['chart-rows']}"
    summary = words["chart-data-shown" if count > limit else "chart-data"].format(
        rows=counted, count=limit)
    html = (f'<details class="{DATA_CLASS}-fold">\n<summary>{_escape(summary)}</summary>\n'
            f"{table_html(data.columns, rows)}\n</details>")
    return {"t": "Div", "c": [A.attr("", [DATA_CLASS]), [{"t": "RawBlock", "c": ["html", html]}]]}


def shown_text(data: ChartData, limit: int) -> str:
    """The text of the table's cells (the glyph check reads it: the chart prints it)."""
    return "\n".join(["\t".join(data.columns), *("\t".join(row) for row in data.rows[:limit])])


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell_text(text: str) -> str:
    """A cell's text as pandoc's HTML writer writes it (quotes are left as they are)."""
    return _TEXT_STYLE.sub("\\1\ufe0e", _escape(text))


def table_html(columns: list[str], rows: list[list[str]]) -> str:
    """The table as pandoc writes a table of one header row and plain cells, numbers
    aligned right (a header row of empty cells aligned by default is left out, as pandoc
    leaves it out)."""
    numeric = [all(_NUMBER.match(row[i].strip()) for row in rows if i < len(row)
                   and row[i].strip()) and any(i < len(row) and row[i].strip() for row in rows)
               for i in range(len(columns))]
    lines = ["<table>"]
    if any(columns) or any(numeric):
        lines += ["<thead>", *_row("th", columns, numeric), "</thead>"]
    lines.append("<tbody>")
    for row in rows:
        lines += _row("td", [*row, *[""] * (len(columns) - len(row))][:len(columns)], numeric)
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def _row(tag: str, cells: list[str], numeric: list[bool]) -> list[str]:
    return ["<tr>", *(f"<{tag}{_RIGHT if number else ''}>{_cell_text(cell)}</{tag}>"
                      for cell, number in zip(cells, numeric, strict=True)), "</tr>"]


def without_data_tables(page: str) -> str:
    """The print page without the charts' data tables: hidden in print, they would still
    cost WeasyPrint a style for every cell (a fifth of the layout time with 20 charts)."""
    return _DETAILS.sub("", page) if DATA_CLASS in page else page
