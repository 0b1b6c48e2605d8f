"""The package document (``content.opf``): the book's metadata, its files and their
reading order.

The metadata are the report's (title, authors, date, language, publisher, rights,
subjects, description, identifier) and the accessibility metadata of EPUB Accessibility
1.1: how the book can be read (access modes), what helps (features), what could harm
(hazards), a summary in words, the conformance claim, and where the page list comes from.
Only what this book has is claimed (MathML when it has formulas, page navigation when the
PDF's page map gave a page list)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from html import escape

from reportc.editions.base import Made

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


@dataclass
class Item:
    """One file of the manifest."""

    id: str
    href: str  # relative to EPUB/
    media_type: str
    properties: str = ""
    linear: bool | None = None  # in the spine (None: not in the spine)


def package_document(made: Made, items: list[Item], paged: bool, math: bool,
                     modified: dt.datetime) -> bytes:
    """``content.opf``: metadata, manifest, spine (the items with ``linear`` set, in
    order) and the EPUB 2 guide."""
    manifest = "".join(
        f'<item id="{escape(i.id)}" href="{escape(i.href)}" media-type="{i.media_type}"'
        + (f' properties="{i.properties}"' if i.properties else "") + "/>" for i in items)
    spine = "".join(f'<itemref idref="{escape(i.id)}"' + ("" if i.linear else ' linear="no"')
                    + "/>" for i in items if i.linear is not None)
    guide = "".join(f'<reference type="{kind}" title="{escape(title)}" href="{href}"/>'
                    for kind, title, href in _guide(items, made.config.title))
    lang = escape(made.config.lang)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" xml:lang="{lang}" '
            f'unique-identifier="epub-id-1"><metadata '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/">{_metadata(made, paged, math, modified)}'
            f'</metadata><manifest>{manifest}</manifest>'
            f'<spine toc="ncx">{spine}</spine><guide>{guide}</guide></package>\n'
            ).encode()


def _guide(items: list[Item], title: str) -> list[tuple[str, str, str]]:
    hrefs = {item.id: item.href for item in items}
    guide = [("toc", title, hrefs["nav"])] if "nav" in hrefs else []
    return guide + ([("cover", "Cover", hrefs["cover_xhtml"])] if "cover_xhtml" in hrefs else [])


def _text(words: str) -> str:
    """Words as the text of an element."""
    return escape(words, quote=False)


def identifier(made: Made) -> str:
    """The book's unique identifier: its DOI or ISBN, else a UUID made from the slug and
    the version (a random one would make a different book on every build)."""
    pub = made.config.publisher
    if pub.doi:
        return f"doi:{pub.doi}"
    if pub.isbn:
        return f"urn:isbn:{pub.isbn.replace('-', '')}"
    name = f"reportc:{made.config.slug}:{made.config.version}:{made.release.stamp}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def description(made: Made) -> str:
    record = made.context.matter.record
    return made.config.description or (record.description if record else "")


def _metadata(made: Made, paged: bool, math: bool, modified: dt.datetime) -> str:
    config, record = made.config, made.context.matter.record
    date = config.date or made.release.date
    out = [f'<dc:identifier id="epub-id-1">{_text(identifier(made))}</dc:identifier>',
           f'<dc:title id="epub-title-1">{_text(config.title)}</dc:title>',
           f"<dc:date>{date.isoformat()}</dc:date>",
           f"<dc:language>{_text(config.lang)}</dc:language>"]
    for n, author in enumerate(config.authors, 1):
        out += [f'<dc:creator id="epub-creator-{n}">{_text(author.name)}</dc:creator>',
                f'<meta refines="#epub-creator-{n}" property="role" '
                f'scheme="marc:relators">aut</meta>']
    out += [f"<dc:subject>{_text(keyword)}</dc:subject>" for keyword in config.keywords]
    if description(made):
        out.append(f"<dc:description>{_text(description(made))}</dc:description>")
    if config.organisation:
        out.append(f"<dc:publisher>{_text(config.organisation)}</dc:publisher>")
    if record and record.rights:
        out.append(f"<dc:rights>{_text(record.rights)}</dc:rights>")
    out.append(f'<meta property="dcterms:modified">{modified:%Y-%m-%dT%H:%M:%SZ}</meta>')
    out += [f'<meta property="{name}">{_text(value)}</meta>'
            for name, value in accessibility(made, paged, math)]
    return "".join(out)


def accessibility(made: Made, paged: bool, math: bool) -> list[tuple[str, str]]:
    """The accessibility metadata of EPUB Accessibility 1.1, as (property, value)."""
    pictures = bool(made.images)
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    features += ["alternativeText"] if pictures else []
    features += ["MathML"] if math else []
    features += ["pageNavigation", "pageBreakMarkers"] if paged else []
    properties = [("schema:accessMode", "textual")]
    properties += [("schema:accessMode", "visual")] if pictures else []
    properties += [("schema:accessModeSufficient", "textual")]
    properties += [("schema:accessibilityFeature", feature) for feature in features]
    properties += [("schema:accessibilityHazard", "none"),
                   ("schema:accessibilitySummary", summary(made, paged, math)),
                   ("dcterms:conformsTo", CONFORMANCE)]
    if made.config.organisation:
        properties.append(("a11y:certifiedBy", made.config.organisation))
    if paged:
        properties.append(("pageBreakSource", f"{made.stem}.pdf"))
    return properties


def summary(made: Made, paged: bool, math: bool) -> str:
    """The accessibility summary: what a reader who does not see the page can rely on."""
    said = ["The navigation document lists every chapter and section, and landmarks lead "
            "to the start of the text and to the bibliography."]
    if paged:
        said.append("A page list and page-break markers give the pages of the PDF edition "
                    "where a heading, figure, table, note or reference starts on them.")
    if made.images:
        said.append("Every figure has a text alternative and a caption.")
    if math:
        said.append("Formulas are MathML.")
    said.append("Notes are EPUB footnotes linked to and from their place in the text. The "
                "text reflows and takes the reading system's fonts, sizes and colours. "
                "Checked with EPUBCheck and DAISY Ace; no hazards.")
    return " ".join(said)
