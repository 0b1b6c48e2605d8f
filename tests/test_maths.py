"""Formulas as authors write them: standard operators, their own macros, macros defined
nowhere (issue #23, maths)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_root

from reportc.build import BuildOptions, build
from reportc.document.math import formula_problem, math_text
from reportc.document.mathtex import drawable
from reportc.errors import BuildFailed
from reportc.project.macros import definitions, only_definitions

OPERATORS = [r"\arg z", r"\deg p", r"\det A", r"\gcd(a, b)", r"\hom(A, B)", r"\ker f",
             r"\Pr(X)", r"\sup_n a_n", r"\inf_n a_n", r"\lim_{n \to \infty} a_n",
             r"\liminf_n a_n", r"\limsup_n a_n", r"\max_i x_i", r"\min_i x_i",
             r"\operatorname{sgn} x", r"\operatorname*{arg\,min}_x f(x)", r"\mathrm{d}x",
             r"\text{if } x > 0", r"\mathbb{R}", r"\mathcal{L}", r"\boldsymbol{\beta}",
             r"\dag", r"\hdots", r"\Alpha", r"\symbf{x}", r"a = b \nonumber"]


def test_the_first_formula_of_a_build_knows_arg():
    """ziamath declares \\arg (and other operators) when imported: the check must not run
    latex2mathml before it, or a build's first formula fails ('unknown command \\arg')."""
    done = subprocess.run([sys.executable, "-c", "from reportc.document.math import "
                           "formula_problem; print(repr(formula_problem(r'\\arg z', False)))"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "''"


@pytest.mark.parametrize("tex", OPERATORS)
def test_standard_operators_and_alphabets_are_drawn(tex):
    assert formula_problem(tex, display=True) == ""


def test_operator_names_print_their_name_and_no_stray_star():
    assert drawable(r"\operatorname*{arg\,min}_x") == "\\operatorname*{arg\u2009min}_x"
    assert math_text(r"\operatorname*{arg\,min}_x f") == "arg minₓf"
    # what pandoc makes of \DeclareMathOperator{\Var}{Var}
    assert math_text(r"\mathop{\mathrm{Var}}(X)") == "Var(X)"
    assert math_text(r"\Alpha + \dag") == "A + †"


SIZED = [(r"\Big\{ - \sum_n \Big( 1 - x_n \Big) \Big\}", "{(1−xₙ)}"),
         (r"\bigl\langle u, v \bigr\rangle", "⟨u,v⟩"), (r"\Bigl\lVert x \Bigr\rVert", "‖x‖"),
         (r"\bigl\lfloor x \bigr\rfloor + \bigg\lceil y \bigg\rceil", "⌊x⌋+⌈y⌉"),
         (r"\bigl. \frac{a}{b} \bigr|_{x=0}", "|"), (r"\Big\| v \Big\|", "‖v‖")]


@pytest.mark.parametrize(("tex", "drawn"), SIZED)
def test_a_sized_delimiter_written_as_a_command_draws_the_delimiter(tex, drawn):
    r"""phd_thesis_markdown's \Big\{ printed a backslash before its brace in the PDF, and
    \bigl\langle was called undefined: the print engine (latex2mathml, through ziamath)
    drew the command's name, or a dot for the invisible \bigl."""
    assert formula_problem(tex, display=True) == ""  # (imports ziamath as the build does)
    from ziamath.zmath import tex2mml

    drawn_ops = "".join(re.findall(r"<mo[^>]*>([^<]*)</mo>", tex2mml(drawable(tex))))
    assert "\\" not in drawn_ops and "." not in drawn_ops
    shown = "".join(ch for ch in drawn_ops if ch in "{}()⟨⟩‖|⌊⌋⌈⌉")
    assert shown == "".join(ch for ch in drawn if ch in "{}()⟨⟩‖|⌊⌋⌈⌉")


def test_a_double_struck_digit_is_drawn_double_struck():
    """\\mathbb{1} (an indicator function) drew a plain 1 in the PDF; the web edition's
    MathML has it right."""
    from reportc.document.math import _svg

    assert drawable(r"1-\mathbb{1}[x]") == "1-\U0001d7d9[x]"
    assert _svg(r"\mathbb{1}", False)[0] != _svg("1", False)[0]


@pytest.mark.parametrize("tex", [
    r"\begin{aligned}\mbox{mean} la_{tex} \\ \\ math blocks\end{aligned}",
    r"a \\ \\ \\ b", r"x = 1 \\"])
def test_an_empty_line_in_a_formula_is_drawn(tex):
    """Jupyter Book's demo book: an empty line (or a last line break) made the print
    engine draw the formula with a negative height, so the PDF printed nothing there and
    said nothing; the HTML had it."""
    from reportc.document.math import _svg

    assert formula_problem(tex, display=True) == ""
    assert _svg(tex, True)[1] > 0


def test_macro_definitions_are_found_with_their_names():
    text = ("\\newcommand{\\R}{\\mathbb{R}}\n\\DeclareMathOperator*{\\argmin}{arg\\,min}\n"
            "\\renewcommand\\vec[1]{\\mathbf{#1}}\n\\def\\abs#1{\\lvert #1 \\rvert}\n"
            "```\n\\newcommand{\\inCode}{x}\n```\n")
    assert [found.name for found in definitions(text)] == ["\\R", "\\argmin", "\\vec", "\\abs"]
    assert only_definitions("\\newcommand{\\R}{\\mathbb{R}} % reals\n\\def\\x{y}")
    assert not only_definitions("\\newcommand{\\R}{\\mathbb{R}} \\newpage")


def _maths_report(tmp_path: Path, chapters: dict[str, str]) -> Path:
    root = tmp_path / "maths"
    (root / "chapters").mkdir(parents=True)
    (root / "report.yaml").write_text("title: Maths\nslug: maths\ndate: 2026-05-04\n"
                                      "lang: en-GB\n", encoding="utf-8")
    for name, text in chapters.items():
        (root / "chapters" / name).write_text(text, encoding="utf-8")
    return root


def test_authors_macros_from_every_place_are_expanded(tmp_path):
    root = _maths_report(tmp_path, {
        "01-a.md": ("# Estimators\n\n\\newcommand{\\R}{\\mathbb{R}}\n"
                    "\\DeclareMathOperator*{\\argmin}{arg\\,min}\n\n"
                    "The estimate $\\hat\\theta = \\argmin_{\\theta \\in \\R} L(\\theta)$.\n\n"
                    "$$\n\\newcommand{\\E}{\\mathbb{E}}\n$$\n\nMean $\\E[X]$.\n"),
        "02-b.md": ("---\nheader-includes:\n  - \\newcommand{\\N}{\\mathbb{N}}\n---\n\n"
                    "# Second\n\nUses $\\N$, $\\R$, $\\E$ and $\\argmin_x f$ again.\n"),
    })
    built = build_root(root, formats=("html", "pdf"), git_stamp=False)
    assert built.warnings == []
    page = built.html_path.read_text(encoding="utf-8")
    second = page[page.index("id=\"ch-02-b\""):]
    for expanded in ("\U0001d53c", "\u211d", "arg\u2006min"):  # 𝔼 ℝ
        assert expanded in page[:page.index("id=\"ch-02-b\"")] and expanded in second
    assert "\u2115" in second  # ℕ from the front matter's header-includes
    assert "<math display=\"block\"" not in page  # the $$ block of definitions prints nothing
    assert "newcommand" not in _text(page)


def _text(page: str) -> str:
    """The page's text outside the TeX annotations of its formulas."""
    return re.sub(r"<annotation[^>]*>.*?</annotation>", "", page, flags=re.S)


def test_a_macro_defined_nowhere_is_an_error_naming_it(tmp_path):
    root = _maths_report(tmp_path, {"01-a.md": "# A\n\nFine $x$.\n\n\n\n"
                                               "And $\\frob{x}$ there.\n"})
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(root=root, formats=("html",), git_stamp=False))
    assert [str(problem) for problem in failed.value.problems] == [
        "chapters/01-a.md:7: formula '\\frob{x}' cannot be typeset: \\frob is not defined: "
        "define it with \\newcommand{\\frob}{...} (or \\DeclareMathOperator{\\frob}{...}) in a "
        "chapter, in its front matter's header-includes, or in a LaTeX preamble named by "
        "report.yaml's include-in-header"]


def test_a_macro_only_the_print_engine_knows_is_named_too(tmp_path):
    """latex2mathml knows \\argmax, pandoc's texmath (the web edition's) does not."""
    root = _maths_report(tmp_path, {"01-a.md": "# A\n\nThe $\\argmax_x f$ here.\n"})
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(root=root, formats=("html",), git_stamp=False))
    assert [str(problem) for problem in failed.value.problems] == [
        "chapters/01-a.md:3: formula '\\argmax_x f' cannot be typeset: \\argmax is not defined: "
        "define it with \\newcommand{\\argmax}{...} (or \\DeclareMathOperator{\\argmax}{...}) in "
        "a chapter, in its front matter's header-includes, or in a LaTeX preamble named by "
        "report.yaml's include-in-header"]


def test_a_preamble_named_by_include_in_header_defines_macros_for_every_chapter(tmp_path):
    """A pandoc thesis (tompollard/phd_thesis_markdown) keeps \\DeclareMathOperator in the
    LaTeX preamble its Makefile passes with --include-in-header; a commented-out definition
    is not one."""
    root = _maths_report(tmp_path, {"01-a.md": "# A\n\nThe $\\argmin_x f$ and $\\hsp$.\n"})
    (root / "style").mkdir()
    (root / "style/preamble.tex").write_text(
        "\\usepackage{amsmath}\n% \\newcommand{\\hsp}{\\hspace{20pt}}\n"
        "\\DeclareMathOperator*{\\argmin}{\\arg\\!\\min}\n", encoding="utf-8")
    config = root / "report.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "include-in-header: style/preamble.tex\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(root=root, formats=("html",), git_stamp=False))
    assert [str(problem).split(":")[2] for problem in failed.value.problems] == [
        " formula '\\hsp' cannot be typeset"]  # \\argmin is defined; \\hsp only in a comment
    chapter = root / "chapters/01-a.md"
    chapter.write_text("# A\n\nThe $\\argmin_x f$.\n", encoding="utf-8")
    built = build(BuildOptions(root=root, formats=("html",), git_stamp=False))
    assert not built.diagnostics.problems
    html = (root / "out/maths.html").read_text(encoding="utf-8")
    assert "<math" in html and "arg" in html


def test_pandocs_warnings_keep_their_line_after_the_macros_preamble(tmp_path):
    """The other chapters' macros are read before a chapter's text: pandoc's positions
    count that line and the blank after it, the message must not."""
    root = _maths_report(tmp_path, {
        "01-a.md": "# A\n\n\\newcommand{\\R}{\\mathbb{R}}\n\nReals $\\R$.\n",
        "02-b.md": "# B\n\nSee [x] and $\\R$.\n\n[x]: https://example.org/a\n"
                   "[x]: https://example.org/b\n"})
    built = build_root(root, formats=("html",), git_stamp=False)
    assert built.warnings == ["chapters/02-b.md:6: warning: pandoc: Duplicate link reference "
                              "'[x]' [pandoc]"]


def test_a_display_formula_wider_than_the_column_is_scaled_to_fit():
    """Manubot's 'equation too long to fit within page' ran past the PDF page's edge."""
    from reportc.document.math import print_formulas

    long = " + ".join("abcdefghijklmnopqrstuvwxyz")
    page = print_formulas(f'<math display="block"><semantics><annotation encoding='
                          f'"application/x-tex">x = {long}</annotation></semantics></math>'
                          '<math display="inline"><semantics><annotation encoding='
                          '"application/x-tex">y^2</annotation></semantics></math>')
    display, inline = re.findall(r'style="([^"]*)"', page)
    width = float(re.match(r"width:([\d.]+)em;max-width:100%;height:auto$", display).group(1))
    assert width > 30  # wider than a text column (about 30 em): max-width scales it
    assert re.fullmatch(r"height:[\d.]+em;vertical-align:-?[\d.]+em", inline)


def test_a_quarto_books_index_header_includes_reach_every_chapter(tmp_path):
    """index.qmd's front matter is the book's (its title page), its macros still count."""
    from conftest import copy_root

    root = copy_root("quarto-book", tmp_path)
    index = root / "index.qmd"
    index.write_text("---\nheader-includes: |\n  \\newcommand{\\R}{\\mathbb{R}}\n---\n\n" +
                     index.read_text(encoding="utf-8"), encoding="utf-8")
    survey = root / "chapters/survey.qmd"
    survey.write_text(survey.read_text(encoding="utf-8") + "\nThe reals $\\R$ here.\n",
                      encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert not [w for w in built.warnings if "survey" in w or "index" in w], built.warnings
    assert "<mi mathvariant=\"double-struck\">\u211d</mi>" in \
        built.html_path.read_text(encoding="utf-8")
