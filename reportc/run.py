"""One build's run context: what a build is asked (:class:`BuildOptions`) and what every
stage of it shares (:class:`Run`): the diagnostics with their policy, the cache and the
folders. ``build()`` makes the run once; stages take it instead of six parameters that
travel together."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from reportc.cache import BuildCache
from reportc.errors import Diagnostics

DEFAULT_FORMATS = ("html", "pdf")


@dataclass
class BuildOptions:
    root: Path
    out: Path | None = None
    formats: tuple[str, ...] = DEFAULT_FORMATS
    strict: bool = False
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    use_cache: bool = True
    version_label: str = ""  # names the artifacts <slug>-<label>.pdf/.html (CI: the tag)
    status: str = ""  # draft | review | final; overrides report.yaml's status
    git_stamp: bool = True  # stamp `git describe` on the outputs when there is a repository
    self_contained: bool = False  # one HTML file: CSS, fonts and images inlined as data: URLs
    live_reload: str = ""  # watch mode: build id the page polls to reload itself
    single_pass: bool = False  # lay the PDF out in one WeasyPrint pass (slower; for checks)
    family: str = "report"  # "redline": replaces earlier redlines in out/, not the report
    reference_files: bool = True  # <stem>.bib/.ris and the cover picture beside the PDF (#17)
    source_dirs: tuple[Path, ...] = ()  # --sources: folders outside the report sources may be in
    document: str = ""  # `reportc FILE.md`: that document alone is the report (root: its folder)
    # `reportc metadata.yaml ch1.md ch2.md`: these files of root are the report, in this order
    documents: tuple[str, ...] = ()
    # with them, pandoc's options given (("--csl", "style.csl"), ("--metadata", "lang=de"))
    pandoc_options: tuple[tuple[str, str], ...] = ()
    profile: str | None = None  # --profile a,b: Quarto's active profiles (None: not given)

    @property
    def out_dir(self) -> Path:
        return self.out or self.root / "out"

    @property
    def given_files(self) -> tuple[str, ...]:
        """The documents (and metadata files) named on the command line, if any."""
        return self.documents or ((self.document,) if self.document else ())


@dataclass(frozen=True)
class Run:
    """One build as its stages see it. ``diag``'s policy (strict, silenced) is set by
    ``build()`` before the run exists, so no stage changes it."""

    options: BuildOptions
    root: Path  # the report folder, resolved
    diag: Diagnostics
    cache: BuildCache

    @property
    def out_dir(self) -> Path:
        return self.options.out_dir

    @property
    def jobs(self) -> int:
        """Parallel pandoc and PDF layout processes."""
        return self.options.jobs
