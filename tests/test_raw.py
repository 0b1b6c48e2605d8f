"""Documents written for pandoc, LaTeX, pandoc-crossref and Manubot build as they are, with
nothing printed that the author did not mean (issue 23, items 2 and 3).

The fixtures are our own, written after the forms found in public projects: a pandoc thesis
template (tompollard/phd_thesis_markdown: raw LaTeX figures and tables, ``\\newpage``,
comments, pandoc-crossref references), pandoc's MANUAL.txt (comments, raw HTML) and Manubot's
rootstock (content/metadata.yaml, ``@doi:`` citations).
"""

from __future__ import annotations

import json
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import pytest
from conftest import build_root, copy_root
from htmlparse import parse_html as parse

from reportc.cache import BuildCache
from reportc.document.read import read_chapters
from reportc.errors import BuildFailed, Diagnostics
from reportc.pandoc import ast as A
from reportc.project.chapters import Chapter

# what must never reach a reader: markup, TeX, pandoc-crossref keys, a doubled label word
RAW_MARKUP = re.compile(r"<!--|-->|\\[A-Za-z]+|</?(?:div|br|sub|sup|script)\b|@fig|@tbl|@sec|"
                        r"@eq|\{#|Figure\s+Figure|TODO|\$")
THESIS_WARNINGS = [
    "chapters/01-introduction.md:25: warning: 'Figure @fig:channel' would print 'Figure "
    "Figure\u00a01': the reference brings its own word; write '@fig:channel' (or "
    "'[-@fig:channel]' for the number alone) [xref.word]",
    "chapters/01-introduction.md:31: warning: raw LaTeX '\\textcolor{red}{Important.}' is "
    "left out of the editions: write [text]{.name} and style .name in the theme's CSS "
    "[raw.latex]",
    "chapters/01-introduction.md:33: warning: raw HTML '<div style=\"color: red\">' is left "
    "out of the editions (its content is kept): write it in Markdown (a ::: {.name} block or "
    "a [text]{.name} span, styled by the theme) [raw.html]",
]


@pytest.fixture(scope="module")
def thesis(tmp_path_factory):
    root = copy_root("thesis", tmp_path_factory.mktemp("thesis"))
    return build_root(root, formats=("html", "pdf", "docx"), git_stamp=False)


def _html_text(path: Path) -> str:
    page = re.sub(r"<annotation\b.*?</annotation>", "", path.read_text(encoding="utf-8"),
                  flags=re.S)  # a formula's TeX, for assistive technology, is not printed
    main = parse(page).find_all("main")[0]
    return " ".join(main.text().split())


def test_thesis_builds_with_one_located_warning_per_construct(thesis):
    assert sorted(thesis.warnings) == sorted(THESIS_WARNINGS)


@pytest.mark.parametrize("edition", ["html", "pdf", "docx"])
def test_no_edition_prints_raw_markup(thesis, edition):
    if edition == "html":
        text = _html_text(thesis.html_path)
    elif edition == "pdf":
        text = " ".join(" ".join(thesis.page_texts()).split())
    else:
        document = docx.Document(thesis.out / f"{thesis.slug}.docx")
        text = " ".join(paragraph.text for paragraph in document.paragraphs)
    assert RAW_MARKUP.findall(text) == []
    for meant in ("Braided rivers divide and rejoin around bars",
                  "The channel in Figure 1 and the counts in Table 1 are discussed in",
                  "The rate follows Equation 1: (Figure 1) and Figure 1 again.",
                  "As Figure 2 shows, and Table\u00a02 lists", "see also Chapter 1",
                  "Equation 2 is famous.", "Coloured text the theme does not print in red."):
        assert meant.replace("\u00a0", " ") in text.replace("\u00a0", " "), (edition, meant)


def test_latex_appendix_makes_the_chapters_after_it_appendices(thesis):
    page = parse(thesis.html_path.read_text(encoding="utf-8"))
    headings = {h.attrs["id"]: h for h in page.find_all(cls="chapter-heading")}
    assert headings["ch-03-forms"].find_all(cls="chapter-label")[0].text() == "Appendix A"
    assert "kind-appendix" in headings["ch-03-forms"].classes
    assert "kind-chapter" in headings["sec-methods"].classes  # \appendix at its end


def test_latex_floats_are_numbered_figures_and_tables(thesis):
    page = parse(thesis.html_path.read_text(encoding="utf-8"))
    captions = [" ".join(c.text().split()) for c in page.find_all("figcaption")]
    assert any(c.startswith("Figure 2. The surveyed channel, after") for c in captions)
    assert any(c.startswith("Table 2. Survey dates.") for c in captions), captions
    assert any(c.startswith("Table 3. Flood peaks.") for c in captions), captions  # longtable
    assert "The peaks are in Table 3." in _html_text(thesis.html_path)
    assert [img.attrs["alt"] for img in page.find_all("img")
            if "channel" in img.attrs.get("src", "")][1].startswith("The surveyed channel")
    assert page.find_all(cls="equation")[1].attrs["id"] == "eq-energy"


def test_text_before_the_title_and_page_breaks(thesis):
    """The comment and \\newpage before '# Introduction' leave nothing above the label; the
    \\clearpage in Methods starts a new page in print only."""
    pages = thesis.page_texts()
    opener = next(text for text in pages if "CHAPTER 1" in text)
    assert opener.split("CHAPTER 1")[0].strip() in ("", "Introduction")
    famous = next(i for i, text in enumerate(pages) if "Equation 2 is famous" in text)
    assert "follows the page break" in pages[famous + 1]
    assert "follows the page break" not in pages[famous]
    assert len(parse(thesis.html_path.read_text(encoding="utf-8")).find_all(
        cls="pagebreak")) == 1  # \newpage before the title and at the end are dropped
    with zipfile.ZipFile(thesis.out / f"{thesis.slug}.docx") as word:
        body = word.read("word/document.xml").decode("utf-8")
    assert body.count('<w:br w:type="page" />') == 1  # Word breaks the page there too


def _read(text: str, tmp_path: Path) -> tuple[dict, Diagnostics]:
    diag = Diagnostics()
    chapter = Chapter(path=tmp_path / "01-x.md", rel="chapters/01-x.md", text=text)
    cache = BuildCache(tmp_path / "cache", diag, enabled=False)
    with ThreadPoolExecutor(max_workers=1) as pool:
        doc = read_chapters([chapter], diag, cache, pool, 1)[0]
    assert doc is not None
    return doc.ast, diag


def test_text_before_the_title_is_moved_below_it(tmp_path):
    ast, diag = _read("Written above the title.\n\n# Title\n\nBody.\n", tmp_path)
    assert [str(p) for p in diag.problems] == [
        "chapters/01-x.md:1: warning: text before the chapter's '# Title' is moved below the "
        "title (a chapter starts with its title) [heading.first]"]
    assert [block["t"] for block in ast["blocks"]] == ["Header", "Para", "Para"]


def test_comments_vanish_and_their_maths_is_not_read(tmp_path):
    ast, diag = _read("# T\n\nA <!-- $\\frac{$ -- x -->B.\n\n<!--\n$$ \\broken{ $$\n-->\n",
                      tmp_path)
    assert diag.problems == []
    assert json.dumps(ast).count('"Math"') == 0
    assert ast["blocks"][1] == {"t": "Para", "c": [{"t": "Str", "c": "A"}, {"t": "Space"},
                                                   {"t": "Str", "c": "B."}]}


@pytest.mark.parametrize("latex", ["\\input{/etc/hostname}",
                                   "\\begin{figure}\\lstinputlisting{/etc/hostname}\\end{figure}",
                                   "\\begin{table}\\include{/etc/hostname}\\end{table}"])
def test_latex_that_reads_a_file_is_never_converted(latex, tmp_path):
    secret = Path("/etc/hostname").read_text(encoding="utf-8").strip() \
        if Path("/etc/hostname").is_file() else "no-such-text"
    ast, diag = _read(f"# T\n\n{latex}\n", tmp_path)
    assert secret not in json.dumps(ast)
    assert [(p.line, p.code) for p in diag.problems] == [(3, "raw.latex")]


def test_html_tags_become_what_they_stand_for(tmp_path):
    ast, diag = _read("# T\n\nH<sub>2</sub>O, 10<sup>3</sup>, <b>bold</b><br>next "
                      "<span>plain</span>.\n", tmp_path)
    kinds = [node["t"] for node in ast["blocks"][1]["c"]]
    assert kinds == ["Str", "Subscript", "Str", "Space", "Str", "Superscript", "Str", "Space",
                     "Strong", "LineBreak", "Str", "Space", "Str", "Str"]
    assert diag.problems == []


def test_pandoc_crossref_syntax_is_read_as_quartos(tmp_path):
    root = copy_root("basic", tmp_path)
    (root / "chapters/03-crossref.md").write_text(
        "# Crossref {#sec:cr}\n\nSee @fig:crossbars, @Tbl:sizes, @sec:cr, @eq:one and "
        "@lst:code.\n\n![Bars](figures/bars.svg){#fig:crossbars}\n\n| a |\n|---|\n| 1 |\n\n"
        ": Sizes []{#tbl:sizes}\n\n"
        "$$ x = 1 $$ {#eq:one}\n\n```{#lst:code .python caption=\"A listing\"}\nx = 1\n```\n\n"
        "```python\ny = 2\n```\n\n: Another listing {#lst:para}\n\nAlso @lst:para.\n",
        encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert built.warnings == []
    text = _html_text(built.html_path)
    assert "See Figure 2, Table 2, Chapter 3, Equation 1 and Listing 1." in text
    assert "Listing 2. Another listing" in text and "Also Listing 2." in text
    assert RAW_MARKUP.findall(text) == []


def test_figure_word_before_a_reference_is_warned_at_each_occurrence(tmp_path):
    root = copy_root("basic", tmp_path)
    (root / "chapters/03-words.md").write_text(
        "# Words\n\n![Bars](figures/bars.svg){#fig-wordbars}\n\nAs (Figure @fig-wordbars) shows,\n"
        "and Fig. @fig-wordbars too,\n\nand [Figure @fig-wordbars] is fine, "
        "Figure [-@fig-wordbars] too.\n\nFigures @fig-wordbars and @fig-wordbars.\n",
        encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert [w.split(": warning: ")[0] for w in built.warnings] == [
        "chapters/03-words.md:5", "chapters/03-words.md:6", "chapters/03-words.md:10"]
    text = _html_text(built.html_path)
    assert "As (Figure 2) shows, and Figure 2 too, and Figure 2 is fine, Figure 2 too." in text
    assert "Figure Figure" not in text and "Fig. Figure" not in text
    assert "Figure 2 and Figure 2." in text


def test_manubot_paper(tmp_path):
    root = copy_root("manubot", tmp_path)
    built = build_root(root, formats=("html",), git_stamp=False)
    assert built.warnings[0] == (
        "chapters/01-introduction.md:14: warning: raw HTML '<i class=\"fas fa-check\">' is left "
        "out of the editions (its content is kept); so is 1 more <i> tag in this chapter: "
        "write *text* (an icon font is not loaded) [raw.html]")
    located = [(w.split(": warning: ")[0], w.split("'")[1]) for w in built.warnings[1:]]
    assert located == [("chapters/01-introduction.md:6", "@doi:10.5194/esurf-5-2017"),
                       ("chapters/01-introduction.md:6", "@arxiv:2101.00001"),
                       ("chapters/01-introduction.md:7", "@pmid:12345678"),
                       ("chapters/01-introduction.md:7", "@url:https://example.org/data"),
                       ("chapters/01-introduction.md:8", "@https://example.org/report")]
    assert all(w.endswith("add an entry with this key (or its DOI) to the bibliography file "
                          "[cite.identifier]") for w in built.warnings[1:])
    page = parse(built.html_path.read_text(encoding="utf-8"))
    links = {a.attrs["href"] for a in page.find_all("a")}
    assert {"https://doi.org/10.5194/esurf-5-2017", "https://arxiv.org/abs/2101.00001",
            "https://pubmed.ncbi.nlm.nih.gov/12345678", "https://example.org/data",
            "https://example.org/report"} <= links
    text = _html_text(built.html_path)
    assert "Open methods for counting river bars" in page.find_all("title")[0].text()
    assert "Rowan Example" in " ".join(page.text().split())
    assert "this comment must not print" not in text and "Figure 1" in text
    assert "Table 1. Bars per reach, as Manubot labels a table." in text
    assert "Table 1 lists them." in text and RAW_MARKUP.findall(text) == []
    assert "A review covers both," in text  # the alias cites its DOI's entry (a note)
    config = root / "report.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "silence: [raw.html]\n",
                      encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:  # under --strict each is an error
        build_root(root, formats=("html",), strict=True, git_stamp=False)
    assert [p.code for p in failed.value.problems] == ["cite.identifier"] * 5


def test_a_file_holding_only_latex_lists_is_skipped(tmp_path):
    root = copy_root("basic", tmp_path)
    (root / "chapters/03-lof.md").write_text("\\listoffigures\n<!-- the list -->\n\n"
                                             "\\newpage\n", encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert built.warnings == [
        "chapters/03-lof.md: warning: holds nothing to print once its raw LaTeX and HTML are "
        "left out: the chapter is skipped [chapter.empty]"]


def test_a_formula_pandoc_cannot_convert_is_an_error_at_its_first_line(tmp_path):
    root = copy_root("basic", tmp_path)
    (root / "chapters/03-maths.md").write_text(
        "# Maths\n\nText.\n\n$$\n\\begin{aligned}\n  a &= \\argmin_x f(x)\n\\end{aligned}\n$$\n",
        encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("html",), git_stamp=False)
    assert [(p.path, p.line) for p in failed.value.problems] == [("chapters/03-maths.md", 6)]
    assert "cannot be typeset" in str(failed.value.problems[0])


def test_a_changed_metadata_yaml_rebuilds(tmp_path):
    root = copy_root("manubot", tmp_path)
    build_root(root, formats=("html",), git_stamp=False)
    metadata = root / "content/metadata.yaml"
    metadata.write_text(metadata.read_text(encoding="utf-8").replace(
        "Open methods for counting river bars", "Closed methods"), encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert "Closed methods" in parse(built.html_path.read_text(encoding="utf-8")).find_all(
        "title")[0].text()


def test_messages_about_crossref_and_latex_ids_find_their_line(tmp_path):
    root = copy_root("basic", tmp_path)
    chapter = root / "chapters/03-ids.md"
    chapter.write_text(
        "# Ids\n\nText.\n\n\\begin{table}\n\\label{tab:nocap}\n\\begin{tabular}{l}\na \\\\\n"
        "\\end{tabular}\n\\end{table}\n", encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert built.warnings == [
        "chapters/03-ids.md:6: warning: '#tbl-nocap' has no caption: end the block with a "
        "caption paragraph or give it tbl-cap=\"...\" [float.caption]"]
    chapter.write_text("# Ids\n\n![One](figures/bars.svg){#fig:same}\n\n"
                       "![Two](figures/bars.svg){#fig:same}\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("html",), git_stamp=False)
    assert [str(p) for p in failed.value.problems] == [
        "chapters/03-ids.md:3: duplicate identifier '#fig-same'"]


def test_html_tables_images_and_links_become_markdown_ones(tmp_path):
    ast, diag = _read(
        "# T\n\n<table>\n<caption>Scores</caption>\n<tr><th>A</th><th>B</th></tr>\n"
        "<tr><td>1</td><td>*2*<script>alert(1)</script></td></tr>\n</table>\n\n"
        "See <img src=\"figures/a.png\" alt=\"a chart\" width=\"50\"> at "
        "<a href=\"https://example.org/x\">the site</a>.\n", tmp_path)
    table, para = ast["blocks"][1], ast["blocks"][2]
    assert table["t"] == "Table" and json.dumps(table["c"][1]).count('"Scores"') == 1
    assert "alert" not in json.dumps(ast) and "RawBlock" not in json.dumps(ast)
    assert [node["t"] for node in para["c"]] == ["Str", "Space", "Image", "Space", "Str",
                                                 "Space", "Link", "Str"]
    assert para["c"][6]["c"][2][0] == "https://example.org/x"
    assert [str(problem) for problem in diag.problems] == [  # pandoc's HTML reader drops it
        "chapters/01-x.md:6: warning: raw HTML '<script>' in a table is left out of the "
        "editions: a report carries no scripts [raw.html]"]


def test_a_tag_that_is_no_html_element_is_text(tmp_path):
    ast, diag = _read("# T\n\nA List<String> of <T> items.\n", tmp_path)
    assert diag.problems == []
    assert A.stringify(ast["blocks"][1]) == "A List<String> of <T> items."


def test_a_latex_label_without_prefix_is_found_from_another_chapter(tmp_path):
    root = copy_root("basic", tmp_path)
    (root / "chapters/03-flows.md").write_text(
        "# Flows\n\n\\begin{figure}\n\\includegraphics{figures/bars.svg}\n"
        "\\caption{Flows by year.}\n\\label{flows}\n\\end{figure}\n\n"
        "\\begin{equation}\nQ = v A \\label{discharge}\n\\end{equation}\n", encoding="utf-8")
    (root / "chapters/04-later.md").write_text(
        "# Later\n\nAs \\autoref{flows} shows, by Equation~\\eqref{discharge}.\n",
        encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert built.warnings == []
    assert "As Figure 2 shows, by Equation 1." in _html_text(built.html_path)


def test_a_last_chapter_holding_only_a_references_title_is_left_out(tmp_path):
    """A pandoc thesis ends with a file holding raw LaTeX, a comment and '# References'
    (where pandoc puts citeproc's list): no empty numbered chapter is printed before the
    bibliography, and the user is told why (never failing --strict)."""
    root = copy_root("basic", tmp_path)
    (root / "chapters" / "03-references.md").write_text(
        "\\singlespacing\n\n<!-- generated from the .bib file -->\n\n# References\n",
        encoding="utf-8")
    built = build_root(root, strict=True, formats=("html", "pdf"))
    assert built.warnings == [
        "chapters/03-references.md: warning: holds only its title 'References' (where pandoc "
        "puts the bibliography): the chapter is left out; the bibliography follows the last "
        "chapter [chapter.empty]"]
    assert not re.search(r"chapter\s+3\b", " ".join(built.page_texts()), re.I)


def test_what_the_html_reader_drops_from_a_table_is_a_located_warning(tmp_path):
    """pandoc's HTML reader drops a <script>, an <iframe> (after trying to fetch it) and
    form fields from the table it reads: each is said, at its line, and nothing is fetched."""
    root = copy_root("basic", tmp_path)
    (root / "chapters/03-table.md").write_text(
        "# Table\n\nText.\n\n<table>\n<tr><th>Name</th><th>Value</th></tr>\n"
        "<tr><td>One</td><td>1<script>alert(1)</script></td></tr>\n"
        "<tr><td>Two</td><td>2 <iframe src=\"x.html\"></iframe></td></tr>\n"
        "<tr><td>Three</td><td><input value=\"3\"></td></tr>\n</table>\n", encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert built.warnings == [
        "chapters/03-table.md:7: warning: raw HTML '<script>' in a table is left out of the "
        "editions: a report carries no scripts [raw.html]",
        "chapters/03-table.md:8: warning: raw HTML '<iframe src=\"x.html\">' in a table is left "
        "out of the editions: link to the page instead: [text](https://...) [raw.html]",
        "chapters/03-table.md:9: warning: raw HTML '<input value=\"3\">' in a table is left out "
        "of the editions: a printed report has no form fields: write the text [raw.html]"]
    page = built.html_path.read_text(encoding="utf-8")
    assert "<td>Two</td>" in page and "alert" not in page and "<iframe" not in page


def test_a_tabbing_environment_is_the_table_it_lays_out(tmp_path):
    """A thesis template's list of abbreviations (tompollard/phd_thesis_markdown's, read
    for this) is a ``tabbing`` environment, which pandoc's LaTeX reader drops: its page
    printed empty, with a warning. Tab stops (``\\=``, ``\\>``) are its columns, a
    ``\\kill`` line sets them only; one with another tabbing command is still said."""
    text = ("# Abbreviations\n\n\\begin{tabbing}\n\\textbf{XXXXXXXX} \\= \\kill\n"
            "\\textbf{API}~~~~ \\= \\textbf{A}pplication \\textbf{P}rogramming \\\\\n"
            "\\textbf{JSON} \\> \\textbf{J}ava\\textbf{S}cript \\\\\n\\end{tabbing}\n\n"
            "\\begin{tabbing}A \\= B \\+ \\\\\n\\end{tabbing}\n")
    tree, diag = _read(text, tmp_path)
    tables = [node for node in A.iter_nodes(tree["blocks"]) if node["t"] == "Table"]
    assert len(tables) == 1
    rows = [[A.stringify(cell[4]) for cell in row[1]] for row in tables[0]["c"][4][0][3]]
    assert rows == [["API", "Application Programming"], ["JSON", "JavaScript"]]
    assert [(p.line, p.code) for p in diag.problems] == [(9, "raw.latex")]
