"""Reviewed files for the fuzzing harness: a DOCX with comments and tracked changes and a
PDF with one annotation of every kind a reader makes, then mutated as a reviewer's tools,
a truncated download or a broken disk would: parts cut, replaced or removed, annotation
fields given values of the wrong type, bytes flipped or lost.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pikepdf
from docx.oxml.ns import qn
from fuzzkit import TOKENS, Mutator
from lxml import etree

TITLE = "Bad-input corpus base"  # tests/bad/_base's title: the files are of that report
SENTENCE = "The corpus starts from this small, valid report"
XML_TOKENS = ["<", "</", ">", "&", "&amp;", "<w:ins w:id=\"1\" w:author=\"X\">", "</w:ins>",
              "<w:del w:id=\"2\">", "</w:del>", "<w:commentRangeStart w:id=\"0\"/>",
              "<w:commentRangeEnd w:id=\"0\"/>", "<w:commentRangeEnd w:id=\"77\"/>",
              "<w:footnoteReference w:id=\"9\"/>", "<w:t>", "</w:t>", "<w:delText>x</w:delText>",
              "<w:p>", "</w:p>", "<w:r>", "</w:r>", " w:id=\"x\"",
              "<!DOCTYPE d [<!ENTITY e \"e\">]>", "&e;", "\"", "=", "<root/>"]
TOKENS["xml"] = XML_TOKENS
ANNOTATIONS = ["/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Text", "/FreeText",
               "/Caret", "/Square", "/Circle", "/Ink", "/Stamp", "/Polygon", "/Link"]


@dataclass
class Reviewed:
    """One reviewed file to run ``reportc comments`` on."""

    name: str
    data: bytes | None  # None: make a directory of that name
    about: str


def seed_docx() -> bytes:
    """A Word file of the base report: a commented phrase, a deletion, an insertion."""
    document = docx.Document()
    document.core_properties.title = TITLE
    document.add_heading("Introduction", level=1)
    paragraph = document.add_paragraph(SENTENCE + " ")
    paragraph.add_run("(Lee 2022).")
    document.add_comment(paragraph.runs[0], text="Which corpus?", author="Jane Reviewer")
    stamp = {qn("w:id"): "900", qn("w:author"): "Jane Reviewer"}
    deleted = etree.SubElement(paragraph._p, qn("w:del"), stamp)
    run = etree.SubElement(deleted, qn("w:r"))
    etree.SubElement(run, qn("w:delText")).text = " small"
    inserted = etree.SubElement(paragraph._p, qn("w:ins"), {**stamp, qn("w:id"): "901"})
    etree.SubElement(etree.SubElement(inserted, qn("w:r")), qn("w:t")).text = " tiny"
    document.add_comment(document.add_paragraph("A dot.").runs[0], text="Bigger?",
                         author="Jane Reviewer")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def seed_pdf() -> bytes:
    """A page of the base report's text with one annotation of each kind on the phrase."""
    pdf = pikepdf.new()
    pdf.docinfo["/Title"] = TITLE
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    content = f"BT /F1 11 Tf 72 720 Td ({SENTENCE} [1].) Tj ET".encode()
    page = pdf.add_blank_page(page_size=(595, 842))
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(content)
    quads = [72, 732, 300, 732, 72, 716, 300, 716]
    annots = []
    for n, subtype in enumerate(ANNOTATIONS):
        annot = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name(subtype),
                                   Rect=[72, 716, 300, 732], QuadPoints=quads,
                                   Contents=pikepdf.String(f"remark {n}"),
                                   T=pikepdf.String("Jane Reviewer"))
        annots.append(pdf.make_indirect(annot))
    reply = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text,
                               Rect=[72, 716, 90, 732], IRT=annots[4],
                               Contents=pikepdf.String("agreed"))
    annots.append(pdf.make_indirect(reply))
    page.Annots = pdf.make_indirect(pikepdf.Array(annots))
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def make_reviewed(seed: int, index: int, docx_seeds: list[bytes],
                  pdf_seeds: list[bytes]) -> Reviewed:
    """The ``index``-th reviewed file of ``seed``, made from one of the seed files."""
    rng = random.Random(f"review/{seed}/{index}")
    roll = rng.random()
    if roll < 0.05:
        return rng.choice([Reviewed("x.pdf", None, "a directory named x.pdf"),
                           Reviewed("x.docx", None, "a directory named x.docx"),
                           Reviewed("empty.pdf", b"", "an empty file"),
                           Reviewed("empty.docx", b"", "an empty file")])
    mutator = Mutator(rng, "chapter")
    if roll < 0.5:
        data, about = _mutate_docx(rng, mutator, rng.choice(docx_seeds))
        return Reviewed("reviewed.docx", data, about)
    data, about = _mutate_pdf(rng, mutator, rng.choice(pdf_seeds))
    return Reviewed("reviewed.pdf", data, about)


def _mutate_docx(rng: random.Random, mutator: Mutator, data: bytes) -> tuple[bytes, str]:
    if rng.random() < 0.2:
        return mutator.bytes(data, rng.randint(1, 3)), "bytes of the .docx"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    name = rng.choice(["word/document.xml", "word/comments.xml", "docProps/core.xml",
                       "word/document.xml", "[Content_Types].xml"])
    how = rng.choice(["text", "text", "half", "root", "remove"])
    if how == "remove":
        parts.pop(name, None)
    elif how == "root":
        parts[name] = b"<root/>"
    elif how == "half":
        parts[name] = parts.get(name, b"")[:len(parts.get(name, b"")) // 2]
    else:
        mutator.kind = "xml"
        text = parts.get(name, b"").decode("utf-8", "replace")
        parts[name] = mutator.text(text, rng.randint(1, 4)).encode("utf-8", "replace")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    return buffer.getvalue(), f"{how} of {name}"


def _mutate_pdf(rng: random.Random, mutator: Mutator, data: bytes) -> tuple[bytes, str]:
    if rng.random() < 0.25:
        return mutator.bytes(data, rng.randint(1, 3)), "bytes of the .pdf"
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = next(p for p in pdf.pages if "/Annots" in p.obj)
        annots = page.obj.Annots
        changes = []
        for _ in range(rng.randint(1, 4)):
            annot = annots[rng.randrange(len(annots))]
            key = rng.choice(["/QuadPoints", "/Rect", "/Contents", "/T", "/Subtype", "/IRT",
                              "/Popup", "/CreationDate", "/RC", "/Subj"])
            value = _odd_value(rng, pdf)
            if value is None:
                if key in annot:
                    del annot[key]
            else:
                annot[key] = value
            changes.append(f"{key}={value!r}"[:60])
        if rng.random() < 0.1:
            page.obj.Annots = _odd_value(rng, pdf) or pikepdf.Array()
            changes.append("/Annots")
        buffer = io.BytesIO()
        pdf.save(buffer)
    return buffer.getvalue(), "; ".join(changes)


def _odd_value(rng: random.Random, pdf: pikepdf.Pdf) -> object:
    """A value of a type an annotation field may not expect (None: remove the field)."""
    return rng.choice([
        None, pikepdf.String(""), pikepdf.String("\u00e9\u202e"), 0, -1, 10 ** 12, 1.5,
        pikepdf.Name("/Nope"), pikepdf.Name("/Highlight"), pikepdf.Array(),
        pikepdf.Array([1, 2, 3]), pikepdf.Array([pikepdf.String("x")] * 8),
        pikepdf.Array([float("1e30")] * 8), pikepdf.Dictionary(),
        pikepdf.Dictionary(Contents=pikepdf.String("x")), True,
        pdf.make_indirect(pikepdf.Dictionary(Subtype=pikepdf.Name.Text)),
    ])


def write_reviewed(reviewed: Reviewed, folder: Path) -> Path:
    path = folder / reviewed.name
    if reviewed.data is None:
        path.mkdir(parents=True, exist_ok=True)
    else:
        path.write_bytes(reviewed.data)
    return path
