"""Annotate the fixture report's PDF with PyMuPDF, as a reviewer's PDF reader would, and
save it the four ways readers and tools save a PDF.

Usage (PyMuPDF is a tool for this script only, not a dependency of reportc or its
tests: ``pip install pymupdf``; qpdf and Ghostscript from Debian)::

    python tests/review_clients/make_pdf.py out/clients.pdf tests/review_clients

The input is the PDF edition of tests/roots/review-clients. The outputs, committed so the
tests need none of these tools: ``clients-incremental.pdf`` (the annotations appended to
the original file, as Acrobat and Okular save), ``clients-garbage.pdf`` (rewritten with
garbage collection and compression), ``clients-linearized.pdf`` (that file after
``qpdf --linearize``) and ``clients-gs.pdf`` (after Ghostscript's pdfwrite, which rewrites
fonts and content streams). ``MARKS`` below is the truth the tests compare with
(tests/test_comments_clients.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pymupdf  # type: ignore[import-not-found]

AUTHOR = "Rita Reviewer"

# (kind, phrase, note). The phrase is found as hit() says; "a[b]c" marks b inside a
# longer phrase. Kinds: PyMuPDF's annotation types; "reply" answers the
# previous annotation; "blank-square" is a rectangle over no text at all.
MARKS: list[tuple[str, str, str]] = [
    ("highlight", "Remarks from real clients", "Title is provisional."),
    ("highlight", "Energy trade binds the two economies", "Which other fields?"),
    ("highlight", "KEY POINTS", "Box title."),
    ("underline", "Joint gas projects grew steadily", "By how much?"),
    ("strikeout", "closes the [list]", ""),
    ("caret", "closes the list[]", "series"),
    ("highlight", "Trade in numbers", "Chapter title."),
    ("squiggly", "row for year 2031", "Check this row."),
    ("text", "row for year 2044", "Sticky on a row."),
    ("highlight", "Trade by year, in billions", "Which currency?"),
    ("text", "Prices for natural gas", "Source?"),
    ("reply", "", "The customs tables."),
    ("highlight", "^Annual Report on Eastern Supplies", "Which edition?"),
    ("highlight", "^estimate from the customs tables", "Show the method."),
    ("caret", "^Our own[] estimate", "rough"),
    ("highlight", "^Gas Contracts Without Prices", "Title case?"),
    ("freetext", "Later contracts were", "Hardly clearer."),
    ("highlight", "Pipelines and power", "Chapter title too."),
    ("highlight", "argues in his history", "Paraphrase."),
    ("highlight", "^Pipelines and Power in Eurasia", "Page numbers?"),
    ("square", "Its route crosses the Amur river", "Rectangle: check the route."),
    ("circle", "Blagoveshchensk", "Circle: spelling."),
    ("ink", "station built", "Ink: which station?"),
    ("polygon", "The route of the pipeline across the border.", "Polygon: caption."),
    ("stamp", "most demanding part", "Stamp: approved."),
    ("line", "Engineers on both sides", "Line: who are they?"),
    ("blank-square", "most demanding part", "Square in the margin: see the figure."),
]


def hit(document: pymupdf.Document, phrase: str) -> tuple[pymupdf.Page, pymupdf.Rect]:
    """The page and box of the bracketed part of ``phrase`` (or all of it), in its hit in
    the largest type anywhere (a chapter title: the heading, not the contents or the
    running head), or with "^phrase" the smallest (a note, not the bibliography)."""
    pick = min if phrase.startswith("^") else max  # "^": in a note, the smallest type
    phrase = phrase.removeprefix("^")
    plain = phrase.replace("[", "").replace("]", "")
    hits = [(page, box) for page in document for box in page.search_for(plain)]
    if not hits:
        raise SystemExit(f"not in the PDF: {phrase!r}")
    page, whole = pick(hits, key=lambda pair: pair[1].height)
    if "[" not in phrase:
        return page, whole
    head, part = phrase.split("[")[0], phrase.split("[")[1].split("]")[0]
    if not part:  # a point after head
        before = [box for box in page.search_for(head.strip()) if box.intersects(whole)]
        return page, pymupdf.Rect(before[0].x1, whole.y0, before[0].x1, whole.y1)
    inside = [box for box in page.search_for(part) if box.intersects(whole)
              and box.x0 >= whole.x0 + len(head) * 2]
    return page, inside[0]


def grow(box: pymupdf.Rect, dx: float, dy: float) -> pymupdf.Rect:
    return pymupdf.Rect(box.x0 - dx, box.y0 - dy, box.x1 + dx, box.y1 + dy)


def mark(page: pymupdf.Page, kind: str, box: pymupdf.Rect, note: str) -> pymupdf.Annot:
    """One annotation of ``kind`` over or at ``box``."""
    middle = pymupdf.Point((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
    grown = grow(box, 4, 4)
    makers = {
        "highlight": lambda: page.add_highlight_annot(box),
        "underline": lambda: page.add_underline_annot(box),
        "strikeout": lambda: page.add_strikeout_annot(box),
        "squiggly": lambda: page.add_squiggly_annot(box),
        # PyMuPDF draws the caret 20 wide from the point: its tip at the point + 10
        "caret": lambda: page.add_caret_annot(pymupdf.Point(box.x1 - 10,
                                                            box.y0 + box.height / 2)),
        "text": lambda: page.add_text_annot(pymupdf.Point(box.x0 + 2, box.y0 + 2), note),
        "freetext": lambda: page.add_freetext_annot(
            pymupdf.Rect(box.x0 + 1, box.y0 + 3, box.x0 + 121, box.y0 + 18), note),
        "square": lambda: page.add_rect_annot(grow(box, 3, 3)),
        "circle": lambda: page.add_circle_annot(grow(box, 6, 4)),
        "ink": lambda: page.add_ink_annot([[(box.x0, middle.y), (middle.x, box.y0),
                                             (box.x1, middle.y)]]),
        "polygon": lambda: page.add_polygon_annot(
            [grown.tl, grown.tr, grown.br, grown.bl]),
        "stamp": lambda: page.add_stamp_annot(grow(box, 0, 2), stamp=0),
        "line": lambda: page.add_line_annot(pymupdf.Point(box.x0, box.y1 + 2),
                                            pymupdf.Point(box.x1, box.y1 + 2)),
        "blank-square": lambda: page.add_rect_annot(pymupdf.Rect(20, page.rect.y1 - 40,
                                                                 60, page.rect.y1 - 20)),
    }
    annot = makers[kind]()
    annot.set_info(content=note, title=AUTHOR)
    annot.update()
    return annot


def annotate(document: pymupdf.Document) -> None:
    last: pymupdf.Annot | None = None
    for kind, phrase, note in MARKS:
        if kind == "reply":
            assert last is not None
            page = last.parent
            reply = page.add_text_annot(last.rect.tl, note)  # where the note it answers is
            reply.set_info(content=note, title="Ada Author")
            reply.set_irt_xref(last.xref)
            reply.update()
            continue
        page, box = hit(document, phrase)
        last = mark(page, kind, box, note)


def main(source: Path, folder: Path) -> None:
    incremental = folder / "clients-incremental.pdf"
    shutil.copyfile(source, incremental)
    document = pymupdf.open(incremental)
    annotate(document)
    document.saveIncr()
    document.close()
    document = pymupdf.open(source)
    annotate(document)
    garbage = folder / "clients-garbage.pdf"
    document.save(garbage, garbage=4, deflate=True)
    document.close()
    subprocess.run(["qpdf", "--linearize", str(garbage), str(folder / "clients-linearized.pdf")],
                   check=True)
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite",
                    f"-sOutputFile={folder / 'clients-gs.pdf'}", str(garbage)], check=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
