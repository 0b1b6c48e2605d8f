"""The one place that runs pandoc.

Every call goes through :func:`run_pandoc`, which logs the exact command,
bounds time and heap, and turns any failure into a :class:`ToolError` that
carries pandoc's own message: nothing is ever swallowed.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shlex
import subprocess
from dataclasses import dataclass

import pypandoc

from .errors import ToolError

log = logging.getLogger("reportc.pandoc")

# Bounds for every pandoc run; CI (and the tests) may tighten them through the
# environment. A normal chapter converts in well under a second.
TIMEOUT_SECONDS = 30
HEAP_LIMIT = "1500m"
TIMEOUT_ENV = "REPORTC_PANDOC_TIMEOUT"
HEAP_ENV = "REPORTC_PANDOC_HEAP"
# Markdown extensions that would let chapter text reach outside the chapter or
# inject markup: metadata blocks (bibliography:, csl:), raw HTML/TeX, and the
# half-raw <div>/<span> forms (attributes are checked in reportc.safety either way).
READER = ("markdown-yaml_metadata_block-raw_html-raw_attribute-raw_tex-auto_identifiers"
          "-native_divs-native_spans")
_MAX_MESSAGE = 600


class PandocStalled(ToolError):
    """pandoc hit its time limit (some Markdown makes its parser backtrack for minutes)."""


class PandocOutOfMemory(ToolError):
    """pandoc hit its heap limit."""


@dataclass(frozen=True)
class PandocResult:
    output: str
    warnings: list[str]


@functools.cache
def pandoc_path() -> str:
    """The pinned pandoc that ships inside pypandoc-binary."""
    return pypandoc.get_pandoc_path()


def time_limit() -> float:
    value = os.environ.get(TIMEOUT_ENV, "")
    try:
        return float(value) if float(value) > 0 else TIMEOUT_SECONDS
    except ValueError:
        return TIMEOUT_SECONDS


def heap_limit() -> str:
    value = os.environ.get(HEAP_ENV, "")
    return value if re.fullmatch(r"\d+[kmg]", value) else HEAP_LIMIT


def run_pandoc(args: list[str], stdin: str, *, what: str,
               timeout: float | None = None) -> PandocResult:
    """Run pandoc with ``args`` on ``stdin``; ``what`` names the input in messages."""
    timeout = timeout or time_limit()
    heap = heap_limit()
    command = [pandoc_path(), "+RTS", f"-M{heap}", "-RTS", *args]
    log.debug("pandoc (%s): %s", what, shlex.join(command))
    try:
        done = subprocess.run(command, input=stdin.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PandocStalled(f"{what}: pandoc did not finish within {timeout:g} s "
                            "(a construct in this file makes pandoc's parser stall; if the "
                            f"file is just very large, raise {TIMEOUT_ENV})") from exc
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        if "Heap exhausted" in stderr or done.returncode == 251:
            raise PandocOutOfMemory(f"{what}: pandoc ran out of memory ({heap} heap limit); "
                                    f"split the file into smaller chapters or raise {HEAP_ENV}")
        detail = stderr.strip() or f"exit code {done.returncode}"
        if len(detail) > _MAX_MESSAGE:
            detail = detail[:_MAX_MESSAGE] + " \u2026"
        raise ToolError(f"{what}: pandoc failed: {detail}")
    warnings = [line.removeprefix("[WARNING] ").strip()
                for line in stderr.splitlines() if line.strip()]
    return PandocResult(done.stdout.decode("utf-8"), warnings)
