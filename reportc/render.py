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
from concurrent.futures import Executor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .cache import BuildCache, digest, file_digest, tool_versions
from .errors import Diagnostics, ToolError
from .pandoc import batches, run_batch, run_pandoc
from .progress import item_done
from .safety import check_html
from .structure import ChapterDoc

RENDER_FILTER = resources.files("reportc") / "resources" / "render.lua"


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


def render_chapters(docs: list[ChapterDoc], setup: CitationSetup, diag: Diagnostics,
                    cache: BuildCache, pool: Executor, jobs: int) -> list[str | None]:
    """Each chapter's HTML (``None`` where a problem was reported): from the cache, or
    rendered in batches on ``pool``; each is checked (:func:`check_html`) on the pool too."""
    sources = {doc.anchor: json.dumps({**doc.ast, "meta": {}}, sort_keys=True) for doc in docs}
    keys = {doc.anchor: digest(sources[doc.anchor], doc.anchor, setup.fingerprint())
            for doc in docs}
    html = {doc.anchor: cache.get("html", keys[doc.anchor]) for doc in docs}
    todo = [doc for doc in docs if html[doc.anchor] is None]
    by_anchor = {doc.anchor: doc for doc in docs}

    def checked(rendered: dict[str, str | None]) -> dict[str, str | None]:
        return {anchor: body if body is not None
                and check_html(body, by_anchor[anchor].rel, diag) else None
                for anchor, body in rendered.items()}

    def render(batch: list[ChapterDoc]) -> dict[str, str | None]:
        return checked(_render_batch(batch, setup, diag, cache, keys))

    size = {anchor: len(source) for anchor, source in sources.items()}
    done = [pool.submit(render, batch)
            for batch in batches(todo, lambda doc: size[doc.anchor], jobs)]
    done += [pool.submit(checked, {doc.anchor: html[doc.anchor]})
             for doc in docs if html[doc.anchor] is not None]
    for future in done:
        html.update(future.result())
    return [html[doc.anchor] for doc in docs]


def render_chapter(doc: ChapterDoc, setup: CitationSetup, diag: Diagnostics,
                   cache: BuildCache) -> str | None:
    """One chapter on its own (a batch of one)."""
    key = digest(json.dumps({**doc.ast, "meta": {}}, sort_keys=True), doc.anchor,
                 setup.fingerprint())
    cached = cache.get("html", key)
    html = cached if cached is not None else \
        _render_batch([doc], setup, diag, cache, {doc.anchor: key})[doc.anchor]
    return html if html is not None and check_html(html, doc.rel, diag) else None


def _render_batch(batch: list[ChapterDoc], setup: CitationSetup, diag: Diagnostics,
                  cache: BuildCache, keys: dict[str, str]) -> dict[str, str | None]:
    """One pandoc process for ``batch``; if it fails or warns and holds more than one
    chapter, each chapter again on its own, so that messages name the right file."""
    what = ", ".join(doc.rel for doc in batch)
    args = ["-f", "json", "-t", "html5", "--wrap=none", *setup.settings(),
            f"--lua-filter={RENDER_FILTER}"]
    try:
        html, warnings = run_batch(args, _batch_document(batch),
                                   [doc.anchor for doc in batch], what=what)
    except ToolError as exc:
        if len(batch) > 1:
            return _one_by_one(batch, setup, diag, cache, keys)
        diag.error(str(exc).removeprefix(f"{what}: "), batch[0].rel)
        return {batch[0].anchor: None}
    if warnings and len(batch) > 1:
        return _one_by_one(batch, setup, diag, cache, keys)
    for warning in warnings:
        diag.warning(f"pandoc: {warning}", batch[0].rel)
    for doc in batch:
        if not warnings:
            cache.put("html", keys[doc.anchor], html[doc.anchor])
        item_done(f"cited and rendered {doc.rel}")
    return html


def _one_by_one(batch: list[ChapterDoc], setup: CitationSetup, diag: Diagnostics,
                cache: BuildCache, keys: dict[str, str]) -> dict[str, str | None]:
    html: dict[str, str | None] = {}
    for doc in batch:
        html.update(_render_batch([doc], setup, diag, cache, keys))
    return html


def _batch_document(batch: list[ChapterDoc]) -> str:
    """One pandoc document holding each chapter as a Div named by its anchor. No chapter
    metadata reaches citeproc: bibliography and csl come only from report.yaml."""
    blocks = [{"t": "Div", "c": [[doc.anchor, [], []], doc.ast["blocks"]]} for doc in batch]
    return json.dumps({"pandoc-api-version": batch[0].ast["pandoc-api-version"],
                       "meta": {}, "blocks": blocks})


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
        diag.warning(f"pandoc: {warning}", setup.bibliography.name)
    if not check_html(result.output, setup.bibliography.name, diag):
        return ""
    if not result.warnings:
        cache.put("bibliography", key, result.output)
    return result.output
