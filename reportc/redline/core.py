"""Redline: the report at REV_B with its changes since REV_A marked word by word.

``reportc diff REV_A [REV_B]`` extracts both revisions of the report directory
(``git archive``; REV_B defaults to the working tree), reads each chapter into
pandoc's AST and diffs the two ASTs block by block and, inside paired blocks,
word by word (``difflib``). Working on the AST rather than on Markdown text keeps
citations, notes, links and ``:::`` boxes intact: a word token is one inline node
(with its following space), so ``[@key]`` or a whole footnote is never split.
Changes become pandoc spans, ``[inserted]{.ins}`` and ``[deleted]{.del}`` (a whole
inserted or deleted table, figure or box gets a ``.ins``/``.del`` div), the
merged chapters are written back as Markdown, a summary chapter lists the
changed chapters with word counts, and the result goes through the normal
pipeline as a "review" build.

Deleted text must not disturb the new version: deleted headings are unnumbered
and lose their ids, deleted figures and tables lose their captions (kept as
struck-through text) so numbering follows REV_B, cross-references in deleted
text whose target is gone become plain text, and bibliography entries that only
deleted citations need are carried over from REV_A.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import bibtexparser
import yaml

from reportc.build import DEFAULT_FORMATS, BuildOptions, BuildResult, build
from reportc.cache import BuildCache
from reportc.document.xrefs import XREF_PREFIXES
from reportc.errors import Diagnostics, ReportError
from reportc.pandoc import ast as A
from reportc.pandoc.read import read_chapters
from reportc.pandoc.runner import run_pandoc
from reportc.project.chapters import CHAPTER_DIR, Chapter, load_chapters
from reportc.project.config import CONFIG_NAME, ReportConfig, load_config
from reportc.project.versioning import LABEL

INLINE_TYPES = {"Str", "Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript",
                "SmallCaps", "Quoted", "Cite", "Code", "Space", "SoftBreak", "LineBreak", "Math",
                "RawInline", "Link", "Image", "Note", "Span"}
BLOCK_TYPES = {"Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote",
               "OrderedList", "BulletList", "DefinitionList", "Header", "HorizontalRule",
               "Table", "Figure", "Div"}
WHITESPACE = {"Space", "SoftBreak"}
SIMILAR = 0.4  # paragraphs less alike than this are shown as deleted + inserted, not merged
WRITER = "markdown-raw_html-raw_attribute-raw_tex"
SUMMARY_FILE = "00-redline-summary.md"
GIT_TIMEOUT = 60
FAIL = object()  # "these two nodes cannot be merged"


@dataclass
class RedlineOptions:
    report_dir: Path
    rev_a: str
    rev_b: str | None = None  # None: the working tree
    out: Path | None = None
    formats: tuple[str, ...] = DEFAULT_FORMATS
    status: str = "review"
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)


@dataclass
class Counts:
    """Words inserted and deleted."""

    ins: int = 0
    dele: int = 0

    def add(self, cls: str, words: int) -> None:
        if cls == "ins":
            self.ins += words
        else:
            self.dele += words

    def merge(self, other: Counts) -> None:
        self.ins += other.ins
        self.dele += other.dele


@dataclass
class ChapterChange:
    name: str  # file name in chapters/
    title: str
    anchor: str
    change: str  # "changed" | "unchanged" | "added" | "removed"
    counts: Counts


# --- the command ---------------------------------------------------------------------------

def build_redline(options: RedlineOptions) -> BuildResult:
    """Build ``<slug>-redline-<A>-<B>.pdf/.html`` into the report's output folder."""
    report_dir = options.report_dir.resolve()
    repo = Path(_git(report_dir, "rev-parse", "--show-toplevel")).resolve()
    prefix = report_dir.relative_to(repo).as_posix()
    with tempfile.TemporaryDirectory(prefix="reportc-redline-") as temporary:
        tmp = Path(temporary)
        old = _extract_revision(repo, options.rev_a, prefix, tmp / "a")
        if options.rev_b:
            new = _extract_revision(repo, options.rev_b, prefix, tmp / "b")
        else:
            new = _copy_working_tree(repo, prefix, tmp / "b")
        names = (_describe_rev(repo, options.rev_a),
                 _describe_rev(repo, options.rev_b) if options.rev_b else "the working tree")
        merged = tmp / "redline"
        write_redline(old, new, merged, names)
        label = _label(f"redline-{options.rev_a}-{options.rev_b or 'worktree'}")
        return build(BuildOptions(root=merged, out=options.out or report_dir / "out",
                                  formats=options.formats, jobs=options.jobs, use_cache=False,
                                  version_label=label, status=options.status,
                                  git_stamp=False, family="redline"))


def _git(cwd: Path, *args: str) -> str:
    git = shutil.which("git")
    if git is None:
        raise ReportError("reportc diff: git is not installed")
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    done = subprocess.run([git, "-C", str(cwd), *args], capture_output=True, timeout=GIT_TIMEOUT,
                          env=env, check=False)
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReportError(f"reportc diff: git {args[0]} failed: "
                          f"{detail[-1] if detail else done.returncode}")
    return done.stdout.decode("utf-8", "replace").strip()


def _describe_rev(repo: Path, rev: str) -> str:
    commit = _git(repo, "rev-parse", "--short", f"{rev}^{{commit}}")
    return rev if rev.startswith(commit) else f"{rev} ({commit})"


def _extract_revision(repo: Path, rev: str, prefix: str, target: Path) -> Path:
    """The report directory as it was at ``rev``, unpacked into ``target``."""
    try:
        _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except ReportError:
        raise ReportError(f"reportc diff: unknown revision '{rev}'") from None
    git = shutil.which("git") or "git"
    done = subprocess.run([git, "-C", str(repo), "archive", "--format=tar", rev, "--",
                           prefix if prefix != "." else "."], capture_output=True,
                          timeout=GIT_TIMEOUT, check=False)
    if done.returncode != 0:
        raise ReportError(f"reportc diff: cannot read '{prefix}' at {rev}: "
                          f"{done.stderr.decode('utf-8', 'replace').strip()}")
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        try:
            archive.extractall(target, filter="data")  # no links out, no odd modes
        except TypeError:  # Python 3.11.0-3.11.3 has no filters
            archive.extractall(target)
    root = target / prefix
    if not (root / CONFIG_NAME).is_file():
        raise ReportError(f"reportc diff: there is no {CONFIG_NAME} in '{prefix}' at {rev}")
    return root


def _copy_working_tree(repo: Path, prefix: str, target: Path) -> Path:
    """Tracked and untracked-but-not-ignored files of the report directory, as they are now."""
    listing = _git(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                   prefix)
    for rel in filter(None, listing.split("\0")):
        source = repo / rel
        if source.is_file():
            destination = target / rel
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    root = target / prefix
    root.mkdir(parents=True, exist_ok=True)
    return root


def _label(text: str) -> str:
    label = re.sub(r"[^A-Za-z0-9._+-]+", "-", text).strip("-.")[:64].rstrip("-.")
    return label if LABEL.fullmatch(label) else "redline"


# --- the merged report directory ----------------------------------------------------------

@dataclass
class _Version:
    root: Path
    config: ReportConfig
    chapters: dict[str, Chapter]  # by file name, in reading order
    asts: dict[str, dict]


def _load_version(root: Path, strict: bool) -> _Version:
    diag = Diagnostics()
    config = load_config(root.resolve(), diag)
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
            same = _key(old.asts[name]["blocks"]) == _key(new.asts[name]["blocks"])
            change = "unchanged" if same else "changed"
            chapter = new.chapters[name]
        elif name in new.chapters:
            ast = dict(new.asts[name])
            ast["blocks"] = _mark_blocks(ast["blocks"], "ins", counts, bar=True)
            change, chapter = "added", new.chapters[name]
        else:
            ast = dict(old.asts[name])
            ast["blocks"] = _removed_chapter(ast["blocks"], counts)
            change, chapter = "removed", old.chapters[name]
        asts[name] = ast
        title, anchor = _chapter_title(ast, chapter)
        changes.append(ChapterChange(name, title, anchor, change, counts))

    targets = {change.anchor for change in changes}
    targets |= {i for ast in asts.values() for i in _ids(ast["blocks"])}
    for ast in asts.values():
        ast["blocks"] = _settle_deleted_xrefs(ast["blocks"], targets)
    bib_note = _merge_bibliographies(old.config, new.config, merged, asts)

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
    (chapters_dir / SUMMARY_FILE).write_text(_summary(changes, names, bib_note),
                                             encoding="utf-8")
    _write_config(new_root / CONFIG_NAME, merged / CONFIG_NAME,
                  [SUMMARY_FILE, *(change.name for change in changes)])
    return changes


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
                                             _mark_inlines(inlines, "del", counts)]})
        else:
            out += _mark_block(block, "del", counts, bar=True)
    return out


def _chapter_title(ast: dict, chapter: Chapter) -> tuple[str, str]:
    for block in ast["blocks"]:
        if block["t"] == "Header" and block["c"][0] == 1:
            return A.stringify(block["c"][2]), block["c"][1][0] or chapter.anchor
    return chapter.stem, chapter.anchor


def _ids(tree: Any) -> set[str]:
    found = set()
    for node in A.iter_nodes(tree):
        content = node.get("c")
        if node["t"] in ("Header",) and content[1][0]:
            found.add(content[1][0])
        elif node["t"] in ("Figure", "Table", "Div", "Span") and content[0][0]:
            found.add(content[0][0])
    return found


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


# --- word-level diff of pandoc ASTs -------------------------------------------------------

_CITATION_COUNTERS = re.compile(r'"citation(?:Hash|NoteNum)":-?\d+,?')


def _key(node: Any) -> str:
    """Identity for diffing; citation counters (which shift when an earlier citation is
    added or removed) do not count."""
    text = json.dumps(node, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _CITATION_COUNTERS.sub("", text)


def _list_kind(items: list) -> str | None:
    if not items or not all(isinstance(i, dict) and "t" in i for i in items):
        return None
    types = {i["t"] for i in items}
    if types <= INLINE_TYPES:
        return "inline"
    if types <= BLOCK_TYPES:
        return "block"
    return None


def _words(nodes: list) -> int:
    """Words in ``nodes`` (outside notes, which count where they are marked)."""
    count = 0
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict) and "t" in node:
            if node["t"] == "Str":
                count += any(ch.isalnum() for ch in node["c"])  # punctuation is no word
            elif node["t"] == "Cite":
                count += 1  # a citation is one word, whatever its rendering
            elif node["t"] in ("Code", "Math"):
                count += len(node["c"][1].split()) or 1
            elif node["t"] != "Note" and isinstance(node.get("c"), list):
                stack.extend(node["c"])
    return count


def _groups(inlines: list) -> list[list]:
    """Word tokens: each non-space inline with the spaces that follow it."""
    groups: list[list] = []
    for node in inlines:
        if node["t"] in WHITESPACE and groups and groups[-1][0]["t"] not in WHITESPACE:
            groups[-1].append(node)
        else:
            groups.append([node])
    return groups


def _group_key(group: list) -> str:
    """A word's identity; the space after it does not count (re-wrapped text is unchanged)."""
    return "" if group[0]["t"] in WHITESPACE else _key(group[0])


def _flat(groups: list[list]) -> list:
    return [node for group in groups for node in group]


def diff_inlines(old: list, new: list, counts: Counts) -> list:
    """``new`` with the words deleted from ``old`` and inserted into ``new`` marked."""
    a, b = _groups(old), _groups(new)
    matcher = SequenceMatcher(None, [_group_key(g) for g in a], [_group_key(g) for g in b],
                              autojunk=False)
    out: list = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal" and out and out[-1]["t"] not in WHITESPACE and i1 > 0 \
                and a[i1 - 1][-1]["t"] in WHITESPACE:
            out.append({"t": "Space"})  # the old text had a space here
        if tag == "equal":
            out += _flat(b[j1:j2])
        elif tag == "delete":
            out += _mark_inlines(_flat(a[i1:i2]), "del", counts)
        elif tag == "insert":
            out += _mark_inlines(_flat(b[j1:j2]), "ins", counts)
        else:
            out += _replace_inlines(a[i1:i2], b[j1:j2], counts)
    return out


def _replace_inlines(a: list[list], b: list[list], counts: Counts) -> list:
    """Replaced words: containers of the same kind (emphasis, notes, links) are diffed
    inside; other words become one deleted run followed by one inserted run."""
    out: list = []
    pending_del: list = []
    pending_ins: list = []

    def flush() -> None:
        out.extend(_del_then_ins(pending_del, pending_ins, counts))
        pending_del.clear()
        pending_ins.clear()

    if len(a) == len(b):
        for old, new in zip(a, b, strict=True):
            merged = FAIL
            if old[0]["t"] == new[0]["t"] and old[0]["t"] not in ("Str", "Cite"):
                local = Counts()
                merged = _merge(old[0], new[0], local)
                if merged is not FAIL:
                    flush()
                    counts.merge(local)
                    out.append(merged)
                    out.extend(new[1:])
            if merged is FAIL:
                pending_del.extend(old)
                pending_ins.extend(new)
    else:
        pending_del.extend(_flat(a))
        pending_ins.extend(_flat(b))
    flush()
    return out


def _del_then_ins(deleted: list, inserted: list, counts: Counts) -> list:
    if not deleted:
        return _mark_inlines(inserted, "ins", counts)
    if not inserted:
        return _mark_inlines(deleted, "del", counts)
    marked = _mark_inlines(deleted, "del", counts)
    gap = [] if marked[-1]["t"] in WHITESPACE else [{"t": "Space"}]
    return [*marked, *gap, *_mark_inlines(inserted, "ins", counts)]


def _mark_inlines(inlines: list, cls: str, counts: Counts) -> list:
    """Wrap ``inlines`` in a ``.ins``/``.del`` span (surrounding spaces stay outside)."""
    start, end = 0, len(inlines)
    while start < end and inlines[start]["t"] in WHITESPACE:
        start += 1
    while end > start and inlines[end - 1]["t"] in WHITESPACE:
        end -= 1
    core = inlines[start:end]
    if not core:
        return list(inlines)
    counts.add(cls, _words(core))
    core = [_mark_note(node, cls, counts) if node["t"] == "Note" else node for node in core]
    return [*inlines[:start], A.span(core, [cls]), *inlines[end:]]


def _mark_note(note: dict, cls: str, counts: Counts) -> dict:
    """A note's text is laid out away from its call (page foot, pop-up): mark it too."""
    return {"t": "Note", "c": _mark_blocks(note["c"], cls, counts, bar=False)}


def _mark_blocks(blocks: list, cls: str, counts: Counts, bar: bool) -> list:
    out: list = []
    for block in blocks:
        out += _mark_block(block, cls, counts, bar)
    return out


def _mark_block(block: dict, cls: str, counts: Counts, bar: bool = True) -> list:
    """A whole block inserted or deleted."""
    kind = block["t"]
    if kind in ("Para", "Plain"):
        return [{"t": kind, "c": _mark_inlines(block["c"], cls, counts)}]
    if kind == "Header":
        level, attr, inlines = block["c"]
        marked = _mark_inlines(inlines, cls, counts)
        if cls == "ins":
            return [{"t": "Header", "c": [level, attr, marked]}]
        if level == 1:  # a chapter has one title: a deleted one is a struck-through line
            return [{"t": "Para", "c": marked}]
        return [{"t": "Header", "c": [level, ["", [*attr[1], "unnumbered"], attr[2]], marked]}]
    inner = _mark_inside(block, cls, counts)
    blocks = _uncaption(inner) if cls == "del" else [inner]
    return [{"t": "Div", "c": [A.attr("", [cls]), blocks]}] if bar else blocks


def _mark_inside(tree: Any, cls: str, counts: Counts) -> Any:
    """Mark every run of text inside a container block; deleted ids are dropped."""
    if isinstance(tree, list):
        kind = _list_kind(tree)
        if kind == "inline":
            return _mark_inlines(tree, cls, counts)
        if kind == "block":
            return _mark_blocks(tree, cls, counts, bar=False)
        return [_mark_inside(item, cls, counts) for item in tree]
    if isinstance(tree, dict) and "t" in tree and "c" in tree:
        content = _mark_inside(tree["c"], cls, counts)
        if cls == "del" and tree["t"] in ("Div", "Figure", "Table") and content[0][0]:
            content[0] = ["", content[0][1], content[0][2]]
        return {"t": tree["t"], "c": content}
    return tree


def _uncaption(block: dict) -> list:
    """A deleted figure or table loses its caption (kept as text) so it is not numbered."""
    if block["t"] not in ("Figure", "Table"):
        return [block]
    content = list(block["c"])
    caption_blocks = content[1][1]
    content[1] = [None, []]
    text = [{"t": "Para", "c": b["c"]} if b["t"] == "Plain" else b for b in caption_blocks]
    return [{"t": block["t"], "c": content}, *text]


def diff_blocks(old: list, new: list, counts: Counts) -> list:
    """``new`` with blocks deleted from ``old`` kept (marked) and changed blocks diffed."""
    matcher = SequenceMatcher(None, [_key(b) for b in old], [_key(b) for b in new],
                              autojunk=False)
    out: list = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += new[j1:j2]
        elif tag == "delete":
            out += _mark_blocks(old[i1:i2], "del", counts, bar=True)
        elif tag == "insert":
            out += _mark_blocks(new[j1:j2], "ins", counts, bar=True)
        else:
            out += _replace_blocks(old[i1:i2], new[j1:j2], counts)
    return out


def _replace_blocks(old: list, new: list, counts: Counts) -> list:
    """Pair each old block with the next new block it resembles; the rest are del/ins."""
    out: list = []
    j = 0
    # One short block for another (a table cell, a tight list item): diff it in place.
    one_for_one = len(old) == len(new) == 1 and old[0]["t"] == new[0]["t"] != "Para"
    for block in old:
        match = 0 if one_for_one else next(
            (k for k in range(j, len(new)) if _pairs(block, new[k])), None)
        if match is None:
            out += _mark_block(block, "del", counts)
            continue
        out += _mark_blocks(new[j:match], "ins", counts, bar=True)
        local = Counts()
        merged = _merge(block, new[match], local)
        if merged is FAIL:
            out += _mark_block(block, "del", counts) + _mark_block(new[match], "ins", counts)
        else:
            counts.merge(local)
            out.append(merged)
        j = match + 1
    out += _mark_blocks(new[j:], "ins", counts, bar=True)
    return out


def _pairs(old: dict, new: dict) -> bool:
    """Whether ``new`` is a revision of ``old`` (rather than a different block)."""
    if old["t"] != new["t"]:
        return False
    if old["t"] == "Header":
        return old["c"][0] == new["c"][0]
    if old["t"] in ("Para", "Plain"):
        a = A.stringify(old["c"]).split()
        b = A.stringify(new["c"]).split()
        return SequenceMatcher(None, a, b, autojunk=False).ratio() >= SIMILAR
    if old["t"] == "Div":
        return old["c"][0][1] == new["c"][0][1]  # same kind of box
    return True


def _merge(old: Any, new: Any, counts: Counts) -> Any:
    """Merge two nodes of the same shape, diffing their text; ``FAIL`` when shapes differ."""
    if old == new or (isinstance(new, dict) and new.get("t") == "Cite" and _key(old) == _key(new)):
        return new
    if isinstance(old, dict) and isinstance(new, dict):
        if "t" not in new or "c" not in new or old.get("t") != new.get("t") \
                or old.keys() != new.keys():
            return FAIL
        if new["t"] in ("BulletList", "OrderedList"):
            return _merge_list(old, new, counts)
        content = _merge(old["c"], new["c"], counts)
        return FAIL if content is FAIL else {"t": new["t"], "c": content}
    if isinstance(old, list) and isinstance(new, list):
        for kind, diff in (("inline", diff_inlines), ("block", diff_blocks)):
            if all(_list_kind(x) == kind or not x for x in (old, new)):
                return diff(old, new, counts)
        if _is_attr(old) and _is_attr(new):
            return new
        if len(old) != len(new):
            return FAIL
        merged = [_merge(x, y, counts) for x, y in zip(old, new, strict=True)]
        return FAIL if any(m is FAIL for m in merged) else merged
    return FAIL


def _merge_list(old: dict, new: dict, counts: Counts) -> Any:
    if new["t"] == "OrderedList":
        items = _diff_items(old["c"][1], new["c"][1], counts)
        return {"t": "OrderedList", "c": [new["c"][0], items]}
    return {"t": "BulletList", "c": _diff_items(old["c"], new["c"], counts)}


def _diff_items(old: list, new: list, counts: Counts) -> list:
    matcher = SequenceMatcher(None, [_key(i) for i in old], [_key(i) for i in new],
                              autojunk=False)
    out: list = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += new[j1:j2]
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(pairs):
            out.append(diff_blocks(old[i1 + k], new[j1 + k], counts))
        out += [_mark_blocks(item, "del", counts, bar=False) for item in old[i1 + pairs:i2]]
        out += [_mark_blocks(item, "ins", counts, bar=False) for item in new[j1 + pairs:j2]]
    return out


def _is_attr(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], list) and isinstance(value[2], list))


# --- what deleted text may still refer to -------------------------------------------------

def _settle_deleted_xrefs(blocks: list, targets: set[str]) -> list:
    """In deleted text, a cross-reference to something gone becomes its plain text."""
    def fix(items: list) -> list:
        return [_plain_xref(item, targets) for item in items]

    return [_walk_deleted(block, fix) for block in blocks]


def _walk_deleted(tree: Any, fix, inside: bool = False) -> Any:
    if isinstance(tree, list):
        items = [_walk_deleted(item, fix, inside) for item in tree]
        return fix(items) if inside else items
    if isinstance(tree, dict) and "t" in tree and "c" in tree:
        deleted = inside or (tree["t"] in ("Span", "Div") and "del" in tree["c"][0][1])
        return {"t": tree["t"], "c": _walk_deleted(tree["c"], fix, deleted)}
    return tree


def _plain_xref(node: Any, targets: set[str]) -> Any:
    if not (isinstance(node, dict) and node.get("t") == "Cite"):
        return node
    ids = [c["citationId"] for c in node["c"][0]]
    if all(i.startswith(XREF_PREFIXES) for i in ids) and not all(i in targets for i in ids):
        return {"t": "Str", "c": A.stringify(node["c"][1])}
    return node


def _cited_keys(asts: dict[str, dict]) -> set[str]:
    return {c["citationId"] for ast in asts.values() for node in A.iter_nodes(ast["blocks"])
            if node["t"] == "Cite" for c in node["c"][0]
            if not c["citationId"].startswith(XREF_PREFIXES)}


def _bib_entries(path: Path | None) -> dict[str, str]:
    if path is None or not path.is_file():
        return {}
    library = bibtexparser.parse_string(path.read_text(encoding="utf-8"), parse_stack=[])
    return {entry.key: entry.raw for entry in library.entries}


def _merge_bibliographies(old: ReportConfig, new: ReportConfig, merged: Path,
                          asts: dict[str, dict]) -> str:
    """Add the old entries that deleted citations need; describe how the sources changed."""
    old_entries, new_entries = _bib_entries(old.bibliography), _bib_entries(new.bibliography)
    needed = sorted((_cited_keys(asts) - set(new_entries)) & set(old_entries))
    if needed and new.bibliography is not None:
        target = merged / new.bibliography.relative_to(new.root.resolve())
        extra = "\n\n".join(old_entries[key] for key in needed)
        target.write_text(target.read_text(encoding="utf-8").rstrip() + "\n\n" + extra + "\n",
                          encoding="utf-8")
    added = len(set(new_entries) - set(old_entries))
    removed = len(set(old_entries) - set(new_entries))
    changed = sum(1 for key in set(old_entries) & set(new_entries)
                  if _normal(old_entries[key]) != _normal(new_entries[key]))
    return f"{added} added, {removed} removed, {changed} changed"


def _normal(text: str) -> str:
    return " ".join(text.split())


# --- the summary page ---------------------------------------------------------------------

def _escape(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>@$~^\"'&:;])", r"\\\1", text)


def _summary(changes: list[ChapterChange], names: tuple[str, str], bib_note: str) -> str:
    old, new = (_escape(n) for n in names)
    lines = ["---", "kind: summary", "numbered: false", "---",
             f"# Changes since {old}", "",
             f"This review copy shows the report as of {new} with every change since {old} "
             "marked word by word: [inserted text is underlined in green]{.ins}; "
             "[deleted text is struck through in red]{.del}. Removed figures and tables keep "
             "their content but not their numbers; numbering follows the new version. "
             "Counts are words (a citation counts as one).", "",
             "| Chapter | Change | Inserted | Deleted |",
             # dashes set the relative column widths when a row is long
             "|:" + "-" * 44 + "|:" + "-" * 12 + "|" + "-" * 9 + ":|" + "-" * 9 + ":|"]
    for change in changes:
        title = f"[{_escape(change.title)}](#{change.anchor})"
        lines.append(f"| {title} | {change.change} | {change.counts.ins} | "
                     f"{change.counts.dele} |")
    total_ins = sum(c.counts.ins for c in changes)
    total_del = sum(c.counts.dele for c in changes)
    lines.append(f"| **Total** | {sum(c.change != 'unchanged' for c in changes)} of "
                 f"{len(changes)} changed | {total_ins} | {total_del} |")
    lines += ["", f"Bibliography entries: {_escape(bib_note)}.", ""]
    return "\n".join(lines)

