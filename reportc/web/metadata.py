"""Scholarly metadata: what Google Scholar, reference managers and link previews read.

One :class:`Record` describes the report; the web edition's ``<head>`` carries it as
Highwire Press ``citation_*`` tags (Google Scholar's inclusion guidelines; Zotero's
"Embedded Metadata" translator), Dublin Core, OpenGraph and a schema.org ``Report`` in
JSON-LD, and the PDF carries it as XMP (:mod:`reportc.pdf.xmp`): the same facts in each.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from markupsafe import Markup

from reportc.document.lists import ReportLists, plain_text
from reportc.document.model import ChapterDoc
from reportc.pandoc import ast as A
from reportc.pdf.cover import can_draw_cover
from reportc.project.citation import person
from reportc.project.config import Author, ReportConfig


@dataclass(frozen=True)
class MetaTag:
    attribute: str  # "name" (Highwire, Dublin Core) or "property" (OpenGraph)
    key: str
    content: str


@dataclass
class Record:
    """The report's bibliographic description, built once from report.yaml."""

    config: ReportConfig
    date: dt.date
    description: str = ""
    pdf_url: str = ""  # relative to the HTML page
    image_url: str = ""  # the cover picture, relative to the HTML page
    tags: list[MetaTag] = field(default_factory=list)

    def address(self, relative: str) -> str:
        """``relative`` (a file beside the HTML page) as an absolute URL when report.yaml
        says where the web edition is published (``url``), else as it is."""
        base = self.config.publisher.url
        return urljoin(base, relative) if base and relative else relative

    @property
    def rights(self) -> str:
        """The rights statement: copyright line and licence, as the imprint prints them."""
        pub = self.config.publisher
        parts = [pub.copyright] if pub.copyright else []
        if pub.licence:
            parts.append(f"Licensed under {pub.licence.name} ({pub.licence.spdx}), "
                         f"{pub.licence.url}")
        return ". ".join(parts)


def summary_sentence(docs: list[ChapterDoc]) -> str:
    """The first sentence of the executive summary's first paragraph ('' if none)."""
    for doc in docs:
        if doc.chapter.kind != "summary":
            continue
        for node in A.iter_nodes(doc.ast["blocks"]):
            if node["t"] == "Para":
                text = plain_text(node["c"])
                match = re.match(r"(.+?[.!?])(\s+[A-Z\u201c\"(]|$)", text)
                return match.group(1) if match else text
    return ""


def make_record(config: ReportConfig, date: dt.date, summary: str, pdf_url: str,
                image_url: str = "") -> Record:
    record = Record(config, config.date or date,
                    summary or config.description or config.subtitle, pdf_url, image_url)
    record.tags = highwire(record) + dublin_core(record) + open_graph(record)
    return record


def highwire(record: Record) -> list[MetaTag]:
    """``citation_*`` tags; each author's institution follows the author it belongs to."""
    config, pub = record.config, record.config.publisher
    tags = [("citation_title", config.title)]
    for author in config.authors:
        tags.append(("citation_author", author.name))
        if author.affiliation:
            tags.append(("citation_author_institution", author.affiliation))
        if author.orcid:
            tags.append(("citation_author_orcid", author.orcid_url))
    tags += [("citation_publication_date", record.date.strftime("%Y/%m/%d")),
             ("citation_publisher", config.organisation),
             ("citation_technical_report_institution", config.organisation),
             ("citation_doi", pub.doi), ("citation_isbn", pub.isbn), ("citation_issn", pub.issn),
             ("citation_pdf_url", record.address(record.pdf_url)),
             ("citation_language", config.lang)]
    tags += [("citation_keywords", keyword) for keyword in config.keywords]
    return [MetaTag("name", key, value) for key, value in tags if value]


def dublin_core(record: Record) -> list[MetaTag]:
    config, pub = record.config, record.config.publisher
    tags = [("DC.title", config.title), ("DC.type", "Text"), ("DC.format", "text/html")]
    tags += [("DC.creator", author.name) for author in config.authors]
    tags += [("DC.date", record.date.isoformat()), ("DC.publisher", config.organisation),
             ("DC.language", config.lang), ("DC.description", record.description),
             ("DC.rights", record.rights)]
    tags += [("DC.identifier", value) for value in
             (pub.doi and f"https://doi.org/{pub.doi}", pub.isbn and f"urn:isbn:{pub.isbn}",
              pub.issn and f"urn:issn:{pub.issn}") if value]
    tags += [("DC.subject", keyword) for keyword in config.keywords]
    return [MetaTag("name", key, value) for key, value in tags if value]


def open_graph(record: Record) -> list[MetaTag]:
    config = record.config
    # OpenGraph takes absolute URLs only: og:url and og:image need report.yaml's `url`.
    base = config.publisher.url
    tags = [("og:type", "article"), ("og:title", config.title), ("og:url", base),
            ("og:description", record.description), ("og:site_name", config.organisation),
            ("og:locale", config.lang.replace("-", "_")),
            ("og:image", record.address(record.image_url) if base else ""),
            ("article:published_time", record.date.isoformat())]
    tags += [("article:author", author.name) for author in config.authors]
    return [MetaTag("property", key, value) for key, value in tags if value]


def json_ld(record: Record) -> str:
    """A schema.org ``Report``, safe to put inside a ``<script>`` element."""
    config, pub = record.config, record.config.publisher
    data: dict = {"@context": "https://schema.org", "@type": "Report", "name": config.title,
                  "headline": config.title, "datePublished": record.date.isoformat(),
                  "inLanguage": config.lang, "author": [_agent(a) for a in config.authors]}
    optional = {
        "alternativeHeadline": config.subtitle, "description": record.description,
        "version": config.version, "keywords": ", ".join(config.keywords),
        "license": pub.licence.url if pub.licence else "", "copyrightNotice": pub.copyright,
        "isbn": pub.isbn, "issn": pub.issn, "image": record.address(record.image_url),
        "url": pub.url,
        "sameAs": pub.doi_url, "funding": pub.funding,
    }
    data.update({k: v for k, v in optional.items() if v})
    if config.organisation:
        data["publisher"] = {"@type": "Organization", "name": config.organisation}
    if pub.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": pub.doi}
    if record.pdf_url:
        data["encoding"] = {"@type": "MediaObject", "contentUrl": record.address(record.pdf_url),
                            "encodingFormat": "application/pdf"}
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _agent(author: Author) -> dict:
    name = person(author)
    agent: dict = {"@type": "Organization" if "literal" in name else "Person",
                   "name": author.name}
    if author.affiliation:
        agent["affiliation"] = {"@type": "Organization", "name": author.affiliation}
    if author.orcid:
        agent["sameAs"] = author.orcid_url
    if author.email:
        agent["email"] = author.email
    return agent


@dataclass
class PublisherMatter:
    """What the page templates need for the imprint, lists, biographies and metadata."""

    record: Record | None = None
    json_ld: str = ""
    cite: Markup = field(default_factory=Markup)  # the report's reference in its own style
    acknowledgements: Markup = field(default_factory=Markup)
    lists: ReportLists = field(default_factory=ReportLists)
    bib_name: str = ""
    ris_name: str = ""

    @property
    def imprint(self) -> bool:
        return bool(self.record and self.record.config.publisher.has_imprint)

    @property
    def about_authors(self) -> bool:
        config = self.record.config if self.record else None
        return bool(config and any(a.bio for a in config.authors))


def publisher_matter(config: ReportConfig, docs: list[ChapterDoc], lists: ReportLists,
                     cite_html: str, acknowledgements: str, date: dt.date, stem: str,
                     with_pdf: bool) -> PublisherMatter:
    """Everything of #17 the page needs; ``stem`` names the PDF and reference files, which
    are linked only when they are published beside the page (``with_pdf``)."""
    record = make_record(config, date, summary_sentence(docs),
                         f"{stem}.pdf" if with_pdf else "",
                         f"{stem}-cover.png" if with_pdf and can_draw_cover() else "")
    return PublisherMatter(record, json_ld(record), Markup(cite_html), Markup(acknowledgements),
                           lists, f"{stem}.bib" if with_pdf else "",
                           f"{stem}.ris" if with_pdf else "")
