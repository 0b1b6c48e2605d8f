"""The one place that runs pandoc.

Every call goes through :func:`run_pandoc`, which logs the exact command,
bounds time and heap, and turns any failure into a :class:`ToolError` that
carries pandoc's own message: nothing is ever swallowed.

Chapters are read and rendered in batches, several per pandoc process (a Lua filter
handles each chapter of the batch as a document of its own and writes its output behind
a marker line): pandoc's start-up and first runs cost as much as a chapter's own work.
:func:`batches` shares chapters out; :func:`run_batch` runs one batch and splits its output.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import re
import shlex
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from reportc.errors import ToolError

log = logging.getLogger("reportc.pandoc")

# Bounds for every pandoc run; CI (and the tests) may tighten them through the
# environment. A normal chapter converts in well under a second.
TIMEOUT_SECONDS = 30
HEAP_LIMIT = "1500m"
TIMEOUT_ENV = "REPORTC_PANDOC_TIMEOUT"
HEAP_ENV = "REPORTC_PANDOC_HEAP"
# pandoc's garbage collector, sized for citeproc on a large bibliography: with the runtime's
# defaults (a 4 MB allocation area; the binary adds -H64m), citing 770 sources spent 43% of
# its time collecting, copying the same long-lived references out of the allocation area 112
# times. A 128 MB area and old generation take that run from 1.64 to 1.30 s of CPU (its peak
# memory from 185 to 312 MB); the output does not depend on them. Only citing runs on inputs
# under 1 MB get them: reading a 200-page report's chapters gained 0.1 s but its peak went
# from 184 to 263 MB, and citing a whole 500-page report at once (8.7 MB) saved no CPU and
# went from 383 to 546 MB. A heap limit under 1 GB (one a user or a test set) keeps the
# defaults too: near a tight limit a large area makes pandoc collect over and over until its
# time runs out instead of stopping at the limit.
ALLOCATION_AREA_MB = 128
_TUNED_BELOW_BYTES = 1 << 20
_TUNED_FROM_MB = 1024
# Markdown extensions that would let chapter text reach outside the chapter or
# inject markup: metadata blocks (bibliography:, csl:), raw HTML/TeX, and the
# half-raw <div>/<span> forms (attributes are checked in reportc.sandbox.checks either way).
READER = ("markdown-yaml_metadata_block-raw_html-raw_attribute-raw_tex-auto_identifiers"
          "-native_divs-native_spans")
# Chapters are read with raw HTML and TeX kept as raw nodes, so that what a document written
# for pandoc or LaTeX holds (comments, \newpage, figure environments) is seen, not printed:
# reportc.document.raw turns each into what it means or drops it with a warning; no raw node
# of a chapter reaches an edition.
CHAPTER_READER = ("markdown-yaml_metadata_block-auto_identifiers-native_divs-native_spans")
_MAX_MESSAGE = 600
# Chapters per pandoc process, at most: each process pays pandoc's start-up and citeproc's
# first run (about 0.15 s). 200-page benchmark, 18 chapters on 2 cores: 2 processes 2.2 s,
# 4 processes 2.35 s; a longer report still gets progress lines every 16 chapters.
CHAPTERS_PER_BATCH = 16
BATCH_MARKER = re.compile(r"^<!--reportc:chapter ([^\s>]+)-->\n?", re.M)
Item = TypeVar("Item")


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
    """The pinned pandoc that ships inside pypandoc-binary (imported here: it loads
    urllib and more, which a rebuild with nothing to do does not need)."""
    import pypandoc

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


def collector(heap: str, args: list[str], size: int) -> list[str]:
    """The runtime options that size pandoc's garbage collector for a run with ``args`` on
    an input of ``size`` characters under a heap limit of ``heap`` (``1500m``, ``64m``)."""
    megabytes = int(heap[:-1]) * {"k": 1 / 1024, "m": 1, "g": 1024}[heap[-1]]
    if "--citeproc" not in args or megabytes < _TUNED_FROM_MB or size >= _TUNED_BELOW_BYTES:
        return []
    return [f"-A{ALLOCATION_AREA_MB}m", f"-O{ALLOCATION_AREA_MB}m"]


def run_pandoc(args: list[str], stdin: str, *, what: str,
               timeout: float | None = None, env: dict[str, str] | None = None
               ) -> PandocResult:
    """Run pandoc with ``args`` on ``stdin``; ``what`` names the input in messages;
    ``env`` adds to the environment (the docx writer dates its zip by SOURCE_DATE_EPOCH)."""
    timeout = timeout or time_limit()
    heap = heap_limit()
    runtime = ["+RTS", f"-M{heap}", *collector(heap, args, len(stdin)), "-RTS"]
    command = [pandoc_path(), *runtime, *args]
    log.debug("pandoc (%s): %s", what, shlex.join(command))
    try:
        done = subprocess.run(command, input=stdin.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False,
                              env={**os.environ, **env} if env else None)
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
    return PandocResult(done.stdout.decode("utf-8"), _warnings(stderr))


def _warnings(stderr: str) -> list[str]:
    """pandoc's warnings, one per ``[WARNING]``: a warning's indented continuation lines
    (a TeX parse error shows the formula, a caret and what was expected) stay with it."""
    warnings: list[str] = []
    for line in stderr.splitlines():
        if not line.strip():
            continue
        if warnings and line[:1].isspace() and not line.startswith("["):
            warnings[-1] += "\n" + line.rstrip()
        else:
            warnings.append(line.removeprefix("[WARNING] ").strip())
    return warnings


@functools.cache
def api_version() -> list[int]:
    """The pandoc AST version the pinned pandoc reads and writes (JSON documents carry it)."""
    return json.loads(run_pandoc(["-f", "markdown", "-t", "json"], "", what="pandoc").output
                      )["pandoc-api-version"]


def batches(items: Sequence[Item], size: Callable[[Item], int], jobs: int
            ) -> list[list[Item]]:
    """``items`` in a multiple of ``jobs`` batches of similar total ``size``, each batch
    in the items' order (at most :data:`CHAPTERS_PER_BATCH` per batch)."""
    if not items:
        return []
    jobs = max(1, jobs)
    count = min(len(items), jobs * math.ceil(len(items) / (jobs * CHAPTERS_PER_BATCH)))
    shares: list[list[int]] = [[] for _ in range(count)]
    loads = [0] * count
    for index in sorted(range(len(items)), key=lambda i: -size(items[i])):
        lightest = loads.index(min(loads))
        shares[lightest].append(index)
        loads[lightest] += size(items[index])
    return [[items[i] for i in sorted(share)] for share in shares]


@dataclass
class Converted:
    """One item of a batch: its output, or the error that stopped it; its warnings."""

    output: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: ToolError | None = None


def run_batch(args: list[str], items: Sequence[Item], document: Callable[[list[Item]], str],
              name: Callable[[Item], str], rel: Callable[[Item], str]) -> dict[str, Converted]:
    """Run pandoc once on ``document(items)`` and split its output by item ``name``.

    pandoc's messages do not say which item they are about, so a batch that fails or warns
    and holds more than one item is run again item by item (``rel`` names each item's file
    in messages): every error and warning comes back with the item it belongs to."""
    items = list(items)
    what = ", ".join(rel(item) for item in items)
    try:
        result = run_pandoc(args, document(items), what=what)
        outputs = _split_batch(result.output, [name(item) for item in items], what)
    except ToolError as error:
        if len(items) == 1:
            return {name(items[0]): Converted(error=error)}
        return _item_by_item(args, items, document, name, rel)
    if result.warnings and len(items) > 1:
        return _item_by_item(args, items, document, name, rel)
    return {name(item): Converted(outputs[name(item)], result.warnings) for item in items}


def _item_by_item(args: list[str], items: list[Item], document: Callable[[list[Item]], str],
                  name: Callable[[Item], str], rel: Callable[[Item], str]
                  ) -> dict[str, Converted]:
    converted: dict[str, Converted] = {}
    for item in items:
        converted.update(run_batch(args, [item], document, name, rel))
    return converted


def _split_batch(output: str, names: list[str], what: str) -> dict[str, str]:
    parts = BATCH_MARKER.split(output)[1:]
    outputs = dict(zip(parts[::2], parts[1::2], strict=True))
    if list(outputs) != names:
        raise ToolError(f"{what}: pandoc's output does not hold the chapters it was given")
    return outputs
