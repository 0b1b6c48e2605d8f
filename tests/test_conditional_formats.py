"""Quarto's per-format content (``::: {.content-visible when-format="html"}``,
``[text]{.content-hidden unless-format="pdf"}``): each edition shows exactly the content
meant for it. reportc kept content naming one of its own editions in every edition, so
the web page printed the PDF's paragraph and the PDF the web page's. Each edition is read
here as a reader meets it: the PDF's page text, the HTML page's text and source, the
EPUB's XHTML, the Word file's text, the site's pages and search index."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path

import pypdf
import pytest
from conftest import build_root

from reportc.document.hidden import drop_hidden
from reportc.document.model import ChapterDoc
from reportc.editions.conditional import blocks_for, html_for
from reportc.errors import Diagnostics
from reportc.project.markdown import Chapter

CHAPTER = """# Introduction

Shared opening words.

::: {.content-visible when-format="html"}
Zebraweb paragraph for the web pages.

## Zebrawebsection {#web-only .unnumbered}

Its words.
:::

::: {.content-visible when-format="pdf"}
Zebraprint paragraph for print.
:::

::: {.content-visible when-format="docx"}
Zebraword paragraph for Word.
:::

::: {.content-visible when-format="epub"}
Zebrabook paragraph for the e-book.
:::

::: {.content-hidden when-format="pdf"}
Zebranotprint paragraph everywhere but print.
:::

::: {.content-visible when-format="html,pdf"}
Zebrahtmlpdf paragraph.
:::

::: {.content-visible unless-format="html:js"}
Zebranojs paragraph.
:::

A sentence with [zebraspanweb]{.content-visible when-format="html"}
[zebraspanprint]{.content-visible when-format="latex"} inside
[zebraspanword]{.content-hidden unless-format="docx"} it.

Closing words.
"""
# what each edition shows (Quarto: html holds for the EPUB, which is HTML-based; html:js
# does not; latex is pdf)
WEB = {"Zebraweb", "Zebrawebsection", "Zebranotprint", "Zebrahtmlpdf", "zebraspanweb"}
SHOWN = {
    "html": WEB,
    "pdf": {"Zebraprint", "Zebrahtmlpdf", "Zebranojs", "zebraspanprint"},
    "docx": {"Zebraword", "Zebranotprint", "Zebranojs", "zebraspanword"},
    "epub": WEB | {"Zebrabook", "Zebranojs"},
}


def _report(root: Path, chapter: str = CHAPTER) -> Path:
    (root / "chapters").mkdir(parents=True)
    (root / "report.yaml").write_text('title: "Editions"\nslug: t\ndate: 2026-05-04\n',
                                      encoding="utf-8")
    (root / "chapters" / "01-intro.md").write_text(chapter, encoding="utf-8")
    return root


def _words(text: str) -> set[str]:
    return set(re.findall(r"[Zz]ebra\w+", text))


def _zipped(path: Path, suffixes: tuple[str, ...]) -> str:
    with zipfile.ZipFile(path) as book:
        return " ".join(book.read(name).decode() for name in book.namelist()
                        if name.endswith(suffixes))


@pytest.fixture(scope="module")
def every_edition(tmp_path_factory):
    root = _report(tmp_path_factory.mktemp("formats"))
    return build_root(root, formats=("html", "pdf", "docx", "epub", "site"), git_stamp=False)


def test_the_web_page_shows_only_its_content_not_even_in_its_source(every_edition):
    source = every_edition.html_path.read_text(encoding="utf-8")
    assert _words(re.sub(r"<[^>]+>", " ", source)) == SHOWN["html"]
    assert _words(source) == SHOWN["html"] and "reportc-only" not in source


def test_the_pdf_prints_only_its_content_and_nothing_is_warned(every_edition):
    assert _words(" ".join(every_edition.page_texts())) == SHOWN["pdf"]
    assert every_edition.warnings == []  # well-formed conditional content


def test_the_word_file_holds_only_its_content(every_edition):
    assert _words(_zipped(every_edition.out / "t.docx", ("document.xml",))) == SHOWN["docx"]


def test_the_epub_holds_only_its_content(every_edition):
    assert _words(_zipped(every_edition.out / "t.epub", (".xhtml", ".opf", ".ncx"))) == \
        SHOWN["epub"]


def test_the_site_pages_and_search_index_hold_only_the_web_content(every_edition):
    site = [path for path in (every_edition.out / "site").rglob("*") if path.is_file()
            and path.suffix in (".html", ".json", ".js", ".xml", ".txt")]
    assert any(path.suffix == ".html" for path in site)
    assert _words(" ".join(path.read_text(encoding="utf-8") for path in site)) == WEB


def test_a_quarto_project_chapter_shows_per_edition_content(tmp_path):
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Q\n  chapters:\n    - index.qmd\n",
        encoding="utf-8")
    (tmp_path / "index.qmd").write_text(CHAPTER, encoding="utf-8")
    built = build_root(tmp_path, formats=("html", "pdf"), git_stamp=False)
    html = next(built.out.glob("*.html")).read_text(encoding="utf-8")
    assert _words(html) == SHOWN["html"]
    pdf = next(built.out.glob("*.pdf"))
    assert _words(" ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)) == \
        SHOWN["pdf"]


def test_an_edit_rebuild_gives_the_bytes_of_a_clean_build(tmp_path):
    root, formats = _report(tmp_path / "r"), ("html", "pdf", "docx", "epub", "site")
    build_root(root, formats=formats, git_stamp=False)
    chapter = root / "chapters" / "01-intro.md"
    chapter.write_text(CHAPTER.replace("Closing words.", "Closing words, edited."),
                       encoding="utf-8")
    cached = build_root(root, formats=formats, git_stamp=False)
    clean = build_root(root, out=tmp_path / "clean", formats=formats, git_stamp=False,
                       use_cache=False)
    site = sorted(path.relative_to(cached.out).as_posix()
                  for path in (cached.out / "site").rglob("*") if path.is_file())
    assert site
    for name in ("t.html", "t.pdf", "t.docx", "t.epub", *site):
        assert (cached.out / name).read_bytes() == (clean.out / name).read_bytes(), name
    assert "edited" in cached.html_path.read_text(encoding="utf-8")
    assert _words(cached.html_path.read_text(encoding="utf-8")) == SHOWN["html"]


def test_a_build_of_other_editions_from_the_cache_gives_the_bytes_of_a_clean_one(tmp_path):
    """Content for the PDF only is marked in an html+pdf build and left out when read in
    an html build: the chapter's cached record is not taken across the two."""
    root = _report(tmp_path / "r")
    build_root(root, formats=("html", "pdf"), git_stamp=False)
    cached = build_root(root, formats=("html",), git_stamp=False)
    clean = build_root(root, out=tmp_path / "clean", formats=("html",), git_stamp=False,
                       use_cache=False)
    assert cached.html_path.read_bytes() == clean.html_path.read_bytes()
    assert _words(cached.html_path.read_text(encoding="utf-8")) == SHOWN["html"]


def test_a_numbered_figure_for_some_editions_only_is_warned_at_its_line(tmp_path):
    chapter = ("# One\n\nSee @fig-print.\n\n::: {.content-visible when-format=\"pdf\"}\n"
               "![Zebrafig](pic.png){#fig-print}\n:::\n\nEnd.\n")
    root = _report(tmp_path, chapter)
    (root / "pic.png").write_bytes(_png(20, 10))
    built = build_root(root, formats=("html", "pdf"), git_stamp=False)
    assert any(w.startswith("chapters/01-intro.md:6: warning: 'fig-print' is in content "
                            "for the pdf edition only: it is numbered in every edition")
               and w.endswith("[quarto.conditional]")
               for w in built.warnings), built.warnings
    assert "Zebrafig" not in built.html_path.read_text(encoding="utf-8")
    assert "Zebrafig" in " ".join(built.page_texts())


def _doc(text: str, blocks: list, editions: set[str]) -> ChapterDoc:
    chapter = Chapter(Path("c.md"), "c.md", text, editions=frozenset(editions))
    return ChapterDoc(chapter, {"blocks": blocks})


def _div(kind: str, formats: str, blocks: list) -> dict:
    return {"t": "Div", "c": [["", [kind], [["when-format", formats]]], blocks]}


PARA = {"t": "Para", "c": [{"t": "Str", "c": "x"}]}


def test_content_for_no_edition_of_the_build_leaves_the_tree_unmarked():
    doc = _doc("content-visible", [_div("content-visible", "docx", [PARA]), PARA],
               {"html", "pdf"})
    drop_hidden(doc)
    assert doc.ast["blocks"] == [PARA]


def test_content_for_every_edition_of_the_build_is_kept_unmarked():
    div = _div("content-visible", "html", [PARA])
    doc = _doc("content-visible", [div], {"html", "epub"})
    drop_hidden(doc)
    assert doc.ast["blocks"] == [div]


def test_nested_marked_content_is_cut_per_edition_in_html_and_in_the_tree():
    inner = _div("content-visible", "pdf", [PARA])
    doc = _doc("content-visible", [_div("content-hidden", "docx", [PARA, inner])],
               {"html", "pdf", "docx"})
    drop_hidden(doc)
    assert blocks_for(doc.ast["blocks"], "docx", set()) == []
    html_kept = blocks_for(doc.ast["blocks"], "html", set())
    assert len(html_kept) == 1 and html_kept[0]["c"][1] == [PARA]
    html = ("a<!--reportc-only 1 html pdf-->b<!--reportc-only 2 pdf-->c"
            "<!--/reportc-only 2-->d<!--/reportc-only 1-->e")
    assert (html_for(html, "html"), html_for(html, "pdf"), html_for(html, "docx")) == \
        ("abde", "abcde", "ae")


def _png(width: int, height: int) -> bytes:
    """A red picture of that size."""
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + \
        chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_a_cross_reference_to_content_cut_from_an_edition_links_to_nothing_there(tmp_path):
    chapter = ("# One\n\nSee @fig-web.\n\n::: {.content-visible when-format=\"html\"}\n"
               "![Zebrafig](pic.png){#fig-web}\n:::\n\nEnd.\n")
    root = _report(tmp_path, chapter + "\n![Zebrashared](pic.png){#fig-shared}\n")
    with (root / "report.yaml").open("a", encoding="utf-8") as config:
        config.write("lists: [figures]\n")  # the PDF's list of figures leaves it out too
    (root / "pic.png").write_bytes(_png(20, 10))
    built = build_root(root, formats=("html", "pdf", "docx"), git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    assert '<a href="#fig-web" class="xref">Figure\u00a01</a>' in html
    pdf = " ".join(built.page_texts())
    assert "Figure 1" not in pdf and "See ??fig-web." in pdf and "Zebrafig" not in pdf
    assert "Zebrashared" in pdf
    word = _zipped(built.out / "t.docx", ("document.xml",))
    assert "Figure 1" not in word and "??fig-web" in word and "Zebrafig" not in word


def test_the_policy_brief_is_a_pdf_edition(tmp_path):
    root = _report(tmp_path)
    (root / "chapters" / "00-summary.md").write_text(
        "---\nkind: summary\n---\n\n# Summary\n\nThe findings in short.\n\n"
        "::: {.content-visible when-format=\"pdf\"}\nZebrabriefprint words.\n:::\n\n"
        "::: {.content-visible when-format=\"html\"}\nZebrabriefweb words.\n:::\n",
        encoding="utf-8")
    built = build_root(root, formats=("brief",), git_stamp=False)
    brief = next(path for path in built.out.glob("*.pdf") if path.name != "t.pdf")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(brief).pages)
    assert "Zebrabriefprint" in text and "Zebrabriefweb" not in text


META = """---
draft-notes: true
said: "true"
---

# Flags

::: {.content-visible when-meta="draft-notes"}
Zebradraft shown: the front matter sets it true.
:::

::: {.content-hidden when-meta="review.open"}
Zebrareview hidden while _quarto.yml's review.open is true.
:::

[zebrasaid]{.content-visible when-meta="said"} [zebraabsent]{.content-visible unless-meta="nothing"}

::: {.content-visible when-meta="draft-notes" when-format="pdf"}
Zebradraftprint in the PDF only.
:::
"""


def test_when_meta_reads_the_front_matter_and_the_quarto_project(tmp_path):
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Q\n  chapters:\n    - index.qmd\n"
        "review:\n  open: true\n", encoding="utf-8")
    (tmp_path / "index.qmd").write_text(META, encoding="utf-8")
    built = build_root(tmp_path, formats=("html", "pdf"), git_stamp=False)
    html = next(built.out.glob("*.html")).read_text(encoding="utf-8")
    assert _words(html) == {"Zebradraft", "zebraabsent"}  # "true" as a string is not true
    pdf = next(built.out.glob("*.pdf"))
    assert _words(" ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)) == \
        {"Zebradraft", "zebraabsent", "Zebradraftprint"}
    assert built.warnings == []
    (tmp_path / "index.qmd").write_text(META.replace("draft-notes: true", "draft-notes: false"),
                                        encoding="utf-8")
    cached = build_root(tmp_path, formats=("html", "pdf"), git_stamp=False)
    clean = build_root(tmp_path, out=tmp_path / "clean", formats=("html", "pdf"),
                       git_stamp=False, use_cache=False)
    page = next(cached.out.glob("*.html"))
    assert _words(page.read_text(encoding="utf-8")) == {"zebraabsent"}
    assert page.read_bytes() == (clean.out / page.name).read_bytes()


def test_a_reference_to_content_for_no_edition_of_the_build_is_a_warning(tmp_path):
    """quarto-cli's issue-13992-figure.qmd: a figure for every format but HTML, referred
    to from the text. An HTML build leaves it out when read; the reference prints as one
    to nothing with a located warning (Quarto prints ?@fig-cond), not a failed build."""
    chapter = ("# One\n\nSee @fig-cond for it.\n\n"
               "::: {#fig-cond .content-visible unless-format=\"html\"}\n![](pic.png)\n\n"
               "Zebrafig\n:::\n")
    root = _report(tmp_path, chapter)
    (root / "pic.png").write_bytes(_png(20, 10))
    built = build_root(root, formats=("html",), git_stamp=False)
    assert built.warnings == [
        "chapters/01-intro.md:3: warning: cross-reference '@fig-cond' points at content for "
        "other editions than this build's: it prints as ??fig-cond [quarto.conditional]"]
    html = built.html_path.read_text(encoding="utf-8")
    assert "See <strong>??fig-cond</strong> for it." in html and "Zebrafig" not in html


def test_marked_content_inside_marked_content_is_warned_of_once():
    figure = {"t": "Div", "c": [["fig-x", [], []], [PARA]]}
    inner = _div("content-visible", "pdf", [figure])
    doc = _doc("content-visible", [_div("content-hidden", "docx", [inner])],
               {"html", "pdf", "docx"})
    diag = Diagnostics()
    drop_hidden(doc, diag)
    assert [str(w) for w in diag.warnings] == [
        "c.md: warning: 'fig-x' is in content for the pdf edition only: it is numbered in "
        "every edition (the others skip its number, and a cross-reference to it there "
        "prints as one to nothing) [quarto.conditional]"]


def test_a_character_no_font_has_in_web_only_content_does_not_stop_the_pdf(tmp_path):
    """The PDF's glyph check (an error before layout) reads what the PDF prints."""
    chapter = ("# One\n\nPrinted.\n\n::: {.content-visible when-format=\"html\"}\n"
               "Web only \U0010fffd.\n:::\n")
    built = build_root(_report(tmp_path, chapter), formats=("html", "pdf"), git_stamp=False)
    assert built.warnings == [] and "Printed." in " ".join(built.page_texts())
    assert "\U0010fffd" in built.html_path.read_text(encoding="utf-8")


def test_an_entry_only_cut_content_cites_leaves_that_editions_reference_list(tmp_path):
    chapter = ("# One\n\nShared words [@alpha].\n\n::: {.content-visible when-format=\"pdf\"}\n"
               "Print words [@beta].\n:::\n")
    root = _report(tmp_path, chapter)
    (root / "references.bib").write_text(
        "@book{alpha, author={Ann Alpha}, title={Zebraalphabook}, publisher={P}, year=2020}\n"
        "@book{beta, author={Bo Beta}, title={Zebrabetabook}, publisher={P}, year=2021}\n",
        encoding="utf-8")
    built = build_root(root, formats=("html", "pdf"), git_stamp=False)
    assert built.warnings == []
    assert _words(built.html_path.read_text(encoding="utf-8")) == {"Zebraalphabook"}
    assert _words(" ".join(built.page_texts())) == {"Zebraalphabook", "Zebrabetabook"}
