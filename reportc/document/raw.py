"""Raw HTML and LaTeX in a chapter: what it means, or nothing, never printed as text.

Documents written for pandoc or LaTeX hold comments (``<!-- ... -->``), page breaks
(``\\newpage``), figure and table environments, ``\\ref`` and ``\\cite``. Chapters are read
with raw markup kept as raw nodes (:data:`reportc.pandoc.runner.CHAPTER_READER`) and every
one of them is settled here, before anything else looks at the chapter:

* HTML comments vanish; ``<br>`` is a line break; ``<sup>``, ``<sub>``, ``<em>``, ``<b>``
  and their like become the Markdown they stand for; tables (``<table>``), plain images
  and http(s) links are read by pandoc's HTML reader; any other tag is left out (its
  content kept) with one ``raw.html`` warning saying what to write instead;
* LaTeX page breaks become page breaks in print; spacing and alignment commands, whose
  meaning the theme already has, vanish silently; figures, tables, ``\\ref``, ``\\cite``
  and text commands are what pandoc's LaTeX reader makes of them (``resources/read.lua``),
  their labels turned into the ``fig-``/``tbl-``/``sec-``/``eq-`` identifiers of Quarto;
  macro definitions (``\\newcommand``), which pandoc applied, vanish; anything else is
  left out with one ``raw.latex`` warning;
* raw blocks for other formats (`````{=typst}`````) are left out with a warning.

No raw node of a chapter is left for a writer to pass through.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from typing import Any

from reportc.document.kinds import BOOKDOWN_LABEL
from reportc.document.model import ChapterDoc
from reportc.document.rawhtml import (
    COMMENT,
    DROPPED_IN_TABLES,
    EMPTY_TAGS,
    FIRST_TAG,
    HTML_ELEMENTS,
    HTML_HINTS,
    INLINE_TAGS,
    LINK,
    SAFE_TARGET,
    SILENT_TAGS,
    TAG,
    TAG_OPENING,
    drop_tags,
    pair_tags,
    spaced,
)
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A
from reportc.project.macros import only_definitions

PAGE_BREAKS = {"newpage", "clearpage", "cleardoublepage", "pagebreak"}
# commands whose meaning is the theme's (spacing, alignment, indentation): dropped silently
HARMLESS = {"noindent", "indent", "vspace", "hspace", "bigskip", "medskip", "smallskip", "hfill",
            "vfill", "centering", "raggedright", "raggedleft", "par", "null", "FloatBarrier",
            "nopagebreak", "linebreak", "relax", "protect", "label", "phantomsection",
            "addcontentsline", "thispagestyle", "pagestyle", "markboth", "markright",
            "mainmatter", "frontmatter", "backmatter", "singlespacing", "doublespacing",
            "onehalfspacing", "normalsize", "small", "footnotesize", "large", "Large",
            # page numbering, lengths and lists reportc makes itself
            "pagenumbering", "setcounter", "setlength", "addtolength", "fill", "parindent",
            "parskip", "textwidth", "linewidth", "baselineskip", "tableofcontents",
            "listoffigures", "listoftables", "printbibliography", "scriptsize", "tiny",
            "normalfont"}
_COMMANDS = re.compile(r"\\([A-Za-z]+)\*?")
_ONLY_COMMANDS = re.compile(r"(?:\s*\\[A-Za-z]+\*?(?:\s*\[[^\]]*\])?(?:\s*\{[^{}]*\})*)+\s*")
_LABEL = re.compile(r"\\label\{([^{}]+)\}")
_EQUATION = re.compile(r"^\s*\\begin\{(equation|align|gather|multline|eqnarray)(\*?)\}(.*)"
                       r"\\end\{\1\2\}\s*$", re.S)
_LEVEL_ONE = re.compile(r"^ {0,3}#(?:[ \t]|$)", re.M)
LABEL_PREFIXES = {"fig": "fig", "figure": "fig", "tab": "tbl", "tbl": "tbl", "table": "tbl",
                  "sec": "sec", "section": "sec", "ch": "sec", "chap": "sec", "chapter": "sec",
                  "subsec": "sec", "app": "sec", "eq": "eq", "eqn": "eq", "equation": "eq",
                  "lst": "lst", "listing": "lst", "code": "lst"}


def quarto_id(label: str, kind: str = "") -> str:
    """The Quarto identifier for a LaTeX or pandoc-crossref label: ``fig:growth`` ->
    ``fig-growth``, ``tab:x`` -> ``tbl-x``; a label without a known prefix takes ``kind``'s
    (``growth`` on a figure -> ``fig-growth``)."""
    head, colon, rest = label.partition(":")
    prefix = LABEL_PREFIXES.get(head.lower()) if colon else None
    if prefix:
        return f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]+', '-', rest)}"
    clean = re.sub(r"[^A-Za-z0-9_-]+", "-", label)
    return f"{kind}-{clean}" if kind else clean


def clean_raw(doc: ChapterDoc, diag: Diagnostics) -> None:
    """Settle every raw node of ``doc`` (see the module's docstring)."""
    if not any(node["t"] in _RAW_NODES or _wrapped(node) for node in A.iter_nodes(doc.ast)):
        return
    _inline_labels(doc.ast["blocks"], doc.labels)
    settler = _Settler(doc)
    doc.ast["blocks"] = A.map_inline_lists(doc.ast["blocks"], settler.settle)
    groups: dict[tuple[str, str], list[_Left]] = {}
    for left in sorted(settler.warnings, key=lambda w: w.offset or 0):
        groups.setdefault((left.code, left.kind), []).append(left)
    for (code, kind), lefts in groups.items():  # in the order of each group's first
        first = lefts[0]
        more = ""
        if len(lefts) > 1:
            count = len(lefts) - 1
            what = f"<{kind}> tag" if code == "raw.html" else f"'\\{kind}' command"
            more = f"; so {'is' if count == 1 else 'are'} {count} more {what}" \
                   f"{'' if count == 1 else 's'} in this chapter"
        line = None if first.offset is None else doc.chapter.text.count("\n", 0, first.offset) + 1
        diag.warning(f"{first.what}{more}: {first.hint}", doc.rel, line, code=code)


@dataclass
class _Left:
    """Raw markup left out: where, what, what to write instead; warnings about the same tag
    or command are reported once, at the first, with how many more there are."""

    offset: int | None
    what: str
    hint: str
    code: str
    kind: str


# where a node keeps its attributes and the inlines a \label in it may stand among
_LABELLED = {"Header": (1, "sec"), "Figure": (0, "fig"), "Table": (0, "tbl")}


def _inline_labels(blocks: list[Any], labels: dict[str, str]) -> None:
    """``# Title \\label{sec:x}``, ``![Caption \\label{fig:x}](f.png)`` and a table caption
    ending ``\\label{tab:x}`` (how a pandoc thesis written for LaTeX labels them): the label
    is the heading's, figure's or table's identifier (``sec-x``, ``fig-x``, ``tbl-x``)."""
    for node in A.iter_nodes(blocks):
        if node["t"] not in _LABELLED:
            continue
        at, kind = _LABELLED[node["t"]]
        inlines = node["c"][2] if kind == "sec" else A.iter_nodes(node["c"][1][1])
        for inline in inlines:
            label = _LABEL.fullmatch(_latex_of(inline).strip()) if _wrapped(inline) else None
            if label and not node["c"][at][0]:
                node["c"][at][0] = labels[label.group(1)] = quarto_id(label.group(1), kind)


_RAW_NODES = {"RawBlock", "RawInline"}
# pandoc's (and Manubot's) older spelling of the bibliography's place: <div id="refs"></div>
_REFS_DIV = re.compile(r"""^\s*<div\s+id\s*=\s*["']?refs["']?\s*>(\s*</div>)?\s*$""", re.I)


def _wrapped(node: A.Node) -> bool:
    """A Div or Span of ``resources/read.lua`` around raw LaTeX."""
    return node["t"] in ("Div", "Span") and "reportc-raw" in node["c"][0][1]


def _latex_of(node: A.Node) -> str:
    return dict(node["c"][0][2]).get("latex", "")


class _Settler:
    """Walks one chapter's lists (bottom-up) and replaces each raw node."""

    def __init__(self, doc: ChapterDoc):
        self.doc = doc
        self.seen: dict[str, int] = {}  # how often a text was located: the next is further on
        self.warnings: list[_Left] = []  # reported in the text's order once the walk is done

    def warn(self, what: str, hint: str, text: str, code: str, kind: str) -> None:
        self.warnings.append(_Left(self.where(text), what, hint, code, kind))

    def where(self, text: str) -> int | None:
        """The offset of ``text``'s next occurrence (by its first line), counting repeats."""
        first = text.strip().split("\n")[0].strip()
        nth = self.seen.get(first, 0)
        self.seen[first] = nth + 1
        source = self.doc.chapter.text
        found = [match.start() for match in re.finditer(re.escape(first), source)] \
            if first else []
        return found[min(nth, len(found) - 1)] if found else None

    def settle(self, items: list[Any]) -> list[Any]:
        """A list of blocks or inlines with each raw node replaced by what it means (or
        left out, with a warning); a list without raw nodes as it is."""
        if not any(_is_raw(item) for item in items):
            return items
        block = type(items[0]) is dict and items[0].get("t") not in _INLINE_KINDS
        out: list[Any] = []
        for item in items:
            self.settle_item(item, block, out)
        return drop_tags(out) if block else spaced(pair_tags(out))

    def settle_item(self, item: Any, block: bool, out: list[Any]) -> None:
        """Append to ``out`` what ``item`` stands for."""
        if out and type(item) is dict and _wrapped(item) and out[-1].get("t") == "Str" and \
                out[-1]["c"].endswith("~"):  # LaTeX's tie: Table~\ref{x}
            out[-1] = {"t": "Str", "c": out[-1]["c"][:-1] + "\u00a0"}
        if type(item) is dict and item.get("t") in _RAW_NODES:
            out.extend(self.raw(item, block))
        elif type(item) is dict and item.get("t") in ("Div", "Span") and _wrapped(item):
            out.extend(self.latex(item, block))
            if not block and _latex_of(item)[-1:].isspace():
                out.append({"t": "Space"})  # the reader took the space after a command
        else:
            out.append(item)

    def raw(self, node: A.Node, block: bool) -> list[Any]:
        fmt, text = node["c"]
        if fmt == "html":
            return self.html(node, text)
        code = "raw.latex" if fmt in ("tex", "latex") else "raw.other"
        what = "raw LaTeX" if code == "raw.latex" else f"a raw '{fmt}' block"
        self.warn(f"{what} '{_short(text)}' is left out of the editions",
                  "reportc does not run it; write Markdown instead", text, code, fmt)
        return []

    def html(self, node: A.Node, text: str) -> list[Any]:
        """A comment vanishes, ``<br>`` breaks the line, an inline tag pair of
        :data:`INLINE_TAGS` is kept for :func:`pair_tags`, anything else is left out."""
        if COMMENT.match(text):
            return []
        tag = TAG.match(text)
        first = FIRST_TAG.match(text)
        name = first.group(1).lower() if first else ""
        if first and name not in HTML_ELEMENTS:  # "List<String>": text, not a tag
            literal = A.text_inlines(text)
            return literal if node["t"] == "RawInline" else [{"t": "Plain", "c": literal}]
        meant = _html_meaning(node, text, tag, name)
        if meant is not None:
            return meant
        hint = HTML_HINTS.get(name, "write it in Markdown (a ::: {.name} block or a "
                                     "[text]{.name} span, styled by the theme)")
        kept = " (its content is kept)" if tag and name not in EMPTY_TAGS else ""
        self.warn(f"raw HTML '{_short(text)}' is left out of the editions{kept}", hint, text,
                  "raw.html", name)
        return []

    def latex(self, node: A.Node, block: bool) -> list[Any]:
        if "html" in dict(node["c"][0][2]):  # an HTML table or image, read by pandoc's
            self.dropped_html(dict(node["c"][0][2])["html"])  # HTML reader
            return node["c"][1]
        source = _latex_of(node)
        if only_definitions(source):
            return []  # macros: pandoc expanded them (reportc.project.macros)
        names = [match.group(1) for match in _COMMANDS.finditer(source)]
        if names and _ONLY_COMMANDS.fullmatch(source) and set(names) <= PAGE_BREAKS | HARMLESS:
            if block and set(names) & PAGE_BREAKS:
                return [{"t": "Div", "c": [A.attr("", ["pagebreak"]), []]}]
            return []
        if equation := _EQUATION.match(source):
            return _equation(equation, block, self.doc.labels)
        if names == ["appendix"] and _ONLY_COMMANDS.fullmatch(source):
            self.appendix(source)
            return []
        content = node["c"][1]
        if not content:
            return self.unread(source)
        _label_floats(content, self.doc.labels)
        _references(content)
        return content

    def dropped_html(self, html: str) -> None:
        """A warning for each element of an HTML table that pandoc's HTML reader drops
        (``<script>``, ``<iframe>``, form fields, ...): nothing vanishes silently."""
        for tag in TAG_OPENING.finditer(html):
            name = tag.group(1).lower()
            if name in DROPPED_IN_TABLES:
                hint = HTML_HINTS.get(name, "write it in Markdown")
                self.warn(f"raw HTML '{_short(tag.group(0))}' in a table is left out of the "
                          "editions", hint, tag.group(0), "raw.html", name)

    def appendix(self, source: str) -> None:
        """``\\appendix``: the chapters from here on are appendices (before the title: this
        one too)."""
        offset = self.where(source) or 0
        title = _LEVEL_ONE.search(self.doc.chapter.text)
        self.doc.appendix = "before" if title is None or offset < title.start() else "after"

    def unread(self, source: str) -> list[Any]:
        """Raw LaTeX reportc cannot give a meaning: left out, with what to write instead."""
        command = next(iter(_COMMANDS.findall(source)), "")
        hint = _LATEX_HINTS.get(command, "write it in Markdown (reportc does not run LaTeX)")
        self.warn(f"raw LaTeX '{_short(source)}' is left out of the editions", hint, source,
                  "raw.latex", command)
        return []


def _is_raw(item: Any) -> bool:
    """A raw node, or a wrapper of ``resources/read.lua`` around raw LaTeX."""
    return type(item) is dict and (item.get("t") in _RAW_NODES or
                                   (item.get("t") in ("Div", "Span") and _wrapped(item)))


def _html_meaning(node: A.Node, text: str, tag: re.Match[str] | None,
                  name: str) -> list[Any] | None:
    """What a raw HTML tag reportc understands becomes: ``<br>`` a line break, an inline
    tag or a safe link kept for :func:`pair_tags`, ``<div id="refs">`` the bibliography's
    place, a silent tag or a closing tag nothing; ``None`` for any other, which is left
    out with a warning."""
    if (placed := _element_meaning(node, text, name)) is not None:
        return placed
    if tag and not tag.group(3).strip() and (name in INLINE_TAGS or name in SILENT_TAGS):
        return [node] if name in INLINE_TAGS and node["t"] == "RawInline" else []
    if name == "a" and node["t"] == "RawInline" and _safe_link(text):
        return [node]  # paired with its </a> into a link by pair_tags
    if tag and tag.group(1):
        return [node] if name == "a" else []  # a closing tag: its opening was reported
    return None


def _element_meaning(node: A.Node, text: str, name: str) -> list[Any] | None:
    """The two tags that stand for an element of their own: ``<br>`` a line break and
    ``<div id="refs">`` the bibliography's place (as pandoc reads ``::: {#refs}``)."""
    if name == "br" and node["t"] == "RawInline":
        return [{"t": "LineBreak"}]
    if name == "div" and node["t"] == "RawBlock" and _REFS_DIV.match(text):
        return [{"t": "Div", "c": [A.attr("refs"), []]}]
    return None


def _safe_link(text: str) -> bool:
    """Whether an ``<a href=...>`` tag links to an address a report may link to."""
    link = LINK.match(text)
    return link is not None and \
        SAFE_TARGET.match(html_lib.unescape(link.group(2)).strip()) is not None


_INLINE_KINDS = {"Str", "Space", "SoftBreak", "LineBreak", "Emph", "Strong", "Underline",
                 "Strikeout", "Superscript", "Subscript", "SmallCaps", "Quoted", "Cite", "Code",
                 "Math", "RawInline", "Link", "Image", "Note", "Span"}
_LATEX_HINTS = {
    "section": "write a heading: ## Title",
    "subsection": "write a heading: ### Title",
    "chapter": "start the chapter file with # Title",
    "textcolor": "write [text]{.name} and style .name in the theme's CSS",
    "input": "list the file as a chapter in report.yaml instead",
    "include": "list the file as a chapter in report.yaml instead",
}


def _equation(match: re.Match[str], block: bool, labels: dict[str, str]) -> list[Any]:
    """``\\begin{equation} ... \\label{eq:x} \\end{equation}``: display maths, numbered as
    Quarto's ``$$ ... $$ {#eq-x}`` when it has a label."""
    environment, starred, body = match.groups()
    label = _LABEL.search(body) or BOOKDOWN_LABEL.search(body)
    tex = BOOKDOWN_LABEL.sub("", _LABEL.sub("", body)).strip()
    if environment != "equation":
        tex = "\\begin{aligned}" + tex.replace("&=", "&=") + "\\end{aligned}"
    inlines: list[Any] = [{"t": "Math", "c": [{"t": "DisplayMath"}, tex]}]
    if label and not starred:
        labels[label.group(1)] = quarto_id(label.group(1), "eq")
        inlines += [{"t": "Space"}, {"t": "Str", "c": "{#" + labels[label.group(1)] + "}"}]
    return [{"t": "Para", "c": inlines}] if block else inlines


def _label_floats(blocks: list[Any], labels: dict[str, str]) -> None:
    """Figures and tables from LaTeX: their ``\\label`` (the reader's identifier) as the
    Quarto identifier that numbers them (``fig:x`` -> ``fig-x``, ``tab:x`` -> ``tbl-x``)."""
    for node in A.iter_nodes(blocks):
        if node["t"] == "Figure":
            _describe(node)
            kind = "fig"
        elif node["t"] == "Div" and any(inner["t"] == "Table" for inner in node["c"][1]):
            kind = "tbl"
        else:
            continue
        if label := node["c"][0][0]:
            node["c"][0][0] = labels[label] = quarto_id(label, kind)


def _describe(figure: A.Node) -> None:
    """An image of a LaTeX figure is described by the figure's caption (its alt text)."""
    caption = A.stringify(figure["c"][1][1])
    for node in A.iter_nodes(figure["c"][2]):
        if node["t"] == "Image" and not node["c"][1] and caption:
            node["c"][1] = A.text_inlines(caption)


def _references(tree: Any) -> None:
    """``\\ref{fig:x}`` (a link the LaTeX reader makes) as the cross-reference ``@fig-x``:
    ``\\ref`` and ``\\eqref`` give the number alone, ``\\autoref`` and ``\\cref`` the label."""
    def replace(items: list[Any]) -> list[Any]:
        items[:] = [_as_xref(item) if type(item) is dict and item.get("t") == "Link" else item
                    for item in items]
        return items
    A.map_inline_lists(tree, replace)


def _as_xref(link: A.Node) -> A.Node:
    pairs = dict(link["c"][0][2])
    if "reference" not in pairs:
        return link
    key = quarto_id(pairs["reference"])
    mode = "NormalCitation" if "label" in pairs.get("reference-type", "") else "SuppressAuthor"
    citation = {"citationId": key, "citationPrefix": [], "citationSuffix": [],
                "citationMode": {"t": mode}, "citationNoteNum": 0, "citationHash": 0}
    return {"t": "Cite", "c": [[citation], [{"t": "Str", "c": f"@{key}"}]]}


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "\u2026"


def text_before_title(doc: ChapterDoc, diag: Diagnostics) -> None:
    """Nothing prints above a chapter's label: what comes before the ``# Title`` (a page
    break, which the chapter's own page makes needless, is dropped) is moved below it, with
    a warning at its first line. Page breaks that end the chapter are dropped too."""
    blocks = doc.ast["blocks"]
    title = next((index for index, block in enumerate(blocks)
                  if block["t"] == "Header" and block["c"][0] == 1), None)
    if title is None:
        return
    before = [block for block in blocks[:title] if not _page_break(block)]
    if before:
        words = A.stringify(before[0]).split()  # its first words, or fewer: a line may end
        line = next(filter(None, (doc.chapter.line_of(" ".join(words[:n])) for n in (4, 2, 1)
                                  if words)), None)
        diag.warning("text before the chapter's '# Title' is moved below the title (a chapter "
                     "starts with its title)", doc.rel, line, code="heading.first")
    after = blocks[title + 1:]
    while after and _page_break(after[-1]):
        after.pop()  # the chapter ends its page anyway: a break there would leave one blank
    doc.ast["blocks"] = [blocks[title], *before, *after]


def _page_break(block: A.Node) -> bool:
    return block["t"] == "Div" and "pagebreak" in block["c"][0][1]


def start_appendices(docs: list[ChapterDoc]) -> None:
    """LaTeX's ``\\appendix``: the chapters after it (numbered A, B, ...) are appendices,
    as if their front matter said ``kind: appendix``."""
    marked = next((index for index, doc in enumerate(docs) if doc.appendix), None)
    if marked is None:
        return
    start = marked if docs[marked].appendix == "before" else marked + 1
    for doc in docs[start:]:
        if doc.chapter.kind == "chapter":
            doc.chapter.kind = "appendix"


def link_labels(docs: list[ChapterDoc]) -> None:
    """``\\ref{results}`` to a ``\\label{results}`` without a ``fig:``-like prefix, in
    any chapter: the reference points at the identifier the label became (``fig-results``)."""
    labels = {label: identifier for doc in docs for label, identifier in doc.labels.items()
              if label != identifier}
    if not labels:
        return
    for doc in docs:
        for node in A.iter_nodes(doc.ast["blocks"]):
            for citation in node["c"][0] if node["t"] == "Cite" else []:
                citation["citationId"] = labels.get(citation["citationId"],
                                                    citation["citationId"])
