"""Redline: the report at REV_B with its changes since REV_A marked word by word.

``reportc diff REV_A [REV_B]`` extracts both revisions of the report directory
(:mod:`reportc.redline.git`; REV_B defaults to the working tree), diffs each chapter's
pandoc AST block by block and word by word (:mod:`reportc.redline.diff`), settles what
deleted text refers to (:mod:`reportc.redline.refs`), writes the merged report directory
with a summary chapter (:mod:`reportc.redline.tree`, :mod:`reportc.redline.summary`) and
builds it through the normal pipeline as a "review" build.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from reportc.build import DEFAULT_FORMATS, BuildOptions, BuildResult, build
from reportc.project.versioning import LABEL
from reportc.redline.git import copy_working_tree, describe_rev, extract_revision, git
from reportc.redline.tree import write_redline


@dataclass
class RedlineOptions:
    report_dir: Path
    rev_a: str
    rev_b: str | None = None  # None: the working tree
    out: Path | None = None
    formats: tuple[str, ...] = DEFAULT_FORMATS
    status: str = "review"
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)


def build_redline(options: RedlineOptions) -> BuildResult:
    """Build ``<slug>-redline-<A>-<B>.pdf/.html`` into the report's output folder."""
    report_dir = options.report_dir.resolve()
    repo = Path(git(report_dir, "rev-parse", "--show-toplevel")).resolve()
    prefix = report_dir.relative_to(repo).as_posix()
    with tempfile.TemporaryDirectory(prefix="reportc-redline-") as temporary:
        tmp = Path(temporary)
        old = extract_revision(repo, options.rev_a, prefix, tmp / "a")
        if options.rev_b:
            new = extract_revision(repo, options.rev_b, prefix, tmp / "b")
        else:
            new = copy_working_tree(repo, prefix, tmp / "b")
        names = (describe_rev(repo, options.rev_a),
                 describe_rev(repo, options.rev_b) if options.rev_b else "the working tree")
        merged = tmp / "redline"
        write_redline(old, new, merged, names)
        label = _label(f"redline-{options.rev_a}-{options.rev_b or 'worktree'}")
        return build(BuildOptions(root=merged, out=options.out or report_dir / "out",
                                  formats=options.formats, jobs=options.jobs, use_cache=False,
                                  version_label=label, status=options.status,
                                  git_stamp=False, family="redline",
                                  reference_files=False))


def _label(text: str) -> str:
    label = re.sub(r"[^A-Za-z0-9._+-]+", "-", text).strip("-.")[:64].rstrip("-.")
    return label if LABEL.fullmatch(label) else "redline"
