"""The orchestrator: ``build()`` reads as the list of the pipeline's stages."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from markupsafe import Markup

from reportc import __version__
from reportc.cache import (
    CACHE_DIR,
    BuildCache,
    digest,
    file_digest,
    outputs_intact,
    theme_outside_files,
    tool_versions,
)
from reportc.document.model import ChapterDoc
from reportc.document.numbering import number_report
from reportc.document.xrefs import resolve_references
from reportc.errors import Diagnostics, ReportError, ToolError
from reportc.output import check_out_dir, staged_output
from reportc.pandoc.read import read_chapters
from reportc.pandoc.render import (
    CitationSetup,
    place_bibliography,
    render_report,
    unlink_citations,
)
from reportc.pdf.stage import PdfStage, paginate
from reportc.progress import StageTimer
from reportc.project.bibliography import (
    Bibliography,
    References,
    check_citations,
    load_bibliography,
)
from reportc.project.chapters import Chapter, load_chapters
from reportc.project.config import ReportConfig, load_config
from reportc.project.csl import resolve_csl
from reportc.project.versioning import Release, resolve_release
from reportc.sandbox.checks import check_chapter, check_csl
from reportc.web.html import write_html_edition
from reportc.web.page import PageContext, Theme, find_theme, make_parts, render_page
from reportc.web.standalone import self_contained

log = logging.getLogger("reportc")
FORMATS = ("html", "pdf", "docx")
DEFAULT_FORMATS = ("html", "pdf")
WEB_STYLESHEETS = ["css/base.css", "css/screen.css"]
PRINT_STYLESHEETS = ["css/base.css", "css/print.css"]
CHUNK_STYLESHEET = "css/chunks.css"  # added when the PDF is laid out part by part
SINGLE_SIDED_STYLESHEET = "css/single-sided.css"  # added last for report.yaml's sided: single


@dataclass
class BuildOptions:
    root: Path
    out: Path | None = None
    formats: tuple[str, ...] = DEFAULT_FORMATS
    strict: bool = False
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    use_cache: bool = True
    version_label: str = ""  # names the artifacts <slug>-<label>.pdf/.html (CI: the tag)
    status: str = ""  # draft | review | final; overrides report.yaml's status
    git_stamp: bool = True  # stamp `git describe` on the outputs when there is a repository
    self_contained: bool = False  # one HTML file: CSS, fonts and images inlined as data: URLs
    live_reload: str = ""  # watch mode: build id the page polls to reload itself
    single_pass: bool = False  # lay the PDF out in one WeasyPrint pass (slower; for checks)
    family: str = "report"  # "redline": replaces earlier redlines in out/, not the report

    @property
    def out_dir(self) -> Path:
        return self.out or self.root / "out"


@dataclass
class BuildResult:
    config: ReportConfig
    outputs: list[Path]
    diagnostics: Diagnostics
    up_to_date: bool = False


def build(options: BuildOptions) -> BuildResult:
    """Build the report; raise a :class:`ReportError` listing every problem found."""
    root = options.root.resolve()
    diag = Diagnostics(strict=options.strict)
    check_out_dir(options.out_dir)
    config = load_config(root, diag)
    release = resolve_release(config, diag, _build_date(config), label=options.version_label,
                              status=options.status, use_git=options.git_stamp)
    chapters = load_chapters(config, diag)
    csl = resolve_csl(config, diag)
    check_csl(csl, config.line_of("csl"), diag)
    theme = find_theme(root)
    diag.raise_if_errors()

    cache = BuildCache(options.out_dir / CACHE_DIR, diag, enabled=options.use_cache)
    fingerprint = partial(_input_fingerprint, options, config, chapters, csl, theme, release)
    last_images = cache.meta.get("images")
    if cache.meta.get("fingerprint") == fingerprint(last_images) and \
            outputs_intact(options.out_dir, cache.meta.get("outputs")):
        shown = {str(w) for w in diag.warnings}  # found again before this check, printed
        for warning in cache.meta.get("warnings") or []:
            if warning not in shown:
                log.warning("%s", warning)  # the last build's warnings still stand
        log.info("reportc: %s is up to date", options.out_dir)
        return BuildResult(config, [], diag, up_to_date=True)

    timer = StageTimer()
    bibliography = load_bibliography(config.bibliography, root, diag)
    diag.raise_if_errors()
    converter = References(bibliography, cache, options.jobs)  # read while chapters are
    timer.done(f"read {len(bibliography.records)} bibliography entries")
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        docs = read_chapters(chapters, diag, cache, pool, options.jobs)
    diag.raise_if_errors()
    timer.done(f"read {len(docs)} chapter(s)")
    targets = number_report(docs, diag, cache)
    for doc in docs:
        resolve_references(doc, targets, bibliography.keys, root, diag)
        check_chapter(doc, root, config.attachments, diag)
    check_citations(bibliography, {key for doc in docs for key in doc.cite_keys}, diag)
    diag.raise_if_errors()

    preload = _preload_pdf_stage(config, theme) if "pdf" in options.formats else None
    cited = bibliography.expand({key for doc in docs for key in doc.cite_keys})
    with tempfile.TemporaryDirectory(prefix="reportc-") as scratch:  # kept for the docx
        references, bodies, setup = _cite(docs, cited, bibliography, converter, csl, config,
                                          Path(scratch), diag, cache, options.jobs)
        bodies, references = place_bibliography(bodies, references, docs, diag)
        diag.raise_if_errors()
        timer.done(f"cited {len(cited)} source(s) and rendered the chapters")

        parts = make_parts(docs, bodies)
        context = PageContext(config, parts, Markup(references), "web", release.date,
                              version_label=release.stamp, release=release,
                              live_reload=options.live_reload)
        if preload:
            preload.join()  # before the PDF stage forks its workers
        outputs = _write_outputs(options, config, theme, context, docs, diag, cache, setup)
    timer.done("wrote " + ", ".join(options.formats))
    _remember_build(cache, fingerprint, options.out_dir, outputs, docs, diag)
    return BuildResult(config, outputs, diag)


def _input_fingerprint(options: BuildOptions, config: ReportConfig, chapters: list[Chapter],
                       csl: Path | None, theme: Theme, release: Release, images: object) -> str:
    """Everything the outputs depend on, hashed (``images``: the ones the chapters use)."""
    files = [config.path, *(ch.path for ch in chapters), *theme.files()]
    files += [p for p in (config.bibliography, csl) if p]
    files += [config.root / name for name in images] if isinstance(images, list) else []
    files += [config.root / name for name in config.attachments]
    files += theme_outside_files(theme.root, config.root)
    parts = [__version__, tool_versions(), ",".join(options.formats), str(options.strict),
             os.environ.get("SOURCE_DATE_EPOCH", ""), str(dt.date.today())
             if config.date is None else "", release.fingerprint(),
             f"{options.self_contained}|{options.live_reload}|{options.single_pass}"]
    for path in files:
        parts.append(str(path))
        parts.append(path.read_bytes() if path.is_file() else b"<missing>")
    return digest(*parts)


def _remember_build(cache: BuildCache, fingerprint, out_dir: Path, outputs: list[Path],
                    docs: list[ChapterDoc], diag: Diagnostics) -> None:
    images = sorted({image for doc in docs for image in doc.images})
    cache.meta = {
        **cache.carry,
        "warnings": [str(w) for w in diag.warnings],
        "fingerprint": fingerprint(images),
        "outputs": {p.relative_to(out_dir).as_posix(): digest(p.read_bytes()) for p in outputs},
        "images": images,
    }
    cache.save()


def _preload_pdf_stage(config: ReportConfig, theme: Theme) -> threading.Thread:
    """Import WeasyPrint and pikepdf (0.6 s) and lay out a few lines in the theme while
    pandoc works, not after it: the PDF workers are forked from this process, so they
    start with the theme's stylesheets parsed and its fonts loaded (0.16 s each)."""
    def load() -> None:
        from reportc.pdf import merge  # noqa: F401
        from reportc.pdf.layout import warm_up
        warm_up(_print_stylesheets(theme, config.sided), config.root, [config.root, theme.root],
                config.lang)
    thread = threading.Thread(target=load, name="reportc-preload", daemon=True)
    thread.start()
    return thread


def _print_stylesheets(theme: Theme, sided: str = "double") -> list[Path]:
    """The print page's stylesheets, with the chunk rules if the theme has them and, for a
    single-sided report, the theme's single-sided rules."""
    sheets = [theme.root / sheet for sheet in PRINT_STYLESHEETS]
    extra = [CHUNK_STYLESHEET, SINGLE_SIDED_STYLESHEET if sided == "single" else None]
    return sheets + [theme.root / name for name in extra if name and (theme.root / name).is_file()]


def _cite(docs: list[ChapterDoc], cited: list[str], bibliography: Bibliography,
          converter: References, csl: Path | None, config: ReportConfig, scratch: Path,
          diag: Diagnostics, cache: BuildCache, jobs: int
          ) -> tuple[str, list[str | None], CitationSetup]:
    """The reference list and each chapter's HTML: the cited entries become CSL JSON in
    ``scratch`` (the .bib file is parsed once), citeproc runs once over the report, then
    the chapters and the list are written in parallel; entries that print nothing are
    left out of the list and unlinked. The setup is returned for the Word edition, whose
    citeproc run reads the same CSL JSON (in ``scratch``)."""
    path = converter.write(cited, scratch, diag)
    diag.raise_if_errors()
    setup = CitationSetup(path, csl, config.lang, sets=bibliography.sets())
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        bodies, references, dropped = render_report(docs, setup, diag, cache, pool, jobs,
                                                    bibliography)
    return references, unlink_citations(bodies, dropped), setup


def _build_date(config: ReportConfig) -> dt.date:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the report's date, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return config.date or dt.date.today()


def _write_outputs(options: BuildOptions, config: ReportConfig, theme: Theme,
                   context: PageContext, docs: list[ChapterDoc], diag: Diagnostics,
                   cache: BuildCache, setup: CitationSetup) -> list[Path]:
    """Write every artifact into a staging folder; move them into place only if all succeed."""
    with staged_output(options.out_dir, options.family) as stage:
        if "html" in options.formats:
            context.edition, context.stylesheets = "web", WEB_STYLESHEETS
            page = render_page(theme, context)
            images = sorted({image for doc in docs for image in doc.images})
            name = context.release.artifact_stem(config.slug) + ".html"
            if options.self_contained:
                page = self_contained(page, theme, config.root)
                (stage.path / name).write_text(page, encoding="utf-8")
            else:
                write_html_edition(stage.path, name, page, theme, WEB_STYLESHEETS, images,
                                   config.root)
        if "pdf" in options.formats:
            _write_pdf(stage.path, config, theme, context, docs, diag, cache, options.jobs,
                       options.single_pass)
        if "docx" in options.formats:
            from reportc.docx.writer import write_docx
            write_docx(stage.path / f"{context.release.artifact_stem(config.slug)}.docx",
                       config, context.release, docs, setup, theme.root, diag)
        diag.raise_if_errors()
        return stage.commit()


def _write_pdf(stage: Path, config: ReportConfig, theme: Theme, context: PageContext,
               docs: list[ChapterDoc], diag: Diagnostics, cache: BuildCache, jobs: int,
               single_pass: bool) -> None:
    """Lay out the print page part by part in parallel (or in one pass, if asked or if the
    theme has no chunk stylesheet), reusing parts of the last PDF that did not change."""
    # WeasyPrint is slow to import: only when due
    from reportc.pdf.layout import draft_chunk, finish_chunk, layout_pdf, report_layout

    context.edition, context.stylesheets = "pdf", []
    page = render_page(theme, context)
    loaded = sorted({image for doc in docs for image in doc.images} | set(config.attachments))
    environment = digest(tool_versions(), *(file_digest(p) for p in theme.files()),
                         *(file_digest(config.root / name) for name in loaded),
                         *(file_digest(p) for p in theme_outside_files(theme.root, config.root)),
                         f"sided={config.sided}")  # which of the theme's stylesheets apply
    key = digest(page, environment, "one pass" if single_pass else "by chunks")
    previous = cache.meta.get("pdf_pages") if isinstance(cache.meta.get("pdf_pages"), dict) else {}
    pdf = cache.get_bytes("pdf", key)
    if pdf is not None:
        pages = json.loads(cache.get("pdf-pages", key) or "{}")
        cache.carry["pdf_pages"] = {**pages, "pdf": key} if pages else {}
    else:
        sheets = _print_stylesheets(theme, config.sided)
        where = {"base_dir": config.root, "allowed": [config.root, theme.root]}
        chunked = (theme.root / CHUNK_STYLESHEET).is_file()
        stage_setup = PdfStage(
            layout=partial(layout_pdf, stylesheets=sheets, **where),
            draft=partial(draft_chunk, stylesheets=sheets, **where),
            finish=finish_chunk, report=partial(report_layout, diag=diag),
            failed=lambda: bool(diag.errors), environment=environment, workers=jobs,
            sources={doc.anchor: doc.rel for doc in docs}, sided=config.sided,
            mode=("numbered" if single_pass else "chunks") if chunked else "native")
        last_pdf = cache.get_bytes("pdf", str(previous.get("pdf"))) if previous else None
        try:
            pdf, pages = paginate(page, stage_setup, previous or None, last_pdf)
        except ReportError:
            raise
        except Exception as exc:  # a layout worker died, page numbers never settled, a bug
            raise ToolError(_layout_failure(exc, single_pass)) from exc
        if pdf is not None and not diag.errors:
            cache.put_bytes("pdf", key, pdf)
            cache.put("pdf-pages", key, json.dumps(pages, sort_keys=True))
            cache.carry["pdf_pages"] = {**pages, "pdf": key}
    if pdf is not None:
        (stage / f"{context.release.artifact_stem(config.slug)}.pdf").write_bytes(pdf)


def _layout_failure(exc: Exception, single_pass: bool) -> str:
    """What a writer can do when the PDF layout itself fails (the details go to -v)."""
    log.debug("PDF layout failed:\n%s", exc, exc_info=exc)
    what = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    advice = ("run with -v for the details and report them" if single_pass else
              "build again with --single-pass (one WeasyPrint pass: slower, no worker "
              "processes), or run with -v for the details")
    return f"PDF layout failed: {what}; {advice}"
