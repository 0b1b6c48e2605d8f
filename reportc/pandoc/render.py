"""Stage 5: turn each numbered chapter AST into HTML with citations and notes.

Chapters are cited and written in batches, one pandoc process per batch and ``jobs``
batches at once: ``resources/render.lua`` cites each chapter of the batch on its own
(exactly as if it were a document by itself), shapes its notes so one HTML fragment
serves the PDF (footnotes) and the web edition (pop-ups + end notes), and writes it.
A batch that fails or warns is run again chapter by chapter, so that every message
names its chapter file.
"""

from __future__ import annotations

import json
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reportc.cache import BuildCache, digest, file_digest, tool_versions
from reportc.document.model import ChapterDoc
from reportc.errors import Diagnostics, ToolError, reported
from reportc.pandoc.runner import batches, run_batch, run_pandoc
from reportc.progress import item_done
from reportc.sandbox.checks import check_html

RENDER_FILTER = resources.files("reportc.pandoc") / "resources" / "render.lua"


@dataclass(frozen=True)
class CitationSetup:
    """Where citeproc reads from: only the files report.yaml names."""

    bibliography: Path | None
    csl: Path
    lang: str

    def fingerprint(self) -> str:
        """What citeproc's output depends on besides the chapter itself."""
        files = [p for p in (self.bibliography, self.csl, Path(str(RENDER_FILTER))) if p]
        return digest(self.lang, tool_versions(), *(file_digest(p) for p in files))

    def settings(self) -> list[str]:
        args = ["--sandbox", f"--csl={self.csl}", "-M", "link-citations=true",
                "-M", f"lang={self.lang}"]
        if self.bibliography:
            args.append(f"--bibliography={self.bibliography}")
        return args


def render_report(docs: list[ChapterDoc], setup: CitationSetup, diag: Diagnostics,
                  cache: BuildCache, jobs: int) -> tuple[list[str], str, int]:
    """Stage 5: every chapter's HTML and the reference list, rendered by ``jobs`` pandoc
    processes at a time (the bibliography beside the chapters); the number of sources
    cited. Raises the problems found."""
    cited = sorted({key for doc in docs for key in doc.cite_keys})
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        references = pool.submit(render_bibliography, cited, setup,
                                 docs[0].ast["pandoc-api-version"], diag, cache)
        bodies = render_chapters(docs, setup, diag, cache, pool, jobs)
        bibliography = references.result()
    diag.raise_if_errors()
    return [reported(body) for body in bodies], bibliography, len(cited)


def render_chapters(docs: list[ChapterDoc], setup: CitationSetup, diag: Diagnostics,
                    cache: BuildCache, pool: Executor, jobs: int) -> list[str | None]:
    """Each chapter's HTML (``None`` where a problem was reported), batch by batch on
    ``pool``: from the cache, or rendered in one pandoc process for the batch's chapters
    that are not; each is checked (:func:`check_html`) there too. Hashing, checking and
    pandoc's work all overlap across the pool's threads."""
    fingerprint = setup.fingerprint()

    def render(batch: list[ChapterDoc]) -> dict[str, str | None]:
        sources = {doc.anchor: json.dumps(doc.ast["blocks"]) for doc in batch}
        keys = {doc.anchor: digest(sources[doc.anchor], str(doc.ast["pandoc-api-version"]),
                                   doc.anchor, fingerprint) for doc in batch}
        html = {doc.anchor: cache.get("html", keys[doc.anchor]) for doc in batch}
        todo = [doc for doc in batch if html[doc.anchor] is None]
        if todo:
            html.update(_render_batch(todo, setup, diag, cache, keys, sources))
        return {doc.anchor: _checked(html[doc.anchor], doc, diag) for doc in batch}

    rendered: dict[str, str | None] = {}
    for done in pool.map(render, batches(docs, lambda doc: len(doc.chapter.text), jobs)):
        rendered.update(done)
    return [rendered[doc.anchor] for doc in docs]


def _checked(html: str | None, doc: ChapterDoc, diag: Diagnostics) -> str | None:
    """The chapter's HTML if it passes the sandbox's checks (else they reported why)."""
    return html if html is not None and check_html(html, doc.rel, diag) else None


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
        for warning in result.warnings:
            diag.warning(f"pandoc: {warning}", doc.rel, code="pandoc")
        if not result.warnings and result.output is not None:
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


def render_bibliography(keys: list[str], setup: CitationSetup, api_version: list[int],
                        diag: Diagnostics, cache: BuildCache) -> str:
    """The reference list of every cited key, sorted as the CSL style says."""
    if not keys or setup.bibliography is None:
        return ""
    key = digest(*keys, setup.fingerprint())
    cached = cache.get("bibliography", key)
    if cached is not None:
        return cached
    cites = [{"t": "Cite", "c": [[{
        "citationId": key, "citationPrefix": [], "citationSuffix": [],
        "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 0, "citationHash": 0,
    }], [{"t": "Str", "c": "@" + key}]]} for key in keys]
    document = {"pandoc-api-version": api_version,
                "meta": {"nocite": {"t": "MetaInlines", "c": cites}}, "blocks": []}
    try:
        args = ["-f", "json", "-t", "html5", "--wrap=none", "--citeproc", *setup.settings()]
        result = run_pandoc(args,
                            json.dumps(document), what=setup.bibliography.name)
    except ToolError as exc:
        diag.error(str(exc))
        return ""
    for warning in result.warnings:
        diag.warning(f"pandoc: {warning}", setup.bibliography.name, code="pandoc")
    if not check_html(result.output, setup.bibliography.name, diag):
        return ""
    if not result.warnings:
        cache.put("bibliography", key, result.output)
    return result.output
