"""A chart's data table is written as HTML by reportc itself, not by pandoc (#27 item 6):
it must be the HTML pandoc writes for the same table, byte for byte, so that the web
edition and the EPUB are the same as when the table went through pandoc; and the glyph
check must still read the table's text (the chart prints it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import build_root, copy_root

from reportc.charts.spec import ChartData
from reportc.charts.tables import _NUMBER, DATA_CLASS, data_details, shown_text, table_html
from reportc.errors import BuildFailed
from reportc.pandoc import ast as A
from reportc.pandoc.runner import run_pandoc

WRITER = ["-f", "json", "-t", "html5", "--wrap=none", "--mathml", "--sandbox"]

CASES = {
    "numbers right, words left": (["year", "port", "tonnage"],
                                  [["2019", "North", "120"], ["2020", "South", "1,204.5"]]),
    "escaping and quotes": (["a<b", "c&d"], [["<i>x</i> & \"q\" 'y'", "]]> <!-- -->"]]),
    "pandoc's text variation selector": (["arrows"], [["\u21a9 back"], ["\u2194\ufe0e"],
                                                      ["\u21a9\ufe0f"], ["\u263a"]]),
    "spaces, tabs, line breaks": (["x", "y"], [[" lead", "trail "], ["a  b", "t\tab"],
                                               ["new\nline", "cr\rlf\r\n"], [" ", ""]]),
    "short and empty rows": (["k", "v", "w"], [["1"], [], ["2", "", "3.5e3"], ["", "", ""]]),
    "no header": (["", ""], [["x", "y"], ["z", ""]]),
    "no header, a column of numbers": (["", ""], [["x", "1"], ["y", "-2%"]]),
    "unicode": (["名前", "ñ"], [["e\u0301", "\u00a0\u2028\ufeff"], ["\U0001f600", "\x7f"]]),
    "a header of spaces": ([" ", ""], [["1", "2"]]),
}


def _pandoc_table(columns: list[str], rows: list[list[str]]) -> A.Node:
    """The table as a pandoc AST (as reportc built it before writing the HTML itself)."""
    numeric = [all(_NUMBER.match(row[i].strip()) for row in rows if i < len(row)
                   and row[i].strip()) and any(i < len(row) and row[i].strip() for row in rows)
               for i in range(len(columns))]

    def row(cells: list[str]) -> list[Any]:
        return [A.attr(), [[A.attr(), {"t": "AlignRight" if number else "AlignDefault"}, 1, 1,
                            [{"t": "Plain", "c": A.text_inlines(cell)}] if cell else []]
                           for cell, number in zip(cells, numeric, strict=True)]]

    specs = [[{"t": "AlignRight" if number else "AlignDefault"}, {"t": "ColWidthDefault"}]
             for number in numeric]
    body = [A.attr(), 0, [], [row([*r, *[""] * (len(columns) - len(r))][:len(columns)])
                              for r in rows]]
    return {"t": "Table", "c": [A.attr(), [None, []], specs, [A.attr(), [row(columns)]],
                                [body], [A.attr(), []]]}


def _written(blocks: list[A.Node]) -> str:
    doc = {"pandoc-api-version": [1, 23, 1], "meta": {}, "blocks": blocks}
    return run_pandoc(WRITER, json.dumps(doc), what="table").output


@pytest.mark.parametrize("columns, rows", CASES.values(), ids=list(CASES))
def test_the_table_is_the_html_pandoc_writes(columns: list[str], rows: list[list[str]]) -> None:
    raw = {"t": "RawBlock", "c": ["html", table_html(columns, rows)]}
    assert _written([raw]) == _written([_pandoc_table(columns, rows)])


def test_the_details_block_is_the_one_pandoc_wrote() -> None:
    """The whole block, as the chapter's HTML holds it: the summary, the fold, the div."""
    data = ChartData(["year", "value"], [[str(2000 + n), str(n * 7)] for n in range(12)])
    before = {"t": "Div", "c": [A.attr("", [DATA_CLASS]), [
        {"t": "RawBlock", "c": ["html", f'<details class="{DATA_CLASS}-fold">']},
        {"t": "RawBlock", "c": ["html", "<summary>Data of this chart (12 rows, the first 5 "
                                        "shown)</summary>"]},
        _pandoc_table(data.columns, data.rows[:5]),
        {"t": "RawBlock", "c": ["html", "</details>"]}]]}
    node = data_details(data, 5)
    assert _written([node]) == _written([before])
    assert [block["t"] for block in node["c"][1]] == ["RawBlock"]  # one node, not hundreds


def test_the_glyph_check_reads_the_shown_cells() -> None:
    data = ChartData(["名前", "n"], [["東京", "1"], ["Zürich", "2"], ["hidden", "3"]])
    text = shown_text(data, 2)
    assert all(word in text for word in ("名前", "東京", "Zürich")) and "hidden" not in text


def test_a_character_no_font_has_in_a_charts_data_is_an_error_before_layout(
        tmp_path: Path) -> None:
    """The chart prints its data (an axis label here): the glyph check reads the table's
    cells, kept beside the chapter now that they are no longer words of its document."""
    root = copy_root("charts", tmp_path)
    csv = root / "data" / "tonnage.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("South", "South\U0010fffd"),
                   encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("pdf",), git_stamp=False)
    assert [str(p) for p in failed.value.problems] == [
        "chapters/01-harbours.md: no font has '\U0010fffd' (U+10FFFD): the PDF would print "
        "an empty box; install a font that has it (emoji: Debian's fonts-noto-color-emoji) "
        "or write it another way"]
