"""The policy brief (``--format brief``, ``<stem>-brief.pdf``): two to four A4 pages for
the reader who will not open the report. Title, date and authors; the executive summary
with its key takeaways; the one figure or table report.yaml names (``brief: {figure:
fig-x}``); how to cite the full report and where to get it.

It is laid out by the PDF stage's own WeasyPrint run (:func:`reportc.pdf.layout.layout_pdf`)
in the report's theme (its base and print stylesheets, then ``css/brief.css``), so it is tagged
and says it is PDF/UA-1 like the main PDF, with the same XMP record. A summary too long
for four pages is an error naming the page count. Cached as a whole: the key covers
the brief's HTML, the theme, the images and the tools.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from reportc.brief.page import BRIEF_TEMPLATE, brief_page
from reportc.cache import digest, file_digest, tool_versions
from reportc.editions.base import Edition, Made
from reportc.editions.theme import DEFAULT_THEME, Theme
from reportc.pdf.edition import PRINT_STYLESHEETS
from reportc.project.config import ReportConfig

BRIEF_STYLESHEET = "css/brief.css"
MAX_PAGES = 4


class BriefEdition(Edition):
    """``<stem>-brief.pdf``: the summary, takeaways and one figure, tagged PDF/UA-1."""

    name = "brief"
    shows = "pdf"
    paged = True
    notes_list = False  # the print page leaves the web edition's list of notes out

    def outputs(self, made: Made) -> list[str]:
        return [made.stem + "-brief.pdf"]

    def inputs(self, config: ReportConfig, theme: Theme) -> list[Path]:
        """The default theme's brief stylesheet and template when the theme has none."""
        template = theme.root / BRIEF_TEMPLATE
        return [brief_stylesheet(theme),
                template if template.is_file() else DEFAULT_THEME / BRIEF_TEMPLATE]

    def key(self, made: Made) -> str | None:
        page = brief_page(made)
        if page is None:
            return None
        files = [*made.theme.files(), brief_stylesheet(made.theme),
                 *(made.config.root / image for image in made.images)]
        return digest(tool_versions(), page, *(file_digest(p) for p in files),
                      json.dumps(_record_fields(made)))

    def write(self, made: Made, folder: Path) -> None:
        page = brief_page(made)
        if page is None:
            return
        pdf = _lay_out(page, made)
        if pdf is not None:
            (folder / self.outputs(made)[0]).write_bytes(pdf)


def brief_stylesheet(theme: Theme) -> Path:
    """The theme's brief stylesheet, or the default theme's."""
    own = theme.root / BRIEF_STYLESHEET
    return own if own.is_file() else DEFAULT_THEME / BRIEF_STYLESHEET


def _lay_out(page: str, made: Made) -> bytes | None:
    """The brief's PDF with its XMP record, or None after reporting why not."""
    from reportc.pdf import compat
    from reportc.pdf.layout import layout_pdf
    from reportc.pdf.results import report_layout
    from reportc.pdf.xmp import add_xmp, xmp_fields

    compat.engage()  # the tagging and wording patches, as for the report's PDF
    config, theme = made.config, made.theme
    own = brief_stylesheet(theme)
    sheets = [*(theme.root / sheet for sheet in PRINT_STYLESHEETS), own]
    default = [DEFAULT_THEME] if own.parent.parent != theme.root else []  # its fallback
    result = layout_pdf(page, base_dir=config.root, stylesheets=sheets,
                        allowed=[config.root, theme.root, *default],
                        identifier=digest(page, "brief")[:32].encode("ascii"))
    where = f"{made.stem}-brief.pdf"
    pdf = report_layout(result, made.diag, where)
    if pdf is None:
        return None
    if result.pages > MAX_PAGES:
        made.diag.error(f"the policy brief takes {result.pages} pages; at most {MAX_PAGES} "
                        "fit: shorten the executive summary"
                        + (" or choose a smaller figure (brief: figure in report.yaml)"
                           if config.brief_figure else ""), _summary_source(made))
        return None
    record = made.context.matter.record
    if record is None:
        return pdf
    brief_config = dataclasses.replace(config, title=f"{config.title}: policy brief")
    return add_xmp(pdf, xmp_fields(dataclasses.replace(record, config=brief_config)))


def _record_fields(made: Made) -> list[str]:
    """What the XMP record says beyond the page (for the cache key)."""
    record, pub = made.context.matter.record, made.config.publisher
    if record is None:
        return []
    return [record.date.isoformat(), record.description, record.rights, pub.doi, pub.isbn,
            pub.issn, made.config.organisation, made.config.version, *made.config.keywords]


def _summary_source(made: Made) -> str:
    return next((doc.rel for doc in made.docs if doc.chapter.kind == "summary"), "report.yaml")
