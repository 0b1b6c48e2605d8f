"""Quarto callouts (``::: {.callout-note}`` and tip, warning, important, caution; a plain
``::: {.callout}`` is a note) as boxes.

A callout gets a title: the author's ``title="..."``, else its first heading (taken out of
the flow, so it is never numbered as a section nor listed in the contents), else the
kind's name as Quarto prints it ("Note"). With an identifier (``#nte-x``) it is numbered
per kind and referenceable ("Note 1"), see :func:`label_callout`. ``collapse="true"``
makes it a ``<details>`` element the reader opens in the HTML edition (the PDF prints it
open: WeasyPrint lays out a ``<details>`` body like any block).
"""

from __future__ import annotations

import re
from typing import Any

from reportc.document.kinds import CALLOUTS
from reportc.document.model import ChapterDoc
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A


def callout_kind(node: A.Node) -> str:
    """``"note"`` for a callout-note Div, and for a generic ``.callout`` with no kind (as
    Quarto draws it); ``""`` for anything else."""
    if node.get("t") != "Div":
        return ""
    classes = node["c"][0][1]
    kind = next((c.removeprefix("callout-") for c in classes
                 if c.removeprefix("callout-") in CALLOUTS and c.startswith("callout-")), "")
    return kind or ("note" if "callout" in classes else "")


def shape_callouts(doc: ChapterDoc, diag: Diagnostics, nodes: list[A.Node],
                   words: dict[str, str] | None = None) -> None:
    """Give every callout of ``doc`` (``nodes``: its nodes) its box, title and fold
    (``words``: the default titles by prefix, "nte": "Hinweis")."""
    for node in nodes:
        if kind := callout_kind(node):
            prefix, english = CALLOUTS[kind]
            _shape(node, kind, (words or {}).get(prefix, english))


def _shape(div: A.Node, kind: str, default: str) -> None:
    identifier, _classes, pairs = div["c"][0]
    given = dict(pairs)
    blocks: list[Any] = div["c"][1]
    if given.get("title"):
        title = A.text_inlines(given["title"])
    elif blocks and blocks[0]["t"] == "Header":
        title = blocks.pop(0)["c"][2]
    else:
        title = A.text_inlines(default)
    folded = given.get("collapse", "").lower() in ("true", "yes")
    heading = A.span(title, ["callout-title"])
    body = {"t": "Div", "c": [A.attr("", ["callout-body"]), blocks]}
    kept = [(k, v) for k, v in pairs if k not in ("title", "collapse", "icon", "appearance")]
    div["c"][0] = [identifier, ["callout", f"callout-{kind}", *(["callout-folded"] if folded
                                                                 else [])],
                   [["role", "note"], ["aria-label", A.stringify(title)], *map(list, kept)]]
    if folded:
        div["c"][1] = [_raw('<details class="callout-fold">'), _raw("<summary>"),
                       {"t": "Plain", "c": [heading]}, _raw("</summary>"), body,
                       _raw("</details>")]
    else:
        div["c"][1] = [{"t": "Div", "c": [A.attr("", ["callout-header"]),
                                          [{"t": "Plain", "c": [heading]}]]}, body]


def alerts_as_callouts(doc: ChapterDoc) -> None:
    """GitHub's alerts (``> [!NOTE]``, tip, important, warning, caution: Quarto's five
    kinds) are callouts; printed as they were read, the marker showed as "[!NOTE]". Text
    after the marker on its line (Obsidian's form, ``> [!tip] Title``) is the title."""
    if "[!" in doc.chapter.text:
        doc.ast["blocks"] = _alerts(doc.ast["blocks"])


def _alerts(tree: Any) -> Any:
    if isinstance(tree, list):
        return [_alerts(item) for item in tree]
    if not isinstance(tree, dict):
        return tree
    if tree.get("t") == "BlockQuote" and (callout := _alert(tree["c"])) is not None:
        return callout
    return {key: _alerts(value) for key, value in tree.items()}


def _alert(blocks: list[Any]) -> A.Node | None:
    """The callout an alert's blocks make, or ``None`` if they are not an alert."""
    first = blocks[0] if blocks else None
    if not first or first["t"] not in ("Para", "Plain") or not first["c"] or \
            first["c"][0]["t"] != "Str":
        return None
    marker = re.fullmatch(r"\[!(\w+)\]", first["c"][0]["c"])
    kind = marker.group(1).lower() if marker else ""
    if kind not in CALLOUTS:
        return None
    inlines = first["c"][1:]
    end = next((n for n, node in enumerate(inlines)
                if node["t"] in ("SoftBreak", "LineBreak")), len(inlines))
    title = A.stringify(inlines[:end]).strip()
    rest = inlines[end + 1:]
    body = ([{"t": first["t"], "c": rest}] if rest else []) + _alerts(blocks[1:])
    pairs = [("title", title)] if title else []
    return {"t": "Div", "c": [A.attr("", [f"callout-{kind}"], pairs), body]}


_KIND_WORDS = (("note", "note"), ("info", "note"), ("tip", "tip"), ("hint", "tip"),
               ("important", "important"), ("warning", "warning"), ("caution", "caution"),
               ("error", "caution"), ("danger", "caution"))


def environment_boxes(doc: ChapterDoc, diag: Diagnostics) -> None:
    """The boxes of pandoc-latex-environment (``::: note`` made an awesomebox or tcolorbox
    by its front matter's map of LaTeX environments to classes), printed as plain text
    before: a class or environment named as a callout kind ("noteblock: [note]",
    "warning-box: [warning]", "error-box: [error]") is that callout; any other (a plain
    ``tcolorbox: [box]``) keeps its text, with an ``environment.box`` warning at its line."""
    boxes = dict(doc.chapter.boxes)  # class -> its LaTeX environment
    warned: set[str] = set()
    for node in A.iter_nodes(doc.ast["blocks"]) if boxes else []:
        names = [name for name in node["c"][0][1] if name in boxes] \
            if node["t"] == "Div" and not callout_kind(node) else []
        if names and (kind := _box_kind(names[0], boxes[names[0]])):
            node["c"][0][1] = [f"callout-{kind}"]
        elif names and names[0] not in warned:
            warned.add(names[0])
            _plain_box(doc, diag, names[0], boxes[names[0]])


def _plain_box(doc: ChapterDoc, diag: Diagnostics, name: str, environment: str) -> None:
    opening = re.compile(rf"^:::+\s*\{{?\.?{re.escape(name)}\b")
    diag.warning(f"'{name}' blocks are LaTeX's {environment} environment "
                 "(pandoc-latex-environment): they print as plain text; style the class "
                 f".{name} in the theme, or name a callout kind (note, tip, important, "
                 "warning, caution)", doc.rel, doc.chapter.line_of(opening),
                 code="environment.box")


def _box_kind(name: str, environment: str) -> str:
    """The callout kind a box's class or environment names, or ``""``."""
    for word, kind in _KIND_WORDS:
        if word in name.lower() or word in environment.lower():
            return kind
    return ""


def _raw(html: str) -> A.Node:
    return {"t": "RawBlock", "c": ["html", html]}


def label_callout(div: A.Node, label: str, default: str) -> None:
    """Put the callout's number into its title: "Note 1" alone (``default``: the title
    it had, the kind's word), or "Note 1: Title"."""
    for node in A.iter_nodes(div["c"][1][:4]):
        if node["t"] == "Span" and "callout-title" in node["c"][0][1]:
            inlines = node["c"][1]
            if A.stringify(inlines) == default:
                node["c"][1] = A.text_inlines(label)
            else:
                node["c"][1] = [*A.text_inlines(label + ":"), {"t": "Space"}, *inlines]
            pairs = div["c"][0][2]
            for pair in pairs:
                if pair[0] == "aria-label":
                    pair[1] = A.stringify(node["c"][1])
            return

