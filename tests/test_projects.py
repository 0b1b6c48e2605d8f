"""Existing projects build as they are (#23): a Quarto book straight from its _quarto.yml,
a Bookdown book from _bookdown.yml and index.Rmd, report.yaml's chapters from any folder,
and the editions as a reader meets them (no raw shortcode, no cell fence, parts, no
numbers on unnumbered chapters).

Fixtures: ``tests/roots/quarto-book`` (a Quarto book: part: group, appendices, two
bibliography files of which one is CSL JSON, an include, a page break, a cell shown as
code and one frozen in ``_freeze/``) and ``tests/roots/bookdown-book`` (``(PART)`` and
``(APPENDIX)`` markers, a CSL YAML file, a PDF figure named without its extension);
both written for these tests after the layout of public Quarto and Bookdown books.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, build_root, copy_root

from reportc.build import BuildOptions, build
from reportc.errors import BuildFailed, ConfigError

CELL = ("executable cell ```{{{}}}: reportc never runs code; render the project once with "
        "Quarto and 'execute: freeze: true' (reportc then takes the results from _freeze/), "
        "or mark the cell 'eval: false' (eval=FALSE) to show it as code")


def _text(built) -> str:
    return " ".join(" ".join(built.page_texts()).replace("\u00a0", " ").split())


def _problems(root: Path, formats: tuple[str, ...] = ("html",)) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(root=root, formats=formats))
    return [str(problem) for problem in failure.value.problems]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return build_root(copy_root("quarto-book", tmp_path_factory.mktemp("qb")))


@pytest.fixture(scope="module")
def bookdown(tmp_path_factory):
    return build_root(copy_root("bookdown-book", tmp_path_factory.mktemp("bd")))


# --- a Quarto book from its _quarto.yml --------------------------------------------------------

def test_a_quarto_book_builds_from_its_quarto_yml_without_report_yaml(book):
    assert not (book.root / "report.yaml").exists()
    assert book.warnings == []
    assert book.slug == "rivers-of-the-north"
    cover = book.page_texts()[0]
    for line in ("Rivers of the North", "A field book", "Ada Field", "Northern Survey",
                 "Ben Stone", "14 March 2025"):
        assert line in cover


def test_chapters_parts_and_appendices_come_from_the_book(book):
    contents = next(t for t in book.page_texts() if "Contents" in t)
    lines = [" ".join(line.replace(".", " ").split()) for line in contents.split("\n")]
    entries = [re.sub(r" \d+$", "", line) for line in lines if re.search(r"\d$", line)]
    assert entries[:7] == ["Preface", "Acknowledgements", "1 Surveying a river",
                           "1 1 Cross-sections", "2 Gauges", "References", "A Methods"]
    assert "SURVEYS" in contents.upper()
    html = book.html_path.read_text(encoding="utf-8")
    assert '<li class="toc-entry toc-part"><span class="toc-text">Surveys</span></li>' in html
    assert '<p class="part-title">Surveys</p>' in html


def test_unnumbered_chapters_print_no_chapter_label(book):
    text = _text(book)
    assert "CHAPTER 1 SURVEYING A RIVER" in text.upper()
    assert "APPENDIX A Methods".upper() in text.upper()
    preface = next(t for t in book.page_texts() if "three northern rivers" in t)
    assert "CHAPTER" not in preface.upper()


def test_no_shortcode_or_cell_fence_reaches_an_edition(book):
    html = book.html_path.read_text(encoding="utf-8")
    for edition in (_text(book), html):
        assert "{{<" not in edition and "```" not in edition and "#|" not in edition
    assert "The gauge keepers lent their logbooks." in _text(book)  # the included file
    assert 'flows <span class="ot">&lt;-</span>' in html  # eval=FALSE: shown as code
    assert '<span class="bu">print</span>(<span class="st">&quot;not run&quot;</span>)' in html


def test_a_page_break_shortcode_breaks_the_page(book):
    pages = book.page_texts()
    before = next(i for i, t in enumerate(pages) if "Surveys start at the source" in t)
    after = next(i for i, t in enumerate(pages) if "measured twice" in t)
    assert after == before + 1


def test_a_frozen_cell_prints_the_results_quarto_froze(book):
    html = book.html_path.read_text(encoding="utf-8")
    assert 'src="_freeze/chapters/gauges/figure-html/fig-levels-output-1.svg"' in html
    assert (book.out / "_freeze/chapters/gauges/figure-html/fig-levels-output-1.svg").is_file()
    assert "See Fig. 1 for the levels" in _text(book)  # crossref: fig-prefix: Fig.
    assert "Fig. 1. Water levels" in _text(book)
    assert "plt.plot" in html  # the cell's code, as Quarto shows it


def test_both_bibliography_files_are_cited_and_listed(book):
    references = next(t for t in book.page_texts() if "Survey Press" in t)
    flat = " ".join(references.split())
    assert "Field, A. (2021). Northern rivers. Survey Press." in flat  # book.bib, APA
    assert "Harris, C. R. (2020). NumPy [Computer software]." in flat  # packages.json


def test_report_yaml_overrides_the_project_key_by_key(tmp_path):
    root = copy_root("quarto-book", tmp_path)
    (root / "report.yaml").write_text("title: A Different Title\ncsl: ieee\n", encoding="utf-8")
    built = build_root(root, formats=("pdf",))
    cover = built.page_texts()[0]
    assert "A Different Title" in cover and "A field book" in cover  # subtitle still read
    assert "[1]" in _text(built)


def test_build_py_builds_a_quarto_directory(tmp_path):
    root = copy_root("quarto-book", tmp_path)
    done = subprocess.run([sys.executable, str(REPO / "build.py"), str(root), "--format",
                           "html"], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert (root / "out/rivers-of-the-north.html").is_file()


# --- includes and cells: located errors --------------------------------------------------------

def test_an_error_in_an_included_file_is_located_in_that_file(tmp_path):
    root = copy_root("quarto-book", tmp_path)
    (root / "_acknowledgements.qmd").write_text(
        "## Acknowledgements\n\nThanks to [@nobody2020].\n", encoding="utf-8")
    problems = _problems(root)
    assert "_acknowledgements.qmd:3: unknown citation key 'nobody2020'" in problems


def test_an_include_outside_the_report_is_a_located_error(tmp_path):
    root = copy_root("quarto-book", tmp_path)
    (tmp_path / "secret.qmd").write_text("secret text\n", encoding="utf-8")
    text = (root / "index.qmd").read_text(encoding="utf-8")
    (root / "index.qmd").write_text(
        text.replace("_acknowledgements.qmd", "../secret.qmd"), encoding="utf-8")
    assert _problems(root) == [
        "index.qmd:5: include '../secret.qmd' is outside the report directory; only files "
        "of the report can be included"]


def test_a_missing_or_circular_include_is_a_located_error(tmp_path):
    root = copy_root("quarto-book", tmp_path)
    (root / "_acknowledgements.qmd").write_text(
        "{{< include index.qmd >}}\n\n{{< include _gone.qmd >}}\n", encoding="utf-8")
    assert _problems(root) == [
        "_acknowledgements.qmd:1: include 'index.qmd' includes itself (through index.qmd -> "
        "_acknowledgements.qmd)",
        "_acknowledgements.qmd:3: include '_gone.qmd' not found (looked for _gone.qmd)"]


def test_an_unfrozen_executable_cell_is_one_located_error(tmp_path):
    root = copy_root("quarto-book", tmp_path)
    (root / "chapters/survey.qmd").write_text(
        "# Surveying\n\n```{r}\nx <- 1\n```\n\nText.\n\n```{r}\n#| echo: false\ny <- 2\n```\n",
        encoding="utf-8")
    assert _problems(root) == [
        "chapters/survey.qmd:3: " + CELL.format("r") + " (and 1 more cell(s) in this file)"]


def test_a_frozen_cell_needs_the_frozen_file(tmp_path):
    root = copy_root("quarto-book", tmp_path)
    (root / "_freeze/chapters/gauges/execute-results/html.json").unlink()
    assert _problems(root) == ["chapters/gauges.qmd:7: " + CELL.format("python")]


# --- report.yaml chapters from any folder ------------------------------------------------------

def test_report_yaml_lists_chapters_from_any_folder_with_parts(tmp_path):
    root = tmp_path / "thesis"
    (root / "source").mkdir(parents=True)
    (root / "source/intro.md").write_text("# Introduction\n\nWhy.\n", encoding="utf-8")
    (root / "source/method.qmd").write_text("# Method\n\nHow.\n", encoding="utf-8")
    (root / "source/data.md").write_text("# Data\n\nWhat.\n", encoding="utf-8")
    (root / "report.yaml").write_text(
        "title: A Thesis\nchapters:\n  - source/intro.md\n  - part: Work\n    chapters:\n"
        "      - source/method.qmd\n      - source/gone.md\nappendices:\n  - source/data.md\n",
        encoding="utf-8")
    assert _problems(root) == [
        "report.yaml:7: chapter 'source/gone.md' not found (looked for source/gone.md)"]
    text = (root / "report.yaml").read_text(encoding="utf-8")
    (root / "report.yaml").write_text(text.replace("      - source/gone.md\n", ""),
                                      encoding="utf-8")
    built = build_root(root, formats=("html",))
    html = built.html_path.read_text(encoding="utf-8")
    labels = re.findall(r'<span class="chapter-label">([^<]*)</span><span class="chapter-title">'
                        r'([^<]*)</span>', html)
    assert labels == [("Chapter 1", "Introduction"), ("Chapter 2", "Method"),
                      ("Appendix A", "Data")]
    assert '<p class="part-title">Work</p>' in html


def test_a_quarto_chapter_missing_is_located_in_quarto_yml(tmp_path):
    root = copy_root("quarto-book", tmp_path)
    (root / "appendix/methods.qmd").unlink()
    assert _problems(root) == [
        "_quarto.yml:20: chapter 'appendix/methods.qmd' not found (looked for "
        "appendix/methods.qmd)"]


def test_a_directory_with_neither_file_says_what_it_looks_for(tmp_path):
    with pytest.raises(ConfigError, match=r"report.yaml: not found in .* a Quarto project "
                                          r"has _quarto.yml, a Bookdown book _bookdown.yml, "
                                          r"a Jupyter Book _toc.yml, a Manubot paper "
                                          r"content/metadata.yaml and numbered "
                                          r"content/\*.md files; one Markdown document with "
                                          r"a title in its front matter builds alone "
                                          r"\(reportc FILE.md\); for other Markdown, such as "
                                          r"a pandoc thesis in several files, name them "
                                          r"as pandoc takes them \(reportc metadata.yaml "
                                          r"ch1.md ch2.md\) or write a report.yaml with "
                                          r"'title:' "
                                          r"and 'chapters:'"):
        build(BuildOptions(root=tmp_path, formats=("html",)))


def test_a_single_document_project_is_a_report_of_its_sections(tmp_path):
    root = tmp_path / "paper"
    root.mkdir()
    (root / "_quarto.yml").write_text("project:\n  type: default\n", encoding="utf-8")
    (root / "paper.qmd").write_text(
        "---\ntitle: One Paper\nauthor:\n  - name:\n      given: Ida\n      family: Quill\n"
        "format: html\n---\n\n# Introduction\n\nFirst.\n\n# Results\n\nSecond.\n",
        encoding="utf-8")
    built = build_root(root, formats=("html",))
    assert built.warnings == []
    html = built.html_path.read_text(encoding="utf-8")
    assert "<title>One Paper</title>" in html and "Ida Quill" in html
    titles = re.findall(r'<span class="chapter-title">([^<]*)</span>', html)
    assert titles == ["Introduction", "Results"]


# --- a Bookdown book -------------------------------------------------------------------------

def test_a_bookdown_book_builds_from_bookdown_yml_and_index_rmd(bookdown):
    assert bookdown.warnings == []
    text = _text(bookdown)
    assert bookdown.page_texts()[0].split("\n")[:2] == ["Tide Tables Explained", "Cora Marsh"]
    assert "install.packages(\"tides\")" in text  # eval=FALSE: code
    assert "library(tides)" not in text  # include=FALSE: neither run nor shown
    contents = next(t for t in bookdown.page_texts() if "Contents" in t)
    assert "FOUNDATIONS" in contents.upper()
    assert "CHAPTER 1 Introduction".upper() in text.upper()
    assert "APPENDIX A Data sources".upper() in text.upper()
    assert "(PART)" not in text and "(APPENDIX)" not in text
    assert "Harbour Office, Annual Gauge Report (2022)." in text  # CSL YAML entry


def test_a_pdf_figure_without_extension_is_drawn_as_vectors(bookdown):
    html = bookdown.html_path.read_text(encoding="utf-8")
    image = re.search(r'<img src="data:image/svg\+xml;base64,[^"]+"[^>]*alt="A sketch of a '
                      r'rising tide"', html)
    assert image, "the PDF figure is an SVG drawing in the web edition"
    page = next(p for p in bookdown.pdf.pages if "A sketch of a rising tide" in
                p.extract_text())
    assert not page.images  # vectors, no picture
    assert re.search(rb"\sre\s|\sl\s", page.get_contents().get_data())


def test_a_cell_inside_a_list_item_is_shown_as_code_in_its_item(tmp_path):
    root = copy_root("quarto-book", tmp_path)
    (root / "appendix/methods.qmd").write_text(
        "# Methods\n\n1.  Restyle this pipeline:\n\n    ```{r}\n    #| eval: false\n"
        "    flows |> summary()\n    ```\n\n2.  Then this one.\n", encoding="utf-8")
    built = build_root(root, formats=("html",))
    html = built.html_path.read_text(encoding="utf-8")
    item = re.search(r"<li>(.*?)</li>", html[html.index('id="ch-methods"'):], re.S).group(1)
    assert "Restyle this pipeline" in item and '<pre class="sourceCode r">' in item
    assert "#|" not in html


def test_an_included_file_is_an_input_of_the_build(tmp_path):
    root = copy_root("quarto-book", tmp_path)
    build_root(root, formats=("html",))
    (root / "_acknowledgements.qmd").write_text("## Thanks\n\nTo the keepers.\n",
                                                encoding="utf-8")
    result = build(BuildOptions(root=root, formats=("html",)))
    assert not result.up_to_date
    assert "To the keepers." in (root / "out/rivers-of-the-north.html").read_text("utf-8")


def test_a_pdf_figure_is_drawn_once_and_kept_by_its_bytes(tmp_path, monkeypatch):
    from reportc.document import images

    root = copy_root("bookdown-book", tmp_path)
    build_root(root, formats=("html",))
    monkeypatch.setattr(images, "_convert", lambda *args: pytest.fail("drawn again"))
    (root / "02-methods.Rmd").write_text("# Methods\n\nChanged [@harbour2022].\n",
                                         encoding="utf-8")
    built = build_root(root, formats=("html",))
    assert "data:image/svg+xml;base64," in built.html_path.read_text(encoding="utf-8")
    monkeypatch.undo()
    figure = root / "figures/sketch.pdf"
    figure.write_bytes(figure.read_bytes().replace(b"0.8 0.2 0.1 rg", b"0.1 0.2 0.8 rg"))
    assert not build(BuildOptions(root=root, formats=("html",))).up_to_date


def test_quarto_settings_are_located_in_quarto_yml(tmp_path):
    from reportc.errors import Diagnostics
    from reportc.project.chapters import load_chapters
    from reportc.project.config import load_config

    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: T\n  author: Ann Lee and Bo Chen\n"
        "  chapters:\n    - a.qmd\nbibliography:\n  - a.bib\n  - gone.bib\nlang: de-DE\n"
        "number-sections: false\nsubtitle: [not, text]\n", encoding="utf-8")
    (tmp_path / "a.qmd").write_text("# A\n\nText.\n", encoding="utf-8")
    (tmp_path / "a.bib").write_text("@misc{x, title = {X}}\n", encoding="utf-8")
    diag = Diagnostics()
    config = load_config(tmp_path, diag)
    assert [str(p) for p in diag.problems] == [
        "_quarto.yml:13: 'subtitle' must be text, not a list",
        "_quarto.yml:10: bibliography file 'gone.bib' not found"]
    assert [a.name for a in config.authors] == ["Ann Lee", "Bo Chen"]
    assert config.lang == "de-DE" and config.project_files == ["_quarto.yml"]
    chapters = load_chapters(config, diag)
    assert [(c.rel, c.numbered) for c in chapters] == [("a.qmd", False)]


def test_the_word_edition_has_the_part_and_the_page_break(tmp_path):
    import zipfile

    root = copy_root("quarto-book", tmp_path)
    build_root(root, formats=("docx",))
    with zipfile.ZipFile(root / "out/rivers-of-the-north.docx") as word:
        xml = word.read("word/document.xml").decode("utf-8")
    headings = []
    for paragraph in re.findall(r"<w:p>.*?</w:p>", xml, re.S):
        style = re.search(r'<w:pStyle w:val="(Heading1)"', paragraph)
        if style or 'w:type="page"' in paragraph:
            text = "".join(re.findall(r"<w:t[^>]*>([^<]*)", paragraph))
            headings.append(text if style else "<page break>")
    assert headings == ["Preface", "Surveys", "1 Surveying a river", "<page break>",
                        "2 Gauges", "References", "A Methods"]
    assert "{{&lt;" not in xml and "```" not in xml


def test_a_pdf_figure_is_a_vector_drawing_in_word_too(tmp_path):
    import zipfile

    root = copy_root("bookdown-book", tmp_path)
    build_root(root, formats=("docx",))
    with zipfile.ZipFile(root / "out/tide-tables-explained.docx") as word:
        media = [name for name in word.namelist() if name.startswith("word/media/")]
        assert [name.rsplit(".", 1)[1] for name in media] == ["svg"]
        assert b"<path" in word.read(media[0])


def test_a_shortcode_reportc_does_not_read_is_left_out_with_a_located_warning(tmp_path):
    """A shortcode reportc does not read ({{< video >}}) and a {{< var >}} with no value
    never print as text; {{< meta >}} prints the book's title; an escaped shortcode prints
    as Quarto prints it, and inline code keeps its text."""
    root = copy_root("quarto-book", tmp_path)
    (root / "_acknowledgements.qmd").write_text(
        "## Acknowledgements\n\nVersion {{< var version >}} of {{< meta title >}}."
        "{{< video clip.mp4 >}}\n\n"
        "Write {{{< var name >}}} to show a shortcode, or `{{< var name >}}` as code.\n",
        encoding="utf-8")
    built = build_root(root, formats=("html",))
    assert [w for w in built.warnings if "shortcode" in w] == [
        "_acknowledgements.qmd:3: warning: '{{< var version >}}': no such value (left out) "
        "[shortcode.unknown]",
        "_acknowledgements.qmd:3: warning: Quarto shortcode '{{< video clip.mp4 >}}' is not "
        "read by reportc (left out): write its text in the chapter instead "
        "[shortcode.unknown]"]
    html = built.html_path.read_text(encoding="utf-8")
    assert "Version of Rivers of the North." in html
    assert "Write {{&lt; var name &gt;}} to show a shortcode" in html or \
        "Write {{< var name >}} to show a shortcode" in html
    assert "<code>{{&lt; var name &gt;}}</code>" in html
    assert "var version" not in html and "video" not in html


def test_a_pdf_figure_that_cannot_be_drawn_is_one_located_error(tmp_path):
    """A damaged PDF figure is said once, where it is drawn, not again as 'not an image'."""
    root = copy_root("bookdown-book", tmp_path)
    (root / "figures" / "sketch.pdf").write_bytes(b"")
    intro = root / "01-intro.Rmd"
    intro.write_text(intro.read_text(encoding="utf-8").replace(
        "(figures/sketch)", "(figures/sketch.pdf)"), encoding="utf-8")
    problems = _problems(root)
    assert len([p for p in problems if "sketch" in p]) == 1, problems
    assert "is a PDF that cannot be drawn" in next(p for p in problems if "sketch" in p)
