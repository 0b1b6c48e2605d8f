"""The PDF edition's head start: the processes that lay out and merge its parts, begun as
soon as the build knows it has work (:func:`start_pdf`), and the stylesheets they use.

Kept apart from :mod:`reportc.pdf.edition` so that the build can fork them right after the
no-change check, before it imports the stages (0.2 s of CPU on an edit, in which the
zygote already imports WeasyPrint on the other core); this module imports nothing heavy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportc.editions.theme import Theme
from reportc.project.config import ReportConfig
from reportc.run import Run

if TYPE_CHECKING:
    from reportc.pdf.workers import Errand, Zygote

PRINT_STYLESHEETS = ["css/base.css", "css/print.css"]
PARTS_STYLESHEET = "css/parts.css"  # added when the PDF is laid out part by part
LEGACY_PARTS_STYLESHEET = "css/chunks.css"  # its old name, with .chunk-pad/.chunk-next
SINGLE_SIDED_STYLESHEET = "css/single-sided.css"  # added last for report.yaml's sided: single


def print_stylesheets(theme: Theme, sided: str = "double") -> list[Path]:
    """The print page's stylesheets, with the part rules if the theme has them and, for a
    single-sided report, the theme's single-sided rules."""
    sheets = [theme.root / sheet for sheet in PRINT_STYLESHEETS]
    single = theme.root / SINGLE_SIDED_STYLESHEET
    extra = [parts_stylesheet(theme), single if sided == "single" else None]
    return sheets + [path for path in extra if path and path.is_file()]


def parts_stylesheet(theme: Theme) -> Path | None:
    """The theme's stylesheet for the part-by-part layout (None: lay out in one pass)."""
    for name in (PARTS_STYLESHEET, LEGACY_PARTS_STYLESHEET):
        if (theme.root / name).is_file():
            return theme.root / name
    return None

def start_pdf(run: Run, config: ReportConfig, theme: Theme) -> HeadStart:
    """The PDF's head start: worker processes for a layout by parts if there is more than
    one core to use and the theme has the parts stylesheet, else a warm-up thread."""
    workers = run.jobs > 1 and not run.options.single_pass \
        and parts_stylesheet(theme) is not None
    return HeadStart(config, theme, workers)


class HeadStart:
    """The PDF's setup, begun with the build (:func:`start_pdf`). For a layout by
    parts in worker processes, a :class:`~reportc.pdf.workers.Zygote` forked now, while
    this process is small (before the chapters are read: 45 MB, against 270 MB by the PDF
    stage of a 500-page report), imports WeasyPrint and lays out a few lines in the theme,
    then forks the workers, which start with that (#25 item 1), and an
    :class:`~reportc.pdf.workers.Errand` process will merge the parts; this process never
    imports WeasyPrint. Otherwise a thread warms WeasyPrint up here, where the PDF is laid
    out and merged."""

    zygote: Zygote | None
    merger: Errand | None

    def __init__(self, config: ReportConfig, theme: Theme, workers: bool) -> None:
        from reportc.pdf.workers import Errand, Zygote

        # forked first, from this process's only thread
        self.zygote = Zygote(partial(warm_up_weasyprint, config, theme, merges=False),
                             *worker_functions(config, theme)) if workers else None
        self.merger = Errand("PDF merge") if workers else None
        self._thread = None if workers else threading.Thread(
            target=warm_up_weasyprint, args=(config, theme, True), name="reportc-preload",
            daemon=True)
        if self._thread is not None:
            self._thread.start()
        self._layout: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._stop = threading.Event()
        self.sent = threading.Event()  # the layout's first parts sent, or the layout over

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def lay_out(self, work: Callable[[], None]) -> None:
        """Run ``work``, the PDF's layout by the workers, in a thread that mostly waits for
        their replies, while this one writes the editions before the PDF
        (:meth:`reportc.pdf.edition.PdfEdition.begin`); :meth:`finish` waits for it."""
        self._layout = threading.Thread(target=self._run, args=(work,),
                                        name="reportc-pdf-layout", daemon=True)
        self._layout.start()

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as failure:  # raised again by finish(), in the build's thread
            self._failure = failure
        finally:
            self.sent.set()

    def laying_out(self) -> bool:
        """Is there a layout begun by :meth:`lay_out` to :meth:`finish`?"""
        return self._layout is not None

    def finish(self) -> None:
        """Wait for the layout :meth:`lay_out` began; raise what it raised."""
        layout, self._layout = self._layout, None
        if layout is not None:
            layout.join()
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    def stopping(self) -> bool:
        """Has the build ended (failed) while the PDF was laid out? Then it sends no more."""
        return self._stop.is_set()

    def close(self) -> None:
        self._stop.set()  # a layout still running (another edition failed) sends no more
        if self._layout is not None:
            self._layout.join()
            self._layout = None
        for process in (self.zygote, self.merger):
            if process is not None:
                process.close()
        self.zygote = self.merger = None


def warm_up_weasyprint(config: ReportConfig, theme: Theme, merges: bool) -> tuple[bool, str]:
    """Import WeasyPrint (0.5 s), and pikepdf if this process ``merges`` the parts (not a
    zygote: its workers never use it, and an edit's layout waited 0.09 s longer for it),
    and lay out a few lines in the theme, while pandoc works, not after it: the PDF
    workers forked afterwards start with the theme's stylesheets parsed and its fonts
    loaded (0.16 s each). Whether WeasyPrint's patches apply, and if not why
    (:func:`_engaged`)."""
    from reportc.pdf.libraries import quick_library_lookup

    with quick_library_lookup():  # (WeasyPrint's C libraries found without gcc)
        from reportc.pdf import compat
        from reportc.pdf.layout import warm_up
    if merges:
        from reportc.pdf import merge  # noqa: F401
    engaged = compat.engage()  # before any layout: the patches change WeasyPrint's functions
    warm_up(print_stylesheets(theme, config.sided), config.root,
            [config.root, theme.root], config.lang)
    return engaged, compat.mismatch()


def worker_functions(config: ReportConfig, theme: Theme) -> tuple[Callable, Callable]:
    """A layout worker's functions (:class:`~reportc.pdf.job.PdfJob`'s ``draft`` and
    ``finish``), without importing WeasyPrint here."""
    return partial(draft_part, **layout_arguments(config, theme)), finish_part


def layout_arguments(config: ReportConfig, theme: Theme) -> dict[str, Any]:
    return {"stylesheets": print_stylesheets(theme, config.sided), "base_dir": config.root,
            "allowed": [config.root, theme.root]}


def lay_out_whole(html: str, identifier: bytes, **arguments: Any) -> Any:
    from reportc.pdf import layout

    return layout.layout_pdf(html, identifier=identifier, **arguments)


def draft_part(html: str, **arguments: Any) -> tuple[Any, Any]:
    from reportc.pdf import layout

    return layout.draft_part(html, **arguments)


def finish_part(draft: Any, order: tuple) -> Any:
    from reportc.pdf import layout

    return layout.finish_part(draft, order)
