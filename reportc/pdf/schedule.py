"""The part-by-part layout: parts are laid out in parallel with stand-in numbers and drawn
as soon as the numbers they print are known; a part is laid out again only when the
estimate was wrong in a way that moves text."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from reportc.cache import digest
from reportc.pdf.merge import Piece, assemble
from reportc.pdf.pagemap import BYTES_PER_PAGE, Estimate, PageMap
from reportc.pdf.split import FOLIO_SENTINEL, FRONT, SplitPage, chunk_document, page_references
from reportc.pdf.workers import DraftPool, Task
from reportc.progress import StageTimer, item_done

if TYPE_CHECKING:
    from reportc.pdf.stage import PdfStage

MAX_ROUNDS = 6
# Chunk HTML one worker may keep laid out: about 175 pages at 1-2 MB each, if no chunk
# could be drawn before the end (a worker stays under 400 MB; more workers are started).
BYTES_PER_PROCESS = 800_000


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
