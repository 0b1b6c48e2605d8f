"""The editions ``--format`` chooses from, in the order a build writes them. Adding an
edition: one module with an :class:`~reportc.editions.base.Edition` subclass and one
entry here. It sits above the editions, which take the interface from
:mod:`reportc.editions` below them."""

from __future__ import annotations

from reportc.brief.edition import BriefEdition
from reportc.docx.writer import DocxEdition
from reportc.editions.base import Edition
from reportc.epub.edition import EpubEdition
from reportc.evidence_table.edition import EvidenceEdition
from reportc.pdf.edition import PdfEdition
from reportc.site.edition import SiteEdition
from reportc.web.html import HtmlEdition

_ORDER: tuple[Edition, ...] = (HtmlEdition(), PdfEdition(), DocxEdition(),
                               EpubEdition(), BriefEdition(), EvidenceEdition(),
                               SiteEdition())  # the site offers the others for download
EDITIONS: dict[str, Edition] = {edition.name: edition for edition in _ORDER}


def chosen(formats: tuple[str, ...]) -> list[Edition]:
    """The editions named in ``formats`` and those they require, in registry order (an
    edition comes after the ones it requires; unknown names are the command line's to
    refuse)."""
    wanted = set(formats)
    for name in formats:
        edition = EDITIONS.get(name)
        wanted |= set(edition.requires) if edition else set()
    return [edition for name, edition in EDITIONS.items() if name in wanted]
