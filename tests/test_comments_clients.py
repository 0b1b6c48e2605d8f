"""`reportc comments` on files reviewed with real clients (#24), and on broken ones.

The reviewed files in tests/review_clients/ were made from tests/roots/review-clients by
the clients themselves: LibreOffice wrote comments and tracked changes through its UNO API
into the Word edition and saved it as .docx (make_docx.py); PyMuPDF annotated the PDF
edition (highlight, underline, squiggly, strike-out, caret, sticky note with a reply, free
text, rectangle, circle, ink, polygon, stamp, line) and saved it incrementally, with
garbage collection, then through ``qpdf --linearize`` and Ghostscript's pdfwrite
(make_pdf.py). The scripts' REMARKS and MARKS are what the reviewers did; the lines below
are where each remark belongs, found in the sources by the test's own text search.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import copy_root, run_cli, run_command

CLIENTS = Path(__file__).parent / "review_clients"
SUMMARY = "chapters/00-summary.md"
TRADE = "chapters/01-trade.md"
PIPES = "chapters/02-pipelines.md"
R = "Rita Reviewer: "

# (file, a text only its line holds, what is printed after "file:line: ")
WORD = [
    ("report.yaml", 'title: "Remarks', R + 'Title is provisional. (on "Remarks from real '
                                          'clients")'),
    (SUMMARY, "Energy trade binds", R + 'Which other fields? (on "Energy trade binds")'),
    (SUMMARY, 'title="Key points"', R + 'Box title. (on "Key points")'),
    (SUMMARY, "- Joint gas", R + 'By how much? (on "Joint gas projects grew")'),
    (SUMMARY, "closes the list", R + 'suggests deleting "list"'),
    # the inserted half of the replacement stays in the box, before its ::: fence
    (SUMMARY, "closes the list", R + 'suggests inserting "series"'),
    # inserted at the start of the paragraph after the box: that paragraph's
    (SUMMARY, "The rest of this", R + 'suggests inserting "In short,"'),
    (SUMMARY, "The rest of this", R + "End of the summary."),
    (TRADE, "# Trade in numbers", R + 'Chapter title. (on "Trade in numbers")'),
    (TRADE, "| 2031 |", R + 'Check this row. (on "row for year 2031")'),
    (TRADE, "| 2044 |", R + "Row end."),  # a point: the digits around it decide
    (TRADE, "| 2047 |", R + 'Year cell. (on "2047")'),
    # a comment at a point in the caption: its text runs into the paragraph before the
    # table in the .docx (the caption is printed first) and the table after it
    (TRADE, ": Trade by year", R + "Which currency?"),
    (TRADE, "Prices for natural gas", R + 'Source? (on "Prices for natural gas were never '
                                           'published")'),
    (TRADE, "[@gazprom2019]", R + 'suggests inserting "2019"'),  # in the citation note
    (TRADE, "[@gazprom2019]", R + 'suggests inserting "rough"'),  # in the author's note
    (TRADE, "Later contracts", R + 'suggests inserting "hardly"'),
    (TRADE, "Later contracts", R + 'suggests deleting "no clearer"'),
    # a point at the end of the chapter: after it comes the next chapter's title
    (TRADE, "outlook for the trade", R + "Finish the sentence."),
    (PIPES, "# Pipelines and power", R + 'Chapter title too. (on "Pipelines and power")'),
    (PIPES, "# Pipelines and power", R + "Plural?"),
    # in the note of "as Jörg Müller¹ argues": citeproc's words before the call
    (PIPES, "@mueller2020", R + 'suggests deleting "Eurasia"'),
    (PIPES, "@mueller2020", R + 'Paraphrase. (on "argues in his history")'),
    (PIPES, "twenty years", R + 'suggests formatting "twenty years"'),  # bold, tracked
    (PIPES, "Blagoveshchensk", R + "New paragraph?"),
    (PIPES, "Blagoveshchensk", R + 'Spelling. (on "Blagoveshchensk")'),
    (PIPES, "metering station", R + 'suggests inserting "(Kani-Kurgan)"'),
    (PIPES, "![The route", R + 'Caption. (on "route of the pipeline across the border")'),
    (PIPES, "![The route", R + "Shorter caption."),
    (PIPES, "Engineers on both", R + 'Says who? (on "most demanding part")'),
    ("references.bib", "Pipelines and Power", R + 'Page numbers? (on "Pipelines and Power '
                                                  'in Eurasia")'),
    ("references.bib", "Annual Report", R + 'Which edition? (on "Annual Report on Eastern '
                                            'Supplies")'),
]

PDF = [
    ("report.yaml", 'title: "Remarks', R + 'Title is provisional. (on "Remarks from real '
                                          'clients")'),
    (SUMMARY, "Energy trade binds", R + 'Which other fields? (on "Energy trade binds the two '
                                         'economies")'),
    (SUMMARY, 'title="Key points"', R + 'Box title. (on "KEY POINTS")'),
    (SUMMARY, "- Joint gas", R + 'By how much? (on "Joint gas projects grew steadily")'),
    (SUMMARY, "closes the list", R + 'suggests deleting "list"'),
    (SUMMARY, "closes the list", R + 'suggests inserting "series"'),  # caret; gs drops it
    (TRADE, "# Trade in numbers", R + 'Chapter title. (on "Trade in numbers")'),
    (TRADE, "| 2031 |", R + 'Check this row. (on "row for year 2031")'),
    (TRADE, "| 2044 |", R + 'Sticky on a row. (on "row")'),
    (TRADE, ": Trade by year", R + 'Which currency? (on "Trade by year, in billions")'),
    (TRADE, "Prices for natural gas", R + 'Source? (on "Prices")'),
    (TRADE, "Prices for natural gas", 'Ada Author: The customs tables. (on "Prices")'),
    # note 1 of "own.¹²": its call stands beside the call of note 2
    (TRADE, "[@gazprom2019]", R + 'Which edition? (on "Annual Report on Eastern Supplies")'),
    (TRADE, "[@gazprom2019]", R + 'Show the method. (on "estimate from the customs tables")'),
    (TRADE, "[@gazprom2019]", R + 'suggests inserting "rough"'),  # a caret in that note
    (TRADE, "Later contracts", R + 'Hardly clearer. (on "Later")'),
    (TRADE, "Later contracts", R + 'Title case? (on "Gas Contracts Without Prices")'),
    (PIPES, "# Pipelines and power", R + 'Chapter title too. (on "Pipelines and power")'),
    (PIPES, "@mueller2020", R + 'Page numbers? (on "Pipelines and Power in Eurasia")'),
    (PIPES, "@mueller2020", R + 'Paraphrase. (on "argues in his history")'),
    (PIPES, "Blagoveshchensk", R + 'Rectangle: check the route. (on "Its route crosses the '
                                   'Amur river")'),
    (PIPES, "Blagoveshchensk", R + 'Circle: spelling. (on "Blagoveshchensk,")'),
    (PIPES, "metering station", R + 'Ink: which station? (on "station built")'),
    (PIPES, "![The route", R + 'Polygon: caption. (on "The route of the pipeline across the '
                               'border.")'),  # gs drops polygons
    (PIPES, "Engineers on both", R + 'Line: who are they? (on "Engineers on both sides")'),
    (PIPES, "Engineers on both", R + 'Stamp: approved. (on "demanding")'),
]
GS_DROPS = ("/Caret", "/Polygon")  # what Ghostscript's pdfwrite leaves out of its file


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_root("review-clients", tmp_path_factory.mktemp("clients"))


def line_of(root: Path, rel: str, text: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, start=1) if text in line]
    assert len(found) == 1, (rel, text, found)
    return found[0]


def expected(root: Path, rows: list[tuple[str, str, str]]) -> list[str]:
    return [f"{rel}:{line_of(root, rel, where)}: {said}" for rel, where, said in rows]


def test_libreoffice_comments_and_tracked_changes_land_on_their_lines(root):
    done = run_cli("comments", CLIENTS / "clients-reviewed.docx", root)  # as a user runs it
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == expected(root, WORD)


def remarks_in(pdf_path: Path) -> list[str]:
    """The subtypes of the file's annotations that are remarks (not links or pop-ups)."""
    with pikepdf.open(pdf_path) as pdf:
        return [str(annot.Subtype) for page in pdf.pages for annot in page.obj.get("/Annots", [])
                if str(annot.Subtype) not in ("/Link", "/Popup")]


@pytest.mark.parametrize("saved", ["incremental", "garbage", "linearized", "gs"])
def test_pymupdf_annotations_land_on_their_lines_however_saved(root, saved):
    reviewed = CLIENTS / f"clients-{saved}.pdf"
    done = run_command("comments", reviewed, root)
    assert done.returncode == 0, done.stderr
    rows = PDF
    if saved == "gs":
        assert not set(GS_DROPS) & set(remarks_in(reviewed))
        rows = [row for row in PDF if "inserting" not in row[2] and "Polygon" not in row[2]]
    # the rectangle drawn in an empty margin covers no text: listed with page and note
    assert done.stdout.splitlines() == [
        *expected(root, rows), "-- 1 remark(s) not found in the sources:",
        f"clients-{saved}.pdf, page 11: {R}Square in the margin: see the figure."]
    assert len(remarks_in(reviewed)) == len(rows) + 1  # every remark in the file is listed


def test_an_annotation_type_reportc_does_not_know_is_listed(root, tmp_path):
    """A /Sound (or any future type) with a note: placed by the text under its box."""
    reviewed = tmp_path / "clients-sound.pdf"
    with pikepdf.open(CLIENTS / "clients-garbage.pdf") as pdf:
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") == "/Circle":
                    annot.Subtype = pikepdf.Name("/Sound")
                if annot.get("/Subtype") == "/Square" and "margin" in str(annot.Contents):
                    annot.Contents = pikepdf.String("")
        pdf.save(reviewed)
    done = run_command("comments", reviewed, root)
    assert done.returncode == 0, done.stderr
    line = line_of(root, PIPES, "Blagoveshchensk")
    assert f'{PIPES}:{line}: {R}Circle: spelling. (on "Blagoveshchensk,")' in done.stdout
    assert done.stdout.splitlines()[-1] == f"clients-sound.pdf, page 11: {R}(rectangle)"


def test_a_comment_whose_range_a_tool_dropped_is_listed(root, tmp_path):
    """A comment in comments.xml anchored nowhere in the text is listed, not lost."""
    reviewed = tmp_path / "clients-unanchored.docx"
    with zipfile.ZipFile(CLIENTS / "clients-reviewed.docx") as source, \
            zipfile.ZipFile(reviewed, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                ident = re.search(rb'<w:commentRangeStart w:id="(\d+)"', data).group(1)
                data = re.sub(rb'<w:commentRange(?:Start|End) w:id="%s"/>' % ident, b"", data)
                data = re.sub(rb'<w:commentReference w:id="%s"/>' % ident, b"", data)
            target.writestr(name, data)
    done = run_command("comments", reviewed, root)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-2:] == ["-- 1 remark(s) not found in the sources:",
                          f"clients-unanchored.docx: {R}Title is provisional."]
    assert len(lines) == len(WORD) + 1


def test_word_moves_are_listed_where_they_leave_and_arrive(root, tmp_path):
    """Word tracks a moved paragraph as w:moveFrom and w:moveTo (LibreOffice does not)."""
    moved = "Engineers on both sides describe the station as the "
    stamp = b'w:author="Word User" w:date="2026-05-06T10:00:00Z"'

    def run_of(data: bytes, words: str) -> re.Match[bytes]:
        found = re.search(rb"<w:r>(?:<w:rPr>(?:(?!</w:r>).)*?</w:rPr>)?<w:t[^>]*>"
                          + re.escape(words.encode()), data)
        assert found is not None, words
        return found

    def move(data: bytes) -> bytes:
        start = run_of(data, moved).start()
        end = data.index(b"</w:r>", start) + len(b"</w:r>")
        run = data[start:end]
        data = data[:start] + b'<w:moveFrom w:id="901" %s>%s</w:moveFrom>' % (stamp, run) \
            + data[end:]
        first = run_of(data, "Its route").start()
        return data[:first] + b'<w:moveTo w:id="902" %s>%s</w:moveTo>' % (stamp, run) \
            + data[first:]

    done = run_command("comments", rezip(tmp_path / "moved.docx", "word/document.xml", move),
                       root)
    assert done.returncode == 0, done.stderr
    quoted = f'"{moved.strip()}"'
    assert f"{PIPES}:{line_of(root, PIPES, 'Its route')}: Word User: suggests moving " \
           f"{quoted} here" in done.stdout.splitlines()
    assert f"{PIPES}:{line_of(root, PIPES, 'Engineers on both')}: Word User: suggests " \
           f"moving {quoted} from here" in done.stdout.splitlines()


def test_an_entity_naming_a_local_file_is_not_read(root, tmp_path):
    """A comment's text written as an external entity stays unread (the sandbox: no file
    outside the report reaches the output)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7731", encoding="utf-8")

    def entity(data: bytes) -> bytes:
        declared = b'<!DOCTYPE w:comments [<!ENTITY s SYSTEM "%s">]>' % secret.as_uri().encode()
        data = data.replace(b"?>", b"?>" + declared, 1)
        return data.replace(b"Title is provisional.", b"&s;", 1)

    reviewed = rezip(tmp_path / "entity.docx", "word/comments.xml", entity)
    done = run_command("comments", reviewed, root)
    assert done.returncode == 0, done.stderr
    assert "TOP-SECRET" not in done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == ('report.yaml:1: Rita Reviewer: (comment) (on '
                                           '"Remarks from real clients")')


# --- broken files: one line, exit 1 ---------------------------------------------------------

def rezip(target: Path, part: str, change) -> Path:
    with zipfile.ZipFile(CLIENTS / "clients-reviewed.docx") as source, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as made:
        for name in source.namelist():
            data = source.read(name)
            made.writestr(name, change(data) if name == part else data)
    return target


def one_line_error(reviewed: Path, root: Path) -> str:
    done = run_command("comments", reviewed, root)
    assert done.returncode == 1, done.stdout
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_docx_cut_in_half_is_one_line(root, tmp_path):
    cut = rezip(tmp_path / "cut.docx", "word/document.xml", lambda data: data[:len(data) // 2])
    assert one_line_error(cut, root).startswith("cut.docx: not a readable Word document "
                                                "(word/document.xml: ")
    comments = rezip(tmp_path / "notes-cut.docx", "word/comments.xml",
                     lambda data: data[:len(data) // 2])
    assert one_line_error(comments, root).startswith("notes-cut.docx: not a readable Word "
                                                     "document (word/comments.xml: ")


def test_a_zip_without_a_word_document_says_so(root, tmp_path):
    bare = rezip(tmp_path / "bare.docx", "word/document.xml", lambda _: b"<root/>")
    assert one_line_error(bare, root) == ("bare.docx: not a Word document (its "
                                          "word/document.xml holds no Word document)")


def test_a_truncated_pdf_pdfium_refuses_is_one_line(root, tmp_path):
    data = (CLIENTS / "clients-garbage.pdf").read_bytes()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(data[:len(data) // 2])
    with pikepdf.open(truncated) as pdf:  # pikepdf repairs it and finds the annotations
        assert any(page.obj.get("/Annots") for page in pdf.pages)
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(str(truncated))
    assert one_line_error(truncated, root).startswith("truncated.pdf: not a readable PDF "
                                                      "file (")


def test_remarks_on_a_page_pdfium_cannot_load_are_listed(root, tmp_path):
    """Found by mutating the fixtures: a wrong /Count (pikepdf counts the pages itself,
    PDFium believes it): the remarks of the pages PDFium cannot load are listed."""
    data = (CLIENTS / "clients-gs.pdf").read_bytes()
    assert data.count(b"/Count 13") == 1
    wrong = tmp_path / "count.pdf"
    wrong.write_bytes(data.replace(b"/Count 13", b"/Count 10"))
    with pytest.raises((pdfium.PdfiumError, IndexError)):
        pdfium.PdfDocument(str(wrong))[10]
    done = run_command("comments", wrong, root)
    assert done.returncode == 0, done.stderr
    page_11 = ["Chapter title too.", "Paraphrase.", "Page numbers?",
               "Rectangle: check the route.", "Circle: spelling.", "Ink: which station?",
               "Stamp: approved.", "Line: who are they?",
               "Square in the margin: see the figure."]
    assert done.stdout.splitlines()[-10:] == [
        "-- 9 remark(s) not found in the sources:",
        *(f"count.pdf, page 11: {R}{said}" for said in page_11)]
    assert f"{TRADE}:{line_of(root, TRADE, '| 2031 |')}: {R}Check this row." \
           ' (on "row for year 2031")' in done.stdout


def test_a_directory_is_not_a_reviewed_file(root, tmp_path):
    folder = tmp_path / "x.pdf"
    folder.mkdir()
    assert one_line_error(folder, root) == (f"{folder}: is a directory, not a reviewed "
                                            ".docx or .pdf file")
