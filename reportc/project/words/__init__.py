"""The table of reportc's own words (see :mod:`reportc.project.language`): English, and
each translation, a module per language named by its code (as Quarto keeps a file per
language). A translation may leave a key out; the word then prints in English and the
build says so (``language.missing``). ``months`` is the twelve months' names, space
separated; ``date-format`` places ``{day}``, ``{month}`` and ``{year}``."""

from __future__ import annotations

from reportc.project.words import de, es, fr, it, nl, pt

# Quarto's older names of the same words
ALIASES = {f"callout-{kind}-caption": f"callout-{kind}-title"
           for kind in ("note", "tip", "warning", "important", "caution")}

ENGLISH: dict[str, str] = {
    # Quarto's keys
    "toc-title-document": "Contents",
    "section-title-footnotes": "Notes",
    "section-title-references": "Bibliography",
    "section-title-abstract": "Abstract",
    "callout-note-title": "Note",
    "callout-tip-title": "Tip",
    "callout-warning-title": "Warning",
    "callout-important-title": "Important",
    "callout-caution-title": "Caution",
    "crossref-fig-title": "Figure",
    "crossref-tbl-title": "Table",
    "crossref-lst-title": "Listing",
    "crossref-thm-title": "Theorem",
    "crossref-lem-title": "Lemma",
    "crossref-cor-title": "Corollary",
    "crossref-prp-title": "Proposition",
    "crossref-cnj-title": "Conjecture",
    "crossref-def-title": "Definition",
    "crossref-exm-title": "Example",
    "crossref-exr-title": "Exercise",
    "crossref-ch-prefix": "Chapter",
    "crossref-apx-prefix": "Appendix",
    "crossref-sec-prefix": "Section",
    "crossref-eq-prefix": "Equation",
    "crossref-lof-title": "Figures",
    "crossref-lot-title": "Tables",
    "environment-proof-title": "Proof",
    "environment-remark-title": "Remark",
    "environment-solution-title": "Solution",
    # reportc's own
    "xref-page": "on p.",
    "xref-page-next": "on the next page",
    "xref-page-previous": "on the previous page",
    "takeaways-title": "Key takeaways",
    "takeaways-list-title": "Key takeaways at a glance",
    "lists-title": "Lists of figures, tables and key takeaways",
    "footnote-title": "Note",
    "footnote-back": "Back to the text of note",
    "skip-to-report": "Skip to the report",
    "skip-to-text": "Skip to the text",
    "cover-title": "Cover",
    "imprint-title": "Imprint",
    "version-title": "Version",
    "version-inline": "version",
    "build-title": "Build",
    "built-with": "Built with reportc.",
    "about-authors-title": "About the authors",
    "licence-title": "Licence",
    "disclaimer-title": "Disclaimer",
    "funding-title": "Funding",
    "acknowledgements-title": "Acknowledgements",
    "cite-title": "How to cite this report",
    "cite-files": "Reference files",
    "search-label": "Search the report",
    "search-no-results-text": "No results",
    "search-result": "result",
    "search-results": "results",
    "search-shown": "the first {count} shown",
    "search-unavailable": "Search is not available",
    "downloads-title": "Download the report",
    "cover-alt": "The cover of the PDF edition",
    "download-pdf": "print edition",
    "download-epub": "e-readers",
    "download-docx": "for comments",
    "download-citation": "citation",
    "cite-chapter-title": "How to cite this chapter",
    "cite-appendix-title": "How to cite this appendix",
    "cite-in": "in",
    "pager-title": "Previous and next",
    "pager-previous": "Previous",
    "pager-next": "Next",
    "overview-title": "Overview",
    "status-not-final": "not the final text",
    "brief-title": "Policy brief",
    "brief-description": "Policy brief of the report",
    "brief-title-inline": "policy brief",
    "brief-figure": "From the report",
    "brief-source-title": "The full report",
    "brief-cite-title": "How to cite it",
    "brief-where": "Where to get it",
    "landmark-title-page": "Title Page",
    "landmark-toc": "Table of Contents",
    "landmark-start": "Start of content",
    "status-draft": "DRAFT",
    "status-review": "REVIEW",
    "status-commit": "commit",
    "status-changes": "local changes",
    "chart-data": "Data of this chart ({rows})",
    "chart-data-shown": "Data of this chart ({rows}, the first {count} shown)",
    "chart-row": "row",
    "chart-rows": "rows",
    "page-of": "of",
    "table-shown": "Shown: {extent}.",
    "table-rows": "rows {first}–{last} of {total}",
    "table-columns": "columns {first}–{last} of {total}",
    "months": "January February March April May June July August September October "
              "November December",
    "date-format": "{day} {month} {year}",
}

TRANSLATIONS: dict[str, dict[str, str]] = {
    module.__name__.rsplit(".", 1)[1]: module.WORDS for module in (de, es, fr, it, nl, pt)}
TRANSLATIONS["pt-br"] = pt.BRAZIL  # a region's own words, where they differ
