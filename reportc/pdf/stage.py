"""Chapter-level PDF: lay out parts separately, in parallel, and merge them exactly.

Every part (front matter, each chapter, the bibliography) starts on a new page, so a
report is a sequence of independent *parts* once three things are fixed for each: the
folio of its first page (and whether that is a left or a right page), the page of every
element it prints a page number for (contents, cross-references) and the anchors it links
to in other parts. Those make up the :class:`PageMap`.

A part is laid out before the map is known, from an estimate (the last build's map, or
one made from the size of each part's HTML): folios and page references print stand-ins
of the right width, and the worker keeps the laid-out pages (:mod:`reportc.pdf.workers`).
Once every part's page count and anchors are in, the real map is put together and each
part is drawn with its real numbers (:mod:`reportc.pdf.compat.restamp`). A part is laid out again
only if the estimate was wrong in a way that moves text: a page reference with another
number of digits, or a part that turns out to start on a left page. A part whose exact
document did not change since the last build is copied from the last PDF.

Themes without a ``css/parts.css`` are laid out in one pass.
"""

from __future__ import annotations

from reportc.cache import digest
from reportc.pdf.job import PdfJob
from reportc.pdf.pagemap import PageMap, estimate_page_map, page_map_of
from reportc.pdf.schedule import MAX_ROUNDS, _by_parts
from reportc.pdf.split import SplitPage, numbered_page, page_references, split_page


def paginate(page: str, job: PdfJob, previous: dict | None,
             previous_pdf: bytes | None) -> tuple[bytes | None, dict]:
    """The PDF for ``page`` and the page map to remember for the next build."""
    split = split_page(page, job.classes)
    last = PageMap.from_json(previous, split.order) if previous else None
    if job.mode == "native" or not split.parts:
        return _described(*_native_pass(page, split, job), job)
    if job.mode == "numbered":
        return _described(*_numbered_pass(split, job, last or estimate_page_map(split)), job)
    keys = previous.get("keys") if isinstance(previous, dict) else None
    xmp = previous.get("xmp") if isinstance(previous, dict) else None
    if last is None or previous_pdf is None or not isinstance(keys, dict) or \
            not isinstance(xmp, str):  # the first part's own XMP packet is not known
        keys, previous_pdf, xmp = {}, None, None
    return _by_parts(split, job, last, keys, previous_pdf,
                     None if xmp is None else xmp.encode("utf-8", "surrogateescape"))


def _described(pdf: bytes | None, pages: dict, job: PdfJob) -> tuple[bytes | None, dict]:
    """A PDF laid out in one pass, with the report's XMP properties (a second save)."""
    if pdf is None or job.fields is None:
        return pdf, pages
    from reportc.pdf.xmp import add_xmp  # pikepdf: only when a PDF is written

    return add_xmp(pdf, job.fields), pages


def _one_pass(page: str, split: SplitPage, job: PdfJob) -> tuple[bytes, PageMap] | None:
    """The whole page as one WeasyPrint document, and the page map it came out with."""
    identifier = digest(page, job.environment)[:32].encode("ascii")
    result = job.layout(page, identifier=identifier)
    pdf = job.report(result)
    return (pdf, page_map_of(result.pages, result.anchors, split.order)) if pdf else None


def _native_pass(page: str, split: SplitPage, job: PdfJob) -> tuple[bytes | None, dict]:
    """One WeasyPrint pass that numbers pages itself (``target-counter``): any theme."""
    done = _one_pass(page, split, job)
    return (done[0], done[1].to_json()) if done else (None, {})


def _numbered_pass(split: SplitPage, job: PdfJob, guess: PageMap
                   ) -> tuple[bytes | None, dict]:
    """One WeasyPrint pass over the whole report, page numbers given, repeated until the
    numbers it prints are the pages it lays out (usually twice).

    WeasyPrint's own ``target-counter`` re-lays out pages until the numbers settle, and
    in WeasyPrint 70 such re-layouts can lose a footnote; given numbers need none."""
    numbers = guess.anchors
    printed = set().union(*(page_references(split, part) for part in split.order))
    for _ in range(MAX_ROUNDS):
        done = _one_pass(numbered_page(split, numbers), split, job)
        if done is None:
            return None, {}
        pdf, pages = done
        if all(numbers.get(t) == pages.anchors.get(t) for t in printed):
            return pdf, pages.to_json()
        numbers = pages.anchors
    raise RuntimeError(f"page numbers did not settle after {MAX_ROUNDS} layouts")
