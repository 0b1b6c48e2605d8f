"""The orchestrator: ``build()`` reads as the list of the pipeline's stages."""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from markupsafe import Markup

from reportc.cache import (
    CACHE_DIR,
    BuildCache,
    digest,
    outputs_intact,
    theme_outside_files,
    tool_versions,
)
from reportc.charts.early import has_charts
from reportc.charts.engine import ChartEngine, start_engine
from reportc.charts.figures import Drawings, draw_charts
from reportc.charts.theme import chart_theme
from reportc.citing.citation import how_to_cite, render_markdown_file
from reportc.citing.cited import Cited
from reportc.citing.reflist import place_bibliography, unlink_citations
from reportc.citing.render import render_report
from reportc.citing.setup import CitationSetup
from reportc.document.lists import ReportLists, collect_lists
from reportc.document.model import ChapterDoc, ast_digest
from reportc.document.numbering import number_report
from reportc.document.read import read_report
from reportc.document.xrefs import resolve_references
from reportc.editions.base import Edition, Made
from reportc.editions.metadata import PublisherMatter, publisher_matter
from reportc.editions.page import PageContext, make_parts
from reportc.editions.run import write_editions
from reportc.editions.theme import Theme, find_theme
from reportc.errors import Diagnostics, reported
from reportc.evidence.check import Evidence, check_evidence
from reportc.evidence.locate import source_folders
from reportc.output import check_out_dir, staging_folder
from reportc.pdf.glyphs import check_glyphs
from reportc.progress import StageTimer
from reportc.project.bibliography import (
    Bibliography,
    References,
    check_citations,
    load_bibliography,
)
from reportc.project.chapters import Chapter, load_chapters
from reportc.project.config import MANUBOT_METADATA, ReportConfig, load_config
from reportc.project.csl import resolve_csl
from reportc.project.versioning import Release, resolve_release
from reportc.registry import EDITIONS, chosen
from reportc.run import DEFAULT_FORMATS as DEFAULT_FORMATS
from reportc.run import BuildOptions, Run
from reportc.sandbox.checks import check_chapter, check_csl
from reportc.version import __version__

log = logging.getLogger("reportc")
FORMATS = tuple(EDITIONS)


@dataclass
class BuildResult:
    config: ReportConfig
    outputs: list[Path]
    diagnostics: Diagnostics
    up_to_date: bool = False


def build(options: BuildOptions) -> BuildResult:
    """Build the report; raise a :class:`ReportError` listing every problem found."""
    root = options.root.resolve()
    diag = Diagnostics.until_policy()
    check_out_dir(options.out_dir)
    config = load_config(root, diag)
    diag.set_policy(strict=options.strict or (options.status or config.status) == "final",
                    silenced=frozenset(config.silence))  # the one place the policy is set
    release = resolve_release(config, _build_date(config), label=options.version_label,
                              status=options.status, use_git=options.git_stamp)
    chapters = load_chapters(config, diag)
    csl = resolve_csl(config, diag)
    theme = find_theme(root)
    editions = chosen(options.formats)
    diag.raise_if_errors()

    run = Run(options, root, diag, BuildCache(options.out_dir / CACHE_DIR, diag,
                                              enabled=options.use_cache))
    fingerprint = partial(_input_fingerprint, options, config, chapters, csl, theme, release,
                          editions)
    engine = _chart_engine(theme, chapters, run.cache)  # starts while the inputs are hashed
    if _up_to_date(run, fingerprint):
        return BuildResult(config, [], diag, up_to_date=True)
    check_csl(csl, config.line_of("csl"), diag)  # the same style passed it last time
    diag.raise_if_errors()
    # the editions' own setup (the PDF's: WeasyPrint imported and warmed up, 1 s) runs
    # while the chapters are read and checked: an edit's are soon done, and the PDF
    # waited for it
    started = [edition.start(config, theme) for edition in editions]

    timer = StageTimer()
    bibliography = load_bibliography(config.bibliographies, root, diag)
    diag.raise_if_errors()
    converter = References(bibliography, run.cache, options.jobs)  # read while chapters are
    timer.done(f"read {len(bibliography.records)} bibliography entries")
    with converter.finishing():  # a build stopped here waits for the conversion to end
        checked = _read_and_check(run, config, chapters, theme, engine, editions,
                                  bibliography, timer)
    outputs = _write_report(run, config, theme, release, csl, checked, bibliography,
                            converter, timer, started)
    timer.done("wrote " + ", ".join(options.formats))
    _remember_build(run, fingerprint, outputs, checked.docs, checked.evidence)
    return BuildResult(config, outputs, diag)


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
                    bibliography: Bibliography, timer: StageTimer) -> _Checked:
    """Read the chapters, send their charts to the renderer, number them, resolve their
    references and check them; every problem is reported before the build stops."""
    root, diag = config.root, run.diag
    docs = read_report(run, chapters)
    timer.done(f"read {len(docs)} chapter(s)")
    drawings = _draw_charts(run, docs, config, theme, engine, timer)
    targets = number_report(docs, diag, run.cache, config.crossref)
    for doc in docs:
        resolve_references(doc, targets, bibliography.keys, root, diag, run.cache)
        check_chapter(doc, root, config.attachments, diag)
    check_citations(bibliography, {key for doc in docs for key in doc.cite_keys}, diag)
    shapes = [ast_digest(doc) for doc in docs] if run.cache.enabled else None
    evidence = check_evidence(run, docs, bibliography, config, shapes) \
        if run.options.family == "report" else Evidence()  # a redline mixes two texts
    if any(edition.paged for edition in editions):  # before layout, at the line
        check_glyphs(docs, theme.fonts, diag, run.cache, shapes)
    if evidence.sourced:  # every build with sources writes the table
        editions = chosen((*run.options.formats, "evidence"))
    lists = collect_lists(docs, config.publisher.lists)  # gives list entries their anchors
    diag.raise_if_errors()
    return _Checked(docs, drawings, evidence, editions, lists)


def _write_report(run: Run, config: ReportConfig, theme: Theme, release: Release,
                  csl: Path | None, checked: _Checked, bibliography: Bibliography,
                  converter: References, timer: StageTimer,
                  started: list[Callable[[], None] | None]) -> list[Path]:
    """Cite the report and render its chapters, put the reference list and the charts in
    place, then write the editions (``started``: each edition's setup, begun before the
    chapters were read, to wait for); the files written."""
    docs, editions, diag = checked.docs, checked.editions, run.diag
    cited = bibliography.expand({key for doc in docs for key in doc.cite_keys})
    with tempfile.TemporaryDirectory(prefix="reportc-") as scratch:  # CSL JSON the editions read
        references, bodies, setup, report = _cite(
            run, docs, cited, bibliography, converter, reported(csl), config,
            Path(scratch), any(edition.notes_list for edition in editions))
        bodies, references = place_bibliography(bodies, references, docs, diag)
        if checked.drawings:
            bodies = checked.drawings.finish(bodies, diag)
            timer.done("drawings in place")
        diag.raise_if_errors()
        timer.done(f"cited {len(cited)} source(s) and rendered the chapters")

        matter = _publisher_matter(run, config, docs, checked.lists, csl, release, editions)
        context = PageContext(config, make_parts(docs, bodies), Markup(references), "web",
                              release.date, version_label=release.stamp, release=release,
                              live_reload=run.options.live_reload, matter=matter)
        for wait in started:
            if wait:
                wait()  # before an edition forks workers (the PDF's layout)
        made = Made(run, config, theme, context, release, docs, setup,
                    release.artifact_stem(config.slug), evidence=checked.evidence,
                    cited=report)
        return _write_outputs(run, editions, made)


def _chart_engine(theme: Theme, chapters: list[Chapter], cache: BuildCache
                  ) -> ChartEngine | None:
    """The renderer if the report has charts: started now (it draws while the chapters are
    read) when the cache has no drawing at all, else at the first chart not cached (an
    unchanged chart costs no renderer)."""
    if not has_charts([chapter.text for chapter in chapters]):
        return None
    engine = start_engine([theme.root / "fonts"])
    if not any(key.startswith("chart:") for key in cache.entries):
        engine.start()
    return engine


def _draw_charts(run: Run, docs: list[ChapterDoc], config: ReportConfig, theme: Theme,
                 engine: ChartEngine | None, timer: StageTimer) -> Drawings | None:
    """Charts become figures before numbering counts them; the renderer draws the new
    ones while the chapters are numbered and rendered."""
    if engine is None:
        return None
    drawings = draw_charts(docs, config.root, chart_theme(theme.root, config.charts), engine,
                           run.diag, run.cache)
    timer.done(f"sent {len(drawings.pending)} chart(s) to the renderer")
    return drawings


def _publisher_matter(run: Run, config: ReportConfig, docs: list[ChapterDoc],
                      lists: ReportLists, csl: Path | None, release: Release,
                      editions: list[Edition]) -> PublisherMatter:
    """Imprint, how to cite, lists and metadata (#17); reference files go beside a paged
    edition (the PDF) or a release."""
    diag, cache, options = run.diag, run.cache, run.options
    matter = publisher_matter(
        config, docs, lists, how_to_cite(config, csl, config.date or release.date, diag, cache),
        render_markdown_file(config.publisher.acknowledgements, config.root, diag, cache),
        release.date, release.artifact_stem(config.slug),
        options.reference_files and (any(e.reference_files for e in editions)
                                     or bool(options.version_label)))
    diag.raise_if_errors()
    return matter


def _up_to_date(run: Run, fingerprint: Callable[[object, object], str]) -> bool:
    """Are the outputs those of these inputs? Then the last build's warnings still stand."""
    cache = run.cache
    last_images, last_sources = cache.meta.get("images"), cache.meta.get("sources")
    if cache.meta.get("fingerprint") != fingerprint(last_images, last_sources) or \
            not outputs_intact(run.out_dir, cache.meta.get("outputs")):
        return False
    shown = {str(w) for w in run.diag.warnings}  # found again before this check, printed
    remembered = cache.meta.get("warnings")
    for warning in remembered if isinstance(remembered, list) else []:
        if warning not in shown:
            log.warning("%s", warning)
    log.info("reportc: %s is up to date", run.out_dir)
    return True


def _input_fingerprint(options: BuildOptions, config: ReportConfig, chapters: list[Chapter],
                       csl: Path | None, theme: Theme, release: Release,
                       editions: list[Edition], images: object, sources: object) -> str:
    """Everything the outputs depend on, hashed (``images``: the ones the chapters use;
    ``sources``: the source files the evidence check read and the ones report.yaml or a
    ``file`` field names; a ``KEY.EXT`` added shows in the folder listings)."""
    files = _input_files(config, chapters, csl, theme, editions, images)
    readable = [config.root.resolve(), *(f.resolve() for f in options.source_dirs)]
    files += [path for path in map(Path, sources if isinstance(sources, list) else [])
              if any(path.is_relative_to(f) for f in readable)]  # not a folder no longer given
    parts: list[str | bytes] = [
        __version__, tool_versions(), ",".join(options.formats), str(options.strict),
        os.environ.get("SOURCE_DATE_EPOCH", ""), str(dt.date.today())
        if config.date is None else "", release.fingerprint(),
        f"{options.self_contained}|{options.live_reload}|{options.single_pass}",
        "|".join(str(folder.resolve()) for folder in options.source_dirs),
        *map(_listing, source_folders(config.root, options.source_dirs))]
    for path in files:
        parts.append(str(path))
        parts.append(path.read_bytes() if path.is_file() else b"<missing>")
    return digest(*parts)


def _input_files(config: ReportConfig, chapters: list[Chapter], csl: Path | None,
                 theme: Theme, editions: list[Edition], images: object) -> list[Path]:
    """The report's files the outputs are made from: configuration, chapters and what they
    read in, theme, the editions' own inputs, bibliographies, style, publisher's files,
    images and attachments."""
    files = [config.path, *(ch.path for ch in chapters), *theme.files()]
    files += [config.root / name for ch in chapters for name in ch.read_in]
    files += [config.root / name for name in config.project_files]
    files += [config.root / name for name in MANUBOT_METADATA]  # title, authors (if absent)
    files += [path for edition in editions for path in edition.inputs(config, theme)]
    files += [*config.bibliographies, *([csl] if csl else []), *config.publisher.files()]
    files += [config.root / name for name in images] if isinstance(images, list) else []
    files += [config.root / name for name in config.attachments]
    return files + theme_outside_files(theme.root, config.root)


def _listing(folder: Path) -> str:
    """The names in a folder sources are looked up in: a ``KEY.EXT`` added is a change."""
    try:
        return "\n".join(sorted(os.listdir(folder)))
    except OSError:  # absent (the usual case for sources/) or unreadable
        return "<none>"


def _remember_build(run: Run, fingerprint: Callable[[object, object], str],
                    outputs: list[Path], docs: list[ChapterDoc], evidence: Evidence) -> None:
    cache = run.cache
    images = sorted({image for doc in docs
                     for image in [*doc.images, *doc.drawn, *doc.inputs]})
    sources = sorted({str(path) for path in evidence.considered})
    cache.meta = {
        **cache.carry,
        "warnings": [str(w) for w in run.diag.warnings],
        "fingerprint": fingerprint(images, sources),
        "outputs": {p.relative_to(run.out_dir).as_posix(): digest(p.read_bytes()) for p in outputs},
        "images": images,
        "sources": sources,
    }
    cache.save()


def _cite(run: Run, docs: list[ChapterDoc], cited: list[str], bibliography: Bibliography,
          converter: References, csl: Path, config: ReportConfig, scratch: Path,
          notes_list: bool = True
          ) -> tuple[str, list[str], CitationSetup, Cited | None]:
    """The reference list and each chapter's HTML: the cited entries become CSL JSON in
    ``scratch`` (the .bib file is parsed once), citeproc runs once over the report, then
    the chapters and the list are written in parallel; entries that print nothing are
    left out of the list and unlinked. The setup is returned for the Word edition, whose
    citeproc run reads the same CSL JSON (in ``scratch``); and the cited report (the EPUB
    is written from it). ``notes_list``: an edition reads the chapters' web HTML with its
    list of notes."""
    diag = run.diag
    path = converter.write(cited, scratch, diag)
    diag.raise_if_errors()
    setup = CitationSetup(path, csl, config.lang, sets=bibliography.sets(),
                          notes_list=notes_list)
    bodies, references, dropped, report = render_report(docs, setup, diag, run.cache,
                                                         run.jobs, bibliography)
    diag.raise_if_errors()
    return references, [reported(body) for body in unlink_citations(bodies, dropped)], setup, \
        report


def _build_date(config: ReportConfig) -> dt.date:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the report's date, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return config.date or dt.date.today()


def _write_outputs(run: Run, editions: list[Edition], made: Made) -> list[Path]:
    """Write every edition into a staging folder; move them into place only if all succeed."""
    with staging_folder(run.out_dir, run.options.family) as staging:
        write_editions(editions, made, staging.path)
        run.diag.raise_if_errors()
        return staging.commit()
