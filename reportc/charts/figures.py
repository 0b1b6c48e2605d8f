"""Charts become ordinary figures before numbering.

A ```` ```{.chart #fig-x fig-cap="..." fig-alt="..."} ```` code block becomes a pandoc
``Figure`` (its caption from ``fig-cap``); an image whose address is a spec file
(``![Caption](charts/x.vl.yaml){#fig-x}``) already is one. Either way the figure's
picture becomes the drawn SVG as a ``data:`` URL (inline in the web page:
:mod:`reportc.charts.inline`; a picture in the PDF; a PNG in Word), its alt text the
author's ``fig-alt`` (or the spec's ``description``), else a generated description, and
the figure gains the chart's data as a table inside ``<details>`` (the web edition shows
it; print and Word leave it out). Numbering, cross-references, lists of figures and the
tagged PDF then treat it like any figure.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportc.cache import BuildCache, digest
from reportc.charts.describe import describe
from reportc.charts.engine import ChartEngine, RendererError, renderer_version
from reportc.charts.spec import (
    MAX_ROWS_SHOWN,
    ChartData,
    SpecError,
    check_addresses,
    check_fields,
    check_marks,
    inline_data,
    parse_spec,
)
from reportc.charts.tables import data_details, shown_text
from reportc.charts.theme import ChartTheme, dark_style
from reportc.document.model import ChapterDoc, Recording, replay
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A
from reportc.paths import inside
from reportc.project.words import ENGLISH

CHART_CLASS = "chart"
SPEC_SUFFIXES = (".vl.yaml", ".vl.yml", ".vl.json")
SVG_URL = "data:image/svg+xml;base64,"
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*\{[^}]*\.chart\b")


@dataclass
class Chart:
    """One chart of a chapter: where its spec is, what it draws, the figure it fills."""

    spec: dict[str, Any]
    text: str
    where: str  # the file messages name
    offset: int  # lines before the spec's first line in that file
    data: ChartData = field(default_factory=ChartData)
    source: str = ""  # the spec file as the chapter names it ("": a chart block)


def draw_charts(docs: list[ChapterDoc], root: Path, theme: ChartTheme, engine: ChartEngine,
                diag: Diagnostics, cache: BuildCache,
                again: Callable[[ChapterDoc], None] | None = None,
                words: Mapping[str, str] = ENGLISH) -> Drawings:
    """Make every chart of every chapter a figure; problems to ``diag``. Charts not in the
    cache are sent to the renderer and drawn while the build goes on: their figures hold a
    stand-in until :meth:`Drawings.finish` puts the drawings in. A chapter taken whole
    from the per-chapter cache has its figures already: its charts are recalled
    (:meth:`Drawings.recall`), or if they changed its tree is made anew (``again``) and
    drawn."""
    drawings = Drawings(theme, engine, cache, root, words)
    for doc in docs:
        if doc.trace is not None and doc.trace.record is not None:
            if drawings.recall(doc, diag):
                continue
            if again is not None:
                again(doc)
        drawings.draw(doc, diag)
    return drawings


@dataclass
class _Pending:
    chart: Chart | None  # None: recalled for a chapter taken whole (its drawing cached)
    stand_in: str  # the figure's address until the drawing arrives
    images: list[A.Node]
    key: str
    drawing: Future[str] | None  # None: drawn by an earlier build
    cached: str | None = None  # that drawing, finished


class Drawings:
    """The build's charts: from the cache, or as the renderer finishes. Every figure holds
    a stand-in named by its chart's key until :meth:`finish`, cached or not, so that a
    chapter's document, and the citing and HTML kept under it, is the same whether its
    chart was drawn in this build or an earlier one (else the first edit after a clean
    build cites and writes the chapter again)."""

    def __init__(self, theme: ChartTheme, engine: ChartEngine, cache: BuildCache,
                 root: Path, words: Mapping[str, str] = ENGLISH):
        self.theme, self.engine, self.cache, self.root = theme, engine, cache, root
        self.words = words  # the data tables' words, in the report's language
        self.pending: list[_Pending] = []

    def draw(self, doc: ChapterDoc, diag: Diagnostics) -> None:
        """Make the chapter's charts figures (:func:`draw_charts`); a chapter with a trace
        notes each chart's source and drawing, and its warnings, for its record."""
        trace = doc.trace
        if trace is not None:
            trace.charts, trace.warnings["charts"] = [], []
            diag = Recording(diag, trace.warnings["charts"])
        fences = [n for n, line in enumerate(doc.chapter.text.splitlines(), 1)
                  if _FENCE.match(line)]
        state = {"fence": 0}

        def blocks(items: list[Any]) -> list[Any]:
            return _blocks(items, doc, fences, state, self.root, self, diag)

        doc.ast["blocks"] = A.map_inline_lists(doc.ast["blocks"], blocks)
        for node in A.iter_nodes(doc.ast["blocks"]):
            if node["t"] == "Figure":
                _figure(node, doc, self.root, self, diag)

    def recall(self, doc: ChapterDoc, diag: Diagnostics) -> bool:
        """A chapter taken whole: its charts' drawings are to be put in as this build
        drew them, and its warnings about them said again, if each chart's spec and data
        give the drawing's key they gave, the files they read are those it names, and the
        drawing is cached; else (False) the chapter is to be drawn anew."""
        trace = doc.trace
        assert trace is not None and trace.record is not None
        charts, said = trace.record["meta"]["charts"], trace.record["meta"]["warnings"]
        svgs = self._unchanged(doc, charts)
        if svgs is None:
            return False
        images: dict[str, list[A.Node]] = {}
        if charts:
            for node in A.iter_nodes(doc.ast["blocks"]):
                if node["t"] == "Image" and CHART_CLASS in node["c"][0][1]:
                    images.setdefault(node["c"][2][0], []).append(node)
        for (key, _source, _text), svg in zip(charts, svgs, strict=True):
            stand_in = _stand_in(key)
            self.pending.append(_Pending(None, stand_in, images.get(stand_in, []), key, None,
                                         svg))
        trace.charts, trace.warnings["charts"] = charts, said["charts"]
        replay(diag, said["charts"])
        return True

    def _unchanged(self, doc: ChapterDoc, charts: list[list[str]]) -> list[str] | None:
        """The drawings of a taken chapter's charts (``None``: one changed, see
        :meth:`recall`)."""
        inputs: list[str] = []
        for key, source, text in charts:
            try:
                if source:
                    path = _spec_path(source, self.root, doc, None, Diagnostics())
                    if path is None:
                        return None
                    inputs.append(path.relative_to(self.root.resolve()).as_posix())
                    text = path.read_text(encoding="utf-8", errors="replace")
                chart = checked_chart(text, "", 0, self.root)
            except (SpecError, OSError, ValueError, RecursionError):
                return None
            if chart_key(chart, self.theme) != key:
                return None
            inputs.extend(chart.data.files)
        if inputs != doc.inputs:
            return None
        svgs = [self.cache.get("chart", key) for key, _source, _text in charts]
        return None if None in svgs else [svg for svg in svgs if svg is not None]

    @property
    def sent(self) -> int:
        """How many charts were sent to the renderer (the others were cached)."""
        return sum(item.drawing is not None for item in self.pending)

    def address(self, chart: Chart, images: list[A.Node], doc: ChapterDoc) -> str:
        """The image address of ``chart`` until :meth:`finish`: a stand-in; the chart is
        sent to the renderer unless an earlier build drew it (noted in the chapter's
        trace, if it has one)."""
        key = chart_key(chart, self.theme)
        stand_in = _stand_in(key)
        if doc.trace is not None:
            doc.trace.charts.append([key, chart.source, "" if chart.source else chart.text])
        cached = self.cache.get("chart", key)
        future = None if cached is not None else self.engine.submit(chart.spec,
                                                                     self.theme.config)
        self.pending.append(_Pending(chart, stand_in, images, key, future, cached))
        return stand_in

    def finish(self, bodies: list[str], diag: Diagnostics) -> list[str]:
        """The chapters' HTML (and ASTs, for Word) with every drawing in place of its
        stand-in; a spec the renderer refused is an error at the spec's first line."""
        for item in self.pending:
            svg = item.cached if item.drawing is None else self._drawn(item, diag)
            if svg is None:
                continue
            address = _data_url(svg)
            bodies = [body.replace(item.stand_in, address) for body in bodies]
            for image in item.images:
                image["c"][2] = [address, ""]
        self.pending = []
        self.engine.forget_guesses()
        return bodies


    def _drawn(self, item: _Pending, diag: Diagnostics) -> str | None:
        """The renderer's drawing of ``item``, finished and cached; ``None`` (an error at
        the spec's first line) if the renderer refused the spec."""
        assert item.drawing is not None
        try:
            svg = _finished(item.drawing.result(), self.theme)
        except RendererError as exc:
            assert item.chart is not None  # (a recalled chart's drawing is cached)
            diag.error(f"chart: the renderer refused the spec: {exc}", item.chart.where,
                       item.chart.offset + 1)
            return None
        self.cache.put("chart", item.key, svg)
        return svg


def chart_key(chart: Chart, theme: ChartTheme) -> str:
    """The drawing's cache key: the spec as written and as sent, its data, the theme and
    the renderer."""
    return digest("chart", chart.text, json.dumps(chart.spec, sort_keys=True),
                  *chart.data.raw, theme.fingerprint(), renderer_version())


def _stand_in(key: str) -> str:
    """The address a chart's figure holds until its drawing is put in."""
    return _data_url(f'<svg xmlns="http://www.w3.org/2000/svg" id="reportc-chart-{key[:32]}"/>')


def _data_url(svg: str) -> str:
    return SVG_URL + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _blocks(items: list[Any], doc: ChapterDoc, fences: list[int], state: dict[str, int],
            root: Path, drawings: Drawings, diag: Diagnostics) -> list[Any]:
    """A list of blocks with its ``{.chart}`` code blocks made figures."""
    out: list[Any] = []
    for item in items:
        if not (isinstance(item, dict) and item.get("t") == "CodeBlock"
                and CHART_CLASS in item["c"][0][1]):
            out.append(item)
            continue
        index = state["fence"]
        state["fence"] += 1
        line = fences[index] if index < len(fences) else None
        chart = _load(item["c"][1], doc.rel, line or 0, root, diag)
        figure = _code_figure(item, doc, line, diag)
        if chart is not None:
            _fill(figure, chart, dict(item["c"][0][2]).get("fig-alt"), doc, line, drawings,
                  diag)
        out.append(figure)
    return out


def _code_figure(block: A.Node, doc: ChapterDoc, line: int | None,
                 diag: Diagnostics) -> A.Node:
    """The Figure a chart code block becomes (its picture filled in by :func:`_fill`)."""
    identifier, classes, pairs = block["c"][0]
    given = dict(pairs)
    caption = given.get("fig-cap", "")
    if not caption:
        diag.warning("chart has no caption: give it fig-cap=\"...\"", doc.rel, line,
                     code="float.caption")
    kept = [[k, v] for k, v in pairs if k not in ("fig-cap", "fig-alt")]
    kinds = [c for c in classes if c != CHART_CLASS] + ["chart-figure"]
    image = {"t": "Image", "c": [A.attr("", [CHART_CLASS]), A.text_inlines("chart"),
                                 [SVG_URL, ""]]}  # alt and drawing filled in, or an error
    return {"t": "Figure", "c": [[identifier, kinds, kept],
                                 [None, [{"t": "Plain", "c": A.text_inlines(caption)}]],
                                 [{"t": "Plain", "c": [image]}]]}


def _figure(node: A.Node, doc: ChapterDoc, root: Path, drawings: Drawings,
            diag: Diagnostics) -> None:
    """A figure whose image is a spec file: the image becomes its drawing."""
    for image in A.iter_nodes(node["c"][2]):
        if image["t"] != "Image" or not image["c"][2][0].lower().endswith(SPEC_SUFFIXES):
            continue
        source = image["c"][2][0]
        line = doc.chapter.line_of(source)
        pairs = image["c"][0][2]
        alt = dict(pairs).get("fig-alt")
        image["c"][0] = [image["c"][0][0], [*image["c"][0][1], CHART_CLASS],
                         [pair for pair in pairs if pair[0] != "fig-alt"]]
        image["c"][2] = [SVG_URL, ""]  # reported here if it fails, not again as an image
        node["c"][0][1].append("chart-figure")
        path = _spec_path(source, root, doc, line, diag)
        if path is None:
            continue
        rel = path.relative_to(root.resolve()).as_posix()
        doc.inputs.append(rel)
        chart = _load(path.read_text(encoding="utf-8", errors="replace"), rel, 0, root, diag)
        if chart is not None:
            chart.source = source
            _fill(node, chart, alt, doc, line, drawings, diag)


def _spec_path(source: str, root: Path, doc: ChapterDoc, line: int | None,
               diag: Diagnostics) -> Path | None:
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//", source):
        diag.error(f"chart spec '{source}' is not a file in the report directory (remote "
                   "and absolute URLs are not fetched)", doc.rel, line)
        return None
    path = (root / source).resolve()
    if not inside(path, root.resolve()):
        diag.error(f"chart spec '{source}' is outside the report directory", doc.rel, line)
    elif not path.is_file():
        diag.error(f"missing chart spec '{source}' (paths are relative to the report "
                   "directory)", doc.rel, line)
    else:
        return path
    return None


def _load(text: str, where: str, offset: int, root: Path, diag: Diagnostics) -> Chart | None:
    """The spec read and checked, its data inlined; ``None`` after reporting a problem."""
    try:
        return checked_chart(text, where, offset, root)
    except SpecError as exc:
        diag.error(f"chart: {exc}", where, offset + (exc.line or 1))
        return None


def checked_chart(text: str, where: str, offset: int, root: Path) -> Chart:
    """The spec read and checked, its data inlined; :class:`SpecError` if it cannot be."""
    spec = parse_spec(text)
    check_addresses(spec, text)
    check_marks(spec, text)
    data = inline_data(spec, text, root)
    check_fields(spec, text, data)
    return Chart(spec, text, where, offset, data)


def _fill(figure: A.Node, chart: Chart, alt: str | None, doc: ChapterDoc, line: int | None,
          drawings: Drawings, diag: Diagnostics) -> None:
    """Give the figure's image its drawing (or a stand-in) and alt text, and the figure
    its data table (``line``: where the chapter places the chart)."""
    doc.inputs.extend(chart.data.files)
    described = chart.spec.get("description")
    alt = alt or (described.strip() if isinstance(described, str) else None)
    if not alt:
        diag.warning("chart has no alt text: give it fig-alt=\"what it shows\" (a generated "
                     "description stands in)", doc.rel, line, code="image.alt")
    text = alt or describe(chart.spec, chart.data)
    images = [image for image in A.iter_nodes(figure["c"][2])
              if image["t"] == "Image" and CHART_CLASS in image["c"][0][1]]
    address = drawings.address(chart, images, doc)
    for image in images:
        image["c"][1] = A.text_inlines(text)
        image["c"][2] = [address, ""]
    if chart.data.rows:
        figure["c"][2].append(data_details(chart.data, MAX_ROWS_SHOWN, drawings.words))
        doc.charted.append(shown_text(chart.data, MAX_ROWS_SHOWN))


def _finished(svg: str, theme: ChartTheme) -> str:
    """The renderer's SVG with the dark-mode colour swaps after its opening tag."""
    end = svg.find(">") + 1
    return svg[:end] + dark_style(theme.dark) + svg[end:]
