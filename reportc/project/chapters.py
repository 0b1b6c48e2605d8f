"""Stage 2: find the chapter files, read their front matter and put them in order.

Front matter is blanked out rather than cut, so line numbers that pandoc or our
own checks report are the line numbers the writer sees in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from reportc.errors import Diagnostics
from reportc.project.config import CONFIG_NAME, ReportConfig, unreadable_date
from reportc.project.markdown import Fences
from reportc.project.paths import inside

CHAPTER_DIR = "chapters"
KINDS = ("summary", "chapter", "appendix")
FRONT_MATTER_KEYS = {"kind", "numbered", "title", "short_title"}
_ORDER_PREFIX = re.compile(r"^(\d+)[-_]")
# Files a writer may mean as chapters but that are not read (only ``*.md`` is).
_TEXT_SUFFIXES = {".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".txt", ".text",
                  ".qmd", ".rmd", ".rst"}


@dataclass
class Chapter:
    """One Markdown source file and what its front matter says about it."""

    path: Path
    rel: str  # path relative to the report directory, as shown in messages
    text: str  # the file's text with front matter blanked (same line numbers)
    kind: str = "chapter"
    numbered: bool = True
    short_title: str = ""

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def anchor(self) -> str:
        """The HTML id of the chapter's opener; unique because file names are."""
        return "ch-" + re.sub(r"[^A-Za-z0-9_-]+", "-", self.stem)

    def line_of(self, needle: str | re.Pattern[str]) -> int | None:
        """First 1-based line containing ``needle`` (a string or a compiled regex)."""
        for number, line in enumerate(self.text.splitlines(), start=1):
            found = needle.search(line) if isinstance(needle, re.Pattern) else needle in line
            if found:
                return number
        return None


def load_chapters(config: ReportConfig, diag: Diagnostics) -> list[Chapter]:
    """Return the chapters in reading order; problems go to ``diag``."""
    folder = config.root / CHAPTER_DIR
    found = sorted(folder.glob("*.md"), key=_order_key) if folder.is_dir() else []
    _warn_about_names(folder, found, config.chapters is None, diag)
    paths = _ordered_paths(config, found, diag)
    if not paths and not diag.errors:
        diag.error(f"no chapters: put Markdown files in {CHAPTER_DIR}/ (e.g. 01-intro.md)",
                   CONFIG_NAME)
    return [chapter for path in paths if (chapter := _read_chapter(config.root, path, diag))]


def _warn_about_names(folder: Path, found: list[Path], ordered_by_name: bool,
                      diag: Diagnostics) -> None:
    """Say which files will be skipped (Markdown under another suffix) and, when the order
    comes from file names, which chapters have no ``NN-`` prefix to place them."""
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith(".") and path.suffix != ".md" and \
                (path.suffix.lower() in _TEXT_SUFFIXES or path.suffix.lower() == ".md"):
            diag.warning(f"is skipped: only files ending .md are chapters (rename it to "
                         f"{path.stem}.md to include it)", f"{CHAPTER_DIR}/{path.name}",
                         code="chapter.skipped")
    if ordered_by_name:
        for path in found:
            if not _ORDER_PREFIX.match(path.name):
                diag.warning("has no NN- number prefix (chapters are named NN-slug.md): it is "
                             "placed after the numbered chapters, in name order",
                             f"{CHAPTER_DIR}/{path.name}", code="chapter.prefix")


def _order_key(path: Path) -> tuple[int, str]:
    match = _ORDER_PREFIX.match(path.name)
    return (int(match.group(1)) if match else 10**9, path.name)


def _ordered_paths(config: ReportConfig, found: list[Path], diag: Diagnostics) -> list[Path]:
    if config.chapters is None:
        return found
    paths = []
    for name in config.chapters:
        relative = name if name.startswith(f"{CHAPTER_DIR}/") else f"{CHAPTER_DIR}/{name}"
        path = (config.root / relative).resolve()
        line = config.chapter_lines.get(name)
        if not inside(path, config.root):
            diag.error(f"chapter '{name}' is outside the report directory", CONFIG_NAME, line)
        elif not path.is_file():
            diag.error(f"chapter '{name}' not found (looked for {relative})", CONFIG_NAME, line)
        elif path in paths:
            diag.error(f"chapter '{name}' is listed twice", CONFIG_NAME, line)
        else:
            paths.append(path)
    listed = set(paths)
    for path in found:
        if path.resolve() not in listed:
            diag.warning(f"{CHAPTER_DIR}/{path.name} is not listed in 'chapters' and is left out",
                         CONFIG_NAME, config.line_of("chapters"), code="chapter.unlisted")
    return paths


def _read_chapter(root: Path, path: Path, diag: Diagnostics) -> Chapter | None:
    resolved = path.resolve()
    if not inside(resolved, root):
        diag.error("is a link to a file outside the report directory; chapters must be "
                   "files of the report", path.relative_to(root).as_posix())
        return None
    rel = resolved.relative_to(root.resolve()).as_posix()
    if not resolved.is_file():
        diag.error("is not a regular file", rel)
        return None
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        diag.error("file is not valid UTF-8", rel, line)
        return None
    raw = raw.replace("\r\n", "\n").removeprefix("\ufeff")
    meta, text = _split_front_matter(raw, rel, diag)
    chapter = Chapter(path=path, rel=rel, text=text)
    _apply_front_matter(chapter, meta, diag)
    return chapter


def _split_front_matter(raw: str, rel: str, diag: Diagnostics) -> tuple[dict, str]:
    """Return (front matter, text with the front matter lines blanked)."""
    lines = raw.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, raw
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        diag.error("front matter opened with '---' is never closed", rel, 1)
        return {}, raw
    block = "\n".join(lines[1:end])
    blanked = "\n" * end + "\n" + "\n".join(lines[end + 1:])
    try:
        meta = yaml.safe_load(block) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        diag.error(f"invalid front matter: {getattr(exc, 'problem', exc)}", rel, line)
        return {}, blanked
    except (ValueError, OverflowError) as exc:  # a date YAML reads but Python cannot hold
        line, value = unreadable_date(yaml.compose(block, Loader=yaml.SafeLoader))
        diag.error(f"invalid front matter: invalid date '{value}' ({exc})", rel, line + 1)
        return {}, blanked
    if not isinstance(meta, dict):
        diag.error("front matter must be a mapping (kind: ..., numbered: ...)", rel, 2)
        return {}, blanked
    meta["_lines"] = {str(k): _front_line(lines, k) for k in meta}
    return meta, blanked


def _front_line(lines: list[str], key: object) -> int:
    for number, line in enumerate(lines, start=1):
        if line.startswith(f"{key}:"):
            return number
    return 1


def _apply_front_matter(chapter: Chapter, meta: dict, diag: Diagnostics) -> None:
    lines = meta.pop("_lines", {})
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            diag.warning(f"unknown front matter key '{key}' (ignored)", chapter.rel, lines.get(key),
                         code="frontmatter.unknown")
    kind = str(meta.get("kind", "chapter"))
    if kind not in KINDS:
        diag.error(f"kind '{kind}' must be one of {', '.join(KINDS)}", chapter.rel,
                   lines.get("kind"))
        kind = "chapter"
    chapter.kind = kind
    numbered = meta.get("numbered", kind != "summary")
    if not isinstance(numbered, bool):
        diag.error("numbered must be true or false", chapter.rel, lines.get("numbered"))
        numbered = kind != "summary"
    chapter.numbered = numbered and kind != "summary"
    chapter.short_title = str(meta.get("short_title") or "")
    if meta.get("title") is not None:
        _front_matter_title(chapter, " ".join(str(meta["title"]).split()), lines.get("title", 1),
                            diag)


def _front_matter_title(chapter: Chapter, title: str, line: int, diag: Diagnostics) -> None:
    """Quarto and pandoc documents give their title in the front matter (``title:``). A
    chapter without a level-1 heading takes it as its ``# Title``, written on the front
    matter's (blanked) title line, so that line numbers stay those of the file."""
    if not title:
        return
    if _has_level_one_heading(chapter.text):
        diag.warning("front matter 'title' is not used: the chapter's level-1 heading is its "
                     "title", chapter.rel, line, code="frontmatter.title")
        return
    lines = chapter.text.split("\n")
    lines[line - 1] = f"# {title}"
    chapter.text = "\n".join(lines)


_ATX_ONE = re.compile(r"^ {0,3}#(?:[ \t]|$)")
_SETEXT_ONE = re.compile(r"^ {0,3}=+[ \t]*$")


def _has_level_one_heading(text: str) -> bool:
    """Is there a ``# Title`` (or a title underlined with ``===``) outside fenced code?"""
    fences, previous = Fences(), ""
    for number, line in enumerate(text.split("\n"), start=1):
        if fences.inside(number, line.strip()):
            previous = ""
            continue
        if _ATX_ONE.match(line) or (_SETEXT_ONE.match(line) and previous.strip()):
            return True
        previous = line
    return False
