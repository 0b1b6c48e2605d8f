"""Errors and diagnostics.

Users see one line per problem, ``path:line: message``. Stages report every
problem they find into a :class:`Diagnostics` collector and the orchestrator
fails once, after the stage, so a writer fixes all problems in one round.
Every warning carries a code (``path:line: warning: message [bib.unused]``, as
Sphinx prints them) that report.yaml's ``silence:`` list can name to drop it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

log = logging.getLogger("reportc")
PathLike = str | Path | None
T = TypeVar("T")

# Every warning's code, and what it means (listed in docs/chapters/10-errors.md, "Warnings").
WARNING_CODES = {
    "bib.dropped": "a LaTeX command in a cited entry's field whose text pandoc leaves out",
    "bib.unused": "an entry of the bibliography is never cited (never fails --strict)",
    "bib.repeated": "a cited entry repeats a field (the first value is kept, as in BibTeX)",
    "bib.link": "a cited entry's url, doi or eprint is not a working link",
    "bib.fields": "a cited entry lacks a field its printed reference needs",
    "bib.empty": "a cited entry prints nothing in the style and is left out of the list",
    "bib.string": "one @string defines several macros (BibTeX and pandoc refuse it; reportc "
                  "reads each)",
    "image.alt": "an image has no alt text",
    "xref.word": "a cross-reference repeats the word its label brings ('Figure @fig-x')",
    "link.target": "a link to '#x' no heading, figure or other element of the report has "
                   "(its words print without the link)",
    "float.caption": "a figure or table block has no caption",
    "heading.level": "a chapter has a second level-1 heading (treated as a section)",
    "quarto.annotation": "a Quarto code annotation marker or list item without its other "
                         "half (or code-annotations with an unknown value)",
    "quarto.presentation": "a Quarto project's slide deck (format: revealjs, pptx, beamer) is "
                           "left out of the report",
    "quarto.notebook": "a Quarto project's Jupyter notebook is left out of the report (save "
                       "it as Markdown to print it)",
    "quarto.draft": "a Quarto website's draft (draft: true) is left out of the report",
    "quarto.listing": "a Quarto listing's YAML items or template are not printed",
    "quarto.filter": "a Quarto project's Lua filter is not run (what it adds is missing)",
    "quarto.conditional": "a heading, figure, table or note in content for some editions "
                          "only is numbered in all (the others skip its number); a "
                          "cross-reference to content for none of the editions built",
    "jupyterbook.config": "a Jupyter Book setting reportc does not do (code execution, Sphinx "
                          "extensions, a toc url entry)",
    "myst.directive": "a MyST directive reportc does not read (its content kept as text)",
    "myst.role": "a MyST role reportc does not read (its text kept as code)",
    "myst.glue": "a MyST-NB glue role or directive names an output no notebook of the book "
                 "stored (its name prints)",
    "myst.code-cell": "MyST code cells print as code, without outputs (reportc never runs "
                      "code)",
    "language.missing": "a word reportc prints itself has no translation into the report's "
                        "lang and prints in English (set it under language:)",
    "config.unknown": "report.yaml has a setting reportc does not know (ignored)",
    "config.bibliography": "a page's own bibliography is not a file of the report",
    "config.title": "a Quarto document without a title: its file name is the report's title",
    "chapter.skipped": "a file in chapters/ is not a .md file (skipped)",
    "chapter.prefix": "a chapter file has no NN- number prefix",
    "chapter.empty": "a chapter holds only raw markup that is left out (skipped)",
    "chapter.unlisted": "a chapter file is not listed in report.yaml's chapters (left out)",
    "frontmatter.unknown": "a chapter's front matter has a key reportc does not know",
    "frontmatter.title": "a front matter title over level-1 headings (they become its sections)",
    "heading.first": "a chapter has text before its level-1 heading (moved below it)",
    "image.remote": "a remote image is not fetched: its description prints as a link to it",
    "markdown.fence": "a ':::' block fence pandoc reads as words (left out, not printed)",
    "markdown.list": "a list item right after a paragraph line is read as text (add a blank line)",
    "shortcode.unknown": "a Quarto shortcode reportc does not read ({{< var >}}, {{< meta >}}; "
                         "left out)",
    "template.undefined": "a Manubot template prints a variable reportc does not give (a CI "
                          "service's, or one of a variables file it cannot read): nothing",
    "freeze.stale": "a file was edited after Quarto froze its results (it prints as frozen)",
    "environment.box": "a pandoc-latex-environment box whose class names no callout kind "
                       "prints as plain text",
    "raw.html": "raw HTML other than a comment or a simple tag (left out, its content kept)",
    "raw.latex": "raw LaTeX reportc cannot give a meaning (left out)",
    "raw.other": "a raw block for another output format, ```{=typst} (left out)",
    "cite.identifier": "a Manubot citation (@doi:..., @url:...) no bibliography file holds "
                       "(printed as a link)",
    "pandoc": "pandoc warned while reading or rendering a chapter or the bibliography",
    "pandoc.option": "a pandoc option given with the documents that reportc has no use for "
                     "(-o, --pdf-engine, -V, a filter): taken, not used",
    "layout": "WeasyPrint warned while laying out the PDF",
    "cache": "the build cache is unreadable (a clean build follows)",
    "theme.deprecated": "the theme uses a file name reportc will stop reading",
    "quote.mismatch": "a cited quotation is not in the source of the entry it cites",
    "source.copy": "a sentence outside quotation marks follows a source sentence too closely",
    "source.outside": "bibliography file fields point outside the report (not read; never "
                      "fails --strict)",
    "source.refused": "a source file outside the report, not in a --sources folder (not read)",
    "source.missing": "a source file named in report.yaml or a file field cannot be read",
    "compat": "the installed WeasyPrint or pydyf is not the version the PDF layout is pinned "
              "to (laid out in one pass; never fails --strict)",
}


class ReportError(Exception):
    """Base class of every error a user can act on; ``str()`` is the full message."""


class ConfigError(ReportError):
    """``report.yaml`` is missing, malformed or inconsistent."""


class ToolError(ReportError):
    """pandoc or WeasyPrint failed; the message carries the tool's own words."""


class BuildFailed(ReportError):
    """Raised after a stage that reported one or more errors."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class Problem:
    """One diagnostic: where it is and what is wrong."""

    message: str
    path: str | None = None
    line: int | None = None
    severity: str = "error"  # "error" or "warning"
    code: str = ""  # a warning's code (also when --strict made it an error)

    def __str__(self) -> str:
        where = self.path or ""
        if self.path and self.line:
            where = f"{self.path}:{self.line}"
        prefix = f"{where}: " if where else ""
        label = "warning: " if self.severity == "warning" else ""
        code = f" [{self.code}]" if self.code else ""
        return f"{prefix}{label}{self.message}{code}"


@dataclass
class Diagnostics:
    """Collects problems across a build; ``strict`` turns warnings into errors."""

    strict: bool = False
    problems: list[Problem] = field(default_factory=list)
    silenced: frozenset[str] = frozenset()  # warning codes report.yaml's silence: drops
    # a chapter whose text holds other files ({{< include >}}): (file, line) of each line
    origins: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # Warnings found before the policy is known (report.yaml's own, read before its
    # silence: list and status are), each with its fails_strict; None once it is set.
    pending: list[tuple[Problem, bool]] | None = None

    @classmethod
    def until_policy(cls) -> Diagnostics:
        """Diagnostics that hold warnings back until :meth:`set_policy` (a build reads its
        policy from report.yaml, whose own warnings it must already obey)."""
        return cls(pending=[])

    def set_policy(self, *, strict: bool, silenced: frozenset[str]) -> None:
        """Set the policy once: ``strict`` (``--strict`` or a final status) and the codes
        ``silenced``. Warnings held back so far are dropped, kept or made errors by it, in
        the order they were found, and printed."""
        self.strict, self.silenced = strict, silenced
        pending, self.pending = self.pending or [], None
        fails = {id(problem): fails_strict for problem, fails_strict in pending}
        found, self.problems = self.problems, []
        for problem in found:
            if id(problem) not in fails:
                self.problems.append(problem)
            elif problem.code not in silenced:
                error = strict and fails[id(problem)]
                self._add(replace(problem, severity="error" if error else "warning"))

    def error(self, message: str, path: PathLike = None, line: int | None = None) -> None:
        self._add(Problem(message, *self._where(path, line), "error"))

    def origins_of(self, rel: str, text: str) -> list[tuple[str, int]]:
        """Where each line of chapter ``rel``'s ``text`` was written: the origins recorded
        when its text was put together from other lines, else its own lines."""
        return self.origins.get(rel) or [(rel, n) for n in range(1, text.count("\n") + 2)]

    def _where(self, path: PathLike, line: int | None) -> tuple[str | None, int | None]:
        """The file and line a writer sees: a line of an included file is its own."""
        name = _as_str(path)
        origin = self.origins.get(name or "")
        if origin and line and 0 < line <= len(origin):
            return origin[line - 1]
        return name, line

    def warning(self, message: str, path: PathLike = None, line: int | None = None, *,
                code: str, fails_strict: bool = True) -> None:
        """A warning with its ``code`` (one of :data:`WARNING_CODES`); dropped if silenced,
        an error under ``strict`` unless ``fails_strict=False`` (a remark ``--strict`` does
        not turn into an error: an entry of the bibliography nobody cites)."""
        if code not in WARNING_CODES:
            raise ValueError(f"unknown warning code {code!r}")
        if self.pending is not None:
            held = Problem(message, *self._where(path, line), "warning", code)
            if held not in self.problems:
                self.pending.append((held, fails_strict))
                self.problems.append(held)
            return
        if code in self.silenced:
            return
        severity = "error" if self.strict and fails_strict else "warning"
        self._add(Problem(message, *self._where(path, line), severity, code))

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


def reported(value: T | None) -> T:
    """A stage's result after :meth:`Diagnostics.raise_if_errors`: stages return ``None``
    only where they reported an error, so none is left."""
    if value is None:
        raise RuntimeError("a stage returned nothing and reported no error")
    return value


def _as_str(path: PathLike) -> str | None:
    return None if path is None else str(path)
