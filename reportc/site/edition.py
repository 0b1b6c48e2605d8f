"""The web edition as a site (``--format site``): one page per chapter, with search.

Given what the single-page web edition gets (the rendered parts in a :class:`PageContext`,
the theme, the staging folder, the cache), it writes ``site/`` into the staging folder:
``index.html`` (cover, summary, lists, contents, downloads), one page per chapter and
appendix, ``bibliography.html``, the stylesheets, WOFF2 fonts subset to the site's
characters, the images the pages show, lunr and the search index. Links between pages are
fixed up after rendering (:mod:`reportc.site.links`). Everything is written in a fixed
order from sorted inputs, so the same inputs give the same bytes.

A page is rendered again only when what it shows changed: each page's HTML is kept in the
cache under its own inputs (:func:`_page_key`: its parts, title, metadata and neighbours,
the contents list, the report-wide matter and the templates), and each page's search
entries under its text. After a one-chapter edit that chapter's page is rendered, and
those whose cross-reference or note text it changed; the search index is written anew.
"""

from __future__ import annotations

import dataclasses
import html
import json
import logging
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from markupsafe import Markup

from reportc.cache import BuildCache, digest, file_digest
from reportc.editions.base import Edition, Made
from reportc.editions.metadata import PublisherMatter
from reportc.editions.page import PageContext
from reportc.editions.theme import DEFAULT_THEME, Theme
from reportc.editions.typography import dash_citation_ranges
from reportc.errors import ConfigError
from reportc.paths import inside
from reportc.project.config import ReportConfig
from reportc.project.versioning import Release
from reportc.site.fonts import site_characters, subset_fonts
from reportc.site.links import id_map, point_links
from reportc.site.pages import SitePage, describe, plan_pages
from reportc.site.search import first_paragraph, index_entries, index_script
from reportc.web.fonts import woff2_name, woff2_stylesheet

SITE_DIR = "site"
TEMPLATE = "site/page.html.j2"
STYLESHEETS = ["css/base.css", "css/screen.css", "css/site.css"]
# Copied as they are: assets/<name> from the theme's file (lunr keeps its licence beside it)
SCRIPTS = {"lunr.min.js": "site/lunr-2.3.9.min.js", "LICENSE-lunr.md": "site/LICENSE-lunr.md",
           "site.js": "site/site.js"}
_IMG_SRC = re.compile(r'<img\b[^>]*?\bsrc="([^"]+)"')
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Download:
    href: str
    label: str
    detail: str


# a download's label and the key of the words that say what it is for
DOWNLOAD_LABELS = {".pdf": ("PDF", "download-pdf"), ".epub": ("EPUB", "download-epub"),
                   ".docx": ("Word", "download-docx"), ".bib": ("BibTeX", "download-citation"),
                   ".ris": ("RIS", "download-citation")}


class SiteEdition(Edition):
    """``site/``: the web edition one page per chapter, with search. Written after the
    editions its landing page offers for download (registry order), not cached as a whole
    (its fonts are)."""

    name = "site"
    shows = "html"

    def outputs(self, made: Made) -> list[str]:
        return [f"{SITE_DIR}/index.html"]

    def inputs(self, config: ReportConfig, theme: Theme) -> list[Path]:
        return fallback_files(theme)

    def write(self, made: Made, folder: Path) -> None:
        write_site(folder, made.context, made.config, made.theme, made.cache,
                   [f"{made.stem}.{ext}" for ext in ("pdf", "epub", "docx")])


def write_site(staging: Path, context: PageContext, config: ReportConfig, theme: Theme,
               cache: BuildCache, editions: list[str]) -> list[Path]:
    """Write ``site/`` into ``staging``; ``editions``: the other editions' files written
    beside it (PDF, EPUB, Word), which the landing page offers as downloads with the
    reference files, those of them already in ``staging`` (so the site is written after
    the other editions). Returns the files written, in a stable order."""
    pages = plan_pages(config, context.parts, bool(context.bibliography))
    matter = context.matter

    def beside(name: str) -> str:  # offered only if written: the site is staged last
        return name if name and (staging / name).is_file() else ""

    editions = [beside(name) for name in editions]
    bib, ris = beside(matter.bib_name), beside(matter.ris_name)
    downloads = _downloads([name for name in [*editions, bib, ris] if name], config.words)
    site_matter = dataclasses.replace(matter, bib_name=f"../{bib}" if bib and ris else "",
                                      ris_name=f"../{ris}" if bib and ris else "")
    pdf = next((name for name in editions if name.endswith(".pdf")), "")
    cover = beside(matter.record.image_url) if matter.record else ""  # the PDF's, as PNG
    describe(pages, matter, {p.file: first_paragraph(" ".join(str(x.html) for x in p.parts))
                             for p in pages}, pdf)
    rendered = _render_pages(theme, pages, context, site_matter, downloads,
                             f"../{cover}" if cover else "", cache)
    return _write_pages(staging / SITE_DIR, pages, rendered, theme, cache, config.root)


def _write_pages(folder: Path, pages: list[SitePage], rendered: dict[str, str], theme: Theme,
                 cache: BuildCache, root: Path) -> list[Path]:
    """Write the rendered pages (each link pointed at the page holding its target), the
    search index, the assets and the images the pages show; the files, in that order."""
    owner = id_map(rendered)
    rendered = {file: point_links(file, text, owner) for file, text in rendered.items()}
    entries = [entry for page in pages for entry in _entries(page, rendered[page.file], cache)]
    written = [_write(folder / file, text.encode("utf-8")) for file, text in rendered.items()]
    written.append(_write(folder / "assets/search-index.js", index_script(entries).encode()))
    written += _write_assets(folder, theme, site_characters(list(rendered.values())), cache)
    written += _copy_images(folder, rendered.values(), root)
    return written


def _downloads(names: list[str], words: Mapping[str, str]) -> list[Download]:
    out = []
    for name in names:
        suffix = Path(name).suffix.lower()
        label, key = DOWNLOAD_LABELS.get(suffix, (suffix.lstrip(".").upper(), ""))
        out.append(Download(f"../{name}", f"{label}: {name}", words[key] if key else "file"))
    return out


def _chapter_name(page: SitePage) -> str:
    return f"{page.label}: {page.title}" if page.label else page.title


def _entries(page: SitePage, text: str, cache: BuildCache) -> list[dict[str, str]]:
    """The page's search entries, from the cache when its text is the last build's."""
    key = digest(page.file, _chapter_name(page), text)
    kept = cache.get("site-entries", key)
    if kept is not None:
        return json.loads(kept)
    entries = index_entries(page.file, _chapter_name(page), text)
    cache.put("site-entries", key, json.dumps(entries))
    return entries


def _render_pages(theme: Theme, pages: list[SitePage], context: PageContext,
                  matter: PublisherMatter, downloads: list[Download], cover: str,
                  cache: BuildCache) -> dict[str, str]:
    """Each page's HTML: the cache's where the page's inputs are the last build's."""
    import jinja2  # only when pages are rendered (a rebuild with nothing to do renders none)

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(theme.root),
                                    jinja2.FileSystemLoader(DEFAULT_THEME)]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True)
    try:
        template = env.get_template(TEMPLATE)
        bibliography = Markup(
            dash_citation_ranges(str(context.bibliography), whole=True))
        common = dict(report=context.config, pages=pages, bibliography=bibliography,
                      edition="web", build_date=context.build_date, stylesheets=STYLESHEETS,
                      version_label=context.version_label, matter=matter, downloads=downloads,
                      cover=cover,
                      release=context.release or Release(date=context.build_date))
        shared = _shared_key(theme, common)
        rendered: dict[str, str] = {}
        for page in pages:
            key = _page_key(shared, page, pages, bibliography, matter)
            kept = cache.get("site-page", key) if key else None
            rendered[page.file] = kept if kept is not None else \
                template.render(page=page, **common)
            if kept is None and key:
                cache.put("site-page", key, rendered[page.file])
            if kept is None:
                log.debug("site: rendered %s", page.file)
        return rendered
    except jinja2.TemplateNotFound as exc:
        raise ConfigError(f"{theme.root / str(exc.name)}: template not found (the site "
                          "edition uses it)") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"{exc.filename or exc.name}:{exc.lineno}: template error: "
                          f"{exc.message}") from exc


def _shared_key(theme: Theme, common: dict) -> str | None:
    """What every page shows alike: the templates (the theme's and the default ones) and
    the report-wide values (not the lists of figures and tables: the landing page's
    alone). ``None`` (render every page) where a value's text is not its content (an
    object shown by its address)."""
    values = {name: value for name, value in common.items()
              if name not in ("pages", "bibliography", "matter")}
    matter = common["matter"]
    values["matter"] = {field.name: getattr(matter, field.name)
                        for field in dataclasses.fields(matter) if field.name != "lists"}
    shared = repr(values)
    if " at 0x" in shared:
        return None
    templates = sorted(path for folder in (theme.root, DEFAULT_THEME)
                       for path in folder.rglob("*.j2"))
    return digest(shared, *(f"{path}:{file_digest(path)}" for path in templates))


def _page_key(shared: str | None, page: SitePage, pages: list[SitePage],
              bibliography: str, matter: PublisherMatter) -> str | None:
    """One page's inputs: its own fields, its neighbours' titles, the contents list (each
    page's number, title and label), on the bibliography page the list and on the landing
    page the lists of figures and tables."""
    if shared is None:
        return None
    own = repr(dataclasses.replace(page, prev=None, next=None))
    near = [(p.file, p.label, p.title) if p else None for p in (page.prev, page.next)]
    contents = [(p.file, p.kind, p.number, p.label, p.title, p.in_contents) for p in pages]
    listed = bibliography if page.kind == "bibliography" else \
        repr(matter.lists) if page.kind == "landing" else ""
    return digest(shared, own, repr(near), repr(contents), listed)


def fallback_files(theme: Theme) -> list[Path]:
    """The default theme's files the site reads when the report's own theme lacks them
    (its page template, stylesheet, scripts and the templates they include): inputs of
    the site beyond ``theme.files()``, for the cache key."""
    if theme.root == DEFAULT_THEME:
        return []
    return sorted(path for path in DEFAULT_THEME.rglob("*") if path.is_file()
                  and path.suffix in (".j2", ".css", ".js", ".md")
                  and not (theme.root / path.relative_to(DEFAULT_THEME)).is_file())


def _theme_file(theme: Theme, name: str) -> Path:
    """``name`` from the report's theme, else from the default theme."""
    own = theme.root / name
    return own if own.is_file() else DEFAULT_THEME / name


def _write_assets(folder: Path, theme: Theme, characters: str, cache: BuildCache) -> list[Path]:
    """Stylesheets (fonts as WOFF2), the subset fonts and the scripts."""
    written = []
    for sheet in STYLESHEETS:
        source = _theme_file(theme, sheet if sheet != "css/site.css" else "site/site.css")
        css = woff2_stylesheet(source.read_text(encoding="utf-8"))
        written.append(_write(folder / "assets" / sheet, css.encode("utf-8")))
    css_text = "".join((folder / "assets" / s).read_text(encoding="utf-8") for s in STYLESHEETS)
    web = [font for font in theme.fonts if f"../fonts/{woff2_name(font)}" in css_text]
    for font, data in zip(web, subset_fonts(web, characters, cache), strict=True):
        written.append(_write(folder / "assets/fonts" / woff2_name(font), data))
    for font in theme.fonts:  # a theme stylesheet of another shape: its files as they are
        if font not in web and f"../fonts/{font.name}" in css_text:
            written.append(_write(folder / "assets/fonts" / font.name, font.read_bytes()))
    for script, origin in SCRIPTS.items():
        written.append(_write(folder / "assets" / script,
                              _theme_file(theme, origin).read_bytes()))
    return written


def _copy_images(folder: Path, pages: Iterable[str], root: Path) -> list[Path]:
    """The images the pages show, from the report directory (nothing outside it)."""
    sources = sorted({unquote(html.unescape(m.group(1))) for text in pages
                      for m in _IMG_SRC.finditer(text)})
    written = []
    for source in sources:
        path = (root / source).resolve()
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", source) or not inside(path, root) \
                or not path.is_file():
            continue
        target = folder / source
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        written.append(target)
    return written


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
