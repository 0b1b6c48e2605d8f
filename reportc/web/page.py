"""Stage 6: put the rendered chapters into the Jinja2 page templates.

Templates come from the report's own ``templates/`` folder when it has one,
otherwise from the default theme beside this package. Autoescape and
StrictUndefined are on; chapter HTML comes in as already-rendered markup and is
never used as template source.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from reportc.document.model import ChapterDoc
from reportc.project.config import ReportConfig
from reportc.project.versioning import Release
from reportc.web.metadata import PublisherMatter

DEFAULT_THEME = Path(__file__).resolve().parents[2] / "templates"
PAGE_TEMPLATE = "report.html.j2"


@dataclass(frozen=True)
class Theme:
    """A folder with the page template, its stylesheets and fonts."""

    root: Path

    @property
    def fonts(self) -> list[Path]:
        return sorted((self.root / "fonts").glob("*.[ot]tf"))

    def files(self) -> list[Path]:
        """Every file of the theme, in a stable order (they all feed the cache keys)."""
        return sorted(p for p in self.root.rglob("*") if p.is_file())


def find_theme(report_root: Path) -> Theme:
    local = report_root / "templates"
    if (local / PAGE_TEMPLATE).is_file():
        return Theme(local.resolve())
    return Theme(DEFAULT_THEME)


@dataclass
class Part:
    """One chapter as the templates see it."""

    anchor: str
    kind: str
    number: str
    label: str
    title: str
    running_title: str
    headings: list
    html: Markup


@dataclass
class PageContext:
    config: ReportConfig
    parts: list[Part]
    bibliography: Markup
    edition: str  # "pdf" or "web"
    build_date: dt.date
    stylesheets: list[str] = field(default_factory=list)
    version_label: str = ""
    release: Release | None = None  # status (watermark, banner) and provenance
    live_reload: str = ""  # watch mode only: the build id the page's script polls for
    matter: PublisherMatter = field(default_factory=PublisherMatter)  # imprint, lists (#17)


def make_parts(docs: list[ChapterDoc], bodies: list[str]) -> list[Part]:
    return [Part(doc.anchor, doc.chapter.kind, doc.number, doc.label, doc.title,
                 doc.chapter.short_title or doc.title, doc.headings, Markup(body))
            for doc, body in zip(docs, bodies, strict=True)]


def for_web(parts: list[Part]) -> list[Part]:
    """The web page has one ``h1`` (the report title), so chapter headings move down a level.

    Safe as plain text substitution: chapter HTML is pandoc's own output, and raw
    HTML is disabled in the Markdown reader, so every ``<hN`` tag is pandoc's.
    """
    return [dataclasses.replace(part, html=Markup(_HEADING_TAG.sub(_shift, str(part.html))))
            for part in parts]


_HEADING_TAG = re.compile(r"<(/?)h([1-5])\b")
_WEB_ONLY_NOTES = re.compile(
    r'<section id="[^"]*" class="notes-heading chapter-notes"[^>]*>.*?</section>'  # list
    r'|<a href="#[^"]*" id="[^"]*" class="fn-ref"[^>]*><sup>\d+</sup></a>', re.S)  # calls


def for_print(parts: list[Part]) -> list[Part]:
    """The PDF prints each note at the foot of its page (its call is a CSS footnote call),
    so it drops the web page's note calls and end-of-chapter list of notes: a third of a
    chapter's markup, which WeasyPrint would parse and style only to hide. The render
    filter (resources/render.lua) writes both exactly in these shapes; the list is the
    chapter's last section and has no section inside it. Each note is then kept on the
    line of the word before it (:func:`keep_notes_with_words`)."""
    return [dataclasses.replace(part, html=Markup(keep_notes_with_words(
        _WEB_ONLY_NOTES.sub("", str(part.html))))) for part in parts]


_NOTE = re.compile(r'(<span class="citation" data-cites="[^"]*">)?<span class="fn">')
_SPAN_TAG = re.compile(r"<span\b|</span>")


def keep_notes_with_words(html: str) -> str:
    """Wrap the word before each note (with its citation, if the note is one) in a
    ``.fn-keep`` span the print CSS does not break: WeasyPrint breaks a line at the
    boundary of an element, so a call that no longer fitted after its word went alone
    to the start of the next line. Browsers keep them together by themselves.

    The word is the text right before the note or its citation (up to a space or a tag);
    pandoc writes these spans exactly so, and never nests a note in a note."""
    pieces, done = [], 0
    for note in _NOTE.finditer(html):
        if note.start() < done:
            continue  # inside a note already wrapped
        word = _word_start(html, note.start(), done)
        end = _span_end(html, note.start())
        if word == note.start() or end is None:
            continue
        pieces += [html[done:word], '<span class="fn-keep">', html[word:end], "</span>"]
        done = end
    return "".join(pieces) + html[done:]


def _word_start(html: str, end: int, floor: int) -> int:
    """Where the text run that ends at ``end`` starts (after a space or a tag)."""
    start = end
    while start > floor and not html[start - 1].isspace() and html[start - 1] != ">":
        start -= 1
    return start


def _span_end(html: str, start: int) -> int | None:
    """Where the ``<span>`` opening at ``start`` closes (after its ``</span>``)."""
    depth = 0
    for tag in _SPAN_TAG.finditer(html, start):
        depth += 1 if tag.group() == "<span" else -1
        if depth == 0:
            return tag.end()
    return None


def _shift(match: re.Match[str]) -> str:
    return f"<{match.group(1)}h{int(match.group(2)) + 1}"


def render_page(theme: Theme, context: PageContext) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(theme.root),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = env.get_template(PAGE_TEMPLATE)
    parts = for_web(context.parts) if context.edition == "web" else for_print(context.parts)
    return template.render(
        report=context.config, parts=parts, bibliography=context.bibliography,
        edition=context.edition, build_date=context.build_date,
        stylesheets=context.stylesheets, version_label=context.version_label,
        release=context.release or Release(date=context.build_date),
        live_reload=context.live_reload, matter=context.matter,
        summary=[p for p in parts if p.kind == "summary"],
        body_parts=[p for p in parts if p.kind != "summary"],
    )
