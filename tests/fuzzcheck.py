"""Run a fuzzed case and judge it: the property every build and ``comments`` run keeps.

A run ends with exit 0 or 1 within :data:`LIMIT` seconds, prints no traceback, names a
file for every error (``path: message`` or ``path:line: message``), gives every warning
a code that report.yaml's ``silence:`` accepts, and, when it fails, leaves the previous
``out/`` byte for byte as it was. :func:`violations` lists every way a run broke it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
import shutil
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from conftest import TESTS
from fuzzkit import Case

from reportc.build import BuildOptions, build
from reportc.cache import CACHE_DIR
from reportc.commands.comments import main as comments_main
from reportc.errors import WARNING_CODES, BuildFailed, ReportError

LIMIT = 60.0  # seconds a run may take (pandoc's own limit is shorter)
# "path: message" or "path:line: message"; the path has a file name with an extension.
LOCATED = re.compile(r"^(?P<path>[^\s:][^:\n]*?\.[A-Za-z0-9]+)(?::(?P<line>\d+))?: \S")
CODED = re.compile(r" \[(?P<code>[a-z][a-z.]*)\]$")


@dataclass
class Outcome:
    """What one run did, as its user saw it."""

    code: int | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    output: str = ""
    elapsed: float = 0.0
    crash: str = ""  # the traceback of an exception that escaped


def snapshot(out: Path) -> dict[str, str]:
    """Every file of ``out/`` (but the cache, which a failed build may fill) by digest."""
    if not out.is_dir():
        return {}
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*"))
            if p.is_file() and CACHE_DIR not in p.relative_to(out).parts}


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def prepare(base: str, templates: Path) -> Path:
    """A built copy of the root ``base`` (its ``out/`` and cache), made once per session."""
    target = templates / base.replace("/", "+")
    if not target.is_dir():
        shutil.copytree(TESTS / base, target, ignore=shutil.ignore_patterns("out"))
        build(BuildOptions(root=target, formats=("html",), git_stamp=False, jobs=2))
    return target


def materialise(case: Case, templates: Path, work: Path) -> Path:
    """The case's report folder: its prepared base with the mutated files laid over."""
    root = work / "report"
    shutil.copytree(prepare(case.base, templates), root, symlinks=True)
    for rel, data in case.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def build_in_process(root: Path) -> Outcome:
    """The library's ``build()``, HTML only, as a program embedding reportc calls it."""
    handler = _Warnings()
    logger = logging.getLogger("reportc")
    logger.addHandler(handler)
    started = time.monotonic()
    outcome = Outcome(code=0)
    try:
        build(BuildOptions(root=root, formats=("html",), git_stamp=False, jobs=2))
    except BuildFailed as failure:
        outcome.code = 1
        outcome.errors = [str(problem) for problem in failure.problems]
    except ReportError as exc:
        outcome.code, outcome.errors = 1, [str(exc)]
    except Exception:
        outcome.code, outcome.crash = None, traceback.format_exc()
    finally:
        logger.removeHandler(handler)
    outcome.elapsed = time.monotonic() - started
    outcome.warnings = handler.lines
    return outcome


def build_cli(root: Path) -> Outcome:
    """``python -m reportc ROOT --format html`` in its own process, as a writer runs it."""
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "reportc", str(root), "--format", "html", "--no-git-stamp",
             "-j", "2"], capture_output=True, text=True, timeout=LIMIT, check=False)
    except subprocess.TimeoutExpired:
        return Outcome(code=None, elapsed=LIMIT, crash=f"no exit within {LIMIT:.0f} s")
    outcome = Outcome(code=done.returncode, output=done.stderr,
                      elapsed=time.monotonic() - started)
    lines = done.stderr.splitlines()
    outcome.warnings = [line for line in lines if ": warning: " in line]
    if done.returncode == 1:
        outcome.errors = [line for line in lines if ": warning: " not in line
                          and not line.startswith("reportc:")]  # progress, the summary
    return outcome


def comments_in_process(reviewed: Path, root: Path) -> Outcome:
    """``reportc comments REVIEWED ROOT`` through its ``main()``, output captured."""
    err, out = io.StringIO(), io.StringIO()
    started = time.monotonic()
    outcome = Outcome(code=0)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            outcome.code = comments_main([str(reviewed), str(root)])
    except SystemExit as exit_:
        outcome.code = exit_.code if isinstance(exit_.code, int) else 1
    except Exception:
        outcome.code, outcome.crash = None, traceback.format_exc()
    outcome.elapsed = time.monotonic() - started
    outcome.output = err.getvalue()
    if outcome.code == 1:
        outcome.errors = err.getvalue().splitlines()
    return outcome


def violations(outcome: Outcome, before: dict[str, str] | None = None,
               out: Path | None = None) -> list[str]:
    """Every way the run broke the property (empty: it kept it)."""
    found = []
    if outcome.crash:
        found.append(f"crashed:\n{outcome.crash}")
    elif outcome.code not in (0, 1):
        found.append(f"exit {outcome.code}")
    if "Traceback (most recent call last)" in outcome.output:
        found.append(f"printed a traceback:\n{outcome.output}")
    if outcome.elapsed > LIMIT:
        found.append(f"took {outcome.elapsed:.1f} s")
    if outcome.code == 1 and not outcome.errors:
        found.append(f"failed without a message:\n{outcome.output}")
    found += [f"error names no file: {line!r}" for line in outcome.errors
              if not LOCATED.match(line)]
    found += [f"error is not one line: {line!r}" for line in outcome.errors if "\n" in line]
    found += [f"warning without a code silence: accepts: {line!r}"
              for line in outcome.warnings if not _coded(line)]
    if outcome.code != 0 and before is not None and out is not None and \
            snapshot(out) != before:
        found.append("a failed build changed out/")
    return found


def _coded(line: str) -> bool:
    match = CODED.search(line)
    return bool(match) and match.group("code") in WARNING_CODES
