"""The Word edition (#15): what a reviewer opening the DOCX in Word or LibreOffice meets."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from conftest import Built, build_root, copy_root, run_cli
from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def word(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = copy_root("basic", tmp_path_factory.mktemp("docx"))
    return build_root(root, formats=("docx",), status="draft", git_stamp=False)


def docx_path(built: Built) -> Path:
    return built.out / f"{built.slug}.docx"


def paragraphs(built: Built) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in docx.Document(docx_path(built)).paragraphs]


def styled(built: Built, style: str) -> list[str]:
    return [text for name, text in paragraphs(built) if name == style]


def part(built: Built, name: str) -> str:
    with zipfile.ZipFile(docx_path(built)) as archive:
        return archive.read(name).decode("utf-8")


def footnote_texts(built: Built) -> list[str]:
    """Each Word footnote's text (the separators have none)."""
    root = etree.fromstring(part(built, "word/footnotes.xml").encode("utf-8"))
    texts = ["".join(note.itertext()).strip() for note in root.iter(f"{W}footnote")]
    return [text for text in texts if text]


def test_only_the_docx_is_written_and_no_warning(word):
    assert sorted(p.name for p in word.out.iterdir() if not p.name.startswith(".")) == \
        ["fixture.docx"]
    assert word.warnings == []


def test_title_block_carries_the_cover_information_and_the_draft_status(word):
    assert styled(word, "Title") == ["Cooperation under constraint"]
    assert styled(word, "Subtitle") == ["A small fixture report for reportc's tests"]
    assert styled(word, "Author") == ["Ada Example (Institute of Tests)",
                                      "Ben Sample (University of Fixtures)"]
    assert styled(word, "Date") == ["4 May 2026"]
    assert styled(word, "Cover Info") == ["Fixture Policy Institute", "Version 1.2"]
    assert styled(word, "Status") == ["DRAFT · not the final text · 2026-05-04"]
    properties = docx.Document(docx_path(word)).core_properties
    assert properties.title == "Cooperation under constraint"
    assert properties.keywords == "testing, reports"


def test_headings_carry_the_pdf_numbers_in_word_heading_styles(word):
    assert styled(word, "Heading 1") == ["Executive summary", "1 Introduction",
                                         "2 Defence-oriented technologies", "Bibliography"]
    assert styled(word, "Heading 2") == ["1.1 Scope", "1.2 Method", "2.1 Arms sales"]
    names = [name for name, _ in paragraphs(word)]
    assert names.index("Heading 1") < names.index("Heading 2")


def test_a_contents_field_follows_the_title_block(word):
    """Word fills a TOC field in, with page numbers, when the document is opened (it is
    marked dirty); until then, and in LibreOffice, it lists the chapters and sections, each
    linked to its heading's bookmark, after the title block."""
    body = part(word, "word/document.xml")
    assert 'TOC \\o "1-2"' in body and 'w:dirty="true"' in body
    contents = body.index('w:docPartGallery w:val="Table of Contents"')
    end = body.index("</w:sdt>", contents)
    assert body.index(">DRAFT") < contents < body.index(">Executive summary<")
    root = etree.fromstring(body.encode("utf-8"))
    bookmarks = {b.get(f"{W}name") for b in root.iter(f"{W}bookmarkStart")}
    field = etree.fromstring(body[body.rindex("<w:sdt>", 0, contents):end + 8].replace(
        "<w:sdt>", f'<w:sdt xmlns:w="{W[1:-1]}">', 1).encode("utf-8"))
    links = [(link.get(f"{W}anchor"), "".join(link.itertext()))
             for link in field.iter(f"{W}hyperlink")]
    assert [text for _, text in links] == [
        "Executive summary", "1 Introduction", "1.1 Scope", "1.2 Method",
        "2 Defence-oriented technologies", "2.1 Arms sales", "Bibliography"]
    assert all(anchor in bookmarks for anchor, _ in links), (links, bookmarks)


def test_takeaway_boxes_keep_their_titles_and_are_shaded_and_bordered(word):
    assert styled(word, "Takeaway Title") == ["Key takeaways", "What this chapter finds"]
    assert styled(word, "Takeaway") == [
        "1. Cooperation is broad but shallow.", "2. Defence ties are the most developed.",
        "3. Frictions over intellectual property persist.", "• Co-development is growing."]
    styles = part(word, "word/styles.xml")
    box = styles[styles.index('w:styleId="Takeaway"'):]
    box = box[:box.index("</w:style>")]
    assert 'w:fill="E7F0F3"' in box and "<w:pBdr>" in box and "<w:left " in box


def test_figure_and_table_have_captions_alt_text_and_a_header_row(word):
    assert styled(word, "Image Caption") == ["Figure\u00a01. Depth of cooperation by field."]
    assert styled(word, "Table Caption") == [
        "Table\u00a01. The four fields and the depth of cooperation."]
    document = part(word, "word/document.xml")
    assert 'descr="Depth of cooperation by field."' in document
    assert "<w:tblHeader" in document
    table = docx.Document(docx_path(word)).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Field", "Depth", "Evidence"]
    assert [c.text for c in table.rows[2].cells] == ["Defence", "4", "Engines and radar"]


def test_cross_references_read_as_in_the_pdf_and_link_to_bookmarks(word):
    texts = [text for _, text in paragraphs(word)]
    assert ("Advanced technologies shape the balance of power. This chapter introduces the "
            "fields studied; Section 2.1 looks at defence, and Figure\u00a01 summarises the "
            "evidence.") in texts
    assert "The report covers four fields, listed in Table\u00a01." in texts
    document = part(word, "word/document.xml")
    for bookmark in ("sec-defence", "fig-bars", "tbl-fields"):
        assert f'w:anchor="{bookmark}"' in document
        assert f'w:name="{bookmark}"' in document


def test_citations_are_word_footnotes_in_the_csl_style_and_a_bibliography(word):
    notes = footnote_texts(word)
    assert "Lee, China-Russia Cooperation in Advanced Technologies, 4." in notes
    assert "An author’s note: the fields follow the source report." in notes
    document = part(word, "word/document.xml")
    assert document.count("<w:footnoteReference ") == 10
    entries = styled(word, "Bibliography")
    assert len(entries) == 3 and entries[1].startswith("Lee, John. China-Russia Cooperation")


def test_styles_follow_the_theme_fonts(word):
    styles = docx.Document(docx_path(word)).styles
    assert styles["Normal"].font.name == "Source Serif 4"
    assert styles["Heading 1"].font.name == "Source Sans 3"
    assert styles["Footnote Text"].font.name == "Source Serif 4"


def test_callouts_are_shaded_bordered_paragraphs(tmp_path):
    root = copy_root("basic", tmp_path)
    chapter = root / "chapters" / "02-defence.md"
    chapter.write_text(chapter.read_text(encoding="utf-8")
                       + "\n::: callout\nExport controls tightened in 2022.\n:::\n"
                       + '\n::: {.callout-warning title="Sanctions"}\n- Chips.\n- Engines.\n:::\n',
                       encoding="utf-8")
    built = build_root(root, formats=("docx",), git_stamp=False)
    assert styled(built, "Callout") == ["Export controls tightened in 2022.", "• Chips.",
                                        "• Engines."]
    assert "Sanctions" in styled(built, "Takeaway Title")
    styles = part(built, "word/styles.xml")
    box = styles[styles.index('w:styleId="Callout"'):]
    box = box[:box.index("</w:style>")]
    assert 'w:fill="E7F0F3"' in box and "<w:top " in box and "<w:bottom " in box


def test_the_bibliography_goes_where_the_author_put_refs(tmp_path):
    root = copy_root("basic", tmp_path)
    chapter = root / "chapters" / "02-defence.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n## Sources\n\n::: {#refs}\n:::\n",
                       encoding="utf-8")
    built = build_root(root, formats=("docx",), git_stamp=False)
    texts = [text for _, text in paragraphs(built)]
    assert "Bibliography" not in styled(built, "Heading 1")
    sources = texts.index("2.2 Sources")
    assert [name for name, _ in paragraphs(built)][sources + 1:sources + 4] == \
        ["Bibliography"] * 3


def test_cyrillic_and_cjk_text_is_intact(tmp_path):
    built = build_root(copy_root("scripts", tmp_path), formats=("docx",), git_stamp=False)
    texts = [text for _, text in paragraphs(built)]
    assert "1 Латиница, кириллица, 中文" in texts
    assert "Chinese: 中俄在先进技术领域的合作。" in texts
    assert "1.1 Заголовок раздела" in texts


def test_no_local_path_is_stored_in_the_document(word):
    properties = part(word, "docProps/custom.xml")
    assert "subtitle" in properties
    for leak in ("bibliography", "csl", "link-citations", "/tmp", str(word.root)):
        assert leak not in properties


def test_same_inputs_give_the_same_bytes(word, tmp_path):
    again = build_root(word.root, out=tmp_path / "again", formats=("docx",), status="draft",
                       git_stamp=False)
    assert docx_path(again).read_bytes() == docx_path(word).read_bytes()


def test_cli_writes_the_docx_beside_pdf_and_html(tmp_path):
    root = copy_root("basic", tmp_path)
    done = run_cli(root, "--format", "docx,html", "-q")
    assert done.returncode == 0, done.stderr
    assert (root / "out" / "fixture.docx").is_file() and (root / "out" / "fixture.html").is_file()


def test_libreoffice_opens_it_without_repair(word, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    profile = (tmp_path / "profile").as_uri()
    done = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path(word))],
                          capture_output=True, text=True, timeout=180, check=False)
    converted = tmp_path / "fixture.pdf"
    assert done.returncode == 0 and converted.is_file(), done.stderr
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(converted).pages)
    text = " ".join(text.split())
    assert "Cooperation under constraint" in text
    assert "1.1 Scope" in text and "Section 2.1 looks at defence" in text
    assert "Lee, China-Russia Cooperation in Advanced Technologies, 4." in text
