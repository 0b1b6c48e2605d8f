"""The evidence table as an edition (``--format evidence``, and written by every build that
found a source): ``<stem>-evidence.csv`` and ``<stem>-evidence.html``."""

from __future__ import annotations

from pathlib import Path

from reportc.editions.base import Edition, Made
from reportc.evidence.table import write_evidence


class EvidenceEdition(Edition):
    """The fact-checker's table of every citation and quotation (:mod:`reportc.evidence`);
    cheap to write, so not cached as a whole."""

    name = "evidence"
    notes_list = False  # a table of the checked quotations, not the chapters' HTML

    def outputs(self, made: Made) -> list[str]:
        return [f"{made.stem}-evidence.csv", f"{made.stem}-evidence.html"]

    def write(self, made: Made, folder: Path) -> None:
        write_evidence(folder, made.stem, made.config.title, made.config.lang,
                       made.evidence.rows)
