"""A file that holds a whole book: one chapter per level-1 heading, or one chapter whose
``#`` headings are its sections.

An open textbook kept in one ``book.md`` or a thesis in one ``thesis.md`` has several
level-1 headings: each opens a chapter, numbered and listed as chapters are. A file with
a front matter ``title:`` is one chapter under that title: its headings move one level
down (``#`` to ``##``, ``##`` to ``###``), so the hierarchy is kept, and a note says so.
A heading with nothing after it at the end of a file (pandoc's ``# References``, which
citeproc fills) is not printed as an empty section. Every piece keeps the file's line
numbers: the lines of the other pieces are blanked, never cut.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from reportc.errors import Diagnostics
from reportc.project.markdown import Chapter, Fences, Maths
from reportc.project.mystroles import page_slug

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_DIV_OPEN = re.compile(r"^:{3,}\s*[^:\s]")
_DIV_CLOSE = re.compile(r"^:{3,}\s*$")


def headings(text: str, top: bool = False) -> list[tuple[int, int]]:
    """(0-based line, level) of each heading outside fenced code (``top``: and outside
    ``:::`` blocks, where a heading cannot open a chapter); for a setext heading, the line
    of its text."""
    return list(_headings(text, top))


@functools.lru_cache(maxsize=16)
def _headings(text: str, top: bool) -> tuple[tuple[int, int], ...]:
    """:func:`headings`, kept for the last texts asked about: reading a chapter asks
    about the same text up to four times, and the rebuild with nothing to do reads every
    chapter (a third of its time on 500 pages was these walks)."""
    found: list[tuple[int, int]] = []
    fences, maths, previous, depth = Fences(), Maths(), "", 0
    for index, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if _not_markdown(index, line, fences, maths):
            previous = ""
            continue
        opens = _DIV_OPEN.match(stripped)
        if opens or (depth and _DIV_CLOSE.match(stripped)):
            depth += 1 if opens else -1
            previous = ""
            continue
        if top and depth:
            previous = line
            continue
        if match := _ATX.match(line):
            found.append((index, len(match.group(1))))
        elif (match := _SETEXT.match(line)) and previous.strip() and \
                not _ATX.match(previous) and not previous.startswith((" " * 4, "\t")):
            found.append((index - 1, 1 if match.group(1)[0] == "=" else 2))
            previous = ""
            continue
        previous = line
    return tuple(found)


def _not_markdown(index: int, line: str, fences: Fences, maths: Maths) -> bool:
    """Is line ``index`` fenced code or part of a display formula over several lines?"""
    return fences.inside(index + 1, line.strip()) or \
        (("$$" in line or maths.opened) and maths.inside(line))


# the headings under which pandoc puts the bibliography, in the languages reports are
# written in most (a last heading with nothing under it is printed unless it is one)
REFERENCES_TITLE = re.compile(
    r"(references|bibliography|works cited|literature( cited)?|sources|literatur|"
    r"literaturverzeichnis|quellen|quellenverzeichnis|bibliographie|références|referencias|bibliografía|"
    r"bibliografia|riferimenti( bibliografici)?|referências|literatuur|referenties)",
    re.IGNORECASE)


def drop_empty_tail(text: str) -> str:
    """``text`` without a last heading that has nothing after it, where that heading is
    where pandoc puts the bibliography (``# References``): the report's list has its own
    heading. Any other heading stays, as the author wrote it (blanked in place)."""
    found = headings(text)
    if not found:
        return text
    lines = text.split("\n")
    start, _level = found[-1]
    end = start + 1 + (1 if start + 1 < len(lines) and _SETEXT.match(lines[start + 1]) else 0)
    title = re.sub(r"\{[^}]*\}\s*$", "", lines[start].lstrip(" #")).strip(" #")
    if len(found) > 1 and REFERENCES_TITLE.fullmatch(title) and \
            not any(line.strip() for line in lines[end:]):
        for index in range(start, end):
            lines[index] = ""
    return "\n".join(lines)


_REFS_PLACE = re.compile(r"\s*(<div id=[\"']refs[\"']>\s*</div>|:::+\s*\{#refs\}\s*:::+)?\s*")


def bibliography_heading(chapter: Chapter) -> str:
    """The title of ``chapter`` if it is only the heading pandoc fills with the
    bibliography (a thesis's last file, ``# Quellenverzeichnis``, perhaps with its
    ``<div id="refs">``), else ``""``: the report's list takes that heading."""
    found = headings(chapter.text)
    if len(found) != 1 or found[0][1] != 1:
        return ""
    lines = chapter.text.split("\n")
    start = found[0][0]
    title = re.sub(r"\{[^}]*\}\s*$", "", lines[start].lstrip(" #")).strip(" #")
    rest = "\n".join(lines[:start] + lines[start + 1:])
    return title if REFERENCES_TITLE.fullmatch(title) and _REFS_PLACE.fullmatch(rest) else ""


def split_pieces(text: str) -> list[str]:
    """One text per level-1 heading (the others' lines blanked); ``[text]`` if it has at
    most one. What comes before the first heading stays with the first piece."""
    starts = [index for index, level in headings(text, top=True) if level == 1]
    if len(starts) < 2:
        return [text]
    lines = text.split("\n")
    bounds = [0, *starts[1:], len(lines)]
    return ["\n".join(line if bounds[n] <= i < bounds[n + 1] else ""
                      for i, line in enumerate(lines)) for n in range(len(bounds) - 1)]


def demote(text: str) -> str:
    """Every heading one level down (``#`` to ``##``; a setext heading becomes ATX)."""
    lines = text.split("\n")
    for index, level in headings(text):
        if _ATX.match(lines[index]):
            lines[index] = re.sub(r"^( {0,3})#", r"\1##", lines[index], count=1)
        else:
            lines[index] = "#" * (level + 1) + " " + lines[index].strip()
            lines[index + 1] = ""
    return "\n".join(lines)


@dataclass
class Carry:
    """What a Bookdown marker heading passes on to the chapters after it, also in later
    files: ``# (PART) Title {-}`` opens a part, ``# (APPENDIX) Appendix {-}`` starts the
    appendices."""

    part: str = ""
    appendix: bool = False


_MARKER = re.compile(r"^ {0,3}#[ \t]+\((PART|APPENDIX)\\?\*?\)[ \t]*(.*?)[ \t]*"
                     r"(?:\{[^}]*\})?[ \t]*$")
_UNNUMBERED = re.compile(r"\{[^}]*(?:\.unnumbered|(?<![\w-])-(?![\w-]))[^}]*\}\s*$")


def split_chapter(chapter: Chapter, carry: Carry) -> list[Chapter]:
    """The chapters a file holds (a :class:`~reportc.project.chapters.Chapter` in, any
    number out, each with its own anchor and numbering)."""
    result = []
    for number, piece in enumerate(split_pieces(drop_empty_tail(chapter.text)), start=1):
        first = _first_heading(piece)
        marker = _MARKER.match(first)
        if marker:  # a Bookdown part or appendix marker: no chapter of its own
            if marker.group(1) == "PART":
                carry.part = marker.group(2)
            else:
                carry.appendix = True
            continue
        slug = chapter.stem if number == 1 else f"{chapter.stem}-{number}"
        result.append(dataclasses.replace(
            chapter, text=piece, slug=slug, part=carry.part or (chapter.part if number == 1
                                                                  else ""),
            kind="appendix" if carry.appendix and chapter.kind == "chapter" else chapter.kind,
            numbered=chapter.numbered and not _UNNUMBERED.search(first)))
        carry.part = ""
    return result


def _first_heading(text: str) -> str:
    """The line of the text's first level-1 heading ('' if none)."""
    lines = text.split("\n")
    return next((lines[index] for index, level in headings(text, top=True) if level == 1), "")


def put_title(text: str, title: str, line: int) -> str:
    """``# title`` on the front matter's (blanked) ``title:`` line, so that line numbers stay
    the file's; first, in text that is not the file's own (Quarto's frozen results)."""
    lines = text.split("\n")
    if line <= len(lines) and not lines[line - 1].strip():
        lines[line - 1] = f"# {title}"
    else:
        lines.insert(0, f"# {title}")
    return "\n".join(lines)


def title_over_headings(chapter: Chapter, title: str, line: int, diag: Diagnostics) -> None:
    """A front matter title over a file with level-1 headings: the title is the chapter's,
    its headings become sections (one level down), with a note where the title is."""
    chapter.text = put_title(demote(chapter.text), title, line)
    diag.warning("front matter 'title' is the chapter's title: its level-1 headings are "
                 "its sections (each heading one level down)", chapter.rel, line,
                 code="frontmatter.title", fails_strict=False)


def open_with(opening: Chapter, chapter: Chapter, diag: Diagnostics) -> None:
    """A Manubot paper's first file with no heading (a front matter of templates: the
    date, the authors) put before the text of the next file, which then opens with it
    (below its first heading, with a warning, as any text before a title); its lines are
    still reported as the first file's."""
    origin = diag.origins_of(opening.rel, opening.text)
    own = diag.origins_of(chapter.rel, chapter.text)
    chapter.text = "\n".join([opening.text, "", chapter.text])
    diag.origins[chapter.rel] = [*origin, origin[-1], *own]
    chapter.read_in = (opening.rel, *opening.read_in, *chapter.read_in)
    chapter.expanded = True


def continue_section(previous: Chapter, chapter: Chapter, diag: Diagnostics) -> None:
    """Text before the first heading of a Manubot content file continues the section the
    file before it ends with (Manubot joins the files into one document): it moves to the
    end of ``previous``, its lines still reported as its own file's."""
    lines = chapter.text.split("\n")
    first = next((index for index, _ in headings(chapter.text)), len(lines))
    if not any(line.strip() for line in lines[:first]):
        return
    origin = diag.origins_of(previous.rel, previous.text)
    previous.text = "\n".join([previous.text, "", *lines[:first]])
    diag.origins[previous.rel] = [*origin, origin[-1],
                                  *((chapter.rel, n) for n in range(1, first + 1))]
    previous.read_in = (*previous.read_in, chapter.rel)
    previous.expanded = True
    chapter.text = "\n".join(["" for _ in lines[:first]] + lines[first:])


def goes_on(previous: Chapter, chapter: Chapter, diag: Diagnostics) -> bool:
    """Does ``chapter``, a file named on the command line, go on with the chapter before
    it? pandoc reads the files it is given as one document, so a file with no level-1
    heading (``## Study``, a section file) is more of that chapter: its text moves to the
    end of ``previous``, its lines still reported as its own file's."""
    if any(level == 1 for _, level in headings(chapter.text)):
        return False
    lines = chapter.text.split("\n")
    origin = diag.origins_of(previous.rel, previous.text)
    previous.text = "\n".join([previous.text, "", *lines])
    diag.origins[previous.rel] = [*origin, origin[-1],
                                  *((chapter.rel, n) for n in range(1, len(lines) + 1))]
    previous.read_in = (*previous.read_in, chapter.rel)
    previous.expanded = True
    return True


def nest_section(parent: Chapter, section: Chapter, level: int, anchor: str,
                 diag: Diagnostics) -> None:
    """A Jupyter Book's section file as sections of the chapter before it (``level``: how
    deep it is nested): its headings ``level`` levels down, after the chapter's text, its
    first heading keeping the page's ``anchor`` (a link to the page lands there) unless it
    has an identifier of its own; its lines still reported as its own file's."""
    text = section.text
    for _ in range(level):
        text = demote(text)
    lines = text.split("\n")
    first = next((index for index, _ in headings(text)), None)
    if first is not None and not re.search(r"\{[^}]*#[^}]*\}\s*$", lines[first]):
        lines[first] = f"{lines[first].rstrip()} {{#{anchor}}}"
    origin = diag.origins_of(parent.rel, parent.text)
    own = diag.origins_of(section.rel, section.text)
    parent.text = "\n".join([parent.text, "", *lines])
    diag.origins[parent.rel] = [*origin, origin[-1], *own]
    parent.read_in = (*parent.read_in, section.rel, *section.read_in)
    parent.header_macros = (*parent.header_macros, *section.header_macros)
    parent.nocite = (*parent.nocite, *section.nocite)
    parent.expanded = True


def own_slug(chapter: Chapter, stems: set[str]) -> None:
    """A second file of one name in another folder (``index.qmd``, ``guide/index.qmd``: a
    Quarto website's section pages) is named by its path, so that each chapter's anchor and
    page are its own."""
    if not chapter.slug and chapter.stem in stems:
        chapter.slug = page_slug(PurePosixPath(chapter.rel))
    stems.add(chapter.stem)
