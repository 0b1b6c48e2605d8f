"""The charts a report's chapters seem to hold, found in their text before pandoc reads it
(#27 item 6).

Pandoc reads the chapters (a few tenths of a second) before :func:`reportc.charts.figures.
draw_charts` finds their charts in its document and sends them to the renderer, which by
then has started and waits. So the build first guesses: a ``{.chart}`` fence at the start
of a line with its lines up to the closing fence, and an image naming a spec file; each
spec that reads and checks is sent at once (unless the cache has its drawing). The
guesses only start drawings early: :func:`draw_charts` asks for every drawing from what
pandoc read, and gets a guessed one only where the spec and config sent are the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reportc.cache import BuildCache
from reportc.charts.engine import ChartEngine
from reportc.charts.figures import SPEC_SUFFIXES, chart_key, checked_chart
from reportc.charts.spec import SpecError
from reportc.charts.theme import ChartTheme
from reportc.paths import inside
from reportc.project.chapters import Chapter

_OPEN = re.compile(r"^(`{3,}|~{3,})\s*\{[^}\n]*\.chart\b[^}\n]*\}[ \t]*$")
_IMAGE = re.compile(r"\]\(\s*<?([^()\s<>]+?(?:" + "|".join(re.escape(s) for s in SPEC_SUFFIXES)
                    + r"))>?[\s)]", re.I)


def guess_charts(chapters: list[Chapter], root: Path, theme: ChartTheme, engine: ChartEngine,
                 cache: BuildCache) -> None:
    """Send the charts the chapters' text holds to the renderer, in a thread (see above)."""
    def charts() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        for text in spec_texts(chapters, root):
            try:
                chart = checked_chart(text, "", 0, root)
            except (SpecError, OSError, ValueError, RecursionError):
                continue
            if f"chart:{chart_key(chart, theme)}" not in cache.entries:  # (not marked used)
                yield chart.spec, theme.config

    engine.guess(charts)


def spec_texts(chapters: list[Chapter], root: Path) -> Iterator[str]:
    """Each chart spec the chapters seem to hold, as pandoc would give it: a fenced
    block's lines (a fence indented, or text with tabs, which pandoc widens, is left to
    pandoc), a spec file's text."""
    for chapter in chapters:
        lines = chapter.text.split("\n")
        for number, line in enumerate(lines):
            opened = _OPEN.match(line)
            if opened:
                fence = opened.group(1)
                body = _fenced(lines[number + 1:], fence)
                if body is not None and "\t" not in body:
                    yield body
        for match in _IMAGE.finditer(chapter.text):
            path = (root / match.group(1)).resolve()
            if inside(path, root.resolve()) and path.is_file():
                yield path.read_text(encoding="utf-8", errors="replace")


def _fenced(lines: list[str], fence: str) -> str | None:
    """The lines up to the closing fence (``None`` if it never closes)."""
    closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    for end, line in enumerate(lines):
        if closing.match(line):
            return "\n".join(lines[:end])
    return None
