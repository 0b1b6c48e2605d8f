"""Global numbering: chapters, sections, figures and tables count across the whole report,
and every numbered thing becomes a cross-reference target."""

from __future__ import annotations

import re
import string

from reportc.document.model import ChapterDoc, Heading, Target
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A


def number_report(docs: list[ChapterDoc], diag: Diagnostics) -> dict[str, Target]:
    """Number chapters, sections, figures and tables; return every cross-reference target."""
    targets: dict[str, Target] = {}
    counters = {"chapter": 0, "appendix": 0, "figure": 0, "table": 0}
    used_ids: set[str] = set()
    for doc in docs:
        kind = doc.chapter.kind
        if doc.chapter.numbered and kind in ("chapter", "appendix"):
            counters[kind] += 1
            n = counters[kind]
            doc.number = str(n) if kind == "chapter" else string.ascii_uppercase[(n - 1) % 26]
        _number_headings(doc, targets, used_ids, diag)
        _number_floats(doc, targets, counters, used_ids, diag)
    return targets


def _claim_id(doc: ChapterDoc, identifier: str, used: set[str], diag: Diagnostics) -> None:
    if identifier in used:
        diag.error(f"duplicate identifier '#{identifier}'", doc.rel,
                   doc.chapter.line_of("#" + identifier))
    used.add(identifier)


def _number_headings(doc: ChapterDoc, targets: dict[str, Target], used: set[str],
                     diag: Diagnostics) -> None:
    counts = [0, 0, 0, 0, 0, 0, 0]
    slugs: set[str] = set()
    seen_title = False
    for node in A.iter_nodes(doc.ast["blocks"]):
        if node["t"] != "Header":
            continue
        level, node_attr, inlines = node["c"]
        title = A.stringify(inlines)
        if level == 1 and seen_title:
            diag.warning(f"second level-1 heading '{title}' treated as a section "
                         "(a chapter has one '# Title')", doc.rel, doc.chapter.line_of(title),
                         code="heading.level")
            level = node["c"][0] = 2
        explicit = node_attr[0]
        if level == 1:
            seen_title = True
            doc.title = title
            doc.anchor = explicit or doc.chapter.anchor
            node_attr[0] = doc.anchor
            _claim_id(doc, doc.anchor, used, diag)
            _decorate_chapter_heading(doc, node)
            targets[doc.anchor] = Target(doc.anchor, doc.label or f"\u201c{title}\u201d",
                                         doc.number or title)
            continue
        number = ""
        if doc.number and "unnumbered" not in node_attr[1] and level <= 3:
            counts[level] += 1
            for deeper in range(level + 1, len(counts)):
                counts[deeper] = 0
            number = ".".join([doc.number, *[str(c) for c in counts[2:level + 1]]])
            inlines[:0] = [A.span([{"t": "Str", "c": number}], ["secnum"]), {"t": "Space"}]
        identifier = explicit or _unique_slug(doc.chapter.anchor, title, slugs)
        node_attr[0] = identifier
        _claim_id(doc, identifier, used, diag)
        doc.headings.append(Heading(level, identifier, title, number))
        label = f"Section {number}" if number else f"\u201c{title}\u201d"
        targets[identifier] = Target(identifier, label, number or title)
    if not seen_title:
        diag.error("chapter has no title: start it with a '# Title' line", doc.rel, 1)
        doc.anchor = doc.chapter.anchor


def _decorate_chapter_heading(doc: ChapterDoc, node: A.Node) -> None:
    """Chapter openers carry their label above the title and a bookmark text for the PDF."""
    _level, node_attr, inlines = node["c"]
    title_span = A.span(list(inlines), ["chapter-title"])
    new_inlines = [title_span]
    if doc.label:
        new_inlines.insert(0, A.span(A.text_inlines(doc.label), ["chapter-label"]))
    bookmark = f"{doc.number}\u2002{doc.title}" if doc.number else doc.title
    node_attr[2].append(["data-bookmark", bookmark])
    node_attr[1].extend(["chapter-heading", f"kind-{doc.chapter.kind}"])
    node["c"][2] = new_inlines


def _unique_slug(prefix: str, title: str, taken: set[str]) -> str:
    slug = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-_")[:48] or "section"
    candidate, n = f"{prefix}-{slug}", 1
    while candidate in taken:
        n += 1
        candidate = f"{prefix}-{slug}-{n}"
    taken.add(candidate)
    return candidate


def _number_floats(doc: ChapterDoc, targets: dict[str, Target], counters: dict[str, int],
                   used: set[str], diag: Diagnostics) -> None:
    for node in A.iter_nodes(doc.ast["blocks"]):
        if node["t"] == "Figure":
            _number_float(doc, node, "figure", "Figure", targets, counters, used, diag)
        elif node["t"] == "Table":
            _number_float(doc, node, "table", "Table", targets, counters, used, diag)


def _number_float(doc: ChapterDoc, node: A.Node, kind: str, word: str,
                  targets: dict[str, Target], counters: dict[str, int], used: set[str],
                  diag: Diagnostics) -> None:
    node_attr, caption = node["c"][0], node["c"][1]
    caption_blocks = caption[1]
    if not caption_blocks:
        return  # uncaptioned tables and images are not numbered
    counters[kind] += 1
    number = str(counters[kind])
    label = f"{word}\u00a0{number}"
    first = caption_blocks[0]
    if first["t"] in ("Plain", "Para"):
        first["c"][:0] = [A.span([{"t": "Str", "c": label + "."}], ["caption-label"]),
                          {"t": "Space"}]
    identifier = node_attr[0]
    if identifier:
        _claim_id(doc, identifier, used, diag)
        targets[identifier] = Target(identifier, label, number)
