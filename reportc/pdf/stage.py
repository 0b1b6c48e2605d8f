"""Chapter-level PDF: lay out parts separately, in parallel, and merge them exactly.

Every part (front matter, each chapter, the bibliography) starts on a new page, so a
report is a sequence of independent *chunks* once three things are fixed for each: the
folio of its first page (and whether that is a left or a right page), the page of every
element it prints a page number for (contents, cross-references) and the anchors it links
to in other chunks. Those make up the :class:`PageMap`.

A chunk is laid out before the map is known, from an estimate (the last build's map, or
one made from the size of each chunk's HTML): folios and page references print stand-ins
of the right width, and the worker keeps the laid-out pages (:mod:`reportc.pdf.workers`).
Once every chunk's page count and anchors are in, the real map is put together and each
chunk is drawn with its real numbers (:mod:`reportc.pdf.compat.restamp`). A chunk is laid out again
only if the estimate was wrong in a way that moves text: a page reference with another
number of digits, or a chunk that turns out to start on a left page. A chunk whose exact
document did not change since the last build is copied from the last PDF.

Themes without a ``css/chunks.css`` are laid out in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from reportc.cache import digest
from reportc.pdf.merge import Piece, assemble
from reportc.pdf.workers import DraftPool, Task
from reportc.progress import StageTimer, item_done

FRONT = "front"
MAX_ROUNDS = 6
FOLIO_SENTINEL = 90000  # a chunk laid out before its start is known: folio of its first page
BYTES_PER_PAGE = 4500  # print HTML per page in the default theme: the first estimate
# Chunk HTML one worker may keep laid out: about 175 pages at 1-2 MB each, if no chunk
# could be drawn before the end (a worker stays under 400 MB; more workers are started).
BYTES_PER_PROCESS = 800_000


@dataclass
class PageMap:
    """Where each chunk starts and on which page each anchor lies (1-based pages)."""

    order: list[str]
    counts: dict[str, int]
    anchors: dict[str, int] = field(default_factory=dict)

    @property
    def starts(self) -> dict[str, int]:
        page, starts = 1, {}
        for chunk in self.order:
            starts[chunk] = page
            page += self.counts[chunk]
        return starts

    def to_json(self) -> dict:
        return {"order": self.order, "counts": self.counts, "anchors": self.anchors}

    @classmethod
    def from_json(cls, data: object, order: list[str]) -> PageMap | None:
        """The stored map, if it describes the same chunks (else ``None``: render in one pass)."""
        if not isinstance(data, dict) or data.get("order") != order:
            return None
        try:
            counts = {k: int(v) for k, v in data["counts"].items()}
            anchors = {k: int(v) for k, v in data["anchors"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return cls(order, counts, anchors) if set(counts) == set(order) else None


def page_map_of(pages: int, anchors: dict[str, int], order: list[str]) -> PageMap:
    """The page map of a report laid out in one pass (``anchors``: 0-based page indexes):
    each chunk starts where its opener is (the opener's id is the chunk's name)."""
    numbered = {name: index + 1 for name, index in anchors.items()}
    if not order:
        return PageMap([], {}, numbered)
    starts = [1] + [numbered[chunk] for chunk in order[1:]]
    ends = [*starts[1:], pages + 1]
    counts = {chunk: end - start for chunk, start, end in zip(order, starts, ends, strict=True)}
    return PageMap(order, counts, numbered)


# --- splitting the print page into chunk documents ---------------------------------------

_CHUNK_START = re.compile(r'<section class="(cover|part)[^"]*"(?: aria-labelledby="([^"]+)")?')
_LINK = re.compile(r'<a href="#([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')


@dataclass(frozen=True)
class SplitPage:
    """The print page cut at its part boundaries: prefix, chunks in order, suffix."""

    prefix: str
    chunks: dict[str, str]
    suffix: str

    @property
    def order(self) -> list[str]:
        return list(self.chunks)

    def next_opener(self, chunk: str) -> str:
        """An empty element like the one that opens the next chunk ('' for the last)."""
        order = self.order
        index = order.index(chunk)
        if index + 1 == len(order):
            return ""
        match = _CHUNK_START.match(self.chunks[order[index + 1]])
        opener = match.group(0) if match else ""
        classes = re.match(r'<section class="([^"]*)"', opener)
        if not classes:
            return ""
        return f'<section class="{classes.group(1)}"><div class="chunk-next"></div></section>\n'


def split_page(html: str) -> SplitPage:
    """Cut at each ``<section class="cover">``/``<section class="part">``; no chunks (a
    template without them) means the page is laid out in one pass."""
    starts = [(m.start(), FRONT if m.group(1) == "cover" else m.group(2))
              for m in _CHUNK_START.finditer(html)]
    if not starts or starts[0][1] != FRONT or "</main>" not in html[starts[-1][0]:] \
            or any(chunk is None for _, chunk in starts):
        return SplitPage(html, {}, "")
    end = html.rindex("</main>")
    chunks = {}
    for index, (position, chunk) in enumerate(starts):
        stop = starts[index + 1][0] if index + 1 < len(starts) else end
        chunks[chunk] = html[position:stop]
    return SplitPage(html[:starts[0][0]], chunks, html[end:])


def _prints_page(chunk: str, body: str, link: re.Match[str]) -> bool:
    """Only contents entries and cross-references print the page of their target."""
    return chunk == FRONT or body.startswith(' class="xref"', link.end())


def _numbered(chunk: str, body: str, numbers: dict[str, int]) -> str:
    """``body`` with a ``data-page`` on every link that prints its target's page."""
    def number(match: re.Match[str]) -> str:
        target = match.group(1)
        if target not in numbers or not _prints_page(chunk, body, match):
            return match.group(0)
        return f'{match.group(0)} data-page="{numbers[target]}"'
    return _LINK.sub(number, body)


def page_references(split: SplitPage, chunk: str) -> set[str]:
    """The anchors whose page numbers ``chunk`` prints."""
    body = split.chunks[chunk]
    return {m.group(1) for m in _LINK.finditer(body) if _prints_page(chunk, body, m)}


def chunk_document(split: SplitPage, chunk: str, first_folio: int, numbers: dict[str, int],
                   padded: bool) -> tuple[str, frozenset[str]]:
    """A standalone page for one chunk, and the foreign anchors it links to.

    Its first page prints ``first_folio``; every link that prints a page number gets it
    from ``numbers`` (``data-page``), so WeasyPrint never re-lays pages out for
    ``target-counter``. ``padded``: one blank page first, so the chunk opens on a left page.
    The chunk ends with an empty copy of the next chunk's opener, so that the page break
    before it (and any blank page that break makes) is laid out as in one pass; that
    last page is dropped.
    """
    body = split.chunks[chunk]
    own = set(_ID.findall(body))
    foreign = {target for target in _LINK.findall(body) if target not in own}
    first_counter = first_folio - 1 if padded else first_folio
    style = f"<style>@page :first {{ counter-reset: page {first_counter}; }}</style>\n</head>"
    prefix = split.prefix.replace("</head>", style, 1)
    pad = '<div class="chunk-pad"></div>\n' if padded else ""
    ghosts = "".join(f'<span id="{g}"></span>' for g in sorted(foreign))
    ghost_box = f'<div class="ghost-anchors">{ghosts}</div>\n' if ghosts else ""
    body = _numbered(chunk, body, numbers)
    # Ghosts go last inside the chunk's last element: between the chunk and the next
    # opener WeasyPrint would ignore the page break; first inside the opener, they would
    # stop the heading's top margin from collapsing.
    closing = body.rindex("</section>")
    html = prefix + pad + body[:closing] + ghost_box + body[closing:] \
        + split.next_opener(chunk) + split.suffix
    return html, frozenset(foreign)


# --- the PDF stage ---------------------------------------------------------------------------

@dataclass
class PdfStage:
    """Everything the PDF stage needs besides the page: how to lay out and report."""

    layout: Callable[..., object]  # (html, identifier=) -> LayoutResult, one pass
    draft: Callable[[str], tuple[object, object]]  # chunk html -> (draft, DraftReport)
    finish: Callable[..., object]  # (draft, (keep, first_folio, numbers, id)) -> LayoutResult
    report: Callable[[object], bytes | None]  # LayoutResult -> PDF, problems to diagnostics
    failed: Callable[[], bool]  # has any problem been reported?
    environment: str  # hash of stylesheets, fonts and tool versions
    workers: int = 1
    sources: dict[str, str] = field(default_factory=dict)  # chunk -> chapter file, for messages
    mode: str = "chunks"  # "chunks" | "numbered" (one pass) | "native" (one pass, no chunks.css)
    sided: str = "double"  # "single": pages alike, parts open on the next page, no padding

    def padded(self, start: int) -> bool:
        """Double-sided, a chunk starting on a left (even) page is laid out after a blank
        one, so that its pages get left and right styles as in one pass."""
        return self.sided == "double" and start % 2 == 0


def paginate(page: str, stage: PdfStage, previous: dict | None,
             previous_pdf: bytes | None) -> tuple[bytes | None, dict]:
    """The PDF for ``page`` and the page map to remember for the next build."""
    split = split_page(page)
    last = PageMap.from_json(previous, split.order) if previous else None
    if stage.mode == "native" or not split.chunks:
        return _native_pass(page, split, stage)
    if stage.mode == "numbered":
        return _numbered_pass(split, stage, last or estimate_page_map(split))
    keys = previous.get("keys") if isinstance(previous, dict) else None
    if last is None or previous_pdf is None or not isinstance(keys, dict):
        keys, previous_pdf = {}, None
    return _by_chunks(split, stage, last, keys, previous_pdf)


def _one_pass(page: str, split: SplitPage, stage: PdfStage
              ) -> tuple[bytes | None, PageMap | None]:
    """The whole page as one WeasyPrint document, and the page map it came out with."""
    identifier = digest(page, stage.environment)[:32].encode("ascii")
    result = stage.layout(page, identifier=identifier)
    pdf = stage.report(result)
    return (pdf, page_map_of(result.pages, result.anchors, split.order)) if pdf else (None, None)


def _native_pass(page: str, split: SplitPage, stage: PdfStage) -> tuple[bytes | None, dict]:
    """One WeasyPrint pass that numbers pages itself (``target-counter``): any theme."""
    pdf, pages = _one_pass(page, split, stage)
    return (pdf, pages.to_json()) if pdf is not None else (None, {})


def numbered_page(split: SplitPage, numbers: dict[str, int]) -> str:
    """The whole print page with every printed page number given (``data-page``)."""
    bodies = [_numbered(chunk, body, numbers) for chunk, body in split.chunks.items()]
    return split.prefix + "".join(bodies) + split.suffix


def _numbered_pass(split: SplitPage, stage: PdfStage, guess: PageMap
                   ) -> tuple[bytes | None, dict]:
    """One WeasyPrint pass over the whole report, page numbers given, repeated until the
    numbers it prints are the pages it lays out (usually twice).

    WeasyPrint's own ``target-counter`` re-lays out pages until the numbers settle, and
    in WeasyPrint 70 such re-layouts can lose a footnote; given numbers need none."""
    numbers = guess.anchors
    printed = set().union(*(page_references(split, chunk) for chunk in split.order))
    for _ in range(MAX_ROUNDS):
        pdf, pages = _one_pass(numbered_page(split, numbers), split, stage)
        if pdf is None:
            return None, {}
        if all(numbers.get(t) == pages.anchors.get(t) for t in printed):
            return pdf, pages.to_json()
        numbers = pages.anchors
    raise RuntimeError(f"page numbers did not settle after {MAX_ROUNDS} layouts")


class Estimate:
    """Page counts and anchor pages guessed from HTML sizes, for chunks not laid out yet.

    Only the number of digits of a guess matters (a page reference printed with the
    wrong number of digits means laying that chunk out again), so the guess is refined
    with the pages per byte of the chunks already laid out.
    """

    def __init__(self, split: SplitPage) -> None:
        self.sizes = {chunk: max(1, len(body)) for chunk, body in split.chunks.items()}
        self.offsets = {chunk: [(m.group(1), m.start()) for m in _ID.finditer(body)]
                        for chunk, body in split.chunks.items()}

    def count(self, chunk: str, pages_per_byte: float, even: bool) -> int:
        pages = max(1, round(self.sizes[chunk] * pages_per_byte))
        return pages + pages % 2 if even else pages

    def anchors(self, chunk: str, start: int, count: int, pages_per_byte: float
                ) -> dict[str, int]:
        """Anchor pages from their byte offsets (a blank page ending the chunk holds none)."""
        return {name: start + min(count - 1, int(offset * pages_per_byte))
                for name, offset in self.offsets[chunk]}


def estimate_page_map(split: SplitPage) -> PageMap:
    """A first guess for every chunk, as if each opened on a right-hand page."""
    estimate = Estimate(split)
    pages = PageMap(split.order, {chunk: estimate.count(chunk, 1 / BYTES_PER_PAGE, True)
                                  for chunk in split.order})
    starts = pages.starts
    for chunk in split.order:
        pages.anchors.update(estimate.anchors(chunk, starts[chunk], pages.counts[chunk],
                                              1 / BYTES_PER_PAGE))
    return pages


@dataclass
class _Laid:
    """A chunk sent to be laid out (``ready`` once it is), kept by a worker until drawn."""

    numbers: dict[str, int]  # the page numbers it prints (stand-ins)
    padded: bool
    ghosts: frozenset[str]  # stand-in anchors for link targets in other chunks
    keep: tuple[int, int] = (0, 0)  # its own pages among the draft's
    anchors: dict[str, int] = field(default_factory=dict)  # anchor -> page in chunk (1-based)
    ready: bool = False

    @property
    def count(self) -> int:
        return self.keep[1] - self.keep[0]


@dataclass
class _Done:
    """A chunk drawn with its real numbers (this build, or taken from the last PDF)."""

    key: str
    piece: Piece
    anchors: dict[str, int]

    @property
    def count(self) -> int:
        return self.piece.count


class _Chunks:
    """One chunked layout: chunks are laid out, then drawn as soon as their numbers are known.

    Replies drive it (:meth:`DraftPool.run`): when a chunk is laid out, every laid-out
    chunk whose page numbers no longer depend on an estimate is either drawn or, if the
    estimate was wrong in a way that moves text, laid out again at once, so the workers
    never wait for a whole round to end.
    """

    def __init__(self, split: SplitPage, stage: PdfStage, pool: DraftPool,
                 last: PageMap | None) -> None:
        self.split, self.stage, self.pool, self.last = split, stage, pool, last
        self.estimate = Estimate(split)
        self.order = split.order
        self.laid: dict[str, _Laid] = {}
        self.done: dict[str, _Done] = {}
        self.drawing: dict[str, str] = {}  # chunk -> key of the numbers it is drawn with
        self._earlier: dict[str, _Laid] = {}  # last layout of a chunk being laid out again
        self.laid_out = 0  # layouts run, counting chunks laid out again
        self._attempts: dict[str, int] = {}
        self._index = {chunk: i for i, chunk in enumerate(self.order)}
        self._ids = {chunk: {name for name, _ in offsets}
                     for chunk, offsets in self.estimate.offsets.items()}
        owner = {a: chunk for chunk, ids in self._ids.items() for a in ids}
        self._references = {chunk: page_references(split, chunk) for chunk in self.order}
        self._depends_on = {  # the last chunk whose layout this chunk's numbers depend on
            chunk: max([self._index[chunk]] + [self._index[owner[t]] for t in refs if t in owner])
            for chunk, refs in self._references.items()}

    def run(self, last: PageMap | None, last_keys: dict, last_pdf: bytes | None
            ) -> PageMap | None:
        """Lay out and draw until every chunk is drawn under one consistent page map."""
        for _ in range(MAX_ROUNDS):
            pages = self.page_map()
            for chunk in [c for c in self.done if self.done[c].key != self.exact_key(c, pages)]:
                del self.done[chunk]  # a count before it changed late: its numbers moved
            todo = []
            for chunk in self.order:
                if chunk in self.done:
                    continue
                if last and last_pdf and last_keys.get(chunk) == self.exact_key(chunk, pages):
                    self.done[chunk] = _reused(chunk, last, last_pdf, last_keys[chunk])
                else:
                    todo.append(chunk)
            if not todo:
                return pages
            self.pool.run([self._draft_task(chunk) for chunk in todo], self._on_reply)
            if self.stage.failed():
                return None
        raise RuntimeError(f"page numbers did not settle after {MAX_ROUNDS} rounds")

    def page_map(self) -> PageMap:
        """Starts and anchors from what is known; for the rest, the last build's map or
        an estimate calibrated on the chunks laid out so far."""
        known = {chunk: self._known(chunk) for chunk in self.order}
        ratio, even = self._calibration(known)
        counts = {}
        for chunk in self.order:
            if known[chunk]:
                counts[chunk] = known[chunk].count
            elif self.last:
                counts[chunk] = self.last.counts[chunk]
            else:
                counts[chunk] = self.estimate.count(chunk, ratio, even)
        pages = PageMap(self.order, counts)
        starts = pages.starts
        last_starts = self.last.starts if self.last else {}
        for chunk in self.order:
            if known[chunk]:
                pages.anchors.update({a: starts[chunk] + p - 1
                                      for a, p in known[chunk].anchors.items()})
            elif self.last:
                shift = starts[chunk] - last_starts[chunk]
                pages.anchors.update({a: self.last.anchors[a] + shift
                                      for a in self._ids[chunk] if a in self.last.anchors})
            else:
                pages.anchors.update(self.estimate.anchors(chunk, starts[chunk], counts[chunk],
                                                           ratio))
        return pages

    def _calibration(self, known: dict) -> tuple[float, bool]:
        """Pages per byte of the chapters laid out so far, and whether their counts are all
        even (parts open on right-hand pages); the front and the last part are unlike them."""
        body = [c for c in self.order[1:-1] if known[c]]
        double = self.stage.sided == "double"
        if not body:
            return 1 / BYTES_PER_PAGE, double
        pages = sum(known[c].count for c in body)
        size = sum(self.estimate.sizes[c] for c in body)
        return pages / size, double and all(known[c].count % 2 == 0 for c in body)

    def _known(self, chunk: str) -> _Laid | _Done | None:
        """The chunk's real page count and anchors, if it has been laid out."""
        laid = self.laid.get(chunk)
        return self.done.get(chunk) or (laid if laid and laid.ready else None) \
            or self._earlier.get(chunk)

    def exact_key(self, chunk: str, pages: PageMap) -> str:
        """Hash of the chunk's document with its real numbers: what its PDF depends on."""
        start = pages.starts[chunk]
        html, _ = chunk_document(self.split, chunk, start, pages.anchors,
                                 self.stage.padded(start))
        return digest(html, self.stage.environment)

    # --- tasks and replies ------------------------------------------------------------------

    def _draft_task(self, chunk: str) -> Task:
        self.laid_out += 1
        self._attempts[chunk] = self._attempts.get(chunk, 0) + 1
        if self._attempts[chunk] > MAX_ROUNDS:
            raise RuntimeError(f"the page numbers of {chunk} did not settle after "
                               f"{MAX_ROUNDS} layouts")
        return Task("draft", chunk, partial(self._draft_payload, chunk),
                    len(self.split.chunks[chunk]))

    def _draft_payload(self, chunk: str) -> str:
        """The chunk's document with the best numbers known when it is sent."""
        pages = self.page_map()
        padded = self.stage.padded(pages.starts[chunk])
        numbers = {t: pages.anchors[t] for t in self._references[chunk] if t in pages.anchors}
        html, ghosts = chunk_document(self.split, chunk, FOLIO_SENTINEL, numbers, padded)
        self.laid[chunk] = _Laid(numbers, padded, ghosts)  # completed by the reply
        return html

    def _finish_task(self, chunk: str) -> Task:
        self.drawing[chunk] = ""
        return Task("finish", chunk, partial(self._finish_payload, chunk))

    def _finish_payload(self, chunk: str) -> tuple:
        pages = self.page_map()
        key = self.drawing[chunk] = self.exact_key(chunk, pages)
        laid = self.laid[chunk]
        numbers = {t: pages.anchors[t] for t in self._references[chunk] if t in pages.anchors}
        return laid.keep, pages.starts[chunk], numbers, key[:32].encode("ascii")

    def _on_reply(self, task: Task, reply) -> list[Task] | None:
        if task.kind == "draft":
            self._laid_out(task.name, reply)
        else:
            laid, key = self.laid.pop(task.name), self.drawing.pop(task.name)
            if reply is None:  # a new number would not fit where its stand-in was
                return [self._draft_task(task.name)]
            pdf = self.stage.report(reply, where=self.stage.sources.get(task.name, ""))
            if pdf is not None:
                self.done[task.name] = _Done(key, Piece(pdf, 0, laid.count, laid.ghosts),
                                             laid.anchors)
        return None if self.stage.failed() else self._ready_tasks()

    def _laid_out(self, chunk: str, report) -> None:
        self.stage.report(report.problems, where=self.stage.sources.get(chunk, ""))
        laid = self.laid[chunk]
        last = chunk == self.order[-1]
        laid.keep = (1 if laid.padded else 0, report.pages - (0 if last else 1))
        laid.anchors = {name: index - laid.keep[0] + 1 for name, index in report.anchors.items()
                        if name not in laid.ghosts and laid.keep[0] <= index < laid.keep[1]}
        laid.ready = True
        self._earlier[chunk] = laid
        if self._attempts[chunk] == 1:  # one progress line per part, however often laid out
            item_done(f"laid out {chunk} ({laid.count} pages)")

    def _ready_tasks(self) -> list[Task]:
        """Draw, or lay out again, each laid-out chunk whose numbers are now all known.

        Once every chunk has been sent, a chunk still waiting for the last ones (the
        contents, typically) whose numbers already have the wrong width is laid out again
        at once, from the estimates, rather than at the very end when the other workers
        would have nothing to do."""
        pages, tasks = self.page_map(), []
        all_sent = all(chunk in self.done or chunk in self.laid for chunk in self.order)
        for chunk, laid in list(self.laid.items()):
            if not laid.ready or chunk in self.drawing:
                continue
            known = self._numbers_known(chunk)
            if not known and not (all_sent and self._attempts[chunk] == 1):
                continue
            if self._fits(chunk, laid, self.stage.padded(pages.starts[chunk]), pages.anchors):
                if known:
                    tasks.append(self._finish_task(chunk))
            else:
                del self.laid[chunk]
                self.pool.drop(chunk)
                tasks.append(self._draft_task(chunk))
        return tasks

    def _numbers_known(self, chunk: str) -> bool:
        """Are all chunks its start and its page references depend on laid out?"""
        return all(self._known(c) for c in self.order[:self._depends_on[chunk] + 1])

    @staticmethod
    def _fits(chunk: str, laid: _Laid, padded: bool, anchors: dict[str, int]) -> bool:
        """Can it be drawn with these numbers without moving text? The front matter's
        contents numbers may take another width (:mod:`reportc.pdf.compat.restamp` moves a number
        ending a one-line entry and its leader; if any other changes width, drawing
        reports it and the front matter is laid out again)."""
        if laid.padded != padded:
            return False
        return chunk == FRONT or all(len(str(anchors.get(target, 0))) == len(str(shown))
                                     for target, shown in laid.numbers.items())


def _by_chunks(split: SplitPage, stage: PdfStage, last: PageMap | None, last_keys: dict,
               last_pdf: bytes | None) -> tuple[bytes | None, dict]:
    timer = StageTimer()
    total = sum(len(body) for body in split.chunks.values())
    with DraftPool(stage.draft, stage.finish, stage.workers, BYTES_PER_PROCESS,
                   total) as pool:
        state = _Chunks(split, stage, pool, last)
        pages = state.run(last, last_keys, last_pdf)
        processes = pool.processes
    if pages is None:
        return None, {}
    timer.done(f"PDF: {state.laid_out} layout(s) of {len(split.order)} part(s) "
               f"in {processes} process(es)")
    keys = {chunk: state.done[chunk].key for chunk in split.order}
    pdf = assemble([state.done[chunk].piece for chunk in split.order])
    timer.done("PDF: merged the parts")
    return pdf, {**pages.to_json(), "keys": keys}


def _reused(chunk: str, last: PageMap, last_pdf: bytes, key: str) -> _Done:
    start, count = last.starts[chunk], last.counts[chunk]
    anchors = {a: p - start + 1 for a, p in last.anchors.items() if start <= p < start + count}
    return _Done(key, Piece(last_pdf, start - 1, count), anchors)
