"""Charts (#27): Vega-Lite specs become numbered, themed, accessible figures.

The fixture ``tests/roots/charts`` has one chart per authoring form and data format: a
``{.chart}`` code block in YAML reading a CSV file, an image naming a YAML spec file that
reads a TSV file, an image naming a JSON spec file that reads a JSON file, and a JSON code
block with inline values. Each is checked as a reader meets it: the web page's figures,
captions, cross-references and data tables, the PDF's text by page and its tags.
"""

from __future__ import annotations

import base64
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from conftest import Built, SharedBuilds, build_root, copy_root, run_cli
from htmlparse import Element, parse_html

import reportc.charts.engine
from reportc.build import BuildOptions, build
from reportc.charts.engine import start_engine
from reportc.charts.theme import chart_theme, theme_variables
from reportc.editions.theme import DEFAULT_THEME
from reportc.errors import BuildFailed
from tests.a11y.pdfcheck import Tree, check

SVG_URL = "data:image/svg+xml;base64,"
CHARTS = ["fig-tonnage", "fig-depths", "fig-ships", "fig-shares"]


@pytest.fixture(scope="module")
def built(shared: SharedBuilds) -> Built:
    return shared.build("charts", formats=("html", "pdf", "docx"))


@pytest.fixture(scope="module")
def page(built: Built) -> Element:
    return parse_html(built.html_path.read_text(encoding="utf-8"))


def _figure(page: Element, identifier: str) -> Element:
    return next(f for f in page.find_all("figure") if f.attrs.get("id") == identifier)


def _svg(figure: Element) -> Element:
    """The chart's drawing, inline in the web page (the PDF keeps an <img>)."""
    return figure.find_all("svg", "chart")[0]


def _texts(svg: Element) -> list[str]:
    return [text.text() for text in svg.find_all("text")]


def test_every_authoring_form_and_data_format_is_a_numbered_figure(page: Element) -> None:
    """CSV (code block), TSV (YAML spec file), JSON (JSON spec file), inline values."""
    drawn = {"fig-tonnage": "North", "fig-depths": "Outer", "fig-ships": "Tanker",
             "fig-shares": "Timber"}  # a value only that chart's data holds
    for number, identifier in enumerate(CHARTS, start=1):
        figure = _figure(page, identifier)
        caption = figure.find_all("figcaption")[0].text()
        assert caption.startswith(f"Figure\u00a0{number}."), caption
        svg = _svg(figure)
        assert drawn[identifier] in _texts(svg), identifier  # live text, from its data
        assert not svg.find_all("script") and not figure.find_all("img")
    links = {a.attrs["href"]: a.text() for a in page.find_all("a", "xref")}
    assert [links[f"#{i}"] for i in CHARTS] == [f"Figure\u00a0{n}" for n in range(1, 5)]


def test_the_web_edition_has_each_charts_data_as_a_table(page: Element) -> None:
    figure = _figure(page, "fig-tonnage")
    details = figure.find_all("details", "chart-data-fold")[0]
    assert details.find_all("summary")[0].text() == "Data of this chart (6 rows)"
    table = details.find_all("table")[0]
    assert [th.text() for th in table.find_all("th")] == ["year", "port", "tonnage"]
    rows = [[td.text() for td in tr.find_all("td")] for tr in table.find_all("tbody")[0]
            .find_all("tr")]
    assert rows[0] == ["2019", "North", "120"] and rows[-1] == ["2021", "South", "111"]
    ships = _figure(page, "fig-ships").find_all("table")[0]
    assert [th.text() for th in ships.find_all("th")] == ["kind", "count"]
    shares = _figure(page, "fig-shares").find_all("table")[0]  # inline values
    assert [td.text() for td in shares.find_all("td")][:2] == ["Grain", "45"]


def test_alt_text_is_the_authors_else_a_generated_description(page: Element,
                                                               built: Built) -> None:
    alts = {i: _svg(_figure(page, i)).attrs["aria-label"] for i in CHARTS}
    assert all(_svg(_figure(page, i)).attrs["role"] == "img" for i in CHARTS)
    assert alts["fig-tonnage"].startswith("Line chart: tonnage rose in both ports")
    assert alts["fig-depths"].startswith("Bar chart of basin depths")
    assert alts["fig-ships"] == ("Bar chart. x axis: Kind of ship (nominal), 3 values: Ferry, "
                                 "Tanker, Tug. y axis: Ships (quantitative), 6 to 14. "
                                 "3 data rows.")
    assert alts["fig-shares"] == ("Bar chart. x axis: Share (%) (quantitative), 25 to 45. "
                                  "y axis: Cargo (nominal), 3 values: Grain, Timber, Coal. "
                                  "3 data rows.")
    message = ("warning: chart has no alt text: give it fig-alt=\"what it shows\" (a "
               "generated description stands in) [image.alt]")
    assert sorted(built.warnings) == [f"chapters/01-harbours.md:20: {message}",
                                      f"chapters/01-harbours.md:22: {message}"]


def test_the_pdf_draws_charts_as_text_and_tags_them_as_figures(built: Built) -> None:
    data = built.pdf_path.read_bytes()
    pages = [p.extract_text() for p in pypdf.PdfReader(built.pdf_path).pages]
    body = "\n".join(pages)
    for words in ("Tonnage (kt)", "Kind of ship", "Channel", "Figure 4. Share of cargo"):
        assert words in body, words  # selectable text, not a picture of it
    assert "Data of this chart" not in body  # the table is the web edition's
    assert check(data) == []
    figures = [e.alt for e in Tree(data).walk() if e.type == "Figure"]
    assert len(figures) == 4
    assert figures[0].startswith("Line chart: tonnage rose") and \
        figures[2].startswith("Bar chart. x axis: Kind of ship")


def test_the_word_edition_has_print_resolution_pictures(built: Built, tmp_path: Path) -> None:
    from PIL import Image

    shutil.unpack_archive(built.out / "charts.docx", tmp_path, "zip")
    media = sorted((tmp_path / "word" / "media").glob("*.png"))
    assert len(media) == 4
    for path in media:
        with Image.open(path) as image:
            assert round(image.info["dpi"][0]) == 300
    document = (tmp_path / "word" / "document.xml").read_text(encoding="utf-8")
    assert "Data of this chart" not in document and "Figure\u00a04" in document


def test_a_chart_is_themed_from_the_themes_variables(tmp_path: Path) -> None:
    """The drawing uses the theme's font, ink, accent and rule colours, and follows an
    edited theme; report.yaml's charts: wins over both; dark mode swaps the colours."""
    theme = tmp_path / "templates"
    shutil.copytree(DEFAULT_THEME, theme)
    base = theme / "css" / "base.css"
    base.write_text(base.read_text().replace("--accent: #0b5d7a;", "--accent: #7a0b4f;"))
    light, dark = theme_variables(theme)
    assert light["accent"] == "#7a0b4f" and dark["ink"] == "#e4e7eb"
    spec = {"data": {"values": [{"a": "x", "b": 1}, {"a": "y", "b": 2}]}, "mark": "bar",
            "encoding": {"x": {"field": "a", "type": "nominal"},
                         "y": {"field": "b", "type": "quantitative"}}}
    engine = start_engine([DEFAULT_THEME / "fonts"])
    svg = engine.svg(spec, chart_theme(theme).config)
    assert 'fill="#7a0b4f"' in svg  # the bars: the theme's accent
    assert f'fill="{light["ink"]}"' in svg  # axis labels: its ink
    assert f'stroke="{light["rule"]}"' in svg  # gridlines: its rule colour
    assert 'font-family="&quot;Source Sans 3&quot;' in svg or "Source Sans 3" in svg
    assert 'font-size="11px"' in svg
    before = chart_theme(theme).fingerprint()  # the fonts the renderer measures text with
    shutil.copyfile(theme / "fonts/SourceSans3-Bold.ttf", theme / "fonts/SourceSans3-It.ttf")
    assert chart_theme(theme).fingerprint() != before
    override = chart_theme(theme, {"mark": {"color": "#336699"}})
    assert 'fill="#336699"' in engine.svg(spec, override.config)
    assert override.dark[light["ink"]] == dark["ink"]


def test_the_page_and_pdf_carry_the_dark_mode_colours_only_for_screens(page: Element) -> None:
    style = _svg(_figure(page, "fig-ships")).find_all("style")[0].text()
    light, dark = theme_variables(DEFAULT_THEME)
    assert "@media (prefers-color-scheme: dark)" in style
    assert f'[fill="{light["ink"]}"]{{fill:{dark["ink"]}}}' in style


def test_inlining_makes_ids_unique_and_leaves_an_unsafe_svg_a_picture() -> None:
    from reportc.charts.inline import inline_charts

    def img(svg: str, alt: str) -> str:
        data = base64.b64encode(svg.encode()).decode()
        return f'<img src="{SVG_URL}{data}" class="chart" alt="{alt}" />'

    clipped = ('<svg xmlns="http://www.w3.org/2000/svg" class="marks" width="10"><defs>'
               '<clipPath id="clip1"><rect width="5"/></clipPath></defs>'
               '<g clip-path="url(#clip1)"><text>5 &lt; 6</text></g></svg>')
    scripted = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    page = inline_charts(img(clipped, "A &amp; B") + img(clipped, "C") + img(scripted, "D"))
    assert page.count('id="chart1-clip1"') == 1 and 'url(#chart2-clip1)' in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" width="10" class="chart" role="img" ' \
           'aria-label="A &amp; B" focusable="false">' in page
    assert "<script>" not in page.replace(img(scripted, "D"), "")  # it stays an <img>
    assert page.endswith(img(scripted, "D"))


# --- bad specs and bad data: one located error each, no traceback, out/ intact -----------

BAD_CHAPTER = """# Bad charts

```{.chart #fig-a fig-cap="A." fig-alt="A."}
mark: bar
encoding: {x: {field: year, type: ordinal
```

```{.chart #fig-b fig-cap="B." fig-alt="B."}
data: {url: "URL/x.csv"}
mark: bar
```

```{.chart #fig-c fig-cap="C." fig-alt="C."}
data: {url: ../outside.csv}
mark: bar
```

```{.chart #fig-d fig-cap="D." fig-alt="D."}
data: {url: data/tonnage.csv}
mark: bar
encoding:
  x: {field: year, type: ordinal}
  y: {field: tonage, type: quantitative}
```

```{.chart #fig-e fig-cap="E." fig-alt="E."}
data: {url: data/tonnage.csv}
mark: barr
```

```{.chart #fig-f fig-cap="F." fig-alt="F."}
data: {url: data/tonnage.csv}
transform: [{calculate: "foo(", as: b}]
mark: bar
```

![G.](charts/broken.vl.yaml){#fig-g fig-alt="G."}

![H.](charts/nowhere.vl.yaml){#fig-h fig-alt="H."}

```{.chart #fig-i fig-cap="I." fig-alt="I."}
data: {url: data/broken.json}
mark: bar
```
"""
BROKEN_SPEC = """data:
  url: data/depths.tsv
mark: {type: image}
"""


def test_bad_specs_and_bad_data_are_located_errors(tmp_path: Path) -> None:
    root = copy_root("charts", tmp_path)
    build(BuildOptions(root=root, formats=("html",)))
    before = (root / "out" / "charts.html").read_bytes()
    (root / "chapters" / "02-bad.md").write_text(BAD_CHAPTER.replace("URL", "http://127.0.0.1:9"),
                                                 encoding="utf-8")
    (root / "charts" / "broken.vl.yaml").write_text(BROKEN_SPEC, encoding="utf-8")
    (root / "data" / "broken.json").write_text('[{"a": 1},\n oops]\n', encoding="utf-8")
    (tmp_path / "outside.csv").write_text("a\n1\n", encoding="utf-8")
    done = run_cli(root, "--format", "html")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines()
              if line.startswith(("chapters/02-bad.md", "charts/"))]
    assert errors == [
        "chapters/02-bad.md:5: chart: invalid YAML: expected ',' or '}', but got '<stream end>'",
        "chapters/02-bad.md:9: chart: 'http://127.0.0.1:9/x.csv' is an address: a chart may "
        "use only files inside the report (nothing is fetched)",
        "chapters/02-bad.md:14: chart: data file '../outside.csv' is outside the report "
        "directory",
        "chapters/02-bad.md:23: chart: encoding 'y' names field 'tonage', which data file "
        "'data/tonnage.csv' does not have (columns: year, port, tonnage)",
        "chapters/02-bad.md:28: chart: unknown mark 'barr' (known: arc, area, bar, boxplot, "
        "circle, errorband, errorbar, line, point, rect, rule, square, text, tick, trail)",
        "chapters/02-bad.md:42: chart: data file 'data/broken.json' is not valid JSON: "
        "Expecting value (its line 2)",
        "charts/broken.vl.yaml:3: chart: 'image' marks are not supported: they load pictures "
        "from addresses; draw with the other marks",
        "chapters/02-bad.md:39: missing chart spec 'charts/nowhere.vl.yaml' (paths are "
        "relative to the report directory)",
    ], done.stderr
    assert (root / "out" / "charts.html").read_bytes() == before


def test_a_spec_the_renderer_refuses_is_an_error_with_its_message(tmp_path: Path) -> None:
    """Drawn while the chapters are rendered; its error comes at the spec's first line."""
    root = copy_root("charts", tmp_path)
    bad = BAD_CHAPTER.split("![G.]")[0].split("```{.chart #fig-f")[1]
    (root / "chapters" / "02-bad.md").write_text("# Bad\n\n```{.chart #fig-f" + bad,
                                                 encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(root=root, formats=("html",)))
    assert [str(p) for p in failure.value.problems] == [
        "chapters/02-bad.md:4: chart: the renderer refused the spec: Unexpected end of input"]


def test_an_edited_csv_redraws_exactly_that_chart(tmp_path: Path, monkeypatch) -> None:
    root = copy_root("charts", tmp_path)
    build(BuildOptions(root=root, formats=("html",)))
    drawn: list[str] = []
    real = reportc.charts.engine.ChartEngine.svg

    def counting(self, spec, config):
        drawn.append(spec["data"]["values"][:20] if isinstance(spec.get("data", {}).get(
            "values"), str) else "inline")
        return real(self, spec, config)

    monkeypatch.setattr(reportc.charts.engine.ChartEngine, "svg", counting)
    csv = root / "data" / "tonnage.csv"
    csv.write_text(csv.read_text().replace("2021,South,111", "2021,South,140"))
    result = build(BuildOptions(root=root, formats=("html",)))
    assert not result.up_to_date
    assert drawn == ["year,port,tonnage\n20"]  # that chart only; the other three cached
    page = parse_html((root / "out" / "charts.html").read_text(encoding="utf-8"))
    table = _figure(page, "fig-tonnage").find_all("table")[0]
    assert "140" in [td.text() for td in table.find_all("td")]
    clean = build_root(root, out=tmp_path / "clean", formats=("html",), use_cache=False)
    assert clean.html_path.read_bytes() == (root / "out" / "charts.html").read_bytes()


def test_a_report_without_charts_never_starts_the_renderer(tmp_path: Path,
                                                           monkeypatch) -> None:
    monkeypatch.setattr(reportc.charts.engine, "_engine", None)
    build_root(copy_root("basic", tmp_path), formats=("html",))
    assert reportc.charts.engine.current_engine() is None


def test_flagship_timeline_rows_come_from_its_data() -> None:
    """The timeline's data keeps the former script's 17 events, each with a source key that
    is an entry of the bibliography."""
    root = Path(__file__).resolve().parents[1]
    rows = (root / "data" / "events.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "date,precision,event,source"
    keys = set(re.findall(r"^@\w+\{([^,]+),", (root / "references.bib").read_text(),
                          re.M))
    events = [row.split(",") for row in rows[1:]]
    assert len(events) == 17 and {e[-1] for e in events} <= keys
    def middle(event: list[str]) -> float:  # where the chart places it
        year = int(event[0][:4])
        return {"year": year + 0.5, "month": year + (int(event[0][5:7] or 1) - 0.5) / 12,
                "early-decade": year + 1.5}[event[1]]
    assert [middle(e) for e in events] == sorted(middle(e) for e in events)  # in date order
    assert subprocess.run(["git", "ls-files", "scripts/make_timeline.py"], cwd=root,
                          capture_output=True, text=True, check=False).stdout == ""


def test_charts_option_must_be_a_mapping(tmp_path: Path) -> None:
    root = copy_root("charts", tmp_path)
    config = root / "report.yaml"
    config.write_text(config.read_text() + "charts: dark\n")
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(root=root, formats=("html",)))
    assert [str(p) for p in failure.value.problems] == [
        "report.yaml:8: 'charts' must be a mapping of Vega-Lite config settings (font: ..., "
        "axis: {...})"]


def test_a_rebuild_with_every_chart_cached_starts_no_renderer(tmp_path: Path,
                                                              monkeypatch) -> None:
    root = copy_root("charts", tmp_path)
    build(BuildOptions(root=root, formats=("html",)))
    monkeypatch.setattr(reportc.charts.engine, "_engine", None)  # a new process, as a CLI run
    chapter = root / "chapters" / "01-harbours.md"
    chapter.write_text(chapter.read_text().replace("Tonnage grew", "Tonnage rose"))
    assert not build(BuildOptions(root=root, formats=("html",))).up_to_date
    engine = reportc.charts.engine.current_engine()
    assert engine is not None and engine._process is None


def test_an_edit_after_a_clean_build_writes_only_the_edited_chapter_again(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A chart's figure holds the same stand-in whether it was drawn in this build or an
    earlier one, so the chapter holding it is the same document after a clean build: the
    first edit to another chapter cites and writes that chapter alone (it wrote the chart's
    chapter again too, under another key), and the page equals a clean build's."""
    root = copy_root("charts", tmp_path)
    other = root / "chapters" / "02-notes.md"
    other.write_text("# Notes\n\nThe ports are listed in @fig-tonnage.\n", encoding="utf-8")
    build(BuildOptions(root=root, formats=("html",)))
    other.write_text(other.read_text(encoding="utf-8") + "\nOne more line.\n",
                     encoding="utf-8")
    caplog.clear()  # the first build's lines, where an earlier test left the level at INFO
    with caplog.at_level(logging.INFO, logger="reportc"):
        assert not build(BuildOptions(root=root, formats=("html",))).up_to_date
    written = [r.getMessage().strip() for r in caplog.records
               if "rendered" in r.getMessage() and "chapters/" in r.getMessage()]
    # the chapter whole, or its edited blocks alone (reportc.citing.pieces)
    assert written in (["reportc:   rendered chapters/02-notes.md"],
                       ["reportc:   rendered the edited blocks of chapters/02-notes.md"])
    clean = build_root(root, out=tmp_path / "clean", formats=("html",), use_cache=False)
    assert clean.html_path.read_bytes() == (root / "out" / "charts.html").read_bytes()
