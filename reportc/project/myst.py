"""A Jupyter Book chapter's MyST Markdown as the pandoc Markdown reportc reads.

Done before pandoc reads the chapter, line by line, each written line remembering the
line of the file it comes from (so later messages point there):

- admonitions (```` ```{note} ````, ``:::{warning}``, ``{admonition} Title``, ...) become
  callouts (``::: {.callout-note}``); ``{dropdown}`` a folded one;
- ``{figure}`` a figure whose ``:name:`` is its identifier (``fig-name``, numbered and
  referenced), ``{image}`` an image, ``{math}`` with ``:label:`` and ``$$ ... $$ (label)``
  a numbered equation, ``(label)=`` the identifier of the heading (or block) after it;
- ``{code-block}`` and ``{code-cell}`` code (a cell is never run: one warning per file,
  ``myst.code-cell``); ``{include}`` Quarto's include; ``{raw}`` a raw block;
- MyST-NB's ``{glue}`` directives: :mod:`reportc.project.mystglue`; sphinx-design's
  tabs, cards, grids and buttons: :mod:`reportc.project.mystdesign`;
- ``{bibliography}`` and ``{tableofcontents}`` print nothing (reportc prints its own);
  ``% comments`` and ``+++`` breaks are not printed;
- roles and links: :mod:`reportc.project.mystroles`;
- any other directive: a warning at its line (``myst.directive``), its content kept.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace

from reportc.errors import Diagnostics
from reportc.project.mystdesign import DESIGN, designed
from reportc.project.mystglue import GLUE_DIRECTIVES, pasted_block
from reportc.project.mystroles import (
    DIRECTIVE,
    TARGET,
    Book,
    Place,
    any_suffix,
    inline,
    rooted,
)
from reportc.project.mysttables import caption_line, definitions, grid_table
from reportc.project.mysttext import escape, label_id

log = logging.getLogger("reportc")
Line = tuple[str, int]  # a line's text and the line of the file it comes from
CALLOUTS = {"note": "note", "tip": "tip", "warning": "warning", "important": "important",
            "caution": "caution", "hint": "tip", "attention": "important",
            "danger": "caution", "error": "caution", "seealso": "note", "admonition": "note",
            "dropdown": "note"}
# sphinx-proof's and sphinx-exercise's numbered blocks -> the theorem kinds reportc numbers
THEOREMS = {"prf:theorem": "thm", "prf:lemma": "lem", "prf:corollary": "cor",
            "prf:proposition": "prp", "prf:conjecture": "cnj", "prf:definition": "def",
            "prf:example": "exm", "exercise": "exr", "prf:remark": "rem"}
_PROOFS = {"prf:proof": "proof", "solution": "solution"}
_TITLES = {"seealso": "See also", "hint": "Hint", "attention": "Attention",
           "danger": "Danger", "error": "Error"}
_CODE = {"code", "code-block", "sourcecode", "code-cell"}
_QUOTES = {"epigraph", "pull-quote", "highlights", "blockquote"}
_SILENT = {"bibliography", "footbibliography", "tableofcontents", "toctree", "index"}
_PLAIN = {"div", "container", "only", "margin", "sidebar", "toggle"}  # content prints as text
_HEADING = re.compile(r"^(\s{0,3}#{1,6}[ \t]+.*?)[ \t]*$")
_OPTION = re.compile(r"^\s*:([\w-]+):[ \t]*(.*?)\s*$")
_DISPLAY_LABEL = re.compile(r"\$\$[ \t]*\(([^()\s]+)\)\s*$")
_FENCE = re.compile(r"^\s*(?:(?:[-*+]|\d+[.)])[ \t]+)*(`{3,}|~{3,})")  # in a list item too
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])[ \t]+")
_REMOVED = re.compile(r"remove-(?:cell|input)")


@dataclass
class Directive:
    """One directive: its name, argument, options and body lines, where it opens and
    closes."""

    indent: str
    name: str
    argument: str
    options: dict[str, str]
    body: list[Line]
    opened: int
    closed: int


@dataclass
class Translation:
    """What a chapter became and what it held that reportc must say once per file."""

    rel: str
    book: Book
    diag: Diagnostics
    out: list[Line] = field(default_factory=list)
    cells: list[int] = field(default_factory=list)  # lines of code cells shown as code
    pending: tuple[str, int] | None = None  # a (label)= waiting for its block
    columns: list[int] = field(default_factory=list)  # content columns of the open list items

    def follow(self, text: str) -> None:
        """Keep the content columns of the list items ``text`` is in (a div's fence must
        stand exactly at its item's column, or pandoc reads it as text)."""
        if not text.strip():
            return
        indent = len(text) - len(text.lstrip())
        self.columns = [c for c in self.columns if c <= indent]
        if item := _LIST_ITEM.match(text):
            self.columns.append(len(item.group(0)))

    def fence_indent(self, indent: str) -> str:
        """Where a div's fence goes for a directive indented by ``indent``: its list
        item's content column (none: the margin)."""
        return " " * max((c for c in self.columns if c <= len(indent)), default=0)


def translate(text: str, rel: str, book: Book, diag: Diagnostics,
              meta: dict | None = None) -> tuple[str, list[int]]:
    """``text`` of chapter ``rel`` as pandoc Markdown, and each line's line in the file
    (``meta``: its front matter, whose ``substitutions:`` add to the book's)."""
    local = (meta or {}).get("substitutions")
    if book.substitutions is not None and isinstance(local, dict):
        book = replace(book, substitutions={**book.substitutions,
                                            **{str(k): str(v) for k, v in local.items()}})
    work = Translation(rel, book, diag)
    _block(work, [(line, number) for number, line in enumerate(text.split("\n"), start=1)])
    _flush_label(work, None)
    if work.cells:
        more = f" (and {len(work.cells) - 1} more in this file)" if len(work.cells) > 1 else ""
        instead = "run the notebook and save it with its outputs" if rel.endswith(".ipynb") \
            else "write the results in the text"
        diag.warning("code cell printed as code, without its outputs: reportc never runs "
                     f"code{more}; {instead}", rel, work.cells[0], code="myst.code-cell")
    return "\n".join(line for line, _ in work.out), [number for _, number in work.out]


def _block(work: Translation, lines: list[Line]) -> None:
    """Translate ``lines`` (a file's or a directive's body) into ``work.out``."""
    index = 0
    fence = ""
    while index < len(lines):
        text, number = lines[index]
        stripped = text.strip()
        index += 1
        if fence:  # code: as it is; an HTML comment (to its -->): nothing
            comment = fence == "-->"
            if (stripped.startswith(fence) and not stripped.strip(fence[0])) or \
                    (comment and fence in stripped):
                fence = ""
            work.out.append(("" if comment else text, number))
        elif re.match(r" {0,3}<!--", text) and "-->" not in text:  # (its fences are no code)
            fence = "-->"
            work.out.append(("", number))
        elif opening := DIRECTIVE.match(text):
            index = _directive(work, lines, index, opening)
        elif stripped.startswith("$$") and stripped.count("$$") == 1:
            index = _display(work, lines, index)
        else:
            if opens := _FENCE.match(text):
                fence = opens.group(1)
            work.follow(text)
            _line(work, text, number)


def _display(work: Translation, lines: list[Line], index: int) -> int:
    """Display maths opening at ``lines[index - 1]``: as it is, aligned if it has several
    lines (:func:`aligned`), numbered if its closing ``$$ (label)`` gives a label; returns
    the index after it."""
    end = index
    while end < len(lines) and "$$" not in lines[end][0]:
        end += 1
    if end == len(lines):  # never closed: pandoc reads it as text
        work.out += lines[index - 1:]
        return end
    closing, number = lines[end]
    closing = _DISPLAY_LABEL.sub(lambda m: "$$ {#" + label_id(m.group(1), "eq") + "}", closing)
    work.out += [lines[index - 1], *aligned(lines[index:end]), (closing, number)]
    return end + 1


def _line(work: Translation, text: str, number: int) -> None:
    """One line of Markdown outside code: comments, breaks and targets left out, a label
    put on its heading, roles written as Markdown."""
    stripped = text.strip()
    if text.startswith("%") or stripped.startswith("+++"):
        work.out.append(("", number))
        return
    if target := TARGET.match(text):
        _flush_label(work, None)
        work.pending = (target.group(1), number)
        work.out.append(("", number))
        return
    if stripped and work.pending and (heading := _HEADING.match(text)):
        label = work.pending[0]
        work.pending = None
        text = f"{heading.group(1)} {{#{label_id(label, 'sec')}}}"
    elif stripped:
        _flush_label(work, None)
    text = _DISPLAY_LABEL.sub(lambda m: "$$ {#" + label_id(m.group(1), "eq") + "}", text)
    work.out.append((inline(text, Place(work.rel, number, work.book, work.diag)), number))


def _flush_label(work: Translation, taken: str | None) -> None:
    """A ``(label)=`` that no heading took: an anchor on its own line (``taken``: the
    directive after it took it)."""
    if work.pending and work.pending[0] != taken:
        label, number = work.pending
        identifier = work.book.labels.get(label, (label_id(label, ""), ""))[0]
        work.out += [("", number), (f"[]{{#{identifier}}}", number), ("", number)]
    work.pending = None


def _directive(work: Translation, lines: list[Line], index: int, opening: re.Match[str]
               ) -> int:
    """The directive opening at ``lines[index - 1]``: translated; returns the index after
    its closing fence."""
    indent, fence, name, argument = opening.groups()
    end = index
    while end < len(lines) and not _closes(lines[end][0], fence):
        end += 1
    options, body = _options(lines[index:end])
    closed = lines[min(end, len(lines) - 1)][1]
    directive = Directive(work.fence_indent(indent), name, argument, options, body,
                          lines[index - 1][1], closed)
    label = options.get("name") or options.get("label")
    if work.pending and not label and name in ("figure", "math", "table", "list-table",
                                               *THEOREMS):
        directive.options["name"] = label = work.pending[0]
    _flush_label(work, label)
    _dispatch(work, directive)
    return end + 1


def _closes(text: str, fence: str) -> bool:
    stripped = text.strip()
    return len(stripped) >= len(fence) and not stripped.strip(fence[0])


def _options(body: list[Line]) -> tuple[dict[str, str], list[Line]]:
    """A directive's ``:key: value`` lines (or its ``---`` YAML block) and the rest."""
    options: dict[str, str] = {}
    at = 0
    if body and body[0][0].strip() == "---":
        end = next((i for i in range(1, len(body)) if body[i][0].strip() == "---"), 0)
        for text, _ in body[1:end]:
            key, _colon, value = text.partition(":")
            options[key.strip()] = value.strip().strip("\"'")
        at = end + 1 if end else 0
    while at < len(body) and (option := _OPTION.match(body[at][0])):
        options[option.group(1)] = option.group(2)
        at += 1
    return options, body[at:]


def _dispatch(work: Translation, d: Directive) -> None:
    if d.name in CALLOUTS:
        _callout(work, d)
    elif d.name in ("figure", "image"):
        _figure(work, d)
    elif d.name == "math":
        _math(work, d)
    elif d.name in _CODE:
        _code(work, d)
    elif d.name in THEOREMS or d.name in _PROOFS:
        _theorem(work, d)
    elif d.name == "glossary":
        _glossary(work, d)
    elif d.name in ("list-table", "table"):
        _table(work, d)
    elif d.name in _SILENT:
        log.debug("%s:%d: {%s} left out: reportc makes its own", work.rel, d.opened, d.name)
    else:
        _standing_for(work, d)


def _standing_for(work: Translation, d: Directive) -> None:
    """A directive that stands for other text (a file, raw output, a quotation, a glued
    output), or one reportc does not read."""
    if d.name in GLUE_DIRECTIVES:  # the MyST it stands for, read again
        _block(work, pasted_block(d.name, d.argument, d.options, d.body, d.opened,
                                  (work.book.glue, work.rel, work.diag, label_id)))
    elif d.name in DESIGN:
        _block(work, designed(d.name, d.argument, d.options, d.body, d.indent,
                              (d.opened, d.closed)))
    elif d.name == "include":
        work.out.append((f"{d.indent}{{{{< include {d.argument} >}}}}", d.opened))
    elif d.name == "raw":
        _wrapped(work, d, f"```{{={d.argument.split()[0] if d.argument else 'html'}}}",
                 "```", literal=True)
    elif d.name in _QUOTES:
        inner = Translation(work.rel, work.book, work.diag)
        _block(inner, d.body)
        work.out += [("", d.opened), *((f"{d.indent}> {t.strip()}", n) for t, n in inner.out),
                     ("", d.closed)]
    else:
        _other(work, d)


def _wrapped(work: Translation, d: Directive, head: str, tail: str, literal: bool = False,
             first: list[Line] | None = None) -> None:
    """The body between an opening and a closing line (``literal``: as it is, not read)."""
    work.out += [("", d.opened), (d.indent + head, d.opened), *(first or [])]
    if literal:
        work.out += d.body
    else:
        _block(work, d.body)
        _flush_label(work, None)
    work.out += [(d.indent + tail, d.closed), ("", d.closed)]


def _callout(work: Translation, d: Directive) -> None:
    """An admonition as a callout: ``{admonition}``'s argument is its title (its
    ``:class:`` may name the kind), another's argument is its first line."""
    kind = CALLOUTS[d.name]
    classes = d.options.get("class", "").split()
    kind = next((CALLOUTS[c] for c in classes if c in CALLOUTS and c != "dropdown"), kind)
    title = d.argument if d.name in ("admonition", "dropdown") else _TITLES.get(d.name, "")
    attributes = [f".callout-{kind}"]
    if title:
        attributes.append('title="' + title.replace("\\", "\\\\").replace('"', '\\"') + '"')
    if d.name == "dropdown" or "dropdown" in classes:
        attributes.append('collapse="true"')
    if name := d.options.get("name"):
        attributes.insert(0, "#" + label_id(name, ""))
    first = [] if title or not d.argument else [(d.indent + d.argument, d.opened), ("", d.opened)]
    _wrapped(work, d, "::: {" + " ".join(attributes) + "}", ":::", first=first)


def _theorem(work: Translation, d: Directive) -> None:
    """A theorem, definition, exercise, ... (numbered, its argument its name) or a proof
    or solution (unnumbered), as Quarto's blocks that reportc numbers and titles."""
    if d.name in _PROOFS:
        _wrapped(work, d, "::: {." + _PROOFS[d.name] + "}", ":::")
        return
    kind = THEOREMS[d.name]
    label = d.options.get("label") or d.options.get("name")
    identifier = label_id(label, kind) if label else f"{kind}-{label_id(work.rel, '')}-{d.opened}"
    name = f' name="{escape(d.argument).replace(chr(34), chr(39))}"' if d.argument else ""
    _wrapped(work, d, f"::: {{#{identifier}{name}}}", ":::")


def _figure(work: Translation, d: Directive) -> None:
    """``{figure}`` as an image alone in its paragraph with the body's first paragraph
    as caption (the rest after it); ``{image}`` as an image that is no figure."""
    attributes = [f"{key}={_quoted(d.options[key])}" for key in ("width", "height")
                  if d.options.get(key)]
    if d.options.get("alt"):
        attributes.append(f"fig-alt={_quoted(d.options['alt'])}")
    name = d.options.get("name")
    if d.name == "figure":
        identifier = label_id(name, "fig") if name else f"fig-{label_id(work.rel, '')}-{d.opened}"
        attributes.insert(0, f"#{identifier}")
    caption, after = _caption(d.body) if d.name == "figure" else ([], 0)
    words = " ".join(inline(t.strip(), Place(work.rel, n, work.book, work.diag))
                     for t, n in caption) or ("" if d.name == "figure" else
                                              escape(d.options.get("alt", "")))
    path = rooted(any_suffix(d.argument, work.book.root / work.rel),
                  Place(work.rel, d.opened, work.book, work.diag))
    shown = f"![{words}]({path}){{{' '.join(attributes)}}}"
    work.out += [("", d.opened), (d.indent + shown + ("" if d.name == "figure" else "\\"),
                                  d.opened), ("", d.opened)]
    _block(work, d.body[after:])


def _caption(body: list[Line]) -> tuple[list[Line], int]:
    """A figure's caption (its body's first paragraph) and where the rest, its legend,
    starts."""
    caption: list[Line] = []
    for index, (text, number) in enumerate(body):
        if not text.strip():
            if caption:
                return caption, index
            continue
        caption.append((text, number))
    return caption, len(body)


def _quoted(value: str) -> str:
    return '"' + value.replace('"', "'") + '"'


def _math(work: Translation, d: Directive) -> None:
    """``{math}`` as display maths, numbered when it has a ``:label:`` (an empty line, which
    would end pandoc's formula, left out)."""
    label = d.options.get("label") or d.options.get("name")
    tail = "$$" + (f" {{#{label_id(label, 'eq')}}}" if label else "")
    body = aligned([t for t in [(d.argument, d.opened), *d.body] if t[0].strip()])
    work.out += [("", d.opened), (d.indent + "$$", d.opened), *body, (d.indent + tail, d.closed),
                 ("", d.closed)]


def aligned(body: list[Line]) -> list[Line]:
    """A formula of several lines (``\\\\``) not in an environment of its own is aligned at
    its ``&``, as Sphinx wraps it in ``split``."""
    tex = "\n".join(text for text, _ in body)
    if "\\\\" not in tex or "\\begin{" in tex or not body:
        return body
    return [("\\begin{aligned}", body[0][1]), *body, ("\\end{aligned}", body[-1][1])]


def _code(work: Translation, d: Directive) -> None:
    """Code blocks as fenced code; a code cell too, never run (said once per file), or
    not printed when its tags remove it."""
    if d.name == "code-cell":
        tags = d.options.get("tags", "")
        if _REMOVED.search(tags):
            return
        work.cells.append(d.opened)
    language = d.argument.split()[0] if d.argument else ""
    fence = "````" if any(t.strip().startswith("```") for t, _ in d.body) else "```"
    _wrapped(work, d, f"{fence}{language}", fence, literal=True)


def _table(work: Translation, d: Directive) -> None:
    """``{list-table}`` as a grid table, ``{table}`` as the table its body holds; the
    argument is the caption, ``:name:`` the identifier."""
    def cell(lines: list[Line]) -> list[Line]:
        inner = Translation(work.rel, work.book, work.diag)
        _block(inner, lines)
        _flush_label(inner, None)
        work.cells += inner.cells
        return inner.out

    caption = inline(d.argument, Place(work.rel, d.opened, work.book, work.diag))
    if d.name == "list-table" and (table := grid_table(d.body, d.options, caption, d.opened,
                                                       cell)):
        work.out += table
        return
    if d.name == "list-table":
        _other(work, d)
        return
    work.out.append(("", d.opened))
    _block(work, d.body)
    work.out += [*caption_line(caption, d.options.get("name"), d.closed), ("", d.closed)]


def _glossary(work: Translation, d: Directive) -> None:
    """A glossary as a definition list (:func:`~reportc.project.mysttables.definitions`),
    its roles written as Markdown."""
    work.out += [(inline(d.indent + t if t else t, Place(work.rel, n, work.book, work.diag)), n)
                 for t, n in definitions(d.body, d.opened, d.closed)]


def _other(work: Translation, d: Directive) -> None:
    """A directive reportc does not read: its argument and content print as text (inside
    a box whose content is text, silently), with a warning for any other."""
    if d.name not in _PLAIN:
        work.diag.warning(f"MyST directive '{{{d.name}}}' is not read by reportc: its content "
                          "prints as text", work.rel, d.opened, code="myst.directive")
    first = [(d.indent + f"**{escape(d.argument)}**", d.opened), ("", d.opened)] \
        if d.argument else []
    _wrapped(work, d, "::: {.myst-" + re.sub(r"[^\w-]", "-", d.name) + "}", ":::",
             first=first)
