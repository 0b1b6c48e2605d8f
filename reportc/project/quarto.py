"""Read a Quarto or Bookdown project's own settings as report.yaml's.

A team that brings a Quarto book keeps its ``_quarto.yml`` (a Bookdown book its
``_bookdown.yml`` and ``index.Rmd``): the title, authors, date, chapters and appendices
(``part:`` groups included), bibliography, csl, lang, crossref prefixes and
``number-sections`` are read from there in report.yaml's terms, each remembered with the
file and line it came from so a problem is reported where it is written. report.yaml,
when there is one, overrides key by key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reportc.errors import ConfigError
from reportc.paths import inside
from reportc.project.frontmatter import block_line, front_matter
from reportc.project.manubot import METADATA, is_manubot, manubot_files, manubot_settings
from reportc.project.profiles import Layered, active_profiles, layered, read_local
from reportc.project.schema import quarto_keys
from reportc.project.settings import format_option
from reportc.project.website import (
    add_page_bibliographies,
    article_of,
    first_title,
    from_root,
    home_title,
    project_inputs,
    site_order,
    slide_formats,
)

QUARTO_NAME = "_quarto.yml"
BOOKDOWN_NAME = "_bookdown.yml"
SOURCE_SUFFIXES = (".md", ".qmd", ".rmd", ".markdown")
# _quarto.yml's keys (top level, book: or a document's front matter) -> report.yaml's,
# as the schema declares them; book: chapters and appendices are read as lists
QUARTO_KEYS = {name: key for name, key in quarto_keys().items() if "." not in name}
BOOK_LISTS = {name: key for name, key in quarto_keys().items() if name.startswith("book.")}
RENDER = "project.render"  # a single-document project's list (declared with chapters)


@dataclass
class ProjectSettings:
    """Settings in report.yaml's shape, with where each was written."""

    file: str  # _quarto.yml, _bookdown.yml or the single document
    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # key -> file, where not ``file``
    meta_document: str = ""  # the document whose front matter is the report's
    files: list[str] = field(default_factory=list)  # every file read (for the cache key)
    unused: list[tuple[str, int]] = field(default_factory=list)  # (what is not done, line)
    untitled: str = ""  # the document whose name is the title (it gives none: _file_title)
    # other warnings: (message, file, line, code)
    warnings: list[tuple[str, str, int, str]] = field(default_factory=list)
    kind: str = ""  # "jupyter-book" for a Jupyter Book (its chapters are MyST Markdown)
    profiles: list[str] | None = None  # a Quarto project's active profiles (in order)
    meta: dict[str, Any] | None = None  # _quarto.yml with their files merged in


def read_project(root: Path, profile: str | None = None) -> ProjectSettings | None:
    """The settings of the Quarto or Bookdown project (or Manubot paper) in ``root``;
    ``None`` if it is none. ``profile``: ``--profile``'s value (a Quarto project's)."""
    if (root / QUARTO_NAME).is_file():
        return _quarto(root, profile)
    if (root / BOOKDOWN_NAME).is_file() or (root / "index.Rmd").is_file():
        return _bookdown(root)
    if is_manubot(root):
        data, lines = manubot_settings(root)
        return ProjectSettings(METADATA, data, lines, files=manubot_files(root))
    return None


def load_yaml(root: Path, name: str, mapping: bool = True) -> tuple[Any, dict[str, int]]:
    """A YAML file's data and the line of every key (``book.chapters``, ``chapters[2]``);
    ``mapping``: data that is no mapping is ``{}`` (else a list is kept: ``[0].file``)."""
    text = (root / name).read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{name}:{mark.line + 1 if mark else 1}: invalid YAML: {problem}"
                          ) from exc
    lines: dict[str, int] = {}
    node_lines(node, "", lines)
    return (data if isinstance(data, dict) or (not mapping and isinstance(data, list))
            else {}), lines


def node_lines(node: Any, path: str, lines: dict[str, int]) -> None:
    """Record in ``lines`` the line of every key and list item under ``node``."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            key = f"{path}.{key_node.value}" if path else str(key_node.value)
            lines[key] = key_node.start_mark.line + 1
            node_lines(value, key, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[f"{path}[{index}]"] = item.start_mark.line + 1
            node_lines(item, f"{path}[{index}]", lines)


def _quarto(root: Path, profile: str | None) -> ProjectSettings:
    """_quarto.yml's settings, the active profiles' files merged over it
    (:mod:`reportc.project.profiles`): each remembered with the file it is written in."""
    data, lines = load_yaml(root, QUARTO_NAME)
    profiles = active_profiles(root, data, profile, read_local(root, load_yaml))
    merged = layered(root, Layered(data, lines), profiles, load_yaml)
    settings = ProjectSettings(QUARTO_NAME, files=[QUARTO_NAME, *merged.files],
                               profiles=profiles, meta=merged.data)
    book = data.get("book")
    book = book if isinstance(book, dict) else {}
    for key in QUARTO_KEYS:
        for source, prefix in ((data, ""), (book, "book.")):
            if key in source:
                take(settings, key, source[key], lines.get(prefix + key, 1),
                      merged.origins.get(prefix + key, ""))
                _take_item_lines(settings, key, prefix, lines, merged.origins)
    _site_title(data, lines, settings)
    _format_annotations(data, lines, settings)
    if book:
        _take_chapters(settings, book, lines, "book.", merged.origins)
    else:
        _single_document(root, data, settings, lines)
        if RENDER in merged.origins:  # a profile's own list of documents
            settings.sources["chapters"] = merged.origins[RENDER]
    if "title" not in settings.data:
        _home_title(root, settings)
    settings.warnings += add_page_bibliographies(root, settings.data, settings.lines)
    _unused_filters(data, lines, settings, merged.origins)
    _take_headers(data, lines, settings)
    return settings


def _home_title(root: Path, settings: ProjectSettings) -> None:
    """A project of several documents that gives no title is titled by its home page's
    (``index.qmd``'s) ``title:``, else by its first document's (a default project's
    analyses, which Quarto renders one by one), said at _quarto.yml (config.title)."""
    chapters = settings.data["chapters"] if isinstance(settings.data.get("chapters"), list) \
        else []
    found, whose = home_title(root, chapters), "its home page's"
    if found is None:
        found, whose = first_title(root, chapters), "its first document's"
    if found is None:
        return  # (no title: the error says where to give one)
    title, home, line = found
    take(settings, "title", title, line, home)
    settings.warnings.append((
        f"the project has no title: {whose} title '{title}' ({home}) is the report's "
        "title (give 'title:' under 'website:' or 'book:' in _quarto.yml)", QUARTO_NAME, 1,
        "config.title"))


def _take_headers(data: dict, lines: dict[str, int], settings: ProjectSettings) -> None:
    """Quarto's ``include-in-header`` (top level or under a format: ``pdf:``, ``html:``),
    each a file, ``{file: ...}`` or ``{text: ...}``: where a book keeps its LaTeX macros.
    Files feed report.yaml's ``include-in-header``, texts its ``header-includes``."""
    formats = data.get("format")
    formats = formats if isinstance(formats, dict) else {}
    places = [("include-in-header", data.get("include-in-header")), *(
        (f"format.{name}.include-in-header", options.get("include-in-header"))
        for name, options in formats.items() if isinstance(options, dict))]
    files: list[str] = []
    texts: list[str] = []
    for place, value in places:
        for item in value if isinstance(value, list) else [value]:
            item = {"file": item} if isinstance(item, str) else item
            if isinstance(item, dict) and isinstance(item.get("file"), str):
                files += [] if item["file"] in files else [item["file"]]
            elif isinstance(item, dict) and isinstance(item.get("text"), str):
                texts.append(item["text"])
            else:
                continue
            settings.lines.setdefault("include-in-header", lines.get(place, 1))
            settings.lines.setdefault("header-includes", lines.get(place, 1))
    if files:
        settings.data["include-in-header"] = files
    if texts:
        settings.data["header-includes"] = texts


def _format_annotations(data: dict, lines: dict[str, int], settings: ProjectSettings) -> None:
    """``code-annotations`` written under a format (``format: html: code-annotations:
    none``) where the top level gives none."""
    found = format_option(data, "code-annotations")
    if found is not None and "code-annotations" not in settings.data:
        take(settings, "code-annotations", found[0], lines.get(found[1], 1))


def _site_title(data: dict, lines: dict[str, int], settings: ProjectSettings) -> None:
    """A website's title (``website: title:``, or ``project: title:``) where neither the
    top level nor ``book:`` gives one: Quarto prints it in every page's navigation."""
    for section in ("website", "project"):
        value = data.get(section)
        title = value.get("title") if isinstance(value, dict) else None
        if "title" not in settings.data and isinstance(title, str) and title.strip():
            take(settings, "title", title, lines.get(f"{section}.title", 1))


def _unused_filters(data: dict, lines: dict[str, int], settings: ProjectSettings,
                    origins: dict[str, str]) -> None:
    """A project's Lua filters (``filters: [section-bibliographies]``) change what Quarto
    prints, and reportc runs none (a filter is code): each is said, at its line (in the
    profile's file that names it, if one does), so that what it would have added is not
    missing without a word. ``quarto`` names Quarto's own."""
    for index, message in unrun_filters(data.get("filters")):
        line = lines.get(f"filters[{index}]", lines.get("filters", 1))
        if f"filters[{index}]" in origins:
            settings.warnings.append((message, origins[f"filters[{index}]"], line,
                                      "quarto.filter"))
        else:
            settings.unused.append((message, line))


def unrun_filters(names: Any) -> list[tuple[int, str]]:
    """(place in the list, what to say) of each Lua filter a ``filters:`` list names
    (``quarto`` names Quarto's own, not a filter of the project)."""
    found = []
    for index, name in enumerate(names if isinstance(names, list) else []):
        name = name.get("path", "") if isinstance(name, dict) else str(name)
        if name and name != "quarto":
            found.append((index, f"filter '{name}' is not run (reportc runs no project "
                                 "filters): what it adds or changes is not in the editions"))
    return found


def take(settings: ProjectSettings, key: str, value: Any, line: int, file: str = "") -> None:
    """One setting under its report.yaml name (``author`` -> ``authors``, ...), written at
    ``line`` of ``file`` (default: the project's file)."""
    name = QUARTO_KEYS[key]
    if key == "author":
        value = authors(value)
    elif key == "date" and (str(value) in ("today", "last-modified", "now")
                            or "`r " in str(value)):
        return  # the build date, as reportc takes it anyway
    elif key == "output-file":  # the outputs' name, as Quarto names them (one reportc takes)
        value = re.sub(r"\.(?:pdf|html|docx|epub|tex|typ)$", "", str(value))
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
            return
    settings.data[name] = value
    settings.lines[name] = line
    if file:
        settings.sources[name] = file


def _take_item_lines(settings: ProjectSettings, key: str, prefix: str,
                     lines: dict[str, int], origins: dict[str, str]) -> None:
    """The lines of a list setting's items (``bibliography[1]``), for its messages, and
    the file of each a profile's file adds."""
    target = QUARTO_KEYS[key]
    for name, line in lines.items():
        if name.startswith(f"{prefix}{key}["):
            item = target + name[len(prefix + key):]
            settings.lines[item] = line
            if name in origins and "." not in item:
                settings.sources[item] = origins[name]


def authors(value: Any) -> list[Any]:
    """Quarto's and R Markdown's author forms (a name, a list, ``name: {given, family}``,
    ``affiliations``) as report.yaml's list of ``{name, affiliation}``."""
    items = value if isinstance(value, list) else [value]
    result: list[Any] = []
    for item in items:
        if isinstance(item, dict):
            result.append(_author(item))
        elif item is not None:
            result.extend(part.strip() for part in re.split(r"\s+and\s+", str(item)))
    return result


def _author(item: dict) -> dict[str, str]:
    """One author given as a mapping: the name (``{given, family}`` joined), the
    affiliations (their names, joined) and the ORCID."""
    name = item.get("name")
    if isinstance(name, dict):
        name = " ".join(str(name[k]) for k in ("given", "family") if name.get(k))
    entry: dict[str, str] = {"name": str(name or "")}
    affiliation = item.get("affiliation") or item.get("affiliations")
    if isinstance(affiliation, list):
        affiliation = ", ".join(str(a.get("name", "") if isinstance(a, dict) else a)
                                for a in affiliation)
    elif isinstance(affiliation, dict):
        affiliation = affiliation.get("name", "")
    if affiliation:
        entry["affiliation"] = str(affiliation)
    if item.get("orcid"):
        entry["orcid"] = str(item["orcid"])
    return entry


def _take_chapters(settings: ProjectSettings, book: dict, lines: dict[str, int],
                   prefix: str, origins: dict[str, str] | None = None) -> None:
    """``book: chapters`` and ``appendices`` as report.yaml's ``chapters`` (with its lines;
    ``origins``: the file of an item a profile's file adds, as ``chapters[3]``)."""
    for written, key in BOOK_LISTS.items():
        if written.removeprefix(prefix) in book:
            settings.data[key] = book[written.removeprefix(prefix)]
            settings.lines[key] = lines.get(written, 1)
            if written in (origins or {}):
                settings.sources[key] = (origins or {})[written]
            for name, line in lines.items():
                if name.startswith(f"{written}["):
                    settings.lines[name.removeprefix(prefix)] = line
                    if name in (origins or {}) and "." not in name.removeprefix(prefix):
                        settings.sources[name.removeprefix(prefix)] = (origins or {})[name]


def _single_document(root: Path, data: dict, settings: ProjectSettings,
                     lines: dict[str, int]) -> None:
    """A project that renders one document: it is the report (its front matter gives the
    title, authors, ... unless _quarto.yml does)."""
    project = data.get(RENDER.split(".")[0])
    render = project.get(RENDER.split(".")[1]) if isinstance(project, dict) else None
    render = render if isinstance(render, list) else None
    website = data.get("website")
    website = website if isinstance(website, dict) else {}
    kind = project.get("type") if isinstance(project, dict) else None
    names = [str(n) for n in render] if render else _documents(
        root, settings, project.get("output-dir") if isinstance(project, dict) else None,
        (website.get("draft-mode") in ("visible", "unlinked"), kind == "website"))
    if not render and kind == "website":
        names = site_order(root, data.get("website"), names)
    elif not render and kind == "manuscript":  # the article; its notebooks are pages of it
        names = [article_of(data.get("manuscript"))]
    settings.data["chapters"] = names
    settings.lines["chapters"] = lines.get(RENDER, 1)
    if len(names) == 1 and (root / names[0]).is_file():
        document_meta(root, names[0], settings)
        _article(names[0], settings)
        if "title" not in settings.data:  # (several documents: no one of them is the title)
            _file_title(root, names[0], settings)


def _file_title(root: Path, name: str, settings: ProjectSettings) -> None:
    """A document rendered without a title (none in its front matter or _quarto.yml) is
    titled as Quarto and pandoc title its page: its ``pagetitle:``, else its file name
    (``analysis.qmd``: "analysis"); the report's cover and metadata need one. A warning at
    the document says so (see :func:`reportc.project.config.load_config`)."""
    meta, _block = front_matter(root, name)
    page_title = meta.get("pagetitle")
    title = str(page_title).strip() if isinstance(page_title, (str, int, float)) else ""
    settings.data["title"] = title or Path(name).stem
    settings.lines["title"] = 1
    settings.sources["title"] = name
    settings.untitled = name


def _documents(root: Path, settings: ProjectSettings, output_dir: Any,
               kind: tuple[bool, bool]) -> list[str]:
    """The project's documents (every one of its folder and subfolders, as Quarto renders
    them; ``.md`` files only in a website, where they are pages: elsewhere they are the
    repository's README-like notes), but a slide deck (``format: revealjs`` alone) is no
    part of a report, a notebook outside a Jupyter Book is not read, and a draft is left out
    as Quarto leaves it out (``kind``: drafts kept by ``draft-mode: visible``, a website):
    each said, at its first line."""
    keep_drafts, website = kind
    names = project_inputs(root, output_dir, markdown=website)
    slides = [name for name in names if slide_formats(root / name)]
    for name in slides:
        settings.warnings.append((
            f"a presentation ({', '.join(sorted(slide_formats(root / name)))}): not part of "
            "the report (list the documents in project: render: to choose)", name, 1,
            "quarto.presentation"))
    notebooks = [name for name in names if name.lower().endswith(".ipynb")]
    for name in notebooks:
        settings.warnings.append((
            "a Jupyter notebook: not part of the report (reportc reads notebooks only in a "
            f"Jupyter Book): save it as Markdown (quarto convert {name}) to print it", name, 1,
            "quarto.notebook"))
    drafts = [] if keep_drafts else [
        name for name in names if front_matter(root, name)[0].get("draft") is True]
    for name in drafts:
        settings.warnings.append((
            "a draft (draft: true): not part of the report, as Quarto leaves it out of the "
            "website (draft-mode: visible keeps it)", name, 1, "quarto.draft"))
    return [name for name in names if name not in (*slides, *notebooks, *drafts)]


def one_document(root: Path, data: dict[str, Any]) -> ProjectSettings | None:
    """A pandoc project that is one document (``thesis.md``, its title, author, date and
    lang in its front matter, as pandoc reads them), listed alone in report.yaml (``data``),
    which gives no title: the document's front matter is the report's title page and its
    ``#`` headings its chapters, as for a Quarto project that renders one document."""
    chapters = data.get("chapters")
    if "title" in data or not isinstance(chapters, list) or len(chapters) != 1 or \
            not isinstance(chapters[0], str):
        return None
    name, path = chapters[0], (root / chapters[0]).resolve()
    if not inside(path, root) or not path.is_file() or path.suffix.lower() not in SOURCE_SUFFIXES:
        return None  # (a chapter outside the report is an error where chapters are read)
    settings = ProjectSettings(name)
    document_meta(root, name, settings)
    _article(name, settings)
    return settings if "title" in settings.data else None


def document_meta(root: Path, name: str, settings: ProjectSettings) -> None:
    """The front matter of the one document a project renders, under _quarto.yml's own
    settings: it holds the report's title, not a chapter's."""
    meta, block = front_matter(root, name)
    if not meta:
        return
    for key, target in QUARTO_KEYS.items():
        if key in meta and target not in settings.data:
            take(settings, key, from_root(name, key, meta[key]), block_line(block, key), name)
    found = format_option(meta, "code-annotations")
    if found is not None and "code-annotations" not in settings.data:
        take(settings, "code-annotations", found[0], block_line(block, "format"), name)
    settings.meta_document = name


def _article(name: str, settings: ProjectSettings) -> None:
    """A Quarto or R Markdown document rendered alone is an article: its sections are
    numbered only when it asks (``number-sections: true``), as Quarto numbers them."""
    if Path(name).suffix.lower() in (".qmd", ".rmd"):
        settings.data.setdefault("number_sections", False)


def _bookdown(root: Path) -> ProjectSettings:
    """A Bookdown book: ``rmd_files`` of _bookdown.yml (or every .Rmd, index first) and
    the metadata of index.Rmd's front matter."""
    data, lines = load_yaml(root, BOOKDOWN_NAME) if (root / BOOKDOWN_NAME).is_file() else ({}, {})
    file = BOOKDOWN_NAME if (root / BOOKDOWN_NAME).is_file() else "index.Rmd"
    settings = ProjectSettings(file, files=[BOOKDOWN_NAME] if file == BOOKDOWN_NAME else [])
    files = data.get("rmd_files")
    if isinstance(files, dict):
        files = files.get("html") or next(iter(files.values()), None)
    if isinstance(files, list):
        settings.data["chapters"] = [str(f) for f in files]
        settings.lines["chapters"] = lines.get("rmd_files", 1)
    else:
        names = sorted(p.name for p in root.glob("*.Rmd") if not p.name.startswith("_"))
        settings.data["chapters"] = sorted(names, key=lambda n: n != "index.Rmd")
    if (root / "index.Rmd").is_file():
        settings.files.append("index.Rmd")
        document_meta(root, "index.Rmd", settings)
    return settings
