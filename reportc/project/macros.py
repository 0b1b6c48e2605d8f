"""Authors' TeX macros (``\\newcommand``, ``\\DeclareMathOperator``) for every chapter.

pandoc expands the macros a Markdown file defines in raw TeX (its ``latex_macros``
extension) in the formulas of that same file. An author's macros live elsewhere too: in
``header-includes`` of the front matter (pandoc and R Markdown documents), in a ``$$``
block holding only definitions (what Quarto's manual advises; pandoc leaves those to
MathJax), or in an earlier chapter (LaTeX's macros hold for the whole document). Each
chapter is read on its own, so each gets the report's other definitions as a one-line
preamble (:attr:`reportc.project.chapters.Chapter.macros`) that pandoc reads before the
chapter's text (``resources/read.lua``) and drops again: a formula of any chapter reads as
the author meant it, and a macro defined nowhere is a located error naming it
(:mod:`reportc.document.math`).
"""

from __future__ import annotations

import re
from typing import Any

from reportc.project.markdown import Chapter, Definition, Fences

_DEFINER = re.compile(r"\\(newcommand|renewcommand|providecommand|DeclareMathOperator|def)"
                      r"(?![A-Za-z])(\*?)\s*")
_NAME = re.compile(r"\{\s*(\\[A-Za-z]+)\s*\}|(\\[A-Za-z]+)")
_OPTION = re.compile(r"\s*\[[^\]]*\]")
_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_DISPLAY = re.compile(r"\$\$(.*?)\$\$", re.S)
PREAMBLE_LINES = 2  # the preamble's line and the blank line after it (read.lua)


def definitions(text: str) -> list[Definition]:
    """The macro definitions in ``text`` (TeX or Markdown; fenced code is skipped), in order."""
    text = _without_code(text)
    found: list[Definition] = []
    for match in _DEFINER.finditer(text):
        name, after = _name(text, match.end())
        end = _definition_end(text, match, after) if after is not None else None
        if end is not None:
            found.append(Definition(name, text[match.start():end], match.start()))
    return found


def _name(text: str, position: int) -> tuple[str, int | None]:
    """The macro's name after a definer and where it ends; a braced name may be what
    pandoc made of it when the macro was already defined (``{\\mathbb{E}}``)."""
    if match := _NAME.match(text, position):
        return match.group(1) or match.group(2), match.end()
    if text[position:position + 1] == "{":
        end = _group_end(text, position)
        return text[position + 1:end - 1] if end else "", end
    return "", None


def without_comments(tex: str) -> str:
    """``tex`` without its comments (``%`` to the end of the line, ``\\%`` kept)."""
    return _COMMENT.sub("", tex)


def only_definitions(tex: str) -> bool:
    """Does ``tex`` hold macro definitions and nothing else (comments and space aside)?"""
    rest = without_comments(tex)
    found = definitions(rest)
    for definition in reversed(found):
        start = definition.offset
        rest = rest[:start] + rest[start + len(definition.tex):]
    return bool(found) and not rest.strip()


def header_definitions(meta: dict[str, Any]) -> list[Definition]:
    """The definitions in front matter's ``header-includes`` (a text or a list of texts)."""
    value = meta.get("header-includes")
    texts = value if isinstance(value, list) else [value]
    return [found for text in texts if isinstance(text, str) for found in definitions(text)]


def share_macros(chapters: list[Chapter], report: list[Definition] | None = None) -> None:
    """Give each chapter the definitions it does not make itself: the report's
    (``include-in-header``: those a chapter uses), front matter's, those of ``$$`` blocks
    (pandoc does not apply them), and other chapters'. The first definition of a name wins,
    as with ``\\newcommand``."""
    everywhere: dict[str, str] = {}
    for definition in report or []:
        pattern = re.compile(re.escape(definition.name) + r"(?![A-Za-z])")
        if any(pattern.search(chapter.text) for chapter in chapters):
            everywhere.setdefault(definition.name, _one_line(definition.tex))
    own: list[set[str]] = []
    for chapter in chapters:
        for definition in chapter.header_macros:
            everywhere.setdefault(definition.name, _one_line(definition.tex))
        in_math = _display_spans(chapter.text)
        raw = set()
        for definition in definitions(chapter.text):
            everywhere.setdefault(definition.name, _one_line(definition.tex))
            if not any(start <= definition.offset < end for start, end in in_math):
                raw.add(definition.name)  # pandoc applies it to this chapter itself
        own.append(raw)
    for chapter, raw in zip(chapters, own, strict=True):
        chapter.macros = " ".join(tex for name, tex in everywhere.items() if name not in raw)


def _definition_end(text: str, match: re.Match[str], position: int) -> int | None:
    """Where the definition that ``match`` starts (its name ending at ``position``) ends:
    after its body's closing brace."""
    if match.group(1) == "def":
        brace = text.find("{", position)
        if brace < 0 or not re.fullmatch(r"(#\d)*", text[position:brace].replace(" ", "")):
            return None
        return _group_end(text, brace)
    while option := _OPTION.match(text, position):
        position = option.end()
    while position < len(text) and text[position].isspace():
        position += 1
    return _group_end(text, position)


def _group_end(text: str, start: int) -> int | None:
    """The end of the brace group opening at ``start`` (``None`` if it never closes)."""
    if start >= len(text) or text[start] != "{":
        return None
    depth, index = 0, start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2  # an escaped brace (\\{) opens nothing
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return index + 1
        index += 1
    return None


def _display_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _DISPLAY.finditer(_without_code(text))]


def _without_code(text: str) -> str:
    """``text`` with the lines of fenced code blanked (offsets kept)."""
    if "```" not in text and "~~~" not in text:
        return text
    fences = Fences()
    lines = text.split("\n")
    return "\n".join(" " * len(line) if fences.inside(number, line.strip()) else line
                     for number, line in enumerate(lines, start=1))


def _one_line(tex: str) -> str:
    """A definition on one line (the preamble is one line: chapter lines shift by two)."""
    return " ".join(without_comments(tex).split())
