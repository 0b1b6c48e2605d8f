"""A chart's data as a table a screen reader can walk: a real ``<table>`` with column
headers, inside ``<details>`` so that it is one click away in the web edition and out of
the way otherwise (print and Word leave the block out: ``.chart-data``)."""

from __future__ import annotations

import re
from typing import Any

from reportc.charts.spec import ChartData
from reportc.pandoc import ast as A

DATA_CLASS = "chart-data"
_DETAILS = re.compile(r'<div class="chart-data">\s*<details class="chart-data-fold">.*?'
                      r"</details>\s*</div>", re.S)
_NUMBER = re.compile(r"^[-+]?(?:\d[\d,]*)?\.?\d+(?:[eE][-+]?\d+)?%?$")


def data_details(data: ChartData, limit: int) -> A.Node:
    """``<details><summary>Data (N rows)</summary><table>...</table></details>``."""
    rows = data.rows[:limit]
    count = len(data.rows)
    summary = f"Data of this chart ({count} row{'s' if count != 1 else ''}"
    summary += f", the first {limit} shown)" if count > limit else ")"
    return {"t": "Div", "c": [A.attr("", [DATA_CLASS]), [
        _raw(f'<details class="{DATA_CLASS}-fold">'),
        _raw(f"<summary>{_escape(summary)}</summary>"),
        _table(data.columns, rows),
        _raw("</details>"),
    ]]}


def _raw(html: str) -> A.Node:
    return {"t": "RawBlock", "c": ["html", html]}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(columns: list[str], rows: list[list[str]]) -> A.Node:
    """A pandoc Table: one header row, numbers aligned right."""
    numeric = [all(_NUMBER.match(row[i].strip()) for row in rows if i < len(row)
                   and row[i].strip()) and any(i < len(row) and row[i].strip() for row in rows)
               for i in range(len(columns))]
    specs = [[{"t": "AlignRight" if number else "AlignDefault"}, {"t": "ColWidthDefault"}]
             for number in numeric]
    head = [A.attr(), [_row(columns, numeric)]]
    body = [A.attr(), 0, [], [_row([*row, *[""] * (len(columns) - len(row))][:len(columns)],
                                   numeric) for row in rows]]
    return {"t": "Table", "c": [A.attr(), [None, []], specs, head, [body], [A.attr(), []]]}


def _row(cells: list[str], numeric: list[bool]) -> list[Any]:
    return [A.attr(), [[A.attr(), {"t": "AlignRight" if number else "AlignDefault"}, 1, 1,
                        [{"t": "Plain", "c": A.text_inlines(cell)}] if cell else []]
                       for cell, number in zip(cells, numeric, strict=True)]]


def without_data_tables(page: str) -> str:
    """The print page without the charts' data tables: hidden in print, they would still
    cost WeasyPrint a style for every cell (a fifth of the layout time with 20 charts)."""
    return _DETAILS.sub("", page) if DATA_CLASS in page else page
