"""Publisher's matter (#17): imprint, how to cite, lists with exact pages, biographies,
logo, scholarly metadata (Highwire, Dublin Core, OpenGraph, JSON-LD, XMP), .bib and .ris.

The fixture tests/roots/publisher sets every key; its chapters spread figures, tables and
takeaway boxes over several pages so that a wrong page number in a list shows."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import bibtexparser
import extruct
import pikepdf
import pypdfium2 as pdfium
import pytest
import rispy
from conftest import REPO, Built, SharedBuilds, build_root, copy_root
from lxml import html as lxml_html

from reportc.editions.cover import can_draw_cover
from reportc.errors import Diagnostics
from reportc.project.config import load_config
from reportc.project.publisher import LICENCES

LIST_LINE = re.compile(r"^(.*?)[\s.]+(\d+)$")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The publisher fixture, laid out part by part (the default)."""
    return build_root(copy_root("publisher", tmp_path_factory.mktemp("pub")))


@pytest.fixture(scope="module")
def texts(built: Built) -> list[str]:
    return [" ".join(t.replace("\u00a0", " ").split(" ")) for t in built.page_texts()]


def _lists_page(texts: list[str]) -> int:
    return next(i for i, t in enumerate(texts) if t.startswith("Figures\n"))


def _entries(page_text: str, kind: str) -> list[tuple[str, int]]:
    """(text, page) of each entry of one list on the lists page, as a reader sees it."""
    sections = re.split(r"^(?:Figures|Tables| ?Key takeaways at a glance)$", page_text,
                        flags=re.M)
    section = sections[{"figures": 1, "tables": 2, "takeaways": 3}[kind]]
    entries = []
    for line in section.strip().splitlines():
        match = LIST_LINE.match(line.strip())
        if match and "." in line:
            entries.append((match.group(1).strip(), int(match.group(2))))
    return entries


def _page_of(texts: list[str], needle: str, after: int) -> int:
    """The folio (1-based page) of the first page after ``after`` holding ``needle``."""
    return next(i + 1 for i, t in enumerate(texts) if i > after and needle in " ".join(t.split()))


# --- lists: exact pages ------------------------------------------------------------------

def test_list_of_figures_and_tables_give_the_pages_of_their_captions(texts):
    front = _lists_page(texts)
    figures, tables = _entries(texts[front], "figures"), _entries(texts[front], "tables")
    assert [t.split(" ", 2)[:2] for t, _ in figures] == [["Figure", "1"], ["Figure", "2"],
                                                        ["Figure", "3"]]
    assert len(tables) == 3
    assert len({page for _, page in figures + tables}) >= 4, "spread over several pages"
    for text, page in figures + tables:
        word, number, caption = text.split(" ", 2)
        assert _page_of(texts, f"{word} {number}. {caption}", front) == page, text


def test_takeaways_at_a_glance_quote_each_box_with_its_chapter_and_page(texts):
    front = _lists_page(texts)
    entries = _entries(texts[front], "takeaways")
    assert [text for text, _ in entries] == [
        "Storage capacity doubles every two years. (Executive summary)",
        "Markets reward flexibility (Chapter 1)",
        "Supply chains for minerals are concentrated. (Chapter 2)"]
    for text, page in entries:
        quoted = text.rsplit(" (", 1)[0]
        needle = "MARKETS REWARD FLEXIBILITY" if quoted == "Markets reward flexibility" \
            else quoted
        assert _page_of(texts, needle, front) == page, text


def test_single_pass_prints_the_same_lists_as_the_part_parallel_build(built, texts, tmp_path):
    single = build_root(copy_root("publisher", tmp_path), single_pass=True)
    single_texts = [" ".join(t.replace("\u00a0", " ").split(" "))
                    for t in single.page_texts()]
    assert len(single_texts) == len(texts)
    front = _lists_page(texts)
    assert single_texts[front] == texts[front]
    assert single_texts[2] == texts[2]  # the contents


def test_lists_are_links_in_the_web_edition(built):
    page = lxml_html.parse(str(built.html_path)).getroot()
    links = page.xpath('//nav[@class="lists"]//a')
    assert len(links) == 9
    for link in links:
        target = link.get("href").removeprefix("#")
        assert page.xpath(f'//*[@id="{target}"]'), target


# --- imprint, how to cite, biographies, logo -------------------------------------------

def test_imprint_is_behind_the_cover_with_everything_report_yaml_sets(texts):
    imprint = " ".join(texts[1].split())
    for expected in ["© 2026 Fixture Policy Institute",
                     "Creative Commons Attribution 4.0 International (CC-BY-4.0)",
                     "https://creativecommons.org/licenses/by/4.0/",
                     "DOI https://doi.org/10.5555/grid.2026.1", "ISBN 978-3-16-148410-0",
                     "ISSN 2049-3630", "not those of the Institute", "Fixture Foundation",
                     "thank the reviewers", "HOW TO CITE THIS REPORT"]:
        assert expected in imprint, expected
    assert texts[2].startswith("Contents"), "the contents follow on the next right page"
    assert not re.search(r"\n\d+$", texts[1].strip()), "no folio on the imprint"


def test_how_to_cite_is_the_report_in_its_own_csl_style(texts, built):
    imprint = " ".join(texts[1].split())
    # chicago-notes-bibliography, the fixture's style: "Family, Given, and Given Family."
    assert ("Example, Ada, and Ben van Sample. Grid Storage and the Energy Transition: "
            "A Fixture for the Publisher’s Matter. Version 2.0. Fixture Policy Institute, "
            "2026. https://doi.org/10.5555/grid.2026.1.") in imprint
    page = lxml_html.parse(str(built.html_path)).getroot()
    box = page.xpath('//footer//div[@class="how-to-cite"]')[0]
    assert "Example, Ada, and Ben van Sample." in box.text_content()
    assert [a.get("href") for a in box.xpath(".//p[@class='how-to-cite-files']/a")] == \
        ["grid-storage.bib", "grid-storage.ris"]


def test_about_the_authors_at_the_back_with_orcid_links(built, texts):
    last = " ".join(texts[-1].split())
    assert last.startswith("About the authors")
    assert "Ada Example Lead author, Institute of Tests" in last
    assert "directs the energy programme" in last and "battery minerals" in last
    links = [annot.get_object()["/A"].get("/URI") for annot in built.pdf.pages[-1]["/Annots"]]
    assert "https://orcid.org/0000-0002-1825-0097" in links
    assert "mailto:ada@example.org" in links
    contents = " ".join(texts[2].split())
    assert re.search(rf"About the authors[ .]+{len(texts)} ", contents)


def test_logo_on_the_cover_and_in_the_masthead_with_alt_text(built):
    cover = built.pdf.pages[0]
    images = [cover["/Resources"]["/XObject"][name].get_object()
              for name in cover["/Resources"].get("/XObject", {})]
    assert any(image.get("/Subtype") == "/Image" and image["/Width"] == 240
               for image in images)
    page = lxml_html.parse(str(built.html_path)).getroot()
    logo = page.xpath('//header[@class="masthead"]/img')[0]
    assert logo.get("alt") == "Fixture Policy Institute"
    assert (built.out / logo.get("src")).is_file()


# --- scholarly metadata -----------------------------------------------------------------

def test_highwire_tags_as_google_scholar_and_zotero_read_them(built):
    """No Python port of Zotero's translators exists on PyPI: the tags are read with lxml,
    in document order, the way Zotero's Embedded Metadata translator pairs them."""
    page = lxml_html.parse(str(built.html_path)).getroot()
    tags = [(m.get("name"), m.get("content")) for m in page.xpath("//head/meta[@name]")
            if m.get("name", "").startswith("citation_")]
    first = dict(reversed(tags))
    assert first["citation_title"] == "Grid storage and the energy transition"
    assert first["citation_publication_date"] == "2026/05/04"
    assert first["citation_doi"] == "10.5555/grid.2026.1"
    assert first["citation_isbn"] == "978-3-16-148410-0"
    assert first["citation_publisher"] == "Fixture Policy Institute"
    assert first["citation_pdf_url"] == "https://reports.example.org/grid-storage/grid-storage.pdf"
    assert (built.out / first["citation_pdf_url"].rsplit("/", 1)[1]).is_file()
    authors = [(value, tags[i + 1][1]) for i, (name, value) in enumerate(tags)
               if name == "citation_author"]
    assert authors == [("Ada Example", "Institute of Tests"),
                       ("Ben van Sample", "University of Fixtures")]


def test_dublin_core_open_graph_and_json_ld_read_by_extruct(built):
    data = extruct.extract(built.html_path.read_text(encoding="utf-8"),
                           syntaxes=["json-ld", "opengraph", "dublincore"], uniform=True)
    report = data["json-ld"][0]
    assert report["@type"] == "Report"
    assert report["identifier"]["value"] == "10.5555/grid.2026.1"
    assert report["license"] == LICENCES["CC-BY-4.0"].url
    assert report["author"][0]["sameAs"] == "https://orcid.org/0000-0002-1825-0097"
    og = data["opengraph"][0]
    assert og["og:title"] == "Grid storage and the energy transition"
    assert og["og:description"] == ("Grid storage is growing faster than any other part of "
                                    "the power system.")
    assert og["og:url"] == "https://reports.example.org/grid-storage/"  # report.yaml's url
    assert report["url"] == og["og:url"]
    if can_draw_cover():  # OpenGraph takes absolute URLs only
        assert og["og:image"] == "https://reports.example.org/grid-storage/grid-storage-cover.png"
        cover = built.out / og["og:image"].rsplit("/", 1)[1]
        assert cover.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dc = {(e["name"], e["content"]) for e in data["dublincore"][0]["elements"]}
    assert ("DC.rights", "© 2026 Fixture Policy Institute. Licensed under Creative Commons "
            "Attribution 4.0 International (CC-BY-4.0), "
            "https://creativecommons.org/licenses/by/4.0/") in dc
    assert ("DC.identifier", "https://doi.org/10.5555/grid.2026.1") in dc


def test_pdf_xmp_carries_rights_and_doi(built):
    with pikepdf.open(built.pdf_path) as pdf:
        meta = pdf.open_metadata()
        assert "CC-BY-4.0" in meta["dc:rights"]
        assert meta["dc:title"] == "Grid storage and the energy transition"
        assert meta["dc:creator"] == ["Ada Example", "Ben van Sample"]
        assert meta["{http://prismstandard.org/namespaces/basic/2.0/}doi"] == \
            "10.5555/grid.2026.1"
        assert meta["{http://ns.adobe.com/xap/1.0/rights/}WebStatement"] == \
            LICENCES["CC-BY-4.0"].url
        assert "MetadataDate" not in str(pdf.Root.Metadata.read_bytes())
    assert "CC-BY-4.0" in str(built.pdf.xmp_metadata.dc_rights)



def test_an_edit_and_a_record_change_give_the_clean_build_pdf_xmp_and_all(
        tmp_path: Path, shared: SharedBuilds) -> None:
    """The XMP record is written as the parts are merged; a rebuild takes the front matter
    from the last PDF, whose packet already describes the report, so the record must be
    written on the packet the front matter had as laid out: after an edit, and after a
    change to keywords (in the XMP, printed nowhere: every part is reused), the PDF is
    the clean build's, byte for byte. (The first build is a copy of the session's.)"""
    (tmp_path / "pub").mkdir()
    root = shared.copy("publisher", tmp_path / "pub", formats=("pdf",)).root
    chapter = sorted((root / "chapters").glob("*.md"))[-1]
    chapter.write_text(chapter.read_text() + "\nA sentence added by the test.\n")
    config = root / "report.yaml"
    for change in (None, ("keywords: [energy, storage]", "keywords: [energy, batteries]")):
        if change:
            config.write_text(config.read_text().replace(*change))
        rebuilt = build_root(root, formats=("pdf",))
        clean = build_root(root, out=tmp_path / "clean", formats=("pdf",), use_cache=False)
        assert rebuilt.pdf_path.read_bytes() == clean.pdf_path.read_bytes(), change
    with pikepdf.open(rebuilt.pdf_path) as pdf:
        meta = pdf.open_metadata()
        assert set(meta["dc:subject"]) == {"energy", "batteries"}
        assert meta["pdf:Keywords"] == "energy, batteries"
        assert meta["{http://prismstandard.org/namespaces/basic/2.0/}doi"] == \
            "10.5555/grid.2026.1"


@pytest.mark.skipif(not can_draw_cover(), reason="pdftoppm draws the cover picture")
def test_the_cover_picture_is_drawn_again_only_when_the_first_pages_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared: SharedBuilds) -> None:
    """Page 1 is the front matter's: an edit elsewhere takes the picture from the cache;
    a new title is drawn. Either way it is the clean build's picture. (The first build is
    a copy of the session's, so its cover's drawing is not counted.)"""
    import reportc.pdf.cover
    import reportc.pdf.edition

    drawn: list[str] = []
    real = reportc.pdf.edition.draw_cover

    def counting(pdf, target, *page):
        drawn.append(target.name)
        return real(pdf, target, *page)

    monkeypatch.setattr(reportc.pdf.edition, "draw_cover", counting)
    monkeypatch.setattr(reportc.pdf.cover, "draw_cover", counting)  # drawn during the merge
    (tmp_path / "pub").mkdir()
    root = shared.copy("publisher", tmp_path / "pub", formats=("pdf",)).root
    chapter = sorted((root / "chapters").glob("*.md"))[-1]
    config = root / "report.yaml"
    for change, draws in [(lambda: chapter.write_text(chapter.read_text() + "\nMore.\n"), 0),
                          (lambda: config.write_text(config.read_text().replace(
                              "Grid storage and the energy transition",
                              "Grid storage and the transition")), 1)]:
        drawn.clear()
        change()
        rebuilt = build_root(root, formats=("pdf",))
        assert len(drawn) == draws
        clean = build_root(root, out=tmp_path / "clean", formats=("pdf",), use_cache=False)
        assert (rebuilt.out / "grid-storage-cover.png").read_bytes() == \
            (clean.out / "grid-storage-cover.png").read_bytes()

@pytest.mark.skipif(not can_draw_cover(), reason="pdftoppm is not installed")
def test_the_cover_picture_is_drawn_from_the_first_part_while_the_parts_merge(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The picture is drawn once, from the front matter's own PDF (page 1 of it), before
    the merge, and it is page 1 of the merged PDF drawn by pdftoppm."""
    import reportc.pdf.cover
    import reportc.pdf.edition
    from reportc.editions.cover import draw_cover

    drawn: list[tuple[str, int]] = []

    def early(pdf, target, page=1):
        drawn.append((pdf.name, page))
        return draw_cover(pdf, target, page)

    monkeypatch.setattr(reportc.pdf.cover, "draw_cover", early)
    monkeypatch.setattr(reportc.pdf.edition, "draw_cover", lambda *args: pytest.fail(
        "drawn from the merged PDF"))
    built = build_root(copy_root("publisher", tmp_path), formats=("pdf",), use_cache=False)
    assert drawn == [("first-part.pdf", 1)]
    again = tmp_path / "cover.png"
    assert draw_cover(built.out / "grid-storage.pdf", again)
    assert (built.out / "grid-storage-cover.png").read_bytes() == again.read_bytes()


# --- reference files --------------------------------------------------------------------

def test_bib_file_parses_as_a_report_with_its_institution(built):
    library = bibtexparser.parse_string((built.out / "grid-storage.bib").read_text("utf-8"))
    assert not library.failed_blocks
    entry = library.entries[0]
    assert (entry.entry_type, entry.key) == ("report", "grid-storage")
    fields = {f.key: f.value for f in entry.fields}
    assert fields["institution"] == "Fixture Policy Institute"
    assert fields["author"] == "Example, Ada and van Sample, Ben"
    assert fields["doi"] == "10.5555/grid.2026.1"
    assert fields["date"] == "2026-05-04"


def test_ris_file_parses_with_rispy(built):
    records = rispy.loads((built.out / "grid-storage.ris").read_text("utf-8"))
    assert len(records) == 1
    record = records[0]
    assert record["type_of_reference"] == "RPRT"
    assert record["authors"] == ["Example, Ada", "van Sample, Ben"]
    assert record["doi"] == "10.5555/grid.2026.1"
    assert record["publisher"] == "Fixture Policy Institute"
    assert record["year"] == "2026"


def test_a_report_without_publisher_keys_keeps_a_blank_imprint_but_has_metadata(basic):
    assert basic.page_texts()[1] == ""
    page = lxml_html.parse(str(basic.html_path)).getroot()
    assert not page.xpath('//*[@class="imprint"]')
    assert page.xpath('//meta[@name="citation_title"]/@content') == \
        ["Cooperation under constraint"]
    assert (basic.out / "fixture.bib").is_file() and (basic.out / "fixture.ris").is_file()


# --- report.yaml ------------------------------------------------------------------------

def _config(tmp_path: Path, text: str) -> Diagnostics:
    (tmp_path / "report.yaml").write_text(text, encoding="utf-8")
    diag = Diagnostics()
    load_config(tmp_path, diag)
    return diag


@pytest.mark.parametrize("setting, message", [
    ("licence: CC-BY-4.1", "report.yaml:2: licence 'CC-BY-4.1' is not a known SPDX licence id"
                           " (did you mean CC-BY-4.0?)"),
    ("doi: 11.1234/x", "report.yaml:2: doi '11.1234/x' is not a DOI"),
    ("issn: 2049-3631", "report.yaml:2: issn '2049-3631' is not an ISSN"),
    ("logo: logo.gif", "report.yaml:2: logo 'logo.gif' must be an SVG or PNG file"),
    ("logo: missing.svg", "report.yaml:2: logo file 'missing.svg' not found"),
    ("acknowledgements: thanks.txt", "report.yaml:2: 'acknowledgements' must name a Markdown"),
    ("url: reports/grid/", "report.yaml:2: url 'reports/grid/' is not an absolute http(s)"),
    ("url: ftp://example.org/r/", "report.yaml:2: url 'ftp://example.org/r/' is not an"),
    ("authors:\n  - name: A\n    email: not-an-address",
     "report.yaml:4: email 'not-an-address' is not an e-mail address"),
    ("authors:\n  - name: A\n    twitter: '@a'", "report.yaml:4: unknown author field 'twitter'"),
])
def test_publisher_settings_are_validated_where_they_are_written(tmp_path, setting, message):
    diag = _config(tmp_path, f"title: T\n{setting}\n")
    assert message in str(diag.errors[0])


def test_publisher_settings_are_no_longer_unknown(tmp_path):
    (tmp_path / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    diag = _config(tmp_path, "title: T\norganisation: O\nlogo: logo.svg\nlicense: cc0-1.0\n"
                   "isbn: 0-306-40615-2\nlists: [tables]\n")
    assert not diag.errors and not diag.warnings


def test_without_url_no_relative_address_is_given_as_an_opengraph_url(tmp_path):
    """OpenGraph's og:url and og:image must be absolute: without report.yaml's url they are
    left out (Highwire's citation_pdf_url and JSON-LD may stay relative to the page)."""
    root = copy_root("publisher", tmp_path)
    config = root / "report.yaml"
    config.write_text("\n".join(line for line in config.read_text(encoding="utf-8").splitlines()
                                if not line.startswith("url:")) + "\n", encoding="utf-8")
    built = build_root(root)  # with the PDF: its cover is the picture og:image would name
    data = extruct.extract(built.html_path.read_text(encoding="utf-8"),
                           syntaxes=["opengraph", "json-ld"], uniform=True)
    og = data["opengraph"][0]
    assert "og:url" not in og and "og:image" not in og
    assert "url" not in data["json-ld"][0]
    if can_draw_cover():
        assert data["json-ld"][0]["image"] == "grid-storage-cover.png"  # relative to the page


def test_the_flagship_uses_a_licence_and_lists_and_invents_no_identifiers():
    config = load_config(REPO, Diagnostics())
    pub = config.publisher
    assert pub.licence is not None and pub.licence.spdx == "CC-BY-4.0"
    assert pub.lists == ["figures", "tables", "takeaways"]
    assert not (pub.doi or pub.isbn or pub.issn or pub.logo)


def test_reference_files_and_xmp_are_deterministic(tmp_path):
    """Two folders: the PDF (with its PNG logo, named by its bytes: compat patch 8), the
    reference files and the XMP are the same bytes."""
    first = build_root(copy_root("publisher", tmp_path / "one"), formats=("pdf",),
                       use_cache=False)  # the reference files are written beside the PDF
    before = {name: (first.out / name).read_bytes()
              for name in ("grid-storage.pdf", "grid-storage.bib", "grid-storage.ris")}
    again = build_root(copy_root("publisher", tmp_path / "two" / "deeper"), formats=("pdf",),
                       use_cache=False)
    for name, data in before.items():
        assert (again.out / name).read_bytes() == data, name


def test_an_imprint_longer_than_its_page_goes_on_instead_of_being_cut(tmp_path):
    """The imprint's block sits at the foot of a page of fixed height behind the cover
    (a flex column); long acknowledgements go on to the next page, all of them visible,
    "How to cite" last (WeasyPrint cuts such a block off in a plain document)."""
    root = copy_root("publisher", tmp_path)
    paragraph = ("The authors thank the colleagues who read every chapter, the archivists who "
                 "found the sources and the editors who checked each figure. ") * 6
    (root / "acknowledgements.md").write_text(
        "\n\n".join(f"{paragraph}Paragraph {n} ends here." for n in range(1, 13)) + "\n",
        encoding="utf-8")
    built = build_root(root, formats=("pdf",))
    pdf = pdfium.PdfDocument(built.pdf_path)
    visible = []  # text inside the page's bounds only (cut-off text is still extractable)
    for index in range(6):
        page = pdf[index]
        width, height = page.get_size()
        visible.append(page.get_textpage().get_text_bounded(0, 0, width, height))
    text = " ".join(" ".join(" ".join(visible).split()).split())
    assert "Paragraph 1 ends here." in text and "Paragraph 12 ends here." in text
    assert "HOW TO CITE THIS REPORT" in text.upper() and "Fixture Policy Institute, 2026" in text


def test_how_to_cite_is_made_while_the_report_is_cited(tmp_path, monkeypatch):
    """The imprint's pandoc runs depend on report.yaml and the style alone: they run
    beside citing (which here waits for them), not after it, on the way to the PDF."""
    import threading

    import reportc.citing.citation
    import reportc.editions.imprint
    import reportc.pipeline

    begun = threading.Event()
    real_cite, real_how = reportc.pipeline._cite, reportc.citing.citation.how_to_cite
    made: list[str] = []

    def how(*args, **kwargs):
        begun.set()
        made.append(real_how(*args, **kwargs))
        return made[-1]

    def cite(*args, **kwargs):
        assert begun.wait(60), "how to cite was not begun before citing ended"
        return real_cite(*args, **kwargs)

    monkeypatch.setattr(reportc.citing.citation, "how_to_cite", how)
    monkeypatch.setattr(reportc.editions.imprint, "how_to_cite", how)
    monkeypatch.setattr(reportc.pipeline, "_cite", cite)
    built = build_root(copy_root("publisher", tmp_path), formats=("html",), use_cache=False)
    page = (built.out / "grid-storage.html").read_text(encoding="utf-8")
    assert len(made) == 1 and made[0] and made[0] in page


def test_the_imprint_reports_its_problems_when_asked_for_its_texts(tmp_path):
    """Made in a thread, its problems are held until the build asks for the texts, then
    reported (a script address in the acknowledgements is an error at that file)."""
    from reportc.cache import BuildCache
    from reportc.editions.imprint import ImprintTexts

    root = copy_root("publisher", tmp_path)
    (root / "acknowledgements.md").write_text("Thanks to [them](javascript:alert(1)).\n")
    config = load_config(root, Diagnostics())
    imprint = ImprintTexts(config, None, dt.date(2026, 12, 7), BuildCache(
        tmp_path / "cache", Diagnostics(), enabled=False))
    diag = Diagnostics()
    how, thanks = imprint.result(diag)
    imprint.close()
    assert how == "" and thanks == ""
    assert [(p.path, p.severity) for p in diag.problems] == [("acknowledgements.md", "error")]
