"""The part-by-part layout: parts are laid out in parallel with stand-in numbers and drawn
as soon as the numbers they print are known; a part is laid out again only when the
estimate was wrong in a way that moves text."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from reportc.cache import digest
from reportc.pdf.job import PdfJob
from reportc.pdf.merged import Merged, PartPages
from reportc.pdf.pagemap import BYTES_PER_PAGE, Estimate, PageMap
from reportc.pdf.split import FOLIO_SENTINEL, FRONT, SplitPage, page_references, part_document
from reportc.pdf.workers import DraftPool, Task
from reportc.progress import StageTimer, item_done

if TYPE_CHECKING:
    from reportc.pdf.layout import DraftReport

MAX_ROUNDS = 6
CALIBRATED = 3  # chapters laid out before estimated numbers may defer a part (_uncertain)
# Part HTML one worker may keep laid out: about 175 pages at 1-2 MB each, if no part
# could be drawn before the end (a worker stays under 400 MB; more workers are started).
BYTES_PER_PROCESS = 800_000


@dataclass
class _Laid:
    """A part sent to be laid out (``ready`` once it is), kept by a worker until drawn."""

    numbers: dict[str, int]  # the page numbers it prints (stand-ins)
    padded: bool
    ghosts: frozenset[str]  # stand-in anchors for link targets in other parts
    keep: tuple[int, int] = (0, 0)  # its own pages among the draft's
    anchors: dict[str, int] = field(default_factory=dict)  # anchor -> page in part (1-based)
    ready: bool = False

    @property
    def count(self) -> int:
        return self.keep[1] - self.keep[0]


@dataclass
class _Done:
    """A part drawn with its real numbers (this build, or taken from the last PDF)."""

    key: str
    pages: PartPages
    anchors: dict[str, int]

    @property
    def count(self) -> int:
        return self.pages.count


class _Parts:
    """One part-by-part layout: parts are laid out, then drawn as soon as their numbers are known.

    Replies drive it (:meth:`DraftPool.run`): when a part is laid out, every laid-out
    part whose page numbers no longer depend on an estimate is either drawn or, if the
    estimate was wrong in a way that moves text, laid out again at once, so the workers
    never wait for a whole round to end.
    """

    def __init__(self, split: SplitPage, job: PdfJob, pool: DraftPool,
                 last: PageMap | None) -> None:
        self.split, self.job, self.pool, self.last = split, job, pool, last
        self.estimate = Estimate(split)
        self.order = split.order
        self.laid: dict[str, _Laid] = {}
        self.done: dict[str, _Done] = {}
        self.drawing: dict[str, str] = {}  # part -> key of the numbers it is drawn with
        self._earlier: dict[str, _Laid] = {}  # last layout of a part being laid out again
        self.laid_out = 0  # layouts run, counting parts laid out again
        self._attempts: dict[str, int] = {}
        self._estimated: PageMap | None = None  # page map for _uncertain, until a reply
        self._index = {part: i for i, part in enumerate(self.order)}
        self._ids = {part: {name for name, _ in offsets}
                     for part, offsets in self.estimate.offsets.items()}
        owner = {a: part for part, ids in self._ids.items() for a in ids}
        self._references = {part: page_references(split, part) for part in self.order}
        self._depends_on = {  # the last part whose layout this part's numbers depend on
            part: max([self._index[part]] + [self._index[owner[t]] for t in refs if t in owner])
            for part, refs in self._references.items()}

    def run(self, last: PageMap | None, last_keys: dict, last_pdf: bytes | None,
            last_xmp: bytes | None = None) -> PageMap | None:
        """Lay out and draw until every part is drawn under one consistent page map
        (``last_xmp``: the XMP packet the last PDF's first part had as laid out)."""
        for round_ in range(MAX_ROUNDS):
            pages = self.page_map()
            for part in [c for c in self.done if self.done[c].key != self.exact_key(c, pages)]:
                del self.done[part]  # a count before it changed late: its numbers moved
            todo = []
            for part in self.order:
                if part in self.done:
                    continue
                if last and last_pdf and last_keys.get(part) == self.exact_key(part, pages):
                    self.done[part] = _reused(part, last, last_pdf, last_keys[part],
                                              last_xmp if part == self.order[0] else None)
                else:
                    todo.append(part)
            if not todo:
                return pages
            if round_ == 0:
                self._merge_ahead(last_pdf)
            self.pool.run([self._draft_task(part) for part in todo], self._on_reply)
            if self.job.failed():
                return None
        raise RuntimeError(f"page numbers did not settle after {MAX_ROUNDS} rounds")

    def _merge_ahead(self, last_pdf: bytes | None) -> None:
        """Have the merge process begin the merge while the parts are laid out: import
        pikepdf, and if parts come from the last PDF, open it and copy the parts before
        the first one laid out again (they stay as they are unless a page count before
        them changes; the merge checks)."""
        if self.job.merger is None:
            return
        first: list[PartPages] = []
        for part in self.order if last_pdf is not None and self.done else []:
            if part not in self.done:
                break
            first.append(self.done[part].pages)
        self.job.merger.post(_prepare, first, last_pdf if self.done else None)

    def page_map(self) -> PageMap:
        """Starts and anchors from what is known; for the rest, the last build's map or
        an estimate calibrated on the parts laid out so far."""
        known = {part: self._known(part) for part in self.order}
        ratio, even = self._calibration(known)
        counts = {}
        for part in self.order:
            if found := known[part]:
                counts[part] = found.count
            elif self.last:
                counts[part] = self.last.counts[part]
            else:
                counts[part] = self.estimate.count(part, ratio, even)
        pages = PageMap(self.order, counts)
        starts = pages.starts
        last_starts = self.last.starts if self.last else {}
        for part in self.order:
            if found := known[part]:
                pages.anchors.update({a: starts[part] + p - 1
                                      for a, p in found.anchors.items()})
            elif self.last:
                shift = starts[part] - last_starts[part]
                pages.anchors.update({a: self.last.anchors[a] + shift
                                      for a in self._ids[part] if a in self.last.anchors})
                pages.anchors.update(self._new_anchors(part, starts[part], counts[part], ratio,
                                                       self.last))
            else:
                pages.anchors.update(self.estimate.anchors(part, starts[part], counts[part],
                                                           ratio))
        return pages

    def _new_anchors(self, part: str, start: int, count: int, ratio: float, last: PageMap
                     ) -> dict[str, int]:
        """Estimates for the anchors of a part not laid out yet that the ``last`` build's
        map does not have (a renamed heading's): without one, a contents entry laid out
        before that part printed the stand-in folio (90000), which drawing does not
        replace."""
        new = {a for a in self._ids[part] if a not in last.anchors}
        if not new:
            return {}
        return {a: page for a, page in self.estimate.anchors(part, start, count, ratio).items()
                if a in new}

    def _calibration(self, known: dict) -> tuple[float, bool]:
        """Pages per byte of the chapters laid out so far, and whether their counts are all
        even (parts open on right-hand pages); the front and the last part are unlike them."""
        body = [c for c in self.order[1:-1] if known[c]]
        double = self.job.sided == "double"
        if not body:
            return 1 / BYTES_PER_PAGE, double
        pages = sum(known[c].count for c in body)
        size = sum(self.estimate.sizes[c] for c in body)
        return pages / size, double and all(known[c].count % 2 == 0 for c in body)

    def _known(self, part: str) -> _Laid | _Done | None:
        """The part's real page count and anchors, if it has been laid out."""
        laid = self.laid.get(part)
        return self.done.get(part) or (laid if laid and laid.ready else None) \
            or self._earlier.get(part)

    def exact_key(self, part: str, pages: PageMap) -> str:
        """Hash of what the part's document is made of with its real numbers (what its PDF
        depends on): :func:`part_document` is a function of these, and making it for every
        part to hash it took 0.03 s of an edit before its part was sent."""
        start = pages.starts[part]
        numbers = [[t, pages.anchors[t]] for t in sorted(self._references[part])
                   if t in pages.anchors]
        split = self.split
        return digest(split.prefix, split.parts[part], str(start), str(self.job.padded(start)),
                      json.dumps(numbers), split.next_opener(part), split.suffix, split.classes,
                      self.job.environment)

    def _identifier(self, part: str, pages: PageMap) -> bytes:
        """The drawn part's PDF identifier: a hash of its document, as it always was."""
        start = pages.starts[part]
        html, _ = part_document(self.split, part, start, pages.anchors,
                                 self.job.padded(start))
        return digest(html, self.job.environment)[:32].encode("ascii")

    # --- tasks and replies ------------------------------------------------------------------

    def _draft_task(self, part: str) -> Task:
        self.laid_out += 1
        self._attempts[part] = self._attempts.get(part, 0) + 1
        if self._attempts[part] > MAX_ROUNDS:
            raise RuntimeError(f"the page numbers of {part} did not settle after "
                               f"{MAX_ROUNDS} layouts")
        return Task("draft", part, partial(self._draft_payload, part),
                    len(self.split.parts[part]), partial(self._uncertain, part))

    def _uncertain(self, part: str) -> bool:
        """Might a page number the part prints, estimated now, take another number of
        digits once the parts before it are laid out? Then other parts go first (see
        :meth:`DraftPool._next`): laid out now, it would likely be laid out again (the
        200-page benchmark's chapter 8, estimated at pages 98-110, came out at 96-107).
        Not the front matter: every part's start depends on its page count, so it goes
        first (deferred, the flagship's parts were laid out 15 times instead of 13). Not
        before three chapters are laid out: the first estimates are too rough to tell
        (one chapter of the 200-page benchmark sent early on them was laid out again)."""
        if part == FRONT or self._numbers_known(part) or \
                sum(1 for c in self.order[1:-1] if self._known(c)) < CALIBRATED:
            return False
        if self._estimated is None:  # until the next reply
            self._estimated = self.page_map()
        anchors = self._estimated.anchors
        return any(_near_other_width(anchors[t]) for t in self._references[part] if t in anchors)

    def _draft_payload(self, part: str) -> str:
        """The part's document with the best numbers known when it is sent."""
        pages = self.page_map()
        padded = self.job.padded(pages.starts[part])
        numbers = {t: pages.anchors[t] for t in self._references[part] if t in pages.anchors}
        html, ghosts = part_document(self.split, part, FOLIO_SENTINEL, numbers, padded)
        self.laid[part] = _Laid(numbers, padded, ghosts)  # completed by the reply
        return html

    def _finish_task(self, part: str) -> Task:
        self.drawing[part] = ""
        return Task("finish", part, partial(self._finish_payload, part))

    def _finish_payload(self, part: str) -> tuple:
        pages = self.page_map()
        self.drawing[part] = self.exact_key(part, pages)
        laid = self.laid[part]
        numbers = {t: pages.anchors[t] for t in self._references[part] if t in pages.anchors}
        return laid.keep, pages.starts[part], numbers, self._identifier(part, pages)

    def _on_reply(self, task: Task, reply: Any) -> list[Task] | None:
        self._estimated = None
        if task.kind == "draft":
            self._laid_out(task.name, reply)
        else:
            laid, key = self.laid.pop(task.name), self.drawing.pop(task.name)
            if reply is None:  # a new number would not fit where its stand-in was
                return [self._draft_task(task.name)]
            pdf = self.job.report(reply, where=self.job.sources.get(task.name, ""))
            if pdf is not None:
                self.done[task.name] = _Done(key, PartPages(pdf, 0, laid.count, laid.ghosts),
                                             laid.anchors)
                if self.job.merger is not None:  # opened there while the others are laid out
                    self.job.merger.post(_open_ahead, pdf)
        return None if self.job.failed() else self._ready_tasks()

    def _laid_out(self, part: str, report: DraftReport) -> None:
        self.job.report(report.problems, where=self.job.sources.get(part, ""))
        laid = self.laid[part]
        last = part == self.order[-1]
        laid.keep = (1 if laid.padded else 0, report.pages - (0 if last else 1))
        laid.anchors = {name: index - laid.keep[0] + 1 for name, index in report.anchors.items()
                        if name not in laid.ghosts and laid.keep[0] <= index < laid.keep[1]}
        laid.ready = True
        self._earlier[part] = laid
        if self._attempts[part] == 1:  # one progress line per part, however often laid out
            item_done(f"laid out {part} ({laid.count} pages)")

    def _ready_tasks(self) -> list[Task]:
        """Draw, or lay out again, each laid-out part whose numbers are now all known.

        Once every part has been sent, a part still waiting for the last ones (the
        contents, typically) whose numbers already have the wrong width is laid out again
        at once, from the estimates, rather than at the very end when the other workers
        would have nothing to do."""
        pages, tasks = self.page_map(), []
        all_sent = all(part in self.done or part in self.laid for part in self.order)
        for part, laid in list(self.laid.items()):
            if not laid.ready or part in self.drawing:
                continue
            known = self._numbers_known(part)
            if not known and not (all_sent and self._attempts[part] == 1):
                continue
            if self._fits(part, laid, self.job.padded(pages.starts[part]), pages.anchors):
                if known:
                    tasks.append(self._finish_task(part))
            else:
                del self.laid[part]
                self.pool.drop(part)
                tasks.append(self._draft_task(part))
        return tasks

    def _numbers_known(self, part: str) -> bool:
        """Are all parts its start and its page references depend on laid out?"""
        return all(self._known(c) for c in self.order[:self._depends_on[part] + 1])

    @staticmethod
    def _fits(part: str, laid: _Laid, padded: bool, anchors: dict[str, int]) -> bool:
        """Can it be drawn with these numbers without moving text? The front matter's
        contents numbers may take another width (:mod:`reportc.pdf.compat.restamp` moves a number
        ending a one-line entry and its leader; if any other changes width, drawing
        reports it and the front matter is laid out again)."""
        if laid.padded != padded:
            return False
        return part == FRONT or all(len(str(anchors.get(target, 0))) == len(str(shown))
                                     for target, shown in laid.numbers.items())


def _near_other_width(page: int) -> bool:
    """Is an estimated page within 10 % (at least 3 pages) of a page number with another
    number of digits?"""
    margin = max(3, page // 10)
    return len(str(max(1, page - margin))) != len(str(page)) or \
        len(str(page + margin)) != len(str(page))


def _by_parts(split: SplitPage, job: PdfJob, last: PageMap | None, last_keys: dict,
              last_pdf: bytes | None, last_xmp: bytes | None = None
              ) -> tuple[bytes | None, dict]:
    timer = StageTimer()
    total = sum(len(body) for body in split.parts.values())
    with DraftPool(job.draft, job.finish, job.workers, BYTES_PER_PROCESS,
                   total, job.zygote, job.sent) as pool:
        state = _Parts(split, job, pool, last)
        pages = state.run(last, last_keys, last_pdf, last_xmp)
        processes = pool.processes
    if pages is None:
        return None, {}
    timer.done(f"PDF: {state.laid_out} layout(s) of {len(split.order)} part(s) "
               f"in {processes} process(es)")
    keys = {part: state.done[part].key for part in split.order}
    parts = [state.done[part].pages for part in split.order]
    if job.first_part is not None:
        job.first_part(keys[split.order[0]], parts[0])
    merged = job.merger.call(_assemble, parts, job.fields, True) if job.merger else \
        _assemble(parts, job.fields)
    timer.done("PDF: merged the parts")
    xmp = merged.metadata.decode("utf-8", "surrogateescape")
    return merged.pdf, {**pages.to_json(), "keys": keys, "xmp": xmp}


def _reused(part: str, last: PageMap, last_pdf: bytes, key: str,
            metadata: bytes | None = None) -> _Done:
    start, count = last.starts[part], last.counts[part]
    anchors = {a: p - start + 1 for a, p in last.anchors.items() if start <= p < start + count}
    return _Done(key, PartPages(last_pdf, start - 1, count, metadata=metadata), anchors)


def _prepare(first_parts: list[PartPages], last_pdf: bytes | None) -> None:
    """:func:`reportc.pdf.merge.prepare`, imported where it runs (the merge process):
    this process never needs pikepdf."""
    from reportc.pdf.merge import prepare

    prepare(first_parts, last_pdf)


def _open_ahead(pdf: bytes) -> None:
    """:func:`reportc.pdf.merge.open_ahead`, imported where it runs (see :func:`_prepare`)."""
    from reportc.pdf.merge import open_ahead

    open_ahead(pdf)


def _assemble(parts: list[PartPages], fields: dict[str, str | list[str]] | None,
              keep: bool = False) -> Merged:
    """:func:`reportc.pdf.merge.assemble`, imported where it runs (see :func:`_prepare`)."""
    from reportc.pdf.merge import assemble

    return assemble(parts, fields, keep)
