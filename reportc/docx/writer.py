"""Stage 6 (Word): the same numbered chapter ASTs the HTML and PDF come from, as one DOCX.

Reviewers who do not read Markdown comment in Word; the Word edition must therefore say
what the PDF says, word for word where it can: the same chapter, section, figure and table
numbers and cross-reference words (they are already in the AST after numbering), the same
citation style (pandoc's citeproc with the report's CSL; in a note style every citation is
a real Word footnote). What only a page can show becomes a paragraph style from the
theme's reference document (``templates/reference.docx``, made by
``scripts/make_reference_docx.py``): key-takeaway boxes and callouts are shaded, bordered
"Takeaway"/"Callout" paragraphs, the cover a title block, the draft watermark a "Status"
line.

Determinism: pandoc stamps the zip entries and the document's dates with
SOURCE_DATE_EPOCH; the build passes the release date when the environment has none.
"""

from __future__ import annotations

import calendar
import copy
import html
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from reportc.charts.engine import current_engine
from reportc.charts.word import word_charts
from reportc.citing.setup import CitationSetup
from reportc.document.annotations import label_lines, may_annotate
from reportc.document.hidden import conditional
from reportc.document.model import ChapterDoc
from reportc.document.numbering import flatten_chapter_heading
from reportc.document.read import warning_place
from reportc.editions.base import Edition, Made
from reportc.editions.conditional import blocks_for, unlink
from reportc.editions.theme import DEFAULT_THEME
from reportc.errors import Diagnostics, ToolError
from reportc.pandoc import ast as A
from reportc.pandoc.runner import run_pandoc
from reportc.project.config import ReportConfig
from reportc.project.versioning import Release

REFERENCE_DOC = "reference.docx"
DEFAULT_REFERENCE = DEFAULT_THEME / REFERENCE_DOC
META_FILTER = resources.files("reportc.pandoc") / "resources" / "docx-meta.lua"
CALLOUT_CLASSES = ("callout", "note", "warning", "tip", "important")


PAGE_BREAK = {"t": "RawBlock", "c": ["openxml", '<w:p><w:r><w:br w:type="page" /></w:r></w:p>']}


class DocxEdition(Edition):
    """The Word edition for reviewers: ``<stem>.docx``, written by pandoc from the ASTs."""

    name = "docx"
    shows = "docx"
    notes_list = False  # written from the chapters' AST, not their HTML

    def outputs(self, made: Made) -> list[str]:
        return [made.stem + ".docx"]

    def write(self, made: Made, folder: Path) -> None:
        write_docx(folder / f"{made.stem}.docx", made.config, made.release, made.docs,
                   made.setup, made.theme.root, made.diag)


def reference_doc(theme_root: Path) -> Path:
    """The theme's reference document, or the default theme's."""
    own = theme_root / REFERENCE_DOC
    return own if own.is_file() else DEFAULT_REFERENCE


def write_docx(target: Path, config: ReportConfig, release: Release, docs: list[ChapterDoc],
               setup: CitationSetup, theme_root: Path, diag: Diagnostics) -> None:
    """Write the Word edition to ``target``; a pandoc failure becomes a build error."""
    document = docx_document(config, release, docs, setup)
    args = ["-f", "json", "-t", "docx", "--citeproc", *_citation_args(setup),
            f"--lua-filter={META_FILTER}",
            f"--reference-doc={reference_doc(theme_root)}",
            f"--resource-path={config.root}", "-o", str(target)]
    env = {"SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH")
           or str(calendar.timegm(release.date.timetuple()))}
    try:
        result = run_pandoc(args, json.dumps(document), what=target.name, env=env)
    except ToolError as exc:
        diag.error(str(exc))
        return
    for warning in result.warnings:
        path, line = warning_place(warning, docs) or (target.name, None)
        diag.warning(f"pandoc (Word edition): {warning}", path, line, code="pandoc")


def _citation_args(setup: CitationSetup) -> list[str]:
    """citeproc's settings without ``--sandbox``: the docx writer must read the figures
    (every image path was checked to lie inside the report directory; remote images are
    refused before this stage, and raw markup is off in the reader)."""
    return [arg for arg in setup.settings() if arg != "--sandbox"]


def contents_field(entries: list[tuple[int, str, str]], title: str = "Contents") -> A.Node:
    """The contents after the cover lines: a TOC field of chapters and sections (as the
    PDF's contents), marked dirty so that Word fills it in, with page numbers, when the
    document is opened. Until then (and in LibreOffice, which shows a field's last result)
    it lists ``entries`` (level, text, bookmark), each linked to its heading. pandoc's own
    ``--toc`` would put an empty field before the cover lines."""
    begin = ('<w:r><w:fldChar w:fldCharType="begin" w:dirty="true" /></w:r>'
             '<w:r><w:instrText xml:space="preserve">TOC \\o "1-2" \\h \\z \\u</w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="separate" /></w:r>')
    lines = []
    for index, (level, text, bookmark) in enumerate(entries):
        link = (f'<w:hyperlink w:anchor="{html.escape(bookmark)}" w:history="1">'
                f'<w:r><w:t xml:space="preserve">{html.escape(text, quote=False)}</w:t></w:r>'
                '</w:hyperlink>')
        lines.append(f'<w:p><w:pPr><w:pStyle w:val="TOC{level}" /></w:pPr>'
                     f'{begin if index == 0 else ""}{link}</w:p>')
    if not lines:
        lines.append(f"<w:p>{begin}</w:p>")
    lines.append('<w:p><w:r><w:fldChar w:fldCharType="end" /></w:r></w:p>')
    return {"t": "RawBlock", "c": ["openxml", (
        '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents" />'
        '<w:docPartUnique /></w:docPartObj></w:sdtPr><w:sdtContent>'
        '<w:p><w:pPr><w:pStyle w:val="TOCHeading" /></w:pPr><w:r><w:t>'
        + html.escape(title, quote=False) + '</w:t></w:r>'
        '</w:p>' + "".join(lines) + "</w:sdtContent></w:sdt>")]}


def _contents_entries(docs: list[ChapterDoc], bibliography: str, chapters: list[list[A.Node]]
                      ) -> list[tuple[int, str, str]]:
    """Each chapter ("2 Title"), its sections ("2.1 Title": those its ``chapters``' blocks,
    as Word shows them, hold) and the bibliography (its heading, if it is listed)."""
    entries = []
    for doc, blocks in zip(docs, chapters, strict=True):
        if doc.untitled:  # a declaration is not listed
            continue
        entries.append((1, f"{doc.number} {doc.title}" if doc.number else doc.title, doc.anchor))
        held = {node["c"][1][0] for node in A.iter_nodes(blocks) if node["t"] == "Header"} \
            if conditional(doc.chapter.text) else None
        entries += [(2, f"{h.number} {h.title}" if h.number else h.title, h.id)
                    for h in doc.headings if h.level == 2 and (held is None or h.id in held)]
    if bibliography:
        entries.append((1, bibliography, "bibliography"))
    return entries


def docx_document(config: ReportConfig, release: Release, docs: list[ChapterDoc],
                  setup: CitationSetup) -> dict[str, Any]:
    """One pandoc document: title block metadata, cover lines, every chapter, bibliography."""
    placed = any(getattr(doc, "has_refs", False) for doc in docs)  # an author's {#refs}
    listed = bool(setup.bibliography and any(doc.cite_keys for doc in docs) and not placed)
    heading = config.references_title or config.words["section-title-references"]
    chapters = _edition_blocks(docs)
    blocks: list[A.Node] = [*_cover_blocks(config, release),
                            contents_field(_contents_entries(docs, heading if listed else "",
                                                             chapters),
                                           config.words["toc-title-document"])]
    for doc, own in zip(docs, chapters, strict=True):
        if doc.chapter.part:  # a part: group's title, on a page of its own
            blocks.append({"t": "Header", "c": [1, [f"part-{doc.anchor}", ["unnumbered"], []],
                                                A.text_inlines(doc.chapter.part)]})
        chapter = _chapter_blocks(own)
        if doc.untitled:  # a page without a heading opens a page (a heading 1 does itself)
            chapter.insert(0, PAGE_BREAK)
        if may_annotate(doc.chapter.text):
            label_lines(chapter, config.words["code-line"], config.words["code-lines"])
        blocks.extend(word_charts(chapter, current_engine()))
    if listed:
        blocks.append({"t": "Header", "c": [1, ["bibliography", ["unnumbered"], []],
                                            A.text_inlines(heading)]})
        blocks.append({"t": "Div", "c": [["refs", [], []], []]})
    api = docs[0].ast["pandoc-api-version"] if docs else [1, 23]
    return {"pandoc-api-version": api, "meta": _metadata(config, release), "blocks": blocks}


def _edition_blocks(docs: list[ChapterDoc]) -> list[list[A.Node]]:
    """Each chapter's blocks: a copy, without the content for other editions only."""
    cut: set[str] = set()
    chapters = [blocks_for(doc.ast["blocks"], "docx", cut) if conditional(doc.chapter.text)
                else copy.deepcopy(doc.ast["blocks"]) for doc in docs]
    if cut:
        unlink(chapters, cut)
    return chapters


def _meta_text(text: str) -> dict[str, Any]:
    return {"t": "MetaInlines", "c": A.text_inlines(text)}


def _metadata(config: ReportConfig, release: Release) -> dict[str, Any]:
    """pandoc writes title, subtitle, authors and date as the title block (and into the
    document properties); keywords and description become properties only."""
    meta: dict[str, Any] = {"title": _meta_text(config.title), "lang": {
        "t": "MetaString", "c": config.lang}}
    if config.subtitle:
        meta["subtitle"] = _meta_text(config.subtitle)
    if config.authors:
        meta["author"] = {"t": "MetaList", "c": [
            _meta_text(f"{a.name} ({a.affiliation})" if a.affiliation else a.name)
            for a in config.authors]}
    meta["date"] = _meta_text(config.display_date or release.date.isoformat())
    if config.keywords:
        meta["keywords"] = {"t": "MetaList", "c": [_meta_text(k) for k in config.keywords]}
    if config.description:
        meta["subject"] = _meta_text(config.description)
    return meta


def _styled(style: str, text: str) -> A.Node:
    return {"t": "Div", "c": [["", [], [["custom-style", style]]],
                              [{"t": "Para", "c": A.text_inlines(text)}]]}


def _cover_blocks(config: ReportConfig, release: Release) -> list[A.Node]:
    """What the title block lacks: organisation, version, build stamp, review status."""
    lines = []
    if config.organisation:
        lines.append(config.organisation)
    version = f"{config.words['version-title']} {config.version}" if config.version else ""
    if release.stamp:
        version = f"{version} · build {release.stamp}" if version else f"Build {release.stamp}"
    if version:
        lines.append(version)
    blocks = [_styled("Cover Info", line) for line in lines]
    if release.watermark:
        not_final = config.words["status-not-final"]
        blocks.append(_styled("Status", f"{release.word_in(config.words)} · {not_final} · "
                                        f"{release.detail_in(config.words)}"))
    return blocks


def _chapter_blocks(blocks: list[A.Node]) -> list[A.Node]:
    """A chapter's numbered AST, dressed for Word (a copy: the HTML keeps its own)."""
    for node in A.iter_nodes(blocks):
        if node["t"] == "Header" and "chapter-heading" in node["c"][1][1]:
            flatten_chapter_heading(node)
        elif node["t"] == "Div" and "pagebreak" in node["c"][0][1]:
            node["c"][1] = [PAGE_BREAK]  # \newpage (LaTeX), {{< pagebreak >}} (Quarto)
        elif node["t"] == "Div" and "reportc-refs" in node["c"][0][1]:
            node["c"][0][0] = "refs"  # where the author put the bibliography: citeproc fills it
        elif node["t"] == "Div":
            _style_box(node)
    return blocks


def _style_box(node: A.Node) -> None:
    """Takeaway boxes (their title first) and callouts become shaded, bordered paragraphs."""
    attr, blocks = node["c"]
    classes = attr[1]
    if "takeaways" in classes:
        attr[2] = [*attr[2], ["custom-style", "Takeaway"]]
        if blocks and blocks[0]["t"] == "Div" and "takeaways-label" in blocks[0]["c"][0][1]:
            blocks[0]["c"][0][2].append(["custom-style", "Takeaway Title"])
        node["c"][1] = _marked_items(blocks)
    elif any(c in CALLOUT_CLASSES or c.startswith("callout-") for c in classes):
        attr[2] = [*attr[2], ["custom-style", "Callout"]]
        for part in blocks:  # a Quarto callout: its title above its body
            if part["t"] == "Div" and "callout-header" in part["c"][0][1]:
                part["c"][0][2].append(["custom-style", "Takeaway Title"])
            elif part["t"] == "Div" and "callout-body" in part["c"][0][1]:
                part["c"][1] = _marked_items(part["c"][1])
        node["c"][1] = _marked_items([b for b in blocks if b["t"] != "RawBlock"])


def _marked_items(blocks: list[A.Node]) -> list[A.Node]:
    """A list inside a box as paragraphs that start with their marker: pandoc gives list
    items the list paragraph style whatever the box's style, which would leave them
    outside the shading."""
    out: list[A.Node] = []
    for block in blocks:
        if block["t"] == "BulletList":
            items = [("\u2022", item) for item in block["c"]]
        elif block["t"] == "OrderedList":
            start = block["c"][0][0]
            items = [(f"{start + n}.", item) for n, item in enumerate(block["c"][1])]
        else:
            out.append(block)
            continue
        for marker, item in items:
            first = item[0] if item and item[0]["t"] in ("Plain", "Para") else None
            inlines = first["c"] if first else []
            out.append({"t": "Para", "c": [{"t": "Str", "c": marker}, {"t": "Space"}, *inlines]})
            out.extend(item[1:] if first else item)
    return out
