"""Stand-in page numbers replaced in laid-out pages give the pages a direct layout gives."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from conftest import REPO
from weasyprint.formatting_structure import boxes

from reportc.pdf import compat
from reportc.pdf.compat.restamp import restamp
from reportc.pdf.layout import draft_layout

THEME = REPO / "templates"
SHEETS = [THEME / "css/base.css", THEME / "css/print.css", THEME / "css/parts.css"]


@pytest.fixture(autouse=True)
def engaged():
    """Restamping needs the internals the PDF stage engages (nothing happens on import)."""
    assert compat.engage()


LONG_TITLE = "A chapter title long enough to need a second line in the contents " * 2


def _contents(numbers: list[int], titles: list[str]) -> str:
    entries = "".join(
        f'<li class="toc-entry toc-chapter"><a href="#t{i}" data-page="{number}">'
        f'<span class="toc-number">{i + 1}</span><span class="toc-text">{title}</span></a></li>'
        for i, (number, title) in enumerate(zip(numbers, titles, strict=True)))
    targets = "".join(f'<p id="t{i}">Target {i}.</p>' for i in range(len(numbers)))
    return (f'<html lang="en"><body><nav class="toc"><ol class="toc-list">{entries}</ol></nav>'
            f"<main>{targets}</main></body></html>")


def _layout(html: str, tmp_path):
    draft = draft_layout(html, tmp_path, SHEETS, [tmp_path, THEME])
    assert draft.document is not None and draft.messages == []
    return draft.document


def _lines(document) -> list[list[tuple[str, float]]]:
    """Each contents line as (text, x) of its text boxes: the leader's dots and the number."""
    lines = []
    for box in document.pages[0]._page_box.descendants():
        if isinstance(box, boxes.LineBox) and any(getattr(b, "is_leader", False)
                                                  for b in box.descendants()):
            lines.append([(b.text, round(b.position_x, 3)) for b in box.descendants()
                          if isinstance(b, boxes.TextBox)])
    return lines


def _text(document) -> str:
    reader = pypdf.PdfReader(io.BytesIO(document.write_pdf()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_contents_numbers_with_more_or_fewer_digits_end_their_line_after_a_leader(tmp_path):
    titles = ["Summary", "Introduction", "Defence", "A longer title for the fourth chapter"]
    real = {"t0": 10, "t1": 100, "t2": 5, "t3": 1234}
    laid = _layout(_contents([9, 99, 15, 12], titles), tmp_path)  # wrong number of digits
    assert restamp(laid.pages, 1, 1, real)
    direct = _layout(_contents(list(real.values()), titles), tmp_path)
    assert _lines(laid) == _lines(direct)
    assert _text(laid) == _text(direct)
    assert re.search(r"\.\s+100\n", _text(laid)) and re.search(r"\.\s+1234\n", _text(laid))


def test_a_number_in_an_entry_of_two_lines_may_not_change_width(tmp_path):
    """Its width could move where the title breaks: the part is laid out again instead."""
    laid = _layout(_contents([9], [LONG_TITLE]), tmp_path)
    entry_lines = [b for b in laid.pages[0]._page_box.descendants()
                   if isinstance(b, boxes.LineBox) and b.element_tag == "a"]
    assert len(entry_lines) == 2
    assert not restamp(laid.pages, 1, 1, {"t0": 10})
    same_width = _layout(_contents([9], [LONG_TITLE]), tmp_path)
    assert restamp(same_width.pages, 1, 1, {"t0": 8})
    assert re.search(r"\.\s+8\n", _text(same_width))


def _figures(numbers: list[int], titles: list[str]) -> str:
    """A list of figures as the PDF's lists page prints it: each page in a cell of its own."""
    entries = "".join(
        f'<li class="list-entry"><a href="#f{i}" data-page="{number}">'
        f'<span class="list-number">Figure {i + 1}</span><span class="list-text">{title}</span>'
        "</a></li>" for i, (number, title) in enumerate(zip(numbers, titles, strict=True)))
    targets = "".join(f'<p id="f{i}">Target {i}.</p>' for i in range(len(numbers)))
    return (f'<html lang="en"><body><nav class="lists"><section class="list list-figures">'
            f'<ol class="list-entries">{entries}</ol></section></nav>'
            f"<main>{targets}</main></body></html>")


def _pdf(document) -> bytes:
    return document.write_pdf(pdf_identifier=b"0" * 32)


def test_list_numbers_with_more_or_fewer_digits_keep_the_right_edge_of_their_cell(tmp_path):
    """The flagship's figure on page 9 estimated, 10 in fact: its list entry, one cell of a
    fixed width, was laid out again at the end of the build; now restamped, the same bytes."""
    titles = ["A timeline", LONG_TITLE, "Short"]
    real = {"f0": 10, "f1": 100, "f2": 7}
    laid = _layout(_figures([9, 99, 12], titles), tmp_path)
    assert restamp(laid.pages, 1, 1, real)
    direct = _layout(_figures(list(real.values()), titles), tmp_path)
    assert _pdf(laid) == _pdf(direct)
    assert re.search(r"\b10\n", _text(laid)) and re.search(r"\b100\n", _text(laid))


def test_a_list_number_wider_than_its_cell_is_laid_out_again(tmp_path):
    laid = _layout(_figures([9], ["A timeline"]), tmp_path)
    assert not restamp(laid.pages, 1, 1, {"f0": 123456})
