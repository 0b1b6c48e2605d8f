"""What reportc reads of a chapter's Markdown text itself, before pandoc does: which lines
are fenced code (```` ``` ```` or ``~~~``, closed by a fence of the same character at least
as long), where brackets and ``:::`` markers mean nothing, and on which line a thing is
written (:meth:`Chapter.line_of`), for messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_FENCE = re.compile(r"^(`{3,}|~{3,})")
_LIST_START = re.compile(r"^(?:[-*+]|1[.)])[ \t]+\S")  # a bullet, or a list counted from 1
# lines that end a paragraph's block of their own (headings, divs, rules, comments, raw HTML)
_BLOCK_LINE = re.compile(r"^(?:#|:::|<|\$\$|(?:[-*_][ \t]*){3,}$|\{\{<)")
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")  # `code`, ``co`de``


class Fences:
    """Feed it each line in order; it says whether the line belongs to fenced code."""

    def __init__(self) -> None:
        self.opened: tuple[str, int] | None = None  # (fence, line number) of an open fence

    def inside(self, number: int, stripped: str) -> bool:
        """Is line ``number`` (stripped of spaces) fenced code, opening and closing fence
        lines included?"""
        if self.opened:
            fence = self.opened[0]
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                self.opened = None
            return True
        if match := _FENCE.match(stripped):
            self.opened = (match.group(1), number)
            return True
        return False


class Maths:
    """Feed it each line outside fenced code, in order; it says whether the line belongs to
    a display formula written over several lines (``$$`` … ``$$``): those lines are never
    Markdown, so ``=`` under ``x`` there underlines no heading (a Quarto book's formula was
    split into two chapters)."""

    def __init__(self) -> None:
        self.opened = False

    def inside(self, line: str) -> bool:
        """Is ``line`` part of such a formula, its opening and closing lines included?"""
        toggles = line.count("$$") - line.count("\\$$")
        if self.opened:
            self.opened = toggles % 2 == 0
            return True
        self.opened = toggles % 2 == 1
        return self.opened


@dataclass(frozen=True)
class Definition:
    """One macro definition: the macro's name (``\\argmin``), its TeX, where it starts."""

    name: str
    tex: str
    offset: int


@dataclass
class Chapter:
    """One Markdown source file and what its front matter says about it."""

    path: Path
    rel: str  # path relative to the report directory, as shown in messages
    text: str  # the file's text with front matter blanked (same line numbers)
    kind: str = "chapter"
    numbered: bool = True
    short_title: str = ""
    part: str = ""  # the title of the part this chapter opens (Quarto's part: groups)
    expanded: bool = False  # the text holds included files (its lines map to theirs)
    read_in: tuple[str, ...] = ()  # other files its text holds (includes, frozen results)
    slug: str = ""  # the second and later chapters of one file: stem-2, stem-3, ...
    # Quarto's code-annotations for this file (its front matter, else the report's)
    code_annotations: str = ""
    header_macros: tuple[Definition, ...] = ()  # from its front matter's header-includes
    nocite: tuple[str, ...] = ()  # keys its front matter lists uncited (nocite:; "*": all)
    macros: str = ""  # the report's macro definitions it does not make itself (one line)
    raised: bool = False  # its headings were raised a level (it started at ##: Manubot)
    # the kinds of edition the build writes, in Quarto's terms (html, pdf, docx, epub): its
    # content for other formats only is left out when read (reportc.document.hidden)
    editions: frozenset[str] = frozenset({"html", "pdf", "docx", "epub"})
    # the metadata keys its when-meta/unless-meta conditions name: true or not
    flags: dict[str, bool] = field(default_factory=dict)
    # the active Quarto profiles, for its when-profile/unless-profile conditions (if any)
    profiles: tuple[str, ...] = ()
    # its front matter's pandoc-latex-environment boxes: (class, LaTeX environment)
    boxes: tuple[tuple[str, str], ...] = ()

    @property
    def stem(self) -> str:
        return self.slug or self.path.stem

    @property
    def anchor(self) -> str:
        """The HTML id of the chapter's opener; unique because file names are."""
        return "ch-" + re.sub(r"[^A-Za-z0-9_-]+", "-", self.stem)

    def line_of(self, needle: str | re.Pattern[str]) -> int | None:
        """First 1-based line containing ``needle`` (a string or a compiled regex), looked
        for in the prose first: ``@tbl-x`` shown in inline code or a code block above the
        real reference must not take the message's line. Only when the prose lacks it does
        code count."""
        lines = self.text.splitlines()
        return _first_line(prose_lines(lines), needle) or _first_line(lines, needle)


def prose_lines(lines: list[str]) -> list[str]:
    """The lines with code blanked: fenced code bodies (not raw ``{=format}`` blocks, which
    are the author's markup) and inline code spans. Fence lines keep their attributes."""
    fences, raw, out = Fences(), False, []
    for number, line in enumerate(lines, start=1):
        was_outside = fences.opened is None
        if fences.inside(number, line.strip()):
            if was_outside:  # the opening fence line itself: its attributes are kept
                raw = "{=" in line
            out.append(line if was_outside or raw or fences.opened is None else "")
            continue
        out.append(_CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line))
    return out


def _first_line(lines: list[str], needle: str | re.Pattern[str]) -> int | None:
    for number, line in enumerate(lines, start=1):
        found = needle.search(line) if isinstance(needle, re.Pattern) else needle in line
        if found:
            return number
    return None


_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")


def promote_sections(text: str) -> str:
    """A file whose first heading is ``##`` or deeper, with no ``# Title`` before it, with
    every ATX heading raised so that the first is level 1 (line numbers kept).

    Manubot writes a paper as content files that pandoc joins into one document, whose
    title (the one ``#`` level) comes from metadata.yaml: its content files start at
    ``## Abstract``, and a ``##`` section is the paper's top level. In a report that top
    level is a chapter, so the file's ``##`` sections are its chapters (split as a file of
    several ``#`` headings is), their ``###`` their sections."""
    fences = Fences()
    lines = text.split("\n")
    headings = [(index, match) for index, line in enumerate(lines)
                if not fences.inside(index + 1, line.strip()) and (match := _ATX.match(line))]
    if not headings or len(headings[0][1].group(2)) == 1:
        return text
    shift = len(headings[0][1].group(2)) - 1
    for index, match in headings:
        level = max(1, len(match.group(2)) - shift)
        lines[index] = match.group(1) + "#" * level + lines[index][match.end():]
    return "\n".join(lines)


def lists_read_as_text(lines: list[str]) -> list[int]:
    """The lines (1-based) where a list item follows a paragraph line with no blank line
    between: pandoc's Markdown, unlike GitHub's, reads such a line as more of the
    paragraph, so "- item" prints as text with a dash. A list that goes on after its own
    items (lazy continuation lines) is not one of them."""
    fences, found = Fences(), []
    state = ""  # "" between blocks, "para" in a paragraph, "other" in any other block
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if fences.inside(number, stripped) or not stripped or _BLOCK_LINE.match(line):
            state = ""
            continue
        if _LIST_START.match(line):
            if state == "para":
                found.append(number)
            state = "other"
        elif not state:
            state = "para" if line[0] not in " \t>|[!" else "other"
    return found



_NOCITE = re.compile(r"@\{?([\w*][\w:.#$%&+?<>~/*-]*)")


def nocite_keys(value: object) -> list[str]:
    """The keys of pandoc's ``nocite:`` (``"@*"``, ``"@a, @b"``, ``[@a; @b]``, a list of
    them): entries listed in the bibliography though nothing cites them; ``*``: all."""
    texts = value if isinstance(value, list) else [value]
    return [key.rstrip(".,;:") for text in texts if isinstance(text, str)
            for key in _NOCITE.findall(text)]


def environment_classes(value: object) -> tuple[tuple[str, str], ...]:
    """pandoc-latex-environment's map (``noteblock: [note]``: a LaTeX environment, the
    classes of the blocks it makes) as (class, environment) pairs; ``()`` if it is none."""
    if not isinstance(value, dict):
        return ()
    return tuple((str(name), str(environment)) for environment, names in value.items()
                 for name in (names if isinstance(names, list) else [names]))


_BRACKETS = re.compile(r"^(\s*)\\\[(.*?)\\\](\s*)$")  # \[ x \] alone on its line


def bracket_maths(text: str) -> str:
    """LaTeX's display-math brackets on lines of their own (``\\[`` ... ``\\]``, or
    ``\\[ x \\]`` alone on a line), as R Markdown and MathJax read them, written as
    ``$$``: pandoc reads ``\\[`` as an escaped bracket, so the formula printed as raw
    LaTeX left out. Code is not touched; each line stays where it is."""
    if "\\[" not in text:
        return text
    lines = text.split("\n")
    fences, opened = Fences(), None
    for number, line in enumerate(lines):
        if fences.inside(number + 1, line.strip()):
            continue
        if opened is None and (one := _BRACKETS.match(line)):
            lines[number] = f"{one.group(1)}$${one.group(2)}$${one.group(3)}"
        elif line.strip() == "\\[" and opened is None:
            opened = number
        elif line.strip() == "\\]" and opened is not None:
            for at in (opened, number):
                lines[at] = lines[at].replace(lines[at].strip(), "$$")
            opened = None
    return "\n".join(lines)


_MARKER = re.compile(r"^( *)(?:[-*+]|\d{1,9}[.)]|[A-Za-z][.)]|#[.)])( +)(?=\S)")
_INDENTED_DIV = re.compile(r"^( +)(:{3,}.*)$")


def list_div_fences(text: str) -> str:
    """A ``:::`` div fence in a list item, indented past the item's text by one to three
    spaces, moved to the item's column: pandoc reads it only there, else it prints
    ``::: {.cell}`` as text. knitr writes its cells so (indented as the chunk was: four
    spaces under ``1.``), as Quarto's frozen results keep them. Lines stay where they are."""
    if "\n " not in text or ":::" not in text:
        return text
    lines = text.split("\n")
    fences = Fences()
    for number, line in enumerate(lines):
        if fences.inside(number + 1, line.strip()) or not (div := _INDENTED_DIV.match(line)):
            continue
        column = _item_column(lines, number, len(div.group(1)))
        if column is not None and column < len(div.group(1)) <= column + 3:
            lines[number] = " " * column + div.group(2)
    return "\n".join(lines)


def _item_column(lines: list[str], number: int, indent: int) -> int | None:
    """The text column of the list item line ``number`` belongs to (``None``: none), looked
    for upwards among the lines indented less than ``indent``."""
    for line in reversed(lines[:number]):
        stripped = len(line) - len(line.lstrip(" "))
        if not line.strip() or stripped >= indent:
            continue
        marker = _MARKER.match(line)
        if marker:
            return len(marker.group(0))
        if stripped == 0:
            return None
    return None


def pandoc_ready(text: str) -> str:
    """What pandoc would misread, written as it reads it (:func:`list_div_fences`,
    :func:`bracket_maths`); each line stays where it is."""
    return bracket_maths(list_div_fences(text))
