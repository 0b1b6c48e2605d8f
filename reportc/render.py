"""Stage 5: turn each numbered chapter AST into HTML with citations and notes.

Citations are resolved by pandoc's citeproc in the same process that writes
the chapter's HTML; ``resources/notes.lua`` then shapes the notes so one HTML
fragment serves the PDF (footnotes) and the web edition (pop-ups + end notes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .cache import BuildCache, digest, file_digest, tool_versions
from .errors import Diagnostics, ToolError
from .pandoc import run_pandoc
from .progress import item_done
from .safety import check_html
from .structure import ChapterDoc

NOTES_FILTER = resources.files("reportc") / "resources" / "notes.lua"


@dataclass(frozen=True)
class CitationSetup:
    """Where citeproc reads from: only the files report.yaml names."""

    bibliography: Path | None
    csl: Path
    lang: str

    def fingerprint(self) -> str:
        """What citeproc's output depends on besides the chapter itself."""
        files = [p for p in (self.bibliography, self.csl, Path(str(NOTES_FILTER))) if p]
        return digest(self.lang, tool_versions(), *(file_digest(p) for p in files))

    def args(self) -> list[str]:
        args = ["--sandbox", "--citeproc", f"--csl={self.csl}", "-M", "link-citations=true",
                "-M", f"lang={self.lang}"]
        if self.bibliography:
            args.append(f"--bibliography={self.bibliography}")
        return args


def render_chapter(doc: ChapterDoc, setup: CitationSetup, diag: Diagnostics,
                   cache: BuildCache) -> str | None:
    """One pandoc process (unless cached): citeproc, then the notes filter, then HTML."""
    args = ["-f", "json", "-t", "html5", "--wrap=none", *setup.args(),
            "-M", f"note-prefix={doc.anchor}-", f"--lua-filter={NOTES_FILTER}"]
    # No document metadata reaches citeproc: bibliography and csl come only from report.yaml.
    source = json.dumps({**doc.ast, "meta": {}}, sort_keys=True)
    key = digest(source, doc.anchor, setup.fingerprint())
    cached = cache.get("html", key)
    if cached is not None:
        return cached if check_html(cached, doc.rel, diag) else None
    try:
        result = run_pandoc(args, source, what=doc.rel)
    except ToolError as exc:
        diag.error(str(exc).removeprefix(f"{doc.rel}: "), doc.rel)
        return None
    for warning in result.warnings:
        diag.warning(f"pandoc: {warning}", doc.rel)
    if not check_html(result.output, doc.rel, diag):
        return None
    if not result.warnings:
        cache.put("html", key, result.output)
    item_done(f"cited and rendered {doc.rel}")
    return result.output


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
        result = run_pandoc(["-f", "json", "-t", "html5", "--wrap=none", *setup.args()],
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
