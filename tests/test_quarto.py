"""Quarto-compatible authoring (#12): every float, reference form, callout, theorem,
listing and equation a Quarto writer uses, in the web edition and in the PDF as printed.

The fixture ``tests/roots/quarto`` writes each form once; the bad-input tests build
small reports of their own.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from conftest import REPO, Built, SharedBuilds, build_root, copy_root
from htmlparse import Element, parse_html

from reportc.build import BuildOptions, build
from reportc.document.math import print_formulas
from reportc.errors import BuildFailed
from reportc.pandoc import ast as A
from reportc.pandoc.runner import _warnings

# what the PDF prints after a cross-reference: its page, or where it is when that is near
# (reportc/pdf/varioref.py: nothing on the same page, "on the next page", ...)
WHERE = r"(?: on p\. \d+| on the (?:next|previous) page)?"


@pytest.fixture(scope="module")
def quarto(shared: SharedBuilds) -> Built:
    return shared.build("quarto")


@pytest.fixture(scope="module")
def page(quarto) -> Element:
    return parse_html(quarto.html_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pdf_text(quarto) -> str:
    """The PDF's text as a reader meets it, spaces normalised (non-breaking ones too) and
    words hyphenated at a line end joined again."""
    text = " ".join(" ".join(quarto.page_texts()).replace("\u00a0", " ").split())
    return re.sub(r"(?<=[a-z])- (?=[a-z])", "", text)


def _by_id(page: Element, identifier: str) -> Element:
    return next(e for e in page.iter() if e.attrs.get("id") == identifier)


def _xref(page: Element, identifier: str) -> str:
    links = [a for a in page.find_all("a", "xref") if a.attrs["href"] == "#" + identifier]
    assert links, identifier
    return " ".join(links[0].text().replace("\u00a0", " ").split())


def _caption(figure: Element) -> str:
    caption = figure.children[-1] if figure.tag == "figure" else None
    if figure.tag == "figure":
        caption = next(c for c in figure.children if c.tag == "figcaption")
    assert caption is not None
    return " ".join(caption.text().replace("\u00a0", " ").split())


def test_the_fixture_builds_without_warnings(quarto):
    assert quarto.warnings == []
    assert quarto.pdf_path.is_file()


# --- 1. floats ---------------------------------------------------------------------------

FLOATS = [  # id, element, caption as printed
    ("fig-plain", "figure", "Figure 1. A plain figure with an identifier."),
    ("fig-div", "figure", "Figure 2. A div figure whose last paragraph is the caption."),
    ("tbl-pipe", "table", "Table 1. A pipe table with its caption."),
    ("tbl-div", "figure", "Table 2. A div table whose last paragraph is the caption."),
    ("fig-quote", "figure", "Figure 3. A figure made of a quotation."),
    ("tbl-list", "figure", "Table 3. A table made of a list."),
    ("fig-attr", "figure", "Figure 4. A caption given as an attribute."),
    ("tbl-attr", "figure", "Table 4. A table caption given as an attribute."),
    ("fig-linked", "figure", "Figure 5. A linked image figure."),
    ("tbl-image", "figure", "Table 5. An image used as a table."),
    ("fig-in-list", "figure", "Figure 6. A figure inside a list."),
    ("fig-in-callout", "figure", "Figure 7. A figure inside a callout."),
    ("fig-panels", "figure", "Figure 8. Two panels in one figure."),
    ("tbl-panels", "figure", "Table 6. Two tables in one."),
    ("fig-nocap", "figure", "Figure 9"),
    # an attribute caption is Markdown: its apostrophe is typeset like the text's
    ("tbl-attr-table", "table", "Table 7. A caption from the table\u2019s attributes."),
]


@pytest.mark.parametrize(("identifier", "tag", "caption"), FLOATS)
def test_every_float_form_is_numbered_captioned_and_referenced(page, identifier, tag, caption):
    element = _by_id(page, identifier)
    assert element.tag == tag
    if tag == "table":
        printed = " ".join(element.find_all("caption")[0].text().replace("\u00a0", " ").split())
    else:
        printed = _caption(element)
    assert printed.startswith(caption), printed
    assert _xref(page, identifier) == caption.split(".")[0]


def test_float_content_is_kept_inside_its_float(page):
    assert _by_id(page, "fig-quote").find_all("blockquote")
    assert len(_by_id(page, "tbl-list").find_all("li")) == 2
    assert _by_id(page, "tbl-div").find_all("table")
    assert _by_id(page, "tbl-image").find_all("img")
    assert "float-table" in _by_id(page, "tbl-image").classes  # caption above, as a table's
    linked = _by_id(page, "fig-linked").find_all("a")[0]
    assert linked.attrs["href"] == "https://example.org/panel"
    assert linked.find_all("img")
    # the image of a caption-attribute float is described by the caption
    assert _by_id(page, "fig-attr").find_all("img")[0].attrs["alt"] == \
        "A caption given as an attribute."


def test_floats_sit_inside_lists_and_callouts(page):
    assert _by_id(page, "fig-in-list").parent.tag == "li"
    callout = _by_id(page, "fig-in-callout").parent.parent
    assert "callout-tip" in callout.classes


def test_floats_are_listed_on_the_documents_for_lists_of_figures(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from reportc.cache import BuildCache
    from reportc.document.numbering import number_report
    from reportc.document.read import read_chapters
    from reportc.errors import Diagnostics
    from reportc.project.chapters import load_chapters
    from reportc.project.config import load_config

    root = copy_root("quarto", tmp_path)
    diag = Diagnostics()
    config = load_config(root, diag)
    with ThreadPoolExecutor(max_workers=1) as pool:
        docs = read_chapters(load_chapters(config, diag), diag,
                             BuildCache(root / "c", diag, enabled=False), pool, 1)
    number_report(docs, diag)
    floats = [(f.kind, f.number, f.id) for f in docs[0].floats]
    assert floats[:4] == [("figure", "1", "fig-plain"), ("figure", "2", "fig-div"),
                          ("table", "1", "tbl-pipe"), ("table", "2", "tbl-div")]
    assert ("listing", "1", "lst-code") in [(f.kind, f.number, f.id) for f in docs[1].floats]
    assert docs[0].floats[0].caption == "A plain figure with an identifier."
    assert docs[0].floats[0].label == "Figure\u00a01"


def test_floats_print_numbered_with_their_pages(pdf_text):
    for _identifier, _tag, caption in FLOATS:
        assert caption.split(" ", 2)[0] + " " + caption.split(" ", 2)[1] in pdf_text
    assert "Table 5. An image used as a table." in pdf_text
    assert re.search(r"The linked image is Figure 5" + WHERE, pdf_text)


# --- 2. subfloats --------------------------------------------------------------------------

def test_subfloats_are_panels_of_one_figure(page):
    group = _by_id(page, "fig-panels")
    grid = group.find_all("div", "panel-grid")[0]
    assert "layout-ncol-2" in grid.classes
    panels = grid.find_all("figure", "subfloat")
    assert [p.attrs["id"] for p in panels] == ["fig-panel-a", "fig-panel-b"]
    assert [_caption(p) for p in panels] == ["(a) First panel", "(b) Second panel"]
    assert [p.find_all("img")[0].attrs["alt"] for p in panels] == ["First panel", "Second panel"]
    assert _xref(page, "fig-panels") == "Figure 8"
    assert _xref(page, "fig-panel-b") == "Figure 8(b)"


def test_subfloat_references_print_with_their_page(pdf_text):
    assert "(a) First panel" in pdf_text and "(b) Second panel" in pdf_text
    assert re.search(r"The group is Figure 8" + WHERE + r" and its second panel is "
                     r"Figure 8\(b\)" + WHERE + r"\.", pdf_text)
    # from another chapter, with the page as every cross-reference there
    assert re.search(r"From another chapter: the panel Figure 8\(b\) on p\. (\d+) and the "
                     r"group Figure 8 on p\. \1\.", pdf_text)
    assert "Figure 10" not in pdf_text  # panels are not figures of their own


def test_sub_tables_are_panels_of_one_table(page, pdf_text):
    group = _by_id(page, "tbl-panels")
    panels = group.find_all("figure", "subfloat")
    assert [p.attrs["id"] for p in panels] == ["tbl-sub-a", "tbl-sub-b"]
    assert [_caption(p) for p in panels] == ["(a) First sub-table", "(b) Second sub-table"]
    assert all(p.find_all("table") for p in panels)
    assert _xref(page, "tbl-sub-b") == "Table 6(b)"
    assert re.search(r"its second panel Table 6\(b\)" + WHERE, pdf_text)
    assert "Table 8" not in pdf_text  # 7 is the next chapter's table


def test_an_uncaptioned_image_with_an_id_is_a_numbered_figure(page):
    figure = _by_id(page, "fig-nocap")
    assert _caption(figure) == "Figure 9"
    assert figure.find_all("img")[0].attrs["alt"] == "A green panel."  # fig-alt


# --- 3. reference forms --------------------------------------------------------------------

def test_reference_forms(page, pdf_text):
    text = " ".join(_by_id(page, "sec-forms").parent.text().replace("\u00a0", " ").split())
    assert "Figure 1 starts a sentence." in text  # @Fig-plain
    assert "A custom prefix: Fig. 1." in text  # [Fig. @fig-plain]
    assert "The number alone: 1." in text  # [-@fig-plain]
    assert "Figure Figure" not in text
    assert re.search(r"Figure 1 on p\. \d+ starts a sentence\. A custom prefix: Fig\. 1 on "
                     r"p\. \d+\. The number alone: 1 on p\. \d+", pdf_text)


PREFIXES = [("sec-forms", "Section 2.1"), ("eq-growth", "Equation 1"), ("lst-code", "Listing 1"),
            ("thm-main", "Theorem 1"), ("lem-aux", "Lemma 1"), ("cor-c", "Corollary 1"),
            ("prp-p", "Proposition 1"), ("cnj-c", "Conjecture 1"), ("def-d", "Definition 1"),
            ("exm-e", "Example 1"), ("exr-x", "Exercise 1"), ("nte-n", "Note 1"),
            ("tip-t", "Tip 1"), ("wrn-w", "Warning 1"), ("imp-i", "Important 1"),
            ("cau-c", "Caution 1")]


@pytest.mark.parametrize(("identifier", "label"), PREFIXES)
def test_every_quarto_prefix_is_a_cross_reference(page, pdf_text, identifier, label):
    assert _xref(page, identifier) == label
    assert re.search(re.escape(label) + WHERE + r"[,.;]", pdf_text)


# --- 4. equations --------------------------------------------------------------------------

def test_equations_are_mathml_on_the_web_and_numbered(page):
    equation = _by_id(page, "eq-growth")
    assert "equation" in equation.classes
    assert equation.find_all("math")[0].attrs["display"] == "block"
    assert equation.find_all("span", "equation-number")[0].text() == "(1)"
    maths = page.find_all("math")
    assert len(maths) == 4  # in a heading, inline, numbered display, unnumbered display
    assert {m.attrs["display"] for m in maths} == {"inline", "block"}
    assert "$" not in _by_id(page, "sec-forms").parent.text()  # no TeX printed raw


def test_formulas_print_as_vector_drawings_with_their_tex_as_alt_text(quarto):
    html = quarto.html_path.read_text(encoding="utf-8")
    printed = print_formulas(html)
    assert "<math" not in printed
    images = re.findall(r'<img class="math-(inline|display)" alt="([^"]*)" style="[^"]*" '
                        r'src="data:image/svg\+xml;base64,([^"]+)"', printed)
    assert [(kind, alt.strip()) for kind, alt, _data in images] == [
        ("inline", r"\alpha^2"), ("inline", r"g = \frac{\Delta Y}{Y}"),
        ("display", r"Y_t = A K_t^{\alpha} L_t^{1-\alpha}"),
        ("display", r"\int_0^1 x^2 \, dx = \frac{1}{3}")]
    svg = base64.b64decode(images[0][2]).decode("utf-8")
    assert svg.startswith("<svg") and "<path" in svg and "<text" not in svg  # outlines


def test_a_formula_in_a_heading_reads_as_text_in_the_contents_and_outline(page, quarto):
    toc = page.find_all("nav")[0].text()
    assert "Equations with α²" in toc and "alpha" not in toc
    contents = next(t for t in quarto.page_texts() if "Contents" in t)
    assert "Equations with α²" in contents
    assert "Equations with α²" in str(quarto.pdf.outline)


def test_the_pdf_draws_formulas_and_numbers_equations(quarto, pdf_text):
    assert "(1)" in pdf_text
    assert "\\frac" not in pdf_text and "$" not in pdf_text
    pages = quarto.pdf.pages
    maths = next(p for p in pages if "An unnumbered display" in p.extract_text())
    prose = next(p for p in pages if "The works cited in this report" in p.extract_text())

    def curves(page) -> int:  # Bezier path segments: formulas are drawn as outlines
        return len(re.findall(rb"(?m) c$", page.get_contents().get_data()))
    assert curves(maths) > 100 and curves(prose) == 0


# --- 5. callouts ---------------------------------------------------------------------------

CALLOUT_TITLES = ["Note", "Author's tip title", "A warning titled by its heading", "Fold me",
                  "Caution", "Note 1", "Tip 1", "Warning 1", "Important 1", "Caution 1: Careful"]


def test_callouts_are_boxes_with_quarto_titles(page):
    callouts = page.find_all("div", "callout")
    titles = [c.find_all("span", "callout-title")[0].text().replace("\u00a0", " ")
              for c in callouts]
    assert titles[1:] == CALLOUT_TITLES  # the first holds the figure
    kinds = [c.attrs["class"].split()[1] for c in callouts[1:6]]
    assert kinds == ["callout-note", "callout-tip", "callout-warning", "callout-important",
                     "callout-caution"]
    for callout in callouts:
        assert callout.attrs["role"] == "note" and callout.attrs["aria-label"]
        assert "takeaways" not in callout.classes


def test_a_callout_heading_is_no_section(page, quarto):
    headings = [e.text() for e in page.iter() if re.fullmatch(r"h[1-6]", e.tag)]
    assert not any("titled by its heading" in h or "Fold me" in h for h in headings)
    toc = page.find_all("nav", None)[0].text()
    assert "Fold me" not in toc and "titled by its heading" not in toc
    outline = str(quarto.pdf.outline)
    assert "Fold me" not in outline and "titled by its heading" not in outline


def test_a_collapsible_callout_folds_on_the_web_and_prints_open(page, pdf_text):
    folded = next(c for c in page.find_all("div", "callout") if "callout-folded" in c.classes)
    details = folded.find_all("details")[0]
    assert "open" not in details.attrs
    assert details.find_all("summary")[0].text() == "Fold me"
    assert "Fold me A collapsible callout." in pdf_text


def test_callouts_print_with_their_titles(pdf_text):
    for title in CALLOUT_TITLES:
        assert title in pdf_text


def test_callout_style_is_distinct_from_the_takeaway_box():
    base = (REPO / "templates/css/base.css").read_text(encoding="utf-8")
    callout = re.search(r"\.callout \{([^}]*)\}", base).group(1)
    takeaways = re.search(r"\.takeaways \{([^}]*)\}", base).group(1)
    assert "border: 1pt solid" in callout and "background: var(--paper)" in callout
    assert "border-left: 3pt" in takeaways and "accent-tint" in takeaways


# --- 6. theorems and listings --------------------------------------------------------------

def test_theorems_are_titled_like_quarto(page, pdf_text):
    titles = [t.text().replace("\u00a0", " ") for t in page.find_all("span", "theorem-title")]
    assert titles == ["Theorem 1 (Convergence)", "Lemma 1 (Helper lemma)", "Corollary 1",
                      "Proposition 1", "Conjecture 1", "Definition 1", "Example 1",
                      "Exercise 1"]
    assert "Theorem 1 (Convergence) Every bounded monotone sequence converges." in pdf_text
    assert "Lemma 1 (Helper lemma) A lemma titled by its heading." in pdf_text
    assert "Proof. Obvious from the lemma." in pdf_text


def test_listings_have_captions_above_the_code(page, pdf_text):
    listing = _by_id(page, "lst-code")
    assert "float-listing" in listing.classes and listing.find_all("pre")
    assert _caption(listing) == "Listing 1. Computing the growth rate"
    assert "Listing 1. Computing the growth rate def growth(y0, y1):" in pdf_text


# --- 7. bibliography placement -------------------------------------------------------------

def test_the_bibliography_goes_where_refs_is(page, quarto):
    sources = _by_id(page, "ch-03-sources").parent
    assert len(sources.find_all("div", "csl-entry")) == 2
    assert not [s for s in page.find_all("section") if "kind-bibliography" in s.classes]
    assert "Bibliography" not in page.find_all("nav")[0].text()
    texts = quarto.page_texts()
    where = next(t for t in texts if "The works cited in this report:" in t)
    assert "Clarkson, Ann. Types of Evidence. Fixture Press, 2020." in where
    assert not any("Bibliography" in t for t in texts)


# --- 8. the two bugs -----------------------------------------------------------------------

def test_a_citation_in_a_caption_stays_out_of_the_alt_text(page):
    figure = _by_id(page, "fig-div")
    assert figure.find_all("img")[0].attrs["alt"] == "Panel for the div figure"
    part = figure.parent
    calls = [a.attrs["href"] for a in part.find_all("a", "fn-ref")]
    items = [li for li in part.find_all("div", "fn-item")]
    assert len(items) == len(calls) == 1  # no phantom note


def test_a_caption_citation_of_an_image_figure_is_one_note(tmp_path):
    root = _report(tmp_path, "# Chapter\n\n![Types of evidence [@clarkson2020].]"
                             "(figures/panel-a.svg){#fig-x}\n\nSee @fig-x.\n")
    built = build_root(root, formats=("html",))
    page = parse_html(built.html_path.read_text(encoding="utf-8"))
    image = page.find_all("img")[0]
    assert image.attrs["alt"] == "Types of evidence."
    assert len(page.find_all("div", "fn-item")) == len(page.find_all("a", "fn-ref")) == 1


def test_a_long_closing_fence_closes_nested_divs(tmp_path):
    root = _report(tmp_path, "# Chapter\n\n:::: {.callout-note}\n::: {#fig-x}\n"
                             "![Panel](figures/panel-a.svg)\n\nCaption.\n:::\n::::\n\n"
                             "See @fig-x.\n")
    built = build_root(root, formats=("html",))
    assert "Figure\u00a01" in built.html_path.read_text(encoding="utf-8")


# --- bad input -----------------------------------------------------------------------------

def _report(tmp_path: Path, chapter: str) -> Path:
    root = copy_root("quarto", tmp_path)
    for path in (root / "chapters").glob("*.md"):
        path.unlink()
    (root / "chapters/01-chapter.md").write_text(chapter, encoding="utf-8")
    (root / "references.bib").write_text(
        "@book{clarkson2020,\n  author = {Clarkson, Ann},\n  title = {Types},\n"
        "  publisher = {P},\n  date = {2020}\n}\n", encoding="utf-8")
    (root / "report.yaml").write_text(
        "title: T\nslug: t\ndate: 2026-05-04\nlang: en-GB\n", encoding="utf-8")
    return root


def _problems(root: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        build(BuildOptions(root=root, formats=("html",)))
    return [str(problem) for problem in failure.value.problems]


def test_unknown_cross_reference_id_or_prefix_is_never_a_citation_error(tmp_path):
    root = _report(tmp_path, "# Chapter\n\nSee @thm-missing.\n\nAnd @fgi-typo here.\n\n"
                             "Cited [@clarkson2020].\n")
    problems = _problems(root)
    assert "chapters/01-chapter.md:3: unknown cross-reference '@thm-missing'" in problems
    assert any(p.startswith("chapters/01-chapter.md:5: unknown cross-reference '@fgi-typo'")
               for p in problems), problems
    assert not any("citation" in p for p in problems)


def test_a_word_doubling_the_label_is_a_located_warning(tmp_path):
    root = _report(tmp_path, "# Chapter\n\n## Part {#sec-part}\n\n| a |\n|---|\n| 1 |\n\n"
                             ": Cap {#tbl-x}\n\nAs Table @tbl-x shows, and\nSection @sec-part "
                             "too. Cited [@clarkson2020].\n")
    built = build_root(root, formats=("html",))
    assert any(w.startswith("chapters/01-chapter.md:11: warning: 'Table @tbl-x' would print "
                            "'Table Table\u00a01'") and "write '@tbl-x'" in w
               for w in built.warnings), built.warnings
    page = built.html_path.read_text(encoding="utf-8")
    assert "Table Table" not in page and "Section Section" not in page  # printed once
    assert any(w.startswith("chapters/01-chapter.md:12: warning: 'Section @sec-part'")
               for w in built.warnings), built.warnings


def test_a_formula_that_cannot_be_typeset_is_one_located_error(tmp_path):
    root = _report(tmp_path, "# Chapter\n\nFine $x^2$.\n\nBroken $\\frac{a}{$ here.\n\n"
                             "Unknown $\\nosuchcommand{x}$ too. Cited [@clarkson2020].\n")
    problems = _problems(root)
    assert [p.split(":")[:2] for p in problems] == [["chapters/01-chapter.md", "5"],
                                                   ["chapters/01-chapter.md", "7"]]
    assert "cannot be typeset" in problems[0]
    assert "\\nosuchcommand is not defined: define it with \\newcommand" in problems[1]


def test_a_second_refs_div_is_an_error(tmp_path):
    root = _report(tmp_path, "# Chapter\n\nCited [@clarkson2020].\n\n::: {#refs}\n:::\n")
    (root / "chapters/02-more.md").write_text("# More\n\n::: {#refs}\n:::\n", encoding="utf-8")
    problems = _problems(root)
    assert any(p.startswith("chapters/02-more.md:3: a second '::: {#refs}' div")
               for p in problems), problems


def test_a_multi_line_pandoc_warning_stays_one_warning():
    stderr = ("[WARNING] Could not convert TeX math \\frac{a}{, rendering as TeX:\n"
              "  \\frac{a}{\n           ^\n  unexpected eof\n  expecting white space\n"
              "[WARNING] Another one\n")
    warnings = _warnings(stderr)
    assert len(warnings) == 2
    assert warnings[0].startswith("Could not convert TeX math") and "unexpected eof" in warnings[0]


def test_formula_drawings_are_kept_in_the_build_cache(tmp_path, monkeypatch):
    from reportc import cache as cache_module
    from reportc.document import math as math_module
    from reportc.document.model import ChapterDoc
    from reportc.errors import Diagnostics
    from reportc.project.chapters import Chapter

    chapter = Chapter.__new__(Chapter)
    object.__setattr__(chapter, "text", "$$ a^2 + b^2 $$")
    doc = ChapterDoc.__new__(ChapterDoc)
    doc.chapter, doc.ast = chapter, {"blocks": [{"t": "Para", "c": [
        {"t": "Math", "c": [{"t": "DisplayMath"}, " a^2 + b^2 "]}]}]}
    diag = Diagnostics()
    store = cache_module.BuildCache(tmp_path / "cache", diag)
    nodes = A.iter_nodes(doc.ast["blocks"])
    math_module.check_formulas(doc, diag, nodes, store)
    store.save()
    math_module._DRAWN.clear()
    monkeypatch.setattr(math_module, "_draw", lambda *args: pytest.fail("drawn again"))
    math_module.check_formulas(doc, diag, nodes, cache_module.BuildCache(tmp_path / "cache", diag))
    assert "<img" in print_formulas('<math display="block"><semantics><annotation '
                                    'encoding="application/x-tex">a^2 + b^2</annotation>'
                                    '</semantics></math>')
    assert not diag.problems


def test_pandocs_tex_warning_becomes_one_error_at_the_formulas_line(tmp_path):
    from reportc.document.math import located_math_warning
    from reportc.document.model import ChapterDoc
    from reportc.project.chapters import Chapter

    chapter = Chapter.__new__(Chapter)
    object.__setattr__(chapter, "text", "# T\n\nSee $\\weird{x}$ here.\n")
    doc = ChapterDoc.__new__(ChapterDoc)
    doc.chapter = chapter
    warning = _warnings("[WARNING] Could not convert TeX math \\weird{x}, rendering as TeX:\n"
                        "  \\weird{x}\n        ^\n  unexpected control sequence \\weird\n"
                        "  expecting \"%\" or whitespace\n")[0]
    message, line = located_math_warning(warning, doc)
    assert line == 3
    assert message == ("formula '\\weird{x}' cannot be typeset: \\weird is not defined: define "
                       "it with \\newcommand{\\weird}{...} (or \\DeclareMathOperator{\\weird}{...})"
                       " in a chapter, in its front matter's header-includes, or in a LaTeX "
                       "preamble named by report.yaml's include-in-header")
    assert located_math_warning("Some other warning", doc) is None


# --- a title in the front matter ---------------------------------------------------------------

def test_a_front_matter_title_is_the_chapter_title_when_there_is_no_heading(tmp_path):
    """Quarto and pandoc documents give their title as `title:` in the front matter; such a
    chapter used to fail with "chapter has no title"."""
    root = copy_root("basic", tmp_path)
    (root / "chapters" / "03-quarto.md").write_text(
        "---\ntitle: Written for Quarto\n---\n\nIts first paragraph.\n\n## A section\n\nMore.\n",
        encoding="utf-8")
    built = build_root(root, formats=("html",))
    assert built.warnings == []
    html = built.html_path.read_text(encoding="utf-8")
    heading = re.search(r'<h2 [^>]*class="[^"]*chapter-heading[^"]*"[^>]*>(.*?)</h2>', html[
        html.index("Its first paragraph") - 2000:html.index("Its first paragraph")], re.S)
    assert heading, "the chapter opens with its heading"
    words = " ".join(re.sub(r"<[^>]+>", " ", heading.group(1)).split())
    assert words == "Chapter 3 Written for Quarto", words


def test_a_front_matter_title_over_headings_makes_them_its_sections(tmp_path):
    """A document written for pandoc gives its title in the front matter and its parts as
    # headings: it is one chapter, its headings one level down (the hierarchy kept), and a
    note says so where the title is."""
    root = copy_root("basic", tmp_path)
    (root / "chapters" / "03-quarto.md").write_text(
        "---\nkind: chapter\ntitle: The paper's title\n---\n\n# Introduction\n\nText.\n\n"
        "## Background\n\nMore.\n\n# Results\n\nFound.\n", encoding="utf-8")
    built = build_root(root, formats=("html",))
    assert built.warnings == [
        "chapters/03-quarto.md:3: warning: front matter 'title' is the chapter's title: its "
        "level-1 headings are its sections (each heading one level down) [frontmatter.title]"]
    html = built.html_path.read_text(encoding="utf-8")
    opened = html.index('id="ch-03-quarto"')
    headings = re.findall(r"<h([2-5])[^>]*>(.*?)</h\1>", html[opened - 200:])
    words = [(level, " ".join(re.sub(r"<[^>]+>", " ", text).split()))
             for level, text in headings[:4]]
    assert words == [("2", "Chapter 3 The paper\u2019s title"), ("3", "3.1 Introduction"),
                     ("4", "3.1.1 Background"), ("3", "3.2 Results")]
