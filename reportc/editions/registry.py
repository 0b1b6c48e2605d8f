"""The editions ``--format`` chooses from, in the order a build writes them. Adding an
edition: one module with an :class:`~reportc.editions.base.Edition` subclass and one
entry here."""

from __future__ import annotations

from reportc.docx.writer import DocxEdition
from reportc.editions.base import Edition
from reportc.pdf.edition import PdfEdition
from reportc.web.html import HtmlEdition

_ORDER: tuple[Edition, ...] = (HtmlEdition(), PdfEdition(), DocxEdition())
EDITIONS: dict[str, Edition] = {edition.name: edition for edition in _ORDER}


def chosen(formats: tuple[str, ...]) -> list[Edition]:
    """The editions named in ``formats``, in registry order (unknown names are the command
    line's to refuse)."""
    return [edition for name, edition in EDITIONS.items() if name in formats]
