"""The merged report directory: the new version's files, each chapter's diffed AST
written back as Markdown, a summary chapter first, and a report.yaml listing them."""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import yaml

from reportc.cache import BuildCache
from reportc.document.read import read_chapters
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A
from reportc.pandoc.runner import run_pandoc
from reportc.project.chapters import CHAPTER_DIR, Chapter, load_chapters
from reportc.project.config import CONFIG_NAME, ReportConfig, load_config
from reportc.redline.diff import (
    Counts,
    diff_blocks,
    mark_block,
    mark_blocks,
    mark_inlines,
    node_key,
)
from reportc.redline.refs import ids_in, merge_bibliographies, settle_deleted_xrefs
from reportc.redline.summary import ChapterChange, summary_chapter

WRITER = "markdown-raw_html-raw_attribute-raw_tex"
SUMMARY_FILE = "00-redline-summary.md"


@dataclass
class _Version:
    root: Path
    config: ReportConfig
    chapters: dict[str, Chapter]  # by file name, in reading order
    asts: dict[str, dict]


def _load_version(root: Path, strict: bool) -> _Version:
    diag = Diagnostics.until_policy()
    config = load_config(root.resolve(), diag)
    diag.set_policy(strict=False, silenced=frozenset(config.silence))
    chapters = load_chapters(config, diag)
    cache = BuildCache(root / ".no-cache", diag, enabled=False)
    jobs = os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        docs = read_chapters(chapters, diag, cache, pool, jobs)
    if strict:
        diag.raise_if_errors()
    by_name = {c.path.name: c for c in chapters}
    asts = {doc.chapter.path.name: doc.ast for doc in docs if doc is not None}
    return _Version(root, config, by_name, asts)


def write_redline(old_root: Path, new_root: Path, merged: Path,
                  names: tuple[str, str]) -> list[ChapterChange]:
    """Write the redline report directory ``merged``; return what changed per chapter."""
    old = _load_version(old_root, strict=False)
    new = _load_version(new_root, strict=True)
    shutil.copytree(new_root, merged, ignore=shutil.ignore_patterns("out", ".*"))
    _carry_over_files(old_root, merged)

    order = _merged_order(list(old.chapters), list(new.chapters))
    changes: list[ChapterChange] = []
    asts: dict[str, dict] = {}
    for name in order:
        counts = Counts()
        if name in new.chapters and name in old.chapters:
            ast = dict(new.asts[name])
            ast["blocks"] = diff_blocks(old.asts[name]["blocks"], new.asts[name]["blocks"],
                                        counts)
            same = node_key(old.asts[name]["blocks"]) == node_key(new.asts[name]["blocks"])
            change = "unchanged" if same else "changed"
            chapter = new.chapters[name]
        elif name in new.chapters:
            ast = dict(new.asts[name])
            ast["blocks"] = mark_blocks(ast["blocks"], "ins", counts, bar=True)
            change, chapter = "added", new.chapters[name]
        else:
            ast = dict(old.asts[name])
            ast["blocks"] = _removed_chapter(ast["blocks"], counts)
            change, chapter = "removed", old.chapters[name]
        asts[name] = ast
        title, anchor = _chapter_title(ast, chapter)
        changes.append(ChapterChange(name, title, anchor, change, counts))

    targets = {change.anchor for change in changes}
    targets |= {i for ast in asts.values() for i in ids_in(ast["blocks"])}
    for ast in asts.values():
        ast["blocks"] = settle_deleted_xrefs(ast["blocks"], targets)
    bib_note = merge_bibliographies(old.config, new.config, merged, asts)

    chapters_dir = _write_chapters(merged, changes, asts, old, new)
    (chapters_dir / SUMMARY_FILE).write_text(summary_chapter(changes, names, bib_note),
                                             encoding="utf-8")
    _write_config(new_root / CONFIG_NAME, merged / CONFIG_NAME,
                  [SUMMARY_FILE, *(change.name for change in changes)])
    return changes


def _write_chapters(merged: Path, changes: list[ChapterChange], asts: dict[str, dict],
                    old: _Version, new: _Version) -> Path:
    """Each chapter's merged AST as Markdown, with its front matter; the chapters folder."""
    chapters_dir = merged / CHAPTER_DIR
    shutil.rmtree(chapters_dir, ignore_errors=True)
    chapters_dir.mkdir(parents=True)
    for change in changes:
        chapter = new.chapters.get(change.name) or old.chapters[change.name]
        numbered = chapter.numbered and change.change != "removed"
        markdown = _to_markdown(asts[change.name], change.name)
        (chapters_dir / change.name).write_text(
            _front_matter(chapter.kind, numbered, chapter.short_title) + markdown,
            encoding="utf-8")
    return chapters_dir


def _carry_over_files(old_root: Path, merged: Path) -> None:
    """Files that only the old revision has (images of deleted figures) are needed too."""
    for source in old_root.rglob("*"):
        rel = source.relative_to(old_root)
        if not source.is_file() or rel.parts[0] in (CHAPTER_DIR, "out") or \
                rel.parts[0].startswith(".") or rel.as_posix() == CONFIG_NAME:
            continue
        target = merged / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _merged_order(old: list[str], new: list[str]) -> list[str]:
    """New reading order, with removed chapters where they used to be."""
    order: list[str] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            order += [name for name in old[i1:i2] if name not in new]
        if tag != "delete":
            order += new[j1:j2]
    return list(dict.fromkeys(order))


def _removed_chapter(blocks: list, counts: Counts) -> list:
    """A removed chapter keeps its title (struck through, unnumbered) so it stays a chapter."""
    out: list = []
    for block in blocks:
        if block["t"] == "Header" and block["c"][0] == 1 and not out:
            level, attr, inlines = block["c"]
            out.append({"t": "Header", "c": [level, ["", attr[1], attr[2]],
                                             mark_inlines(inlines, "del", counts)]})
        else:
            out += mark_block(block, "del", counts, bar=True)
    return out


def _chapter_title(ast: dict, chapter: Chapter) -> tuple[str, str]:
    for block in ast["blocks"]:
        if block["t"] == "Header" and block["c"][0] == 1:
            return A.stringify(block["c"][2]), block["c"][1][0] or chapter.anchor
    return chapter.stem, chapter.anchor



def _front_matter(kind: str, numbered: bool, short_title: str) -> str:
    lines = [f"kind: {kind}", f"numbered: {'true' if numbered else 'false'}"]
    if short_title:
        lines.append(f"short_title: {json.dumps(short_title, ensure_ascii=False)}")
    return "---\n" + "\n".join(lines) + "\n---\n"


def _to_markdown(ast: dict, what: str) -> str:
    result = run_pandoc(["-f", "json", "-t", WRITER, "--wrap=none"], json.dumps(ast), what=what)
    return result.output


def _write_config(source: Path, target: Path, chapters: list[str]) -> None:
    data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    data["chapters"] = chapters
    data.pop("status", None)  # the redline is a review build, whatever the report says
    target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                      encoding="utf-8")
