"""Reviewed files made from a real build (``make fuzz``): the Word file and the PDF
reportc writes of the base report, with a reviewer's comments and annotations added
where the words are, so the mutations start from what a reviewer really sends back."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import pikepdf
import pypdfium2 as pdfium
from conftest import TESTS

from reportc.build import BuildOptions, build

KINDS = ["/Highlight", "/StrikeOut", "/Underline", "/Squiggly", "/Caret", "/Text",
         "/FreeText", "/Square"]


def real_seeds(folder: Path) -> tuple[bytes, bytes]:
    """The base report built to DOCX and PDF, each with remarks on its first paragraphs."""
    root = folder / "report"
    if not root.is_dir():
        shutil.copytree(TESTS / "bad" / "_base", root)
        build(BuildOptions(root=root, formats=("docx", "pdf"), git_stamp=False, jobs=2))
    return _commented(root / "out/bad.docx"), _annotated(root / "out/bad.pdf")


def _commented(path: Path) -> bytes:
    document = docx.Document(str(path))
    for paragraph in [p for p in document.paragraphs if p.runs][:4]:
        document.add_comment(paragraph.runs[0], text="Check this.", author="Jane Reviewer")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _annotated(path: Path) -> bytes:
    """One annotation of each kind over the first words of every page with text."""
    boxes = []
    with pdfium.PdfDocument(str(path)) as document:
        for number in range(len(document)):
            text = document[number].get_textpage()
            count = min(text.count_chars(), 30)
            if count:
                found = [text.get_charbox(i) for i in range(count)]
                boxes.append((number, min(b[0] for b in found), min(b[1] for b in found),
                              max(b[2] for b in found), max(b[3] for b in found)))
    pdf = pikepdf.open(path)
    for n, (number, left, bottom, right, top) in enumerate(boxes):
        quads = [left, top, right, top, left, bottom, right, bottom]
        annot = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name(
            KINDS[n % len(KINDS)]), Rect=[left, bottom, right, top], QuadPoints=quads,
            Contents=pikepdf.String(f"remark {n}"), T=pikepdf.String("Jane Reviewer"))
        page = pdf.pages[number].obj
        page.Annots = pdf.make_indirect(pikepdf.Array([*page.get("/Annots", []),
                                                       pdf.make_indirect(annot)]))
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()
