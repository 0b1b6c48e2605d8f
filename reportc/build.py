"""The orchestrator: ``build()`` reads as the list of the pipeline's stages."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from .bibliography import Bibliography, load_bibliography
from .chapters import load_chapters
from .config import ReportConfig, load_config
from .csl import resolve_csl
from .errors import Diagnostics
from .html import write_html_edition
from .output import staged_output
from .pdf import render_pdf
from .render import CitationSetup, render_bibliography, render_chapter
from .structure import ChapterDoc, number_report, read_chapter, resolve_references
from .templates import PageContext, Theme, find_theme, make_parts, render_page

log = logging.getLogger("reportc")
FORMATS = ("html", "pdf")
WEB_STYLESHEETS = ["css/base.css", "css/screen.css"]
PRINT_STYLESHEETS = ["css/base.css", "css/print.css"]


@dataclass
class BuildOptions:
    root: Path
    out: Path | None = None
    formats: tuple[str, ...] = FORMATS
    strict: bool = False
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)

    @property
    def out_dir(self) -> Path:
        return self.out or self.root / "out"


@dataclass
class BuildResult:
    config: ReportConfig
    outputs: list[Path]
    diagnostics: Diagnostics


def build(options: BuildOptions) -> BuildResult:
    """Build the report; raise a :class:`ReportError` listing every problem found."""
    root = options.root.resolve()
    diag = Diagnostics(strict=options.strict)
    config = load_config(root, diag)
    chapters = load_chapters(config, diag)
    bibliography = load_bibliography(config.bibliography, root, diag)
    csl = resolve_csl(config, diag)
    diag.raise_if_errors()

    docs = _in_parallel(options.jobs, lambda ch: read_chapter(ch, diag), chapters)
    diag.raise_if_errors()
    targets = number_report(docs, diag)
    for doc in docs:
        resolve_references(doc, targets, bibliography.keys, root, diag)
    _warn_unused_entries(bibliography, docs, diag)
    diag.raise_if_errors()

    setup = CitationSetup(bibliography.path, csl, config.lang)
    bodies = _in_parallel(options.jobs, lambda doc: render_chapter(doc, setup, diag), docs)
    cited = sorted({key for doc in docs for key in doc.cite_keys})
    references = render_bibliography(cited, setup, docs[0].ast["pandoc-api-version"], diag)
    diag.raise_if_errors()

    theme = find_theme(root)
    parts = make_parts(docs, bodies)
    context = PageContext(config, parts, Markup(references), "web", _build_date(config))
    outputs = _write_outputs(options, config, theme, context, docs, diag)
    return BuildResult(config, outputs, diag)


def _in_parallel(jobs: int, fn, items: list) -> list:
    """Map ``fn`` over ``items`` in threads (the work is in pandoc subprocesses)."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(fn, items))


def _warn_unused_entries(bibliography: Bibliography, docs: list[ChapterDoc],
                         diag: Diagnostics) -> None:
    cited = {key for doc in docs for key in doc.cite_keys}
    for key in sorted(bibliography.keys - cited):
        diag.warning(f"entry '{key}' is never cited", bibliography.rel, bibliography.lines[key])


def _build_date(config: ReportConfig) -> dt.date:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the report's date, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return config.date or dt.date.today()


def _write_outputs(options: BuildOptions, config: ReportConfig, theme: Theme,
                   context: PageContext, docs: list[ChapterDoc], diag: Diagnostics) -> list[Path]:
    """Write every artifact into a staging folder; move them into place only if all succeed."""
    with staged_output(options.out_dir) as stage:
        if "html" in options.formats:
            context.edition, context.stylesheets = "web", WEB_STYLESHEETS
            page = render_page(theme, context)
            images = sorted({image for doc in docs for image in doc.images})
            write_html_edition(stage.path, f"{config.slug}.html", page, theme,
                               WEB_STYLESHEETS, images, config.root)
        if "pdf" in options.formats:
            _write_pdf(stage.path, config, theme, context, diag)
        diag.raise_if_errors()
        return stage.commit()


def _write_pdf(stage: Path, config: ReportConfig, theme: Theme, context: PageContext,
               diag: Diagnostics) -> None:
    context.edition, context.stylesheets = "pdf", []
    page = render_page(theme, context)
    identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
    sheets = [theme.root / sheet for sheet in PRINT_STYLESHEETS]
    pdf = render_pdf(page, config.root, sheets, [config.root, theme.root], diag, identifier)
    if pdf is not None:
        (stage / f"{config.slug}.pdf").write_bytes(pdf)
