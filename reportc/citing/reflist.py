"""The reference list around citeproc: made apart from the chapters where the style
allows (:func:`_citing_apart`), the entries a style prints as nothing (left out,
each a located warning, their links unlinked) and where the list goes (a chapter's
``::: {#refs}`` div, or a part of its own)."""

from __future__ import annotations

import dataclasses
import html as html_lib
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reportc.citing.setup import CitationSetup
from reportc.document.model import ChapterDoc
from reportc.errors import Diagnostics
from reportc.project.bibliography import Bibliography, missing_fields

_ENTRY = re.compile(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>')
_MARGIN = re.compile(r'<div class="csl-left-margin">.*?</div>', re.S)  # "[3]" of IEEE


def _drop_empty_entries(listed: str) -> tuple[str, list[str]]:
    """The reference list without entries whose text (besides a numeric style's label)
    is empty, and their keys."""
    dropped: list[str] = []
    kept, position = [], 0
    for start in _ENTRY.finditer(listed):
        end = _closing_div(listed, start.start())
        body = _MARGIN.sub("", listed[start.end():end])
        if re.sub(r"<[^>]*>|\s", "", html_lib.unescape(body)):
            continue
        dropped.append(html_lib.unescape(start.group(1)))
        kept.append(listed[position:start.start()])
        position = end + len("</div>")
        position += listed[position:position + 1] == "\n"
    kept.append(listed[position:])
    return "".join(kept), dropped


def without_entries(listed: str, keys: set[str]) -> str:
    """The reference list (or a chapter holding it) without the entries of ``keys`` (as
    the HTML writes them)."""
    kept, position = [], 0
    for start in _ENTRY.finditer(listed):
        if start.group(1) not in keys:
            continue
        kept.append(listed[position:start.start()])
        position = _closing_div(listed, start.start()) + len("</div>")
        position += listed[position:position + 1] == "\n"
    kept.append(listed[position:])
    return "".join(kept)


def _closing_div(text: str, start: int) -> int:
    """Where the ``</div>`` closing the div opened at ``start`` begins."""
    depth = 0
    for tag in re.finditer(r"<(/?)div\b", text[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return start + tag.start()
    return len(text)


def _report_empty(key: str, csl: Path, source: Bibliography | None, diag: Diagnostics) -> None:
    """A located warning for an entry the style prints as nothing: the fields it lacks, or,
    when it lacks none, that the style prints nothing for its type."""
    record = source.records.get(key) if source else None
    style = csl.stem
    if record is None or source is None:
        diag.warning(f"entry '{key}' prints nothing in the {style} style and is left out "
                     "of the bibliography", source.rel if source else None, code="bib.empty")
        return
    needs = missing_fields(record)
    wanted = [f"'{need.split('|')[0]}'" + (" (or " + " or ".join(
        f"'{o}'" for o in need.split("|")[1:]) + ")" if "|" in need else "") for need in needs]
    listed = ", ".join(wanted[:-1]) + " and " + wanted[-1] if len(wanted) > 1 else \
        "".join(wanted)
    why = f"it needs {listed}" if needs else \
        f"the style prints nothing for a @{record.type} entry, whatever its fields"
    diag.warning(f"entry '{key}' (@{record.type}) prints nothing in the {style} style and "
                 f"is left out of the bibliography: {why}", source.rel_of(record), record.line,
                 code="bib.empty")


def unlink_citations(bodies: list[str | None], dropped: list[str]) -> list[str | None]:
    """Chapters' HTML without links to reference-list entries that were left out."""
    if not dropped:
        return bodies
    targets = "|".join(re.escape(html_lib.escape(key)) for key in dropped)
    link = re.compile(r'<a href="#ref-(?:' + targets + r')"[^>]*>(.*?)</a>', re.S)
    return [link.sub(r"\1", body) if body is not None else None for body in bodies]


BIBLIOGRAPHY_MARKER = "<!--reportc:bibliography-->"


def place_bibliography(bodies: list[str], references: str,
                       docs: list[ChapterDoc], diag: Diagnostics) -> tuple[list[str], str]:
    """Put the reference list where a chapter's ``::: {#refs}`` div is (the render filter
    leaves a marker there), instead of in a Bibliography part of its own: returns the
    bodies and what is left for that part ("" when placed)."""
    placed = [doc for doc in docs if doc.has_refs]
    for doc in placed[1:]:
        diag.error("a second '::: {#refs}' div: the bibliography can be placed once "
                   f"(it is already placed in {placed[0].rel})", doc.rel,
                   doc.chapter.line_of("#refs"))
    if not placed:
        return bodies, references
    out = [body.replace(BIBLIOGRAPHY_MARKER, references, 1) if body else body
           for body in bodies]
    return out, ""


_CITATION_ID = re.compile(r'"citationId":\s*("(?:[^"\\]|\\.)*")')


def _list_document(document: str) -> str:
    """A document with no text that cites (``nocite``) every source ``document`` cites."""
    keys = list(dict.fromkeys(json.loads(m.group(1)) for m in _CITATION_ID.finditer(document)))
    version = json.loads(document[:document.index("]") + 1] + "}")["pandoc-api-version"]
    return json.dumps({"pandoc-api-version": version, "meta": nocite_meta(keys),
                       "blocks": []})


def nocite_meta(keys: Iterable[str]) -> dict[str, Any]:
    """A document's metadata citing ``keys`` without a text (pandoc's ``nocite``): the
    report's own ``nocite:`` entries, and the list made apart."""
    citations = [{"citationId": key, "citationPrefix": [], "citationSuffix": [],
                  "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 0,
                  "citationHash": 0} for key in keys]
    return {"nocite": {"t": "MetaInlines", "c": [{"t": "Cite", "c": [citations, []]}]}}


_STYLE_BIBLIOGRAPHY = re.compile(r"<bibliography\b.*?</bibliography>", re.S)


@contextmanager
def _citing_apart(setup: CitationSetup) -> Iterator[CitationSetup | None]:
    """The setup to cite the chapters with while the list is made apart: the style minus
    its ``<bibliography>``, in a temporary file; ``None`` where a citation may depend on
    the list (citation numbers, year suffixes: both follow the list's order), where the
    style is not a note style, or there is nothing to list."""
    text = setup.csl.read_text(encoding="utf-8", errors="replace")
    root = re.search(r"<style\b[^>]*>", text)
    if (setup.bibliography is None or root is None or 'class="note"' not in root.group()
            or "citation-number" in text or 'disambiguate-add-year-suffix="true"' in text
            or len(_STYLE_BIBLIOGRAPHY.findall(text)) != 1):
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="reportc-csl-") as folder:
        path = Path(folder) / "citations.csl"
        path.write_text(_STYLE_BIBLIOGRAPHY.sub("", text), encoding="utf-8")
        yield dataclasses.replace(setup, csl=path)
