"""Links written by hand to the identifiers pandoc gives headings reach them in every edition.

Pandoc and Quarto authors link to a heading by the identifier pandoc makes of its words
(``[the scope](#scope)``, tompollard/phd_thesis_markdown's ``[Appendix 1](#appendix-1-...)``);
reportc names headings its own way (``ch-01-intro-scope``), so each such link led nowhere,
silently, in the web page, the PDF, the EPUB (EPUBCheck's RSC-012), Word and the site. A
link to an identifier nothing has is a located ``link.target`` warning, its words kept.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import Built, build_root, copy_root
from lxml import etree

from reportc.document.links import heading_id
from reportc.pandoc import ast as A

FORMATS = ("html", "pdf", "epub", "docx", "site")
LINKS = """# Links by hand

See [the scope](#scope), [the method](#method) and [arms sales](#sec-defence).
The [first results](#results) and [the second results](#results-1).
A [typo](#no-such-place) and [the figure](#fig-bars), [the chapter](#defence-oriented-technologies).
And a [label](#fig:bars), [GitHub's form](#1-numbers-first).
The [list](#refs), [the entry](#ref-lee2022) and [the bibliography](#bibliography).
Its [file's section](01-intro.md#method) and [its file](01-intro.md), as Quarto writes them;
its [page's section](01-intro.html#method) and [its page](01-intro.html), as Quarto's pages link.

## Results

Text.

## Results

More text.

## 1 Numbers first

Done.
"""
# each link's words -> the identifier it is to reach
EXPECTED = {"the scope": "ch-01-intro-scope", "the method": "ch-01-intro-method",
            "arms sales": "sec-defence", "first results": "ch-03-links-results",
            "the second results": "ch-03-links-results-2", "the figure": "fig-bars",
            "the chapter": "ch-02-defence", "label": "fig-bars",
            "GitHub\u2019s form": "ch-03-links-1-numbers-first", "list": "refs",
            "the entry": "ref-lee2022", "the bibliography": "bibliography",
            "file\u2019s section": "ch-01-intro-method", "its file": "sec-intro",
            "page\u2019s section": "ch-01-intro-method", "its page": "sec-intro"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _with_links(root: Path) -> Path:
    (root / "chapters/03-links.md").write_text(LINKS, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = _with_links(copy_root("basic", tmp_path_factory.mktemp("links")))
    return build_root(root, formats=FORMATS, git_stamp=False)


def _anchors(html: str) -> dict[str, str]:
    """Each link's words -> its href, in a page's HTML."""
    return {re.sub(r"<[^>]+>", "", words): href
            for href, words in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', html)}


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


@pytest.mark.parametrize(("words", "style", "expected"), [
    ("Appendix 1: Some extra stuff", "pandoc", "appendix-1-some-extra-stuff"),
    ("2.1 Results & *discussion*", "pandoc", "results-discussion"),
    ("Dogs?\u2013in *my* house?", "pandoc", "dogsin-my-house"),  # pandoc 3.9's (smart)
    ("Ma\u00eetre d\u2019h\u00f4tel", "pandoc", "ma\u00eetre-dh\u00f4tel"),
    ("[HTML], [S5], or [RTF]?", "pandoc", "html-s5-or-rtf"),
    ("3. Applications", "pandoc", "applications"),
    ("33", "pandoc", "section"),
    ("v1.2 notes", "pandoc", "v1.2-notes"),
    ("1 Numbers first", "gfm", "1-numbers-first"),
    ("v1.2 notes", "gfm", "v12-notes"),
])
def test_identifiers_are_pandocs(words: str, style: str, expected: str) -> None:
    """The examples of pandoc's manual (auto_identifiers, gfm_auto_identifiers), as the
    pinned pandoc makes them."""
    inlines = [{"t": "Emph", "c": A.text_inlines(word.strip("*"))} if word.startswith("*")
               else {"t": "Str", "c": word} for word in words.split(" ")]
    spaced = [node for index, node in enumerate(inlines)
              for node in ([{"t": "Space"}] if index else []) + [node]]
    assert heading_id(spaced, style) == expected


def test_the_web_page_links_reach_the_headings(built: Built) -> None:
    html = built.html_path.read_text(encoding="utf-8")
    anchors, ids = _anchors(html), _ids(html)
    assert {words: anchors.get(words) for words in EXPECTED} == \
        {words: f"#{target}" for words, target in EXPECTED.items()}
    dangling = [href for href in anchors.values() if href.startswith("#") and href[1:] not in ids]
    assert not dangling


def test_a_link_to_nothing_warns_once_at_its_line_and_keeps_its_words(built: Built) -> None:
    found = [w for w in built.warnings if "[link.target]" in w]
    assert len(found) == 1 and found[0].startswith("chapters/03-links.md:5: warning: link to "
                                                   "'#no-such-place'"), built.warnings
    html = built.html_path.read_text(encoding="utf-8")
    assert "A typo and" in html and "no-such-place" not in html


def _link_annotations(built: Built):
    for number, page in enumerate(built.pdf.pages, start=1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            dest = annotation.get("/Dest") or (action.get("/D") if action else None)
            if annotation.get("/Subtype") == "/Link" and isinstance(dest, str):
                yield number, dest


def test_the_pdf_links_go_to_the_headings_pages(built: Built) -> None:
    reader, texts = built.pdf, built.page_texts()
    named = reader.named_destinations
    page = next(n for n, text in enumerate(texts, 1) if "Links by hand" in text
                and "See the scope" in " ".join(text.split()))
    dests = {dest for number, dest in _link_annotations(built) if number == page}
    assert set(EXPECTED.values()) <= dests <= set(named), dests
    where = {dest: reader.get_destination_page_number(named[dest]) + 1 for dest in dests}
    assert "Scope" in texts[where["ch-01-intro-scope"] - 1]
    assert "More text." in texts[where["ch-03-links-results-2"] - 1]


def test_the_epub_links_resolve(built: Built) -> None:
    with zipfile.ZipFile(built.out / f"{built.slug}.epub") as book:
        pages = {Path(name).name: book.read(name).decode("utf-8")
                 for name in book.namelist() if name.endswith(".xhtml")}
    links = next(text for text in pages.values() if "Links by hand" in text
                 and "the second results" in text)
    anchors = _anchors(links)
    for words, target in EXPECTED.items():
        file, _, fragment = anchors[words].partition("#")
        assert fragment == target and target in _ids(pages[file] if file else links), words
    assert "no-such-place" not in links


def test_the_site_links_reach_other_pages(built: Built) -> None:
    site = built.out / "site"
    pages = {path.name: path.read_text(encoding="utf-8") for path in site.glob("*.html")}
    anchors = _anchors(pages["ch-03-links.html"])
    assert anchors["the scope"] == "sec-intro.html#ch-01-intro-scope"
    for words, target in EXPECTED.items():
        file, _, fragment = anchors[words].partition("#")
        assert fragment == target and target in _ids(pages[file or "ch-03-links.html"]), words


def test_word_links_go_to_bookmarks(built: Built) -> None:
    with zipfile.ZipFile(built.out / f"{built.slug}.docx") as word:
        root = etree.fromstring(word.read("word/document.xml"))
    bookmarks = {b.get(f"{W}name") for b in root.iter(f"{W}bookmarkStart")}
    links = {"".join(link.itertext()): link.get(f"{W}anchor")
             for link in root.iter(f"{W}hyperlink") if link.get(f"{W}anchor")}
    assert {words: links.get(words) for words in EXPECTED} == EXPECTED
    assert all(anchor in bookmarks for anchor in links.values()), links


def test_an_edit_rebuilt_from_the_cache_is_the_clean_build(tmp_path: Path) -> None:
    """Another chapter gives an element the identifier a link names (``[x]{#scope}``): the
    linking chapter, unchanged, is resolved anew (its link goes to that element now, not
    to the heading pandoc would have called so), as in a clean build."""
    root = _with_links(copy_root("basic", tmp_path / "cached"))
    before = build_root(root, formats=("html", "pdf"), git_stamp=False)
    assert _anchors(before.html_path.read_text(encoding="utf-8"))["the scope"] == \
        "#ch-01-intro-scope"
    defence = root / "chapters/02-defence.md"
    defence.write_text(defence.read_text(encoding="utf-8") + "\n[Its scope]{#scope}.\n",
                       encoding="utf-8")
    cached = build_root(root, formats=("html", "pdf"), git_stamp=False)
    clean_root = _with_links(copy_root("basic", tmp_path / "clean"))
    shutil.copy(defence, clean_root / "chapters/02-defence.md")
    clean = build_root(clean_root, formats=("html", "pdf"), git_stamp=False, use_cache=False)
    assert cached.html_path.read_bytes() == clean.html_path.read_bytes()
    assert cached.pdf_path.read_bytes() == clean.pdf_path.read_bytes()
    assert sorted(cached.warnings) == sorted(clean.warnings)
    assert _anchors(cached.html_path.read_text(encoding="utf-8"))["the scope"] == "#scope"


PRINT_ONLY = """# Print only

::: {.content-visible when-format="pdf"}
![Drawn for print.](figures/bars.svg){#fig-print}
:::

See [the printed figure](#fig-print) and [the scope](#scope).
"""


def test_a_link_to_content_cut_from_an_edition_keeps_its_words_there(tmp_path: Path) -> None:
    """The figure is in the PDF only: the PDF links to it, the web page and Word print the
    link's words alone; a build of none of its editions says so at the link's line."""
    root = copy_root("basic", tmp_path)
    (root / "chapters/03-print.md").write_text(PRINT_ONLY, encoding="utf-8")
    built = build_root(root, formats=("html", "pdf", "docx"), git_stamp=False)
    html = built.html_path.read_text(encoding="utf-8")
    assert "See the printed figure and" in re.sub(r"<[^>]+>", "", html)
    assert "fig-print" not in html and 'href="#ch-01-intro-scope"' in html
    assert "fig-print" in {dest for _, dest in _link_annotations(built)}
    with zipfile.ZipFile(built.out / f"{built.slug}.docx") as word:
        assert 'w:anchor="fig-print"' not in word.read("word/document.xml").decode("utf-8")
    alone = build_root(root, formats=("html",), git_stamp=False)
    assert [w for w in alone.warnings if "'#fig-print'" in w] == [
        "chapters/03-print.md:7: warning: link to '#fig-print' points at content for other "
        "editions than this build's: its words print without the link [quarto.conditional]"]
