"""Errors and diagnostics.

Users see one line per problem, ``path:line: message``. Stages report every
problem they find into a :class:`Diagnostics` collector and the orchestrator
fails once, after the stage, so a writer fixes all problems in one round.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("reportc")
PathLike = str | Path | None


class ReportError(Exception):
    """Base class of every error a user can act on; ``str()`` is the full message."""


class ConfigError(ReportError):
    """``report.yaml`` is missing, malformed or inconsistent."""


class SourceError(ReportError):
    """A chapter or the bibliography contains something the build cannot accept."""


class ToolError(ReportError):
    """pandoc or WeasyPrint failed; the message carries the tool's own words."""


class BuildFailed(ReportError):
    """Raised after a stage that reported one or more errors."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} error(s)")


@dataclass(frozen=True)
class Problem:
    """One diagnostic: where it is and what is wrong."""

    message: str
    path: str | None = None
    line: int | None = None
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.path or ""
        if self.path and self.line:
            where = f"{self.path}:{self.line}"
        prefix = f"{where}: " if where else ""
        label = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{label}{self.message}"


@dataclass
class Diagnostics:
    """Collects problems across a build; ``strict`` turns warnings into errors."""

    strict: bool = False
    problems: list[Problem] = field(default_factory=list)

    def error(self, message: str, path: PathLike = None, line: int | None = None) -> None:
        self._add(Problem(message, _as_str(path), line, "error"))

    def warning(self, message: str, path: PathLike = None, line: int | None = None, *,
                fails_strict: bool = True) -> None:
        """``fails_strict=False``: a remark ``--strict`` does not turn into an error
        (an entry of the bibliography nobody cites: a library is not a mistake)."""
        severity = "error" if self.strict and fails_strict else "warning"
        self._add(Problem(message, _as_str(path), line, severity))

    def _add(self, problem: Problem) -> None:
        if problem in self.problems:
            return
        self.problems.append(problem)
        if problem.severity == "warning":
            log.warning("%s", problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        """Stop the build after a stage that found errors (all are reported at once)."""
        if self.errors:
            raise BuildFailed(self.errors)


def _as_str(path: PathLike) -> str | None:
    return None if path is None else str(path)
