"""The PDF's XMP metadata: the record the web edition carries (reportc.web.metadata).

WeasyPrint 70 writes the document information dictionary (title, authors, keywords) but
XMP only for PDF/A variants, and has no way to add Dublin Core rights or a DOI; so the
finished PDF gets its XMP packet here, with pikepdf. Nothing time- or run-dependent is
written (pikepdf's own editor mark and date are off): the same inputs give the same bytes.
PRISM 2.0 (``doi``, ``isbn``, ``issn``, ``url``) is written with the prefix pikepdf gives
its namespace URI, ``prism2:``; readers go by the URI, as XML namespaces are meant to.
"""

from __future__ import annotations

import io

import pikepdf

from reportc.project.publisher import Publisher
from reportc.web.metadata import Record

PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
XMP_RIGHTS = "http://ns.adobe.com/xap/1.0/rights/"


def add_xmp(pdf: bytes, record: Record) -> bytes:
    """``pdf`` with an XMP packet describing the report."""
    document = pikepdf.open(io.BytesIO(pdf))
    with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        _describe(meta, record)
        _publication(meta, record.config.publisher)
    buffer = io.BytesIO()
    document.save(buffer, deterministic_id=True,
                  object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _describe(meta: pikepdf.models.PdfMetadata, record: Record) -> None:
    """Dublin Core: what the report is, by whom, when, in which language."""
    config = record.config
    meta["dc:title"] = config.title
    meta["dc:creator"] = [author.name for author in config.authors]
    meta["dc:date"] = [record.date.isoformat()]
    meta["dc:language"] = [config.lang]
    meta["dc:type"] = ["Report"]
    if record.description:
        meta["dc:description"] = record.description
    if config.organisation:
        meta["dc:publisher"] = [config.organisation]
    if config.keywords:
        meta["dc:subject"] = list(config.keywords)
        meta["pdf:Keywords"] = ", ".join(config.keywords)
    if record.rights:
        meta["dc:rights"] = record.rights


def _publication(meta: pikepdf.models.PdfMetadata, pub: Publisher) -> None:
    """The publisher's marks: the licence (XMP rights), and the DOI, ISBN and ISSN (the
    first as the identifier, each in PRISM)."""
    if pub.licence:
        meta[f"{{{XMP_RIGHTS}}}WebStatement"] = pub.licence.url
        meta[f"{{{XMP_RIGHTS}}}Marked"] = "True"
    identifiers = [f"doi:{pub.doi}" if pub.doi else "",
                   f"urn:isbn:{pub.isbn}" if pub.isbn else "",
                   f"urn:issn:{pub.issn}" if pub.issn else ""]
    if any(identifiers):
        meta["dc:identifier"] = next(i for i in identifiers if i)
    if pub.doi:
        meta[f"{{{PRISM}}}doi"] = pub.doi
        meta[f"{{{PRISM}}}url"] = pub.doi_url
    if pub.isbn:
        meta[f"{{{PRISM}}}isbn"] = pub.isbn
    if pub.issn:
        meta[f"{{{PRISM}}}issn"] = pub.issn
