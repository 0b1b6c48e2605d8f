"""The build's stages after the no-change check: read and check the chapters, cite them,
write the editions, remember the build. :mod:`reportc.build` imports this module only when
there is work to do, so that a rebuild with nothing to do loads none of the stages'
modules (about half of its time was importing them)."""

from __future__ import annotations

import contextlib
import gc
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from reportc.cache import digest
from reportc.charts.engine import ChartEngine
from reportc.charts.figures import Drawings, draw_charts
from reportc.charts.guess import guess_charts
from reportc.charts.theme import chart_theme
from reportc.citing.reflist import place_bibliography, unlink_citations
from reportc.citing.render import render_report
from reportc.citing.setup import CitationSetup
from reportc.document.hidden import absent_targets
from reportc.document.links import heading_aliases
from reportc.document.lists import ReportLists, collect_lists
from reportc.document.model import ChapterDoc, Target, ast_digest
from reportc.document.numbering import number_report
from reportc.document.read import Reading, read_report
from reportc.document.reuse import Reuse
from reportc.document.xrefs import report_aliases, resolve_references
from reportc.editions.base import Edition, Made, Started
from reportc.editions.imprint import ImprintTexts
from reportc.editions.metadata import PublisherMatter, publisher_matter
from reportc.editions.page import PageContext, make_parts
from reportc.editions.run import write_editions
from reportc.editions.theme import Theme
from reportc.errors import Diagnostics, reported
from reportc.evidence.check import Evidence, check_evidence
from reportc.output import staging_folder
from reportc.pdf.glyphs import check_glyphs
from reportc.progress import StageTimer
from reportc.project.bibliography import (
    Bibliography,
    References,
    check_citations,
    load_bibliography,
)
from reportc.project.chapters import Chapter
from reportc.project.config import ReportConfig
from reportc.project.versioning import Release
from reportc.project.words import ENGLISH
from reportc.registry import chosen
from reportc.run import Run
from reportc.sandbox.checks import check_chapter, check_csl, check_images

# The build's fingerprint of its inputs, given the images and source files the chapters
# used and the files the editions read (:func:`reportc.build._input_fingerprint`).
Fingerprint = Callable[[object, object, object], str]


def make_report(run: Run, config: ReportConfig, chapters: list[Chapter], csl: Path | None,
                theme: Theme, release: Release, engine: ChartEngine | None,
                fingerprint: Fingerprint, started: dict[str, Started] | None = None,
                begun: Reading | None = None) -> list[Path]:
    """Write the report's editions and remember the build; the files written
    (``started``: the editions' head starts the caller began, closed here too;
    ``begun``: the chapters' reading, begun by the caller)."""
    try:
        return _make_report(run, config, chapters, csl, theme, release, engine, fingerprint,
                            started or {}, begun)
    finally:
        _thaw()  # what _read_and_check froze, collectable again (a watch session goes on)


def _make_report(run: Run, config: ReportConfig, chapters: list[Chapter], csl: Path | None,
                 theme: Theme, release: Release, engine: ChartEngine | None,
                 fingerprint: Fingerprint, begun_early: dict[str, Started],
                 reading: Reading | None) -> list[Path]:
    diag, options = run.diag, run.options
    editions = chosen(options.formats)
    # the editions' own setup (the PDF's: WeasyPrint imported and warmed up, 1 s, in the
    # process that forks its layout workers) runs while the chapters are read and checked:
    # an edit's are soon done, and the PDF waited for it. First, while this process is
    # small and has no other thread: the PDF's workers are forked from what it starts.
    # (The build begins the PDF's earlier when it can: reportc.build._head_start.)
    started = {edition.name: begun for edition in editions
               if (begun := begun_early.get(edition.name)
                   or edition.start(run, config, theme)) is not None}
    timer = StageTimer()
    try:
        check_csl(csl, config.line_of("csl"), diag, run.cache)
        diag.raise_if_errors()
        bibliography = load_bibliography(config.bibliographies, config.root, diag)
        diag.raise_if_errors()
        converter = References(bibliography, run.cache, options.jobs)  # read with chapters
        timer.done(f"read {len(bibliography.records)} bibliography entries")
        with converter.finishing():  # a build stopped here waits for the conversion to end
            checked = _read_and_check(run, config, chapters, theme, engine, editions,
                                      bibliography, timer, reading)
        outputs = _write_report(run, config, theme, release, csl, checked, bibliography,
                                converter, timer, started)
    finally:
        for begun in started.values():
            begun.close()
    timer.done("wrote " + ", ".join(options.formats))
    inputs = [str(path) for edition in editions for path in edition.inputs(config, theme)]
    _remember_build(run, fingerprint, inputs, outputs, checked.docs, checked.evidence)
    return outputs


_FROZEN: list[bool] = []  # True while this build holds objects frozen (gc.freeze)


def _freeze() -> None:
    """Put the objects alive now out of the garbage collector's sight: the chapters' trees
    (millions of objects on 200 pages) live until the build ends and hold no cycles, and
    its full passes in this process (and in PDF workers forked from it, without a zygote)
    walked them
    (0.2-0.3 s of an edit's CPU). Not if the calling program froze objects itself: their
    unfreezing is its business."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        _FROZEN.append(True)


def _thaw() -> None:
    """Undo :func:`_freeze` at the end of the build."""
    if _FROZEN:
        _FROZEN.clear()
        gc.unfreeze()


@dataclass
class _Checked:
    """The chapters as read, numbered and checked, with what that found: the charts being
    drawn, the evidence, the editions to write (the evidence table joins them when
    sources were checked) and the report's lists."""

    docs: list[ChapterDoc]
    drawings: Drawings | None
    evidence: Evidence
    editions: list[Edition]
    lists: ReportLists


def _read_and_check(run: Run, config: ReportConfig, chapters: list[Chapter], theme: Theme,
                    engine: ChartEngine | None, editions: list[Edition],
                    bibliography: Bibliography, timer: StageTimer,
                    reading: Reading | None = None) -> _Checked:
    """Read the chapters, send their charts to the renderer, number them, resolve their
    references and check them; every problem is reported before the build stops."""
    root, diag = config.root, run.diag
    if engine:  # the renderer draws the charts the text shows while pandoc reads it
        guess_charts(chapters, root, chart_theme(theme.root, config.charts), engine, run.cache)
    # the bibliography's keys (a new set each time they are asked for) and Manubot's
    # citation aliases, which hold in every chapter wherever they are written
    keys, aliases = bibliography.keys, report_aliases(chapter.text for chapter in chapters)
    _show(chapters, editions)
    reuse = _reuse(run, config, keys, aliases, engine)
    docs = read_report(run, chapters, reuse, reading)
    _freeze()
    timer.done(f"read {len(docs)} chapter(s)")
    drawings = _draw_charts(run, docs, config, theme, engine, timer, reuse)
    targets = number_report(docs, diag, run.cache, config.words.labels(),
                            reuse.number if reuse else None)
    targets.update(absent_targets([chapter.text for chapter in chapters], targets))
    targets.update(heading_aliases(docs, targets))  # links written to pandoc's identifiers
    for doc in docs:
        _resolve(doc, targets, (keys, aliases, config.words["takeaways-title"]), run, reuse)
        _check(doc, config, reuse, diag)
    check_citations(bibliography, listed_keys(docs, config, bibliography), diag)
    shapes = [reuse.shape(doc) if reuse else ast_digest(doc) for doc in docs] \
        if run.cache.enabled else None
    evidence = check_evidence(run, docs, bibliography, config, shapes) \
        if run.options.family == "report" else Evidence()  # a redline mixes two texts
    if any(edition.paged for edition in editions):  # before layout, at the line
        check_glyphs(docs, theme.fonts, diag, run.cache, shapes)
    if evidence.sourced:  # every build with sources writes the table
        editions = chosen((*run.options.formats, "evidence"))
    # gives list entries their anchors
    lists = collect_lists(docs, config.publisher.lists, config.words["takeaways-title"])
    diag.raise_if_errors()
    return _Checked(docs, drawings, evidence, editions, lists)


def _show(chapters: list[Chapter], editions: list[Edition]) -> None:
    """Each chapter knows the kinds of edition the build writes: its content for none of
    them is left out as it is read (:mod:`reportc.document.hidden`)."""
    shown = frozenset(edition.shows for edition in editions if edition.shows)
    for chapter in chapters:
        chapter.editions = shown


NOTE_WORDS = ("footnote-title", "footnote-back", "section-title-footnotes")  # render.lua's


def listed_keys(docs: list[ChapterDoc], config: ReportConfig, bibliography: Bibliography
                ) -> set[str]:
    """The entries the bibliography lists: those the chapters cite and those ``nocite:``
    names (report.yaml's, _quarto.yml's or a chapter's front matter; ``*``: every entry)."""
    keys = {key for doc in docs for key in doc.cite_keys}
    named = {*config.nocite, *(key for doc in docs for key in doc.chapter.nocite)}
    known = bibliography.keys
    return keys | (known if "*" in named else named & known)


def _uncited(docs: list[ChapterDoc], config: ReportConfig, bibliography: Bibliography
             ) -> tuple[str, ...]:
    """The entries listed only because ``nocite:`` names them, in order."""
    cited = {key for doc in docs for key in doc.cite_keys}
    return tuple(sorted(listed_keys(docs, config, bibliography) - cited))


def _note_words(config: ReportConfig) -> tuple[tuple[str, str], ...]:
    """The words the notes print (render.lua's), where the report's are not English."""
    return tuple((key, config.words[key]) for key in NOTE_WORDS
                 if config.words[key] != ENGLISH[key])


def _reuse(run: Run, config: ReportConfig, keys: set[str], aliases: dict[str, str],
           engine: ChartEngine | None) -> Reuse | None:
    """The per-chapter cache (:mod:`reportc.document.reuse`), for a report built from one
    text (a redline mixes two)."""
    if not run.cache.enabled or run.options.family != "report":
        return None
    return Reuse(run.cache, config.words.labels(), keys, config.root, config.attachments, aliases,
                 engine is not None)


def _check(doc: ChapterDoc, config: ReportConfig, reuse: Reuse | None, diag: Diagnostics
           ) -> None:
    """What the chapter may read into an output (a chapter taken whole from the cache:
    only its image files, its tree passed the check in the last build)."""
    if reuse is not None and reuse.checked(doc):
        check_images(doc, config.root, config.attachments, diag)
    else:
        check_chapter(doc, config.root, config.attachments, diag)


def _resolve(doc: ChapterDoc, targets: dict[str, Target],
             looked_up: tuple[set[str], dict[str, str], str], run: Run,
             reuse: Reuse | None) -> None:
    """Resolve the chapter's references (taken from the per-chapter cache if it can);
    ``looked_up``: the bibliography's keys, Manubot's aliases and a takeaway box's title."""
    keys, aliases, takeaways = looked_up

    def resolver(doc: ChapterDoc, targets: dict[str, Target], diag: Diagnostics) -> None:
        resolve_references(doc, targets, keys, run.root, diag, run.cache, aliases, takeaways)
    if reuse is None:
        resolver(doc, targets, run.diag)
    else:
        reuse.resolve(doc, targets, resolver, run.diag)


def _write_report(run: Run, config: ReportConfig, theme: Theme, release: Release,
                  csl: Path | None, checked: _Checked, bibliography: Bibliography,
                  converter: References, timer: StageTimer,
                  started: dict[str, Started]) -> list[Path]:
    """Cite the report and render its chapters, put the reference list and the charts in
    place, then write the editions (``started``: each edition's setup, begun before the
    chapters were read, to wait for); the files written."""
    docs, editions, diag = checked.docs, checked.editions, run.diag
    cited = bibliography.expand(listed_keys(docs, config, bibliography))
    imprint = ImprintTexts(config, csl, config.date or release.date, run.cache)  # meanwhile
    with tempfile.TemporaryDirectory(prefix="reportc-") as scratch, \
            contextlib.closing(imprint):  # CSL JSON the editions read
        references, bodies, setup = _cite(
            run, docs, cited, bibliography, converter, reported(csl), config,
            Path(scratch), any(edition.notes_list for edition in editions))
        bodies, references = place_bibliography(bodies, references, docs, diag)
        if checked.drawings:
            bodies = checked.drawings.finish(bodies, diag)
            timer.done("drawings in place")
        diag.raise_if_errors()
        timer.done(f"cited {len(cited)} source(s) and rendered the chapters")

        matter = _publisher_matter(run, config, docs, checked.lists, imprint, release,
                                   editions)
        context = PageContext(config, make_parts(docs, bodies), Markup(references), "web",
                              release.date, version_label=release.stamp, release=release,
                              live_reload=run.options.live_reload, matter=matter,
                              cache=run.cache)
        for begun in started.values():
            begun.wait()
        made = Made(run, config, theme, context, release, docs, setup,
                    release.artifact_stem(config.slug), evidence=checked.evidence,
                    started=started)
        return _write_outputs(run, editions, made)


def _draw_charts(run: Run, docs: list[ChapterDoc], config: ReportConfig, theme: Theme,
                 engine: ChartEngine | None, timer: StageTimer, reuse: Reuse | None
                 ) -> Drawings | None:
    """Charts become figures before numbering counts them; the renderer draws the new
    ones while the chapters are numbered and rendered. A chapter taken whole has its
    charts recalled; one made anew later (:mod:`reportc.document.reuse`) is drawn again."""
    if engine is None:
        return None
    drawings = draw_charts(docs, config.root, chart_theme(theme.root, config.charts), engine,
                           run.diag, run.cache, reuse.read_again if reuse else None,
                           config.words)
    if reuse is not None:
        reuse.redraw = drawings.draw
    timer.done(f"sent {drawings.sent} chart(s) to the renderer")
    return drawings


def _publisher_matter(run: Run, config: ReportConfig, docs: list[ChapterDoc],
                      lists: ReportLists, imprint: ImprintTexts, release: Release,
                      editions: list[Edition]) -> PublisherMatter:
    """Imprint, how to cite (made while the report was cited: ``imprint``), lists and
    metadata (#17); reference files go beside a paged edition (the PDF) or a release."""
    diag, options = run.diag, run.options
    matter = publisher_matter(
        config, docs, lists, *imprint.result(diag), release.date,
        release.artifact_stem(config.slug),
        options.reference_files and (any(e.reference_files for e in editions)
                                     or bool(options.version_label)))
    diag.raise_if_errors()
    return matter


def _remember_build(run: Run, fingerprint: Fingerprint, inputs: list[str],
                    outputs: list[Path], docs: list[ChapterDoc], evidence: Evidence) -> None:
    """The index's record of this build, which the next one's no-change check reads:
    the fingerprint, the outputs' digests, and what the fingerprint was given (the images
    and sources the chapters used, the files the editions read: ``inputs``)."""
    cache = run.cache
    images = sorted({image for doc in docs
                     for image in [*doc.images, *doc.drawn, *doc.inputs]})
    sources = sorted({str(path) for path in evidence.considered})
    cache.meta = {
        **cache.carry,
        "warnings": [str(w) for w in run.diag.warnings],
        "fingerprint": fingerprint(images, sources, inputs),
        "outputs": {p.relative_to(run.out_dir).as_posix(): digest(p.read_bytes()) for p in outputs},
        "images": images,
        "sources": sources,
        "edition_inputs": inputs,
    }
    cache.save()


def _cite(run: Run, docs: list[ChapterDoc], cited: list[str], bibliography: Bibliography,
          converter: References, csl: Path, config: ReportConfig, scratch: Path,
          notes_list: bool = True
          ) -> tuple[str, list[str], CitationSetup]:
    """The reference list and each chapter's HTML: the cited entries become CSL JSON in
    ``scratch`` (the .bib file is parsed once), citeproc runs once over the report, then
    the chapters and the list are written in parallel; entries that print nothing are
    left out of the list and unlinked. The setup is returned for the Word edition, whose
    citeproc run reads the same CSL JSON (in ``scratch``). ``notes_list``: an edition
    reads the chapters' web HTML with its list of notes."""
    diag = run.diag
    path = converter.write(cited, scratch, diag)
    diag.raise_if_errors()
    setup = CitationSetup(path, csl, config.lang, sets=bibliography.sets(),
                          notes_list=notes_list, words=_note_words(config),
                          listed=_uncited(docs, config, bibliography))
    bodies, references, dropped = render_report(docs, setup, diag, run.cache, run.jobs,
                                                 bibliography)
    diag.raise_if_errors()
    return references, [reported(body) for body in unlink_citations(bodies, dropped)], setup


def _write_outputs(run: Run, editions: list[Edition], made: Made) -> list[Path]:
    """Write every edition into a staging folder; move them into place only if all succeed."""
    with staging_folder(run.out_dir, run.options.family) as staging:
        write_editions(editions, made, staging.path)
        run.diag.raise_if_errors()
        return staging.commit()
