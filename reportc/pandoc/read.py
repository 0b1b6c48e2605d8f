"""Read each chapter into pandoc's AST.

Each chapter is read as a document of its own (several in one pandoc process:
``resources/read.lua``), so one broken chapter cannot swallow the next and a changed
chapter can be converted on its own.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import Executor
from importlib import resources
from pathlib import Path

from reportc.cache import BuildCache, digest, file_digest, tool_versions
from reportc.document.model import ChapterDoc
from reportc.errors import Diagnostics
from reportc.pandoc.runner import READER, PandocStalled, api_version, batches, run_batch
from reportc.progress import item_done
from reportc.project.chapters import Chapter
from reportc.sandbox.checks import check_brackets, load_ast, stall_hint

READ_FILTER = resources.files("reportc.pandoc") / "resources" / "read.lua"


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
        elif re.match(r"^:{3,}\s*[^:\s]", stripped):  # '::::' alone closes, never opens
            divs.append(number)
        elif re.fullmatch(r":{3,}", stripped) and divs:
            divs.pop()
    if fence:
        diag.error("code fence opened here is never closed", chapter.rel, fence[1])
    for line in divs:
        diag.error("'::: ' block opened here is never closed", chapter.rel, line)
