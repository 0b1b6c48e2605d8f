"""What a build says about itself: its version label, review state and provenance.

Decisions (documented in the manual, docs/chapters/08-review.md):

- The *label* names the artifacts (``<slug>-<label>.pdf``) and is stamped on the cover,
  in the PDF metadata and in the HTML footer. It comes from ``--version-label`` only; CI
  passes the tag (``vX.Y.Z``) there. Without a label the artifacts are ``<slug>.pdf``.
- ``git describe`` is a *stamp*, not a label: when git and a repository are there, it is
  printed where the label would be (so a reviewer can tell which commit a PDF came from),
  but it does not rename files, which would change with every commit and litter ``out/``.
  When git or the repository is absent there is simply no stamp.
- The *status* is ``draft``, ``review`` or ``final`` (``--draft``/``--status`` win over
  ``status:`` in report.yaml). Draft and review builds carry a watermark in the PDF and a
  banner in the HTML. Final builds carry neither and are strict (warnings are errors).
  No status at all means "not final": existing reports keep building with warnings.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reportc.errors import ConfigError
from reportc.project.config import STATUSES, ReportConfig
from reportc.project.git import run_git
from reportc.project.words import ENGLISH

LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
GIT_TIMEOUT = 10


@dataclass(frozen=True)
class GitStamp:
    """Where the sources came from, per ``git describe --tags --always --dirty``."""

    describe: str  # "v1.2.0-3-gab12cd3-dirty", or just "ab12cd3" without tags
    commit: str  # short hash of HEAD
    dirty: bool  # the working tree has changes not in HEAD


@dataclass(frozen=True)
class Release:
    label: str = ""
    status: str = ""
    git: GitStamp | None = None
    date: dt.date = dt.date(1970, 1, 1)

    @property
    def final(self) -> bool:
        return self.status == "final"

    @property
    def stamp(self) -> str:
        """The version text shown on the cover, in the footer and in the metadata."""
        return self.label or (self.git.describe if self.git else "")

    @property
    def watermark(self) -> str:
        """"DRAFT" or "REVIEW"; empty for final builds and builds without a status."""
        return self.status.upper() if self.status in ("draft", "review") else ""

    @property
    def watermark_detail(self) -> str:
        """Date and commit printed under the watermark word."""
        return self.detail_in(ENGLISH)

    def word_in(self, words: Mapping[str, str]) -> str:
        """The watermark word in the report's language ("ENTWURF"); ``""`` without one."""
        return words[f"status-{self.status}"] if self.watermark else ""

    def detail_in(self, words: Mapping[str, str]) -> str:
        """Date and commit printed under the watermark word, in the report's language."""
        parts = [self.date.isoformat()]
        if self.git:
            parts.append(f"{words['status-commit']} {self.git.commit}"
                         + (f" + {words['status-changes']}" if self.git.dirty else ""))
        return " · ".join(parts)

    def artifact_stem(self, slug: str) -> str:
        return f"{slug}-{self.label}" if self.label else slug

    def fingerprint(self) -> str:
        """Everything here that changes the outputs (for the build cache)."""
        return f"{self.label}|{self.status}|{self.git}|{self.date}"


def build_date(config: ReportConfig) -> dt.date:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the report's date, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return config.date or dt.date.today()


def check_label(label: str) -> str | None:
    """An error message when ``label`` cannot be part of a file name, else ``None``."""
    if LABEL.fullmatch(label):
        return None
    return (f"version label '{label}' must start with a letter or digit and use only letters, "
            "digits, '.', '_', '+' and '-' (at most 64 characters)")


def resolve_release(config: ReportConfig, date: dt.date, *,
                    label: str = "", status: str = "", use_git: bool = True) -> Release:
    """Settle label, status and git stamp (a final build is a strict one: ``build()``
    sets that policy on its diagnostics)."""
    if label and (problem := check_label(label)):
        raise ConfigError(problem)
    status = status or config.status
    if status and status not in STATUSES:
        raise ConfigError(f"status '{status}' must be one of {', '.join(STATUSES)}")
    release = Release(label, status, git_stamp(config.root) if use_git else None, date)
    return release


def git_stamp(root: Path) -> GitStamp | None:
    """``None`` when git is not installed or ``root`` is not inside a repository with commits."""
    def run(*args: str) -> str | None:
        done = run_git(root, *args, timeout=GIT_TIMEOUT)
        out = done.stdout.decode("utf-8", "replace").strip() if done else ""
        return out if done and done.returncode == 0 and out else None

    commit = run("rev-parse", "--short", "HEAD")
    if commit is None:
        return None
    describe = run("describe", "--tags", "--always", "--dirty") or commit
    return GitStamp(describe, commit, describe.endswith("-dirty"))
