"""What the PDF merge is given and gives back (:mod:`reportc.pdf.merge`), without pikepdf:
the build's process sends parts to the merge process and reads its reply, and importing
pikepdf there (0.1 s of an edit's CPU) bought it nothing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PartPages:
    """Pages ``first .. first+count-1`` (0-based) of a PDF, minus some anchor names; for a
    first part taken from the last merged PDF, the XMP packet it had when laid out (the
    merged PDF's own carries the report's description)."""

    pdf: bytes
    first: int
    count: int
    ghosts: frozenset[str] = frozenset()
    metadata: bytes | None = None


@dataclass(frozen=True)
class Merged:
    """The merged PDF, and its first part's XMP packet as laid out (empty: it had none),
    for the next build to start from if it takes that part from this PDF."""

    pdf: bytes
    metadata: bytes
