"""The pandoc document the EPUB is written from: the report's metadata (title page,
package metadata) and every numbered chapter as the citing stage cited it (the same
citations, notes and list as the PDF and the web page: citeproc runs once per build),
then the bibliography."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from reportc.citing.cited import Cited
from reportc.document.numbering import flatten_chapter_heading
from reportc.editions.base import Made
from reportc.editions.theme import Theme
from reportc.pandoc import ast as A

OPEN_LICENCE = re.compile(r"SIL Open Font License|Apache License|Ubuntu Font Licence", re.I)


def epub_document(made: Made, cited: Cited) -> str:
    """One pandoc document (JSON): every cited chapter (level-1 headings start the XHTML
    files), then the bibliography, unless a chapter's ``{#refs}`` div holds it."""
    docs = made.docs
    placed = any(doc.has_refs for doc in docs)  # an author's {#refs}
    listed = bool(made.setup.bibliography and any(doc.cite_keys for doc in docs)
                  and not placed)
    refs = _reference_list(cited)
    blocks = [json.dumps(block) for block in _status(made)]
    blocks += [chapter_text(cited.blocks[doc.anchor], refs) for doc in docs]
    if listed:
        blocks.append(json.dumps({"t": "Header", "c": [1, ["bibliography", ["unnumbered"], []],
                                                       A.text_inlines("Bibliography")]}))
        blocks.append(json.dumps(_filled({"t": "Div", "c": [["refs", [], []], []]}, refs)))
    api = json.dumps(docs[0].ast["pandoc-api-version"] if docs else [1, 23])
    return (f'{{"pandoc-api-version":{api},"meta":{json.dumps(_metadata(made))},'
            f'"blocks":[{",".join(text for text in blocks if text)}]}}')


def chapter_text(blocks: str, refs: A.Node) -> str:
    """A chapter's cited blocks (JSON) for the book, without the list's brackets. Most
    chapters differ from the cited ones only in their heading, the first block: only
    that block is parsed (a 200-page report's chapters parsed whole cost 0.3 s)."""
    if blocks.count('"chapter-heading"') == 1 and '"reportc-refs"' not in blocks:
        first, end = json.JSONDecoder().raw_decode(blocks, 1)
        if first.get("t") == "Header" and "chapter-heading" in first["c"][1][1]:
            flatten_chapter_heading(first)
            return json.dumps(first) + blocks[end:-1]
    return json.dumps(_chapter_blocks(json.loads(blocks), refs))[1:-1]


def _status(made: Made) -> list[A.Node]:
    """A draft or review build says so before the first chapter, as the PDF's watermark
    and the web page's banner do (none for a final text)."""
    release = made.release
    if not release.watermark:
        return []
    words = f"{release.watermark} · not the final text · {release.watermark_detail}"
    return [{"t": "Div", "c": [["", ["status-banner"], [["role", "note"]]],
                               [{"t": "Para", "c": A.text_inlines(words)}]]}]


def identifier(made: Made) -> str:
    """The book's unique identifier: its DOI or ISBN, else a UUID made from the slug and
    the version (pandoc would draw a random one: a different book on every build)."""
    pub = made.config.publisher
    if pub.doi:
        return f"doi:{pub.doi}"
    if pub.isbn:
        return f"urn:isbn:{pub.isbn.replace('-', '')}"
    name = f"reportc:{made.config.slug}:{made.config.version}:{made.release.stamp}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _text(text: str) -> dict[str, Any]:
    return {"t": "MetaInlines", "c": A.text_inlines(text)}


def _metadata(made: Made) -> dict[str, Any]:
    config, record = made.config, made.context.matter.record
    meta: dict[str, Any] = {
        "title": _text(config.title), "lang": {"t": "MetaString", "c": config.lang},
        "identifier": {"t": "MetaString", "c": identifier(made)},
        # the title page shows it as written; pandoc makes it ISO for dc:date
        "date": {"t": "MetaString", "c": config.display_date or made.release.date.isoformat()},
    }
    if config.subtitle:
        meta["subtitle"] = _text(config.subtitle)
    if config.authors:
        meta["author"] = {"t": "MetaList", "c": [_text(a.name) for a in config.authors]}
    if config.organisation:
        meta["publisher"] = _text(config.organisation)
    if record and record.rights:
        meta["rights"] = _text(record.rights)
    if config.keywords:
        meta["subject"] = {"t": "MetaList", "c": [_text(k) for k in config.keywords]}
    description = config.description or (record.description if record else "")
    if description:
        meta["description"] = _text(description)
    return meta


def _chapter_blocks(blocks: list[A.Node], refs: A.Node) -> list[A.Node]:
    """A chapter's cited AST for the book (its own copy): the chapter heading reads
    "3 Title", as the PDF's bookmarks, and an author's bibliography div holds the list."""
    for node in A.iter_nodes(blocks):
        if node["t"] == "Header" and "chapter-heading" in node["c"][1][1]:
            flatten_chapter_heading(node)
        elif node["t"] == "Div" and "reportc-refs" in node["c"][0][1]:
            node["c"][0][0] = "refs"
            _filled(node, refs)
    return blocks


def _reference_list(cited: Cited) -> A.Node:
    """citeproc's ``refs`` Div (empty when nothing is listed)."""
    listed = json.loads(cited.references or "[]")
    return listed[0] if listed else {"t": "Div", "c": [["refs", [], []], []]}


def _filled(div: A.Node, refs: A.Node) -> A.Node:
    """``div`` (id ``refs``) filled with the list as pandoc's citeproc fills a ``refs``
    div it finds: the list's classes and attributes added to the div's own, its entries
    after the div's content."""
    (_, classes, pairs), content = div["c"]
    (_, list_classes, list_pairs), entries = refs["c"]
    div["c"] = [["refs", list(dict.fromkeys([*classes, *list_classes])),
                 [*pairs, *list_pairs]], [*content, *entries]]
    return div


def licensed_fonts(theme: Theme) -> list:
    """The theme's fonts whose licence (``LICENSE-<Family>.md`` beside them) allows them
    to be embedded in a document, such as the SIL Open Font License; others stay out."""
    fonts = []
    for font in theme.fonts:
        licence = font.parent / f"LICENSE-{font.stem.split('-')[0]}.md"
        if licence.is_file() and OPEN_LICENCE.search(licence.read_text("utf-8", "replace")):
            fonts.append(font)
    return fonts
