"""Charts in the Word edition: Word shows no SVG without a PNG fallback, so each chart's
drawing becomes a PNG at print resolution (300 ppi, the page size of the SVG), and the
data table that the web edition folds into ``<details>`` is left out, as in print."""

from __future__ import annotations

import base64
from typing import Any

from reportc.charts.engine import ChartEngine
from reportc.charts.figures import CHART_CLASS, SVG_URL
from reportc.charts.tables import DATA_CLASS
from reportc.pandoc import ast as A

PNG_URL = "data:image/png;base64,"


def word_charts(blocks: list[A.Node], engine: ChartEngine | None) -> list[A.Node]:
    """``blocks`` (a copy) with chart drawings as PNG and without their data tables."""
    if engine is None:
        return blocks

    def drop_tables(items: list[Any]) -> list[Any]:
        return [item for item in items if not (isinstance(item, dict) and item.get("t") == "Div"
                                               and DATA_CLASS in item["c"][0][1])]

    blocks = A.map_inline_lists(blocks, drop_tables)
    for node in A.iter_nodes(blocks):
        if node["t"] == "Image" and CHART_CLASS in node["c"][0][1] and \
                node["c"][2][0].startswith(SVG_URL) and len(node["c"][2][0]) > len(SVG_URL):
            svg = base64.b64decode(node["c"][2][0][len(SVG_URL):]).decode("utf-8")
            png = engine.png(svg)
            node["c"][2][0] = PNG_URL + base64.b64encode(png).decode("ascii")
            width = _svg_width(svg)
            if width:
                node["c"][0][2] = [*node["c"][0][2], ["width", f"{width / 96:.2f}in"]]
    return blocks


def _svg_width(svg: str) -> float | None:
    """The drawing's width in CSS pixels (its ``width`` attribute)."""
    head = svg[:svg.find(">")]
    marker = ' width="'
    at = head.find(marker)
    if at < 0:
        return None
    try:
        return float(head[at + len(marker):head.find('"', at + len(marker))])
    except ValueError:
        return None
