"""The orchestrator: ``build()`` reads as the list of the pipeline's stages.

A rebuild with nothing to do is answered here, from the inputs and the last build's
record, before any stage's module is imported (:mod:`reportc.pipeline` holds the stages):
importing them took about half of such a rebuild."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from reportc.cache import (
    CACHE_DIR,
    BuildCache,
    digest,
    outputs_intact,
    theme_outside_files,
    tool_versions,
)
from reportc.charts.early import has_charts
from reportc.editions.theme import Theme, find_theme
from reportc.errors import Diagnostics
from reportc.evidence.locate import source_folders
from reportc.output import check_out_dir
from reportc.paths import inside
from reportc.project.chapters import Chapter, chapter_files, load_chapters
from reportc.project.config import MANUBOT_METADATA, ReportConfig, load_config
from reportc.project.csl import resolve_csl
from reportc.project.profiles import said
from reportc.project.versioning import Release, build_date, resolve_release
from reportc.run import DEFAULT_FORMATS as DEFAULT_FORMATS
from reportc.run import BuildOptions, Run
from reportc.version import __version__

if TYPE_CHECKING:
    from reportc.charts.engine import ChartEngine
    from reportc.document.read import Reading
    from reportc.editions.base import Started

log = logging.getLogger("reportc")
READS = "reads"  # the index's record of each chapter file and the files it read in
# The names --format takes, in the registry's order (reportc.registry.EDITIONS: a test
# checks they agree), written out so that the command line need not import every edition.
FORMATS = ("html", "pdf", "docx", "epub", "brief", "evidence", "site")


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
    config = load_config(root, diag, options.given_files, options.profile,
                         options.pandoc_options)
    if config.profiles:
        log.info("reportc: profiles %s", said(root, config.profiles))
    diag.set_policy(strict=options.strict or (options.status or config.status) == "final",
                    silenced=frozenset(config.silence))  # the one place the policy is set
    release = resolve_release(config, build_date(config), label=options.version_label,
                              status=options.status, use_git=options.git_stamp)
    run = Run(options, root, diag, BuildCache(options.out_dir / CACHE_DIR, diag,
                                              enabled=options.use_cache))
    theme = find_theme(root)
    unchanged = _unchanged_files(run, config, theme, release)
    if unchanged:
        return BuildResult(config, [], diag, up_to_date=True)
    started = _head_start(run, config, theme) if unchanged is False else {}
    try:
        return _read_and_make(run, config, theme, release, started)
    finally:
        for begun in started.values():
            begun.close()


def _read_and_make(run: Run, config: ReportConfig, theme: Theme, release: Release,
                   started: dict[str, Started]) -> BuildResult:
    """Read the chapters, check again that there is work (when the first check could not
    tell) and make the report (``started``: the editions' head starts begun already)."""
    diag, options = run.diag, run.options
    chapters = load_chapters(config, diag)
    csl = resolve_csl(config, diag)
    diag.raise_if_errors()

    reads = chapter_reads(chapters)
    run.cache.carry[READS] = reads  # for the next build's no-change check
    fingerprint = partial(_input_fingerprint, options, config, reads, csl, theme, release)
    engine = _chart_engine(theme, chapters, run.cache)  # starts while the inputs are hashed
    if _up_to_date(run, fingerprint):
        return BuildResult(config, [], diag, up_to_date=True)
    reading = _start_reading(run, chapters, started)
    try:
        from reportc.pipeline import make_report  # only now: see the module's docstring

        outputs = make_report(run, config, chapters, csl, theme, release, engine,
                              fingerprint, started, reading)
    finally:
        if reading is not None:
            reading.close()
    return BuildResult(config, outputs, diag)


def _start_reading(run: Run, chapters: list[Chapter], started: dict[str, Started]
                   ) -> Reading | None:
    """pandoc begins reading what the cache lacks (an edit's chapter) while the stages are
    imported, once the PDF's processes are forked: a process forked while another thread
    starts pandoc inherits the pipe that tells the thread pandoc has started, and the
    thread waits for the forked process to end (the PDF's setup, begun by the pipeline
    when not here, forks)."""
    if "pdf" not in started:
        return None
    from reportc.document.read import start_reading

    return start_reading(chapters, run.diag, run.cache, run.jobs)


def _head_start(run: Run, config: ReportConfig, theme: Theme) -> dict[str, Started]:
    """The PDF's layout processes, forked as soon as the no-change check has found work:
    before the chapters are read and the stages' modules imported (0.2 s of CPU on an
    edit), so that the zygote's warm-up (0.8 s of CPU: WeasyPrint imported, a few lines
    laid out in the theme) runs meanwhile on the other core; an edit's layout waited for
    it. Not when the check could not tell: a rebuild found up to date after reading forks
    nothing. A PDF another format requires is begun by the pipeline, as before."""
    if "pdf" not in run.options.formats or _renderer_starting():
        return {}
    from reportc.pdf.headstart import start_pdf  # imports nothing heavy

    return {"pdf": start_pdf(run, config, theme)}


def _renderer_starting() -> bool:
    """Did the command line start the chart renderer before the build (a clean build of a
    report with charts)? Its own start-up (0.5 s of CPU) then has the other core, and the
    PDF's processes begin with the pipeline instead: with both at once, the 20-chart
    benchmark's clean build took 3.41 s against 3.31 s. (The engine's module is imported
    only when there is such a renderer: it is looked up, not imported.)"""
    engine = sys.modules.get("reportc.charts.engine")
    return engine is not None and engine.adopted()


def _chart_engine(theme: Theme, chapters: list[Chapter], cache: BuildCache
                  ) -> ChartEngine | None:
    """The renderer if the report has charts: started now (it draws while the chapters are
    read) when the cache has no drawing at all, else at the first chart not cached (an
    unchanged chart costs no renderer)."""
    if not has_charts([chapter.text for chapter in chapters]):
        return None
    from reportc.charts.engine import start_engine  # only now: a report without charts

    engine = start_engine([theme.root / "fonts"])
    if not any(key.startswith("chart:") for key in cache.entries):
        engine.start()
    return engine


def chapter_reads(chapters: list[Chapter]) -> dict[str, list[str]]:
    """Each chapter file (its path, in reading order) and the other files its text reads
    in: what the fingerprint hashes of the chapters (a file split in several is one)."""
    reads: dict[str, list[str]] = {}
    for chapter in chapters:
        names = reads.setdefault(str(chapter.path), [])
        names += [name for name in chapter.read_in if name not in names]
    return reads


def _unchanged_files(run: Run, config: ReportConfig, theme: Theme, release: Release
                     ) -> bool | None:
    """Up to date (True) or not (False), told before any chapter is read (0.06 s of a
    500-page report's 0.24 s): the chapter files are found as reading them would find
    them, and the fingerprint is taken with what the last build recorded each one read
    in. Were a file another, or one added or gone, its bytes or the list would differ; any
    doubt (a problem finding them, a file not recorded) leaves the answer to the check
    after reading (None). No build recorded: there is work (False)."""
    reads = run.cache.meta.get(READS)
    if run.diag.errors:
        return None
    if "fingerprint" not in run.cache.meta:  # no build recorded (or --no-cache)
        return False
    if not isinstance(reads, dict):
        return None
    found = Diagnostics.until_policy()  # held back: the check repeats the recorded ones
    files = chapter_files(config, found)
    if found.errors or any(str(path) not in reads or not inside(path.resolve(), config.root)
                           for path, _ in files):
        return None
    csl = resolve_csl(config, found)
    last = {str(path): reads[str(path)] for path, _ in files}
    return None if found.errors else _up_to_date(run, partial(
        _input_fingerprint, run.options, config, last, csl, theme, release))


def _up_to_date(run: Run, fingerprint: Callable[[object, object, object], str]) -> bool:
    """Are the outputs those of these inputs? Then the last build's warnings still stand.
    The fingerprint is taken with the images, sources and edition files the last build
    recorded: were any of them another, so would be the bytes hashed or their names."""
    cache = run.cache
    last = [cache.meta.get(name) for name in ("images", "sources", "edition_inputs")]
    if cache.meta.get("fingerprint") != fingerprint(*last) or \
            not outputs_intact(run.out_dir, cache.meta.get("outputs")):
        return False
    shown = {str(w) for w in run.diag.warnings}  # found again before this check, printed
    remembered = cache.meta.get("warnings")
    for warning in remembered if isinstance(remembered, list) else []:
        if warning not in shown:
            log.warning("%s", warning)
    log.info("reportc: %s is up to date", run.out_dir)
    return True


def _input_fingerprint(options: BuildOptions, config: ReportConfig,
                       reads: dict[str, list[str]], csl: Path | None, theme: Theme,
                       release: Release, images: object, sources: object,
                       edition_inputs: object) -> str:
    """Everything the outputs depend on, hashed (``reads``: :func:`chapter_reads`;
    ``images``: the ones the chapters use;
    ``sources``: the source files the evidence check read and the ones report.yaml or a
    ``file`` field names; a ``KEY.EXT`` added shows in the folder listings;
    ``edition_inputs``: the files the editions asked for read besides these; which ones
    follows from the formats, report.yaml and the theme's files, all hashed here)."""
    files = _input_files(config, reads, csl, theme, edition_inputs, images)
    readable = [config.root.resolve(), *(f.resolve() for f in options.source_dirs)]
    files += [path for path in map(Path, sources if isinstance(sources, list) else [])
              if any(path.is_relative_to(f) for f in readable)]  # not a folder no longer given
    parts: list[str | bytes] = [
        __version__, tool_versions(), ",".join(options.formats), str(options.strict),
        os.environ.get("SOURCE_DATE_EPOCH", ""), str(dt.date.today())
        if config.date is None else "", release.fingerprint(),
        f"{options.self_contained}|{options.live_reload}|{options.single_pass}",
        ",".join(config.profiles),  # when-profile content and profiles' settings
        "|".join(str(folder.resolve()) for folder in options.source_dirs),
        repr((options.given_files, options.pandoc_options)),  # which files, in which order
        *map(_listing, source_folders(config.root, options.source_dirs))]
    for path in files:
        parts.append(str(path))
        parts.append(path.read_bytes() if path.is_file() else b"<missing>")
    return digest(*parts)


def _input_files(config: ReportConfig, reads: dict[str, list[str]], csl: Path | None,
                 theme: Theme, edition_inputs: object, images: object) -> list[Path]:
    """The report's files the outputs are made from: configuration, chapters and what they
    read in, theme, the editions' own inputs, bibliographies, style, publisher's files,
    images and attachments."""
    files = [config.path, *map(Path, reads), *theme.files()]
    files += [config.root / name for names in reads.values() for name in names]
    files += [config.root / name for name in [*config.project_files, *config.setting_files]]
    files += [config.root / name for name in MANUBOT_METADATA]  # title, authors (if absent)
    files += [Path(name) for name in edition_inputs] if isinstance(edition_inputs, list) else []
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
