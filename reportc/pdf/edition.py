"""Stage 7a: the PDF edition. Which of the theme's stylesheets apply, whether the page is
laid out part by part or in one pass, the cached PDF when nothing changed (the warm-up
that gets WeasyPrint ready while pandoc works, and the layout processes, are begun by
:mod:`reportc.pdf.headstart`).

WeasyPrint is imported only inside these functions: ``import reportc`` stays cheap.
"""

from __future__ import annotations

import json
import logging
from functools import partial
from pathlib import Path
from typing import Any

from reportc.cache import BuildCache, digest, file_digest, theme_outside_files, tool_versions
from reportc.charts.tables import without_data_tables
from reportc.citing.citation import bibtex, ris
from reportc.document.model import ChapterDoc
from reportc.editions.base import Edition, Made
from reportc.editions.cover import draw_cover
from reportc.editions.page import PageContext, render_page
from reportc.editions.theme import Theme
from reportc.errors import Diagnostics, ReportError, ToolError
from reportc.paths import relative
from reportc.pdf.cover import KIND as COVER
from reportc.pdf.cover import EarlyCover, cover_key
from reportc.pdf.headstart import (
    LEGACY_PARTS_STYLESHEET,
    PARTS_STYLESHEET,
    HeadStart,
    draft_part,
    finish_part,
    lay_out_whole,
    layout_arguments,
    parts_stylesheet,
    start_pdf,
)
from reportc.pdf.headstart import PRINT_STYLESHEETS as PRINT_STYLESHEETS  # the brief's
from reportc.pdf.headstart import warm_up_weasyprint as _warm_up  # noqa: F401 (the tests' name)
from reportc.pdf.job import PdfJob
from reportc.project.config import ReportConfig
from reportc.run import Run

log = logging.getLogger("reportc")


class PdfEdition(Edition):
    """The tagged PDF (PDF/UA-1) laid out by WeasyPrint, with its citation files and
    cover picture beside it. Cached part by part inside :func:`write_pdf` (the page map
    of the last build carries into the next), not as a whole."""

    name = "pdf"
    shows = "pdf"
    paged = True
    notes_list = False  # the print page leaves the web edition's list of notes out
    reference_files = True

    def outputs(self, made: Made) -> list[str]:
        pdf = made.stem + ".pdf"
        extra = [made.stem + ".bib", made.stem + ".ris"] if made.reference_files else []
        record = made.context.matter.record
        cover = [record.image_url] if record and record.image_url else []
        return [pdf, *extra, *cover]

    def start(self, run: Run, config: ReportConfig, theme: Theme) -> HeadStart:
        return start_pdf(run, config, theme)

    def begin(self, made: Made, folder: Path) -> None:
        """With worker processes to lay it out, render the print page now (the page
        context is shared: this thread) and lay it out in a thread that mostly waits for
        them, while this one writes the editions before the PDF: the web edition's page
        and fonts no longer keep the workers waiting. This one waits until the first
        parts are sent: writing meanwhile, it held Python's lock half the time, and an
        edit's part was sent that much later."""
        begun = made.started.get(self.name)
        if isinstance(begun, HeadStart) and begun.zygote is not None:
            begun.lay_out(partial(self._write_pdf, made, folder, begun,
                                  print_page(made.theme, made.context)))
            begun.sent.wait()

    def write(self, made: Made, folder: Path) -> None:
        """Write the PDF (or wait for the layout :meth:`begin` began); hand later editions
        its page map ("pages": order, counts and the page of each anchor) and its cover
        picture ("cover", if drawn)."""
        begun = made.started.get(self.name)
        if isinstance(begun, HeadStart) and begun.laying_out():
            begun.finish()
        else:
            self._write_pdf(made, folder, begun if isinstance(begun, HeadStart) else None)
        made.products["pages"] = made.cache.carry.get("pdf_pages") or {}
        record = made.context.matter.record
        cover = folder / record.image_url if record and record.image_url else None
        made.products["cover"] = cover if cover and cover.is_file() else None


    @staticmethod
    def _write_pdf(made: Made, folder: Path, begun: HeadStart | None,
                   page: str | None = None) -> None:
        write_pdf(folder / f"{made.stem}.pdf", made.config, made.theme, made.context,
                  made.docs, made.diag, made.cache, made.jobs, made.single_pass,
                  made.reference_files, begun, page)


def print_page(theme: Theme, context: PageContext) -> str:
    """The print page (``context`` set for it), without the charts' data tables."""
    context.edition, context.stylesheets = "pdf", []
    return without_data_tables(render_page(theme, context))


def part_classes(theme: Theme, config: ReportConfig, diag: Diagnostics) -> str:
    """The prefix of the theme's helper classes: "chunk" (with a warning) for a theme that
    still has the old css/chunks.css, else "part"."""
    sheet = parts_stylesheet(theme)
    if sheet is None or sheet.name != Path(LEGACY_PARTS_STYLESHEET).name:
        return "part"
    where = relative(sheet, config.root)
    diag.warning(f"{LEGACY_PARTS_STYLESHEET} is deprecated: rename it {PARTS_STYLESHEET} and "
                 "its classes .chunk-pad and .chunk-next to .part-pad and .part-next", where,
                 code="theme.deprecated")
    return "chunk"


def write_pdf(path: Path, config: ReportConfig, theme: Theme, context: PageContext,
              docs: list[ChapterDoc], diag: Diagnostics, cache: BuildCache, jobs: int,
              single_pass: bool, reference_files: bool = True,
              begun: HeadStart | None = None, page: str | None = None) -> None:
    """Lay out the print page part by part in parallel (or in one pass, if asked, if the
    theme has no parts stylesheet or if WeasyPrint is not the pinned version), reusing
    parts of the last PDF that did not change; write it to ``path`` with its XMP record,
    and (``reference_files``) the report's .bib and .ris and cover picture beside it.
    ``begun``: the processes that fork the layout workers and merge (else this one);
    ``page``: the print page, if rendered already."""
    page = print_page(theme, context) if page is None else page
    environment = _environment(config, theme, docs)
    classes = part_classes(theme, config, diag)
    engaged, mismatch = _engaged(begun)
    by_parts = engaged and parts_stylesheet(theme) is not None
    if mismatch:  # about this machine, not the report: never fails --strict
        diag.warning(f"{mismatch}: the PDF is laid out in one WeasyPrint pass "
                     "(correct, slower)", code="compat", fails_strict=False)
    mode = ("numbered" if single_pass else "parts") if by_parts else "native"
    fields = _xmp_fields(context)
    key = digest(page, environment, mode, json.dumps(fields))
    pdf, pages = _cached(cache, key)
    early = EarlyCover(cache)
    try:
        if pdf is not None:
            cache.carry["pdf_pages"] = {**pages, "pdf": key} if pages else {}
        else:
            job = _pdf_job(config, theme, docs, diag, jobs, environment, mode, classes)
            job.fields = fields
            if begun is not None:
                job.zygote, job.merger, job.sent = begun.zygote, begun.merger, begun.sent.set
                job.failed = lambda: bool(diag.errors) or begun.stopping()
            if _cover_name(context):
                job.first_part = early.begin
            pdf = _lay_out(page, job, cache, key, single_pass, diag)
        if pdf is not None:
            _write(path, pdf, config, context, reference_files, cache, early)
    finally:
        early.close()


def _engaged(begun: HeadStart | None) -> tuple[bool, str]:
    """Do WeasyPrint's patches apply (:func:`reportc.pdf.compat.engage`), and if not, why?
    As the zygote found, if the workers are its (this process then never imports
    WeasyPrint); else here, where the PDF is then laid out: the patches also fix
    WeasyPrint's one-pass layout, so they are engaged whatever the mode."""
    found = begun.zygote.prepared() if begun is not None and begun.zygote else None
    if isinstance(found, tuple):
        return found
    from reportc.pdf import compat  # imports WeasyPrint: only when due

    return compat.engage(), compat.mismatch()


def _xmp_fields(context: PageContext) -> dict[str, str | list[str]] | None:
    """The report's XMP properties, written as the PDF is saved (part of its cache key)."""
    from reportc.pdf.xmp import xmp_fields  # pikepdf: only when a PDF is written

    record = context.matter.record
    return xmp_fields(record) if record else None


def _cached(cache: BuildCache, key: str) -> tuple[bytes | None, dict]:
    """The cached PDF of this page and its page map, or ``(None, {})`` unless both are there:
    a PDF without its map would leave the next build no map to reuse parts by, and so lay
    out every part again."""
    pdf = cache.get_bytes("pdf", key)
    stored = cache.get("pdf-pages", key) if pdf is not None else None
    if pdf is None or stored is None:
        return None, {}
    pages = json.loads(stored)
    return pdf, pages if isinstance(pages, dict) else {}


def _cover_name(context: PageContext) -> str:
    """The cover picture's file name ('': the report has none)."""
    record = context.matter.record
    return record.image_url if record and record.image_url else ""


def _write(path: Path, pdf: bytes, config: ReportConfig, context: PageContext,
           reference_files: bool, cache: BuildCache, early: EarlyCover) -> None:
    """The PDF (its XMP record already in it), its cover picture and reference files."""
    path.write_bytes(pdf)
    if name := _cover_name(context):
        _cover(path, path.parent / name, cache, early)
    if reference_files:
        when = config.date or context.build_date
        path.with_suffix(".bib").write_text(bibtex(config, when), encoding="utf-8")
        path.with_suffix(".ris").write_bytes(ris(config, when).encode("utf-8"))


def _cover(pdf: Path, target: Path, cache: BuildCache, early: EarlyCover) -> None:
    """The cover picture: taken from the cache when the PDF's first part is the one drawn
    before (its exact key: page 1 is that part's) with the same pdftoppm, else the one
    ``early`` drew from that part while the parts merged, else page 1 drawn now."""
    pages = cache.carry.get("pdf_pages")
    keys = pages.get("keys") if isinstance(pages, dict) else None
    order = pages.get("order") if isinstance(pages, dict) else None
    first = keys.get(order[0]) if isinstance(keys, dict) and isinstance(order, list) and \
        order else None
    key = cover_key(first)
    picture = cache.get_bytes(COVER, key) if key else None
    if picture is None and key and (picture := early.take(key)) is not None:
        cache.put_bytes(COVER, key, picture)
    if picture is not None:
        target.write_bytes(picture)
    elif draw_cover(pdf, target) and key:
        cache.put_bytes(COVER, key, target.read_bytes())


def _environment(config: ReportConfig, theme: Theme, docs: list[ChapterDoc]) -> str:
    """Everything besides the page that the PDF depends on: tools, theme, loaded files."""
    loaded = sorted({image for doc in docs for image in doc.images} | set(config.attachments)
                    | ({config.publisher.logo.path} if config.publisher.logo else set()))
    return digest(tool_versions(), *(file_digest(p) for p in theme.files()),
                  *(file_digest(config.root / name) for name in loaded),
                  *(file_digest(p) for p in theme_outside_files(theme.root, config.root)),
                  f"sided={config.sided}")  # which of the theme's stylesheets apply


def _pdf_job(config: ReportConfig, theme: Theme, docs: list[ChapterDoc], diag: Diagnostics,
             jobs: int, environment: str, mode: str, classes: str) -> PdfJob:
    from reportc.pdf.results import report_layout

    arguments = layout_arguments(config, theme)
    return PdfJob(  # WeasyPrint imported only where they are called
        layout=partial(lay_out_whole, **arguments), draft=partial(draft_part, **arguments),
        finish=finish_part,
        report=partial(report_layout, diag=diag, texts={d.rel: d.chapter.text for d in docs}),
        failed=lambda: bool(diag.errors), environment=environment, workers=jobs,
        sources={doc.anchor: doc.rel for doc in docs}, sided=config.sided,
        mode=mode, classes=classes)


def _lay_out(page: str, job: PdfJob, cache: BuildCache, key: str, single_pass: bool,
             diag: Diagnostics) -> bytes | None:
    """The PDF, from the last build's page map and PDF where they still hold; cached."""
    from reportc.pdf.stage import paginate

    stored = cache.meta.get("pdf_pages")
    previous: dict[str, Any] = stored if isinstance(stored, dict) else {}
    last_pdf = cache.get_bytes("pdf", str(previous.get("pdf"))) if previous else None
    if last_pdf is not None:  # kept with its PDF: undoing this edit is then a cache hit
        cache.get("pdf-pages", str(previous.get("pdf")))
    try:
        pdf, pages = paginate(page, job, previous or None, last_pdf)
    except ReportError:
        raise
    except Exception as exc:  # a layout worker died, page numbers never settled, a bug
        raise ToolError(_layout_failure(exc, single_pass)) from exc
    if pdf is not None and not diag.errors:
        cache.put_bytes("pdf", key, pdf)
        cache.put("pdf-pages", key, json.dumps(pages, sort_keys=True))
        cache.carry["pdf_pages"] = {**pages, "pdf": key}
    return pdf


def _layout_failure(exc: Exception, single_pass: bool) -> str:
    """What a writer can do when the PDF layout itself fails (the details go to -v)."""
    log.debug("PDF layout failed:\n%s", exc, exc_info=exc)
    what = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    advice = ("run with -v for the details and report them" if single_pass else
              "build again with --single-pass (one WeasyPrint pass: slower, no worker "
              "processes), or run with -v for the details")
    return f"PDF layout failed: {what}; {advice}"
