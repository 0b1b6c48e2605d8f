"""What the PDF stage is handed (:class:`PdfJob`): how to lay out, draw and report, made
by :mod:`reportc.pdf.edition` and read by :mod:`reportc.pdf.stage` and
:mod:`reportc.pdf.schedule` alike, so neither of those two imports the other for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # WeasyPrint is imported only when a PDF is laid out
    from reportc.pdf.merged import PartPages
    from reportc.pdf.results import DraftReport, LayoutResult
    from reportc.pdf.workers import Errand, Zygote


class Reporter(Protocol):
    """Turns a layout's problems into diagnostics; the PDF if there were none."""

    def __call__(self, result: LayoutResult, where: str = "") -> bytes | None: ...


@dataclass
class PdfJob:
    """Everything the PDF stage needs besides the page: how to lay out and report."""

    layout: Callable[..., LayoutResult]  # (html, identifier=) -> one pass
    draft: Callable[[str], tuple[Any, DraftReport]]  # part html -> (draft, its report)
    finish: Callable[[Any, tuple], LayoutResult | None]  # (draft, (keep, folio, numbers, id))
    report: Reporter  # LayoutResult -> PDF, problems to diagnostics
    failed: Callable[[], bool]  # has any problem been reported?
    environment: str  # hash of stylesheets, fonts and tool versions
    workers: int = 1
    sources: dict[str, str] = field(default_factory=dict)  # part -> chapter file, for messages
    mode: str = "parts"  # "parts" | "numbered" (one pass) | "native" (one pass, no parts.css)
    classes: str = "part"  # the theme's prefix for .part-pad/.part-next (see split_page)
    sided: str = "double"  # "single": pages alike, parts open on the next page, no padding
    fields: dict[str, str | list[str]] | None = None  # the XMP properties to write (xmp.py)
    zygote: Zygote | None = None  # forks the layout workers (None: this process does)
    merger: Errand | None = None  # merges the parts' PDFs (None: this process does)
    # called with the first part's exact key and pages once every part is drawn, before
    # the merge (the cover picture is drawn from them meanwhile: reportc.pdf.cover)
    first_part: Callable[[str, PartPages], None] | None = None
    # called as each part is sent to a worker (after the first, the build goes on)
    sent: Callable[[], None] | None = None

    def padded(self, start: int) -> bool:
        """Double-sided, a part starting on a left (even) page is laid out after a blank
        one, so that its pages get left and right styles as in one pass."""
        return self.sided == "double" and start % 2 == 0
