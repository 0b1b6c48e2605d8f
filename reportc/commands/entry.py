"""The ``reportc`` command's entry point (pyproject's ``[project.scripts]``, ``python -m
reportc`` and ``build.py``): the chart renderer starts before the build is imported.

Importing the build costs 0.4 s of CPU; the renderer's start-up (a JavaScript engine) 0.45 s
more. Started first, the renderer warms up on the other core while the build is imported
and the chapters are read, instead of after (#27 item 6). This module imports only
:mod:`reportc.charts.early` (the standard library) until the renderer has started.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from reportc.charts.early import spawn

Early = tuple[subprocess.Popen[str], list[str]] | None


def main() -> int:
    """``reportc [ARGS]``: start the renderer if the report has charts to draw, then run."""
    return command(spawn(sys.argv[1:]))()


def command(early: Early) -> Callable[[], int]:
    """The command line's ``main``, imported now, with ``early`` (a renderer's process
    started before, or ``None``) handed to the build, which adopts it if its fonts are the
    report's theme's."""
    from reportc.commands.cli import main as run

    if early is not None:  # (the engine's module is not needed by a report without charts)
        from reportc.charts.engine import adopt

        adopt(early)
    return run
