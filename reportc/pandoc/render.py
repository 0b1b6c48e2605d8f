"""Stage 5: turn each numbered chapter AST into HTML with citations and notes.

Chapters are cited and written in batches, one pandoc process per batch and ``jobs``
batches at once: ``resources/render.lua`` cites each chapter of the batch on its own
(exactly as if it were a document by itself), shapes its notes so one HTML fragment
serves the PDF (footnotes) and the web edition (pop-ups + end notes), and writes it.
A batch that fails or warns is run again chapter by chapter, so that every message
names its chapter file.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from concurrent.futures import Executor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from reportc.cache import BuildCache, digest, file_digest, tool_versions
from reportc.document.structure import ChapterDoc
from reportc.errors import Diagnostics, ToolError
from reportc.pandoc.runner import batches, run_batch, run_pandoc
from reportc.progress import item_done
from reportc.sandbox.checks import check_html

if TYPE_CHECKING:
    from reportc.project.bibliography import Bibliography

RENDER_FILTER = resources.files("reportc.pandoc") / "resources" / "render.lua"
# citeproc's words for an entry the style prints as nothing: reported by the reference
# list's run with the entry's line and the fields it needs (see _report_empty).
NO_PRINTED_FORM = "Citeproc: Bibliography entry with no printed form"


@dataclass(frozen=True)
class CitationSetup:
    """Where citeproc reads from: only the files report.yaml names (the bibliography as
    the CSL JSON reportc made of it, or a .bib file); ``sets``: each @set's members."""

    bibliography: Path | None
    csl: Path
    lang: str
    sets: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def fingerprint(self) -> str:
        """What citeproc's output depends on besides the chapter itself."""
        files = [p for p in (self.bibliography, self.csl, Path(str(RENDER_FILTER))) if p]
        return digest(self.lang, tool_versions(), json.dumps(self.sets),
                      *(file_digest(p) for p in files))

    def settings(self) -> list[str]:
        args = ["--sandbox", f"--csl={self.csl}", "-M", "link-citations=true",
                "-M", f"lang={self.lang}"]
        if self.bibliography:
            args.append(f"--bibliography={self.bibliography}")
        return args


def render_chapters(docs: list[ChapterDoc], setup: CitationSetup, diag: Diagnostics,
                    cache: BuildCache, pool: Executor, jobs: int) -> list[str | None]:
    """Each chapter's HTML (``None`` where a problem was reported), batch by batch on
    ``pool``: from the cache, or rendered in one pandoc process for the batch's chapters
    that are not; each is checked (:func:`check_html`) there too. Hashing, checking and
    pandoc's work all overlap across the pool's threads."""
    fingerprint = setup.fingerprint()

    def render(batch: list[ChapterDoc]) -> dict[str, str | None]:
        sources = {doc.anchor: _cite_set_members(json.dumps(doc.ast["blocks"]), setup.sets)
                   for doc in batch}
        keys = {doc.anchor: digest(sources[doc.anchor], str(doc.ast["pandoc-api-version"]),
                                   doc.anchor, fingerprint) for doc in batch}
        html = {doc.anchor: cache.get("html", keys[doc.anchor]) for doc in batch}
        todo = [doc for doc in batch if html[doc.anchor] is None]
        if todo:
            html.update(_render_batch(todo, setup, diag, cache, keys, sources))
        return {doc.anchor: html[doc.anchor] if html[doc.anchor] is not None
                and check_html(html[doc.anchor], doc.rel, diag) else None for doc in batch}

    rendered: dict[str, str | None] = {}
    for done in pool.map(render, batches(docs, lambda doc: len(doc.chapter.text), jobs)):
        rendered.update(done)
    return [rendered[doc.anchor] for doc in docs]


def _render_batch(batch: list[ChapterDoc], setup: CitationSetup, diag: Diagnostics,
                  cache: BuildCache, keys: dict[str, str], sources: dict[str, str]
                  ) -> dict[str, str | None]:
    """One pandoc process for ``batch`` (chapter by chapter if it fails or warns)."""
    args = ["-f", "json", "-t", "html5", "--wrap=none", *setup.settings(),
            f"--lua-filter={RENDER_FILTER}"]
    converted = run_batch(args, batch, lambda docs: _batch_document(docs, sources),
                          lambda doc: doc.anchor, lambda doc: doc.rel)
    html: dict[str, str | None] = {}
    for doc in batch:
        result = converted[doc.anchor]
        html[doc.anchor] = result.output
        if result.error:
            diag.error(str(result.error).removeprefix(f"{doc.rel}: "), doc.rel)
            continue
        warnings = [w for w in result.warnings if not w.startswith(NO_PRINTED_FORM)]
        for warning in warnings:
            diag.warning(f"pandoc: {warning}", doc.rel)
        if not warnings:
            cache.put("html", keys[doc.anchor], result.output)
        item_done(f"cited and rendered {doc.rel}")
    return html


def _batch_document(batch: list[ChapterDoc], sources: dict[str, str]) -> str:
    """One pandoc document holding each chapter as a Div named by its anchor (built from
    each chapter's blocks already serialised for its cache key). No chapter metadata
    reaches citeproc: bibliography and csl come only from report.yaml."""
    divs = ",".join(f'{{"t":"Div","c":[[{json.dumps(doc.anchor)},[],[]],{sources[doc.anchor]}]}}'
                    for doc in batch)
    version = json.dumps(batch[0].ast["pandoc-api-version"])
    return f'{{"pandoc-api-version":{version},"meta":{{}},"blocks":[{divs}]}}'


def _cite_set_members(blocks: str, sets: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """A chapter's blocks (JSON) with each citation of a @set replaced by citations of
    its members (CSL has no sets; biblatex prints a set as its members in a row)."""
    if not sets or not any(f'"citationId":"{key}"' in blocks.replace(": ", ":")
                           for key, _ in sets):
        return blocks
    members = dict(sets)

    def walk(node: object) -> object:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if node.get("t") == "Cite":
            citations = []
            for citation in node["c"][0]:
                keys = members.get(citation["citationId"]) or [citation["citationId"]]
                for index, key in enumerate(keys):
                    citations.append({**citation, "citationId": key,
                                      "citationPrefix": citation["citationPrefix"]
                                      if index == 0 else [],
                                      "citationSuffix": citation["citationSuffix"]
                                      if index == len(keys) - 1 else []})
            return {"t": "Cite", "c": [citations, node["c"][1]]}
        return {name: walk(value) for name, value in node.items()}

    return json.dumps(walk(json.loads(blocks)))


def render_bibliography(keys: list[str], setup: CitationSetup, api_version: list[int],
                        diag: Diagnostics, cache: BuildCache,
                        source: Bibliography | None = None) -> tuple[str, list[str]]:
    """The reference list of every cited key, sorted as the CSL style says, and the keys
    left out of it because they print nothing in the style (each a located warning)."""
    if not keys or setup.bibliography is None:
        return "", []
    key = digest(*keys, setup.fingerprint())
    cached = cache.get("bibliography", key)
    if cached is not None:
        return cached, []
    cites = [{"t": "Cite", "c": [[{
        "citationId": key, "citationPrefix": [], "citationSuffix": [],
        "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 0, "citationHash": 0,
    }], [{"t": "Str", "c": "@" + key}]]} for key in keys]
    document = {"pandoc-api-version": api_version,
                "meta": {"nocite": {"t": "MetaInlines", "c": cites}}, "blocks": []}
    what = source.rel if source else setup.bibliography.name
    try:
        args = ["-f", "json", "-t", "html5", "--wrap=none", "--citeproc", *setup.settings()]
        result = run_pandoc(args, json.dumps(document), what=what)
    except ToolError as exc:
        diag.error(str(exc))
        return "", []
    warnings = [w for w in result.warnings if not w.startswith(NO_PRINTED_FORM)]
    for warning in warnings:
        diag.warning(f"pandoc: {warning}", what)
    listed, dropped = _drop_empty_entries(result.output)
    for empty in dropped:
        _report_empty(empty, setup.csl, source, diag)
    if not check_html(listed, what, diag):
        return "", []
    if not warnings and not dropped:
        cache.put("bibliography", key, listed)
    return listed, dropped


_ENTRY = re.compile(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>(.*?)</div>\n?', re.S)


def _drop_empty_entries(listed: str) -> tuple[str, list[str]]:
    """The reference list without entries whose text is empty, and their keys."""
    dropped: list[str] = []

    def keep(match: re.Match[str]) -> str:
        if re.sub(r"<[^>]*>|\s", "", match.group(2)):
            return match.group(0)
        dropped.append(html_lib.unescape(match.group(1)))
        return ""

    return _ENTRY.sub(keep, listed), dropped


def _report_empty(key: str, csl: Path, source: Bibliography | None, diag: Diagnostics) -> None:
    """A located warning for an entry the style prints as nothing, naming what it needs."""
    from reportc.project.bibliography import missing_fields

    record = source.records.get(key) if source else None
    style = csl.stem
    if record is None:
        diag.warning(f"entry '{key}' prints nothing in the {style} style and is left out "
                     "of the bibliography", source.rel if source else None)
        return
    needs = missing_fields(record) or ["title", "author|editor", "date|year"]
    wanted = [f"'{need.split('|')[0]}'" + (" (or " + " or ".join(
        f"'{o}'" for o in need.split("|")[1:]) + ")" if "|" in need else "") for need in needs]
    listed = ", ".join(wanted[:-1]) + " and " + wanted[-1] if len(wanted) > 1 else wanted[0]
    diag.warning(f"entry '{key}' (@{record.type}) prints nothing in the {style} style and "
                 f"is left out of the bibliography: it needs {listed}", source.rel, record.line)


def unlink_citations(bodies: list[str | None], dropped: list[str]) -> list[str | None]:
    """Chapters' HTML without links to reference-list entries that were left out."""
    if not dropped:
        return bodies
    targets = "|".join(re.escape(html_lib.escape(key)) for key in dropped)
    link = re.compile(r'<a href="#ref-(?:' + targets + r')"[^>]*>(.*?)</a>', re.S)
    return [link.sub(r"\1", body) if body is not None else None for body in bodies]
