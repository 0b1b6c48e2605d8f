"""PDF annotations, each with the text under it, read from the page's text layer.

pikepdf reads the annotations (highlights, underlines, squiggles and strike-outs with their
QuadPoints; carets for inserted text; sticky notes and free text at a point; shapes,
stamps and any other type by the text inside their box, or listed with their page when
they cover none); pypdfium2
reads each page's characters with their boxes and font sizes. The text under an
annotation is the page text from the first to the last character whose centre lies in
one of its quads, so a highlight across a line break (or a hyphenated word) reads as one.

A reader of the PDF meets the notes at the foot of the page: WeasyPrint writes each note
as "N." and an en space; its call in the body is the number N in a smaller font. An anchor
in a note therefore also carries the body text before that call, which places a citation
note (whose words are citeproc's, not the author's) at its citation.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from reportc.review.docx_reader import ReviewFileError
from reportc.review.locate import Remark

CONTEXT = 300
MARKED = {"/Highlight": "comment", "/Underline": "comment", "/Squiggly": "comment",
          "/StrikeOut": "delete"}
POINTS = {"/Text": "comment", "/FreeText": "comment", "/Caret": "insert"}
# drawn marks, read by the text under them; any other type is read the same way and
# named by its type, never dropped
SHAPES = {"/Square": "rectangle", "/Circle": "circle", "/Ink": "ink drawing",
          "/Polygon": "polygon", "/PolyLine": "polyline", "/Line": "line", "/Stamp": "stamp"}
# annotations that are the document's own (links, form fields, pop-up windows of notes)
NOT_REMARKS = {"/Link", "/Popup", "/Widget", "/PrinterMark", "/TrapNet", "/Watermark",
               "/Screen", "/Movie", "/RichMedia", "/3D", "/Projection"}
LINE_REACH = 12.0  # points above a /Line in which it marks text (an underline)
HUGE = 4.0  # a glyph this many times the page's usual size is a watermark's
NOTE_MARKER = re.compile(r"(?:^|(?<=\n))(\d+)\.\u2002")
# print-only words after a cross-reference: "Figure 1 on p. 7", "… on the next page"
PAGE_REFERENCE = re.compile(r"\s+on (?:p\.\s*\d+|the (?:next|previous) page)")


@dataclass
class PageText:
    """One page's characters: text (one letter per character index), boxes and sizes."""

    text: str
    boxes: list[tuple[float, float, float, float]]
    sizes: list[float]
    _usual: float | None = None

    def notes_start(self) -> int:
        """Where the notes at the foot of the page begin (the page's end if none)."""
        first = NOTE_MARKER.search(self.text)
        return first.start() if first else len(self.text)

    def note_at(self, index: int) -> tuple[int, int, int] | None:
        """(number, start, end) of the note holding character ``index``, if any."""
        markers = list(NOTE_MARKER.finditer(self.text))
        holding = None
        for n, marker in enumerate(markers):
            if marker.start() <= index:
                end = markers[n + 1].start() if n + 1 < len(markers) else len(self.text)
                holding = (int(marker.group(1)), marker.end(), end)
        return holding

    def call_of(self, number: int) -> int | None:
        """Where the body calls note ``number``: that number in a small font. Two calls
        side by side ("gas.²³") are one run of small digits: it is split into the
        consecutive numbers of notes on the page (2 and 3, not 23)."""
        body = self.notes_start()
        usual = statistics.median(self.sizes[:body] or [0.0])
        known = {int(m.group(1)) for m in NOTE_MARKER.finditer(self.text)}
        for match in re.finditer(r"\d+", self.text[:body]):
            small = all(self.sizes[i] < 0.8 * usual for i in range(match.start(), match.end()))
            if not small:
                continue
            for offset, value in _calls(match.group(), known):
                if value == number:
                    return match.start() + offset
        return None

    def ordinary(self, index: int) -> bool:
        """Whether character ``index`` is text, not a letter of a draft's watermark
        (whose huge boxes lie over the text a remark points at)."""
        if not self.sizes:
            return True
        if self._usual is None:
            self._usual = statistics.median(self.sizes)
        return self.sizes[index] <= HUGE * self._usual


def _calls(run: str, known: set[int]) -> list[tuple[int, int]]:
    """(offset, note number) of each call in a run of small digits."""
    if int(run) in known or not known:
        return [(0, int(run))]
    for size in range(1, len(run)):
        calls, at, value = [], 0, int(run[:size])
        while at < len(run) and run.startswith(str(value), at) and value in known:
            calls.append((at, value))
            at, value = at + len(str(value)), value + 1
        if at == len(run):
            return calls
    return [(0, int(run))]


# what pikepdf and PDFium raise on a file they cannot make sense of
UNREADABLE = (pikepdf.PdfError, RuntimeError, OSError, ValueError, IndexError,
              pdfium.PdfiumError)


def read_pdf(path: Path) -> tuple[list[Remark], str]:
    """Every annotation that is a remark, in page order, and the document's title."""
    try:
        with pikepdf.open(path) as pdf:
            remarks, title = _read(pdf, path)
    except pikepdf.PasswordError as exc:
        raise ReviewFileError(f"{path.name}: the PDF is encrypted; save a copy without a "
                              "password (or export the comments) and run again") from exc
    except UNREADABLE as exc:  # PDFium may refuse a file pikepdf repairs
        raise ReviewFileError(f"{path.name}: not a readable PDF file ({exc})") from exc
    for order, remark in enumerate(remarks):
        remark.order = order
    return remarks, title


def _read(pdf: pikepdf.Pdf, path: Path) -> tuple[list[Remark], str]:
    title = str(pdf.docinfo.get("/Title", "")) if pdf.docinfo is not None else ""
    annotated = [(number, page) for number, page in enumerate(pdf.pages)
                 if page.obj.get("/Annots")]
    if not annotated:
        return [], title
    document = pdfium.PdfDocument(str(path))
    remarks: list[Remark] = []
    try:
        for number, page in annotated:
            try:
                text = _page_text(document[number])
            except (pdfium.PdfiumError, IndexError):  # its remarks are listed, unplaced
                text = PageText("", [], [])
            remarks.extend(_page_remarks(page, number + 1, text))
    finally:
        document.close()
    return remarks, title


def _page_text(page: pdfium.PdfPage) -> PageText:
    textpage = page.get_textpage()
    count = textpage.count_chars()
    whole = textpage.get_text_range(0, count) if count else ""
    if len(whole) != count:  # keep one letter per character index
        whole = "".join(textpage.get_text_range(i, 1) or " " for i in range(count))
    boxes = [textpage.get_charbox(i) for i in range(count)]
    sizes = [pdfium_c.FPDFText_GetFontSize(textpage.raw, i) for i in range(count)]
    return PageText(whole.replace("\r\n", " \n"), boxes, sizes)


def _page_remarks(page: pikepdf.Page, number: int, text: PageText) -> list[Remark]:
    """The page's remarks in reading order (a reply where the remark it answers is)."""
    remarks: list[tuple[float, Remark]] = []
    by_object: dict[tuple[int, int], Remark] = {}
    replies: list[tuple[Any, Remark]] = []  # (the /IRT it answers, the reply)
    annots: Any = page.obj.get("/Annots", [])
    for annot in annots:
        if not isinstance(annot, pikepdf.Dictionary) or \
                str(annot.get("/Subtype", "")) in NOT_REMARKS:
            continue
        key, remark, anchored = _annotation_remark(annot, number, text)
        remarks.append((key, remark))
        if not anchored:
            continue
        if "/IRT" in annot:
            replies.append((annot.get("/IRT"), remark))
        if annot.objgen != (0, 0):
            by_object[annot.objgen] = remark
    for parent, reply in replies:  # a reply sits where the remark it answers sits
        original = by_object.get(parent.objgen) if isinstance(parent, pikepdf.Dictionary) \
            else None
        if original is not None:
            reply.anchor, reply.before, reply.after = original.anchor, original.before, \
                original.after
            reply.note_call = original.note_call
    return [remark for _, remark in sorted(remarks, key=lambda pair: pair[0])]


def _annotation_remark(annot: pikepdf.Dictionary, number: int, text: PageText
                       ) -> tuple[float, Remark, bool]:
    """The remark one annotation makes, where on the page it is read, and whether it is
    anchored in the text: one over no text is listed with its page, never dropped."""
    subtype = str(annot.get("/Subtype", ""))
    author = _string(annot.get("/T")) or "Unknown"
    contents = _string(annot.get("/Contents"))
    named = f"({SHAPES.get(subtype, subtype.lstrip('/').lower())})"
    if subtype not in MARKED and subtype not in POINTS:
        contents = contents or named
    span = _marked_span(annot, text) if subtype not in POINTS \
        else _point(annot, subtype, text)
    if span is None and "/IRT" in annot:
        span = (0, 0)  # a reply: placed with the remark it answers, by _page_remarks
    if span is None:
        return len(text.text), Remark(author, contents or named, page=number), False
    key, remark = _remark(text, span[0], span[1], author, contents,
                          MARKED.get(subtype) or POINTS.get(subtype) or "comment", number)
    return key, remark, True


def _string(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _remark(text: PageText, start: int, end: int, author: str, contents: str, kind: str,
            page: int) -> tuple[float, Remark]:
    """The remark, and where it is read on the page (a note's at its call)."""
    anchor = text.text[start:end]
    words, comment = contents, ""
    if kind == "delete":
        words = " ".join(anchor.split())
        comment = contents if contents and contents != words else ""
    elif kind == "comment" and not contents:
        words = "(highlight)"
    remark = Remark(author, words, kind, anchor=_clean(anchor), comment=comment,
                    before=_clean(text.text[max(0, start - CONTEXT):start]),
                    after=_clean(text.text[end:end + CONTEXT]), page=page)
    note = text.note_at(start) if start >= text.notes_start() else None
    key: float = start
    if note is not None:
        number, note_start, note_end = note
        remark.before = _clean(text.text[note_start:start])
        remark.after = _clean(text.text[end:note_end])
        call = text.call_of(number)
        remark.note_call = _clean(text.text[max(0, call - CONTEXT):call]) \
            if call is not None else ""
        key = call + 0.5 if call is not None else start
    return key, remark


def _clean(text: str) -> str:
    """The text without print-only words and PDFium's mark for a hyphen it broke a
    line at (U+FFFE)."""
    return PAGE_REFERENCE.sub("", text).replace("\ufffe", "").replace("\u00ad", "")


def _marked_span(annot: pikepdf.Dictionary, text: PageText) -> tuple[int, int] | None:
    """First and last+1 character index whose centre lies in one of the quads."""
    quads = _numbers(annot.get("/QuadPoints"), 8)
    if not quads:  # a shape: the text inside its box (above a line)
        rect = _rect(annot)
        if str(annot.get("/Subtype")) == "/Line":
            rect[3] = max(rect[3], rect[1] + LINE_REACH)
        quads = [rect[0], rect[3], rect[2], rect[3], rect[0], rect[1], rect[2], rect[1]]
    areas = []
    for i in range(0, len(quads) - 7, 8):
        xs, ys = quads[i:i + 8:2], quads[i + 1:i + 8:2]
        areas.append((min(xs), min(ys), max(xs), max(ys)))
    inside = [i for i, (left, bottom, right, top) in enumerate(text.boxes)
              if right > left and text.ordinary(i) and any(a[0] <= (left + right) / 2 <= a[2]
                                      and a[1] <= (bottom + top) / 2 <= a[3] for a in areas)]
    if not inside:
        return None
    clusters = [[inside[0]]]
    for index in inside[1:]:
        if index - clusters[-1][-1] <= 4:  # a space or line break between two letters
            clusters[-1].append(index)
        else:
            clusters.append([index])
    biggest = max(clusters, key=len)  # not a stray mark that sits in the quads' boxes
    if "/QuadPoints" in annot:
        return biggest[0], biggest[-1] + 1
    return _whole_words(text.text, biggest[0], biggest[-1] + 1)


def _numbers(value: object, multiple: int) -> list[float]:
    """The numbers of a PDF array, whole groups of ``multiple`` ([] if it is not one)."""
    if not isinstance(value, pikepdf.Array):
        return []
    try:
        numbers = [float(v) for v in value]
    except (TypeError, ValueError):
        return []
    return numbers[:len(numbers) - len(numbers) % multiple]


def _rect(annot: pikepdf.Dictionary) -> list[float]:
    """The annotation's /Rect as left, bottom, right, top (all 0 if it has none)."""
    numbers = _numbers(annot.get("/Rect"), 4)[:4] or [0.0, 0.0, 0.0, 0.0]
    left, bottom, right, top = numbers
    return [min(left, right), min(bottom, top), max(left, right), max(bottom, top)]


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """A shape's span without the word pieces its loose box catches at either end."""
    inner_start, inner_end = start, end
    if start > 0 and text[start - 1].isalnum():
        while inner_start < end and not text[inner_start].isspace():
            inner_start += 1
    if end < len(text) and text[end].isalnum():
        while inner_end > inner_start and not text[inner_end - 1].isspace():
            inner_end -= 1
    words = text[inner_start:inner_end]
    if not words.strip():
        return start, end
    return inner_start + len(words) - len(words.lstrip()), inner_end - len(words) + len(
        words.rstrip())


def _point(annot: pikepdf.Dictionary, subtype: str, text: PageText) -> tuple[int, int] | None:
    """A caret is an insertion point (between two characters); a sticky note is anchored
    to the word nearest to it."""
    rect = _rect(annot)
    # a caret's tip (its top centre) points at the insertion; a note's icon hangs from
    # the point clicked: its top left
    x, y = ((rect[0] + rect[2]) / 2, rect[3]) if subtype == "/Caret" else (rect[0], rect[3])
    nearest = _nearest(text, x, y)
    if nearest is None:
        return None
    if subtype == "/Caret":
        left, _, right, _ = text.boxes[nearest]
        at = nearest + 1 if x > (left + right) / 2 else nearest
        return at, at
    start = nearest
    while start > 0 and not text.text[start - 1].isspace():
        start -= 1
    end = nearest
    while end < len(text.text) and not text.text[end].isspace():
        end += 1
    return start, end


def _nearest(text: PageText, x: float, y: float) -> int | None:
    best, distance = None, float("inf")
    for i, (left, bottom, right, top) in enumerate(text.boxes):
        if right <= left or not text.text[i].strip() or not text.ordinary(i):
            continue
        dx = max(left - x, 0, x - right)
        dy = max(bottom - y, 0, y - top)
        if dx * dx + dy * dy < distance:
            best, distance = i, dx * dx + dy * dy
    return best
