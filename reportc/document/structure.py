"""Stage 4: read each chapter into pandoc's AST, number it, resolve cross-references.

Numbering is global (chapters, sections, figures and tables count across the
whole report) while each chapter is read as a document of its own (several in one
pandoc process: ``resources/read.lua``), so one broken chapter cannot swallow the next
and a changed chapter can be converted on its own.
"""

from __future__ import annotations

import json
import re
import string
from concurrent.futures import Executor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from reportc.cache import BuildCache, digest, file_digest, tool_versions
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A
from reportc.pandoc.runner import READER, PandocStalled, api_version, batches, run_batch
from reportc.progress import item_done
from reportc.project.chapters import Chapter
from reportc.sandbox.checks import check_brackets, load_ast, stall_hint

READ_FILTER = resources.files("reportc.pandoc") / "resources" / "read.lua"
XREF_PREFIXES = ("fig-", "tbl-", "sec-")
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass
class Heading:
    level: int
    id: str
    title: str
    number: str = ""


@dataclass
class Target:
    """Something a cross-reference can point at, with the words that name it."""

    id: str
    label: str  # "Figure 2", "Section 3.2", "Chapter 3", or a quoted title
    number: str  # what [-@id] prints


@dataclass
class ChapterDoc:
    """A chapter after reading: its AST plus what the rest of the report needs to know."""

    chapter: Chapter
    ast: dict[str, Any]
    anchor: str = ""
    title: str = ""
    number: str = ""
    headings: list[Heading] = field(default_factory=list)
    cite_keys: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)

    @property
    def rel(self) -> str:
        return self.chapter.rel

    @property
    def label(self) -> str:
        """'Chapter 3', 'Appendix A' or '' for unnumbered parts."""
        if not self.number:
            return ""
        return ("Appendix " if self.chapter.kind == "appendix" else "Chapter ") + self.number


def read_chapters(chapters: list[Chapter], diag: Diagnostics, cache: BuildCache,
                  pool: Executor, jobs: int) -> list[ChapterDoc | None]:
    """Each chapter's AST (``None`` where a problem was reported): from the cache, or read
    in batches on ``pool`` (:func:`reportc.pandoc.runner.batches`). A batch that fails or warns is
    read again chapter by chapter, so that every message names its file."""
    asts: dict[int, str | None] = {}
    todo = []
    reading = digest(READER, file_digest(Path(str(READ_FILTER))), tool_versions())
    keys = [digest(chapter.text, reading) for chapter in chapters]
    for index, chapter in enumerate(chapters):
        _check_unclosed_blocks(chapter, diag)
        if not check_brackets(chapter, diag):
            asts[index] = None  # pandoc would stall on it
        elif (cached := cache.get("ast", keys[index])) is not None:
            asts[index] = cached
        else:
            todo.append(index)
    shares = batches(todo, lambda index: len(chapters[index].text), jobs)
    for read in pool.map(lambda share: _read_batch(share, chapters, keys, diag, cache), shares):
        asts.update(read)
    return list(pool.map(lambda index: _chapter_doc(chapters[index], asts[index], diag),
                         range(len(chapters))))


def _read_batch(share: list[int], chapters: list[Chapter], keys: list[str],
                diag: Diagnostics, cache: BuildCache) -> dict[int, str | None]:
    """One pandoc process for the chapters ``share`` indexes (one by one if it fails or
    warns)."""
    args = ["-f", "json", "-t", "html", "--sandbox", f"--lua-filter={READ_FILTER}"]
    converted = run_batch(args, share, lambda indexes: _read_document(indexes, chapters),
                          str, lambda index: chapters[index].rel)
    asts: dict[int, str | None] = {}
    for index in share:
        chapter, result = chapters[index], converted[str(index)]
        asts[index] = result.output
        if result.error:
            message = str(result.error).removeprefix(f"{chapter.rel}: ")
            stalled = isinstance(result.error, PandocStalled)
            line, hint = stall_hint(chapter) if stalled else (None, "")
            diag.error(f"{message}; {hint}" if hint else message, chapter.rel, line)
            continue
        for warning in result.warnings:
            diag.warning(f"pandoc: {warning}", chapter.rel)
        if not result.warnings:
            cache.put("ast", keys[index], result.output)
        item_done(f"read {chapter.rel}")
    return asts


def _read_document(indexes: list[int], chapters: list[Chapter]) -> str:
    """The batch for ``resources/read.lua``: each chapter's Markdown in a code block."""
    blocks = [{"t": "CodeBlock", "c": [[str(index), [], []], chapters[index].text]}
              for index in indexes]
    return json.dumps({"pandoc-api-version": api_version(), "blocks": blocks,
                       "meta": {"reportc-reader": {"t": "MetaString", "c": READER}}})


def _chapter_doc(chapter: Chapter, ast_json: str | None, diag: Diagnostics
                 ) -> ChapterDoc | None:
    if ast_json is None:
        return None
    ast = load_ast(chapter, ast_json, diag)  # None if it nests too deeply to lay out
    return None if ast is None else ChapterDoc(chapter, ast)


def _check_unclosed_blocks(chapter: Chapter, diag: Diagnostics) -> None:
    """Report a ``:::`` div or code fence left open (pandoc silently runs it to the end)."""
    fence: tuple[str, int] | None = None
    divs: list[int] = []
    for number, line in enumerate(chapter.text.splitlines(), start=1):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence[0]) and stripped.strip(fence[0][0]) == "":
                fence = None
            continue
        if match := re.match(r"^(`{3,}|~{3,})", stripped):
            fence = (match.group(1), number)
        elif re.match(r"^:{3,}\s*\S", stripped):
            divs.append(number)
        elif re.fullmatch(r":{3,}", stripped) and divs:
            divs.pop()
    if fence:
        diag.error("code fence opened here is never closed", chapter.rel, fence[1])
    for line in divs:
        diag.error("'::: ' block opened here is never closed", chapter.rel, line)


# --- numbering -------------------------------------------------------------------------

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
                         "(a chapter has one '# Title')", doc.rel, doc.chapter.line_of(title))
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


# --- references, citations, images ------------------------------------------------------

def resolve_references(doc: ChapterDoc, targets: dict[str, Target], bib_keys: set[str],
                       root: Path, diag: Diagnostics) -> None:
    """Turn ``@fig-x`` into links, check citation keys and image paths, style boxes."""
    doc.ast["blocks"] = A.map_inline_lists(
        doc.ast["blocks"], lambda items: _replace_xrefs(items, doc, targets, diag))
    for node in A.iter_nodes(doc.ast["blocks"]):
        if node["t"] == "Cite":
            for citation in node["c"][0]:
                _check_citation(doc, citation["citationId"], bib_keys, diag)
        elif node["t"] == "Image":
            _check_image(doc, node, root, diag)
        elif node["t"] == "Div" and "takeaways" in node["c"][0][1]:
            _dress_takeaways(node)


def _replace_xrefs(items: list[Any], doc: ChapterDoc, targets: dict[str, Target],
                   diag: Diagnostics) -> list[Any]:
    if not any(isinstance(item, dict) and item.get("t") == "Cite" for item in items):
        return items
    out: list[Any] = []
    for item in items:
        if isinstance(item, dict) and item.get("t") == "Cite" and _is_xref(item):
            out.extend(_xref_inlines(item, doc, targets, diag))
        else:
            out.append(item)
    return out


def _is_xref(cite: A.Node) -> bool:
    return any(c["citationId"].startswith(XREF_PREFIXES) for c in cite["c"][0])


def _xref_inlines(cite: A.Node, doc: ChapterDoc, targets: dict[str, Target],
                  diag: Diagnostics) -> list[A.Node]:
    citations = cite["c"][0]
    if not all(c["citationId"].startswith(XREF_PREFIXES) for c in citations):
        diag.error("a cross-reference and a citation cannot share one [...]; write them "
                   "separately", doc.rel, _cite_line(doc, citations[0]["citationId"]))
        return [cite]
    out: list[A.Node] = []
    for index, citation in enumerate(citations):
        key = citation["citationId"]
        target = targets.get(key)
        if index:
            out.extend(A.text_inlines(", " if index < len(citations) - 1 else " and "))
        if target is None:
            diag.error(f"unknown cross-reference '@{key}'", doc.rel, _cite_line(doc, key))
            out.append({"t": "Strong", "c": [{"t": "Str", "c": f"??{key}"}]})
            continue
        out.extend(citation["citationPrefix"])
        if citation["citationPrefix"]:
            out.append({"t": "Space"})
        suppress = citation["citationMode"]["t"] == "SuppressAuthor"
        words = target.number if suppress else target.label
        out.append(A.link(A.text_inlines(words).copy(), f"#{target.id}", ["xref"]))
        out.extend(citation["citationSuffix"])
    return out


def _cite_line(doc: ChapterDoc, key: str) -> int | None:
    return doc.chapter.line_of(re.compile(r"@\{?" + re.escape(key) + r"(?![\w:.#$%&+?<>~/-]*\w)"))


def _check_citation(doc: ChapterDoc, key: str, bib_keys: set[str], diag: Diagnostics) -> None:
    if key.startswith(XREF_PREFIXES):
        return  # a cross-reference mixed into a citation: reported once already
    doc.cite_keys.append(key)
    if key not in bib_keys:
        hint = ""
        folded = {k.lower(): k for k in bib_keys}
        if key.lower() in folded:
            hint = f" (did you mean '{folded[key.lower()]}'?)"
        diag.error(f"unknown citation key '{key}'{hint}", doc.rel, _cite_line(doc, key))


def _check_image(doc: ChapterDoc, node: A.Node, root: Path, diag: Diagnostics) -> None:
    source = node["c"][2][0]
    line = doc.chapter.line_of(source)
    if not A.stringify(node["c"][1]):
        diag.warning(f"image '{source}' has no alt text", doc.rel, line)
    if source.startswith("data:"):
        return
    if URL_SCHEME.match(source) or source.startswith("//"):
        diag.error(f"image '{source}' is not a file in the report directory "
                   "(remote and absolute URLs are not fetched)", doc.rel, line)
        return
    path = (root / source.split("#")[0].split("?")[0]).resolve()
    if not path.is_relative_to(root.resolve()):
        diag.error(f"image '{source}' is outside the report directory", doc.rel, line)
    elif not path.is_file():
        diag.error(f"missing image '{source}' (paths are relative to the report directory)",
                   doc.rel, line)
    else:
        doc.images.append(path.relative_to(root.resolve()).as_posix())


def _dress_takeaways(node: A.Node) -> None:
    """Give a takeaways box its visible label and an accessible name."""
    box_attr, blocks = node["c"]
    pairs = dict(box_attr[2])
    title = pairs.pop("title", "Key takeaways")
    box_attr[2] = [["role", "note"], ["aria-label", title], *pairs.items()]
    label = {"t": "Div", "c": [A.attr("", ["takeaways-label"]), [
        {"t": "Plain", "c": A.text_inlines(title)}]]}
    blocks.insert(0, label)
