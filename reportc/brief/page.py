"""The brief's HTML: the brief template of the theme (``brief.html.j2``, the default
theme's when the report's own theme has none) filled with the summary chapters as the
PDF prints them, the chosen figure or table, and the report's citation."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from markupsafe import Markup

from reportc.editions.base import Made
from reportc.editions.page import Part, for_print, shift_headings
from reportc.editions.theme import DEFAULT_THEME
from reportc.errors import ConfigError

if TYPE_CHECKING:
    import jinja2

BRIEF_TEMPLATE = "brief.html.j2"


def brief_page(made: Made) -> str | None:
    """The brief as HTML, or None after reporting why there is none (no summary chapter,
    an unknown figure). Jinja is imported here: a rebuild with nothing to do renders none."""
    import jinja2

    summary = [part for part in made.context.parts if part.kind == "summary"]
    if not summary:
        made.diag.error("the policy brief needs an executive summary: a chapter with "
                        "'kind: summary' in its front matter", "report.yaml")
        return None
    figure = _chosen_figure(made)
    if made.diag.errors:
        return None
    parts = [dataclasses.replace(part, html=Markup(shift_headings(str(part.html))))
             for part in for_print(summary)]
    try:
        page = _template(made).render(
            report=made.config, parts=parts, figure=figure, matter=made.context.matter,
            release=made.release, build_date=made.context.build_date, where=_where(made))
    except jinja2.TemplateError as exc:  # a theme's own brief template
        name = getattr(exc, "name", None) or BRIEF_TEMPLATE
        line = getattr(exc, "lineno", None)
        raise ConfigError(f"{made.theme.root / name}{f':{line}' if line else ''}: template "
                          f"error: {exc.message or exc.__class__.__name__}") from exc
    return unlink_absent(page)


_ID = re.compile(r'\bid="([^"]+)"')
_LOCAL_LINK = re.compile(r'<a\b[^>]*?\bhref="#([^"]+)"[^>]*>(.*?)</a>', re.S)


def unlink_absent(page: str) -> str:
    """Links to what the brief leaves out (a bibliography entry, another chapter's
    section) become their text: the brief has no such anchor to go to."""
    present = set(_ID.findall(page))
    return _LOCAL_LINK.sub(
        lambda link: link.group() if link.group(1) in present else link.group(2), page)


def _chosen_figure(made: Made) -> Markup:
    """The figure or table report.yaml names, as the PDF prints it ('' if none named)."""
    wanted = made.config.brief_figure
    if not wanted:
        return Markup("")
    for part in for_print(made.context.parts):
        found = _element(part, wanted)
        if found is not None:
            return Markup(found)
    known = sorted(f.id for doc in made.docs for f in doc.floats)
    made.diag.error(f"brief: figure '{wanted}' is not a figure or table of the report"
                    + (f" (it has {', '.join(known)})" if known else ""), "report.yaml",
                    made.config.line_of("brief"))
    return Markup("")


def _element(part: Part, identifier: str) -> str | None:
    import lxml.html  # here: a rebuild with nothing to do loads no lxml

    if f'id="{identifier}"' not in part.html:
        return None
    tree = lxml.html.fragment_fromstring(str(part.html), create_parent="div")
    found = tree.get_element_by_id(identifier, None)
    if found is None or found.tag not in ("figure", "table", "div"):
        return None
    return lxml.html.tostring(found, encoding="unicode", with_tail=False)


def _where(made: Made) -> list[tuple[str, str]]:
    """Where the full report is: (label, address) for its web address, DOI and file."""
    pub = made.config.publisher
    places = [("Online", pub.url)] if pub.url else []
    places += [("DOI", pub.doi_url)] if pub.doi else []
    return [*places, ("PDF", f"{made.stem}.pdf")]


def _template(made: Made) -> jinja2.Template:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([made.theme.root, DEFAULT_THEME]), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    return env.get_template(BRIEF_TEMPLATE)
