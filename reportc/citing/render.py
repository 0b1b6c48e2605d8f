"""Stage 5: cite the report once, then turn each chapter into HTML with its notes.

Citing: one citeproc run over the whole report (:func:`cite_report`), each chapter a
section with pandoc's ``reset-citation-positions`` class, so a chapter's first citation of
a source is a full one again (as in a book of chapters) while citation numbers,
disambiguation and the reference list are those of the one report: citeproc processes
the bibliography once per build, and an IEEE-style "[2]" in chapter 3 is entry [2] of
the list.

A build whose sequence of citations is that of a build before runs no citeproc: the last
citing is reused, edited blocks spliced in (:mod:`reportc.citing.recite`).

A report that fits in one batch is cited and written in one pandoc process (``cite.lua``,
citeproc, then the render filter): the same output, without the JSON in between (tested).

The reference list is made apart, by a second pandoc process at the same time, wherever
the style's citations do not depend on its list (``reflist._citing_apart``: a note
style, without citation numbers or year suffixes, as Chicago's notes): the chapters are cited
with the style minus its ``<bibliography>``, and the list from the cited keys alone
(``nocite``). Citeproc formats each citation once and each entry once, on two cores;
the output is the same as one run's (tested).

Writing: the cited chapters in batches, one pandoc process per batch and ``jobs`` batches
at once: ``resources/render.lua`` shapes each chapter's notes so one HTML fragment serves
the PDF (footnotes) and the web edition (pop-ups + end notes), and writes it. A batch that
fails or warns is run again chapter by chapter, so that every message names its file.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from importlib import resources
from pathlib import Path

from reportc.cache import BuildCache, digest, file_digest, tool_versions
from reportc.citing import pieces
from reportc.citing.cited import REFS, Cited, kept_report, split_cited
from reportc.citing.citesets import cite_set_members
from reportc.citing.recite import recall, record_key, remember
from reportc.citing.reflist import (
    _citing_apart,
    _drop_empty_entries,
    _list_document,
    _report_empty,
    nocite_meta,
)
from reportc.citing.setup import CitationSetup
from reportc.document.math import located_math_warning
from reportc.document.model import ChapterDoc, api_version, take_blocks
from reportc.document.read import place_warnings, warning_line
from reportc.errors import Diagnostics, ToolError
from reportc.pandoc.runner import BATCH_MARKER, PandocResult, batches, run_batch, run_pandoc
from reportc.progress import item_done
from reportc.project.bibliography import Bibliography
from reportc.sandbox.rendered import check_html

RENDER_FILTER = resources.files("reportc.pandoc") / "resources" / "render.lua"
# citeproc as --citeproc runs it, but citations in a redline's deleted text are cited apart
CITE_FILTER = resources.files("reportc.pandoc") / "resources" / "cite.lua"
# citeproc's words for an entry the style prints as nothing: reported by the reference
# list's run with the entry's line and the fields it needs (see _report_empty).
NO_PRINTED_FORM = "Citeproc: Bibliography entry with no printed form"


def render_report(docs: list[ChapterDoc], setup: CitationSetup, diag: Diagnostics,
                  cache: BuildCache, jobs: int, source: Bibliography | None = None
                  ) -> tuple[list[str | None], str, list[str]]:
    """Each chapter's HTML, the reference list's HTML and the keys left out of the list
    (they print nothing in the style; each a located warning). Citeproc runs once; the
    chapters are then written in batches, ``jobs`` at a time, beside the list."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return _render_report(docs, setup, diag, cache, pool, jobs, source)


def _render_report(docs: list[ChapterDoc], setup: CitationSetup, diag: Diagnostics,
                   cache: BuildCache, pool: Executor, jobs: int, source: Bibliography | None
                   ) -> tuple[list[str | None], str, list[str]]:
    chapters = _chapter_sources(docs, setup)
    key = _record_key(chapters, setup)
    recalled = recall(cache, key, chapters) if key else None
    if recalled is not None:  # the same citations as a build before: citeproc not needed
        item_done("citations as in the last build: citeproc not run")
        bodies = render_chapters(docs, setup, diag, cache, pool, jobs,
                                 Cited(recalled.blocks, texts=recalled.texts))
        for empty in recalled.dropped:
            _report_empty(empty, setup.csl, source, diag)
        if key and None not in bodies:  # the edited chapters' blocks, for the next edit
            remember(cache, key, chapters, recalled.blocks, recalled.references,
                     recalled.dropped, recalled.listed, recalled.texts)
        # the list as a build before made and checked it (one failing is not remembered)
        return bodies, recalled.references, recalled.dropped
    seen = len(diag.problems)
    done, cited = _cite_and_render(docs, setup, diag, cache, pool, jobs, source, chapters)
    if key and cited is not None and None not in done[0] and \
            all(p.code == "bib.empty" for p in diag.problems[seen:]):
        remember(cache, key, chapters, cited.blocks, done[1], done[2], cited.references,
                 cited.texts)
    return done


def _record_key(chapters: list[tuple[str, str]], setup: CitationSetup) -> str | None:
    """The key :mod:`reportc.citing.recite` keeps a citing under (``None`` for a report
    with deleted text, which ``resources/cite.lua`` cites its own way)."""
    if not chapters or any('"del"' in blocks for _, blocks in chapters):
        return None
    return record_key(chapters, digest(setup.fingerprint(),
                                       file_digest(Path(str(RENDER_FILTER)))))


def _cite_and_render(docs: list[ChapterDoc], setup: CitationSetup, diag: Diagnostics,
                     cache: BuildCache, pool: Executor, jobs: int, source: Bibliography | None,
                     chapters: list[tuple[str, str]]
                     ) -> tuple[tuple[list[str | None], str, list[str]], Cited | None]:
    """Cite with citeproc and write; also the cited report, when known."""
    whole = None
    if docs and len(batches(docs, lambda doc: len(doc.chapter.text), jobs)) == 1:
        whole = _cite_and_write(docs, setup, cache, chapters)
    if whole is None:
        cited = cite_report(docs, setup, diag, cache, source, chapters)
        listed = pool.submit(render_bibliography, cited, api_version(docs[0]),
                             setup, diag, cache, source) if docs else None
        bodies: list[str | None] = render_chapters(docs, setup, diag, cache, pool, jobs, cited) \
            if cited else [None] * len(docs)
        references, dropped = listed.result() if listed else ("", [])
        return (bodies, references, dropped), cited
    written, cited, checked = whole
    references, dropped = _drop_empty_entries(written.pop(REFS, ""))
    for empty in dropped:
        _report_empty(empty, setup.csl, source, diag)
    bodies = [written[doc.anchor] if doc.anchor in checked or
              check_html(written[doc.anchor], doc.rel, diag) else None for doc in docs]
    what = source.rel if source else "bibliography"
    return (bodies, references if check_html(references, what, diag) else "", dropped), cited


def _cite_and_write(docs: list[ChapterDoc], setup: CitationSetup, cache: BuildCache,
                    chapters: list[tuple[str, str]]
                    ) -> tuple[dict[str, str], Cited | None, set[str]] | None:
    """anchor -> HTML of every chapter, and ``REFS`` -> the reference list, made in one
    pandoc process, with the cited report (``None`` if taken from the cache) and the
    anchors of chapters checked piece by piece (:mod:`.pieces`, kept for an edit);
    ``None`` if it failed or warned (the two-step path then reports what went wrong, with
    the file it is about)."""
    document = _report_document(docs, chapters, setup.listed)
    key = digest("cited and written", document, setup.fingerprint(), *setup.writing(),
                 file_digest(Path(str(RENDER_FILTER))), file_digest(Path(str(CITE_FILTER))))
    cached = cache.get("report-html", key)
    version = str(api_version(docs[0]))
    if cached is not None:
        pieces.keep_records(cache, [doc.anchor for doc in docs], _chapter_key(version, setup))
        return json.loads(cached), None, set()
    what = ", ".join(doc.rel for doc in docs)
    marked = pieces.MARK not in document
    with tempfile.TemporaryDirectory(prefix="reportc-cited-") as folder:
        kept = Path(folder) / "cited.json"  # the cited report, as citeproc left it
        listing = Path(folder) / "listed.json"  # the list, when made apart

        def write(citing: CitationSetup, text: str) -> PandocResult:
            return run_pandoc(["-f", "json", "-t", "html5", "--wrap=none", "--mathml",
                               *citing.settings(), *_citeproc(text), *setup.writing(),
                               *(PIECES if marked else []), f"--lua-filter={RENDER_FILTER}"],
                              text, what=what,
                              env={"REPORTC_CITED": str(kept if text is document else listing)})
        try:
            results = _with_list_apart(setup, document, write, cache, "html")
        except ToolError:
            return None
        cited = kept_report(kept, {doc.anchor for doc in docs})
        listed = listing.read_text(encoding="utf-8") if listing.is_file() else None
    written = _written(results, docs)
    checked = pieces.unmark_all(cache, written, [doc.anchor for doc in docs], cited, marked,
                                _chapter_key(version, setup), setup.notes_list)
    if written is None or checked is None:
        return None
    if cited and len(results) > 1:
        _keep_listed(setup, document, cache, listed)
        cited.references = None  # not read back: the record keeps the list's HTML
    cache.put("report-html", key, json.dumps(written, sort_keys=True))
    for doc in docs:
        if cited and doc.anchor in cited.blocks:  # render_chapters finds it after a recall
            cache.put("html", _html_key(cited.blocks[doc.anchor], version, doc.anchor, setup),
                      written[doc.anchor])
        item_done(f"cited and rendered {doc.rel}")
    return written, cited, checked


PIECES = ["-M", "reportc-pieces=true"]  # the render filter marks each top-level block
HTML = ["-f", "json", "-t", "html5", "--wrap=none", "--mathml", "--sandbox"]  # chapters' HTML


def _chapter_key(version: str, setup: CitationSetup) -> str:
    """What a chapter's HTML depends on besides its blocks and anchor."""
    return digest(version, tool_versions(), *setup.writing(),
                  file_digest(Path(str(RENDER_FILTER))))


def _written(results: list[PandocResult], docs: list[ChapterDoc]) -> dict[str, str] | None:
    """anchor -> HTML of each chapter and ``REFS`` -> the list, from the one-process run;
    ``None`` if it warned or lost a chapter (the two-step path reports why, by file)."""
    if [w for r in results for w in r.warnings if not w.startswith(NO_PRINTED_FORM)]:
        return None
    written: dict[str, str] = {}
    for result in results:
        parts = BATCH_MARKER.split(result.output)[1:]
        written.update(zip(parts[::2], parts[1::2], strict=True))
    if [name for name in written if name != REFS] != [doc.anchor for doc in docs]:
        return None
    return written


def _chapter_sources(docs: list[ChapterDoc], setup: CitationSetup) -> list[tuple[str, str]]:
    """Each chapter's anchor and blocks (JSON) as citeproc gets them."""
    return [(doc.anchor, cite_set_members(take_blocks(doc), setup.sets)) for doc in docs]


def _report_document(docs: list[ChapterDoc], chapters: list[tuple[str, str]],
                     listed: tuple[str, ...] = ()) -> str:
    """The whole report for citeproc: each chapter a section Div named by its anchor, its
    citation positions afresh. No chapter metadata reaches citeproc (bibliography and csl
    come from report.yaml), only ``listed``: the entries ``nocite:`` names."""
    divs = ",".join(f'{{"t":"Div","c":[[{json.dumps(anchor)},{SECTION},[]],{blocks}]}}'
                    for anchor, blocks in chapters)
    version = json.dumps(api_version(docs[0]))
    meta = json.dumps(nocite_meta(listed)) if listed else "{}"
    return f'{{"pandoc-api-version":{version},"meta":{meta},"blocks":[{divs}]}}'


def cite_report(docs: list[ChapterDoc], setup: CitationSetup, diag: Diagnostics,
                cache: BuildCache, source: Bibliography | None = None,
                chapters: list[tuple[str, str]] | None = None) -> Cited | None:
    """Run citeproc once over every chapter (``None`` if it failed, reported).
    ``chapters``: :func:`_chapter_sources` of ``docs`` if the caller has them already
    (serialising the 200-page report's chapters takes 0.1 s)."""
    if not docs:
        return Cited({})
    document = _report_document(docs, chapters or _chapter_sources(docs, setup), setup.listed)
    anchors = {doc.anchor for doc in docs}
    key = digest("cited", document, setup.fingerprint())
    cached = cache.get("cited", key)
    if cached is not None:
        return split_cited(cached.split("\n"), anchors)

    def cite(citing: CitationSetup, text: str) -> PandocResult:
        return run_pandoc(["-f", "json", "-t", "json", *citing.settings(), *_citeproc(text)],
                          text, what=setup.csl.name)
    try:
        results = _with_list_apart(setup, document, cite, cache, "json")
    except ToolError as exc:
        diag.error(str(exc))
        return None
    warnings = [w for r in results for w in r.warnings if not w.startswith(NO_PRINTED_FORM)]
    place_warnings(warnings, docs, diag, source)  # at the chapter or entry they are about
    # pandoc writes JSON on one line: the chapters' and the list's, one per line
    outputs = [result.output.strip() for result in results]
    if not warnings:
        cache.put("cited", key, "\n".join(outputs))
    return split_cited(outputs, anchors)


def _citeproc(document: str) -> list[str]:
    """pandoc's own ``--citeproc`` for a document without deleted text (a redline's
    ``del`` class), which ``resources/cite.lua`` cites apart; the filter's Lua copy of the
    whole document costs a tenth of the citing time."""
    return [f"--lua-filter={CITE_FILTER}"] if '"del"' in document else ["--citeproc"]


def _with_list_apart(setup: CitationSetup, document: str,
                     run: Callable[[CitationSetup, str], PandocResult],
                     cache: BuildCache, kind: str) -> list[PandocResult]:
    """``run`` over the report; where the style allows, the chapters are cited without
    the list while a second ``run`` makes the list from the cited keys alone. That list
    is kept in the cache by those keys: an edit that cites nothing new reuses it.
    ``kind`` names what ``run`` writes (each kind is cached apart)."""
    with _citing_apart(setup) as apart:
        if apart is None:
            return [run(setup, document)]
        listing_document = _list_document(document)
        key = _list_key(kind, listing_document, setup)
        kept = cache.get("cited-list", key)
        if kept is not None:
            return [run(apart, document), PandocResult(kept, [])]
        with ThreadPoolExecutor(max_workers=1) as pool:
            listing: Future[PandocResult] = pool.submit(run, setup, listing_document)
            cited = run(apart, document)
            listed = listing.result()
        if not [w for w in listed.warnings if not w.startswith(NO_PRINTED_FORM)]:
            cache.put("cited-list", key, listed.output)
        return [cited, listed]


def _list_key(kind: str, listing_document: str, setup: CitationSetup) -> str:
    """The cache key of a list made apart, written as ``kind`` (html, json)."""
    return digest("list apart", kind, listing_document, setup.fingerprint(),
                  file_digest(Path(str(RENDER_FILTER))), file_digest(Path(str(CITE_FILTER))))


def _keep_listed(setup: CitationSetup, document: str, cache: BuildCache,
                 listed: str | None) -> None:
    """Keeps the list made apart as citeproc left it (JSON) where :func:`cite_report`
    looks for it: ``listed``, this run's, or the one the cache has (not parsed: 0.1 s
    for 750 entries, and nothing reads it in this build)."""
    key = _list_key("json", _list_document(document), setup)
    if listed is None:
        cache.get("cited-list", key)  # used, so kept
    else:
        cache.put("cited-list", key, listed)


# Each chapter is a section whose citation positions start afresh (first citation full).
SECTION = json.dumps(["section", "reset-citation-positions"])


def render_chapters(docs: list[ChapterDoc], setup: CitationSetup, diag: Diagnostics,
                    cache: BuildCache, pool: Executor, jobs: int,
                    cited: Cited | None = None) -> list[str | None]:
    """Each chapter's HTML (``None`` where a problem was reported), batch by batch on
    ``pool``: from the cache, or written in one pandoc process for the batch's chapters
    that are not; each is checked (:func:`check_html`) there too. Hashing, checking and
    pandoc's work all overlap across the pool's threads. ``cited``: the report as
    :func:`cite_report` returned it (cited here if not given)."""
    cited = cited or cite_report(docs, setup, diag, cache)
    if cited is None:
        return [None] * len(docs)
    version = str(api_version(docs[0])) if docs else ""

    def render(batch: list[ChapterDoc]) -> dict[str, str | None]:
        keys = {doc.anchor: _html_key(cited.blocks[doc.anchor], version, doc.anchor, setup)
                for doc in batch}
        html = {doc.anchor: cache.get("html", keys[doc.anchor]) for doc in batch}
        # HTML from the cache passed the check: the index keeps only a successful build's
        # entries, and that build checked every chapter's HTML (0.45 s on 200 pages)
        checked = {anchor for anchor, found in html.items() if found is not None}
        for doc in batch:  # after an edit: only its blocks written, if the last are kept
            if html[doc.anchor] is not None:
                pieces.keep_records(cache, [doc.anchor], _chapter_key(version, setup))
            elif made := _spliced(doc, cited, setup, cache):
                html[doc.anchor] = made
                checked.add(doc.anchor)
                cache.put("html", keys[doc.anchor], made)
                item_done(f"rendered the edited blocks of {doc.rel}")
        todo = [doc for doc in batch if html[doc.anchor] is None]
        if todo:
            done, fresh = _render_batch(todo, diag, cache, keys, cited, setup)
            html.update(done)
            checked |= fresh
        return {doc.anchor: html[doc.anchor] if doc.anchor in checked else
                _checked(html[doc.anchor], doc, diag) for doc in batch}

    rendered: dict[str, str | None] = {}
    for done in pool.map(render, batches(docs, lambda doc: len(doc.chapter.text), jobs)):
        rendered.update(done)
    return [rendered[doc.anchor] for doc in docs]


def _html_key(blocks: str, version: str, anchor: str, setup: CitationSetup) -> str:
    """A chapter's HTML by its cited blocks (the same from either path of citing)."""
    return digest(blocks, version, anchor, tool_versions(), *setup.writing(),
                  file_digest(Path(str(RENDER_FILTER))))


def _render_batch(batch: list[ChapterDoc], diag: Diagnostics, cache: BuildCache,
                  keys: dict[str, str], cited: Cited, setup: CitationSetup
                  ) -> tuple[dict[str, str | None], set[str]]:
    """One pandoc process for ``batch`` (chapter by chapter if it fails or warns); also
    the anchors of chapters checked piece by piece (and kept so, :mod:`.pieces`)."""
    sources = cited.blocks
    marked = not any(pieces.MARK in sources[doc.anchor] for doc in batch)
    args = [*HTML, *setup.writing(), *(PIECES if marked else []), f"--lua-filter={RENDER_FILTER}"]
    converted = run_batch(args, batch, lambda docs: _batch_document(docs, sources),
                          lambda doc: doc.anchor, lambda doc: doc.rel)
    html: dict[str, str | None] = {}
    checked: set[str] = set()
    for doc in batch:
        result = converted[doc.anchor]
        html[doc.anchor] = result.output
        if marked and result.output is not None:
            made = pieces.keep_cut(cache, result.output, cited.texts.get(doc.anchor), doc.anchor,
                            _chapter_key(str(api_version(doc)), setup),
                            setup.notes_list)
            html[doc.anchor] = made[0] if made else None
            checked |= {doc.anchor} if made and made[1] else set()
        if result.error:
            diag.error(str(result.error).removeprefix(f"{doc.rel}: "), doc.rel)
            continue
        for warning in result.warnings:
            if located := located_math_warning(warning, doc):
                diag.error(located[0], doc.rel, located[1])  # it would print raw TeX
            else:
                diag.warning(f"pandoc: {warning}", doc.rel,
                             warning_line(warning, doc.chapter, False), code="pandoc")
        if not result.warnings and (output := html[doc.anchor]) is not None:
            cache.put("html", keys[doc.anchor], output)
        item_done(f"rendered {doc.rel}")
    return html, checked


def _spliced(doc: ChapterDoc, cited: Cited, setup: CitationSetup, cache: BuildCache
             ) -> str | None:
    """The chapter's HTML from its last kept pieces and the blocks an edit changed,
    written alone (:func:`.pieces.spliced`); ``None`` where it is written whole."""
    version = api_version(doc)
    return pieces.spliced_chapter(
        cache, doc.anchor, cited, version,
        [*HTML, *setup.writing(), f"--lua-filter={RENDER_FILTER}"],
        _chapter_key(str(version), setup), setup.notes_list, doc.rel)


def _batch_document(batch: list[ChapterDoc], sources: dict[str, str]) -> str:
    """One pandoc document holding each chapter as a Div named by its anchor (built from
    each chapter's cited blocks already serialised for its cache key)."""
    divs = ",".join(f'{{"t":"Div","c":[[{json.dumps(doc.anchor)},[],[]],{sources[doc.anchor]}]}}'
                    for doc in batch)
    version = json.dumps(api_version(batch[0]))
    return f'{{"pandoc-api-version":{version},"meta":{{}},"blocks":[{divs}]}}'


def render_bibliography(cited: Cited | None, api_version: list[int], setup: CitationSetup,
                        diag: Diagnostics, cache: BuildCache,
                        source: Bibliography | None = None) -> tuple[str, list[str]]:
    """The reference list citeproc made with the chapters, as HTML, and the keys left out
    of it because they print nothing in the style (each a located warning)."""
    if cited is None or not cited.references or cited.references == "[]":
        return "", []
    what = source.rel if source else "bibliography"
    key = digest(cited.references, str(api_version), tool_versions())
    listed = cache.get("bibliography", key)
    if listed is None:
        document = (f'{{"pandoc-api-version":{json.dumps(api_version)},"meta":{{}},'
                    f'"blocks":{cited.references}}}')
        try:
            listed = run_pandoc(["-f", "json", "-t", "html5", "--wrap=none", "--mathml",
                                 "--sandbox"], document, what=what).output
        except ToolError as exc:
            diag.error(str(exc))
            return "", []
        cache.put("bibliography", key, listed)
    listed, dropped = _drop_empty_entries(listed)
    for empty in dropped:
        _report_empty(empty, setup.csl, source, diag)
    if not check_html(listed, what, diag):
        return "", []
    return listed, dropped


def _checked(html: str | None, doc: ChapterDoc, diag: Diagnostics) -> str | None:
    """The chapter's HTML if it passes the sandbox's checks (else they reported why)."""
    return html if html is not None and check_html(html, doc.rel, diag) else None
