"""Resolve ``@fig-x`` cross-references into links; check citation keys and image paths."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from reportc.document.kinds import LABELS, XREF_PREFIXES, is_xref, target_id
from reportc.document.model import ChapterDoc, Target
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A
from reportc.project.paths import inside

__all__ = ["XREF_PREFIXES", "resolve_references"]
# a key that looks like a cross-reference with a prefix reportc does not know ("@fgi-x")
_LOOKS_LIKE_XREF = re.compile(r"^[A-Za-z]{2,4}-[\w-]+$")
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
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("t") == "Cite" and _is_xref(item):
            _check_doubled_word(items, index, doc, targets, diag)
            out.extend(_xref_inlines(item, doc, targets, diag))
        else:
            out.append(item)
    return out


def _is_xref(cite: A.Node) -> bool:
    return any(is_xref(c["citationId"]) for c in cite["c"][0])


def _check_doubled_word(items: list[Any], index: int, doc: ChapterDoc,
                        targets: dict[str, Target], diag: Diagnostics) -> None:
    """"Table @tbl-x" prints "Table Table 1": warn, with the fix."""
    citation = items[index]["c"][0][0]
    target = targets.get(target_id(citation["citationId"]))
    if target is None or index < 2 or citation["citationMode"]["t"] == "SuppressAuthor" \
            or citation["citationPrefix"]:
        return
    word, space = items[index - 2], items[index - 1]
    label_word = target.label.split("\u00a0")[0].split(" ")[0]
    if space.get("t") == "Space" and word.get("t") == "Str" and \
            word["c"].lower() == label_word.lower() and not target.label.startswith("\u201c"):
        key = citation["citationId"]
        diag.warning(f"'{word['c']} @{key}' prints '{word['c']} {target.label}': the reference "
                     f"brings its own word; write '@{key}' (or '[-@{key}]' for the number "
                     "alone)", doc.rel, _cite_line(doc, key), code="xref.word")


def _xref_inlines(cite: A.Node, doc: ChapterDoc, targets: dict[str, Target],
                  diag: Diagnostics) -> list[A.Node]:
    citations = cite["c"][0]
    if not all(is_xref(c["citationId"]) for c in citations):
        diag.error("a cross-reference and a citation cannot share one [...]; write them "
                   "separately", doc.rel, _cite_line(doc, citations[0]["citationId"]))
        return [cite]
    out: list[A.Node] = []
    for index, citation in enumerate(citations):
        key = citation["citationId"]
        target = targets.get(target_id(key))
        if index:
            out.extend(A.text_inlines(", " if index < len(citations) - 1 else " and "))
        if target is None:
            diag.error(f"unknown cross-reference '@{key}'", doc.rel, _cite_line(doc, key))
            out.append({"t": "Strong", "c": [{"t": "Str", "c": f"??{key}"}]})
            continue
        suppress = citation["citationMode"]["t"] == "SuppressAuthor"
        prefix = citation["citationPrefix"]
        if prefix and not target.label.startswith("\u201c"):
            # [Fig. @fig-x]: the author's word replaces the label's ("Fig. 1", as Quarto)
            words = [*prefix, {"t": "Str", "c": "\u00a0" + target.number}]
        else:
            words = [*prefix, {"t": "Space"}] if prefix else []
            words += A.text_inlines(target.number if suppress else target.label)
        out.append(A.link(words, f"#{target.id}", ["xref"]))
        out.extend(citation["citationSuffix"])
    return out


def _cite_line(doc: ChapterDoc, key: str) -> int | None:
    return doc.chapter.line_of(re.compile(r"@\{?" + re.escape(key) + r"(?![\w:.#$%&+?<>~/-]*\w)"))


def _check_citation(doc: ChapterDoc, key: str, bib_keys: set[str], diag: Diagnostics) -> None:
    if is_xref(key):
        return  # a cross-reference mixed into a citation: reported once already
    if key.lower() not in {k.lower() for k in bib_keys} and _LOOKS_LIKE_XREF.match(key):
        kinds = ", ".join(LABELS)
        diag.error(f"unknown cross-reference '@{key}': '{key.split('-')[0]}-' is not a "
                   f"cross-reference prefix ({kinds}), and no bibliography entry has this key",
                   doc.rel, _cite_line(doc, key))
        return
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
    decorative = ["alt", ""] in node["c"][0][2]  # ![](f.svg){alt=""}: tagged as artifact
    if not A.stringify(node["c"][1]) and not decorative:
        diag.warning(f"image '{source}' has no alt text (write ![what it shows](...), or "
                     "{alt=\"\"} if it is decoration)", doc.rel, line, code="image.alt")
    if source.startswith("data:"):
        return
    if URL_SCHEME.match(source) or source.startswith("//"):
        diag.error(f"image '{source}' is not a file in the report directory "
                   "(remote and absolute URLs are not fetched)", doc.rel, line)
        return
    try:
        path = (root / source.split("#")[0].split("?")[0]).resolve()
        found = inside(path, root) and path.is_file()
    except (OSError, ValueError) as exc:  # a name too long for the file system, a NUL
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        shown = source[:60].replace("\x00", "\\0")
        diag.error(f"image '{shown}' cannot be a file name ({reason.lower()})", doc.rel, line)
        return
    if not inside(path, root):
        diag.error(f"image '{source}' is outside the report directory", doc.rel, line)
    elif not found:
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
