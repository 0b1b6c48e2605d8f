"""What Quarto and R Markdown do to a chapter's text before pandoc reads it.

``{{< include f.qmd >}}`` puts another file's text in place (relative to the including
file, inside the report: the sandbox rule), ``{{< pagebreak >}}`` becomes a page break,
and executable cells (```` ```{r} ````, ```` ```{python} ````) are never run: a cell
marked ``eval: false`` is shown as code, the others take the results Quarto froze in
``_freeze/`` or are one located error. Every line keeps the file and line it comes
from (:attr:`reportc.errors.Diagnostics.origins`), so messages name the included file.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reportc.errors import Diagnostics
from reportc.paths import inside
from reportc.project.markdown import Fences

_INCLUDE = re.compile(r"^\s*\{\{<\s*include\s+"  # a name in quotes may hold spaces
                      r"(?:\"([^\">]+)\"|'([^'>]+)'|([^\s\"'>]+))\s*>\}\}\s*$")
_PAGEBREAK = re.compile(r"^\s*\{\{<\s*pagebreak\s*>\}\}\s*$")
_CELL = re.compile(r"^(\s*)(`{3,})\s*\{([A-Za-z][\w-]*)([ ,][^}]*)?\}\s*$")
# languages no engine runs: a cell of one (```{yaml}) is shown as code, as its author meant
SHOWN = {"yaml", "yml", "json", "toml", "ini", "xml", "csv", "markdown", "md", "text", "txt",
         "plaintext", "diff", "console", "output", "default"}
_OFF = re.compile(r"\beval\s*=\s*(?:FALSE|F)\b|^#\|\s*eval:\s*false\s*$", re.M)
_HIDDEN = re.compile(r"\b(?:echo|include)\s*=\s*(?:FALSE|F)\b|^#\|\s*(?:echo|include):\s*"
                     r"false\s*$", re.M)
_SHORTCODE = re.compile(r"\{\{(\{?)<\s*([\w-]+)([^>]*)>\}\}(\}?)")
_CODE_SPAN = re.compile(r"(`+[^`]*`+)")
# inline code that runs: R Markdown's `r expr`, Quarto's `{r} expr` and `{python} expr`
_INLINE_CODE = re.compile(r"(?<!`)`(?:r|\{[A-Za-z][\w-]*\})[ \t][^`]*")
MAX_DEPTH = 8
VARIABLES = "_variables.yml"  # Quarto's {{< var >}} values
Origin = tuple[str, int]


@dataclass
class Values:
    """What ``{{< meta key >}}`` and ``{{< var key >}}`` print: the document's front
    matter over the project's ``_quarto.yml`` (``book:`` too), and ``_variables.yml``
    (read when first asked for); a dotted key reaches into a mapping, as in Quarto."""

    root: Path
    meta: dict[str, Any] = field(default_factory=dict)
    project: dict[str, Any] | None = None  # _quarto.yml's, profiles merged (None: read it)
    read: list[str] = field(default_factory=list)  # the files a value came from
    _project: dict[str, Any] | None = None
    _variables: dict[str, Any] | None = None

    def get(self, kind: str, key: str) -> str | None:
        """The text of a ``meta`` or ``var`` value; ``None`` if there is none to print."""
        if kind == "var":
            if self._variables is None:
                self._variables = self._load(VARIABLES)
            return _scalar(_dotted(self._variables, key))
        return _scalar(self._meta(key))

    def flag(self, key: str) -> bool:
        """Whether a metadata value is the boolean true (Quarto's ``when-meta``: the
        string "true" is not)."""
        return self._meta(key) is True

    def _meta(self, key: str) -> Any:
        found = _dotted(self.meta, key)
        if found is None:
            if self._project is None:
                project = self._load("_quarto.yml")
                book = project.get("book")
                self._project = {**project, **(book if isinstance(book, dict) else {})}
            found = _dotted(self._project, key)
        return found

    def _load(self, name: str) -> dict[str, Any]:
        if name == "_quarto.yml" and self.project is not None:  # read already, merged
            self.read.append(name)
            return self.project
        path = self.root / name
        if not path.is_file():
            return {}
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return {}  # (a broken _quarto.yml is reported where the project is read)
        self.read.append(name)
        return data if isinstance(data, dict) else {}


_META_CONDITION = re.compile(r"""\b(?:when|unless)-meta=(?:"([^"]*)"|'([^']*)'|([^\s}]+))""")


def meta_flags(root: Path, text: str, meta: dict[str, Any],
               project: dict[str, Any] | None = None) -> dict[str, bool]:
    """The metadata keys the text's ``when-meta``/``unless-meta`` conditions name, each
    with whether it is true (front matter over ``_quarto.yml``, as ``{{< meta >}}``;
    ``project``: its settings with the active profiles' merged in)."""
    names = {name.strip() for found in _META_CONDITION.finditer(text)
             for name in (found.group(1) or found.group(2) or found.group(3)).split(",")}
    values = Values(root, meta, project)
    return {name: values.flag(name) for name in sorted(names) if name}


def _dotted(data: Any, key: str) -> Any:
    for part in key.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, (str, int, float)) else None


@dataclass
class Source:
    """A chapter's text as pandoc will read it and where each of its lines was written."""

    lines: list[str] = field(default_factory=list)
    origin: list[Origin] = field(default_factory=list)
    cells: list[tuple[Origin, str]] = field(default_factory=list)  # (where, language) to run
    files: list[str] = field(default_factory=list)  # included files and frozen results
    cell_at: list[int] = field(default_factory=list)  # each cell's place among the lines
    values: Values | None = None  # what meta and var shortcodes print

    def add(self, line: str, where: Origin) -> None:
        self.lines.append(line)
        self.origin.append(where)


def expand(root: Path, rel: str, text: str, diag: Diagnostics,
           meta: dict[str, Any] | None = None, project: dict[str, Any] | None = None
           ) -> tuple[str, bool, list[str]]:
    """``text`` of chapter ``rel`` with includes, page breaks, cells and the shortcodes
    reportc reads done (``meta``: its front matter, for ``{{< meta >}}``); whether it
    differs line by line from the file (its origins are then in ``diag.origins``); the
    other files read into it (for the cache key)."""
    values = Values(root, meta or {}, project)
    source = Source(values=values)
    _expand(root, rel, text, source, diag, [rel])
    source.files.extend(name for name in values.read if name not in source.files)
    if source.cells:
        frozen = _frozen(root, rel)
        if frozen is not None:
            frozen = shown_cells(frozen)
            _warn_if_stale(root, rel, diag)
            diag.origins[rel] = frozen_origins(frozen.split("\n"), source)
            return frozen, True, [*source.files, freeze_path(root, rel).relative_to(
                root).as_posix()]
        where, language = source.cells[0]
        more = f" (and {len(source.cells) - 1} more cell(s) in this file)" \
            if len(source.cells) > 1 else ""
        what = f"inline code {language}" if language.startswith("`") else \
            f"executable cell ```{{{language}}}"
        instead = "write its result in the text instead" if language.startswith("`") else \
            "mark the cell 'eval: false' (eval=FALSE) to show it as code"
        diag.error(f"{what}: reportc never runs code; render the project once with Quarto "
                   "and 'execute: freeze: true' (reportc then takes the results from "
                   f"_freeze/), or {instead}{more}", *where)
    if source.origin == [(rel, n) for n in range(1, len(source.origin) + 1)]:
        return "\n".join(source.lines), False, source.files
    diag.origins[rel] = source.origin
    return "\n".join(source.lines), True, source.files


def _expand(root: Path, rel: str, text: str, source: Source, diag: Diagnostics,
            stack: list[str]) -> None:
    lines = text.split("\n")
    fences = Fences()
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        cell = _CELL.match(line) if fences.opened is None else None
        if cell:
            number = _cell(lines, number, cell, rel, source)
            continue
        if fences.inside(number, line.strip()):
            source.add(line, (rel, number))
        elif include := _INCLUDE.match(line):
            name = include.group(1) or include.group(2) or include.group(3)
            _include(root, rel, name, number, source, diag, stack)
        elif _PAGEBREAK.match(line):
            for part in ("", "::: {.pagebreak}", ":::", ""):
                source.add(part, (rel, number))
        else:
            if rel.lower().endswith((".qmd", ".rmd")) and (inline := _INLINE_CODE.search(line)):
                source.cells.append(((rel, number), f"`{_short(inline.group(0)[1:])}`"))
                source.cell_at.append(len(source.lines))
            source.add(_other_shortcodes(line, rel, number, diag, source.values),
                       (rel, number))


def title_shortcodes(root: Path, rel: str, meta: dict[str, Any], diag: Diagnostics,
                     project: dict[str, Any] | None = None) -> None:
    """A front matter ``title:`` with ``{{< meta x >}}`` in it gets the value, as the
    text does: a title is printed, and a shortcode must never be."""
    title = meta.get("title")
    if isinstance(title, str) and "{{<" in title:
        line = meta.get("_lines", {}).get("title", 1)
        meta["title"] = _other_shortcodes(title, rel, line, diag, Values(root, meta, project))


def _other_shortcodes(line: str, rel: str, number: int, diag: Diagnostics,
                      values: Values | None = None) -> str:
    """``line`` with ``{{< meta x >}}``, ``{{< var x >}}`` and ``{{< kbd Ctrl-C >}}``
    done and without the shortcodes reportc does not read (``{{< video ... >}}``): each
    is left out with a located warning, never printed as text; an escaped one
    (``{{{< x >}}}``) prints as ``{{< x >}}``, as in Quarto. Inline code keeps its text."""
    if "{{<" not in line:
        return line
    parts = _CODE_SPAN.split(line)  # odd items: `code` spans, left as they are
    for index in range(0, len(parts), 2):
        parts[index] = _SHORTCODE.sub(lambda m: _shortcode(m, rel, number, diag, values),
                                      parts[index])
    return "".join(parts)


def _shortcode(match: re.Match[str], rel: str, number: int, diag: Diagnostics,
               values: Values | None) -> str:
    if match.group(1) and match.group(4):  # {{{< x >}}}: the shortcode's own text
        return match.group(0)[1:-1]
    name, arguments = match.group(2), match.group(3).split()
    if name == "kbd" and arguments:  # the keys, as code ({{< kbd mac=Cmd-C win=Ctrl-C >}})
        keys = next((a for a in arguments if "=" not in a), arguments[0].split("=")[-1])
        return f"`{keys.strip(chr(34))}`{{.kbd}}"
    if name in ("meta", "var") and len(arguments) == 1 and values is not None:
        found = values.get(name, arguments[0].strip("\"'"))
        if found is not None:
            return found
        diag.warning(f"'{{{{< {name} {arguments[0]} >}}}}': no such value (left out)", rel,
                     number, code="shortcode.unknown")
        return ""
    shown = f"{name} {' '.join(arguments)}".strip()
    diag.warning(f"Quarto shortcode '{{{{< {shown} >}}}}' is not read by reportc "
                 "(left out): write its text in the chapter instead", rel, number,
                 code="shortcode.unknown")
    return ""


def shown_cells(text: str) -> str:
    """Quarto's frozen results keep a cell of a language no engine runs as it was written
    (```{yaml}): pandoc reads that as inline code, so it opens a code block here (not
    inside code, where it is shown as written)."""
    if "{" not in text:
        return text
    lines, fences = text.split("\n"), Fences()
    for number, line in enumerate(lines, start=1):
        cell = _CELL.match(line) if fences.opened is None else None
        if cell and cell.group(3).lower() in SHOWN:
            lines[number - 1] = f"{cell.group(1)}{cell.group(2)}{cell.group(3).lower()}"
        fences.inside(number, lines[number - 1].strip())
    return "\n".join(lines)


def _cell(lines: list[str], number: int, cell: re.Match[str], rel: str, source: Source) -> int:
    """An executable cell opening at line ``number``: shown as code if it is not to be run
    (``eval: false``), else remembered; returns the line after it."""
    indent, fence, language = cell.group(1), cell.group(2), cell.group(3)
    end = number
    while end < len(lines) and not (lines[end].strip().startswith(fence)
                                    and not lines[end].strip().strip("`")):
        end += 1
    body = lines[number:end]
    options = [b.strip() for b in body if b.strip().startswith("#|")]
    settings = (cell.group(4) or "") + "\n" + "\n".join(options)
    if not _OFF.search(settings) and language.lower() not in SHOWN:
        source.cells.append(((rel, number), language))
        source.cell_at.append(len(source.lines))
    elif not _HIDDEN.search(settings):
        source.add(f"{indent}{fence}{language.lower()}", (rel, number))
        for offset, text in enumerate(body, start=number + 1):
            if not text.strip().startswith("#|"):
                source.add(text, (rel, offset))
        source.add(f"{indent}{fence}", (rel, min(end + 1, len(lines))))
    return end + 1


def _include(root: Path, rel: str, name: str, number: int, source: Source, diag: Diagnostics,
             stack: list[str]) -> None:
    """The text of the file ``name`` names, in place of line ``number`` of ``rel``."""
    base = root if name.startswith("/") else (root / rel).parent
    path = (base / name.lstrip("/")).resolve()
    if not inside(path, root):
        diag.error(f"include '{name}' is outside the report directory; only files of the "
                   "report can be included", rel, number)
        return
    if not path.is_file():
        diag.error(f"include '{name}' not found (looked for "
                   f"{path.relative_to(root.resolve()).as_posix()})", rel, number)
        return
    target = path.relative_to(root.resolve()).as_posix()
    if target in stack or len(stack) > MAX_DEPTH:
        diag.error(f"include '{name}' includes itself (through {' -> '.join(stack)})", rel,
                   number)
        return
    try:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n").removeprefix("\ufeff")
    except UnicodeDecodeError:
        diag.error(f"include '{name}' is not valid UTF-8", rel, number)
        return
    source.files.append(target)
    front = re.match(r"---\n.*?\n(?:---|\.\.\.)\n", text, re.S)
    if front:  # an included file's front matter is not printed (Quarto drops it)
        text = "\n" * front.group().count("\n") + text[front.end():]
    _expand(root, target, text.removesuffix("\n"), source, diag, [*stack, target])


def frozen_origins(frozen: list[str], source: Source) -> list[Origin]:
    """Where each line of Quarto's frozen text was written: a line the source has too is
    its line; what Quarto made of a cell (its ``::: {.cell}`` frame, its output) is the
    cell's line in the source it replaces (or the line before), so a message about the
    frozen text points at the cell, never at a line of the frozen file."""
    origins: list[Origin] = []
    matcher = difflib.SequenceMatcher(None, source.lines, frozen, autojunk=False)
    for tag, first, last, start, end in matcher.get_opcodes():
        if tag == "equal":
            origins += source.origin[first:last]
            continue
        cell = next((where for (where, _), at in zip(source.cells, source.cell_at, strict=True)
                     if first <= at <= last), None)
        near = source.origin[min(first, len(source.origin) - 1)] if first < last or \
            first == 0 else source.origin[first - 1]
        origins += [cell or near] * (end - start)
    return origins


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def freeze_path(root: Path, rel: str) -> Path:
    """Where Quarto freezes the results of ``rel``'s cells."""
    return root / "_freeze" / Path(rel).with_suffix("") / "execute-results" / "html.json"


def _warn_if_stale(root: Path, rel: str, diag: Diagnostics) -> None:
    """Quarto records the MD5 of the file it froze (``hash``): a file edited since prints
    as it was then, without the edits, as Quarto's own ``freeze: true`` render prints it.
    Said once, at the file, so that no edit vanishes without a word."""
    try:
        recorded = json.loads(freeze_path(root, rel).read_text(encoding="utf-8")).get("hash")
        now = hashlib.md5((root / rel).read_bytes(), usedforsecurity=False).hexdigest()
    except (OSError, ValueError, AttributeError):  # unreadable: _frozen says nothing either
        return
    if isinstance(recorded, str) and recorded != now:
        frozen = freeze_path(root, rel).relative_to(root).as_posix()
        diag.warning(f"was edited after Quarto froze its results ({frozen}): it prints as "
                     "it was then, without the edits; render it again with 'quarto render "
                     f"{rel}' to take them in", rel, code="freeze.stale")


def _frozen(root: Path, rel: str) -> str | None:
    """The chapter as Quarto rendered it when it ran its cells (``freeze: true``), with
    the figures it made read from ``_freeze/``; ``None`` if it was never frozen."""
    path = freeze_path(root, rel)
    if not path.is_file():
        return None
    try:
        markdown = json.loads(path.read_text(encoding="utf-8"))["result"]["markdown"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(markdown, str):
        return None
    front = re.match(r"---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*\n", markdown, re.S)
    if front:  # the source's front matter, read from the source already
        markdown = "\n" * front.group().count("\n") + markdown[front.end():]
    stem = Path(rel).with_suffix("")
    folder = Path("_freeze") / stem
    markdown = markdown.replace(f"{stem.name}_files/figure-html/",
                                f"{folder.as_posix()}/figure-html/")
    return markdown
