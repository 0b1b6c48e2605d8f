"""What outside test suites found (#24): documents written for Quarto and public
bibliographies, read as their own tools read them.

- a generic ``::: {.callout}`` (no type) is a note callout, its ``##`` title no section;
- captions given as attributes (``lst-cap``, ``fig-cap``, ``tbl-cap``) are Markdown;
- one ``@string`` defining several macros is read, with a warning that BibTeX and pandoc
  refuse it;
- the ``bib.empty`` warning names what the entry lacks, or says its type prints nothing.

Each builds a small report of its own (``tests/bad/_base`` plus the case's files).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import TESTS
from htmlparse import Element, parse_html

from reportc.build import BuildOptions, build


def _report(tmp_path: Path, chapter: str, bib: str | None = None,
            config: str = "") -> Path:
    root = tmp_path / "report"
    shutil.copytree(TESTS / "bad" / "_base", root)
    (root / "chapters/01-intro.md").write_text(chapter, encoding="utf-8")
    if bib is not None:
        (root / "references.bib").write_text(bib, encoding="utf-8")
    with (root / "report.yaml").open("a", encoding="utf-8") as handle:
        handle.write(config)
    return root


def _build(root: Path) -> tuple[Element, list[str]]:
    result = build(BuildOptions(root=root, formats=("html",), git_stamp=False, use_cache=False))
    page = parse_html((root / "out/bad.html").read_text(encoding="utf-8"))
    return page, [str(w) for w in result.diagnostics.warnings]


def _inner(element: Element) -> str:
    """The element's content as tags and words, for comparing markup exactly."""
    def show(node: Element | str) -> str:
        if isinstance(node, str):
            return node
        inner = "".join(show(c) for c in node.content)
        classes = f".{'.'.join(sorted(node.classes))}" if node.classes else ""
        return f"<{node.tag}{classes}>{inner}</{node.tag}>"
    return " ".join("".join(show(c) for c in element.content).split())


def test_a_generic_callout_is_a_note_titled_by_its_heading(tmp_path):
    root = _report(tmp_path, "# Introduction\n\n::: {.callout}\n## Heads up\n\n"
                             "A generic callout.\n:::\n\nAfter it [@lee2022].\n")
    page, warnings = _build(root)
    assert warnings == []
    callout = page.find_all("div", "callout")
    assert len(callout) == 1
    assert callout[0].classes == {"callout", "callout-note"}
    assert callout[0].attrs["aria-label"] == "Heads up"
    assert callout[0].find_all("span", "callout-title")[0].text() == "Heads up"
    headings = [" ".join(e.text().split()) for e in page.iter() if e.tag in ("h2", "h3")]
    assert not any("Heads up" in heading for heading in headings)  # not numbered "1.1"


def test_caption_attributes_are_markdown(tmp_path):
    chapter = (
        "# Introduction\n\nSee @lst-q, @fig-d and @tbl-t; and [@lee2022].\n\n"
        '```{#lst-q .sql lst-cap="The _query_ that **counts**"}\nSELECT 1;\n```\n\n'
        '::: {#fig-d fig-cap="A *dot* with `code`"}\n![A dot.](figures/dot.svg)\n:::\n\n'
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        ': {#tbl-t tbl-cap="Rows with _emphasis_"}\n')
    page, warnings = _build(_report(tmp_path, chapter))
    assert warnings == []
    captions = [_inner(c) for c in page.iter() if c.tag in ("figcaption", "caption")]
    assert captions == [
        "<span.caption-label>Listing 1.</span> The <em>query</em> that "
        "<strong>counts</strong>",
        "<span.caption-label>Figure 1.</span> A <em>dot</em> with <code>code</code>",
        "<span.caption-label>Table 1.</span> Rows with <em>emphasis</em>"]


MACROS = ("@string{jfix = {Journal of Fixtures}, jbad = \"Journal of Bad Input\", "
          "pub = {Fixture} # { Press},\n  jx = jfix}\n\n")
ARTICLE = ("@article{ross2020,\n  author = {Ross, Ada},\n  title = {Macros in Practice},\n"
           "  journaltitle = jbad,\n  publisher = pub,\n  date = {2020}\n}\n")


def test_one_string_defining_several_macros_is_read_with_a_located_warning(tmp_path):
    root = _report(tmp_path, "# Introduction\n\nAs shown [@ross2020].\n",
                   bib="% a public bibliography\n" + MACROS + ARTICLE)
    page, warnings = _build(root)
    assert warnings == [
        "references.bib:2: warning: @string 'jfix' defines 4 macros in one command (jfix, "
        "jbad, pub, jx): BibTeX ('Missing } in string command') and pandoc refuse it; "
        "reportc reads each, but write each as @string{name = {value}} for other tools "
        "[bib.string]"]
    listed = page.find_all("div", "csl-entry")[0].text()
    assert "Journal of Bad Input" in " ".join(listed.split())


def test_silence_drops_the_several_macros_warning(tmp_path):
    root = _report(tmp_path, "# Introduction\n\nAs shown [@ross2020].\n",
                   bib=MACROS + ARTICLE, config="silence: [bib.string]\n")
    assert _build(root)[1] == []


# A style whose bibliography prints books only (written for this test).
BOOKS_ONLY = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Books only</title><id>books-only</id><updated>2026-01-01T00:00:00+00:00</updated>
  </info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout>
    <choose><if type="book"><text variable="title"/></if></choose>
  </layout></bibliography>
</style>
"""


def test_bib_empty_says_the_style_prints_nothing_for_a_complete_entry(tmp_path):
    root = _report(tmp_path, "# Introduction\n\nA report [@lee2022].\n",
                   config="csl: books-only.csl\n")
    (root / "books-only.csl").write_text(BOOKS_ONLY, encoding="utf-8")
    assert _build(root)[1] == [
        "references.bib:1: warning: entry 'lee2022' (@report) prints nothing in the "
        "books-only style and is left out of the bibliography: the style prints nothing for "
        "a @report entry, whatever its fields [bib.empty]"]


def test_bib_empty_names_only_the_fields_the_entry_lacks(tmp_path):
    bib = ("@report{lee2022,\n  author = {Lee, John},\n  title = {A Report},\n"
           "  institution = {An Institute}\n}\n")
    root = _report(tmp_path, "# Introduction\n\nA report [@lee2022].\n", bib=bib,
                   config="csl: books-only.csl\n")
    (root / "books-only.csl").write_text(BOOKS_ONLY, encoding="utf-8")
    warnings = _build(root)[1]
    assert warnings[-1] == (
        "references.bib:1: warning: entry 'lee2022' (@report) prints nothing in the "
        "books-only style and is left out of the bibliography: it needs 'date' (or 'year') "
        "[bib.empty]")
