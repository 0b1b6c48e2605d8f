"""A Quarto website (or a book) read as one report: its reading order and its title.

A website renders every document of its folder; its visitors meet them in the order of its
navigation, home page first. A report is read in one order, so it follows the same: the home
page (``index.qmd``), then each page the sidebar and the navbar list, then the pages no menu
lists. A website or book often gives no title of its own (Quarto's navigation then shows the
home page alone), so the home page's ``title:`` titles the report, with a warning that says so.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from reportc.paths import inside
from reportc.project.frontmatter import block_line, front_matter

HOME = ("index.qmd", "index.md", "index.ipynb", "index.rmd", "index.Rmd")
SUFFIXES = (".md", ".qmd", ".rmd", ".markdown", ".ipynb")
COMPUTED = (".qmd", ".rmd", ".ipynb")  # Quarto's own documents (not a repository's notes)
# folders Quarto never renders from (besides _x and .x): packages, environments, and out/,
# where reportc writes
SKIPPED = {"node_modules", "renv", "packrat", "rsconnect", "venv", "env", "out"}
PRESENTATIONS = {"revealjs", "pptx", "beamer"}  # Quarto's slide formats: no report's part
RELATIVE = {"bibliography", "csl"}  # files a document names from its own folder
README = re.compile(r"README\.[Rrq]?md")


def project_inputs(root: Path, output_dir: Any = None, markdown: bool = True) -> list[str]:
    """Every document a Quarto project renders when it lists none (``project: render:``),
    as Quarto finds them: files of its folder and subfolders, but none whose name or folder
    starts with ``_`` or ``.``, no README, nothing in the output folder or a package
    folder. The folder's own files come first, then each subfolder's, by name.
    ``markdown``: ``.md`` files too (a website's pages; elsewhere notes beside the work)."""
    suffixes = SUFFIXES if markdown else COMPUTED
    found: list[str] = []
    skipped = (root / str(output_dir)).resolve() if isinstance(output_dir, str) else None
    ignored = _git_ignored(root)
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = [name for name in dirs if not name.startswith(("_", "."))
                   and name not in SKIPPED and (here / name).resolve() != skipped
                   and not ignored(name)]
        found += [(here / name).relative_to(root).as_posix() for name in files
                  if not name.startswith(("_", ".")) and not README.fullmatch(name)
                  and name.lower().endswith(suffixes) and not ignored(name)]
    return sorted(found, key=lambda name: (name.count("/"), name))


def _git_ignored(root: Path) -> Callable[[str], bool]:
    """Whether a file or folder name is one the project's .gitignore names (a virtual
    environment, a build folder): Quarto renders nothing there."""
    path = root / ".gitignore"
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    patterns = [line.strip().strip("/") for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith(("#", "!"))]
    names = [pattern for pattern in patterns if "/" not in pattern]
    return lambda name: any(fnmatch.fnmatch(name, pattern) for pattern in names)


def site_order(root: Path, website: Any, found: list[str]) -> list[str]:
    """The documents of a website (``found``: those of its folder) in its visitors' order;
    pages its menus list in subfolders are read too, as Quarto renders them."""
    listed = [name for name in _menu_pages(website) if _source(root, name)]
    home = [name for name in HOME if name in found or name in listed][:1]
    order = [*home, *listed, *found]
    return list(dict.fromkeys(order))


def _menu_pages(website: Any) -> list[str]:
    """The pages named in a website's sidebar(s) and navbar, in the order written."""
    if not isinstance(website, dict):
        return []
    return [*_pages(website.get("sidebar")), *_pages(website.get("navbar"))]


def _pages(node: Any) -> list[str]:
    """Every page named in a menu node: a path, ``href:``/``file:``/``section:`` (a section
    may be a page), or the items under
    ``contents:``, ``menu:``, ``left:`` or ``right:`` (sections nest)."""
    if isinstance(node, str):
        return [_normal(node)] if node.lower().endswith(SUFFIXES) else []
    if isinstance(node, list):
        return [page for item in node for page in _pages(item)]
    if not isinstance(node, dict):
        return []
    named = [node[key] for key in ("href", "file", "section") if isinstance(node.get(key), str)]
    nested = [node.get(key) for key in ("contents", "menu", "left", "right")]
    return [*(page for name in named for page in _pages(name)),
            *(page for item in nested for page in _pages(item))]


def _normal(name: str) -> str:
    """``./a/b.qmd`` and ``/a/b.qmd`` (site-absolute) as ``a/b.qmd``."""
    return str(PurePosixPath(name.lstrip("/"))).removeprefix("./")


def _source(root: Path, name: str) -> bool:
    """Is ``name`` a document inside the project (not a partial: ``_x.qmd``)?"""
    return _source_file(root, name) and not PurePosixPath(name).name.startswith("_")


def home_title(root: Path, chapters: list[Any]) -> tuple[str, str, int] | None:
    """The title of the home page (``index.qmd`` listed among ``chapters``): (title, file,
    line of ``title:``), or ``None`` where there is none to take."""
    names = [item for item in chapters if isinstance(item, str)]
    home = next((name for name in names if PurePosixPath(name).name in HOME
                 and PurePosixPath(name).parent == PurePosixPath(".")), None)
    return None if home is None else document_title(root, home)


def first_title(root: Path, chapters: list[Any]) -> tuple[str, str, int] | None:
    """The title of the first of ``chapters`` whose front matter gives one, as
    :func:`home_title`: what titles a project of documents with no home page (Quarto's
    default project renders each document on its own; the report joins them). A project
    with a home page is titled by the home page's own title alone."""
    names = [item for item in chapters if isinstance(item, str)]
    if any(PurePosixPath(name).name in HOME and "/" not in name for name in names):
        return None
    return next((found for name in names if (found := document_title(root, name))), None)


def document_title(root: Path, name: str) -> tuple[str, str, int] | None:
    """The ``title:`` of the document ``name`` (title, file, line), if it gives one."""
    if not _source_file(root, name):
        return None
    meta, block = front_matter(root, name)
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        return None
    return title.strip(), name, block_line(block, "title")


def page_bibliographies(root: Path, names: list[str]
                        ) -> tuple[list[str], list[tuple[str, str, int, str]]]:
    """The bibliographies the pages' own front matter names (``bibliography:``, relative
    to each page), in reading order: in a website each page cites from its own; the report
    cites from them all. A file that is not there is said at its page (the citations it
    was to give are errors where they are)."""
    files: list[str] = []
    said: list[tuple[str, str, int, str]] = []
    for name in names:
        if not _source_file(root, name):
            continue  # (a listed chapter that is not there: an error where it is listed)
        meta, block = front_matter(root, name)
        line = block_line(block, "bibliography")
        for written in rebased(name, meta.get("bibliography")):
            if not _source_file(root, written):
                said.append((f"bibliography '{written}' is not a file of the report: its "
                             "entries are not read", name, line, "config.bibliography"))
            elif written not in files:
                files.append(written)
    return files, said


def rebased(page: str, value: Any) -> list[str]:
    """The files a page's front matter names (one or a list), as paths from the report
    directory: they are written relative to the page's folder."""
    written = value if isinstance(value, list) else [value]
    folder = posixpath.dirname(page)
    return [posixpath.normpath(posixpath.join(folder, item)) for item in written
            if isinstance(item, str) and item.strip()]


def _source_file(root: Path, name: str) -> bool:
    """Is ``name`` a file inside the report directory?"""
    path = (root / name).resolve()
    return inside(path, root) and path.is_file()


def add_page_bibliographies(root: Path, data: dict[str, Any], lines: dict[str, int]
                            ) -> list[tuple[str, str, int, str]]:
    """The bibliographies of a project's pages (each page's ``bibliography:``) joined to
    the report's settings ``data`` when it has several pages (one page's are the report's
    own); what is said of them, as (message, file, line, code)."""
    names = [name for key in ("chapters", "appendices") for name in _names(data.get(key))]
    if len(names) < 2:
        return []
    files, said = page_bibliographies(root, names)
    value = data.get("bibliography")
    mine = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    more = [name for name in files if name not in mine]
    if more:
        data["bibliography"] = [*mine, *more]
        lines.setdefault("bibliography", 1)
    return said


def _names(items: Any) -> list[str]:
    """The files a chapters list names (in ``part:`` groups too)."""
    if isinstance(items, str):
        return [items]
    if isinstance(items, dict):
        part = str(items.get("part", ""))
        return _names(items.get("chapters")) + ([part] if part.lower().endswith(SUFFIXES)
                                                 else [])
    return [name for item in items for name in _names(item)] if isinstance(items, list) else []


def from_root(name: str, key: str, value: Any) -> Any:
    """A document's setting, its file names (``bibliography``, ``csl``) made paths from the
    report directory: the document names them from its own folder."""
    if key not in RELATIVE or "/" not in name:
        return value
    files = rebased(name, value)
    return files if isinstance(value, list) else files[0] if files else value


def article_of(manuscript: Any) -> str:
    """A Quarto manuscript's article: ``manuscript: article:``, else ``index.qmd``."""
    article = manuscript.get("article") if isinstance(manuscript, dict) else None
    return article if isinstance(article, str) and article.strip() else "index.qmd"


def slide_formats(path: Path) -> set[str]:
    """The document's formats if they are all slide formats, else an empty set."""
    found = front_matter(path.parent, path.name)[0].get("format")
    formats = {str(f).split("+")[0] for f in (
        [found] if isinstance(found, str) else found if isinstance(found, (dict, list)) else [])}
    return formats if formats and formats <= PRESENTATIONS else set()
