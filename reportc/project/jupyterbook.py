"""Read a Jupyter Book (1.x) project's own settings as report.yaml's.

A Jupyter Book keeps its settings in ``_config.yml`` (title, author, copyright, logo,
``bibtex_bibfiles``, the language under ``sphinx: config:``) and its reading order in
``_toc.yml`` (``format: jb-book``: a ``root`` page, then ``chapters`` or ``parts`` with a
``caption`` and their ``chapters``, each with nested ``sections``). The root page is the
first chapter; a section file is a chapter of its own, after the file it is nested in, in
the order the table of contents lists them (a Jupyter Book's PDF makes sections of them;
their ``#`` titles stay chapter titles here, so each keeps its page and its place in the
contents). ``format: jb-article`` is one document: its root page is the one chapter and
the files of its ``sections`` are sections of it. A table of contents written before
Jupyter Book 0.11 (a list) is read as ``jupyter-book toc migrate`` would write it, and
sphinx-external-toc's own keys (``subtrees``, ``entries``) as jb-book's; another
``format`` is an error at its line. Each value keeps the file and line it comes from;
report.yaml overrides key by key. Settings that change what Jupyter Book prints but
that reportc does not do (code execution, Sphinx extensions, a toc ``url:`` entry) are
each a warning at their line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from reportc.errors import ConfigError, Diagnostics
from reportc.project.notebook import notebook_text
from reportc.project.quarto import ProjectSettings, authors, load_yaml

CONFIG = "_config.yml"
TOC = "_toc.yml"
KIND = "jupyter-book"
CODE = "jupyterbook.config"  # the warnings' type
FORMATS = ("jb-book", "jb-article")
# the keys of a list of files: jb-book's, jb-article's, sphinx-external-toc's own
_ENTRIES = ("chapters", "sections", "entries")
# what a toc entry without a suffix may be, in the order Jupyter Book looks for them
SUFFIXES = (".md", ".ipynb", ".rst", ".Rmd", ".myst.md")
# _config.yml keys -> report.yaml's
# (``logo:`` is the web page's corner, not a cover: not taken)
_SIMPLE = {"title": "title", "description": "description", "copyright": "copyright",
           "language": "lang", "bibtex_bibfiles": "bibliography"}
# _config.yml settings that change what Jupyter Book prints, which reportc does not do
_UNDONE = {
    "sphinx.extra_extensions": "Sphinx extensions are not run: what they add (their "
                               "directives and roles) is reported where it is written",
    "sphinx.local_extensions": "local Sphinx extensions are not run",
}


def is_jupyter_book(root: Path) -> bool:
    """A folder with a Jupyter Book's table of contents."""
    return (root / TOC).is_file()


def jupyter_book_settings(root: Path) -> ProjectSettings:
    """The book's settings in report.yaml's shape (see the module's docstring)."""
    has_config = (root / CONFIG).is_file()
    settings = ProjectSettings(CONFIG if has_config else TOC, files=[], kind=KIND)
    if has_config:
        data, lines = load_yaml(root, CONFIG)
        settings.files.append(CONFIG)
        _take_config(settings, data, lines)
    toc, toc_lines = load_yaml(root, TOC, mapping=False)
    settings.files.append(TOC)
    _take_toc(root, settings, toc, toc_lines)
    if "title" not in settings.data:
        _root_title(root, settings)
    return settings


def _root_title(root: Path, settings: ProjectSettings) -> None:
    """A book whose ``_config.yml`` gives no title (its template's ``title: ""``) is
    titled by its root page's first heading, as the page Jupyter Book opens with (a
    notebook's: in its Markdown cells)."""
    chapters = settings.data.get("chapters") or []
    first = chapters[0] if chapters and isinstance(chapters[0], str) else None
    try:
        text = (root / first).read_text(encoding="utf-8") if first else ""
    except (OSError, UnicodeDecodeError):
        return  # (reported where the chapter is read)
    numbers = None  # a notebook's: its Markdown, each line's line of the file
    if str(first).endswith(".ipynb"):
        text, numbers = notebook_text(text, str(first), Diagnostics()) or ("", [])
    for number, line in enumerate(text.split("\n"), start=1):
        if heading := re.match(r"^#[ \t]+(.+?)[ \t]*(?:\{[^}]*\})?[ \t]*$", line):
            settings.data["title"] = heading.group(1)
            settings.lines["title"] = numbers[number - 1] if numbers else number
            settings.sources["title"] = str(first)
            return


def _take_config(settings: ProjectSettings, data: dict, lines: dict[str, int]) -> None:
    """``_config.yml``'s title, author, ... (an empty title is none: the template's ``""``)."""
    config = _section(_section(data, "sphinx"), "config")
    found = {**({"language": (config["language"], "sphinx.config.language")}
                if config.get("language") else {}),
             **{key: (data[key], key) for key in _SIMPLE if data.get(key) not in (None, "")}}
    for key, (value, place) in found.items():
        target = _SIMPLE[key]
        if key == "copyright":
            value = str(value) if str(value).startswith("\u00a9") else f"\u00a9 {value}"
        settings.data[target] = value
        settings.lines[target] = lines.get(place, 1)
    _preamble(settings, config, lines)
    if data.get("author"):
        settings.data["authors"] = authors(str(data["author"]).replace(",", " and "))
        settings.lines["authors"] = lines.get("author", 1)
    _undone(settings, data, lines)


def _preamble(settings: ProjectSettings, config: dict, lines: dict[str, int]) -> None:
    """The LaTeX preamble (``latex_elements: preamble:``) and MathJax's macros as
    ``header-includes``: their macros hold in every formula."""
    preamble = _section(config, "latex_elements").get("preamble")
    found = [p for p in (preamble, _mathjax_macros(config)) if isinstance(p, str) and p.strip()]
    if found:
        settings.data["header-includes"] = found
        settings.lines["header-includes"] = lines.get(
            "sphinx.config.latex_elements.preamble",
            next((lines[k] for k in lines if k.startswith("sphinx.config.mathjax")), 1))


def _mathjax_macros(config: dict) -> str:
    """The TeX macros the web book's MathJax defines (``mathjax3_config: tex: macros:``,
    MathJax 2's ``mathjax_config: TeX: Macros:``; a macro is its definition or a list of
    its definition and its number of arguments), as ``\\newcommand`` lines."""
    two = _section(config, "mathjax_config") or _section(config, "mathjax2_config")
    found = {**_section(_section(two, "TeX"), "Macros"),
             **_section(_section(_section(config, "mathjax3_config"), "tex"), "macros")}
    lines = []
    for name, value in found.items():
        body, count = (value[0], value[1]) if isinstance(value, list) and len(value) > 1 \
            else (value, 0)
        lines.append(f"\\newcommand{{\\{name}}}" + (f"[{count}]" if count else "")
                     + f"{{{body}}}")
    return "\n".join(lines)


def _section(data: dict, key: str) -> dict:
    """``data[key]`` if it is a mapping, else an empty one."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _undone(settings: ProjectSettings, data: dict, lines: dict[str, int]) -> None:
    """Each setting reportc does not do that would change the book, at its line."""
    execute = _section(data, "execute")
    if execute.get("execute_notebooks", "auto") not in ("off", False):
        settings.warnings.append((
            "execute_notebooks: reportc never runs code: a notebook prints the outputs it "
            "stored when it last ran, a MyST code cell prints as code without outputs",
            CONFIG, lines.get("execute.execute_notebooks", lines.get("execute", 1)), CODE))
    for place, message in _UNDONE.items():
        head, _dot, key = place.partition(".")
        section = data.get(head)
        if isinstance(section, dict) and section.get(key):
            settings.warnings.append((message, CONFIG, lines.get(place, 1), CODE))


def _take_toc(root: Path, settings: ProjectSettings, toc: Any, lines: dict[str, int]) -> None:
    """``_toc.yml``'s root and chapters (parts with a caption become ``part:`` groups); a
    jb-article's files are sections of its root page, the one chapter."""
    if isinstance(toc, list):  # before Jupyter Book 0.11
        toc = _migrated(toc, settings, lines)
    form = toc.get("format")
    if form not in (None, *FORMATS):
        raise ConfigError(f"{TOC}:{lines.get('format', 1)}: format '{form}' is not a table of "
                          f"contents reportc reads: write it as {' or '.join(FORMATS)} (a root, "
                          "then parts, chapters or sections of files)")
    chapters: list[Any] = []
    where: dict[str, int] = {}
    if toc.get("root"):
        _add(root, chapters, where, toc["root"], lines.get("root", 1))
    level = 1 if form == "jb-article" and chapters else 0
    if form == "jb-article":
        settings.data.setdefault("number_sections", False)  # numbered only if toc asks
    parts = next((key for key in ("parts", "subtrees") if isinstance(toc.get(key), list)), "")
    for index, part in enumerate(toc[parts] if parts else []):
        if isinstance(part, dict):
            _part(root, part, f"{parts}[{index}]", chapters, where, lines, settings)
    if not parts:
        key = next((k for k in _ENTRIES if k in toc), "chapters")
        _entries(root, toc.get(key), key, chapters, where, lines, settings, level)
    settings.data["chapters"] = chapters
    settings.lines["chapters"] = lines.get("root", 1)
    settings.lines.update(where)
    settings.sources["chapters"] = TOC


def _migrated(toc: list[Any], settings: ProjectSettings, lines: dict[str, int]
              ) -> dict[str, Any]:
    """A table of contents in Jupyter Book's format before 0.11 (a list: the root's
    ``file`` first, then chapters, ``part:`` groups of ``chapters`` or, before 0.9,
    ``header:`` lines over the files after them) as the jb-book it migrates to
    (``jupyter-book toc migrate``); its lines are kept under the new keys."""
    first = toc[0] if toc and isinstance(toc[0], dict) else {}
    nested = "sections" if "sections" in first else "chapters"
    rest = [*(first.get(nested) or []), *toc[1:]]
    places = [f"[0].{nested}[{i}]" for i in range(len(rest) - len(toc) + 1)] + \
        [f"[{i}]" for i in range(1, len(toc))]
    grouped = any(_is_part(entry) for entry in rest)
    out: list[Any] = []
    for entry, place in zip(rest, places, strict=True):
        _migrate_entry(entry, place, out, grouped, lines)
    lines["root"] = lines.get("[0]", 1)
    settings.warnings.append((
        "a table of contents in the format before Jupyter Book 0.11: read as `jupyter-book "
        f"toc migrate {TOC} -o {TOC}` would write it (Jupyter Book itself now refuses it)",
        TOC, 1, CODE))
    return {"format": "jb-book", "root": first.get("file"), "parts" if grouped else "chapters":
            out}


def _is_part(entry: Any) -> bool:
    return isinstance(entry, dict) and any(key in entry for key in ("part", "chapter", "header"))


def _migrate_entry(entry: Any, place: str, out: list[Any], grouped: bool,
                   lines: dict[str, int]) -> None:
    """One entry of an old table of contents into ``out`` as jb-book's: a ``part:`` a
    part with a caption and its chapters, a ``header:`` one whose chapters are the files
    after it, another file a chapter (among parts: in the header's part before it, else
    a part of its own without a caption); its lines moved from ``place``."""
    if _is_part(entry):
        caption = entry.get("part") or entry.get("chapter") or entry.get("header")
        children = {k: v for k, v in entry.items() if k in _ENTRIES} or {"chapters": []}
        out.append({"caption": caption, **children, "open": "header" in entry})
        lines[f"parts[{len(out) - 1}].caption"] = lines.get(place, 1)
        to = f"parts[{len(out) - 1}]"
    elif grouped and out and out[-1].get("open"):
        out[-1]["chapters"].append(entry)
        to = f"parts[{len(out) - 1}].chapters[{len(out[-1]['chapters']) - 1}]"
    elif grouped:
        out.append({"chapters": [entry]})
        to = f"parts[{len(out) - 1}].chapters[0]"
    else:
        out.append(entry)
        to = f"chapters[{len(out) - 1}]"
    for name, line in list(lines.items()):
        if name == place or name.startswith((place + ".", place + "[")):
            lines[to + name[len(place):]] = line


def _part(root: Path, part: dict, place: str, chapters: list[Any], where: dict[str, int],
          lines: dict[str, int], settings: ProjectSettings) -> None:
    """One ``parts:`` item: its chapters, under its caption when it has one."""
    inner: list[Any] = []
    inner_where: dict[str, int] = {}
    key = next((k for k in _ENTRIES if k in part), "chapters")
    _entries(root, part.get(key), f"{place}.{key}", inner, inner_where, lines, settings)
    if not part.get("caption"):
        for offset, item in enumerate(inner):  # no caption: chapters of no part
            where[f"chapters[{len(chapters)}]"] = inner_where[f"chapters[{offset}]"]
            chapters.append(item)
        return
    index = len(chapters)
    chapters.append({"part": str(part["caption"]), "chapters": inner})
    where[f"chapters[{index}]"] = lines.get(f"{place}.caption", 1)
    for name, line in inner_where.items():
        where[f"chapters[{index}].{name}"] = line



def _entries(root: Path, entries: Any, place: str, out: list[Any], where: dict[str, int],
             lines: dict[str, int], settings: ProjectSettings, level: int = 0) -> None:
    """The files of a ``chapters:``/``sections:`` list and their nested sections, in order
    (``level``: how deep the list is nested under a chapter file)."""
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        at = f"{place}[{index}]"
        line = lines.get(at, 1)
        if not isinstance(entry, dict):
            continue
        if entry.get("file"):
            _add(root, out, where, entry["file"], line, level)
        elif entry.get("glob"):
            for name in sorted(p.relative_to(root).with_suffix("").as_posix()
                               for p in root.glob(str(entry["glob"]))
                               if p.suffix in SUFFIXES):
                _add(root, out, where, name, line, level)
        elif entry.get("url"):
            settings.warnings.append((f"toc entry url '{entry['url']}' is a web page, not "
                                      "a chapter: it is not in the editions", TOC, line, CODE))
        key = next((k for k in _ENTRIES if k in entry), "sections")
        _entries(root, entry.get(key), f"{at}.{key}", out, where, lines, settings, level + 1)


def _add(root: Path, out: list[Any], where: dict[str, int], name: Any, line: int,
         level: int = 0) -> None:
    """A toc file name (written without its suffix) as the file it names; a section file
    with its depth, for it is a section of the chapter file before it."""
    name = str(name)
    found = next((name + suffix for suffix in SUFFIXES if (root / (name + suffix)).is_file()),
                 name if (root / name).is_file() else name + ".md")
    where[f"chapters[{len(out)}]"] = line
    out.append({"file": found, "level": level} if level else found)
