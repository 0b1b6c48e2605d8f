"""Global numbering: chapters, sections, figures and tables count across the whole report,
and every numbered thing becomes a cross-reference target."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field

from reportc.cache import BuildCache
from reportc.document.annotations import shape_annotations
from reportc.document.callouts import callout_kind, label_callout, shape_callouts
from reportc.document.crossref import id_line
from reportc.document.floats import shape_floats, word_extents
from reportc.document.kinds import CALLOUTS, FLOAT_KINDS, LABELS, prefix_of
from reportc.document.links import note_elements, note_heading
from reportc.document.math import check_formulas, mark_equations, plain_text, spell_logos
from reportc.document.model import ChapterDoc, Float, Heading, Target
from reportc.document.theorems import label_theorem, shape_theorems, theorem_prefix
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A
from reportc.project.language import Words
from reportc.project.split import headings

FLOAT_WORDS = {"figure": "Figure", "table": "Table", "listing": "Listing"}
FLOAT_PREFIXES = {kind: prefix for prefix, kind in FLOAT_KINDS.items()}


@dataclass
class Numbering:
    """The report's numbering so far, as each chapter is numbered in reading order: the
    targets made, the counters (chapters, appendices, floats and every labelled kind) and
    the identifiers claimed; ``words``: the labels' words."""

    targets: dict[str, Target]
    counters: dict[str, int]
    used: set[str]
    words: dict[str, str]
    cache: BuildCache | None = None

    def number(self, doc: ChapterDoc, diag: Diagnostics) -> None:
        """Number one chapter, the next in reading order."""
        shape_quarto(doc, diag, self.cache, self.words)
        kind = doc.chapter.kind
        # one walk for both: numbering headings adds only spans the floats' walk skips
        nodes = A.iter_nodes(doc.ast["blocks"])
        untitled = not any(node["t"] == "Header" for node in nodes)  # a page: not counted
        if doc.chapter.numbered and kind in ("chapter", "appendix") and not untitled:
            self.counters[kind] += 1
            n = self.counters[kind]
            doc.number = str(n) if kind == "chapter" else string.ascii_uppercase[(n - 1) % 26]
            doc.label_word = self.words["ch" if kind == "chapter" else "apx"]
        _number_headings(doc, self.targets, self.used, diag, self.words, nodes)
        _number_floats(doc, self.targets, self.counters, self.used, diag, self.words, nodes)
        note_elements(doc, nodes, self.targets)

    def claim(self, doc: ChapterDoc, identifier: str, diag: Diagnostics) -> None:
        """``identifier`` is ``doc``'s (an error if another chapter had it first)."""
        _claim_id(doc, identifier, self.used, diag)


# numbers a chapter with the numbering so far (the per-chapter cache: replayed or traced)
EachChapter = Callable[[ChapterDoc, Numbering, Diagnostics], None]


def number_report(docs: list[ChapterDoc], diag: Diagnostics,
                  cache: BuildCache | None = None,
                  prefixes: dict[str, str] | None = None,
                  each: EachChapter | None = None) -> dict[str, Target]:
    """Number chapters, sections, figures and tables; return every cross-reference target
    (``cache`` keeps the drawings of formulas between builds; ``prefixes``: the words a
    project chose for its labels, Quarto's ``crossref: fig-prefix: Fig.``; ``each``:
    numbers each chapter instead of :meth:`Numbering.number`)."""
    words = {**Words().labels(), **(prefixes or {})}
    state = Numbering({}, {"chapter": 0, "appendix": 0, "figure": 0, "table": 0,
                           "listing": 0}, set(), words, cache)
    for doc in docs:
        if each is None:
            state.number(doc, diag)
        else:
            each(doc, state, diag)
    return state.targets


def shape_quarto(doc: ChapterDoc, diag: Diagnostics, cache: BuildCache | None = None,
                 words: dict[str, str] | None = None) -> None:
    """Quarto's block forms in the one shape numbering reads: code annotations, callouts
    and theorem blocks (their title headings leave the flow first, so they are never
    numbered sections), floats as Figure nodes, ``{#eq-x}`` equations; each formula
    checked; and the place the author chose for the bibliography (``::: {#refs}``).
    ``words``: the titles' words, by prefix (:meth:`reportc.project.language.Words.labels`)."""
    shape_annotations(doc, diag, doc.chapter.code_annotations)  # before floats wrap blocks
    nodes = A.iter_nodes(doc.ast["blocks"])  # one walk; each step looks at what it needs
    words = words or Words().labels()
    shape_callouts(doc, diag, nodes, words)
    shape_theorems(nodes, words)
    word_extents(nodes, words)
    shape_floats(doc, diag, nodes)
    spell_logos(nodes)
    mark_equations(doc, nodes)
    check_formulas(doc, diag, nodes, cache)
    for node in nodes:
        if node["t"] == "Div" and node["c"][0][0] == "refs":
            doc.has_refs = True  # citeproc (run over the whole report) must not fill it:
            node["c"][0][0] = ""  # it lists the references at the report's end
            node["c"][0][1].append("reportc-refs")


def _claim_id(doc: ChapterDoc, identifier: str, used: set[str], diag: Diagnostics) -> None:
    if identifier in used:
        diag.error(f"duplicate identifier '#{identifier}'", doc.rel,
                   id_line(doc, identifier))
    used.add(identifier)


@dataclass
class _Headings:
    """What a chapter's headings share while they are numbered one after another: the
    section counters and slugs so far, and where targets and identifiers are recorded."""

    targets: dict[str, Target]
    used: set[str]
    diag: Diagnostics
    words: dict[str, str]
    counts: list[int] = field(default_factory=lambda: [0] * 7)
    slugs: set[str] = field(default_factory=set)


def _number_headings(doc: ChapterDoc, targets: dict[str, Target], used: set[str],
                     diag: Diagnostics, words: dict[str, str] = LABELS,
                     nodes: list[A.Node] | None = None) -> None:
    """The first level-1 heading is the chapter's title; the others are its sections
    (a second level-1 heading becomes a section, with a warning). ``nodes``: the
    chapter's, if walked already."""
    state = _Headings(targets, used, diag, words)
    seen_title, ones = False, 0
    for node in A.iter_nodes(doc.ast["blocks"]) if nodes is None else nodes:
        if node["t"] != "Header":
            continue
        title = plain_text(node["c"][2])  # contents, bookmarks: formulas never as TeX
        ones += node["c"][0] == 1
        if node["c"][0] == 1 and seen_title:
            diag.warning(f"second level-1 heading '{title}' treated as a section "
                         "(a chapter has one '# Title')", doc.rel,
                         _level_one_line(doc, ones, title) or doc.chapter.line_of(title),
                         code="heading.level")
            node["c"][0] = 2
        if node["c"][0] == 1:
            seen_title = True
            _chapter_title(doc, node, title, state)
        else:
            _section_heading(doc, node, title, state)
    if not seen_title and not doc.headings:
        _untitled_page(doc, state)
    elif not seen_title:  # it starts at '##': its '# Title' is more likely lost than meant
        diag.error("chapter has no title: start it with a '# Title' line", doc.rel, 1)
        doc.anchor = doc.chapter.anchor


def _untitled_page(doc: ChapterDoc, state: _Headings) -> None:
    """A file with no heading at all (a declaration, a dedication, an epigraph, as a pandoc
    thesis has them) is a page without a title: not numbered, not in the contents or the
    outline. Its first words name it where a name is needed (a screen reader's landmark,
    the EPUB's and the site's page title)."""
    doc.anchor = doc.chapter.anchor
    _claim_id(doc, doc.anchor, state.used, state.diag)
    doc.untitled = first_words(doc.ast["blocks"]) or doc.chapter.stem


def first_words(blocks: list[A.Node], count: int = 8) -> str:
    """The first ``count`` words of ``blocks`` (each block's words apart from the next
    one's), an ellipsis after them when there are more."""
    words: list[str] = []
    for block in blocks:
        words += plain_text([block]).split()
        if len(words) > count:
            return " ".join(words[:count]).rstrip(",;:.") + "\u2026"
    return " ".join(words)


def _level_one_line(doc: ChapterDoc, nth: int, title: str) -> int | None:
    """The line of the chapter's ``nth`` level-1 heading, if it holds ``title`` (two
    headings may have the same title; a box's heading may have left the tree)."""
    text = doc.chapter.text.split("\n")
    lines = [line for line, level in headings(doc.chapter.text) if level == 1]
    if nth <= len(lines) and title.split()[:1] and title.split()[0] in text[lines[nth - 1]]:
        return lines[nth - 1] + 1
    return None


def _chapter_title(doc: ChapterDoc, node: A.Node, title: str, state: _Headings) -> None:
    """The chapter's title heading gives the chapter its title and anchor (its own
    identifier, if it has one) and is the target a reference to the chapter points to."""
    node_attr = node["c"][1]
    doc.title = title
    note_heading(doc, node["c"][2], node_attr[0], node_attr[0] or doc.chapter.anchor)
    doc.anchor = node_attr[0] or doc.chapter.anchor
    node_attr[0] = doc.anchor
    _claim_id(doc, doc.anchor, state.used, state.diag)
    _decorate_chapter_heading(doc, node)
    state.targets[doc.anchor] = Target(doc.anchor, doc.label or f"\u201c{title}\u201d",
                                       doc.number or title)


def _section_heading(doc: ChapterDoc, node: A.Node, title: str, state: _Headings) -> None:
    """A section heading: numbered (levels 2-3 of a numbered chapter), given an identifier
    (its own or a slug of its title) and recorded as a heading and a target."""
    level, node_attr, inlines = node["c"]
    explicit = node_attr[0]
    identifier = explicit or _unique_slug(doc.chapter.anchor, title, state.slugs)
    note_heading(doc, inlines, explicit, identifier)
    number = _section_number(doc, level, node_attr, inlines, state.counts)
    if title != A.stringify(inlines[2:] if number else inlines):  # it holds a formula
        node_attr[2].append(["data-bookmark", f"{number} {title}" if number else title])
    node_attr[0] = identifier
    _claim_id(doc, identifier, state.used, state.diag)
    doc.headings.append(Heading(level, identifier, title, number))
    label = f"{state.words['sec']} {number}" if number else f"\u201c{title}\u201d"
    state.targets[identifier] = Target(identifier, label, number or title)


def _section_number(doc: ChapterDoc, level: int, node_attr: list, inlines: list,
                    counts: list[int]) -> str:
    """The section's number ("2.3.1"), put before its title; "" for an unnumbered chapter or
    section, or one deeper than level 3."""
    if not doc.number or "unnumbered" in node_attr[1] or level > 3:
        return ""
    counts[level] += 1
    for deeper in range(level + 1, len(counts)):
        counts[deeper] = 0
    number = ".".join([doc.number, *[str(c) for c in counts[2:level + 1]]])
    inlines[:0] = [A.span([{"t": "Str", "c": number}], ["secnum"]), {"t": "Space"}]
    return number


def _decorate_chapter_heading(doc: ChapterDoc, node: A.Node) -> None:
    """Chapter openers carry their label above the title and a bookmark text for the PDF."""
    _level, node_attr, inlines = node["c"]
    title_span = A.span(list(inlines), ["chapter-title"])
    # the PDF's running head: the chapter's short_title (front matter), else its title
    # when that holds a formula (drawn in the heading, but a running head is text)
    running = doc.chapter.short_title or \
        (doc.title if doc.title != A.stringify(inlines) else "")
    if running:
        title_span["c"][0][2].append(["data-running", running])
    new_inlines = [title_span]
    if doc.label:
        new_inlines.insert(0, A.span(A.text_inlines(doc.label), ["chapter-label"]))
    bookmark = f"{doc.number}\u2002{doc.title}" if doc.number else doc.title
    node_attr[2].append(["data-bookmark", bookmark])
    node_attr[1].extend(["chapter-heading", f"kind-{doc.chapter.kind}"])
    node["c"][2] = new_inlines


def flatten_chapter_heading(node: A.Node) -> None:
    """'Chapter 3' above the title is a page's device; a document without pages (Word,
    EPUB) has a heading reading '3 Title', as the PDF's bookmarks and its navigation."""
    attr, inlines = node["c"][1], node["c"][2]
    attr[2] = [pair for pair in attr[2] if pair[0] != "data-bookmark"]
    label = [i for i in inlines if i["t"] == "Span" and "chapter-label" in i["c"][0][1]]
    title = [i for i in inlines if i["t"] == "Span" and "chapter-title" in i["c"][0][1]]
    words = title[0]["c"][1] if title else inlines
    number = A.stringify(label).split()[-1] if label else ""
    node["c"][2] = [{"t": "Str", "c": number}, {"t": "Space"}, *words] if number else words


def _unique_slug(prefix: str, title: str, taken: set[str]) -> str:
    slug = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-_")[:48] or "section"
    candidate, n = f"{prefix}-{slug}", 1
    while candidate in taken:
        n += 1
        candidate = f"{prefix}-{slug}-{n}"
    taken.add(candidate)
    return candidate


def _number_floats(doc: ChapterDoc, targets: dict[str, Target], counters: dict[str, int],
                   used: set[str], diag: Diagnostics, words: dict[str, str] = LABELS,
                   nodes: list[A.Node] | None = None) -> None:
    """Figures, tables, listings, equations, callouts and theorems, in reading order
    (``nodes``: the chapter's, if walked already)."""
    for node in A.iter_nodes(doc.ast["blocks"]) if nodes is None else nodes:
        kind = node["t"]
        if kind == "Figure" and "subfloat" not in node["c"][0][1]:
            float_kind = FLOAT_KINDS.get(prefix_of(node["c"][0][0]), "figure")
            _number_float(doc, node, float_kind, targets, counters, used, diag, words)
        elif kind == "Table":
            _number_float(doc, node, "table", targets, counters, used, diag, words)
        elif kind == "Span" and "equation" in node["c"][0][1]:
            _number_equation(doc, node, targets, counters, used, diag, words)
        elif kind == "Div" and (callout := callout_kind(node)):
            prefix = CALLOUTS[callout][0]
            if node["c"][0][0]:
                label = _count(doc, node["c"][0][0], prefix, targets, counters, used, diag,
                               words)
                label_callout(node, label, words.get(prefix, CALLOUTS[callout][1]))
        elif kind == "Div" and (prefix := theorem_prefix(node)):
            label_theorem(node, _count(doc, node["c"][0][0], prefix, targets, counters,
                                       used, diag, words))


def _count(doc: ChapterDoc, identifier: str, prefix: str, targets: dict[str, Target],
           counters: dict[str, int], used: set[str], diag: Diagnostics,
           words: dict[str, str] = LABELS) -> str:
    """The next number of ``prefix``'s kind, made a target: returns "Theorem 2"."""
    counters[prefix] = counters.get(prefix, 0) + 1
    number = str(counters[prefix])
    label = f"{words[prefix]}\u00a0{number}"
    _claim_id(doc, identifier, used, diag)
    targets[identifier] = Target(identifier, label, number)
    return label


def _number_equation(doc: ChapterDoc, node: A.Node, targets: dict[str, Target],
                     counters: dict[str, int], used: set[str], diag: Diagnostics,
                     words: dict[str, str] = LABELS) -> None:
    """A display equation with an id: "(1)" beside it, "Equation 1" where it is cited."""
    label = _count(doc, node["c"][0][0], "eq", targets, counters, used, diag, words)
    number = targets[node["c"][0][0]].number
    node["c"][1].append(A.span([{"t": "Str", "c": f"({number})"}], ["equation-number"]))
    targets[node["c"][0][0]].label = label


def _number_float(doc: ChapterDoc, node: A.Node, kind: str, targets: dict[str, Target],
                  counters: dict[str, int], used: set[str], diag: Diagnostics,
                  words: dict[str, str] = LABELS) -> None:
    node_attr, caption = node["c"][0], node["c"][1]
    caption_blocks = caption[1]
    if not caption_blocks:
        return  # uncaptioned tables and images are not numbered
    if doc.chapter.path.suffix.lower() == ".qmd" and prefix_of(node_attr[0]) not in FLOAT_KINDS:
        return  # Quarto numbers a float only when its id says what it is (#fig-, #tbl-)
    counters[kind] += 1
    number = str(counters[kind])
    label = f"{words.get(FLOAT_PREFIXES[kind], FLOAT_WORDS[kind])}\u00a0{number}"
    text = plain_text(caption_blocks)
    _prepend(caption_blocks, A.span([{"t": "Str", "c": label + ("." if text else "")}],
                                    ["caption-label"]))
    if node["t"] == "Figure":
        for cls in ("float", f"float-{kind}"):
            if cls not in node_attr[1]:
                node_attr[1].append(cls)
    identifier = node_attr[0]
    if identifier:
        _claim_id(doc, identifier, used, diag)
        targets[identifier] = Target(identifier, label, number)
    doc.floats.append(Float(kind, number, text, identifier, label))
    if node["t"] == "Figure":
        _number_panels(doc, node, label, number, targets, used, diag)


def _number_panels(doc: ChapterDoc, node: A.Node, label: str, number: str,
                   targets: dict[str, Target], used: set[str], diag: Diagnostics) -> None:
    """Subfloats: "(a)", "(b)" before their captions, "Figure 2(b)" where cited."""
    panels = [n for n in A.iter_nodes(node["c"][2])
              if n["t"] == "Figure" and "subfloat" in n["c"][0][1]]
    for index, panel in enumerate(panels):
        letter = string.ascii_lowercase[index % 26]
        if panel["c"][1][1]:
            _prepend(panel["c"][1][1], A.span([{"t": "Str", "c": f"({letter})"}],
                                              ["subcaption-label"]))
        else:
            panel["c"][1][1] = [{"t": "Plain", "c": [
                A.span([{"t": "Str", "c": f"({letter})"}], ["subcaption-label"])]}]
        if identifier := panel["c"][0][0]:
            _claim_id(doc, identifier, used, diag)
            targets[identifier] = Target(identifier, f"{label}({letter})", f"{number}({letter})")


def _prepend(blocks: list[A.Node], label: A.Node) -> None:
    """A caption label before the first words of a caption."""
    first = blocks[0]
    if first["t"] in ("Plain", "Para"):
        first["c"][:0] = [label, {"t": "Space"}] if first["c"] else [label]
    else:
        blocks.insert(0, {"t": "Plain", "c": [label]})
