"""Read each chapter into pandoc's AST.

Each chapter is read as a document of its own (several in one pandoc process:
``resources/read.lua``), so one broken chapter cannot swallow the next and a changed
chapter can be converted on its own.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import Executor, ThreadPoolExecutor
from importlib import resources
from pathlib import Path

from reportc.cache import BuildCache, digest, file_digest, tool_versions
from reportc.document.crossref import read_crossref
from reportc.document.model import ChapterDoc
from reportc.document.raw import clean_raw, link_labels, start_appendices, text_before_title
from reportc.errors import Diagnostics, reported
from reportc.pandoc import ast as A
from reportc.pandoc.runner import CHAPTER_READER, PandocStalled, api_version, batches, run_batch
from reportc.progress import item_done
from reportc.project.chapters import Chapter
from reportc.project.markdown import Fences
from reportc.sandbox.brackets import check_brackets, stall_hint
from reportc.sandbox.checks import load_ast

READ_FILTER = resources.files("reportc.pandoc") / "resources" / "read.lua"


def read_report(chapters: list[Chapter], diag: Diagnostics, cache: BuildCache,
                jobs: int) -> list[ChapterDoc]:
    """Stage 4a: every chapter's AST, read by ``jobs`` pandoc processes at a time; raises
    the problems found."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        docs = read_chapters(chapters, diag, cache, pool, jobs)
    diag.raise_if_errors()
    read = list(map(reported, docs))
    start_appendices(read)
    link_labels(read)
    kept = [doc for doc in read if not _left_empty(doc, diag)]
    if len(kept) > 1 and _only_a_title(kept[-1]):
        diag.warning(f"holds only its title '{A.stringify(kept[-1].ast['blocks'][0]['c'][2])}'"
                     " (where pandoc puts the bibliography): the chapter is left out; the "
                     "bibliography follows the last chapter", kept[-1].rel,
                     code="chapter.empty", fails_strict=False)
        kept.pop()
    return kept


def _only_a_title(doc: ChapterDoc) -> bool:
    """A last chapter that is nothing but a ``# References`` heading (a pandoc thesis's
    place for citeproc's list) would print as an empty numbered chapter."""
    blocks = [block for block in doc.ast["blocks"]
              if block["t"] != "Div" or "pagebreak" not in block["c"][0][1]]
    return len(blocks) == 1 and blocks[0]["t"] == "Header" and blocks[0]["c"][0] == 1 \
        and not doc.has_refs


def _left_empty(doc: ChapterDoc, diag: Diagnostics) -> bool:
    """A file of a LaTeX-minded project that only says ``\\listoffigures`` (or holds only
    comments) has nothing to print once its raw markup is settled: it is left out."""
    if not doc.chapter.text.strip() or doc.appendix or \
            any(block["t"] != "Div" or "pagebreak" not in block["c"][0][1]
                for block in doc.ast["blocks"]):
        return False
    diag.warning("holds nothing to print once its raw LaTeX and HTML are left out: the "
                 "chapter is skipped", doc.rel, code="chapter.empty")
    return True


def read_chapters(chapters: list[Chapter], diag: Diagnostics, cache: BuildCache,
                  pool: Executor, jobs: int) -> list[ChapterDoc | None]:
    """Each chapter's AST (``None`` where a problem was reported): from the cache, or read
    in batches on ``pool`` (:func:`reportc.pandoc.runner.batches`). A batch that fails or warns is
    read again chapter by chapter, so that every message names its file."""
    asts: dict[int, str | None] = {}
    todo = []
    reading = digest(CHAPTER_READER, file_digest(Path(str(READ_FILTER))), tool_versions())
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
            diag.warning(f"pandoc: {warning}", chapter.rel, warning_line(warning, chapter, True),
                         code="pandoc")
        if not result.warnings and result.output is not None:
            cache.put("ast", keys[index], result.output)
        item_done(f"read {chapter.rel}")
    return asts


def warning_line(warning: str, chapter: Chapter, read: bool) -> int | None:
    """The chapter line a pandoc warning is about: its "at line N" when pandoc read the
    chapter's Markdown (``read``; later runs read JSON, whose positions mean nothing), else
    the line of the first thing it quotes that the chapter holds."""
    position = re.search(r"\bline (\d+) column \d+", warning)
    if read and position:
        return int(position.group(1))
    for quoted in re.findall(r"'([^'\n]{3,})'|\"([^\"\n]{3,})\"", warning):
        if (line := chapter.line_of(quoted[0] or quoted[1])) is not None:
            return line
    return None


def _read_document(indexes: list[int], chapters: list[Chapter]) -> str:
    """The batch for ``resources/read.lua``: each chapter's Markdown in a code block."""
    blocks = [{"t": "CodeBlock", "c": [[str(index), [], []], chapters[index].text]}
              for index in indexes]
    return json.dumps({"pandoc-api-version": api_version(), "blocks": blocks,
                       "meta": {"reportc-reader": {"t": "MetaString", "c": CHAPTER_READER}}})


def _chapter_doc(chapter: Chapter, ast_json: str | None, diag: Diagnostics
                 ) -> ChapterDoc | None:
    if ast_json is None:
        return None
    ast = load_ast(chapter, ast_json, diag)  # None if it nests too deeply to lay out
    if ast is None:
        return None
    doc = ChapterDoc(chapter, ast)
    clean_raw(doc, diag)  # before anything else: no raw node of a chapter goes further
    read_crossref(doc)
    text_before_title(doc, diag)
    return doc


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
