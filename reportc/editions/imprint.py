"""The imprint's two texts made by pandoc, how to cite the report and its acknowledgements,
begun in a thread before the report is cited (:class:`ImprintTexts`).

They depend on report.yaml, the style and the acknowledgements file alone; made after
citing, as they were, their pandoc run (0.1 s on the flagship's clean build) lay between
citing and the PDF's layout, with the build's process waiting for it.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from reportc.cache import BuildCache
from reportc.citing.citation import how_to_cite, render_markdown_file
from reportc.errors import Diagnostics
from reportc.project.config import ReportConfig


class ImprintTexts:
    """How to cite the report and its acknowledgements, as HTML, made in a thread; the
    problems found are held and reported by :meth:`result`, at the point of the build
    where they were reported when the texts were made there."""

    def __init__(self, config: ReportConfig, csl: Path | None, when: dt.date,
                 cache: BuildCache) -> None:
        self._held = Diagnostics.until_policy()
        self._texts = ("", "")
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._make, args=(config, csl, when, cache),
                                        name="reportc-imprint", daemon=True)
        self._thread.start()

    def _make(self, config: ReportConfig, csl: Path | None, when: dt.date,
              cache: BuildCache) -> None:
        try:
            self._texts = (how_to_cite(config, csl, when, self._held, cache),
                           render_markdown_file(config.publisher.acknowledgements,
                                                config.root, self._held, cache))
        except BaseException as exc:  # raised again in the build's thread (result)
            self._failure = exc

    def result(self, diag: Diagnostics) -> tuple[str, str]:
        """(how to cite, acknowledgements); their problems now reported to ``diag``."""
        self._thread.join()
        held, self._held = self._held, Diagnostics.until_policy()
        fails_strict = {id(problem): fails for problem, fails in held.pending or []}
        for problem in held.problems:
            if problem.severity == "error":
                diag.error(problem.message, problem.path, problem.line)
            else:
                diag.warning(problem.message, problem.path, problem.line, code=problem.code,
                             fails_strict=fails_strict.get(id(problem), True))
        if self._failure is not None:
            raise self._failure
        return self._texts

    def close(self) -> None:
        """Wait for the thread (a build stopped before it asked for the texts)."""
        self._thread.join()
