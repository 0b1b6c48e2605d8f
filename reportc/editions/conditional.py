"""Each edition's own text: content a chapter holds for some of the build's editions only
(``.content-visible when-format="pdf"``, marked when read: :mod:`reportc.document.hidden`)
is cut out of the editions it is not for, here and nowhere else: the rendered chapters
(:func:`for_edition`, called by :func:`reportc.editions.run.write_editions` for every
edition that shows them) and the chapters' trees Word is written from (:func:`blocks_for`).
What is cut is not in the edition at all: not in its HTML source, its search index, the
PDF's text or tags, the EPUB's files; the markers themselves leave every edition.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from markupsafe import Markup

from reportc.citing.reflist import without_entries
from reportc.document.hidden import MARK, OPENING
from reportc.document.lists import ListEntry
from reportc.editions.base import Made
from reportc.editions.metadata import PublisherMatter
from reportc.editions.page import PageContext, Part
from reportc.pandoc import ast as A

_IDS = ("Div", "Span", "CodeBlock", "Figure", "Table", "Image")  # an identifier first
_MARKED = re.compile(rf"<!--{MARK} (\d+) ([a-z ]+)-->(.*?)<!--/{MARK} \1-->", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_BIBREF = re.compile(r'href="#ref-([^"]+)"')
_XREF = re.compile(r'<a href="#([^"]+)" class="xref">.*?</a>', re.S)
_LINK = re.compile(r'<a href="#([^"]+)">(.*?)</a>', re.S)  # written by hand: [words](#x)
_NOTE = re.compile(r'<li><div id="([^"]+)-fn(\d+)" class="fn-item">.*?</div></li>\n?', re.S)
_EMPTY_NOTES = re.compile(r'<section id="[^"]+-notes" [^>]*>\s*<h\d class="notes-heading">'
                          r'[^<]*</h\d>\s*<ol>\s*</ol>\s*</section>\n?')


def for_edition(made: Made, kind: str) -> Made:
    """What the shared stages made, as an edition of ``kind`` (``html``, ``pdf``, ``docx``,
    ``epub``; ``""``: one that shows no chapter text) shows it; ``made`` itself when no
    chapter holds marked content. A cross-reference to something cut prints as one to
    nothing (``??fig-x``, as an unknown one), not as a link to a number not in it, the
    lists of figures and tables leave it out, and so does the reference list an entry
    only cut content cited."""
    parts = made.context.parts
    if not kind or not any(MARK in part.html for part in parts):
        return made
    cut: set[str] = set()
    own = [_part_for(part, kind, cut) for part in parts]
    context = dataclasses.replace(made.context, parts=own)
    if cut:
        context.parts = [_unlinked(part, cut) for part in own]
        context.matter = _listed(context.matter, cut)
    if lost := _cited(parts) - _cited(context.parts):
        _uncite(context, lost)
    return dataclasses.replace(made, context=context)


def _cited(parts: list[Part]) -> set[str]:
    """The reference-list entries the chapters' citations link to."""
    return {key for part in parts for key in _BIBREF.findall(part.html)}


def _uncite(context: PageContext, lost: set[str]) -> None:
    """The reference list without the entries only content cut from the edition cited
    (where the list is: apart, or in a chapter's ``{#refs}``)."""
    context.bibliography = Markup(without_entries(str(context.bibliography), lost))
    context.parts = [dataclasses.replace(part, html=Markup(without_entries(part.html, lost)))
                     if "csl-entry" in part.html else part for part in context.parts]


def _listed(matter: PublisherMatter, cut: set[str]) -> PublisherMatter:
    """The lists of figures, tables and takeaways without the entries ``cut``."""
    lists = matter.lists

    def kept(entries: list[ListEntry]) -> list[ListEntry]:
        return [entry for entry in entries if entry.anchor not in cut]
    return dataclasses.replace(matter, lists=dataclasses.replace(
        lists, figures=kept(lists.figures), tables=kept(lists.tables),
        takeaways=kept(lists.takeaways)))


def _part_for(part: Part, kind: str, cut: set[str]) -> Part:
    """The chapter without the content not for ``kind`` (its identifiers go to ``cut``),
    and its contents' entries without the headings that went with it."""
    if MARK not in part.html:
        return part
    html = html_for(part.html, kind)
    ids = set(_ID.findall(html))
    cut |= set(_ID.findall(part.html)) - ids
    headings = [heading for heading in part.headings if heading.id in ids]
    return dataclasses.replace(part, html=Markup(html), headings=headings)


def _unlinked(part: Part, cut: set[str]) -> Part:
    """A cross-reference to something cut as one to nothing; a link written by hand to it
    (``[words](#x)``): its words alone, as a link to nothing (reportc.document.links)."""
    if 'class="xref"' not in part.html and '<a href="#' not in part.html:
        return part
    html = _XREF.sub(lambda link: f"<strong>??{link.group(1)}</strong>"
                     if link.group(1) in cut else link.group(0), part.html)
    html = _LINK.sub(lambda link: link.group(2) if link.group(1) in cut else link.group(0),
                     html)
    return dataclasses.replace(part, html=Markup(html))


def html_for(html: str, kind: str) -> str:
    """A chapter's HTML as an edition of ``kind`` shows it: each marked piece kept (its
    markers gone, the pieces inside it decided in turn) or cut, markers and all; the
    notes whose calls were cut leave the chapter's list of notes."""
    if MARK not in html:
        return html
    return _without_lost_notes(_cut(html, kind))


def _cut(html: str, kind: str) -> str:
    return _MARKED.sub(lambda found: _cut(found.group(3), kind)
                       if kind in found.group(2).split() else "", html)


def _without_lost_notes(html: str) -> str:
    """The list of notes (render.lua's) without the notes whose call is not in ``html``;
    without the list, heading and all, when none is left."""
    kept = _NOTE.sub(lambda note: note.group(0)
                     if f'id="{note.group(1)}-fnref{note.group(2)}"' in html else "", html)
    return _EMPTY_NOTES.sub("", kept)


def blocks_for(tree: Any, kind: str, cut: set[str]) -> Any:
    """A copy of a chapter's blocks (or any part of its tree) as an edition of ``kind``
    shows it: a marked node kept without its markers, or gone with them (the identifiers
    inside go to ``cut``)."""
    if isinstance(tree, list):
        kept: list[Any] = []
        cutting: str | None = None  # the closing marker of the piece being cut
        for item in tree:
            marker = _marker(item)
            if cutting is not None:
                cutting = None if marker == cutting else cutting
                cut |= {_node_id(node) for node in A.iter_nodes(item)} - {""}
            elif marker is None:
                kept.append(blocks_for(item, kind, cut))
            elif (opened := OPENING.fullmatch(marker)) and kind not in opened.group(2).split():
                cutting = f"<!--/{MARK} {opened.group(1)}-->"
        return kept
    if isinstance(tree, dict):
        return {key: blocks_for(value, kind, cut) for key, value in tree.items()}
    return tree


def unlink(tree: Any, cut: set[str]) -> None:
    """Each cross-reference in ``tree`` to something ``cut``: as one to nothing
    (``??fig-x``), in place; a link written by hand to it: its words alone."""
    for node in A.iter_nodes(tree):
        if node["t"] != "Link" or not node["c"][2][0].startswith("#") or \
                node["c"][2][0][1:] not in cut:
            continue
        if "xref" in node["c"][0][1]:
            node["t"], node["c"] = "Strong", [{"t": "Str", "c": "??" + node["c"][2][0][1:]}]
        else:
            node["t"], node["c"] = "Span", [A.attr(), node["c"][1]]


def _node_id(node: A.Node) -> str:
    if node["t"] == "Header":
        return str(node["c"][1][0])
    return str(node["c"][0][0]) if node["t"] in _IDS else ""


def _marker(node: Any) -> str | None:
    """The marker a raw node is (its text), else None."""
    if type(node) is dict and node.get("t") in ("RawBlock", "RawInline"):
        text = node["c"][1]
        if isinstance(text, str) and text.startswith((f"<!--{MARK} ", f"<!--/{MARK} ")):
            return text
    return None
