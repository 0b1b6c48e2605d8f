"""The Edition interface: what every edition of a report (web page, PDF, Word, EPUB,
brief) is to the build. The shared stages (read, number, cite, render) run once; each
edition then takes what they made (:class:`Made`) and writes its files into the staging
folder. An edition says

- its **name** (the ``--format`` value) and the **outputs** it writes (names in ``out/``);
- the **inputs** it reads besides what the shared stages made (:meth:`Edition.inputs`,
  files of the report or the theme: they feed its cache key and the build's fingerprint);
- the editions it **requires** (the EPUB takes its page list and cover from the PDF:
  asking for it builds the PDF too);
- what it **needs started early** (:meth:`Edition.start`: the PDF warms WeasyPrint up
  while pandoc works, in the process that forks its layout workers);
- **how it is cached** (:meth:`Edition.key`): a key over everything its bytes depend on,
  and the build stores and restores its files by that key (:mod:`reportc.editions.run`);
  ``None`` for an edition that is cheap to write or caches finer-grained pieces itself.

Adding an edition is one module with a subclass and one line in
:mod:`reportc.registry`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from reportc.cache import BuildCache
from reportc.citing.setup import CitationSetup
from reportc.document.model import ChapterDoc
from reportc.editions.page import PageContext
from reportc.editions.theme import Theme
from reportc.errors import Diagnostics
from reportc.evidence.check import Evidence
from reportc.project.config import ReportConfig
from reportc.project.versioning import Release
from reportc.run import Run


class Started(Protocol):
    """Work an edition began before the shared stages ran (:meth:`Edition.start`)."""

    def wait(self) -> None:
        """Wait until it is ready (the build calls it before any edition is written)."""

    def close(self) -> None:
        """End what it keeps running; called once the editions are written, or the build
        stopped before (safe to call twice)."""


class Pending(Protocol):
    """An edition's files still being made when its :meth:`Edition.write` returned (the
    web page's fonts, made while the PDF is laid out)."""

    def finish(self) -> None:
        """Write the rest of its files (the build calls it once every edition is written)."""

    def close(self) -> None:
        """End what it keeps running; called whether or not it finished (safe twice)."""


@dataclass
class Made:
    """What the shared stages made, the same for every edition, and the build's run (its
    options, diagnostics and cache) the editions read."""

    run: Run
    config: ReportConfig
    theme: Theme
    context: PageContext  # the rendered chapters, bibliography and publisher's matter
    release: Release
    docs: list[ChapterDoc]  # the numbered chapter ASTs (Word converts them)
    setup: CitationSetup  # citeproc's settings and the cited entries as CSL JSON
    stem: str  # the artifacts' file name without suffix: <slug>[-<label>]
    products: dict[str, Any] = field(default_factory=dict)  # what an edition hands the next
    evidence: Evidence = field(default_factory=Evidence)  # quotations and citations checked
    started: dict[str, Started] = field(default_factory=dict)  # edition name -> its start

    @property
    def diag(self) -> Diagnostics:
        return self.run.diag

    @property
    def cache(self) -> BuildCache:
        return self.run.cache

    @property
    def jobs(self) -> int:
        return self.run.jobs

    @property
    def single_pass(self) -> bool:
        return self.run.options.single_pass

    @property
    def self_contained(self) -> bool:
        return self.run.options.self_contained

    @property
    def reference_files(self) -> bool:
        """The .bib/.ris and cover picture beside a paged edition."""
        return self.run.options.reference_files

    @property
    def images(self) -> list[str]:
        """The report's images every edition shows: the chapters' and the logo."""
        logo = self.config.publisher.logo
        return sorted({image for doc in self.docs for image in doc.images}
                      | ({logo.path} if logo else set()))


class Edition(ABC):
    """One edition; subclasses are stateless (one instance is registered)."""

    name: ClassVar[str]  # the --format value
    reference_files: ClassVar[bool] = False  # the citation files (.bib, .ris) go beside it
    requires: ClassVar[tuple[str, ...]] = ()  # editions whose products it reads: built too
    paged: ClassVar[bool] = False  # laid out by WeasyPrint: every glyph checked before layout
    # reads the chapters' web HTML with its list of notes; a build whose editions all say
    # False (``--format pdf``) has pandoc leave the list out
    notes_list: ClassVar[bool] = True
    # the kind of output it is in Quarto's terms (html, pdf, docx, epub): the conditional
    # content it shows (reportc.editions.conditional); "": it shows no chapter text
    shows: ClassVar[str] = ""

    @abstractmethod
    def outputs(self, made: Made) -> list[str]:
        """The files it writes, relative to the output folder (the main one first)."""

    @abstractmethod
    def write(self, made: Made, folder: Path) -> Pending | None:
        """Write :meth:`outputs` into ``folder``; problems go to ``made.diag``. Files still
        being made may be left to the :class:`Pending` returned, finished once every
        edition is written (the other editions' work overlaps theirs)."""

    def begin(self, made: Made, folder: Path) -> None:
        """Begin writing before the editions ahead of it are written (the PDF's layout,
        in its worker processes, while the web edition is written); :meth:`write`
        finishes it. Called for every edition, first; one cached as a whole
        (:meth:`key`) begins nothing."""
        return None

    def inputs(self, config: ReportConfig, theme: Theme) -> list[Path]:
        """Files it reads besides the chapters, bibliography and theme the build hashes."""
        return []

    def start(self, run: Run, config: ReportConfig, theme: Theme) -> Started | None:
        """Work to begin while the shared stages run (the build waits for it before any
        edition is written, and closes it at its end); :meth:`write` finds it in
        ``made.started``."""
        return None

    def key(self, made: Made) -> str | None:
        """The cache key of its files (None: not cached as a whole)."""
        return None
