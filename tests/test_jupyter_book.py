"""A Jupyter Book (1.x: ``_config.yml``, ``_toc.yml`` in the jb-book format, MyST Markdown
chapters) builds as it is, and a reader meets no MyST syntax: admonitions are boxes,
``{cite}`` roles citations, ``(label)=`` targets and ``{numref}``/``{ref}``/``{eq}``/
``{doc}`` references links that resolve, comments and ``+++`` breaks nothing.

Fixture: ``tests/roots/jbook``, written for these tests after the layout of Jupyter Book's
own documentation (v1 branch): a root page, two parts with captions, a chapter with a
nested section, a notebook with stored outputs, a bibliography in ``bibtex_bibfiles``.
"""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import build_root, copy_root

from reportc.build import BuildOptions, build

# what MyST writes that must never print (the comment's words included)
RAW = ("{note}", "{warning}", "{cite", "(resource-chapter)=", ")=", "```", "{eq}", "{ref}",
       "{numref}", "{doc}", "{figure}", "{math}", "{bibliography}", "{tableofcontents}",
       "{code-cell}", "+++", "draft note 42", "{mystery-box}", "{unknownrole}", "{kbd}",
       "{{", "{list-table}", "substitutions:", "prf:", ":label:", "{glossary}", "{term}")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return build_root(copy_root("jbook", tmp_path_factory.mktemp("jb")))


def _pdf_text(built) -> str:
    return " ".join(" ".join(built.page_texts()).replace("\u00a0", " ").split())


def _html_text(built) -> str:
    html = built.html_path.read_text(encoding="utf-8")
    body = html[html.index("<body"):]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_a_section_file_is_a_section_of_its_chapter(book):
    text = _pdf_text(book)
    contents = text[text.index("Contents"):text.index("Bibliography")]
    assert re.search(r"2 The tidal resource .*2\.1 Power in a flow .*2\.2 Sites .*3 Turbines",
                     contents)
    assert re.search(r"2\.2 Sites Strong currents run", text)
    assert not [w for w in book.warnings if "[heading." in w]


def test_the_book_takes_its_settings_from_config_and_toc(book):
    assert not (book.root / "report.yaml").exists()
    assert book.slug == "tidal-energy-notes"
    cover = book.page_texts()[0]
    assert "Tidal Energy Notes" in cover and "Ada Marsh" in cover and "Ben Okafor" in cover
    text = _pdf_text(book)
    assert "\u00a9 2026" in " ".join(book.page_texts())  # copyright: on the imprint page
    contents = text[text.index("Contents"):text.index("Bibliography")]
    order = [contents.index(title) for title in
             ("Welcome", "RESOURCES", "The tidal resource", "Sites", "MACHINES", "Turbines")]
    assert order == sorted(order)  # root, then the parts' captions and chapters, in order


def test_admonitions_print_as_titled_boxes(book):
    text = _pdf_text(book)
    for title, words in (("Note", "Tidal power is the only"), ("Warning", "Velocities above"),
                         ("Rule of thumb", "Power grows with"),
                         ("See also", "The sites chapter lists sites"),
                         ("Tip", "Survey a site"), ("Important", "A turbine's rotor")):
        assert f"{title} {words}".replace("'", "\u2019") in text.replace("'", "\u2019")
    html = book.html_path.read_text(encoding="utf-8")
    assert html.count('class="callout callout-') >= 6


def test_citations_and_the_bibliography_are_formatted(book):
    text = _pdf_text(book)
    assert "as Pugh and Woodworth" in text  # {cite:t}: narrative
    assert "David Pugh and Philip Woodworth, Sea-Level Science" in text  # {cite}: a note
    assert "Bibliography Lewis, Matt, and Simon Neill." in text  # the list, sorted
    assert "Pugh, David, and Philip Woodworth. Sea-Level Science." in text


def test_figures_and_equations_are_numbered_and_referenced(book):
    text = _pdf_text(book)
    assert re.search(r"Figure \d+\. A narrow channel between two islands", text)
    assert re.search(r"See Figure \d+ for a channel", text)  # {numref}
    assert re.search(r"The formula of Fig\. \d+", text)  # {numref}`Fig. %s <x>`
    assert re.search(r"given by \(\d+\)", text)  # {eq}
    assert text.count("A narrow channel between two islands") == 1  # the caption, once


def test_list_tables_and_substitutions_print_what_they_mean(book):
    text = _pdf_text(book)
    assert re.search(r"listed in Table \d+\.", text)  # {numref} to a {list-table}'s :name:
    assert re.search(r"Table \d+\. Sites by current", text)
    assert "Site Peak current Pentland Firth 5 m/s Raz Blanchard 4 m/s" in text
    assert "The survey found twelve sites" in text  # _config.yml's myst_substitutions
    assert "A rotor of 18 m turns slowly" in text  # the front matter's substitutions
    assert "Tidal stream The flow of water that a rising or falling tide drives. A tidal " \
        "stream turns the rotor." in text  # {glossary} as a definition list, {term}


def test_proofs_and_theorems_are_numbered_blocks(book):
    text = _pdf_text(book)
    assert re.search(r"Theorem \d+ \(Betz limit\)\.? No turbine captures", text)
    assert re.search(r"Proof\.? Momentum theory bounds", text)
    assert re.search(r"By Theorem \d+, a site", text)  # {prf:ref}


def test_no_myst_syntax_prints(book):
    for where, text in (("PDF", _pdf_text(book)), ("HTML", _html_text(book))):
        printed = [raw for raw in RAW if raw in text]
        assert printed == [], f"{where} prints {printed}"


def test_references_link_to_ids_that_exist(book):
    html = book.html_path.read_text(encoding="utf-8")
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    wanted = {"sec-power-section", "sec-resource-chapter", "sec-sites-chapter", "fig-channel",
              "eq-power-eq", "eq-energy-eq", "ch-content-turbines"}
    hrefs = set(re.findall(r'href="#([^"]+)"', html))
    assert wanted <= hrefs
    assert wanted <= ids
    text = _html_text(book)
    assert "Machines are in Turbines" in text  # {doc}: the chapter's title
    # [text](label), [](label), [](#label)
    assert re.search(r"see also the resource ?, Power in a flow and Sites ?\.", text)


def test_what_reportc_does_not_read_is_one_located_warning_each(book):
    directive = [w for w in book.warnings if "[myst.directive]" in w]
    role = [w for w in book.warnings if "[myst.role]" in w]
    cells = [w for w in book.warnings if "[myst.code-cell]" in w and ".md:" in w]
    assert len(directive) == 1 and directive[0].startswith("content/sites.md:25:")
    assert len(role) == 1 and role[0].startswith("content/sites.md:29:")
    assert len(cells) == 1 and cells[0].startswith("content/turbines.md:13:")
    text = _pdf_text(book)
    assert "Hidden argument The box\u2019s words still print" in text  # content kept
    assert "An unknown role prints as code" in text
    assert "print(1 + 1)" in text  # the cell, as code


def test_a_notebook_prints_its_code_and_stored_outputs_never_run(book):
    text = _pdf_text(book)
    chapter = text[text.index("CHAPTER 4 Survey results"):]
    assert re.match(r"CHAPTER 4 Survey results The survey of Table \d+ .*?was run again\.1 "
                    r"speeds = \[5, 4\] print\(max\(speeds\)\) 5 sum\(speeds\) 9 Note "
                    r"Outputs were stored", chapter)  # code, its stream and result, in order
    assert "secret" not in text and "import plot" not in text  # remove-cell, remove-input
    html = book.html_path.read_text(encoding="utf-8")
    assert 'alt="&lt;Figure: current speeds&gt;"' in html  # the stored image, its text as alt
    assert re.search(r'<img[^>]+src="data:image/png;base64,', html)
    # the one cell with no stored output: said at its line of the .ipynb file
    lines = (book.root / "content" / "survey.ipynb").read_text(encoding="utf-8").split("\n")
    at = next(n for n in range(lines.index('    "speeds.sort()"'), 0, -1)
              if '"cell_type"' in lines[n])
    said = [w for w in book.warnings if w.startswith("content/survey.ipynb")]
    assert len(said) == 1 and said[0].startswith(f"content/survey.ipynb:{at + 1}: warning: "
                                                 "code cell printed as code")
    assert "run the notebook and save it" in said[0] and "speeds.sort()" in text


def test_an_edit_rebuild_equals_a_clean_build(tmp_path):
    """A heading's title, edited in one chapter, is what another chapter's ``[](label)``
    prints: the rebuild from the cache must print it as a clean build does."""
    root = copy_root("jbook", tmp_path)
    build(BuildOptions(root=root, formats=("html",)))
    chapter = root / "content" / "resource.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(
        "## Power in a flow", "## Power in a moving flow"), encoding="utf-8")
    build(BuildOptions(root=root, formats=("html",)))
    clean = tmp_path / "clean"
    build(BuildOptions(root=root, formats=("html",), out=clean, use_cache=False))
    edited = (root / "out" / "tidal-energy-notes.html").read_bytes()
    assert edited == (clean / "tidal-energy-notes.html").read_bytes()
    assert edited.count(b"Power in a moving flow") >= 3  # heading, contents, both links
    shutil.rmtree(clean)
    section = root / "content" / "sites.md"  # a section file, printed in resource.md's chapter
    section.write_text(section.read_text(encoding="utf-8").replace(
        "Survey a site for a full year.", "Survey a site for two full years."),
        encoding="utf-8")
    build(BuildOptions(root=root, formats=("html",)))
    build(BuildOptions(root=root, formats=("html",), out=clean, use_cache=False))
    edited = (root / "out" / "tidal-energy-notes.html").read_bytes()
    assert edited == (clean / "tidal-energy-notes.html").read_bytes()
    assert b"Survey a site for two full years." in edited
