"""Chapter-level PDF: lay out parts separately, in parallel, and merge them exactly.

Every part (front matter, each chapter, the bibliography) starts on a new page,
so a report is a sequence of independent *chunks* once three things are fixed
for each: the number of its first page (folios, left/right pages), the page of
every element it refers to in other chunks (contents and cross-reference page
numbers) and the anchors it links to in other chunks. Given a :class:`PageMap`
from the previous build, each chunk is rendered with exactly those numbers; a
chunk whose HTML did not change is taken from the cache. If a chunk's page
count changed, the map is corrected and only the chunks whose numbers changed
are rendered again (at most a few rounds).

A build with no page map renders in one pass and slices the result into
chunks, so the next build has everything it needs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import get_context

import pypdf
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from .cache import digest

FRONT = "front"
MAX_ROUNDS = 4


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


@dataclass(frozen=True)
class Piece:
    """Pages ``first .. first+count-1`` (0-based) of a PDF, minus some anchor names."""

    pdf: bytes
    first: int
    count: int
    ghosts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ChunkJob:
    chunk: str
    html: str
    key: str
    padded: bool
    ghosts: frozenset[str]


def anchor_pages(pdf: bytes, ghosts: Iterable[str] = (), skip: int = 0) -> dict[str, int]:
    """Page (1-based, after dropping ``skip`` leading pages) of every named destination."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    ghost_set = set(ghosts)
    return {name: reader.get_destination_page_number(dest) + 1 - skip
            for name, dest in reader.named_destinations.items() if name not in ghost_set}


def page_map_from_single_pass(pdf: bytes, order: list[str], chunk_anchor: dict[str, str]
                              ) -> PageMap:
    """Chunk boundaries of a one-pass render: each chunk starts where its opener is."""
    anchors = anchor_pages(pdf)
    total = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    starts = [1] + [anchors[chunk_anchor[chunk]] for chunk in order[1:]]
    counts = {chunk: (starts[i + 1] if i + 1 < len(order) else total + 1) - starts[i]
              for i, chunk in enumerate(order)}
    return PageMap(order, counts, anchors)


def assemble(pieces: list[Piece], identifier: bytes) -> bytes:
    """One PDF from the pieces in order: pages, links, named destinations, outline, metadata."""
    writer = pypdf.PdfWriter()
    names: dict[str, ArrayObject] = {}
    readers: dict[int, pypdf.PdfReader] = {}  # one reader per source: shared fonts copied once
    for piece in pieces:
        reader = readers.get(id(piece.pdf))
        if reader is None:
            reader = readers[id(piece.pdf)] = pypdf.PdfReader(io.BytesIO(piece.pdf))
        offset = len(writer.pages)
        for page in reader.pages[piece.first:piece.first + piece.count]:
            writer.add_page(page)
        _copy_destinations(reader, writer, piece, offset, names)
        _copy_outline(reader, writer, reader.outline, piece, offset, None)
    root = writer.get_named_dest_root()
    for name in sorted(names):
        root.extend([TextStringObject(name), names[name]])
    first = readers[id(pieces[0].pdf)]
    writer.add_metadata(dict(first.metadata or {}))
    for key in ("/Lang", "/PageMode", "/ViewerPreferences"):
        if key in first.trailer["/Root"]:
            writer._root_object[NameObject(key)] = first.trailer["/Root"][key]
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(identifier)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _in_piece(reader: pypdf.PdfReader, destination, piece: Piece) -> int | None:
    index = reader.get_destination_page_number(destination)
    return index - piece.first if piece.first <= index < piece.first + piece.count else None


def _copy_destinations(reader: pypdf.PdfReader, writer: pypdf.PdfWriter, piece: Piece,
                       offset: int, names: dict[str, ArrayObject]) -> None:
    for name, destination in reader.named_destinations.items():
        index = _in_piece(reader, destination, piece)
        if name in piece.ghosts or index is None:
            continue
        names[name] = ArrayObject([
            writer.pages[offset + index].indirect_reference, NameObject("/XYZ"),
            FloatObject(destination.left or 0), FloatObject(destination.top or 0),
            NumberObject(0)])


def _copy_outline(reader: pypdf.PdfReader, writer: pypdf.PdfWriter, items: list, piece: Piece,
                  offset: int, parent) -> None:
    last = None
    for item in items:
        if isinstance(item, list):
            if last is not None:
                _copy_outline(reader, writer, item, piece, offset, last)
            continue
        index = _in_piece(reader, item, piece)
        if index is None:
            last = None
            continue
        fit = pypdf.generic.Fit.xyz(item.left, item.top, 0)
        last = writer.add_outline_item(title=item.title, page_number=offset + index,
                                       parent=parent, fit=fit)


def render_chunks(jobs: list[ChunkJob], workers: int,
                  render: Callable[[ChunkJob], tuple[bytes | None, list]]) -> dict[str, tuple]:
    """Render chunks in parallel processes; returns chunk -> (pdf, messages)."""
    if workers <= 1 or len(jobs) <= 1:
        return {job.chunk: render(job) for job in jobs}
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
        return dict(zip((job.chunk for job in jobs), pool.map(render, jobs), strict=True))


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


def split_page(html: str) -> SplitPage:
    starts = [(m.start(), FRONT if m.group(1) == "cover" else m.group(2))
              for m in _CHUNK_START.finditer(html)]
    end = html.rindex("</main>")
    chunks = {}
    for index, (position, chunk) in enumerate(starts):
        stop = starts[index + 1][0] if index + 1 < len(starts) else end
        chunks[chunk] = html[position:stop]
    return SplitPage(html[:starts[0][0]], chunks, html[end:])


def chunk_document(split: SplitPage, chunk: str, start: int, anchors: dict[str, int]
                   ) -> tuple[str, bool, frozenset[str]]:
    """A standalone page for one chunk: first page ``start``, foreign targets numbered."""
    body = split.chunks[chunk]
    own = set(_ID.findall(body))
    foreign = {target for target in _LINK.findall(body) if target not in own}

    def number(match: re.Match[str]) -> str:
        """Only links that print a page number (contents, cross-references) get one."""
        target = match.group(1)
        shows_page = chunk == FRONT or body.startswith(' class="xref"', match.end())
        if target in own or target not in anchors or not shows_page:
            return match.group(0)
        return f'{match.group(0)} data-page="{anchors[target]}"'

    padded = start % 2 == 0  # an even page is a left page: lay out one blank page first
    first_counter = start - 1 if padded else start
    style = f"<style>@page :first {{ counter-reset: page {first_counter}; }}</style>\n</head>"
    prefix = split.prefix.replace("</head>", style, 1)
    pad = '<div class="chunk-pad"></div>\n' if padded else ""
    ghosts = "".join(f'<span id="{g}"></span>' for g in sorted(foreign))
    ghost_box = f'<div class="ghost-anchors">{ghosts}</div>\n' if ghosts else ""
    html = prefix + pad + _LINK.sub(number, body) + ghost_box + split.suffix
    return html, padded, frozenset(foreign)


# --- the PDF stage ---------------------------------------------------------------------------

def layout_job(layout: Callable[..., object], job: ChunkJob) -> object:
    """Worker entry point (top level, so it can be sent to another process)."""
    return layout(job.html, identifier=job.key[:32].encode("ascii"))


@dataclass
class PdfStage:
    """Everything the PDF stage needs besides the page: how to lay out and report."""

    layout: Callable[..., object]  # (html, identifier=) -> LayoutResult, one-pass stylesheets
    chunk_layout: Callable[..., object]  # the same with the chunk stylesheet added
    report: Callable[[object], bytes | None]  # LayoutResult -> PDF, problems to diagnostics
    environment: str  # hash of stylesheets, fonts and tool versions
    workers: int = 1


def paginate(page: str, stage: PdfStage, previous: dict | None,
             previous_pdf: bytes | None) -> tuple[bytes | None, dict]:
    """The PDF for ``page`` and the page map to remember for the next build."""
    split = split_page(page)
    order = split.order
    last = PageMap.from_json(previous, order) if previous else None
    keys = previous.get("keys") if isinstance(previous, dict) else None
    if last is None or previous_pdf is None or not isinstance(keys, dict):
        return _single_pass(page, split, stage)
    return _by_chunks(split, stage, last, keys, previous_pdf)


def _single_pass(page: str, split: SplitPage, stage: PdfStage) -> tuple[bytes | None, dict]:
    identifier = digest(page, stage.environment)[:32].encode("ascii")
    pdf = stage.report(stage.layout(page, identifier=identifier))
    if pdf is None:
        return None, {}
    pages = page_map_from_single_pass(pdf, split.order, {c: c for c in split.order})
    return pdf, _remember(split, stage, pages)


def _remember(split: SplitPage, stage: PdfStage, pages: PageMap) -> dict:
    keys = {chunk: _chunk_key(split, chunk, pages, stage) for chunk in split.order}
    return {**pages.to_json(), "keys": keys}


def _chunk_key(split: SplitPage, chunk: str, pages: PageMap, stage: PdfStage) -> str:
    html, _, _ = chunk_document(split, chunk, pages.starts[chunk], pages.anchors)
    return digest(html, stage.environment)


def _by_chunks(split: SplitPage, stage: PdfStage, last: PageMap, last_keys: dict,
               last_pdf: bytes) -> tuple[bytes | None, dict]:
    pages, pieces = last, {}
    for _ in range(MAX_ROUNDS):
        jobs = _plan_round(split, stage, pages, pieces, last, last_keys, last_pdf)
        results = render_chunks(jobs, stage.workers, partial(layout_job, stage.chunk_layout))
        for job in jobs:
            pdf = stage.report(results[job.chunk])
            if pdf is None:
                return None, {}
            pieces[job.chunk] = _normalise(job, pdf)
        settled = _page_map(split.order, pieces)
        if settled.counts == pages.counts and settled.anchors == pages.anchors:
            break
        pages = settled
    keys = {chunk: pieces[chunk][0] for chunk in split.order}
    identifier = digest(*keys.values())[:32].encode("ascii")
    pdf = assemble([pieces[chunk][1] for chunk in split.order], identifier)
    return pdf, {**pages.to_json(), "keys": keys}


def _plan_round(split: SplitPage, stage: PdfStage, pages: PageMap, pieces: dict,
                last: PageMap, last_keys: dict, last_pdf: bytes) -> list[ChunkJob]:
    """Reuse every chunk whose document is unchanged; return jobs for the others."""
    jobs = []
    last_starts = last.starts
    for chunk in split.order:
        html, padded, ghosts = chunk_document(split, chunk, pages.starts[chunk], pages.anchors)
        key = digest(html, stage.environment)
        if chunk in pieces and pieces[chunk][0] == key:
            continue
        if last_keys.get(chunk) == key:
            start, count = last_starts[chunk], last.counts[chunk]
            anchors = {a: p - start + 1 for a, p in last.anchors.items()
                       if start <= p < start + count}
            pieces[chunk] = (key, Piece(last_pdf, start - 1, count), anchors)
        else:
            jobs.append(ChunkJob(chunk, html, key, padded, ghosts))
    return jobs


def _normalise(job: ChunkJob, pdf: bytes) -> tuple[str, Piece, dict[str, int]]:
    skip = 1 if job.padded else 0
    total = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    anchors = anchor_pages(pdf, job.ghosts, skip)
    return job.key, Piece(pdf, skip, total - skip, job.ghosts), anchors


def _page_map(order: list[str], pieces: dict) -> PageMap:
    counts = {chunk: pieces[chunk][1].count for chunk in order}
    pages = PageMap(order, counts)
    starts = pages.starts
    for chunk in order:
        for anchor, page in pieces[chunk][2].items():
            pages.anchors[anchor] = starts[chunk] + page - 1
    return pages


