"""The one place that runs pandoc.

Every call goes through :func:`run_pandoc`, which logs the exact command,
bounds time and heap, and turns any failure into a :class:`ToolError` that
carries pandoc's own message: nothing is ever swallowed.
"""

from __future__ import annotations

import functools
import logging
import shlex
import subprocess
from dataclasses import dataclass

import pypandoc

from .errors import ToolError

log = logging.getLogger("reportc.pandoc")

TIMEOUT_SECONDS = 60
HEAP_LIMIT = "1500m"
# Markdown extensions that would let chapter text reach outside the chapter or
# inject markup: metadata blocks (bibliography:, csl:) and raw HTML/TeX.
READER = "markdown-yaml_metadata_block-raw_html-raw_attribute-raw_tex-auto_identifiers"


@dataclass(frozen=True)
class PandocResult:
    output: str
    warnings: list[str]


@functools.cache
def pandoc_path() -> str:
    """The pinned pandoc that ships inside pypandoc-binary."""
    return pypandoc.get_pandoc_path()


@functools.cache
def pandoc_version() -> str:
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True,
                         check=True).stdout
    return out.splitlines()[0].split()[-1]


def run_pandoc(args: list[str], stdin: str, *, what: str,
               timeout: float = TIMEOUT_SECONDS) -> PandocResult:
    """Run pandoc with ``args`` on ``stdin``; ``what`` names the input in messages."""
    command = [pandoc_path(), "+RTS", f"-M{HEAP_LIMIT}", "-RTS", *args]
    log.debug("pandoc (%s): %s", what, shlex.join(command))
    try:
        done = subprocess.run(command, input=stdin.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"{what}: pandoc did not finish within {timeout:.0f} s "
                        "(a construct in this file makes pandoc's parser stall)") from exc
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        if "Heap exhausted" in stderr or done.returncode == 251:
            raise ToolError(f"{what}: pandoc ran out of memory ({HEAP_LIMIT} heap limit)")
        detail = stderr.strip() or f"exit code {done.returncode}"
        raise ToolError(f"{what}: pandoc failed: {detail}")
    warnings = [line.removeprefix("[WARNING] ").strip()
                for line in stderr.splitlines() if line.strip()]
    return PandocResult(done.stdout.decode("utf-8"), warnings)
