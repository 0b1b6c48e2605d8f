"""Crashes the fuzzing harness (tests/test_fuzz.py) found, each kept as a case.

Build-side cases live in the bad-input corpus (tests/bad/csl-not-well-formed,
tests/bad/config-not-utf8); the reviewed files of ``reportc comments`` are here: each
was a Python traceback, and is now one line naming the file, exit 1 -- or, for a remark
with a damaged field, the other remarks listed, exit 0.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import TESTS
from fuzzcheck import comments_in_process, violations
from fuzzreview import seed_docx, seed_pdf


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("regressions") / "report"
    shutil.copytree(TESTS / "bad" / "_base", target)
    return target


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {part: archive.read(part) for part in archive.namelist()}
    parts[name] = content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part, value in parts.items():
            archive.writestr(part, value)
    return buffer.getvalue()


def _part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def _run(root: Path, tmp_path: Path, name: str, data: bytes) -> tuple[int | None, str, str]:
    path = tmp_path / name
    path.write_bytes(data)
    outcome = comments_in_process(path, root)
    assert violations(outcome) == [], outcome.crash
    return outcome.code, outcome.output, "\n".join(outcome.errors)


@pytest.mark.parametrize(("part", "problem"), [
    ("word/document.xml", "Specification mandates value for attribute xmlns, line 2, "
                          "column 1086"),
    ("docProps/core.xml", "StartTag: invalid element name, line 2, column 321"),
    ("word/comments.xml", "attributes construct error, line 2, column 578"),
])
def test_a_docx_with_a_part_cut_in_half(root, tmp_path, part, problem):
    """seed 20261207 reviews 3, 5, 22: lxml's XMLSyntaxError escaped read_docx."""
    data = seed_docx()
    whole = _part(data, part)
    code, _, errors = _run(root, tmp_path, "reviewed.docx",
                           _with_part(data, part, whole[:len(whole) // 2]))
    assert code == 1
    assert errors == f"reviewed.docx: not a readable Word document ({part}: {problem})"


def test_a_truncated_pdf_pikepdf_repairs_but_pdfium_refuses(root, tmp_path):
    """seed 20261207 review 1: PDFium's PdfiumError escaped read_pdf."""
    data = seed_pdf()
    code, _, errors = _run(root, tmp_path, "reviewed.pdf", data[:int(len(data) * 0.9)])
    assert code == 1
    assert errors == ("reviewed.pdf: not a readable PDF file (Failed to load document "
                      "(PDFium: Data format error).)")


def _damaged_pdf(edit) -> bytes:
    with pikepdf.open(io.BytesIO(seed_pdf())) as pdf:
        edit(pdf, pdf.pages[0].obj.Annots)
        buffer = io.BytesIO()
        pdf.save(buffer)
    return buffer.getvalue()


def test_annotations_with_fields_of_the_wrong_type_do_not_stop_the_others(root, tmp_path):
    """seed 20261207 reviews 14, 20, 38: a /QuadPoints of names, a /Rect dictionary and a
    null in /Annots raised ValueError and AttributeError."""
    def edit(pdf: pikepdf.Pdf, annots: pikepdf.Array) -> None:
        annots[0].QuadPoints = pikepdf.Array([pikepdf.Name("/Contents")] * 8)
        annots[4].Rect = pikepdf.Dictionary(Contents=pikepdf.String("x"))
        annots.append(None)
    code, output, _ = _run(root, tmp_path, "reviewed.pdf", _damaged_pdf(edit))
    assert code == 0, output


def test_a_docx_whose_compressed_part_is_damaged(root, tmp_path):
    """seed 20261207 review 1162 (make fuzz): zlib.error escaped read_docx."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seed_docx())) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for at in range(start + 20, start + 60):  # inside the deflated stream
        data[at] ^= 0xFF
    code, _, errors = _run(root, tmp_path, "reviewed.docx", bytes(data))
    assert code == 1
    assert errors == ("reviewed.docx: not a readable DOCX file (Error -3 while decompressing "
                      "data: invalid code -- missing end-of-block)")


def test_an_xml_error_quoting_a_line_break_is_one_line(root, tmp_path):
    """seed 20261207 reviews 1306, 1990 (make fuzz): lxml's message held a line break (after
    a NUL character, or quoting a carriage return), so the one-line error became two."""
    data = seed_docx()
    document = _part(data, "word/document.xml").replace(b"Introduction", b"Intro\x00duction")
    code, _, errors = _run(root, tmp_path, "reviewed.docx",
                           _with_part(data, "word/document.xml", document))
    assert code == 1
    assert errors == ("reviewed.docx: not a readable Word document (word/document.xml: "
                      "Invalid character: Char 0x0 out of allowed range, line 2, column 1254)")


def test_a_page_pdfium_cannot_load(root, tmp_path):
    """seed 20261208 review 967 (make fuzz): PDFium opened the file but not its page."""
    def edit(pdf: pikepdf.Pdf, annots: pikepdf.Array) -> None:
        pdf.pages[0].obj.Type = pikepdf.Name("/Nope")
    code, _, errors = _run(root, tmp_path, "reviewed.pdf", _damaged_pdf(edit))
    assert (code, errors) == (0, "")  # its remarks are listed with their page, unplaced

