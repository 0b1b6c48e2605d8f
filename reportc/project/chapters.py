"""Stage 2: find the chapter files, read their front matter and put them in order.

Front matter is blanked out rather than cut, so line numbers that pandoc or our
own checks report are the line numbers the writer sees in the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from reportc.errors import Diagnostics
from reportc.paths import inside
from reportc.project.config import (
    CONFIG_NAME,
    MANUBOT_METADATA,
    ReportConfig,
)
from reportc.project.frontmatter import split_front_matter
from reportc.project.given import TEXT_SUFFIXES, given_suffixes
from reportc.project.jupyterbook import KIND as JUPYTER_BOOK
from reportc.project.listing import Listed
from reportc.project.listings import add_listing
from reportc.project.macros import header_definitions, share_macros
from reportc.project.manubot import has_template, is_manubot, render_templates
from reportc.project.markdown import (
    Chapter,
    environment_classes,
    lists_read_as_text,
    nocite_keys,
    pandoc_ready,
    promote_sections,
)
from reportc.project.myst import translate
from reportc.project.mystroles import Book, page_slug, scan_book
from reportc.project.notebook import notebook_text
from reportc.project.profiles import chapter_profiles, project_meta
from reportc.project.quarto import SOURCE_SUFFIXES, unrun_filters  # what a chapter may be
from reportc.project.settings import (
    ANNOTATION_STYLES,
    GIVEN_FILES,
    annotation_style,
    format_option,
)
from reportc.project.shortcodes import expand, meta_flags, title_shortcodes
from reportc.project.split import (
    Carry,
    bibliography_heading,
    continue_section,
    goes_on,
    headings,
    nest_section,
    open_with,
    own_slug,
    put_title,
    split_chapter,
    title_over_headings,
)
from reportc.project.versioning import build_date

CHAPTER_DIR = "chapters"
KINDS = ("summary", "chapter", "appendix")
FRONT_MATTER_KEYS = {"kind", "numbered", "title", "short_title", "header-includes", "nocite",
                     "code-annotations", "pandoc-latex-environment"}
_ORDER_PREFIX = re.compile(r"^(\d+)[-_]")
# Files a writer may mean as chapters but that are not read (only ``*.md`` is).
_TEXT_SUFFIXES = {*TEXT_SUFFIXES, ".qmd", ".rmd", ".rst"}


def load_chapters(config: ReportConfig, diag: Diagnostics) -> list[Chapter]:
    """Return the chapters in reading order; problems go to ``diag``."""
    chapters: list[Chapter] = []
    carry = Carry()
    stems: set[str] = set()  # the file names read so far (without suffix)
    opening: Chapter | None = None  # a Manubot paper's first file, before any heading
    files = chapter_files(config, diag)
    book = _book(config, files)
    for path, entry in files:
        chapter = _read_chapter(config.root, path, diag, config, book)
        if chapter is None or (book is not None and _nested(chapter, entry, chapters, diag)):
            continue
        _place(chapter, entry, config)
        own_slug(chapter, stems)
        if opening is not None:
            open_with(opening, chapter, diag)
            opening = None
        if chapters and _joined(chapters[-1], chapter, config, diag):
            continue
        if not chapters and not headings(chapter.text) and is_manubot(config.root):
            opening = chapter  # Manubot prints it under the title: it opens the next file
            continue
        chapters.extend(split_chapter(chapter, carry))
    chapters.extend(split_chapter(opening, carry) if opening is not None else [])
    _references_place(chapters, config)
    if config.abstract.strip():
        chapters.insert(0, _abstract(config))
    share_macros(chapters, config.header_macros)
    return chapters


def _joined(previous: Chapter, chapter: Chapter, config: ReportConfig,
            diag: Diagnostics) -> bool:
    """Does all of ``chapter`` go on with the chapter before it (pandoc joins the files it is
    given)? A Manubot file's text before its first heading does; its chapters do not."""
    if config.project_kind == GIVEN_FILES:
        return goes_on(previous, chapter, diag)
    if chapter.raised:
        continue_section(previous, chapter, diag)
    return False


def _references_place(chapters: list[Chapter], config: ReportConfig) -> None:
    """A last chapter that is only pandoc's place for the bibliography (``# References``,
    left out when read: reportc.document.read) names the list, unless report.yaml does."""
    if len(chapters) > 1 and (heading := bibliography_heading(chapters[-1])) and \
            "reference-section-title" not in config.files:
        config.references_title = heading


def _book(config: ReportConfig, files: list[tuple[Path, Listed | None]]) -> Book | None:
    """A Jupyter Book's labels and titles, all its files read at once (``None``: the
    report is no Jupyter Book)."""
    if config.project_kind != JUPYTER_BOOK:
        return None
    return scan_book(config.root, [path.relative_to(config.root.resolve()).as_posix()
                                   for path, _ in files])


def _nested(chapter: Chapter, entry: Listed | None, chapters: list[Chapter],
            diag: Diagnostics) -> bool:
    """A Jupyter Book page's slug (pages in two folders share names: ``index``); a section
    file put in the chapter before it (True: it is no chapter of its own)."""
    chapter.slug = page_slug(Path(chapter.rel))
    if entry is None or not entry.level or not chapters:
        return False
    nest_section(chapters[-1], chapter, entry.level, chapter.anchor, diag)
    return True


def _abstract(config: ReportConfig) -> Chapter:
    """``abstract:`` (report.yaml, _quarto.yml or the one document's front matter) as the
    report's first part, a summary under "Abstract", as pandoc and Quarto print it under the
    title; its lines are those of the file it is written in (the text from the line after
    the key, as a ``|`` block gives it)."""
    rel = config.file_of("abstract")
    line = config.line_of("abstract") or 1
    text = "\n" * (line - 1) + f"# {config.words['section-title-abstract']} {{.unnumbered}}\n" \
        + config.abstract
    return Chapter(path=config.root / rel, rel=rel, text=text, kind="summary", numbered=False,
                   slug="abstract")


def chapter_files(config: ReportConfig, diag: Diagnostics
                  ) -> list[tuple[Path, Listed | None]]:
    """The chapter files in reading order, each with its entry in the chapters list, found
    without reading them (a rebuild with nothing to do hashes them instead); problems with
    their names and the list go to ``diag``."""
    folder = config.root / CHAPTER_DIR
    found = sorted(folder.glob("*.md"), key=_order_key) if folder.is_dir() else []
    listed = {(config.root / _listed_path(config.root, c.name)).resolve()
              for c in config.listed or []}
    _warn_about_names(folder, [p for p in found if p.resolve() not in listed],
                      config.chapters is None, diag, listed)
    ordered = _ordered_paths(config, found, diag)
    if not ordered and not diag.errors:  # said in the file the report's settings are in
        where = CONFIG_NAME if config.path.is_file() or not config.project_files else \
            config.project_files[0]
        diag.error(f"no chapters: put Markdown files in {CHAPTER_DIR}/ (e.g. 01-intro.md)"
                   + ("" if where == CONFIG_NAME else ", or list them in 'render:' or "
                      "'chapters:'"), where)
    return ordered


def _place(chapter: Chapter, entry: Listed | None, config: ReportConfig) -> None:
    """What the listing says of a chapter (its kind, the part it opens) and whether the
    report numbers it."""
    if entry is not None:
        chapter.kind = entry.kind if chapter.kind == "chapter" else chapter.kind
        chapter.part = entry.part or chapter.part
    chapter.numbered = chapter.numbered and config.number_sections
    chapter.code_annotations = chapter.code_annotations or config.code_annotations


def _warn_about_names(folder: Path, found: list[Path], ordered_by_name: bool,
                      diag: Diagnostics, listed: set[Path]) -> None:
    """Say which files will be skipped (Markdown under another suffix) and, when the order
    comes from file names, which chapters have no ``NN-`` prefix to place them."""
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith((".", "_")) and path.suffix != ".md" \
                and path.resolve() not in listed and \
                (path.suffix.lower() in _TEXT_SUFFIXES or path.suffix.lower() == ".md"):
            diag.warning(f"is skipped: only files ending .md are chapters (rename it to "
                         f"{path.stem}.md to include it)", f"{CHAPTER_DIR}/{path.name}",
                         code="chapter.skipped")
    if ordered_by_name:
        for path in found:
            if not _ORDER_PREFIX.match(path.name):
                diag.warning("has no NN- number prefix (chapters are named NN-slug.md): it is "
                             "placed after the numbered chapters, in name order",
                             f"{CHAPTER_DIR}/{path.name}", code="chapter.prefix")


def _order_key(path: Path) -> tuple[int, str]:
    match = _ORDER_PREFIX.match(path.name)
    return (int(match.group(1)) if match else 10**9, path.name)


def _ordered_paths(config: ReportConfig, found: list[Path], diag: Diagnostics
                   ) -> list[tuple[Path, Listed | None]]:
    """The chapter files in reading order, each with its entry in the chapters list."""
    if config.listed is None:
        return [(path, None) for path in found]
    paths: list[tuple[Path, Listed | None]] = []
    for entry in config.listed:
        name, where = entry.name, (entry.file, entry.line)
        relative = _listed_path(config.root, name)
        path = (config.root / relative).resolve()
        if not inside(path, config.root):
            diag.error(f"chapter '{name}' is outside the report directory", *where)
        elif not path.is_file():
            looked = relative if relative == name else f"{name} and {relative}"
            diag.error(f"chapter '{name}' not found (looked for {looked})", *where)
        elif any(path == p for p, _ in paths):
            diag.error(f"chapter '{name}' is listed twice", *where)
        elif problem := _not_a_chapter(config, name, path):
            diag.error(problem, *where)
        else:
            paths.append((path, entry))
    listed = {p for p, _ in paths}  # (files named on the command line: the others are not)
    for path in found if config.project_kind != GIVEN_FILES else []:
        if path.resolve() not in listed and not path.name.startswith("_"):
            diag.warning(f"{CHAPTER_DIR}/{path.name} is not listed in 'chapters' and is left out",
                         config.file_of("chapters"), config.line_of("chapters"),
                         code="chapter.unlisted")
    return paths


def _not_a_chapter(config: ReportConfig, name: str, path: Path) -> str:
    """Why a listed file cannot be a chapter ("": it can): it is no Markdown, or a
    notebook outside a Jupyter Book (a book's notebooks are read: their outputs stored)."""
    suffix = path.suffix.lower()
    if suffix == ".ipynb" and config.project_kind != JUPYTER_BOOK:
        return (f"chapter '{name}' is a Jupyter notebook, which reportc reads only in a "
                f"Jupyter Book (a folder with _toc.yml): save it as MyST Markdown (jupytext "
                f"--to myst {name})")
    if suffix not in (*SOURCE_SUFFIXES, ".ipynb", *given_suffixes(config.project_kind)):
        return f"chapter '{name}' is not a Markdown file (.md, .qmd, .Rmd)"
    return ""


def _listed_path(root: Path, name: str) -> str:
    """A listed name as a path from the report directory: as written when it is there
    (``source/intro.md``, ``index.qmd``), else in chapters/ (``01-intro.md``)."""
    if name.startswith(f"{CHAPTER_DIR}/") or (root / name).is_file():
        return name
    if "/" in name:
        return name
    return f"{CHAPTER_DIR}/{name}"


def _read_chapter(root: Path, path: Path, diag: Diagnostics,
                  config: ReportConfig | None = None, book: Book | None = None
                  ) -> Chapter | None:
    found = _raw(root, path, diag)
    source = None if found is None else _source(found[1], found[0], diag, book)
    if found is None or source is None:
        return None
    rel, (meta, text, cells) = found[0], source
    _unused_filters(meta, rel, diag)
    title_shortcodes(root, rel, meta, diag, project := project_meta(config))  # profiles' too
    text, expanded, read_in = _expand(root, rel, text, diag, meta, book, cells, project)
    text, expanded = add_listing(root, (rel, found[1]), (text, expanded), meta, read_in, diag)
    text = pandoc_ready(text)
    if config is not None and has_template(text) and is_manubot(root):
        text, expanded = _manubot_templates(root, rel, text, expanded, config, diag)
    chapter = Chapter(path=path, rel=rel, text=text, expanded=expanded, read_in=tuple(read_in),
                      header_macros=tuple(header_definitions(meta)),
                      flags=meta_flags(root, text, meta, project) if "-meta=" in text else {},
                      profiles=chapter_profiles(text, config))
    if config is not None and rel == config.meta_document:
        meta = _document_title(meta, chapter.text)
    _apply_front_matter(chapter, meta, diag, project=config is not None and
                        bool(config.project_files))
    for line in lists_read_as_text(chapter.text.split("\n")):
        diag.warning("a list item right after a paragraph line, with no blank line between, "
                     "is read as more of the paragraph (it prints as text with a dash): put a "
                     "blank line before the list", rel, line, code="markdown.list")
    if config is not None:
        _raise_manubot(root, chapter, config)
    return chapter


def _raise_manubot(root: Path, chapter: Chapter, config: ReportConfig) -> None:
    """A Manubot content file's headings one level up: its files start at ``##``."""
    if config.project_kind != GIVEN_FILES and \
            any((root / name).is_file() for name in MANUBOT_METADATA):
        raised = promote_sections(chapter.text)
        chapter.text, chapter.raised = raised, raised != chapter.text


def _raw(root: Path, path: Path, diag: Diagnostics) -> tuple[str, str] | None:
    """A chapter file's path from the report directory and its text (``None``: it cannot
    be read, said)."""
    resolved = path.resolve()
    if not inside(resolved, root):
        diag.error("is a link to a file outside the report directory; chapters must be "
                   "files of the report", path.relative_to(root).as_posix())
        return None
    rel = resolved.relative_to(root.resolve()).as_posix()
    if not resolved.is_file():
        diag.error("is not a regular file", rel)
        return None
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        diag.error("file is not valid UTF-8", rel, line)
        return None
    return rel, raw.replace("\r\n", "\n").removeprefix("\ufeff")


def _source(raw: str, rel: str, diag: Diagnostics, book: Book | None
            ) -> tuple[dict, str, list[int] | None] | None:
    """A chapter's front matter and text (front matter lines blanked); a Jupyter Book's
    notebook as MyST, with the line of the file each line comes from (``None``: it is
    no notebook, said)."""
    if book is None or not rel.endswith(".ipynb"):
        return (*split_front_matter(raw, rel, diag), None)
    notebook = notebook_text(raw, rel, diag)
    return None if notebook is None else ({}, *notebook)


def _expand(root: Path, rel: str, text: str, diag: Diagnostics, meta: dict, book: Book | None,
            cells: list[int] | None, project: dict | None) -> tuple[str, bool, list[str]]:
    """:func:`~reportc.project.shortcodes.expand` (``project``: _quarto.yml's, profiles merged),
    after a Jupyter Book chapter's MyST is written as pandoc Markdown (``book``: its labels;
    ``cells``: a notebook's, the file's line of each line of ``text``): origins the file's."""
    if book is None:
        return expand(root, rel, text, diag, meta, project)
    if cells:  # what translate says of a notebook's line is said at its cell
        diag.origins[rel] = [(rel, n) for n in cells]
    text, lines = translate(text, rel, book, diag, meta)
    mine = [(rel, cells[n - 1] if cells else n) for n in lines]
    moved = mine != [(rel, n) for n in range(1, len(mine) + 1)]
    if moved:  # so that what expand says is located in the file
        diag.origins[rel] = mine
    text, expanded, read_in = expand(root, rel, text, diag, meta)
    if expanded:  # its origins are lines of the translated text
        diag.origins[rel] = [mine[n - 1] if file == rel else (file, n)
                             for file, n in diag.origins[rel]]
    return text, expanded or moved, read_in


def _manubot_templates(root: Path, rel: str, text: str, expanded: bool, config: ReportConfig,
                       diag: Diagnostics) -> tuple[str, bool]:
    """A Manubot chapter's Jinja2 templates rendered (:mod:`reportc.project.manubot`); its
    lines' origins follow what the templates added or took away."""
    rendered, moved = render_templates(root, rel, text, diag.origins_of(rel, text),
                                       build_date(config), diag)
    if rendered == text:
        return text, expanded
    diag.origins[rel] = moved
    return rendered, True




def _apply_front_matter(chapter: Chapter, meta: dict, diag: Diagnostics,
                        project: bool = False) -> None:
    """``project``: the chapter belongs to a Quarto or Bookdown project, whose front
    matter keys (format:, execute:, ...) are that tool's, not typos."""
    lines = meta.pop("_lines", {})
    for key in meta:
        if key not in FRONT_MATTER_KEYS and not project and \
                chapter.path.suffix.lower() not in (".qmd", ".rmd"):
            diag.warning(f"unknown front matter key '{key}' (ignored)", chapter.rel, lines.get(key),
                         code="frontmatter.unknown")
    kind = str(meta.get("kind", "chapter"))
    if kind not in KINDS:
        diag.error(f"kind '{kind}' must be one of {', '.join(KINDS)}", chapter.rel,
                   lines.get("kind"))
        kind = "chapter"
    chapter.kind = kind
    numbered = meta.get("numbered", kind != "summary")
    if not isinstance(numbered, bool):
        diag.error("numbered must be true or false", chapter.rel, lines.get("numbered"))
        numbered = kind != "summary"
    chapter.numbered = numbered and kind != "summary"
    chapter.short_title = str(meta.get("short_title") or "")
    chapter.nocite = tuple(nocite_keys(meta.get("nocite")))
    chapter.boxes = environment_classes(meta.get("pandoc-latex-environment"))
    _code_annotations(chapter, meta, lines, diag)
    if meta.get("title") is not None:
        _front_matter_title(chapter, " ".join(str(meta["title"]).split()), lines.get("title", 1),
                            diag)


def _code_annotations(chapter: Chapter, meta: dict, lines: dict[str, int],
                      diag: Diagnostics) -> None:
    """The file's own ``code-annotations`` (Quarto's: below, hover, select, none or
    false; at the top level or under ``format: html:``), over the report's."""
    if (found := format_option(meta, "code-annotations")) is None:
        return
    chapter.code_annotations = annotation_style(found[0])
    if not chapter.code_annotations:
        diag.warning(f"code-annotations '{found[0]}' is not one of "
                     f"{', '.join(ANNOTATION_STYLES)} (the report's is used)", chapter.rel,
                     lines.get(found[1].split(".")[0]), code="quarto.annotation")


def _unused_filters(meta: dict, rel: str, diag: Diagnostics) -> None:
    """A document's own Lua filters (front matter ``filters:``) are not run, as a
    project's are not (:func:`reportc.project.quarto._unused_filters`): said at the line."""
    for _index, message in unrun_filters(meta.get("filters")):
        diag.warning(message, rel, meta.get("_lines", {}).get("filters"), code="quarto.filter")


def _document_title(meta: dict, text: str) -> dict:
    """The front matter a report's one document keeps as a chapter's: its front matter is
    the report's title page (read into the config), so none, unless the text has no ``#``
    heading (a Quarto article, its sections ``##``): then it is one chapter under the
    document's title, unnumbered, as Quarto prints an article."""
    kept = {key: meta[key] for key in ("pandoc-latex-environment",) if key in meta}
    if _has_level_one_heading(text) or not meta.get("title"):
        return kept  # (what is about its text: its boxes)
    return {**kept, "_lines": meta.get("_lines", {}), "title": meta["title"],
            "numbered": False}


def _front_matter_title(chapter: Chapter, title: str, line: int, diag: Diagnostics) -> None:
    """Quarto and pandoc documents give their title in the front matter (``title:``). A
    chapter without a level-1 heading takes it as its ``# Title``, written on the front
    matter's (blanked) title line, so that line numbers stay those of the file."""
    if not title:
        return
    if _has_level_one_heading(chapter.text):
        title_over_headings(chapter, title, line, diag)
        return
    chapter.text = put_title(chapter.text, title, line)




def _has_level_one_heading(text: str) -> bool:
    """Is there a ``# Title`` (or a title underlined with ``===``) outside fenced code,
    display maths and ``:::`` blocks (where a heading is a box's, not the chapter's)?"""
    return any(level == 1 for _line, level in headings(text, top=True))
