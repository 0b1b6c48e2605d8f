"""The PDF as a reader meets it: pages, contents, notes, outline, metadata, links, fonts."""

from __future__ import annotations

import re

import pypdf
import pytest

LEADER = r"(?:\s*\.){3,}\s*"  # leader dots (spaced) between a contents entry and its page
CHAPTER_TITLES = ["Executive summary", "Introduction", "Defence-oriented technologies",
                  "Bibliography"]


def _first_page_starting_with(texts: list[str], title: str, after: int = 3) -> int:
    """1-based number of the first page after the contents whose body opens with ``title``."""
    for index, text in enumerate(texts[after:], start=after + 1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if title in lines[:3]:
            return index
    raise AssertionError(f"no page opens with {title!r}")


def _contents(texts: list[str]) -> str:
    pages = [t for t in texts if t.lstrip().startswith("Contents")]
    assert pages, "no contents page"
    return pages[0]


def test_clean_build_reports_no_warnings(basic):
    assert basic.warnings == []


def test_cover_has_title_people_and_date_and_no_folio(basic):
    cover = basic.page_texts()[0]
    for expected in ["Cooperation under constraint", "A small fixture report for reportc's tests",
                     "Ada Example", "Institute of Tests", "Ben Sample", "University of Fixtures",
                     "FIXTURE POLICY INSTITUTE", "4 May 2026", "Version 1.2"]:
        assert expected in cover
    assert not re.search(r"^\s*1\s*$", cover, re.M), "the cover must not carry a page number"


def test_contents_page_numbers_are_the_pages_where_parts_start(basic):
    texts = basic.page_texts()
    assert texts[1] == "", "the back of the cover is blank"
    assert texts[2].lstrip().startswith("Contents"), "the contents open on a right-hand page"
    contents = _contents(texts)
    for title in CHAPTER_TITLES:
        match = re.search(re.escape(title) + LEADER + r"(\d+)", contents)
        assert match, f"{title} missing from the contents (or without leader dots)"
        assert int(match.group(1)) == _first_page_starting_with(texts, title), title


def test_sections_are_listed_with_numbers_and_pages(basic):
    texts = basic.page_texts()
    contents = _contents(texts)
    for number, title in [("1.1", "Scope"), ("2.1", "Arms sales")]:
        match = re.search(re.escape(number) + r"\s+" + title + LEADER + r"(\d+)", contents)
        assert match, f"{number} {title} missing from the contents"
        assert int(match.group(1)) == _page_with(texts[3:], f"{number} {title}") + 3


def test_summary_is_unnumbered_front_matter_and_chapters_are_numbered(basic):
    texts = basic.page_texts()
    summary = texts[_first_page_starting_with(texts, "Executive summary") - 1]
    assert "CHAPTER" not in summary
    intro = texts[_first_page_starting_with(texts, "CHAPTER 1") - 1]
    assert "Introduction" in intro
    assert _first_page_starting_with(texts, "CHAPTER 2") > _first_page_starting_with(
        texts, "CHAPTER 1"), "each chapter starts on a new page"


def test_parts_open_on_right_hand_pages_after_blank_ones(basic):
    texts = basic.page_texts()
    openers = [_first_page_starting_with(texts, title) for title in CHAPTER_TITLES]
    assert all(page % 2 == 1 for page in openers), openers
    blanks = [page for page, text in enumerate(texts, start=1) if not text.strip()]
    assert all(page + 1 in [*openers, 3] for page in blanks), (blanks, openers)


def test_blank_pages_have_no_running_head_or_folio(basic):
    texts = basic.page_texts()
    blanks = [page for page, text in enumerate(texts, start=1) if not text.strip()]
    assert blanks, "the fixture's one-page parts leave blank left-hand pages"
    for page in blanks:
        assert texts[page - 1] == ""


def test_running_heads_and_folios(basic):
    texts = basic.page_texts()
    for title in ["Introduction", "Defence-oriented technologies"]:
        page = _first_page_starting_with(texts, title if title != "Introduction" else "CHAPTER 1")
        lines = texts[page - 1].splitlines()
        assert lines.count(title) >= 2, f"{title}: title + running head on the right page"
        assert lines[-1].strip() == str(page), "the folio closes the page"


def _page_with(texts: list[str], fragment: str) -> int:
    pages = [i + 1 for i, text in enumerate(texts) if fragment in re.sub(r"\s+", " ", text)]
    assert pages, f"{fragment!r} not found in the PDF"
    return pages[0]


@pytest.mark.parametrize(("call_text", "note_text"), [
    ("Advanced technologies shape the balance of power.",
     "University of Technology Sydney, 2022), 4, https://www.australiachinarelations.org/."),
    ("The report covers four fields", "An author’s note: the fields follow the source report."),
    ("This fixture summarises the findings", "1. John Lee, China-Russia Cooperation"),
    ("Frictions over intellectual property persist.", "Samuel Bendett and Elsa Kania"),
])
def test_footnotes_sit_on_the_page_of_their_call(basic, call_text, note_text):
    texts = [t.replace("\u2002", " ") for t in basic.page_texts()]
    assert _page_with(texts, call_text) == _page_with(texts, note_text)


def test_footnotes_are_numbered_per_chapter(basic):
    texts = [t.replace("\u2002", " ") for t in basic.page_texts()]
    defence = texts[_first_page_starting_with(texts, "CHAPTER 2") - 1]
    assert re.search(r"^1\. TRENDS Research & Advisory", defence, re.M), \
        "the first note of chapter 2 is numbered 1"
    assert re.search(r"^3\. TRENDS Research & Advisory, ‘Russian-Chinese Collaboration in "
                     r"Defense Technology’\.", defence, re.M), "later cites use the short form"


def test_takeaway_box_is_not_split(basic):
    texts = basic.page_texts()
    page = _page_with(texts, "KEY TAKEAWAYS")
    for item in ["Cooperation is broad but shallow.", "Defence ties are the most developed.",
                 "Frictions over intellectual property persist."]:
        assert _page_with(texts, item) == page


def _where(link_page: int, target_page: int) -> str:
    """What a cross-reference prints after its label (see reportc.pdf.varioref)."""
    return {0: "", 1: " on the next page", -1: " on the previous page"}.get(
        target_page - link_page, f" on p. {target_page}")


def test_tables_and_figures_are_numbered_and_cross_referenced_with_pages(basic):
    texts = basic.page_texts()
    table_page = _page_with(texts, "Table 1. The four fields")
    figure_page = _page_with(texts, "Figure 1. Depth of cooperation by field.")
    joined = "\n".join(texts).replace("\n", " ")
    table_ref = _page_with(texts, "listed in Table 1")
    assert f"listed in Table 1{_where(table_ref, table_page)}" in joined
    figure_ref = _page_with(texts, "looks at defence, and Figure 1")
    assert f"Figure 1{_where(figure_ref, figure_page)} summarises" in joined
    section_page = _page_with(texts[3:], "2.1 Arms sales") + 3  # skip the contents
    assert f"Section 2.1 on p. {section_page}" in joined


def test_bibliography_at_the_end_sorted_with_hanging_entries(basic):
    texts = basic.page_texts()
    last = texts[-1]
    assert last.lstrip().startswith("Bibliography")
    order = [last.index(name) for name in ("Bendett, Samuel", "Lee, John", "TRENDS Research")]
    assert order == sorted(order)


def _outline_titles(reader: pypdf.PdfReader, items=None, depth=0) -> list[tuple[int, str]]:
    items = reader.outline if items is None else items
    titles: list[tuple[int, str]] = []
    for item in items:
        if isinstance(item, list):
            titles.extend(_outline_titles(reader, item, depth + 1))
        else:
            titles.append((depth, item.title))
    return titles


def test_outline_mirrors_the_headings(basic):
    titles = _outline_titles(basic.pdf)
    assert titles == [
        (0, "Contents"), (0, "Executive summary"), (0, "1\u2002Introduction"),
        (1, "1.1 Scope"), (1, "1.2 Method"), (0, "2\u2002Defence-oriented technologies"),
        (1, "2.1 Arms sales"), (0, "Bibliography"),
    ]


def test_outline_entries_point_at_the_right_pages(basic):
    reader = basic.pdf
    texts = basic.page_texts()
    for item in reader.outline:
        if isinstance(item, list) or item.title == "Contents":
            continue
        page = reader.get_destination_page_number(item) + 1
        title = item.title.split("\u2002")[-1]
        assert title in texts[page - 1], item.title


def test_metadata(basic):
    reader = basic.pdf
    info = reader.metadata
    assert info.title == "Cooperation under constraint"
    assert "Ada Example" in info.author and "Ben Sample" in info.author
    assert info["/Keywords"] == "testing, reports"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert info["/CreationDate"].startswith("D:20260504")


def _link_annotations(reader: pypdf.PdfReader):
    for number, page in enumerate(reader.pages, start=1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link":
                yield number, annotation


def test_internal_links_resolve_and_contents_links_reach_their_pages(basic):
    reader = basic.pdf
    texts = basic.page_texts()
    named = reader.named_destinations
    internal = 0
    for number, annotation in _link_annotations(reader):
        action = annotation.get("/A")
        dest = annotation.get("/Dest") or (action.get("/D") if action else None)
        if dest is None:
            continue
        internal += 1
        if isinstance(dest, str):
            assert dest in named, f"link on page {number} to missing destination {dest}"
    assert internal >= 10
    external = [a["/A"]["/URI"] for _, a in _link_annotations(reader)
                if a.get("/A") and "/URI" in a["/A"]]
    assert "https://www.australiachinarelations.org/" in external
    assert texts  # sanity: the document has text


def test_fonts_are_the_bundled_families_and_embedded(basic):
    names = set()
    for page in basic.pdf.pages:
        fonts = page["/Resources"].get("/Font") or {}
        for font in fonts.values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]).split("+")[-1])
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font).get("/FontDescriptor")
            if descriptor:
                descriptor = descriptor.get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                    f"{font['/BaseFont']} is not embedded"
    assert any(name.startswith("Source-Serif-4") for name in names), names
    assert any(name.startswith("Source-Sans-3") for name in names), names


def test_letter_paper_option(tmp_path):
    from conftest import build_root, copy_root
    root = copy_root("basic", tmp_path)
    config = root / "report.yaml"
    config.write_text(config.read_text() + "paper: letter\n")
    built = build_root(root, formats=("pdf",))
    width, height = (float(v) for v in built.pdf.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (612, 792)


def test_a4_is_the_default(basic):
    width, height = (float(v) for v in basic.pdf.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_copied_text_has_plain_spaces_and_hyphens(basic):
    """One glyph draws a space and a no-break space (and both hyphens); the text layer maps
    it to the plain character, so searching "Table 1" or "co-development" finds it."""
    text = "\n".join(basic.page_texts())
    assert "Table 1. The four fields" in text and "p. " in text
    assert "\u00a0" not in text and "\u2010" not in text
