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
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from reportc.cache import BuildCache, digest, tool_versions
from reportc.document.model import ChapterDoc
from reportc.editions.byline import crowded_cover
from reportc.editions.compiled import compiled_templates
from reportc.editions.metadata import PublisherMatter
from reportc.editions.theme import PAGE_TEMPLATE, Theme
from reportc.editions.typography import (
    break_urls,
    dash_citation_ranges,
    mark_local_xrefs,
    print_html,
)
from reportc.errors import ConfigError
from reportc.paths import inside, relative
from reportc.project.config import ReportConfig
from reportc.project.versioning import Release


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
    part: str = ""  # the title of the part this chapter opens (Quarto's part: groups)
    # a page without a heading: ``title`` is its first words, its name for screen readers
    # and page titles; it is in no contents and has no running head of its own
    untitled: bool = False


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
    cache: BuildCache | None = None  # keeps each chapter's web and print HTML (_set)
    # the Jinja2 environment of each theme folder this build rendered a page from: its
    # templates compiled once, for the web page and the print page (_environment)
    environments: dict[Path, Any] = field(default_factory=dict, repr=False)


def make_parts(docs: list[ChapterDoc], bodies: list[str]) -> list[Part]:
    return [Part(doc.anchor, doc.chapter.kind, doc.number, doc.label,
                 doc.title or doc.untitled, doc.chapter.short_title or doc.title,
                 doc.headings, Markup(body), doc.chapter.part, bool(doc.untitled))
            for doc, body in zip(docs, bodies, strict=True)]


def for_web(parts: list[Part], cache: BuildCache | None = None) -> list[Part]:
    """The web page has one ``h1`` (the report title), so chapter headings move down a level.

    Safe as plain text substitution: chapter HTML is pandoc's own output, and raw
    HTML is disabled in the Markdown reader, so every ``<hN`` tag is pandoc's.
    ``cache``: keeps each chapter's result (:func:`_set`).
    """
    return [dataclasses.replace(part, html=Markup(_set(cache, "web-html", part, _web)))
            for part in parts]


def _web(html: str, _anchor: str) -> str:
    return shift_headings(dash_citation_ranges(html))


_HEADING_TAG = re.compile(r"<(/?)h([1-5])\b")


def shift_headings(html: str) -> str:
    """Every heading of a chapter's HTML one level down (h1 -> h2...): for a page whose
    ``h1`` is the report's title."""
    return _HEADING_TAG.sub(_shift, html)


def for_print(parts: list[Part], cache: BuildCache | None = None) -> list[Part]:
    """The PDF prints each note at the foot of its page (its call is a CSS footnote call),
    so it drops the web page's note calls and end-of-chapter list of notes: a third of a
    chapter's markup, which WeasyPrint would parse and style only to hide. The render
    filter (resources/render.lua) writes both exactly in these shapes; the list is the
    chapter's last section and has no section inside it. Each note is then kept on the
    line of the word before it (:func:`keep_notes_with_words`), URLs break only where a
    reader expects (:func:`break_urls`) and no paragraph ends in a hyphenated fragment
    (:func:`keep_last_words`). Formulas become drawings
    (:func:`reportc.document.math.print_formulas`): WeasyPrint draws no MathML.
    ``cache``: keeps each chapter's result (:func:`_set`)."""
    return [dataclasses.replace(part, html=Markup(_set(cache, "print-html", part, _print)))
            for part in parts]


def _print(html: str, anchor: str) -> str:
    return mark_local_xrefs(print_html(html), anchor)


def _set(cache: BuildCache | None, kind: str, part: Part,
         setting: Callable[[str, str], str]) -> str:
    """A chapter's HTML set for the web or for print (``setting`` of its HTML and anchor),
    from the cache when this HTML was set before: an edit sets the edited chapter alone
    (setting the 200-page report's chapters for print took 0.2 s, for the web 0.1 s).
    The result depends on the HTML, the anchor and reportc's code (in the key), and on
    nothing else but the formula drawings' library: a chapter with formulas is set anew."""
    html = str(part.html)
    if cache is None or not cache.enabled or "<math" in html:
        return setting(html, part.anchor)
    key = digest(kind, html, part.anchor, tool_versions())
    found = cache.get(kind, key)
    if found is None:
        found = setting(html, part.anchor)
        cache.put(kind, key, found)
    return found


def _shift(match: re.Match[str]) -> str:
    return f"<{match.group(1)}h{int(match.group(2)) + 1}"


def render_page(theme: Theme, context: PageContext) -> str:
    """The page from the theme's templates. A template is the theme author's code: any
    error in it (syntax, an undefined name, a failing filter) is a :class:`ConfigError` at
    the template's file and line, never a traceback from inside Jinja (imported here:
    a rebuild with nothing to do renders no page)."""
    import jinja2

    env = _environment(theme, context)
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


def _environment(theme: Theme, context: PageContext) -> Any:
    """The theme's Jinja2 environment, made once per build (``context``): the web page and
    the print page are rendered from the same templates, and compiling them took 0.05 s of
    CPU each time (the default theme's page and its six included templates)."""
    import jinja2

    env = context.environments.get(theme.root)
    if env is None:
        env = context.environments[theme.root] = jinja2.Environment(
            loader=jinja2.FileSystemLoader(theme.root),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=compiled_templates(context.cache),
        )
    return env


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
    parts = for_web(context.parts, context.cache) if web else \
        for_print(context.parts, context.cache)
    bibliography = dash_citation_ranges(str(context.bibliography), whole=True)
    bibliography = Markup(bibliography if web else break_urls(bibliography))
    return dict(
        report=context.config, parts=parts, bibliography=bibliography,
        edition=context.edition, build_date=context.build_date,
        stylesheets=context.stylesheets, version_label=context.version_label,
        release=context.release or Release(date=context.build_date),
        live_reload=context.live_reload, matter=context.matter,
        summary=[p for p in parts if p.kind == "summary"], cover_crowded=crowded_cover(
            context.config),
        body_parts=[p for p in parts if p.kind != "summary"],
    )
