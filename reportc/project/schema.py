"""report.yaml's keys in one table: name, type, default, check and help.

Validation (:func:`reportc.project.config.load_config`), the manual's key table (between
``<!-- reportc:keys -->`` and ``<!-- /reportc:keys -->``) and the comments of the
report.yaml that ``reportc new`` writes are all made from :data:`KEYS`, so the three cannot
disagree. Each key also names the ``_quarto.yml`` key that feeds it
(:mod:`reportc.project.quarto` reads exactly those). The table's order is the order of
checking, which is the order of the messages.
"""

from __future__ import annotations

import re

from reportc.project import checks as c
from reportc.project.settings import (
    DEFAULT_CSL,
    LANG_PATTERN,
    SIDED,
    STATUSES,
    Context,
    Key,
    code_annotations,
)
from reportc.project.slug import slugify

__all__ = ["DEFAULT_CSL", "KEYS", "KNOWN_KEYS", "SIDED", "STATUSES", "Key", "commented",
           "quarto_keys"]


def _slug_default(ctx: Context) -> str:
    return slugify(ctx.config.title)


AUTHOR = (  # in this order in the message on an unknown field
    Key("name", "text", "the author's name (required)"),
    Key("affiliation", "text", "printed under the name"),
    Key("bio", "text", "a biography: adds About the authors"),
    Key("orcid", "ORCID iD", "check digit verified; linked to orcid.org"),
    Key("email", "e-mail address", "in About the authors"),
    Key("role", "text", "in About the authors"),
)

KEYS: tuple[Key, ...] = (
    Key("silence", "list of warning codes", "warning codes to drop (see Warnings)", c.silence,
        default=[]),
    Key("title", "text", "the report's title (required)", c.text, required=True,
        quarto=("title",)),
    Key("slug", "text", "names the outputs: out/SLUG.pdf, out/SLUG.html", c.text,
        default=_slug_default, shown_default="from the title",
        pattern=r"[A-Za-z0-9][A-Za-z0-9._-]*",
        message="slug '{value}' must use only letters, digits, '.', '_' and '-'",
        names_files=True, quarto=("output-file",)),
    Key("subtitle", "text", "printed under the title", c.text, quarto=("subtitle",)),
    Key("short_title", "text", "running head in the PDF (default: the title)", c.text),
    Key("organisation", "text", "the publishing organisation", c.text,
        aliases=("organization",)),
    Key("version", "text", "printed on the cover and in the metadata", c.text),
    Key("description", "text", "the metadata's description", c.text, quarto=("description",)),
    Key("lang", "BCP 47 tag", "hyphenation, quotation marks, dates in notes", c.text,
        default="en", pattern=LANG_PATTERN, quarto=("lang",),
        message="lang '{value}' is not a BCP 47 language tag (e.g. en-GB)"),
    Key("authors", "list of names or mappings", "each a name or {name, affiliation, ...}",
        c.authors, default=[], quarto=("author",), keys=AUTHOR),
    Key("date", "YYYY-MM-DD", "the report's date; without it, the build date", c.date,
        default=None, shown_default="the build date", quarto=("date",)),
    Key("abstract", "Markdown text", "printed first, under Abstract (pandoc's and Quarto's "
        "abstract:)", c.text, default="", quarto=("abstract",)),
    Key("keywords", "list of text", "the PDF's and the web page's keywords", c.text_list,
        default=[]),
    Key("attachments", "list of files", "files a chapter may attach to the PDF",
        c.attachments, default=[], names_files=True),
    Key("chapters", "list of files or part: groups", "the chapters in order (default: "
        "chapters/NN-*.md)", c.chapters, default=None, field="listed",
        quarto=("book.chapters", "project.render"), names_files=True),
    Key("appendices", "list of files or part: groups", "the appendices in order",
        quarto=("book.appendices",), names_files=True),
    Key("number_sections", "true/false", "number chapters and sections", c.flags,
        default=True, aliases=("number-sections",), quarto=("number-sections",)),
    Key("code-annotations", "below, hover, select or none", "Quarto's code annotations: "
        "none prints each block's list as an ordinary list", code_annotations,
        default="below", aliases=("code_annotations",), quarto=("code-annotations",),
        message="code-annotations '{value}' must be below, hover, select or none"),
    Key("include-in-header", "file or list of files", "LaTeX preambles (pandoc's "
        "--include-in-header): their macro definitions hold in every formula", c.header_files,
        default=[], field="header_macros", names_files=True),
    Key("header-includes", "TeX or list of TeX", "macro definitions for every formula "
        "(pandoc's header-includes)"),
    Key("crossref", "mapping", "the word a label takes, e.g. {fig-prefix: Fig.}", c.crossref,
        default={}, quarto=("crossref",), keys=(
            Key("KIND-prefix", "text", "fig, tbl, sec, eq, thm, ...: the word before the "
                "number"),)),
    Key("reference-section-title", "text", "the list of references' heading",
        c.text, shown_default="from the style and lang", field="references_title",
        quarto=("reference-section-title",)),
    Key("language", "mapping or YAML file", "reportc's own words (Contents, Figure, on the "
        "next page, ...) over the lang's: see Languages", c.language, default=None,
        shown_default="from lang", field="words", quarto=("language",), keys=(
            Key("KEY", "text", "toc-title-document, crossref-fig-title, xref-page-next, "
                "..."),), names_files=True),
    Key("nocite", "citation keys", "entries the bibliography lists though no chapter cites "
        "them (pandoc's nocite; `\"@*\"` lists every entry)", c.nocite, default=[],
        quarto=("nocite",)),
    Key("paper", "A4 or letter", "the PDF's paper size: A4 or letter", c.paper, default="A4",
        message="paper '{value}' must be A4 or letter"),
    Key("csl", "style name or .csl file", "any official CSL style, or a .csl file in the "
        "report", c.text, default=DEFAULT_CSL, quarto=("csl",), names_files=True),
    Key("sided", "double or single", "double: chapters open on right-hand pages; single: no "
        "blank pages", c.choice, default="double", choices=SIDED,
        message="sided '{value}' must be single or double"),
    Key("status", "draft, review or final", "a watermark for draft and review; final is "
        "strict", c.choice, choices=STATUSES,
        message="status '{value}' must be one of " + ", ".join(STATUSES)),
    Key("bibliography", "file or list of files", "BibTeX, biblatex, CSL JSON or CSL YAML",
        c.bibliographies, default="references.bib", shown_default="references.bib if there",
        field="bibliographies", quarto=("bibliography",), names_files=True),
    Key("logo", "file or {file, alt}", "an SVG or PNG on the cover", c.logo, default=None,
        field="publisher.logo", keys=(
            Key("file", "file", "the logo (SVG or PNG)"),
            Key("alt", "text", "its alt text (default: the organisation)")),
        names_files=True),
    Key("doi", "DOI", "the report's DOI (10.NNNN/suffix)", c.publisher_key,
        field="publisher.doi"),
    Key("isbn", "ISBN", "ISBN-10 or -13, check digit verified", c.publisher_key,
        field="publisher.isbn"),
    Key("issn", "ISSN", "check digit verified", c.publisher_key, field="publisher.issn"),
    Key("licence", "SPDX id", "printed with its name and link", c.publisher_key,
        default=None, aliases=("license",), field="publisher.licence"),
    Key("copyright", "text", "on the imprint page", c.publisher_key,
        field="publisher.copyright"),
    Key("disclaimer", "text", "on the imprint page", c.publisher_key,
        field="publisher.disclaimer"),
    Key("funding", "text", "on the imprint page", c.publisher_key, field="publisher.funding"),
    Key("acknowledgements", "Markdown file", "read like a chapter, on the imprint page",
        c.publisher_key, default=None, aliases=("acknowledgments",),
        field="publisher.acknowledgements", names_files=True),
    Key("lists", "list of figures, tables, takeaways", "lists in the front matter",
        c.publisher_key, default=[], field="publisher.lists"),
    Key("url", "http(s) address", "where the web edition is published", c.publisher_key,
        field="publisher.url"),
    Key("sources", "mapping of entry keys to files", "an entry's source text, for the "
        "evidence check", c.sources, default={}, names_files=True, keys=(
            Key("ENTRY", "file or list of files", "in the report or a --sources folder"),)),
    Key("charts", "mapping", "Vega-Lite config over the theme's", c.mapping, default={},
        message="'charts' must be a mapping of Vega-Lite config settings "
                "(font: ..., axis: {...})"),
    Key("brief", "{figure: id}", "the figure or table the policy brief shows", c.brief,
        field="brief_figure", keys=(Key("figure", "id", "a figure's or table's id"),)),
)

KNOWN_KEYS = frozenset(name for key in KEYS for name in key.names)
FILE_KEYS = frozenset(name for key in KEYS if key.names_files for name in key.names)


def quarto_keys() -> dict[str, str]:
    """Each _quarto.yml key reportc reads and the report.yaml key it feeds: metadata at
    the top level or under ``book:`` (or in a single document's front matter), the
    chapter lists under ``book:`` (``project.render`` for a single-document project)."""
    return {name: key.name for key in KEYS for name in key.quarto}


COMMENT_COLUMN = 32


def commented(text: str) -> str:
    """report.yaml text with each top-level key's help as its comment (reportc new)."""
    helps = {name: key.help for key in KEYS for name in key.names}
    out = []
    for line in text.splitlines():
        match = re.match(r"(?:# )?([A-Za-z_-]+):", line)
        if match and match.group(1) in helps and " # " not in line:
            line = f"{line.ljust(COMMENT_COLUMN - 1)} # {helps[match.group(1)]}"
        out.append(line)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")
