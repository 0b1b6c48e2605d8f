"""The site's plan: which page holds what, in reading order, with each page's own metadata.

The landing page (``index.html``) holds the cover, the summary, the lists, the contents and
the downloads; each chapter and appendix gets ``<anchor>.html``; the bibliography gets
``bibliography.html``. Each page describes the report in its ``citation_*`` and Dublin Core
tags (the work a reference manager should save) and itself in its title, description,
canonical address and OpenGraph title and URL.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from markupsafe import Markup

from reportc.editions.metadata import MetaTag, PublisherMatter, dublin_core, highwire, open_graph
from reportc.editions.page import Part, for_web
from reportc.editions.typography import dash_citation_ranges
from reportc.project.config import ReportConfig

LANDING = "index.html"
BIBLIOGRAPHY = "bibliography.html"
DESCRIPTION_LENGTH = 200  # characters: what search engines show of a description


@dataclass
class SitePage:
    """One page of the site as the template sees it."""

    file: str
    kind: str  # landing | chapter | appendix | bibliography | ...
    title: str
    head_title: str
    number: str = ""
    label: str = ""  # "Chapter 2", "Appendix A"
    parts: list[Part] = field(default_factory=list)
    sections: list = field(default_factory=list)
    description: str = ""
    canonical: str = ""
    tags: list[MetaTag] = field(default_factory=list)
    prev: SitePage | None = None
    next: SitePage | None = None
    in_contents: bool = True

    @property
    def noun(self) -> str:  # the words' key: cite-chapter-title, cite-appendix-title
        return "appendix" if self.kind == "appendix" else "chapter"


def plan_pages(config: ReportConfig, parts: list[Part], has_bibliography: bool) -> list[SitePage]:
    """Every page in reading order, linked to its neighbours."""
    title = config.title
    summary = [p for p in parts if p.kind == "summary"]
    words = config.words
    pages = [SitePage(LANDING, "landing",
                      words["overview-title"] if summary else words["cover-title"], title,
                      parts=for_web(summary))]
    taken = {LANDING, BIBLIOGRAPHY}
    for part in (p for p in parts if p.kind != "summary"):
        page_part = dataclasses.replace(part, html=Markup(dash_citation_ranges(str(part.html))))
        pages.append(SitePage(_file_name(part.anchor, taken), part.kind, part.title,
                              f"{part.title} · {title}", part.number, _label(part),
                              [page_part], [h for h in part.headings if h.level == 2],
                              in_contents=not part.untitled))  # a declaration: not listed
    if has_bibliography:
        heading = config.references_title or words["section-title-references"]
        pages.append(SitePage(BIBLIOGRAPHY, "bibliography", heading, f"{heading} · {title}"))
    for before, after in itertools.pairwise(pages):
        before.next, after.prev = after, before
    return pages


def _file_name(anchor: str, taken: set[str]) -> str:
    """``<anchor>.html``, made safe as a file name and kept apart from the landing page,
    the bibliography and the other chapters (a chapter may be called "Bibliography")."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", anchor).strip(".-") or "part"
    name, number = f"{stem}.html", 2
    while name.lower() in taken:
        name, number = f"{stem}-{number}.html", number + 1
    taken.add(name.lower())
    return name


def _label(part: Part) -> str:
    """'Chapter 2' from the part's label markup, or '' for an unnumbered part."""
    text = re.sub(r"<[^>]+>", "", part.label or "").strip()
    if text:
        return text
    return f"{part.kind.capitalize()} {part.number}" if part.number else ""


def describe(pages: list[SitePage], matter: PublisherMatter, texts: dict[str, str],
             pdf_name: str) -> None:
    """Give each page its description, canonical address and metadata tags. ``texts``:
    each page's first paragraph as plain text; ``pdf_name``: the PDF beside the site."""
    record = matter.record
    if record is None:
        return
    base = record.config.publisher.url
    site_record = dataclasses.replace(
        record, pdf_url=f"../{pdf_name}" if pdf_name else "",
        image_url=f"../{record.image_url}" if record.image_url else "")
    for page in pages:
        own = texts.get(page.file, "")
        if page.kind == "bibliography":
            own = f"The works cited in {record.config.title}."
        page.description = (record.description if page.kind == "landing" or not own
                            else _shorten(own))
        page.canonical = urljoin(base, page.file) if base else ""
        described = dataclasses.replace(site_record, description=page.description)
        tags = highwire(described) + dublin_core(described) + open_graph(described)
        page.tags = [_own(tag, page) for tag in tags]


def _own(tag: MetaTag, page: SitePage) -> MetaTag:
    """OpenGraph's title and URL name the page (a shared link previews the chapter)."""
    if tag.key == "og:title" and page.kind != "landing":
        return MetaTag(tag.attribute, tag.key, page.head_title)
    if tag.key == "og:url" and page.canonical:
        return MetaTag(tag.attribute, tag.key, page.canonical)
    return tag


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    cut = text[:DESCRIPTION_LENGTH].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "\u2026"
