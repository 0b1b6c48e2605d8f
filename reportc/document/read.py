"""Read each chapter into pandoc's AST.

Each chapter is read as a document of its own (several in one pandoc process:
``resources/read.lua``), so one broken chapter cannot swallow the next and a changed
chapter can be converted on its own.
"""

from __future__ import annotations

import contextlib
import json
import re
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from reportc.cache import BuildCache, digest, file_digest, tool_versions
from reportc.document.bookdown import bookdown_refs
from reportc.document.callouts import alerts_as_callouts, environment_boxes
from reportc.document.crossref import read_crossref
from reportc.document.hidden import drop_hidden
from reportc.document.math import located_math_warning
from reportc.document.mathtex import drop_macro_formulas, without_empty
from reportc.document.model import ChapterDoc, Recording, Trace, replay
from reportc.document.raw import clean_raw, link_labels, start_appendices, text_before_title
from reportc.errors import Diagnostics, reported
from reportc.pandoc import ast as A
from reportc.pandoc.runner import CHAPTER_READER, PandocStalled, api_version, batches, run_batch
from reportc.progress import item_done
from reportc.project.bibliography import Bibliography
from reportc.project.bibliography.references import entry_place
from reportc.project.chapters import Chapter
from reportc.project.macros import PREAMBLE_LINES
from reportc.project.markdown import Fences
from reportc.project.split import REFERENCES_TITLE
from reportc.run import Run
from reportc.sandbox.brackets import check_brackets, stall_hint
from reportc.sandbox.checks import load_ast

_POSITION = re.compile(r"\s*\bat line \d+ column \d+")
READ_FILTER = resources.files("reportc.pandoc") / "resources" / "read.lua"


class Reusing(Protocol):
    """The per-chapter cache as reading sees it (:class:`reportc.document.reuse.Reuse`)."""

    def trace(self, chapter: Chapter, key: str) -> Trace | None:
        """The chapter's trace (with its record if it can be taken whole), or None."""

    def load(self, chapter: Chapter, trace: Trace) -> ChapterDoc | None:
        """The chapter as its record holds it (None: it cannot be read)."""


@dataclass
class Reading:
    """pandoc reading the chapters whose AST the cache lacks, begun by
    :func:`start_reading` before the build imports its stages (an edit's chapter was read
    0.2 s later, and the build waited for it). Its problems are held (``diag``) until the
    reading stage takes them, in its place among the build's."""

    keys: list[str]  # each chapter's read AST's key
    todo: list[int]  # the chapters being read
    running: list[Future[dict[int, str | None]]]
    pool: ThreadPoolExecutor
    diag: Diagnostics

    def take_problems(self, diag: Diagnostics) -> None:
        """The problems found, now the build's (its warnings printed now)."""
        self.diag.set_policy(strict=diag.strict, silenced=diag.silenced)
        diag.problems += [problem for problem in self.diag.problems
                          if problem not in diag.problems]

    def close(self) -> None:
        """Wait for pandoc (a build that stopped before reading leaves none running)."""
        self.pool.shutdown(wait=True)


def start_reading(chapters: list[Chapter], diag: Diagnostics, cache: BuildCache,
                  jobs: int) -> Reading:
    """Begin reading the chapters whose read AST the cache does not hold (see
    :class:`Reading`)."""
    held = Diagnostics.until_policy()
    held.origins = diag.origins
    keys = _read_keys(chapters)
    todo = [index for index, key in enumerate(keys) if f"ast:{key}" not in cache.entries]
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    todo = [index for index in todo if _readable(chapters[index], held)]
    shares = batches(todo, lambda index: len(chapters[index].text), jobs)
    running = [pool.submit(_read_batch, share, chapters, keys, held, cache) for share in shares]
    return Reading(keys, todo, running, pool, held)


def read_report(run: Run, chapters: list[Chapter], reuse: Reusing | None = None,
                begun: Reading | None = None) -> list[ChapterDoc]:
    """Stage 4a: every chapter's AST, read by the run's ``jobs`` pandoc processes at a
    time (``reuse``: the chapters it holds are taken whole; ``begun``: the reading begun
    early, whose pool is used); raises the problems found."""
    diag = run.diag
    with begun.pool if begun else ThreadPoolExecutor(max_workers=max(1, run.jobs)) as pool:
        docs = read_chapters(chapters, diag, run.cache, pool, run.jobs, reuse, begun)
    diag.raise_if_errors()
    read = list(map(reported, docs))
    if reuse is not None:
        read = _settle(read, diag, run.cache)
    start_appendices(read)
    link_labels(read)
    bookdown_refs(read)
    kept = [doc for doc in read if not _left_empty(doc, diag)]
    if len(kept) > 1 and _only_a_title(kept[-1]):
        diag.warning(f"holds only its title '{A.stringify(kept[-1].ast['blocks'][0]['c'][2])}'"
                     " (where pandoc puts the bibliography): the chapter is left out; the "
                     "bibliography follows the last chapter", kept[-1].rel,
                     code="chapter.empty", fails_strict=False)
        kept.pop()
    return kept


def _settle(docs: list[ChapterDoc], diag: Diagnostics, cache: BuildCache
            ) -> list[ChapterDoc]:
    """The chapters taken whole say their reading's warnings again. Unless chapters reach
    into each other while read (LaTeX's ``\\appendix`` and ``\\label``, bookdown's
    ``\\@ref``): then every chapter is made anew and none recorded."""
    if not any(doc.appendix or any(label != name for label, name in doc.labels.items())
               or "@ref(" in doc.chapter.text for doc in docs):
        for doc in docs:
            if doc.trace is not None and doc.trace.record is not None:
                replay(diag, doc.trace.record["meta"]["warnings"]["read"])
        return docs
    settled = []
    for doc in docs:
        if doc.trace is not None and doc.trace.record is not None:
            doc = reported(_chapter_doc(doc.chapter, cache.get("ast", doc.trace.ast_key),
                                        diag, True))
        doc.trace = None
        settled.append(doc)
    return settled


def _only_a_title(doc: ChapterDoc) -> bool:
    """A last chapter that is nothing but a ``# References`` heading (a pandoc thesis's
    place for citeproc's list) would print as an empty numbered chapter; a chapter with
    another title is the author's, and prints. One with a section heading has more (a
    chapter taken whole has its headings from its record: its tree is not read)."""
    if doc.headings:
        return False
    blocks = [block for block in doc.ast["blocks"]
              if block["t"] != "Div" or "pagebreak" not in block["c"][0][1]]
    return len(blocks) == 1 and blocks[0]["t"] == "Header" and blocks[0]["c"][0] == 1 \
        and not doc.has_refs and bool(REFERENCES_TITLE.fullmatch(
            A.stringify(blocks[0]["c"][2]).strip()))


def _left_empty(doc: ChapterDoc, diag: Diagnostics) -> bool:
    """A file of a LaTeX-minded project that only says ``\\listoffigures`` (or holds only
    comments) has nothing to print once its raw markup is settled: it is left out. A
    chapter taken whole was not (a build that kept it recorded it): its tree unread."""
    if doc.trace is not None and doc.trace.record is not None:
        return False
    if not doc.chapter.text.strip() or doc.appendix or \
            any(block["t"] != "Div" or "pagebreak" not in block["c"][0][1]
                for block in doc.ast["blocks"]):
        return False
    diag.warning("holds nothing to print once its raw LaTeX and HTML are left out: the "
                 "chapter is skipped", doc.rel, code="chapter.empty")
    return True


def read_chapters(chapters: list[Chapter], diag: Diagnostics, cache: BuildCache,
                  pool: Executor, jobs: int, reuse: Reusing | None = None,
                  begun: Reading | None = None) -> list[ChapterDoc | None]:
    """Each chapter's AST (``None`` where a problem was reported): taken whole by
    ``reuse``, from the cache, or read in batches on ``pool``
    (:func:`reportc.pandoc.runner.batches`; ``begun``: some are being read already). A
    batch that fails or warns is read again chapter by chapter, so that every message
    names its file."""
    keys = begun.keys if begun else _read_keys(chapters)
    traces = _traces(chapters, keys, reuse)
    whole = [index for index, trace in traces.items() if trace.record is not None]
    reading = set(begun.todo) if begun else set()
    asts, cached_ones, todo = _cached_asts(chapters, keys, {*whole, *reading}, diag, cache)
    shares = batches(todo, lambda index: len(chapters[index].text), jobs)
    running = [pool.submit(_read_batch, share, chapters, keys, diag, cache) for share in shares]
    running += begun.running if begun else []
    taken = {index: pool.submit(_taken, reuse, chapters[index], traces[index], diag, cache)
             for index in whole if reuse is not None}
    # the cached chapters are parsed and cleaned while pandoc reads the others (an edit's
    # one chapter): they waited for it, and then the edit waited for them
    docs: dict[int, Future[ChapterDoc | None]] = {
        index: pool.submit(_chapter_doc, chapters[index], asts[index], diag, True,
                           traces.get(index))
        for index in sorted(cached_ones)}
    for future in running:
        asts.update(future.result())
    if begun is not None:
        begun.take_problems(diag)
    docs.update(taken)
    docs.update({index: pool.submit(_chapter_doc, chapters[index], asts[index], diag, False,
                                    traces.get(index))
                 for index in range(len(chapters)) if index not in docs})
    return [docs[index].result() for index in range(len(chapters))]


def _traces(chapters: list[Chapter], keys: list[str], reuse: Reusing | None
            ) -> dict[int, Trace]:
    """Each chapter's trace for the per-chapter cache (none without it)."""
    if reuse is None:
        return {}
    return {index: trace for index, chapter in enumerate(chapters)
            if (trace := reuse.trace(chapter, keys[index])) is not None}


def _read_keys(chapters: list[Chapter]) -> list[str]:
    """Each chapter's read AST's key: its text and macros, and the reader's code."""
    reading = digest(CHAPTER_READER, file_digest(Path(str(READ_FILTER))), tool_versions())
    return [digest(chapter.text, chapter.macros, reading) for chapter in chapters]


def _readable(chapter: Chapter, diag: Diagnostics) -> bool:
    """Can pandoc read the chapter (no block left open, no brackets it would stall on)?"""
    _check_unclosed_blocks(chapter, diag)
    return check_brackets(chapter, diag)


def _cached_asts(chapters: list[Chapter], keys: list[str], whole: set[int],
                 diag: Diagnostics, cache: BuildCache
                 ) -> tuple[dict[int, str | None], set[int], list[int]]:
    """The read ASTs the cache holds (but for the chapters taken ``whole``), which ones
    those are, and the chapters pandoc is to read (their text checked first)."""
    asts: dict[int, str | None] = {}
    cached_ones: set[int] = set()
    todo = []
    for index, chapter in enumerate(chapters):
        if index in whole:
            continue
        if (cached := cache.get("ast", keys[index])) is not None:
            asts[index] = cached  # its text passed the checks below when it was read
            cached_ones.add(index)
            continue
        if not _readable(chapter, diag):
            asts[index] = None  # pandoc would stall on it
        else:
            todo.append(index)
    return asts, cached_ones, todo


def _taken(reuse: Reusing, chapter: Chapter, trace: Trace, diag: Diagnostics,
           cache: BuildCache) -> ChapterDoc | None:
    """The chapter as the per-chapter cache holds it; from its read AST if that fails."""
    doc = reuse.load(chapter, trace)
    if doc is None:
        trace.record = None
        return _chapter_doc(chapter, cache.get("ast", trace.ast_key), diag, True, trace)
    return doc


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
        for warning in result.warnings:  # its position is the message's line
            diag.warning(f"pandoc: {_POSITION.sub('', warning)}", chapter.rel,
                         warning_line(warning, chapter, True), code="pandoc")
        if not result.warnings and result.output is not None:
            cache.put("ast", keys[index], result.output)
        item_done(f"read {chapter.rel}")
    return asts


def warning_line(warning: str, chapter: Chapter, read: bool) -> int | None:
    """The chapter line a pandoc warning is about: its "at line N" when pandoc read the
    chapter's Markdown (``read``; later runs read JSON, whose positions mean nothing), else
    the line of the first thing it quotes that the chapter holds."""
    position = re.search(r"\bline (\d+) column \d+", warning)
    if read and position:  # pandoc counted the macros' preamble line (read.lua) too
        return max(1, int(position.group(1)) - (PREAMBLE_LINES if chapter.macros else 0))
    for quoted in re.findall(r"'([^'\n]{3,})'|\"([^\"\n]{3,})\"", warning):
        if (line := chapter.line_of(quoted[0] or quoted[1])) is not None:
            return line
    return None


_CITATION = re.compile(r"[Cc]itation (\S+) not found")
_NAMED_FILE = re.compile(r"[\w./-]+\.(?:png|jpe?g|gif|svg|pdf|webp|tiff?|bmp|eps)\b", re.I)


def warning_place(warning: str, docs: list[ChapterDoc]) -> tuple[str, int | None] | None:
    """The chapter and line a warning about the whole edition is about: the first chapter
    that holds the formula it names, the text it quotes or the image file it names."""
    for doc in docs:
        located = located_math_warning(warning, doc)
        line = located[1] if located else warning_line(warning, doc.chapter, False)
        for name in [] if line else _NAMED_FILE.findall(warning):
            line = doc.chapter.line_of(name)
        if not line and (cited := _CITATION.search(warning)):
            line = doc.chapter.line_of("@" + cited.group(1))
        if line:
            return doc.rel, line
    return None


def place_warnings(warnings: list[str], docs: list[ChapterDoc], diag: Diagnostics,
                   source: Bibliography | None = None) -> None:
    """pandoc's warnings about the whole report (citeproc's), each at the chapter line or
    the bibliography entry it is about."""
    for warning in warnings:
        path, line = warning_place(warning, docs) or entry_place(warning, source) or \
            (None, None)
        diag.warning(f"pandoc: {warning}", path, line, code="pandoc")


def _read_document(indexes: list[int], chapters: list[Chapter]) -> str:
    """The batch for ``resources/read.lua``: each chapter's Markdown in a code block."""
    blocks = [{"t": "CodeBlock", "c": [[str(index), [], _preamble(chapters[index])],
                                       chapters[index].text]} for index in indexes]
    return json.dumps({"pandoc-api-version": api_version(), "blocks": blocks,
                       "meta": {"reportc-reader": {"t": "MetaString", "c": CHAPTER_READER}}})


def _preamble(chapter: Chapter) -> list[list[str]]:
    """The macro definitions pandoc reads before the chapter's text (read.lua)."""
    return [["macros", chapter.macros]] if chapter.macros else []


def _chapter_doc(chapter: Chapter, ast_json: str | None, diag: Diagnostics,
                 cached: bool = False, trace: Trace | None = None) -> ChapterDoc | None:
    """The chapter's tree as read and cleaned (``trace``: notes its warnings for the
    per-chapter cache)."""
    if ast_json is None:
        return None
    ast = _parsed(chapter, ast_json, diag, cached)
    if ast is None:
        return None
    doc = ChapterDoc(chapter, ast, trace=trace)
    if trace is not None:
        diag = Recording(diag, trace.warnings["read"])
    clean_raw(doc, diag)  # before anything else: no raw node of a chapter goes further
    drop_macro_formulas(doc)
    drop_hidden(doc, diag)
    alerts_as_callouts(doc)
    environment_boxes(doc, diag)
    read_crossref(doc)
    text_before_title(doc, diag)
    _stray_fences(doc, diag)
    return doc


_FENCE_WORD = re.compile(r":{3,}")
_FENCE_LINE = re.compile(r"^[ \t]*:{3,}", re.M)


def _stray_fences(doc: ChapterDoc, diag: Diagnostics) -> None:
    """A ``:::`` fence pandoc read as words (indented where it reads none): it is left out,
    with its attributes, and said once at the chapter's first such line, not printed."""
    if ":::" not in doc.chapter.text:
        return
    found = [block for block in A.iter_nodes(doc.ast["blocks"]) if block["t"] in (
        "Para", "Plain") and block["c"] and block["c"][0].get("t") == "Str"
        and _FENCE_WORD.fullmatch(block["c"][0]["c"])]
    for block in found:
        block["c"] = _without_fences(block["c"])
    if found:
        doc.ast["blocks"] = without_empty(doc.ast["blocks"])
        indented = [m for m in _FENCE_LINE.finditer(doc.chapter.text) if m.group(0)[0] in " \t"]
        at = (indented or list(_FENCE_LINE.finditer(doc.chapter.text)))[:1]
        line = doc.chapter.text.count("\n", 0, at[0].start()) + 1 if at else None
        diag.warning("a ':::' block fence pandoc reads as words (indented past its list item's "
                     "text, or inside a paragraph): left out; put it at the column of the "
                     "text it belongs to, after a blank line", doc.rel, line, code="markdown.fence")


def _without_fences(inlines: list[Any]) -> list[Any]:
    """The words with each line that is a fence (``:::``, ``::: {.cell}``) taken out."""
    lines: list[list[Any]] = [[]]
    for item in inlines:
        if item.get("t") in ("SoftBreak", "LineBreak"):
            lines.append([])
        lines[-1].append(item)
    kept = [line for line in lines if not _a_fence(line)]
    out = [item for line in kept for item in line]
    return out[1:] if out and out[0].get("t") in ("SoftBreak", "LineBreak") else out


def _a_fence(line: list[Any]) -> bool:
    words = "".join(A.stringify(item) if item.get("t") != "Space" else " " for item in line
                    if item.get("t") not in ("SoftBreak", "LineBreak")).strip()
    return bool(re.fullmatch(r":{3,}(\s*\{[^}]*\}|\s+[\w-]+)?", words))


def _parsed(chapter: Chapter, ast_json: str, diag: Diagnostics, cached: bool
            ) -> dict[str, Any] | None:
    """The chapter's AST; ``None`` if it nests too deeply to lay out (reported). One from
    the cache passed that check already (the index keeps only a successful build's
    entries, and that build checked each AST it read): walking every chapter again to
    measure its depth was a fifth of reading an edit's unchanged chapters."""
    if cached:
        with contextlib.suppress(RecursionError):
            parsed: dict[str, Any] = json.loads(ast_json)
            return parsed
    return load_ast(chapter, ast_json, diag)


def _check_unclosed_blocks(chapter: Chapter, diag: Diagnostics) -> None:
    """Report a ``:::`` div or code fence left open (pandoc silently runs it to the end)."""
    fences = Fences()
    divs: list[int] = []
    for number, line in enumerate(chapter.text.splitlines(), start=1):
        stripped = line.strip()
        if fences.inside(number, stripped):
            continue
        if re.match(r"^:{3,}\s*[^:\s]", stripped):  # '::::' alone closes, never opens
            divs.append(number)
        elif re.fullmatch(r":{3,}", stripped) and divs:
            divs.pop()
    if fences.opened:
        diag.error("code fence opened here is never closed", chapter.rel, fences.opened[1])
    for opened in divs:
        diag.error("'::: ' block opened here is never closed", chapter.rel, opened)
