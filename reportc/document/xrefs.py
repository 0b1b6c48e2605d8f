"""Resolve ``@fig-x`` cross-references into links; check citation keys and image paths."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from reportc.document.model import ChapterDoc, Target
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A
from reportc.project.paths import inside

XREF_PREFIXES = ("fig-", "tbl-", "sec-")
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def resolve_references(doc: ChapterDoc, targets: dict[str, Target], bib_keys: set[str],
                       root: Path, diag: Diagnostics) -> None:
    """Turn ``@fig-x`` into links, check citation keys and image paths, style boxes."""
    doc.ast["blocks"] = A.map_inline_lists(
        doc.ast["blocks"], lambda items: _replace_xrefs(items, doc, targets, diag))
    for node in A.iter_nodes(doc.ast["blocks"]):
        if node["t"] == "Cite":
            for citation in node["c"][0]:
                _check_citation(doc, citation["citationId"], bib_keys, diag)
        elif node["t"] == "Image":
            _check_image(doc, node, root, diag)
        elif node["t"] == "Div" and "takeaways" in node["c"][0][1]:
            _dress_takeaways(node)


def _replace_xrefs(items: list[Any], doc: ChapterDoc, targets: dict[str, Target],
                   diag: Diagnostics) -> list[Any]:
    if not any(isinstance(item, dict) and item.get("t") == "Cite" for item in items):
        return items
    out: list[Any] = []
    for item in items:
        if isinstance(item, dict) and item.get("t") == "Cite" and _is_xref(item):
            out.extend(_xref_inlines(item, doc, targets, diag))
        else:
            out.append(item)
    return out


def _is_xref(cite: A.Node) -> bool:
    return any(c["citationId"].startswith(XREF_PREFIXES) for c in cite["c"][0])


def _xref_inlines(cite: A.Node, doc: ChapterDoc, targets: dict[str, Target],
                  diag: Diagnostics) -> list[A.Node]:
    citations = cite["c"][0]
    if not all(c["citationId"].startswith(XREF_PREFIXES) for c in citations):
        diag.error("a cross-reference and a citation cannot share one [...]; write them "
                   "separately", doc.rel, _cite_line(doc, citations[0]["citationId"]))
        return [cite]
    out: list[A.Node] = []
    for index, citation in enumerate(citations):
        key = citation["citationId"]
        target = targets.get(key)
        if index:
            out.extend(A.text_inlines(", " if index < len(citations) - 1 else " and "))
        if target is None:
            diag.error(f"unknown cross-reference '@{key}'", doc.rel, _cite_line(doc, key))
            out.append({"t": "Strong", "c": [{"t": "Str", "c": f"??{key}"}]})
            continue
        out.extend(citation["citationPrefix"])
        if citation["citationPrefix"]:
            out.append({"t": "Space"})
        suppress = citation["citationMode"]["t"] == "SuppressAuthor"
        words = target.number if suppress else target.label
        out.append(A.link(A.text_inlines(words).copy(), f"#{target.id}", ["xref"]))
        out.extend(citation["citationSuffix"])
    return out


def _cite_line(doc: ChapterDoc, key: str) -> int | None:
    return doc.chapter.line_of(re.compile(r"@\{?" + re.escape(key) + r"(?![\w:.#$%&+?<>~/-]*\w)"))


def _check_citation(doc: ChapterDoc, key: str, bib_keys: set[str], diag: Diagnostics) -> None:
    if key.startswith(XREF_PREFIXES):
        return  # a cross-reference mixed into a citation: reported once already
    doc.cite_keys.append(key)
    if key not in bib_keys:
        hint = ""
        folded = {k.lower(): k for k in bib_keys}
        if key.lower() in folded:
            hint = f" (did you mean '{folded[key.lower()]}'?)"
        diag.error(f"unknown citation key '{key}'{hint}", doc.rel, _cite_line(doc, key))


def _check_image(doc: ChapterDoc, node: A.Node, root: Path, diag: Diagnostics) -> None:
    source = node["c"][2][0]
    line = doc.chapter.line_of(source)
    if not A.stringify(node["c"][1]):
        diag.warning(f"image '{source}' has no alt text", doc.rel, line, code="image.alt")
    if source.startswith("data:"):
        return
    if URL_SCHEME.match(source) or source.startswith("//"):
        diag.error(f"image '{source}' is not a file in the report directory "
                   "(remote and absolute URLs are not fetched)", doc.rel, line)
        return
    path = (root / source.split("#")[0].split("?")[0]).resolve()
    if not inside(path, root):
        diag.error(f"image '{source}' is outside the report directory", doc.rel, line)
    elif not path.is_file():
        diag.error(f"missing image '{source}' (paths are relative to the report directory)",
                   doc.rel, line)
    else:
        doc.images.append(path.relative_to(root.resolve()).as_posix())


def _dress_takeaways(node: A.Node) -> None:
    """Give a takeaways box its visible label and an accessible name."""
    box_attr, blocks = node["c"]
    pairs = dict(box_attr[2])
    title = pairs.pop("title", "Key takeaways")
    box_attr[2] = [["role", "note"], ["aria-label", title], *pairs.items()]
    label = {"t": "Div", "c": [A.attr("", ["takeaways-label"]), [
        {"t": "Plain", "c": A.text_inlines(title)}]]}
    blocks.insert(0, label)
