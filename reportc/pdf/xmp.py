"""The PDF's XMP metadata: the record the web edition carries (reportc.editions.metadata).

WeasyPrint 70 writes the document information dictionary (title, authors, keywords) but
XMP only for PDF/A variants, and has no way to add Dublin Core rights or a DOI; so the
finished PDF gets its XMP packet here, with pikepdf. Nothing time- or run-dependent is
written (pikepdf's own editor mark and date are off): the same inputs give the same bytes.
PRISM 2.0 (``doi``, ``isbn``, ``issn``, ``url``) is written with the prefix pikepdf gives
its namespace URI, ``prism2:``; readers go by the URI, as XML namespaces are meant to.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from reportc.editions.metadata import Record
from reportc.project.publisher import Publisher

if TYPE_CHECKING:  # pikepdf is imported where a PDF is opened: xmp_fields runs without it
    import pikepdf

PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
XMP_RIGHTS = "http://ns.adobe.com/xap/1.0/rights/"


Fields = dict[str, str | list[str]]


def add_xmp(pdf: bytes, fields: Fields) -> bytes:
    """``pdf`` with an XMP packet holding ``fields`` (a PDF laid out in one pass; the parts'
    merge writes them while it saves, :func:`reportc.pdf.merge.assemble`)."""
    import pikepdf

    document = pikepdf.open(io.BytesIO(pdf))
    describe(document, fields)
    buffer = io.BytesIO()
    document.save(buffer, deterministic_id=True,
                  object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def describe(document: pikepdf.Pdf, fields: Fields) -> None:
    """Write ``fields`` into the document's XMP packet (kept as it is otherwise)."""
    with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        for name, value in fields.items():
            meta[name] = value


def xmp_fields(record: Record) -> Fields:
    """The XMP properties describing the report, in the order they are written."""
    fields: Fields = {}
    _describe(fields, record)
    _publication(fields, record.config.publisher)
    return fields


def _describe(meta: Fields, record: Record) -> None:
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


def _publication(meta: Fields, pub: Publisher) -> None:
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
