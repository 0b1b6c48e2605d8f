"""More of what real Jupyter Books write, as a reader meets it: tables of contents other
than jb-book (jb-article, the list before Jupyter Book 0.11, an unknown format: a located
error), MyST-NB's ``{glue}`` (a notebook's stored output printed elsewhere), and
sphinx-design's tabs, cards, grids and badges. Each book is written by its test, small,
and built to HTML only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import build_root

from reportc.build import BuildOptions, build
from reportc.errors import ReportError

CONFIG = 'title: "{title}"\nexecute:\n  execute_notebooks: "off"\n'


def _book(root: Path, toc: str, pages: dict[str, str], title: str = "") -> Path:
    """A book of ``pages`` (name -> text) in ``root`` with ``toc`` as its _toc.yml."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "_toc.yml").write_text(toc, encoding="utf-8")
    (root / "_config.yml").write_text(CONFIG.format(title=title), encoding="utf-8")
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _html(built) -> str:
    html = built.html_path.read_text(encoding="utf-8")
    return html[html.index("<main"):html.index("</main>")]


def _text(built) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", _html(built)).split())


def _contents(built) -> str:
    html = built.html_path.read_text(encoding="utf-8")
    nav = html[html.index("<nav"):html.index("</nav>")]
    return " ".join(re.sub(r"<[^>]+>", " ", nav).split())


PAGES = {"intro.md": "# Intro\n\nHello.\n", "one.md": "# One\n\nFirst.\n",
         "one-a.md": "# One A\n\nBelow one.\n", "two.md": "# Two\n\nSecond.\n"}


def test_a_toc_before_jupyter_book_0_11_is_read_as_it_migrates(tmp_path):
    toc = ("- file: intro\n  numbered: true\n- part: Getting started\n  chapters:\n"
           "  - file: one\n    sections:\n    - file: one-a\n- part: More\n  chapters:\n"
           "  - file: two\n")
    built = build_root(_book(tmp_path / "old", toc, PAGES, "Old book"), formats=("html",))
    assert _contents(built) == "Contents 1 Intro Getting started 2 One 2.1 One A More 3 Two"
    said = [w for w in built.warnings if w.startswith("_toc.yml:1:")]
    assert len(said) == 1 and "jupyter-book toc migrate" in said[0]


def test_an_old_toc_without_parts_lists_chapters(tmp_path):
    toc = "- file: intro\n  sections:\n  - file: one\n- file: two\n  sections:\n  - file: one-a\n"
    built = build_root(_book(tmp_path / "flat", toc, PAGES, "Flat"), formats=("html",))
    assert _contents(built) == "Contents 1 Intro 2 One 3 Two 3.1 One A"


def test_a_jb_article_is_one_document_its_files_sections(tmp_path):
    toc = "format: jb-article\nroot: intro\nsections:\n- file: one\n  sections:\n" \
          "  - file: one-a\n- file: two\n"
    built = build_root(_book(tmp_path / "art", toc, PAGES), formats=("html",))
    html = _html(built)
    assert html.count('class="chapter-heading') == 1  # the root page: the one chapter
    assert re.search(r"<h3[^>]*>One</h3>.*<h4[^>]*>One A</h4>.*<h3[^>]*>Two</h3>", html, re.S)
    assert _text(built).startswith("Intro Hello. One First. One A Below one. Two Second.")


def test_an_unknown_toc_format_is_a_located_error_that_says_what_to_write(tmp_path):
    toc = "root: intro\nformat: jb-paper\nchapters:\n- file: one\n"
    root = _book(tmp_path / "odd", toc, PAGES, "Odd")
    with pytest.raises(ReportError) as raised:
        build(BuildOptions(root=root, formats=("html",)))
    assert str(raised.value).startswith("_toc.yml:2: format 'jb-paper'")
    assert "jb-book or jb-article" in str(raised.value)


PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJ"
       "RU5ErkJggg==")
RECORD = "application/papermill.record/"
DATAFRAME = ('<div>\n<style scoped>\n    .dataframe tbody tr th {\n        vertical-align: top;\n'
             '    }\n</style>\n<table border="1" class="dataframe">\n  <tbody>\n    <tr>\n'
             '      <td>Raz</td>\n      <td>4</td>\n    </tr>\n  </tbody>\n</table>\n'
             '<p>1 rows \u00d7 2 columns</p>\n</div>')


def _glued(name: str, data: dict, shown: bool = True) -> dict:
    """An output as MyST-NB's ``glue(name, value, display=shown)`` stores it."""
    prefix = "" if shown else RECORD
    return {"output_type": "display_data", "data": {prefix + k: v for k, v in data.items()},
            "metadata": {"scrapbook": {"name": name, "mime_prefix": prefix}}}


def _notebook() -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Measures\n", "\n",
                                                             "Stored when it last ran."]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["import math"],
         "outputs": []},  # it ran and printed nothing: no warning
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["formula"],
         "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                      "data": {"image/png": PNG, "text/plain": "\u239b1\u239e\n\u239d2\u23a0"}}]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": [
            "glue('speed', 4.5678)\n", "glue('site', 'Raz', display=False)"], "outputs": [
            _glued("speed", {"text/plain": "4.5678"}),
            _glued("site", {"text/plain": "'Raz'"}, shown=False)]},
        {"cell_type": "code", "metadata": {}, "execution_count": 2, "source": [
            "glue('plot', fig, display=False)\n", "glue('law', Math('P = k v^3'))\n",
            "glue('sites', frame, display=False)"], "outputs": [
            _glued("plot", {"image/png": PNG, "text/plain": "<Figure size 640x480>"}, False),
            _glued("law", {"text/latex": "$\\displaystyle P = k v^3$",
                           "text/plain": "<IPython.core.display.Math object>"}, False),
            _glued("sites", {"text/html": DATAFRAME,
                             "text/plain": "   site  speed\n0  Raz  4"}, False)]}]
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {"language": "python"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1)


GLUE_PAGE = """# Results

The peak speed was {glue}`speed` m/s, about {glue:text}`speed:.1f` m/s, at
{glue:text}`site` ({glue}`site` as Python prints it).

```{glue:figure} plot
:name: fig-plot

Current speeds over a day.
```

{numref}`fig-plot` shows the day; the law is {eq}`eq-law`.

```{glue:math} law
:label: eq-law
```

```{glue} sites
```

```{glue:figure} sites
:name: fig-sites

The sites, glued as a table.
```

A name never glued: {glue:text}`nowhere`.
"""


@pytest.fixture(scope="module")
def glued(tmp_path_factory):
    toc = "format: jb-book\nroot: measures\nchapters:\n- file: results\n"
    root = _book(tmp_path_factory.mktemp("glue") / "glue", toc,
                 {"measures.ipynb": _notebook(), "results.md": GLUE_PAGE}, "Glue")
    return build_root(root, formats=("html",))


def test_glue_roles_print_the_stored_values(glued):
    text = _text(glued)
    assert "The peak speed was 4.5678 m/s, about 4.6 m/s, at Raz (\u2018Raz\u2019 as Python " \
        "prints it)." in text  # {glue:text} reads the stored 'Raz' as Python does
    assert "{glue" not in text and "speed:.1f" not in text


def test_a_value_glued_without_display_is_not_printed_in_its_cell(glued):
    measures = _html(glued).split('id="ch-results"')[0]
    assert '</pre></div>\n<pre class="text"><code>4.5678</code></pre>' in measures
    assert measures.count("<img") == 1 and "<table" not in measures  # display=False: not here
    assert not [w for w in glued.warnings if "code cell printed" in w]  # the cells ran
    assert 'alt="\u239b1\u239e \u239d2\u23a0"' in measures  # a formula's text/plain, one line


def test_glue_figure_and_math_are_numbered_and_referenced(glued):
    html = _html(glued)
    assert re.search(r'<figure[^>]*id="fig-plot".*?<img[^>]+src="data:image/png;base64,'
                     r'iVBOR.*?Figure\s1\.</span> Current speeds over a day', html, re.S)
    text = _text(glued)
    assert re.search(r"Figure\s1 shows the day; the law is \( ?1 ?\)", text)
    assert re.search(r'id="eq-law" class="equation"><math display="block".*?<mi>P</mi>', html)
    assert "<td>Raz</td>" in html and "vertical-align" not in html  # a DataFrame: its table
    assert "</table>\n<p>1 rows \u00d7 2 columns</p>" in html  # and its size
    assert not [w for w in glued.warnings if "[raw.html]" in w]
    assert re.search(r'<figure[^>]*id="fig-sites".*?<td>Raz</td>.*?Figure\s2\.</span> The '
                     r"sites, glued as a table", html, re.S)  # a figure of what is no image


def test_a_name_no_notebook_glued_is_a_located_warning_its_words_kept(glued):
    said = [w for w in glued.warnings if "[myst.glue]" in w]
    lines = GLUE_PAGE.split("\n")
    at = next(n for n, line in enumerate(lines, 1) if "nowhere" in line)
    assert len(said) == 1 and said[0].startswith(f"results.md:{at}: warning: glue 'nowhere'")
    assert "A name never glued: nowhere." in _text(glued)


def test_a_glued_value_edited_in_its_notebook_rebuilds_as_a_clean_build(tmp_path):
    """The page that pastes a value is not the file that changed: the rebuild from the
    cache must print the new value as a --no-cache build does."""
    toc = "format: jb-book\nroot: measures\nchapters:\n- file: results\n"
    root = _book(tmp_path / "glue", toc, {"measures.ipynb": _notebook(),
                                          "results.md": GLUE_PAGE}, "Glue")
    build(BuildOptions(root=root, formats=("html",)))
    notebook = root / "measures.ipynb"
    notebook.write_text(notebook.read_text(encoding="utf-8").replace('"4.5678"', '"5.25"'),
                        encoding="utf-8")
    build(BuildOptions(root=root, formats=("html",)))
    clean = tmp_path / "clean"
    build(BuildOptions(root=root, formats=("html",), out=clean, use_cache=False))
    edited = (root / "out" / "glue.html").read_bytes()
    assert edited == (clean / "glue.html").read_bytes()
    assert b"The peak speed was 5.25 m/s, about 5.2 m/s" in edited


DESIGN_PAGE = """# Design

::::{tab-set}
:::{tab-item} Python
:sync: py
Python words.
:::
:::{tab-item} R
R words.
:::
::::

:::{card} Card Title
:link: https://example.com

Header words
^^^
Card content.
+++
Footer words
:::

::::{grid} 1 2 2 2
:gutter: 2

:::{grid-item-card} First card
:link: target
:link-type: ref

Card one body.
:::
::::

````{tab-set-code}
```python
print(1)
```
````

```{button-link} https://example.com
Go there
```

```{button-ref} target
Back to target
```

A badge {bdg-primary}`new`, a link badge {bdg-link-info}`docs <https://example.com>`,
an icon {octicon}`rocket;1em` here.

::::{card-carousel} 2
:::{card} Remote
:img-top: https://example.com/logo.png
A gallery card.
:::
::::

````{tab} Shell
Inline tabs.
````

```{index} single: tides
```

```{toggle}
Toggled words.
```
"""


@pytest.fixture(scope="module")
def design(tmp_path_factory):
    toc = "format: jb-book\nroot: intro\nchapters:\n- file: design\n"
    pages = {"intro.md": "# Intro\n\n(target)=\n## Target\n\nAim.\n", "design.md": DESIGN_PAGE}
    return build_root(_book(tmp_path_factory.mktemp("design") / "design", toc, pages,
                            "Design"), formats=("html",))


def test_tabs_cards_and_grids_print_every_part_titled(design):
    text = _text(design)
    design_text = text[text.index("Design"):]
    assert design_text.startswith("Design Python Python words. R R words. Card Title Header "
                                  "words Card content. Footer words First card Card one body. "
                                  "print ( 1 ) Go there Back to target A badge new, a link "
                                  "badge docs , an icon here.")
    html = _html(design)
    assert "<strong>Python</strong>" in html and "<strong>R</strong>" in html  # tab labels
    assert '<strong><a href="https://example.com">Card Title</a></strong>' in html
    assert '<a href="#sec-target">First card</a>' in html  # :link-type: ref
    assert '<a href="https://example.com">Go there</a>' in html
    assert '<a href="#sec-target">Back to target</a>' in html
    assert '<a href="https://example.com">docs</a>' in html  # {bdg-link-*}
    assert text.endswith("here. Remote A gallery card. Shell Inline tabs. Toggled words.")
    assert "logo.png" not in html  # a card's image on the web: left out, not an error


def test_sphinx_design_is_read_without_warnings_or_markup(design):
    assert not [w for w in design.warnings if "[myst." in w]
    text = _text(design)
    for raw in ("^^^", "+++", "1 2 2 2", ":sync:", ":link:", "{bdg", "rocket", "{tab"):
        assert raw not in text, raw


def test_a_toc_with_headers_before_0_9_groups_the_files_after_each(tmp_path):
    toc = "- file: intro\n- file: one\n\n- header: Basics\n- file: one-a\n- file: two\n"
    built = build_root(_book(tmp_path / "hdr", toc, PAGES, "Headers"), formats=("html",))
    assert _contents(built) == "Contents 1 Intro 2 One Basics 3 One A 4 Two"


OLDER_PAGE = """# Older

The [@vectorize](https://numba.pydata.org) decorator, and @property too, are words.

![Chart](/_static/chart.png)

```{math}
---
label: poly
---

p(x) = a_0 + a_1 x
```

See {math:numref}`poly`.

<!-- a draft, left out
```{code-cell} ipython3
draft()
``` -->

```{link-button} https://example.com/lab
:text: Launch lab
```

````{tabbed} First tab
Tab words.
````

````{panels}
Left panel.
---
Right panel.
````

Call {py:func}`~numpy.linalg.solve` on a {class}`frame <pandas.DataFrame>` of
{index}`tides`.

```{figure-md} md-chart
![A chart](/_static/chart.png)

The chart, written in Markdown.
```

{numref}`md-chart` shows it.

:::{figure-md} html-chart
<img src="/_static/chart.png" alt="An HTML chart" width="200px">

Drawn in HTML.
:::

[The HTML chart](html-chart) is {numref}`html-chart`.

```{footbibliography}
```

The lift is $\\lift{2}$, with macros MathJax defines.

`````{tabs}
````{code-tab} py
print("tabs")
````
`````
"""


def test_what_books_written_for_older_tools_hold_prints_as_meant(tmp_path):
    """Found building 2i2c's utoronto-demo (a toc before 0.9, sphinx-panels, QuantEcon's
    lectures): each was a failed build, markup printed or a warning."""
    root = _book(tmp_path / "older", "format: jb-book\nroot: older\n", {"older.md": OLDER_PAGE},
                 "Older")
    with (root / "_config.yml").open("a", encoding="utf-8") as config:  # MathJax 3's macros
        config.write("sphinx:\n  config:\n    mathjax3_config:\n      tex:\n        macros:\n"
                     '          lift: ["L_{#1}", 1]\n')
    (root / "_static").mkdir()
    (root / "_static" / "chart.png").write_bytes(__import__("base64").b64decode(PNG))
    built = build_root(root, formats=("html",))
    text, html = _text(built), _html(built)
    assert "The @vectorize decorator, and @property too, are words." in text  # no citations
    assert '<img src="_static/chart.png" alt="Chart"' in html  # "/_static": from the root
    assert re.search(r'id="eq-poly" class="equation"><math display="block"', html)
    assert re.search(r"See \( ?1 ?\)", text)
    assert "draft" not in text and "```" not in text  # an HTML comment's fences: nothing
    assert '<a href="https://example.com/lab">Launch lab</a>' in html
    assert "First tab Tab words. Left panel. Right panel." in text
    assert "Call solve on a frame of tides." in text and "<code>solve</code>" in html
    assert re.search(r'<figure id="fig-md-chart"[^>]*>\s*<img src="_static/chart.png" '
                     r'alt="A chart".*?Figure\s2\.</span> The chart, written in Markdown', html,
                     re.S)
    assert re.search(r"Figure\s2 shows it\.", text)  # (Figure 1: the captioned image)
    assert re.search(r'<figure id="fig-html-chart"[^>]*>\s*<img src="_static/chart.png" '
                     r'width="200" alt="An HTML chart".*?Figure\s3\.</span> Drawn in HTML',
                     html, re.S)
    assert re.search(r'<a href="#fig-html-chart">The HTML chart</a> is <a href="#fig-html-'
                     r'chart" class="xref">Figure\s3</a>', html)
    assert re.search(r"The lift is <math.*?<msub><mi>L</mi><mn>2</mn></msub>", html, re.S)
    assert '<code class="sourceCode python"><span id="cb1-1"><a href="#cb1-1" aria-hidden' \
        in html and "tabs" in text
    assert not [w for w in built.warnings if "[myst." in w]


def test_a_book_without_a_title_takes_its_root_notebooks_heading(tmp_path):
    toc = "format: jb-book\nroot: measures\n"
    built = build_root(_book(tmp_path / "untitled", toc, {"measures.ipynb": _notebook()}),
                       formats=("html",))
    assert built.slug == "measures"  # the notebook's '# Measures' (was: 'title' is required)
    assert '<h1 class="report-title">Measures</h1>' in built.html_path.read_text(encoding="utf-8")
