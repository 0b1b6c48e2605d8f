"""``reportc comments REVIEWED [REPORT_DIR] [--format json]``: a reviewer's remarks, each
at the source line it is about.

REVIEWED is a DOCX with Word comments and tracked changes, or a PDF with annotations,
made from any build of the report. One line per remark::

    chapters/03-defence.md:27: Jane Reviewer: Is this 2019 or 2020? (on "the S-400 deliveries")
    chapters/03-defence.md:30: Jane Reviewer: suggests deleting "small"

in the order of the report; remarks that could not be placed follow, with their page and
text, never dropped. The chapters are read (and numbered) as a build reads them, through
the build cache, so cross-reference words and figure labels are known.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reportc.cache import CACHE_DIR, BuildCache
from reportc.document.numbering import number_report
from reportc.document.read import read_chapters
from reportc.errors import BuildFailed, Diagnostics, ReportError
from reportc.project.chapters import load_chapters
from reportc.project.config import ReportConfig, load_config
from reportc.review.docx_reader import ReviewFileError, read_docx
from reportc.review.index import SourceIndex, build_index, fold, read_source
from reportc.review.locate import Placement, Remark, locate
from reportc.review.pdf_reader import read_pdf

QUOTE_LIMIT = 60
EDITS = {"format": "suggests formatting {}", "move-from": "suggests moving {} from here",
         "move-to": "suggests moving {} here"}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="reportc comments",
        description="List a reviewer's Word comments and tracked changes, or PDF "
                    "annotations, each at the source line (file:line) it is about.")
    parser.add_argument("reviewed", type=Path, metavar="REVIEWED",
                        help="the reviewed .docx or .pdf (made from any build of the report)")
    parser.add_argument("report_dir", nargs="?", default=Path("."), type=Path,
                        help="the report directory (default: the current directory)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default): one line per remark; json: for tools")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        placements = review(args.reviewed, args.report_dir)
    except (ReviewFileError, ReportError) as exc:
        problems = exc.problems if isinstance(exc, BuildFailed) else [exc]
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    if not placements:
        print(f"{args.reviewed.name}: no comments, tracked changes or annotations found",
              file=sys.stderr)
        if args.format == "json":
            print("[]")
        return 0
    if args.format == "json":
        print(json.dumps([as_json(p, args.reviewed.name) for p in placements],
                         ensure_ascii=False, indent=1))
    else:
        for line in as_lines(placements, args.reviewed.name):
            print(line)
    return 0


def review(reviewed: Path, report_dir: Path) -> list[Placement]:
    """Read the reviewed file's remarks and place each (placed first, in report order)."""
    if reviewed.is_dir():
        raise ReviewFileError(f"{reviewed}: is a directory, not a reviewed .docx or .pdf file")
    if not reviewed.is_file():
        raise ReviewFileError(f"{reviewed}: no such file")
    suffix = reviewed.suffix.lower()
    if suffix not in (".docx", ".pdf"):
        raise ReviewFileError(f"{reviewed.name}: not a .docx or .pdf file")
    diag = Diagnostics.until_policy()
    config = load_config(report_dir.resolve(), diag)
    diag.set_policy(strict=False, silenced=frozenset(config.silence))
    remarks, title = (read_docx if suffix == ".docx" else read_pdf)(reviewed)
    _check_same_report(reviewed, title, config)
    if not remarks:
        return []
    index = _index(config, diag)
    placements = [locate(index, remark) for remark in remarks]
    order = {source.rel: n for n, source in enumerate(index.sources)}
    order[config.path.name] = -1  # the title block comes first
    placed = sorted((p for p in placements if p.placed),
                    key=lambda p: (order[p.rel], p.line, p.remark.order))
    return placed + [p for p in placements if not p.placed]


def _check_same_report(reviewed: Path, title: str, config: ReportConfig) -> None:
    """A file whose title is not this report's was made from another report."""
    if title and fold(config.title) not in fold(title):
        raise ReviewFileError(f"{reviewed.name}: made from another report (its title is "
                              f"'{title}'; this report is '{config.title}')")


def _index(config: ReportConfig, diag: Diagnostics) -> SourceIndex:
    """The source index of the chapters as a build reads and numbers them."""
    chapters = load_chapters(config, diag)
    diag.raise_if_errors()
    cache_dir = config.root / "out" / CACHE_DIR
    cache = BuildCache(cache_dir, diag, enabled=cache_dir.is_dir())
    with ThreadPoolExecutor(max_workers=2) as pool:
        docs = read_chapters(chapters, diag, cache, pool, 2)
    diag.raise_if_errors()
    readable = [doc for doc in docs if doc is not None]
    targets = number_report(readable, Diagnostics(), prefixes=config.words.labels())
    extra = [read_source(config.root, path) for path in (config.path, config.bibliography)
             if path is not None]
    return build_index(readable, targets, [source for source in extra if source],
                       config.words["takeaways-title"])


def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > QUOTE_LIMIT:
        text = text[:QUOTE_LIMIT - 1].rstrip() + "\u2026"
    return f'"{text}"'


def describe(remark: Remark) -> str:
    """'Author: words (on "anchor")' or 'Author: suggests deleting "x"'."""
    if remark.kind == "delete":
        said = f"suggests deleting {_quote(remark.text)}"
    elif remark.kind == "insert":
        said = f"suggests inserting {_quote(remark.text)}"
    elif remark.kind in EDITS:
        said = EDITS[remark.kind].format(_quote(remark.text))
    else:
        said = " ".join(remark.text.split()) or "(comment)"
        if remark.anchor.strip():
            said += f" (on {_quote(remark.anchor)})"
    if remark.comment:
        said += f": {' '.join(remark.comment.split())}"
    return f"{remark.author}: {said}"


def as_lines(placements: list[Placement], name: str) -> list[str]:
    lines = [f"{p.rel}:{p.line}: {describe(p.remark)}" for p in placements if p.placed]
    unplaced = [p for p in placements if not p.placed]
    if unplaced:
        lines.append(f"-- {len(unplaced)} remark(s) not found in the sources:")
        for p in unplaced:
            where = f"{name}, page {p.remark.page}" if p.remark.page else name
            lines.append(f"{where}: {describe(p.remark)}")
    return lines


def as_json(placement: Placement, name: str) -> dict:
    remark = placement.remark
    return {"file": placement.rel or None, "line": placement.line or None,
            "author": remark.author, "kind": remark.kind, "text": remark.text,
            "comment": remark.comment or None, "anchor": " ".join(remark.anchor.split()),
            "page": remark.page, "reviewed": name, "placed": placement.placed}
