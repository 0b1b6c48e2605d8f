"""What a real Quarto book (kviswana/bus-stats-quarto-book, read for this; the fixtures
are written here) needed before it built: a date written 1/15/2026, a display formula
whose ``=`` line under ``x`` split the chapter as a heading, and tables written as one
```` ```{=html} ```` block with a caption and a ``tbl-`` id that the text refers to."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import build_root, copy_root

from reportc.errors import BuildFailed, ConfigError
from reportc.project.checks import read_date
from reportc.project.split import headings


@pytest.mark.parametrize(("written", "meant"), [
    ("2026-01-15", dt.date(2026, 1, 15)), ("2026/01/15", dt.date(2026, 1, 15)),
    ("1/15/2026", dt.date(2026, 1, 15)), ("15/1/2026", dt.date(2026, 1, 15)),
    ("03/04/2026", dt.date(2026, 3, 4)), ("15.01.2026", dt.date(2026, 1, 15)),
    ("January 15, 2026", dt.date(2026, 1, 15)), ("15 Jan 2026", dt.date(2026, 1, 15)),
    ("Sept 3rd, 2025", dt.date(2025, 9, 3)),
    ("13/13/2026", None), ("2026-13-01", None), ("soon", None), ("1/15/26", None),
])
def test_dates_are_read_as_quarto_reads_them(written, meant):
    assert read_date(written) == meant


def test_a_project_date_in_us_form_builds(tmp_path):
    root = copy_root("basic", tmp_path)
    report = root / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("date: 2026-05-04",
                                                                 'date: "5/4/2026"'),
                      encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert "4 May 2026" in built.html_path.read_text(encoding="utf-8")


def test_a_line_of_a_formula_is_no_heading():
    text = "# Chapter\n\nText.\n\n$$\nx\n=\ny\n$$ {#eq-x}\n\nA title\n=======\n"
    assert headings(text) == [(0, 1), (10, 1)]
    assert headings("# A\n\nCosts $$x\n=\n1$$ here.\n") == [(0, 1)]


FORMULA_AND_TABLE = """
And he writes @eq-quality:

$$
\\text{Model quality}
=
\\frac{\\text{Var}(\\text{estimates})}
     {\\text{Var}(\\text{outcome})}
$$ {#eq-quality}

@tbl-penalty shows the computation.

```{=html}
<table id="tbl-penalty" style="border-collapse:collapse;">
  <caption>Decision and resulting penalties</caption>
  <thead>
    <!-- the decision row above the headers -->
    <tr><td colspan="2">Decision =</td><td>6</td></tr>
    <tr><th>choice</th><th>diff</th><th>penalty</th></tr>
  </thead>
  <tbody><tr><td>9</td><td>-3</td><td>9</td></tr></tbody>
</table>
```
"""


def test_a_formula_over_lines_and_an_html_table_block_are_numbered_and_referred_to(tmp_path):
    root = copy_root("basic", tmp_path)
    chapter = root / "chapters" / "01-intro.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + FORMULA_AND_TABLE,
                       encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    assert not [w for w in built.warnings if "01-intro" in w], built.warnings
    assert re.search(r'<a href="#tbl-penalty" class="xref">Table\xa0\d+</a> shows', html)
    assert 'href="#eq-quality"' in html and "Decision and resulting penalties" in html
    assert "the decision row" not in html and "\\text" not in html.split("<math")[0]


def _paged_table(rows: int, columns: int) -> str:
    """R Markdown's paged table as knitr leaves it in a frozen Quarto result."""
    import json

    spec = {"columns": [{"label": [f"col{c}"], "name": [c], "type": ["chr"],
                         "align": ["right" if c == 1 else "left"]}
                        for c in range(1, columns + 1)],
            "data": [{str(c): "__NA__" if (r, c) == (2, 2) else f"r{r}c{c}"
                      for c in range(1, columns + 1)} for r in range(1, rows + 1)],
            "options": {"columns": {"min": {}, "max": [10]},
                        "rows": {"min": [10], "max": [10]}, "pages": {}}}
    return ("\n`````{=html}\n<div data-pagedtable=\"false\">\n  <script data-pagedtable-source "
            f"type=\"application/json\">\n{json.dumps(spec)}\n  </script>\n</div>\n`````\n")


def test_a_paged_table_prints_its_first_page(tmp_path):
    """kviswana/bus-stats-quarto-book shows data frames with df_print: paged: each was a
    script, left out with a warning, and the data frame missing from the book."""
    root = copy_root("basic", tmp_path)
    chapter = root / "chapters" / "01-intro.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nThe data:\n" +
                       _paged_table(12, 11) + "\nA small one:\n" + _paged_table(3, 2),
                       encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert not [w for w in built.warnings if "01-intro" in w], built.warnings
    html = built.html_path.read_text(encoding="utf-8")
    tables = re.findall(r"<table>.*?</table>", html[html.index("The data:"):], re.S)
    big, small = tables[0], tables[1]
    assert big.count("<tr") == 11 and "r10c10" in big and "r11c1" not in big
    assert "col10" in big and "col11" not in big and ">NA<" in big and "__NA__" not in big
    assert "Shown: rows 1–10 of 12, columns 1–10 of 11." in html
    assert small.count("<tr") == 4 and html.count("Shown:") == 1
    assert "pagedtable" not in html
    assert '<div class="paged-table-extent">' in html  # the counts read.lua gave are used up
    config = root / "report.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("lang: en-GB", "lang: de"),
                      encoding="utf-8")
    html = build_root(root, formats=("html",), git_stamp=False).html_path.read_text(
        encoding="utf-8")
    assert "Angezeigt: Zeilen 1–10 von 12, Spalten 1–10 von 11." in html
    assert "Shown:" not in html


def test_a_projects_lua_filters_are_said_not_to_run(tmp_path):
    """aeturrell/cookie-cutter-quarto-book-manuscript lists section-bibliographies, which
    puts a bibliography under each chapter; reportc runs no filter and must say so."""
    from reportc.errors import Diagnostics
    from reportc.project.config import load_config

    (tmp_path / "index.qmd").write_text("# Preface\n\nText.\n", encoding="utf-8")
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: T\n  chapters: [index.qmd]\nfilters:\n"
        "  - quarto\n  - section-bibliographies\n  - path: tools/own.lua\n", encoding="utf-8")
    diag = Diagnostics()
    load_config(tmp_path, diag)
    assert [str(w) for w in diag.warnings] == [
        f"_quarto.yml:{line}: warning: filter '{name}' is not run (reportc runs no project "
        "filters): what it adds or changes is not in the editions [quarto.filter]"
        for name, line in (("section-bibliographies", 8), ("tools/own.lua", 9))]


def test_quartos_include_in_header_gives_its_macros_to_every_formula(tmp_path):
    """A Quarto book keeps LaTeX macros in ``format: pdf: include-in-header:`` (a file or
    ``text:``); its definitions hold in the web edition's formulas too."""
    from reportc.build import BuildOptions, build

    (tmp_path / "index.qmd").write_text("# Preface\n\nThe estimate $\\argmin_x f$ in $\\R$.\n",
                                        encoding="utf-8")
    (tmp_path / "macros.tex").write_text("\\usepackage{amsmath}\n"
                                         "\\DeclareMathOperator*{\\argmin}{arg\\,min}\n",
                                         encoding="utf-8")
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: T\n  chapters: [index.qmd]\nformat:\n"
        "  html:\n    include-in-header:\n      - text: <script>window.x = 1;</script>\n"
        "  pdf:\n    include-in-header:\n      - macros.tex\n"
        "      - text: \\newcommand{\\R}{\\mathbb{R}}\n", encoding="utf-8")
    built = build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    assert not built.diagnostics.problems
    html = (tmp_path / "out/t.html").read_text(encoding="utf-8")
    assert "<math" in html and "window.x" not in html
    (tmp_path / "macros.tex").write_text("% nothing defined\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    assert "\\argmin is not defined" in str(failed.value.problems[0])


@pytest.mark.parametrize("project", ["report.yaml", "_quarto.yml"])
def test_an_article_without_level_one_headings_is_one_chapter_under_its_title(tmp_path,
                                                                            project):
    """Quarto's own test documents are articles: a title in the front matter and ``##``
    sections (29 of 40 picked from quarto-cli's smoke tests stopped at 'chapter has no
    title'). A ``#`` heading inside a ``:::`` block is the block's, not a chapter's."""
    from reportc.build import BuildOptions, build

    (tmp_path / "doc.qmd").write_text(
        "---\ntitle: An article\n---\n\n## First\n\nText.\n\n## Second\n\n"
        "::: {.solution}\n\n# **Solution** 2\n\nThe solution.\n:::\n", encoding="utf-8")
    if project == "report.yaml":
        (tmp_path / "report.yaml").write_text("chapters: [doc.qmd]\n", encoding="utf-8")
    else:
        (tmp_path / "_quarto.yml").write_text("project:\n  render: [doc.qmd]\n",
                                              encoding="utf-8")
    built = build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    assert not built.diagnostics.problems
    html = (tmp_path / "out/an-article.html").read_text(encoding="utf-8")
    main = html[html.index("<main"):]
    assert main.count('class="chapter-title">An article<') == 1  # one chapter, its title
    assert "chapter-label" not in main and "secnum" not in main  # unnumbered, as Quarto's
    assert ">First</h3>" in main and ">Second</h3>" in main  # its sections (web: one down)
    assert "Solution (<strong>Solution</strong> 2)." in main


def test_a_websites_title_and_an_articles_unnumbered_sections(tmp_path):
    """A Quarto website gives its title under ``website:``; a document rendered alone
    numbers nothing unless it says ``number-sections: true`` (Quarto's default), and a
    last heading with nothing under it is printed (only a last ``# References`` is
    where the bibliography goes)."""
    from reportc.build import BuildOptions, build

    (tmp_path / "_quarto.yml").write_text("project:\n  type: website\nwebsite:\n"
                                          "  title: Harbour notes\n", encoding="utf-8")
    page = tmp_path / "index.qmd"
    page.write_text("---\ntitle: Home\n---\n\n# Tides\n\nText.\n\n## Neap\n\nMore.\n\n"
                    "# Moon\n\nText.\n\n## Last words\n", encoding="utf-8")
    build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    html = (tmp_path / "out/harbour-notes.html").read_text(encoding="utf-8")
    main = html[html.index("<main"):]
    assert 'class="report-title">Harbour notes<' in html
    assert "chapter-label" not in main and "secnum" not in main
    assert ">Last words</h3>" in main
    page.write_text(page.read_text(encoding="utf-8").replace(
        "title: Home\n", "title: Home\nnumber-sections: true\n"), encoding="utf-8")
    build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    html = (tmp_path / "out/harbour-notes.html").read_text(encoding="utf-8")
    assert 'class="chapter-label">Chapter 2<' in html and ">1.1</span> Neap" in html


def test_a_documents_own_filters_are_said_not_to_run(tmp_path):
    """quarto-cli's callout-constructor.qmd builds a callout in its own filter: without
    the filter nothing prints, and that must not pass without a word."""
    from reportc.build import BuildOptions, build

    (tmp_path / "doc.qmd").write_text("---\ntitle: T\nfilters:\n  - callout.lua\n---\n\n"
                                      "Text.\n", encoding="utf-8")
    (tmp_path / "report.yaml").write_text("chapters: [doc.qmd]\n", encoding="utf-8")
    built = build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    assert [str(w) for w in built.diagnostics.warnings] == [
        "doc.qmd:3: warning: filter 'callout.lua' is not run (reportc runs no project "
        "filters): what it adds or changes is not in the editions [quarto.filter]"]


def test_an_include_may_name_a_file_with_spaces_in_quotes(tmp_path):
    """quarto-cli's 3159.qmd includes "_file with spaces.md": its text was lost, with a
    warning about an unknown shortcode."""
    from reportc.build import BuildOptions, build

    (tmp_path / "doc.qmd").write_text(
        "---\ntitle: T\n---\n\n{{< include \"_file with spaces.md\" >}}\n\n"
        "{{< include '_single quoted.md' >}}\n", encoding="utf-8")
    (tmp_path / "_file with spaces.md").write_text("Included text.\n", encoding="utf-8")
    (tmp_path / "_single quoted.md").write_text("Second text.\n", encoding="utf-8")
    (tmp_path / "report.yaml").write_text("chapters: [doc.qmd]\n", encoding="utf-8")
    built = build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    assert not built.diagnostics.problems
    html = (tmp_path / "out/t.html").read_text(encoding="utf-8")
    assert "<p>Included text.</p>" in html and "<p>Second text.</p>" in html


def test_meta_var_and_kbd_shortcodes_print_their_values(tmp_path):
    """Quarto's {{< meta >}} (the front matter over _quarto.yml), {{< var >}}
    (_variables.yml) and {{< kbd >}}: left out, they broke the text around them ("Press
    now.", "$5 + $", an image with an empty path)."""
    from reportc.build import BuildOptions, build

    (tmp_path / "doc.qmd").write_text(
        "---\ntitle: T\nfive: 5\nauthor:\n  name: Ada\n---\n\n"
        "Sum $5 + {{< meta five >}}$ by {{< meta author.name >}}.\n\n"
        "Press {{< kbd Ctrl-C >}} in {{< meta site >}} {{< var version >}}; "
        "`{{< meta five >}}` stays code; {{{< meta five >}}} is escaped; "
        "{{< var missing.key >}} is not.\n", encoding="utf-8")
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [doc.qmd]\nsite: Harbour\n",
                                          encoding="utf-8")
    (tmp_path / "_variables.yml").write_text("version: '2.1'\n", encoding="utf-8")
    built = build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    assert [str(w) for w in built.diagnostics.warnings] == [
        "doc.qmd:10: warning: '{{< var missing.key >}}': no such value (left out) "
        "[shortcode.unknown]"]
    html = (tmp_path / "out/t.html").read_text(encoding="utf-8")
    assert "5 + 5" in html and "by Ada." in html
    assert 'Press <code class="kbd">Ctrl-C</code> in Harbour 2.1;' in html
    assert "<code>{{&lt; meta five &gt;}}</code> stays code" in html
    assert "{{&lt; meta five &gt;}} is escaped" in html
    (tmp_path / "_variables.yml").write_text("version: '2.2'\n", encoding="utf-8")
    build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    assert "Harbour 2.2;" in (tmp_path / "out/t.html").read_text(encoding="utf-8")


def test_content_for_formats_reportc_never_makes_is_decided(tmp_path):
    """quarto-cli's issue-3847.qmd shows content only in a notebook (when-format="ipynb"):
    reportc printed it. (A condition naming one of its editions, the PDF's paragraph, is
    decided per edition: tests/test_conditional_formats.py.)"""
    from reportc.build import BuildOptions, build

    (tmp_path / "doc.qmd").write_text(
        "---\ntitle: T\n---\n\n::: {.content-visible when-format=\"ipynb\"}\nNotebook only.\n"
        ":::\n\n::: {.content-hidden when-format=\"revealjs\"}\nNot in slides.\n:::\n\n"
        "::: {.content-hidden unless-format=\"ipynb\"}\nHidden but in notebooks.\n:::\n\n"
        "::: {.content-visible unless-format=\"typst\"}\nNot in Typst.\n:::\n\n"
        "::: {.content-visible when-format=\"pdf\"}\nFor the PDF.\n:::\n\n"
        "Text [slide words]{.content-visible when-format=\"revealjs\"} ends.\n\n"
        "```{.python .content-visible when-format=\"ipynb\"}\nprint(1)\n```\n",
        encoding="utf-8")
    (tmp_path / "report.yaml").write_text("chapters: [doc.qmd]\n", encoding="utf-8")
    build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    html = (tmp_path / "out/t.html").read_text(encoding="utf-8")
    for shown in ("Not in slides.", "Not in Typst.", "Text  ends."):
        assert shown in html, shown
    for gone in ("Notebook only.", "Hidden but in notebooks.", "slide words", "print(1)",
                 "For the PDF."):
        assert gone not in html, gone


def test_nocite_lists_entries_nobody_cites(tmp_path):
    """quarto-cli's 8362.qmd lists its whole bibliography with ``nocite: '@*'``: reportc
    printed an empty References section and warned that the entries were never cited."""
    from reportc.build import BuildOptions, build

    (tmp_path / "refs.bib").write_text(
        "@book{alpha, author={Ann Alpha}, title={First Book}, publisher={P}, year=2020}\n"
        "@book{beta, author={Bo Beta}, title={Second Book}, publisher={P}, year=2021}\n",
        encoding="utf-8")
    (tmp_path / "doc.qmd").write_text("---\ntitle: T\nbibliography: refs.bib\nnocite: |\n"
                                      "  @*\n---\n\nNo citation here.\n", encoding="utf-8")
    (tmp_path / "report.yaml").write_text("chapters: [doc.qmd]\n", encoding="utf-8")
    built = build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    assert not [w for w in built.diagnostics.warnings if "never cited" in str(w)]
    html = (tmp_path / "out/t.html").read_text(encoding="utf-8")
    assert "First Book" in html and "Second Book" in html
    (tmp_path / "doc.qmd").write_text("---\ntitle: T\nbibliography: refs.bib\n---\n\n"
                                      "# One\n\nText.\n\n# Two\n\nMore.\n", encoding="utf-8")
    (tmp_path / "report.yaml").write_text("title: T\nchapters: [doc.qmd]\nnocite: '@beta'\n"
                                          "bibliography: refs.bib\n", encoding="utf-8")
    built = build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    html = (tmp_path / "out/t.html").read_text(encoding="utf-8")
    assert "Second Book" in html and "First Book" not in html
    assert [str(w) for w in built.diagnostics.warnings if "never cited" in str(w)] == [
        "refs.bib:1: warning: entry 'alpha' is never cited [bib.unused]"]


def test_a_shortcode_in_a_front_matter_title_prints_its_value(tmp_path):
    """quarto-cli's website/title-shortcode: ``title: "{{< meta custom-title >}} Page"``
    was printed as it is written, as the chapter's title."""
    from reportc.build import BuildOptions, build

    (tmp_path / "_quarto.yml").write_text("project:\n  type: book\nbook:\n  title: B\n"
                                          "  chapters: [index.qmd, about.qmd]\n"
                                          "custom-title: About\n", encoding="utf-8")
    (tmp_path / "index.qmd").write_text("# Home\n\nText.\n", encoding="utf-8")
    (tmp_path / "about.qmd").write_text("---\ntitle: \"{{< meta custom-title >}} Page\"\n"
                                        "---\n\nText.\n", encoding="utf-8")
    build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    html = (tmp_path / "out/b.html").read_text(encoding="utf-8")
    assert 'class="chapter-title">About Page<' in html and "{{" not in html


def test_an_abstract_prints_first_under_its_heading(tmp_path):
    """A Quarto or pandoc article's ``abstract:`` was dropped without a word (12 of
    quarto-cli's smoke documents have one); it is the report's first part, its lines
    the front matter's."""
    from reportc.build import BuildOptions, build

    doc = tmp_path / "doc.qmd"
    doc.write_text("---\ntitle: An article\nlang: de\nabstract: |\n  We study *tides* "
                   "[@nope].\n---\n\n## First\n\nText.\n", encoding="utf-8")
    (tmp_path / "report.yaml").write_text("chapters: [doc.qmd]\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    assert [str(p) for p in failed.value.problems] == [
        "doc.qmd:5: unknown citation key 'nope'"]
    doc.write_text(doc.read_text(encoding="utf-8").replace(" [@nope]", ""), encoding="utf-8")
    build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    html = (tmp_path / "out/an-article.html").read_text(encoding="utf-8")
    main = html[html.index("<main"):]
    assert main.index('chapter-title">Zusammenfassung<') < main.index("We study <em>tides</em>.") \
        < main.index('chapter-title">An article<') < main.index(">First</h3>")


def test_a_quarto_chapter_numbers_only_floats_whose_id_says_so(tmp_path):
    """Quarto numbers a figure or table only with a #fig- or #tbl- id; reportc numbered
    every captioned one, so "@fig-b" read "Figure 2" where Quarto prints "Figure 1"
    (quarto-cli's table/appearance.qmd). A Markdown chapter keeps reportc's numbering."""
    from reportc.build import BuildOptions, build

    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    (tmp_path / "a.svg").write_text(svg, encoding="utf-8")
    text = ("# One\n\n![Plain picture](a.svg)\n\n![Numbered picture](a.svg){#fig-b}\n\n"
            "| x |\n|---|\n| 1 |\n\n: A plain table\n\nSee @fig-b.\n")
    for name in ("doc.qmd", "doc.md"):
        (tmp_path / name).write_text(text, encoding="utf-8")
        (tmp_path / "report.yaml").write_text(f"title: T\nchapters: [{name}]\n",
                                              encoding="utf-8")
        build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
        html = (tmp_path / "out/t.html").read_text(encoding="utf-8")
        labels = re.findall(r'class="caption-label">([^<]*)<', html)
        if name == "doc.qmd":
            assert labels == ["Figure\u00a01."] and "See <a" in html and ">Figure\u00a01<" in html
        else:
            assert labels == ["Figure\u00a01.", "Figure\u00a02.", "Table\u00a01."]
        (tmp_path / name).unlink()


def test_a_last_chapter_of_only_a_title_prints_unless_it_is_references(tmp_path):
    """Only a last ``# References`` (or ``# Literaturverzeichnis``...) is where pandoc puts
    the bibliography; quarto-cli's issue-11580 page was left out with a warning saying
    it was the bibliography's place."""
    from reportc.build import BuildOptions, build

    (tmp_path / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# Epilogue\n", encoding="utf-8")
    (tmp_path / "c.md").write_text("# Literaturverzeichnis\n", encoding="utf-8")
    for last, printed in (("b.md", True), ("c.md", False)):
        (tmp_path / "report.yaml").write_text(f"title: T\nchapters: [a.md, {last}]\n",
                                              encoding="utf-8")
        built = build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
        html = (tmp_path / "out/t.html").read_text(encoding="utf-8")
        assert ('class="chapter-title">Epilogue<' in html) is printed
        assert bool([w for w in built.diagnostics.warnings if "chapter.empty" in str(w)]) \
            is not printed


def test_two_second_level_one_headings_of_one_title_are_each_at_their_line(tmp_path):
    """quarto-cli's issue-3847.qmd: two `# Heading` lines inside ::: blocks (not chapters)
    were both reported at the first one's line."""
    from reportc.build import BuildOptions, build

    (tmp_path / "a.md").write_text("# A\n\nText.\n\n::: {.x}\n# Notes\n\nOne.\n:::\n\n"
                                   "::: {.x}\n# Notes\n\nTwo.\n:::\n", encoding="utf-8")
    (tmp_path / "report.yaml").write_text("title: T\nchapters: [a.md]\n", encoding="utf-8")
    built = build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    lines = [str(w).split(":")[1] for w in built.diagnostics.warnings
             if "heading.level" in str(w)]
    assert lines == ["6", "12"]


def test_no_chapters_is_said_in_the_projects_own_file(tmp_path):
    """A _quarto.yml project without report.yaml was told 'report.yaml: no chapters'."""
    from reportc.build import BuildOptions, build

    (tmp_path / "_quarto.yml").write_text("project:\n  type: website\nwebsite:\n  title: S\n",
                                          encoding="utf-8")
    (tmp_path / "_index.qmd").write_text("# Partial\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(root=tmp_path, formats=("html",), git_stamp=False))
    assert [str(p) for p in failed.value.problems] == [
        "_quarto.yml: no chapters: put Markdown files in chapters/ (e.g. 01-intro.md), or "
        "list them in 'render:' or 'chapters:'"]


def test_a_projects_slide_decks_are_left_out_with_a_word(tmp_path):
    """A Quarto website renders each document in its own format: its slide deck
    (format: revealjs) stopped the report with "chapter has no title" (its slides are
    ## headings); it is left out, said at its first line (quarto-cli's brand smoke test)."""
    (tmp_path / "_quarto.yml").write_text('project:\n  type: website\nwebsite:\n  title: "Site"\n',
                                          encoding="utf-8")
    (tmp_path / "index.qmd").write_text('---\ntitle: "Home"\n---\n\nWelcome text.\n',
                                        encoding="utf-8")
    (tmp_path / "slides.qmd").write_text("---\nformat: revealjs\n---\n\n## Slide\n\nDeck text.\n",
                                         encoding="utf-8")
    (tmp_path / "talk.qmd").write_text("---\nformat:\n  pptx: default\n  beamer: default\n---\n\n"
                                       "## Slide\n\nTalk text.\n", encoding="utf-8")
    built = build_root(tmp_path, formats=("html",), git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    assert "Welcome text." in html and "Deck text." not in html and "Talk text." not in html
    assert built.warnings == [
        "slides.qmd:1: warning: a presentation (revealjs): not part of the report (list the "
        "documents in project: render: to choose) [quarto.presentation]",
        "talk.qmd:1: warning: a presentation (beamer, pptx): not part of the report (list the "
        "documents in project: render: to choose) [quarto.presentation]"]


def _website(root, quarto: str) -> None:
    """A Quarto website of five pages, one in a subfolder, without a title of its own."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "_quarto.yml").write_text(quarto, encoding="utf-8")
    for name, title in (("index.qmd", "Harbour notes"), ("zeta.qmd", "Zeta"),
                        ("alpha.qmd", "Alpha"), ("beta.qmd", "Beta"),
                        ("guides/index.qmd", "More")):
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text(f"---\ntitle: {title}\n---\n\nText of {title.lower()}.\n",
                                 encoding="utf-8")


def test_a_website_without_a_title_reads_as_its_visitors_meet_it(tmp_path):
    """quarto-cli's website smoke tests give no title (their navigation shows the home page
    alone) and stopped at "'title' is required"; their pages were read in file-name order.
    The home page's title titles the report, said at _quarto.yml, and the pages follow the
    home page in the order the sidebar and navbar list them, then the pages no menu lists.
    A section's index.qmd stopped the build as a "duplicate identifier '#ch-index'"."""
    _website(tmp_path, "project:\n  type: website\nwebsite:\n  sidebar:\n    contents:\n"
                       "      - index.qmd\n      - section: Parts\n        contents:\n"
                       "          - zeta.qmd\n          - href: ./alpha.qmd\n"
                       "            text: A\n  navbar:\n    left:\n      - guides/index.qmd\n"
                       "      - text: Away\n        href: https://example.org/\n")
    built = build_root(tmp_path, formats=("html",), git_stamp=False)
    assert built.warnings == [
        "_quarto.yml:1: warning: the project has no title: its home page's title 'Harbour "
        "notes' (index.qmd) is the report's title (give 'title:' under 'website:' or 'book:' "
        "in _quarto.yml) [config.title]"]
    html = built.html_path.read_text(encoding="utf-8")
    assert built.html_path.name == "harbour-notes.html"
    assert 'class="report-title">Harbour notes<' in html
    main = html[html.index("<main"):]
    places = [main.index(f"Text of {page}.") for page in ("harbour notes", "zeta", "alpha",
                                                          "more", "beta")]
    assert places == sorted(places)
    # a section's own index.qmd is a chapter of its own, not a duplicate of the home page
    assert 'id="ch-index"' in main and 'id="ch-guides-index"' in main


def test_a_website_whose_home_page_has_no_title_still_asks_for_one(tmp_path):
    """Only a home page's own ``title:`` is taken: another page's title, or a heading, is
    no title for the whole report."""
    _website(tmp_path, "project:\n  type: website\n")
    (tmp_path / "index.qmd").write_text("# Welcome\n\nText.\n", encoding="utf-8")
    with pytest.raises((BuildFailed, ConfigError)) as failed:
        build_root(tmp_path, formats=("html",), git_stamp=False)
    assert "_quarto.yml:1: 'title' is required" in str(failed.value)


def test_a_project_renders_what_quarto_renders_in_its_subfolders(tmp_path):
    """A project with no ``render:`` list renders every document of its folder and
    subfolders (a blog's ``posts/*/index.qmd``, a site's ``.md`` pages); reportc read only
    the folder's own ``.qmd`` files and left the rest out without a word. Partials, hidden
    folders, READMEs, the output folder, package folders and what .gitignore names are no
    documents; a notebook is left out with a word."""
    _website(tmp_path, "project:\n  type: website\n  output-dir: docs\n")
    files = {"posts/2024-tide/index.qmd": "Tide post", "notes.md": "Notes page",
             "posts/_draft.qmd": "DRAFT", "_partials/x.qmd": "PARTIAL",
             ".hidden/y.qmd": "HIDDEN", "README.md": "README", "docs/old.md": "OUTPUT",
             "renv/z.md": "PACKAGE", "out/w.md": "OUT", "pyenv/lib/v.md": "IGNORED"}
    for name, words in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"---\ntitle: {words}\n---\n\n{words} text.\n",
                                     encoding="utf-8")
    (tmp_path / ".gitignore").write_text("# local\n/pyenv/\n*.html\n", encoding="utf-8")
    (tmp_path / "book.ipynb").write_text('{"cells": [], "nbformat": 4, "nbformat_minor": 5, '
                                         '"metadata": {}}', encoding="utf-8")
    built = build_root(tmp_path, formats=("html",), git_stamp=False)
    assert built.warnings[:1] == [
        "book.ipynb:1: warning: a Jupyter notebook: not part of the report (reportc reads "
        "notebooks only in a Jupyter Book): save it as Markdown (quarto convert book.ipynb) "
        "to print it [quarto.notebook]"]
    main = built.html_path.read_text(encoding="utf-8").split("<main", 1)[1]
    places = [main.index(f"{words} text.") for words in ("Notes page", "Tide post")]
    assert places == sorted(places) and main.index("Text of beta.") < places[0]
    for words in ("DRAFT", "PARTIAL", "HIDDEN", "README", "OUTPUT", "PACKAGE", "OUT", "IGNORED"):
        assert f"{words} text." not in main, words


def _blog(root) -> None:
    """A Quarto blog: a home page that lists its posts, three posts (one a draft)."""
    (root / "posts").mkdir(parents=True)
    (root / "_quarto.yml").write_text("project:\n  type: website\nwebsite:\n  title: Tides\n",
                                      encoding="utf-8")
    (root / "index.qmd").write_text("---\ntitle: Home\nlisting:\n  contents: posts\n"
                                    "  sort: \"date desc\"\n---\n\nWelcome.\n",
                                    encoding="utf-8")
    for name, front in (("a", "title: Alpha post\ndate: 2024-01-02\ndescription: First."),
                        ("b", "title: Beta post\ndate: 2024-03-05"),
                        ("c", "title: Gamma post\ndate: 2024-04-01\ndraft: true")):
        (root / "posts" / name).mkdir()
        (root / "posts" / name / "index.qmd").write_text(
            f"---\n{front}\n---\n\nPost {name} text.\n", encoding="utf-8")


def test_a_blogs_listing_page_lists_its_posts_and_drafts_stay_out(tmp_path):
    """A Quarto blog's home page is its front matter's ``listing:``: Quarto fills it with
    the posts, newest first; the report printed it empty. A draft is left out of the site
    by Quarto and of the report here, each with a word; the list follows its posts' edits
    from the cache as a clean build does."""
    _blog(tmp_path)
    built = build_root(tmp_path, formats=("html",), git_stamp=False)
    assert built.warnings == [
        "posts/c/index.qmd:1: warning: a draft (draft: true): not part of the report, as "
        "Quarto leaves it out of the website (draft-mode: visible keeps it) [quarto.draft]"]
    html = built.html_path.read_text(encoding="utf-8")
    main = html[html.index("<main"):]
    listed = main[main.index("Welcome."):main.index("Post b text.")]
    assert listed.index("Beta post</a> (2024-03-05)") < listed.index(
        "Alpha post</a> (2024-01-02): First.")
    for anchor in re.findall(r'href="#(ch-[^"]+)"', listed):
        assert f'id="{anchor}"' in main
    assert "Gamma" not in html and "Post c text." not in html
    post = tmp_path / "posts/a/index.qmd"
    post.write_text(post.read_text(encoding="utf-8").replace("2024-01-02", "2024-06-07"),
                    encoding="utf-8")
    edited = build_root(tmp_path, formats=("html",), git_stamp=False).html_path.read_bytes()
    assert b"Alpha post</a> (2024-06-07)" in edited
    clean = build_root(tmp_path, formats=("html",), git_stamp=False, use_cache=False)
    assert clean.html_path.read_bytes() == edited
    main = edited.decode()[edited.decode().index("<main"):]
    assert main.index("Alpha post</a>") < main.index("Beta post</a>")


def test_each_pages_own_bibliography_is_read_from_its_folder(tmp_path):
    """In a Quarto website each page names its own bibliography, relative to the page
    (``bibliography: ../../refs/shelf.bib``); reportc read none of them (every citation an
    "unknown citation key") or, for a one-page project, looked for it from the project's
    folder ("outside the report directory"). The report cites from them all."""
    _website(tmp_path, "project:\n  type: website\n")
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs/shelf.bib").write_text(
        "@book{lr2002, author = {Little, Roderick and Rubin, Donald}, title = {Statistical "
        "Analysis with Missing Data}, publisher = {Wiley}, year = {2002}}\n", encoding="utf-8")
    (tmp_path / "guides/own.bib").write_text(
        "@book{g1979, author = {Goodnight, James}, title = {A Tutorial on the Sweep "
        "Operator}, publisher = {SAS}, year = {1979}}\n", encoding="utf-8")
    (tmp_path / "guides/index.qmd").write_text(
        "---\ntitle: More\nbibliography: [../refs/shelf.bib, own.bib, gone.bib]\n---\n\n"
        "As @lr2002 [p. 148] and @g1979 show.\n", encoding="utf-8")
    (tmp_path / "zeta.qmd").write_text("---\ntitle: Zeta\nbibliography: refs/shelf.bib\n"
                                       "---\n\nAgain [@lr2002].\n", encoding="utf-8")
    built = build_root(tmp_path, formats=("html",), git_stamp=False)
    assert "guides/index.qmd:3: warning: bibliography 'guides/gone.bib' is not a file of the " \
        "report: its entries are not read [config.bibliography]" in built.warnings
    html = built.html_path.read_text(encoding="utf-8")
    assert "Roderick Little and Donald Rubin" in html and "James Goodnight" in html
    assert "@lr2002" not in html and "@g1979" not in html
    # one page in a subfolder, alone: its bibliography is named from its folder too
    alone = tmp_path / "alone"
    (alone / "posts").mkdir(parents=True)
    (alone / "_quarto.yml").write_text("project:\n  type: default\n", encoding="utf-8")
    (alone / "refs").mkdir()
    (alone / "refs/shelf.bib").write_bytes((tmp_path / "refs/shelf.bib").read_bytes())
    (alone / "posts/sweep.qmd").write_text("---\ntitle: Sweep\nbibliography: ../refs/shelf"
                                           ".bib\n---\n\nAs @lr2002 define it.\n",
                                           encoding="utf-8")
    built = build_root(alone, formats=("html",), git_stamp=False)
    assert "Roderick Little and Donald Rubin" in built.html_path.read_text(encoding="utf-8")


def test_bookdowns_equation_labels_number_the_formula(tmp_path):
    """bookdown labels a formula inside it, ``(\\#eq:CE)``, and refers to it with
    ``\\@ref(eq:CE)``: the reference was an "unknown cross-reference '@eq-CE'" and the
    label would print in the formula."""
    (tmp_path / "doc.qmd").write_text(
        "---\ntitle: Loss\n---\n\n# Loss\n\n$$\nCE = - \\sum_i p_i \\log q_i (\\#eq:CE)\n$$\n\n"
        "\\begin{equation}\nH = 1 (\\#eq:H)\n\\end{equation}\n\nBy \\@ref(eq:CE) and "
        "\\@ref(eq:H).\n", encoding="utf-8")
    (tmp_path / "report.yaml").write_text("chapters: [doc.qmd]\n", encoding="utf-8")
    built = build_root(tmp_path, formats=("html",), git_stamp=False)
    assert built.warnings == []
    html = built.html_path.read_text(encoding="utf-8")
    assert 'id="eq-CE"' in html and 'id="eq-H"' in html and "#eq:" not in html
    assert re.search(r'By <a [^>]*href="#eq-CE"[^>]*>\(?1\)?</a> and <a [^>]*href="#eq-H"', html)


def test_latex_display_brackets_on_their_own_lines_are_formulas(tmp_path):
    """R Markdown and MathJax read ``\\[ ... \\]`` as display math; pandoc reads ``\\[`` as
    an escaped bracket, so a migrated blog's formulas printed as raw LaTeX left out. On
    lines of their own they are formulas; in code, or as a bracket in a sentence, not."""
    from reportc.project.markdown import bracket_maths

    text = ("Mean:\n\\[\n\\bar{x} = \\sum_i w_i x_i\n\\]\nand\n  \\[ q = 1 \\]\n\n"
            "A note \\[1\\] here.\n\n```\n\\[\ncode\n\\]\n```\n")
    assert bracket_maths(text) == (
        "Mean:\n$$\n\\bar{x} = \\sum_i w_i x_i\n$$\nand\n  $$ q = 1 $$\n\n"
        "A note \\[1\\] here.\n\n```\n\\[\ncode\n\\]\n```\n")
    lines = bracket_maths(text).split("\n")
    assert len(lines) == len(text.split("\n"))  # each line where it was: messages' lines
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters/01-a.md").write_text("# Means\n\n" + text, encoding="utf-8")
    (tmp_path / "report.yaml").write_text("title: T\n", encoding="utf-8")
    built = build_root(tmp_path, formats=("html",), git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    assert built.warnings == [] and html.count('<math display="block"') == 2


def test_the_tex_logos_in_a_formula_print_as_their_names(tmp_path):
    """``$\\LaTeX$`` (MathJax draws the logo) stopped the build: "\\LaTeX is not defined"."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters/01-a.md").write_text("# Logos\n\nA $\\LaTeX$ CV, set in $\\TeX$.\n",
                                               encoding="utf-8")
    (tmp_path / "report.yaml").write_text("title: T\n", encoding="utf-8")
    built = build_root(tmp_path, formats=("html", "pdf"), git_stamp=False)
    assert built.warnings == []
    html = built.html_path.read_text(encoding="utf-8")
    assert '<mtext mathvariant="normal">LaTeX</mtext>' in html
    assert '<mtext mathvariant="normal">TeX</mtext>' in html and "\\LaTeX" not in html
    assert "A CV, set in ." in " ".join(built.page_texts()[-1].split())  # (drawn formulas)


def test_a_cell_of_a_language_no_engine_runs_is_shown_as_code(tmp_path):
    """```` ```{yaml} ```` is no executable cell: it stopped the build ("reportc never runs
    code"), and from Quarto's frozen results, which keep it as written, it printed as inline
    code ("{yaml} a: 1 b: 2")."""
    from reportc.project.shortcodes import shown_cells

    (tmp_path / "doc.qmd").write_text("---\ntitle: Config\n---\n\n## Data\n\n```{yaml}\n"
                                      "tide: high\nmoon: full\n```\n\nAfter.\n",
                                      encoding="utf-8")
    (tmp_path / "report.yaml").write_text("chapters: [doc.qmd]\n", encoding="utf-8")
    built = build_root(tmp_path, formats=("html",), git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    assert built.warnings == [] and "{yaml}" not in html
    assert re.search(r'<pre[^>]*class="[^"]*yaml[^"]*"[^>]*>.*tide', html, re.S) or \
        re.search(r'class="sourceCode yaml".*tide', html, re.S)
    frozen = "Text.\n\n```{yaml}\na: 1\n```\n\n````markdown\n```{yaml}\n```\n````\n"
    assert shown_cells(frozen) == frozen.replace("```{yaml}\na", "```yaml\na", 1)


def test_knitrs_cells_in_a_list_item_are_not_printed_as_fences(tmp_path):
    """knitr writes a cell under ``1.`` indented as the chunk was (four spaces), one past
    the item's text, where pandoc reads no div: Quarto's frozen results of a blog post
    printed "::: {.cell}" and ":::" around its code, without a word."""
    from reportc.project.markdown import list_div_fences

    text = ("Steps:\n\n1. Estimate the intercept\n\n    ::: {.cell}\n    \n"
            "    ```{.r .cell-code}\n    b0 <- mean(y)\n    ```\n    :::\n\n"
            "  a. Compute the products.\n\n        ::: {.cell}\n        ```{.r}\n"
            "        XtX <- t(X) %*% X\n        ```\n        :::\n\n"
            "Prose with ::: in it.\n\n```\n    ::: {.kept}\n```\n")
    fixed = list_div_fences(text)
    assert fixed.split("\n")[4] == "   ::: {.cell}" and fixed.split("\n")[9] == "   :::"
    assert "\n     ::: {.cell}\n" in fixed and "\n    ::: {.kept}\n" in fixed
    assert len(fixed.split("\n")) == len(text.split("\n"))
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters/01-a.md").write_text("# Ridge\n\n" + text, encoding="utf-8")
    (tmp_path / "report.yaml").write_text("title: T\n", encoding="utf-8")
    built = build_root(tmp_path, formats=("html",), git_stamp=False)
    main = built.html_path.read_text(encoding="utf-8").split("<main", 1)[1]
    assert built.warnings == [] and "{.cell}" not in main
    assert main.count(":::") == 2  # the sentence's own and the code's, no fence
    words = re.sub(r"<[^>]+>", "", main)
    assert "b0 &lt;- mean(y)" in words and "XtX &lt;- t(X)" in words


def test_a_fence_pandoc_reads_as_words_is_said_and_not_printed(tmp_path):
    """A ``:::`` fence indented where pandoc reads none printed "::: {.note}" and ":::" as
    text, without a word; now it is left out (its words kept) and said at its line."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters/01-a.md").write_text(
        "# Notes\n\nFirst.\n\n ::: {.note}\n Kept words.\n :::\n\nLast.\n", encoding="utf-8")
    (tmp_path / "report.yaml").write_text("title: T\n", encoding="utf-8")
    built = build_root(tmp_path, formats=("html",), git_stamp=False)
    assert built.warnings == [
        "chapters/01-a.md:5: warning: a ':::' block fence pandoc reads as words (indented "
        "past its list item's text, or inside a paragraph): left out; put it at the column of "
        "the text it belongs to, after a blank line [markdown.fence]"]
    main = built.html_path.read_text(encoding="utf-8").split("<main", 1)[1]
    assert ":::" not in main and "{.note}" not in main and "Kept words." in main


def test_a_manuscript_project_is_its_article(tmp_path):
    """A Quarto manuscript renders its article (``manuscript: article:``, else index.qmd)
    as the manuscript; its notebooks are pages of their own, not chapters of it."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "_quarto.yml").write_text("project:\n  type: manuscript\nmanuscript:\n"
                                          "  article: paper.qmd\n  notebooks:\n"
                                          "    - notebook: notebooks/explore.qmd\n",
                                          encoding="utf-8")
    (tmp_path / "paper.qmd").write_text("---\ntitle: Tides and moons\n---\n\n## Intro\n\n"
                                        "Article text.\n", encoding="utf-8")
    (tmp_path / "notebooks/explore.qmd").write_text("---\ntitle: Explore\n---\n\nNotebook "
                                                    "text.\n", encoding="utf-8")
    (tmp_path / "index.qmd").write_text("---\ntitle: Other\n---\n\nOther text.\n",
                                        encoding="utf-8")
    built = build_root(tmp_path, formats=("html",), git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    assert built.html_path.name == "tides-and-moons.html" and "Article text." in html
    assert "Notebook text." not in html and "Other text." not in html


def test_a_default_projects_markdown_notes_are_not_its_documents(tmp_path):
    """Beside a project's .qmd documents, .md files are the repository's notes
    (CONTRIBUTING.md, LICENSE.md): the analysis is the report, alone, as before; a
    website's .md files are its pages."""
    (tmp_path / "_quarto.yml").write_text("project:\n  type: default\n", encoding="utf-8")
    (tmp_path / "analysis.qmd").write_text("---\ntitle: Tides\n---\n\n## Data\n\nText.\n",
                                           encoding="utf-8")
    for name in ("CONTRIBUTING.md", "LICENSE.md"):
        (tmp_path / name).write_text(f"# {name}\n\nNotes.\n", encoding="utf-8")
    built = build_root(tmp_path, formats=("html",), git_stamp=False)
    assert built.html_path.name == "tides.html" and "Notes." not in \
        built.html_path.read_text(encoding="utf-8")


def test_a_default_project_of_several_analyses_is_titled_by_its_first(tmp_path):
    """Quarto's default project renders each document alone and needs no title; with two
    analyses and no index.qmd the build stopped at "'title' is required". The first
    document that gives a title titles the report, said at _quarto.yml; both are read."""
    (tmp_path / "_quarto.yml").write_text("project:\n  type: default\n", encoding="utf-8")
    (tmp_path / "a-intro.qmd").write_text("Untitled opening text.\n", encoding="utf-8")
    for name, title in (("b-tides.qmd", "Tides"), ("c-moons.qmd", "Moons")):
        (tmp_path / name).write_text(f"---\ntitle: {title}\n---\n\nText of {title}.\n",
                                     encoding="utf-8")
    built = build_root(tmp_path, formats=("html",), git_stamp=False)
    assert "_quarto.yml:1: warning: the project has no title: its first document's title " \
        "'Tides' (b-tides.qmd) is the report's title (give 'title:' under 'website:' or " \
        "'book:' in _quarto.yml) [config.title]" in built.warnings
    html = built.html_path.read_text(encoding="utf-8")
    assert built.html_path.name == "tides.html" and "Text of Moons." in html


def test_lettered_and_roman_lists_keep_their_numbering_in_the_pdf(tmp_path):
    """pandoc writes ``a.`` and ``i.`` lists as <ol type="a">; WeasyPrint does not read the
    attribute, so the PDF numbered them 1, 2, 3 (a knitr blog post's steps a., b., c.)."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters/01-a.md").write_text(
        "# Steps\n\n1. Fit.\n\n    a. Scale.\n    b. Solve.\n\nThen:\n\ni. first\nii. second\n",
        encoding="utf-8")
    (tmp_path / "report.yaml").write_text("title: T\n", encoding="utf-8")
    built = build_root(tmp_path, formats=("pdf",), git_stamp=False)
    text = " ".join(built.page_texts()[-1].split())
    assert "1. a. b. i. ii." in text  # (the markers, drawn apart from the items' words)
