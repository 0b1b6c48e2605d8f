"""The accessibility metadata of EPUB Accessibility 1.1 in the package document: how the
book can be read (access modes), what helps (features), what could harm (hazards), a
summary in words, the conformance claim, and where the page list comes from. pandoc
writes a few of these itself; they are replaced, so each is said once and only what
this book has is claimed (MathML when it has formulas, page navigation when the PDF's
page map gave a page list)."""

from __future__ import annotations

from lxml import etree

from reportc.editions.base import Made

OPF_NS = "http://www.idpf.org/2007/opf"
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
REPLACED = ("schema:", "a11y:", "dcterms:conformsTo", "pageBreakSource")  # pandoc's and ours


def add_accessibility_metadata(opf: bytes, made: Made, paged: bool, math: bool) -> bytes:
    """The package document with this book's accessibility metadata."""
    tree = etree.fromstring(opf)
    metadata = tree.find(f"{{{OPF_NS}}}metadata")
    if metadata is None:
        return opf
    for meta in list(metadata):
        if (meta.get("property") or "").startswith(REPLACED):
            metadata.remove(meta)
    for name, value in _properties(made, paged, math):
        etree.SubElement(metadata, f"{{{OPF_NS}}}meta", {"property": name}).text = value
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8") + b"\n"


def _properties(made: Made, paged: bool, math: bool) -> list[tuple[str, str]]:
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
