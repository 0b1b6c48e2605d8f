"""Stage 6: put the rendered chapters into the Jinja2 page templates.

Templates come from the report's own ``templates/`` folder when it has one,
otherwise from the default theme beside this package. Autoescape and
StrictUndefined are on; chapter HTML comes in as already-rendered markup and is
never used as template source.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from reportc.document.math import print_formulas
from reportc.document.model import ChapterDoc
from reportc.errors import ConfigError
from reportc.pdf.varioref import mark_local_xrefs
from reportc.project.config import ReportConfig
from reportc.project.paths import inside, relative
from reportc.project.versioning import Release
from reportc.web.metadata import PublisherMatter

PAGE_TEMPLATE = "report.html.j2"


def _default_theme() -> Path:
    """The default theme: package data ``reportc.theme`` when reportc is installed (the
    wheel maps the repository's top-level ``templates/`` there), else that folder of the
    source tree this module runs from."""
    try:
        spec = importlib.util.find_spec("reportc.theme")
    except (ImportError, ValueError):
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / PAGE_TEMPLATE).is_file():
            return Path(location).resolve()
    return Path(__file__).resolve().parents[2] / "templates"


DEFAULT_THEME = _default_theme()


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
    """The report's own ``templates/`` if it has a page template, else the default theme.
    A ``templates/`` folder with templates or stylesheets but no page template is a
    mistake (a misnamed file, a partial copy): it is reported, not silently replaced."""
    local = report_root / "templates"
    if (local / PAGE_TEMPLATE).is_file():
        return Theme(local.resolve())
    if local.is_dir() and (any(local.glob("*.j2")) or (local / "css").is_dir()):
        raise ConfigError(f"templates/{PAGE_TEMPLATE}: not found; the report's templates/ "
                          "folder is its theme and needs the page template (copy the default "
                          f"theme's from {DEFAULT_THEME}, or remove templates/ to use it)")
    if not (DEFAULT_THEME / PAGE_TEMPLATE).is_file():
        raise ConfigError(f"{DEFAULT_THEME / PAGE_TEMPLATE}: the default theme's page template "
                          "is missing; reinstall reportc")
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
    return [dataclasses.replace(part, html=Markup(
        _HEADING_TAG.sub(_shift, dash_citation_ranges(str(part.html))))) for part in parts]


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
    line of the word before it (:func:`keep_notes_with_words`), URLs break only where a
    reader expects (:func:`break_urls`) and no paragraph ends in a hyphenated fragment
    (:func:`keep_last_words`). Formulas become drawings
    (:func:`reportc.document.math.print_formulas`): WeasyPrint draws no MathML."""
    return [dataclasses.replace(part, html=Markup(mark_local_xrefs(print_html(str(part.html)),
                                                                   part.anchor)))
            for part in parts]


def print_html(html: str) -> str:
    """A chapter's HTML as the print page lays it out (see :func:`for_print`)."""
    html = print_formulas(dash_citation_ranges(_WEB_ONLY_NOTES.sub("", html)))
    return keep_last_words(break_urls(keep_notes_with_words(html)))


_CITATION = re.compile(r'<span class="citation"')
_NOTE_ITEM = re.compile(r'<div id="[^"]*" class="fn-item">.*?</div>', re.S)  # web notes list
_RANGE = re.compile(r"(?<![\w./:-])(\d{1,5})-(\d{1,5})(?![\w/-])")


def dash_citation_ranges(html: str, whole: bool = False) -> str:
    """Number ranges in citations (and, with ``whole``, in a bibliography) printed with an
    en dash, as Chicago sets them: "nos 5–6". citeproc formats ``page`` ranges itself but
    prints fields such as ``number`` as written in the .bib. Only ascending pairs are
    ranges ("2019-04" in a report number is not); URLs and dates are left alone."""
    if whole:
        return _TEXT_RUN.sub(_dash_run, html)
    pieces, done = [], 0
    for citation in _CITATION.finditer(html):
        if citation.start() < done:
            continue
        end = _span_end(html, citation.start()) or len(html)
        cited = html[citation.start():end]
        pieces += [html[done:citation.start()], _TEXT_RUN.sub(_dash_run, cited)]
        done = end
    html = "".join(pieces) + html[done:]
    return _NOTE_ITEM.sub(lambda item: _TEXT_RUN.sub(_dash_run, item.group()), html)


def _dash_run(run: re.Match[str]) -> str:
    text, out, done = run.group(1), [], 0
    for url in _TEXT_URL.finditer(text):
        out += [_RANGE.sub(_dash, text[done:url.start()]), url.group()]
        done = url.end()
    return ">" + "".join(out) + _RANGE.sub(_dash, text[done:]) + "<"


def _dash(match: re.Match[str]) -> str:
    first, last = match.groups()
    return f"{first}\u2013{last}" if int(first) < int(last) else match.group()


_TEXT_URL = re.compile(r"(?<![\w/])(?:https?|ftp)://[^\s<>\"]+?(?=[.,;:)\]’”]*(?:\s|<|$))")
_URL_BREAK = re.compile(r"(?<=[/:])(?=[^/:])|(?<=[^/])(?=[.\-_?#&=~])")
_TEXT_RUN = re.compile(r">([^<]+)<")
LONG_URL_PART = 24  # characters: a longer piece may still break anywhere (it would overflow)


def break_urls(html: str) -> str:
    """Give every printed URL line breaks only after ``/`` or ``//`` and before ``.``, ``-``,
    ``_``, ``?``, ``#``, ``&``, ``=``, ``~`` (Chicago 7.47), never with a hyphen: each piece
    is a span that does not wrap, and hyphenation is off (print.css ``.url``). WeasyPrint
    would otherwise hyphenate a URL like a word ("ht-tps://", "polit-ics"). URLs are found in
    text, not in attributes: in notes a URL is text inside the link to its bibliography entry."""
    return _TEXT_RUN.sub(lambda run: ">" + _TEXT_URL.sub(_url_pieces, run.group(1)) + "<", html)


def _url_pieces(match: re.Match[str]) -> str:
    parts = [p for p in _URL_BREAK.split(match.group()) if p]
    spans = "<wbr>".join(p if len(p) > LONG_URL_PART else f"<span>{p}</span>" for p in parts)
    return f'<span class="url">{spans}</span>'


_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S)
_TOKEN = re.compile(r"<(/?)([a-zA-Z0-9]+)([^>]*)>|[^<]+")


def keep_last_words(html: str) -> str:
    """Wrap the last word of every paragraph in a span that is not hyphenated, so that no
    paragraph ends with a hyphenated fragment alone on its last line ("technolo-/gies").
    The word is the last word of the paragraph's own text (note texts, which float to the
    page foot, are skipped), and only one long enough to be hyphenated."""
    return _PARAGRAPH.sub(_keep_last_word, html)


def _keep_last_word(match: re.Match[str]) -> str:
    body, offset = match.group(1), match.start(1) - match.start()
    last: tuple[int, int] | None = None
    note_depth, depth = 0, 0
    for token in _TOKEN.finditer(body):
        closing, tag, attrs = token.group(1), token.group(2), token.group(3)
        if tag:
            if tag == "span" and not closing:
                depth += 1
                if note_depth or 'class="fn-body"' in attrs:
                    note_depth += 1
            elif tag == "span" and closing and depth:
                depth -= 1
                note_depth = max(0, note_depth - 1) if note_depth else 0
            continue
        if note_depth:
            continue
        words = list(re.finditer(r"\S+", token.group()))
        if words:
            last = (token.start() + words[-1].start(), token.start() + words[-1].end())
    if last is None or not re.search(r"\w{5,}", body[last[0]:last[1]]):
        return match.group()  # a short last word cannot leave a fragment
    whole = match.group()
    start, end = last[0] + offset, last[1] + offset
    return whole[:start] + '<span class="last-word">' + whole[start:end] + "</span>" + whole[end:]


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
    """The page from the theme's templates. A template is the theme author's code: any
    error in it (syntax, an undefined name, a failing filter) is a :class:`ConfigError` at
    the template's file and line, never a traceback from inside Jinja."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(theme.root),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    values = _values(context)
    try:
        return env.get_template(PAGE_TEMPLATE).render(**values)
    except jinja2.TemplateNotFound as exc:
        raise ConfigError(f"{_shown(theme.root / str(exc.name), context)}: template not found "
                          f"(the theme in {theme.root} uses it)") from exc
    except jinja2.TemplateSyntaxError as exc:
        where = _shown(Path(exc.filename) if exc.filename else theme.root / str(exc.name),
                       context)
        raise ConfigError(f"{where}:{exc.lineno}: template error: {exc.message}") from exc
    except Exception as exc:  # the theme's own code failed while the page was rendered
        said = str(exc) if isinstance(exc, jinja2.TemplateError) else \
            f"{type(exc).__name__}: {exc}"
        raise ConfigError(f"{_failed_at(exc, theme, context)}: template error: {said}") from exc


def _shown(path: Path, context: PageContext) -> str:
    """A template's path as messages name it: relative to the report for its own theme."""
    return relative(path, context.config.root)


def _failed_at(exc: BaseException, theme: Theme, context: PageContext) -> str:
    """``path:line`` of the innermost template line the traceback passes through (Jinja
    gives template code frames with the template's file name and line)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.suffix == ".j2" and inside(path, theme.root):
            return f"{_shown(path, context)}:{frame.lineno}"
    return _shown(theme.root / PAGE_TEMPLATE, context)


def _values(context: PageContext) -> dict[str, object]:
    """What the templates see."""
    web = context.edition == "web"
    parts = for_web(context.parts) if web else for_print(context.parts)
    bibliography = dash_citation_ranges(str(context.bibliography), whole=True)
    bibliography = Markup(bibliography if web else break_urls(bibliography))
    return dict(
        report=context.config, parts=parts, bibliography=bibliography,
        edition=context.edition, build_date=context.build_date,
        stylesheets=context.stylesheets, version_label=context.version_label,
        release=context.release or Release(date=context.build_date),
        live_reload=context.live_reload, matter=context.matter,
        summary=[p for p in parts if p.kind == "summary"],
        body_parts=[p for p in parts if p.kind != "summary"],
    )
