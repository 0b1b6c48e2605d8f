"""The EPUB edition as e-readers and validators meet it: EPUBCheck and DAISY Ace on the
flagship and on a fixture (tests/roots/editions: notes, a formula, a figure and a table,
a cross-reference to another chapter's figure), the navigation document, the page list
against the PDF's pages, the accessibility metadata, the cache and the bytes."""

from __future__ import annotations

import posixpath
import re
import shutil
import zipfile
from pathlib import Path

import pypdf
import pytest
from conftest import REPO, Built, SharedBuilds, build_root, copy_root
from epub import checkers
from lxml import etree

from reportc.epub import edition, package

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "m": "http://www.w3.org/1998/Math/MathML"}
TYPE = "{http://www.idpf.org/2007/ops}type"


@pytest.fixture(scope="module")
def fixture(shared: SharedBuilds) -> Built:
    """The editions fixture built with the EPUB alone, once per session; read only."""
    return shared.build("editions", formats=("epub",))


@pytest.fixture(scope="module")
def flagship(flagship_editions: Built) -> Built:
    """The session's strict build of the flagship, its EPUB among the editions."""
    return flagship_editions


def book(built: Built) -> zipfile.ZipFile:
    return zipfile.ZipFile(built.out / f"{built.slug}.epub")


def xml(built: Built, name: str) -> etree._Element:
    with book(built) as epub:
        return etree.fromstring(epub.read(name))


@pytest.fixture(scope="module")
def epubcheck_reports(fixture, flagship, tmp_path_factory) -> dict[str, dict]:
    """EPUBCheck's report of each book, both checked in one Java process where it can."""
    if reason := checkers.epubcheck_missing():
        pytest.skip(reason)
    books = {"fixture": fixture, "flagship": flagship}
    reports = checkers.epubcheck_many([b.out / f"{b.slug}.epub" for b in books.values()],
                                      tmp_path_factory.mktemp("epubcheck"))
    return dict(zip(books, reports, strict=True))


@pytest.mark.parametrize("which", ["fixture", "flagship"])
def test_epubcheck_finds_no_error_and_no_warning(which, epubcheck_reports):
    report = epubcheck_reports[which]
    counts = report["checker"]
    assert (counts["nFatal"], counts["nError"], counts["nWarning"]) == (0, 0, 0), \
        checkers.problems(report)
    assert report["publication"]["ePubVersion"] == "3.3"


@pytest.mark.parametrize("which", ["fixture", "flagship"])
def test_daisy_ace_finds_nothing_serious(which, request, tmp_path):
    if reason := checkers.ace_missing():
        pytest.skip(reason)
    built = request.getfixturevalue(which)
    report = checkers.ace(built.out / f"{built.slug}.epub", tmp_path / "ace")
    assert checkers.violations(report) == []
    assert "schema:accessibilitySummary" in report["a11y-metadata"]["present"]


def test_the_pdf_is_built_with_it_and_the_chapters_are_files(fixture):
    assert (fixture.out / "grid.pdf").is_file()
    with book(fixture) as epub:
        names = epub.namelist()
        assert names[0] == "mimetype" and epub.read("mimetype") == b"application/epub+zip"
        assert epub.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    chapters = [n for n in names if n.startswith("EPUB/text/ch")]
    assert len(chapters) == 4  # summary, two chapters, bibliography


def test_navigation_has_contents_landmarks_and_page_list(fixture):
    nav = xml(fixture, "EPUB/nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    titles = ["".join(a.itertext()) for a in toc.iterfind(".//x:a", NS)]
    assert titles[:2] == ["Executive summary", "1 Demand and supply"]
    assert "Bibliography" in titles
    kinds = {a.get(TYPE) for a in nav.iterfind(".//x:nav[@epub:type='landmarks']//x:a", NS)}
    assert {"toc", "bodymatter", "bibliography", "cover"} <= kinds
    pages = [a.text for a in nav.iterfind(".//x:nav[@epub:type='page-list']//x:a", NS)]
    assert pages[0] == "1" and len(pages) >= 3
    assert [int(p) for p in pages] == sorted(int(p) for p in pages)


@pytest.mark.parametrize("which", ["fixture", "flagship"])
def test_each_page_marker_is_where_that_page_of_the_pdf_starts(which, request):
    """The heading, caption or entry after each marker is printed on that page of the PDF."""
    built = request.getfixturevalue(which)
    texts = [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(
        built.out / f"{built.slug}.pdf").pages]
    checked = 0
    with book(built) as epub:
        for name in [n for n in epub.namelist() if n.startswith("EPUB/text/ch")]:
            tree = etree.fromstring(epub.read(name))
            for marker in tree.iterfind(".//x:span[@epub:type='pagebreak']", NS):
                page = int(marker.get("aria-label"))
                assert marker.get("role") == "doc-pagebreak"
                words = _following_words(marker)
                assert words.lower() in texts[page - 1].lower(), (name, page, words)
                checked += 1
    assert checked >= 3


def _following_words(marker: etree._Element) -> str:
    """The first words after a page marker (a heading's number left out)."""
    words = " ".join(marker.xpath("following::text()")[:12]).split()
    return " ".join(words[1:4] if words[0][0].isdigit() else words[:3])


def test_notes_math_figures_tables_and_links(fixture):
    chapter = xml(fixture, "EPUB/text/ch002.xhtml")
    notes = chapter.findall(".//x:aside[@epub:type='footnote']", NS)
    refs = chapter.findall(".//x:a[@epub:type='noteref']", NS)
    assert len(notes) >= 2 and len(refs) == len(notes)
    assert chapter.find(".//m:math[@display='block']", NS) is not None
    image = chapter.find(".//x:figure/x:img", NS)
    assert "Monthly electricity demand" in image.get("alt")
    assert "Figure\u00a01." in "".join(chapter.find(".//x:figure/x:figcaption", NS).itertext())
    assert "Sources of supply" in "".join(chapter.find(".//x:table/x:caption", NS).itertext())
    later = xml(fixture, "EPUB/text/ch003.xhtml")
    hrefs = {a.get("href") for a in later.iterfind(".//x:a", NS)}
    assert "ch002.xhtml#fig-demand" in hrefs  # another file's figure: its file named
    bibliography = xml(fixture, "EPUB/text/ch004.xhtml").find(".//x:section", NS)
    assert bibliography.get(TYPE) == "bibliography"
    assert "Nguyen" in "".join(bibliography.itertext())


@pytest.mark.parametrize("which", ["fixture", "flagship"])
def test_each_note_call_and_its_note_link_to_each_other_in_one_file(which, request):
    """A call opens its own chapter's note, and the note leads back to it (pandoc's
    book named every chapter's first note fn1 and sent all calls to the last chapter)."""
    built = request.getfixturevalue(which)
    checked = 0
    with book(built) as epub:
        for name in [n for n in epub.namelist() if n.startswith("EPUB/text/ch")]:
            tree = etree.fromstring(epub.read(name))
            ids = {e.get("id"): e for e in tree.iter() if e.get("id")}
            for call in tree.iterfind(".//x:a[@epub:type='noteref']", NS):
                note = ids[call.get("href").removeprefix("#")]
                assert note.tag == f"{{{NS['x']}}}aside" and note.get(TYPE) == "footnote"
                back = note.find(".//x:a[@role='doc-backlink']", NS)
                assert back.get("href") == f"#{call.get('id')}"
                checked += 1
    assert checked >= 3


def test_the_flagships_chart_is_a_picture_in_the_book(flagship):
    """The chart, a picture written into the web page, is a file of the book."""
    with book(flagship) as epub:
        opf = etree.fromstring(epub.read("EPUB/content.opf"))
        listed = {i.get("href"): i.get("media-type") for i in opf.iterfind(".//opf:item", NS)}
        charts = [image for name in epub.namelist() if name.startswith("EPUB/text/ch")
                  for image in etree.fromstring(epub.read(name)).iterfind(
                      ".//x:img[@class='chart']", NS)]
        assert charts and all(image.get("alt") for image in charts)
        for image in charts:
            src = image.get("src")
            assert src.startswith("../media/") and listed[src[3:]] == "image/svg+xml"
            drawing = etree.fromstring(epub.read(f"EPUB/{src[3:]}"))
            assert len(drawing.findall(".//{http://www.w3.org/2000/svg}path")) > 5


def test_every_file_the_stylesheet_names_is_in_the_book(fixture):
    with book(fixture) as epub:
        css = epub.read("EPUB/styles/stylesheet1.css").decode()
        names = set(epub.namelist())
    urls = re.findall(r"url\(\s*[\"']?([^\"')]+)", css)
    assert len(urls) >= 8  # the default theme's fonts
    assert all(posixpath.normpath(f"EPUB/styles/{url}") in names for url in urls), urls


def test_accessibility_metadata_fonts_and_cover(fixture):
    opf = xml(fixture, "EPUB/content.opf")
    meta: dict[str, list[str]] = {}
    for element in opf.iterfind(".//opf:meta[@property]", NS):
        meta.setdefault(element.get("property"), []).append(element.text)
    assert meta["schema:accessMode"] == ["textual", "visual"]
    assert {"MathML", "alternativeText", "pageNavigation", "tableOfContents",
            "structuralNavigation"} <= set(meta["schema:accessibilityFeature"])
    assert meta["schema:accessibilityHazard"] == ["none"]
    assert "Formulas are MathML" in meta["schema:accessibilitySummary"][0]
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert meta["pageBreakSource"] == ["grid.pdf"]
    items = {i.get("href"): i for i in opf.iterfind(".//opf:item", NS)}
    assert "fonts/SourceSerif4-Regular.ttf" in items  # SIL Open Font License: embedded
    assert any(i.get("properties") == "cover-image" for i in items.values())
    identifier = opf.find(".//{http://purl.org/dc/elements/1.1/}identifier").text
    assert identifier.startswith("urn:uuid:")


def test_same_bytes_in_another_folder_and_from_the_cache(fixture, tmp_path, monkeypatch):
    other = build_root(copy_root("editions", tmp_path), formats=("epub",))
    made = (other.out / "grid.epub").read_bytes()
    assert made == (fixture.out / "grid.epub").read_bytes()
    runs = []
    monkeypatch.setattr(package, "make_book", lambda *a, **k: runs.append(a))
    (other.out / "grid.epub").unlink()
    build_root(other.root, formats=("epub",))
    assert runs == [] and (other.out / "grid.epub").read_bytes() == made
    chapter = other.root / "chapters" / "02-storage.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nOne more line.\n",
                       encoding="utf-8")
    monkeypatch.undo()
    build_root(other.root, formats=("epub",))
    assert (other.out / "grid.epub").read_bytes() != made


def test_a_file_that_cannot_be_read_is_a_located_error(tmp_path, monkeypatch):
    from reportc.epub import media
    from reportc.errors import BuildFailed

    def read(path):
        if path.suffix == ".ttf":
            raise PermissionError(13, "Permission denied", str(path))
        return path.read_bytes()
    monkeypatch.setattr(media, "read", read)
    root = copy_root("editions", tmp_path)
    (root / "out").mkdir()
    (root / "out" / "grid.epub").write_bytes(b"the last build's book")
    with pytest.raises(BuildFailed) as failed:
        build_root(root, formats=("epub",), use_cache=False)
    messages = [p.message for p in failed.value.problems]
    assert len(messages) == 1 and messages[0].startswith("grid.epub: "), messages
    assert "Permission denied" in messages[0] and "fonts" in messages[0]
    assert (root / "out" / "grid.epub").read_bytes() == b"the last build's book"


def test_fonts_without_an_embedding_licence_stay_out(tmp_path):
    from reportc.editions.theme import DEFAULT_THEME, Theme
    from reportc.epub.media import licensed_fonts

    theme = tmp_path / "theme"
    shutil.copytree(DEFAULT_THEME, theme)
    (theme / "fonts" / "LICENSE-SourceSans3.md").write_text("All rights reserved.\n")
    names = {font.name for font in licensed_fonts(Theme(theme))}
    assert "SourceSerif4-Regular.ttf" in names
    assert not any(name.startswith("SourceSans3") for name in names)


def test_a_font_the_licence_keeps_out_is_not_named_by_the_books_stylesheet(tmp_path):
    from reportc.editions.theme import DEFAULT_THEME

    root = copy_root("editions", tmp_path)
    shutil.copytree(DEFAULT_THEME, root / "templates")
    (root / "templates" / "fonts" / "LICENSE-SourceSans3.md").write_text("All rights reserved.\n")
    built = build_root(root, formats=("epub",))
    with book(built) as epub:
        css = epub.read("EPUB/styles/stylesheet1.css").decode()
        names = epub.namelist()
    assert "SourceSans3" not in css and "SourceSerif4-Regular.ttf" in css
    assert not any("SourceSans3" in name for name in names)
    assert 'font-family: "Source Sans 3", sans-serif' in css  # the rules are kept


def test_the_stylesheet_comes_from_the_theme(tmp_path):
    from reportc.editions.theme import DEFAULT_THEME, Theme

    assert edition.stylesheet(Theme(tmp_path)) == DEFAULT_THEME / "css" / "epub.css"
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "epub.css").write_text("body { margin: 0 }\n")
    assert edition.stylesheet(Theme(tmp_path)) == tmp_path / "css" / "epub.css"


def test_release_workflow_ships_the_epub():
    workflow = (REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert "epub" in workflow and '"build/release/pdf/$stem.epub"' in workflow
    assert Path(REPO / "tests" / "epub" / "package-lock.json").is_file()


def test_the_book_holds_nothing_from_outside_the_report(tmp_path):
    """A theme stylesheet pointing outside the report puts no outside file in the book."""
    from reportc.editions.theme import DEFAULT_THEME

    root = copy_root("editions", tmp_path)
    shutil.copytree(DEFAULT_THEME, root / "templates")
    with (root / "templates" / "css" / "epub.css").open("a", encoding="utf-8") as css:
        css.write('@font-face { font-family: X; src: url("/etc/hostname"); }\n'
                  'body { background: url("../../../../../../../etc/os-release"); }\n')
    built = build_root(root, formats=("epub",))
    secret = Path("/etc/hostname").read_bytes() if Path("/etc/hostname").is_file() else None
    with book(built) as epub:
        names = epub.namelist()
        assert not any("hostname" in n or "os-release" in n for n in names)
        if secret:
            assert all(epub.read(n) != secret for n in names)


def test_title_page_date_as_written_and_iso_in_the_package(fixture):
    title = xml(fixture, "EPUB/text/title_page.xhtml")
    assert "".join(title.find(".//x:p[@class='date']", NS).itertext()) == "15 June 2026"
    opf = xml(fixture, "EPUB/content.opf")
    assert opf.find(".//{http://purl.org/dc/elements/1.1/}date").text == "2026-06-15"


def test_a_draft_says_so_before_the_first_chapter(tmp_path):
    built = build_root(copy_root("editions", tmp_path), formats=("epub",), status="draft")
    first = xml(built, "EPUB/text/ch001.xhtml")
    banner = first.find(".//x:div[@class='status-banner']", NS)
    assert banner is not None and banner.get("role") == "note"
    assert "".join(banner.itertext()).strip().startswith("DRAFT · not the final text")
