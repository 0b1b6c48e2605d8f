"""Quarto's float forms, brought to one shape before numbering.

Quarto lets an author make a figure, table or listing in many ways: an image with
``{#fig-x}``, a ``::: {#fig-x}`` / ``::: {#tbl-x}`` div around any content whose last
paragraph (or ``fig-cap`` / ``tbl-cap`` attribute) is the caption, a linked image, an image
used as a table (``{#tbl-x}``), a code block with ``lst-cap``, and panels of subfigures in
one float (``layout-ncol``). Each becomes a pandoc ``Figure`` node here, whose identifier
prefix says its kind (:data:`reportc.document.kinds.FLOAT_KINDS`) and whose direct panels
carry the class ``subfloat``; :mod:`reportc.document.numbering` then numbers them all alike.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

from reportc.document.crossref import id_line
from reportc.document.kinds import FLOAT_KINDS, prefix_of
from reportc.document.model import ChapterDoc
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A

LAYOUT_KEYS = ("layout-ncol", "layout-nrow", "layout")
CAPTIONS = "reportc-captions"  # the chapter's metadata field read.lua reads them into
_BLOCKS = {"Para", "Plain", "Div", "CodeBlock", "Table", "Figure", "BlockQuote", "BulletList",
           "OrderedList", "Header", "HorizontalRule", "LineBlock", "DefinitionList", "RawBlock"}


def shape_floats(doc: ChapterDoc, diag: Diagnostics, nodes: list[A.Node]) -> None:
    """Rewrite every Quarto float form of ``doc`` as a ``Figure`` node (inner ones first,
    so a float inside a list, callout or another float is found wherever it is).
    ``nodes`` (the chapter's nodes) tell whether there is any: most chapters have none
    but plain image figures and tables, and are not walked again."""
    if any(_candidate(node) for node in nodes):
        A.map_inline_lists(doc.ast["blocks"], lambda items: _blocks(items, doc, diag))
    for node in nodes:
        if node["t"] == "Image":
            pairs = node["c"][0][2]
            alt = next((value for key, value in pairs if key == "fig-alt"), None)
            if alt is not None:  # Quarto's alt text for a figure whose caption differs
                node["c"][0][2] = [pair for pair in pairs if pair[0] != "fig-alt"]
            node["c"][1] = A.text_inlines(alt) if alt else _alt_text(node["c"][1])


def _candidate(node: A.Node) -> bool:
    """Whether a node may be a float form that pandoc does not make a Figure by itself."""
    kind = node["t"]
    if kind == "Div":
        return prefix_of(node["c"][0][0]) in FLOAT_KINDS or \
            any(key in LAYOUT_KEYS for key, _ in node["c"][0][2])
    if kind == "Para":
        return len(node["c"]) == 1 and node["c"][0]["t"] in ("Link", "Image")
    if kind == "CodeBlock":
        return prefix_of(node["c"][0][0]) == "lst" or "lst-cap" in dict(node["c"][0][2])
    return kind == "Table" and "tbl-cap" in dict(node["c"][0][2])


def _blocks(items: list[Any], doc: ChapterDoc, diag: Diagnostics) -> list[Any]:
    """One list of blocks with its float forms replaced (other lists pass unchanged)."""
    if not items or type(items[0]) is not dict or items[0].get("t") not in _BLOCKS:
        return items
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        kind = item.get("t")
        if kind == "Div":
            items[index] = _div(item, doc, diag)
        elif kind == "Para":
            items[index] = _linked_image(item) or _uncaptioned_image(item) or item
        elif kind == "CodeBlock":
            items[index] = _listing(item, doc) or item
        elif kind == "Table":
            _table_caption_attribute(item, doc)
    return items


def _div(div: A.Node, doc: ChapterDoc, diag: Diagnostics) -> A.Node:
    identifier, classes, pairs = div["c"][0]
    prefix = prefix_of(identifier)
    if prefix in FLOAT_KINDS and not any(c.startswith("callout") for c in classes):
        return _div_float(div, prefix, doc, diag)
    if any(key in LAYOUT_KEYS for key, _ in pairs):
        _lay_out(div, div["c"][1])  # panels side by side, each its own float
    return div


def _div_float(div: A.Node, prefix: str, doc: ChapterDoc, diag: Diagnostics) -> A.Node:
    """``::: {#fig-x}`` ... caption ``:::`` as a Figure node of its kind."""
    identifier, classes, pairs = div["c"][0]
    caption, blocks = _float_caption(list(div["c"][1]), dict(pairs), prefix, doc)
    if caption is None:
        diag.warning(f"'#{identifier}' has no caption: end the block with a caption paragraph "
                     f"or give it {prefix}-cap=\"...\"", doc.rel,
                     id_line(doc, identifier), code="float.caption")
        caption = [{"t": "Plain", "c": []}]
    laid_out = any(k in LAYOUT_KEYS for k, _ in pairs)
    _unwrap_image(blocks, laid_out)
    _describe_images(blocks, caption)
    kept = [[k, v] for k, v in pairs if k not in (f"{prefix}-cap", *LAYOUT_KEYS)]
    kinds = [*classes, "float", f"float-{FLOAT_KINDS[prefix]}"]
    figure: dict[str, Any] = {"t": "Figure", "c": [[identifier, kinds, kept], [None, caption],
                                                   blocks]}
    panels = [block for block in blocks if _panel(block)]
    if len(panels) >= 2 or (panels and laid_out):
        _lay_out(div, blocks, subfloats=True)
        figure["c"][2] = div["c"][1]
    return figure


def _float_caption(blocks: list[A.Node], given: dict[str, str], prefix: str,
                   doc: ChapterDoc) -> tuple[list[A.Node] | None, list[A.Node]]:
    """The float's caption (``None``: it has none) and the blocks it captions. The caption
    is ``fig-cap="..."``, else the block's last paragraph, else the caption of the one
    table or figure the block holds (a figure's content then is the float's)."""
    if given.get(f"{prefix}-cap"):
        return [{"t": "Plain", "c": caption_inlines(doc, given[f"{prefix}-cap"])}], blocks
    if len(blocks) >= 2 and blocks[-1]["t"] in ("Para", "Plain"):
        return [{"t": "Plain", "c": blocks.pop()["c"]}], blocks
    if len(blocks) == 1 and blocks[0]["t"] in ("Table", "Figure") and blocks[0]["c"][1][1]:
        caption, blocks[0]["c"][1] = blocks[0]["c"][1][1], [None, []]  # the float's caption
        return caption, blocks[0]["c"][2] if blocks[0]["t"] == "Figure" else blocks
    return None, blocks


def _unwrap_image(blocks: list[A.Node], laid_out: bool) -> None:
    """One unnamed image figure in a float (with no layout asked for) is the float's
    content, not a panel of it: its figure wrapper goes."""
    figures = [block for block in blocks if block["t"] == "Figure"]
    if len(figures) == 1 and not figures[0]["c"][0][0] and not laid_out:
        at = blocks.index(figures[0])
        blocks[at:at + 1] = figures[0]["c"][2]


def _describe_images(blocks: list[A.Node], caption: list[A.Node]) -> None:
    """An image with no alt text in a float is described by the float's caption."""
    text = A.stringify(_alt_text([dict(block) for block in caption]))
    for node in A.iter_nodes(blocks):
        if node["t"] == "Image" and not node["c"][1] and text:
            node["c"][1] = A.text_inlines(text)


def _panel(block: A.Node) -> bool:
    """A figure, a captioned table, or a paragraph holding just an image: one panel of a
    float."""
    if block["t"] == "Figure" or (block["t"] == "Table" and block["c"][1][1]):
        return True
    inlines = block["c"] if block["t"] in ("Para", "Plain") else []
    return len(inlines) == 1 and inlines[0]["t"] in ("Image", "Link") and \
        (inlines[0]["t"] == "Image" or _only_image(inlines[0]["c"][1]))


def _lay_out(div: A.Node, blocks: list[A.Node], subfloats: bool = False) -> None:
    """Put a block's panels in a grid of ``layout-ncol`` columns (``layout-nrow`` rows);
    as subfloats, each panel becomes a Figure with the class ``subfloat``."""
    pairs = dict(div["c"][0][2])
    panels = [_as_panel(block) if subfloats and _panel(block) else block for block in blocks]
    count = max(1, sum(1 for block in panels if block["t"] == "Figure"))
    columns = _columns(pairs, count)
    grid = {"t": "Div", "c": [A.attr("", ["panel-grid", f"layout-ncol-{columns}"]), panels]}
    div["c"][0][2] = [[k, v] for k, v in div["c"][0][2] if k not in LAYOUT_KEYS]
    div["c"][1] = [grid]


def _columns(pairs: dict[str, str], count: int) -> int:
    """Columns of the panel grid: ``layout-ncol``, else from ``layout-nrow`` or the first
    row of ``layout="[[1,1],[1]]"``, else one row; at most four."""
    try:
        if "layout-ncol" in pairs:
            return max(1, min(4, int(pairs["layout-ncol"])))
        if "layout-nrow" in pairs:
            return max(1, min(4, math.ceil(count / max(1, int(pairs["layout-nrow"])))))
    except ValueError:
        pass
    layout = pairs.get("layout", "").replace(" ", "")
    if layout.startswith("[["):
        return max(1, min(4, layout.split("]")[0].count(",") + 1))
    return max(1, min(4, count))


def _as_panel(block: A.Node) -> A.Node:
    """A subfloat Figure from a Figure, a captioned table (its caption the panel's), or an
    image paragraph (its alt text the caption)."""
    if block["t"] == "Table":
        identifier, block["c"][0][0] = block["c"][0][0], ""
        caption, block["c"][1] = block["c"][1][1], [None, []]
        block = {"t": "Figure", "c": [A.attr(identifier), [None, caption], [block]]}
    elif block["t"] != "Figure":
        image = block["c"][0] if block["c"][0]["t"] == "Image" else block["c"][0]["c"][1][0]
        caption = [{"t": "Plain", "c": list(image["c"][1])}] if image["c"][1] else []
        identifier, image["c"][0][0] = image["c"][0][0], ""
        block = {"t": "Figure", "c": [A.attr(identifier), [None, caption],
                                      [{"t": "Plain", "c": block["c"]}]]}
    block["c"][0][1] = [*block["c"][0][1], "subfloat"]
    return block


def _only_image(inlines: list[A.Node]) -> bool:
    return len(inlines) == 1 and inlines[0]["t"] == "Image"


def _linked_image(para: A.Node) -> A.Node | None:
    """``[![Caption](x.png){#fig-x}](https://...)``: a figure whose image is a link."""
    inlines = para["c"]
    if len(inlines) != 1 or inlines[0]["t"] != "Link" or not _only_image(inlines[0]["c"][1]):
        return None
    image = inlines[0]["c"][1][0]
    identifier = image["c"][0][0]
    if prefix_of(identifier) not in FLOAT_KINDS or not image["c"][1]:
        return None
    image["c"][0][0] = ""
    return {"t": "Figure", "c": [A.attr(identifier), [None, [{"t": "Plain",
                                                               "c": list(image["c"][1])}]],
                                 [{"t": "Plain", "c": inlines}]]}


def _uncaptioned_image(para: A.Node) -> A.Node | None:
    """``![](x.png){#fig-x}``: pandoc makes no figure of an image without a caption; Quarto
    numbers it all the same ("Figure 3", no caption)."""
    inlines = para["c"]
    if not _only_image(inlines) or inlines[0]["c"][1]:
        return None
    identifier = inlines[0]["c"][0][0]
    if prefix_of(identifier) not in ("fig", "tbl"):
        return None
    inlines[0]["c"][0][0] = ""
    return {"t": "Figure", "c": [A.attr(identifier), [None, [{"t": "Plain", "c": []}]],
                                 [{"t": "Plain", "c": inlines}]]}


def _listing(block: A.Node, doc: ChapterDoc) -> A.Node | None:
    """A code block with ``#lst-x`` and ``lst-cap="..."``: a listing float."""
    identifier, classes, pairs = block["c"][0]
    caption = dict(pairs).get("lst-cap")
    if caption is None and prefix_of(identifier) != "lst":
        return None
    block["c"][0] = ["", classes, [[k, v] for k, v in pairs if k != "lst-cap"]]
    blocks = [{"t": "Plain", "c": caption_inlines(doc, caption)}] if caption else [
        {"t": "Plain", "c": []}]
    return {"t": "Figure", "c": [A.attr(identifier, ["float", "float-listing"]),
                                 [None, blocks], [block]]}


def _table_caption_attribute(table: A.Node, doc: ChapterDoc) -> None:
    """A table whose caption is an attribute (``tbl-cap="..."``) gets it as its caption."""
    pairs = table["c"][0][2]
    given = dict(pairs)
    if given.get("tbl-cap") and not table["c"][1][1]:
        table["c"][1] = [None, [{"t": "Plain", "c": caption_inlines(doc, given["tbl-cap"])}]]
    table["c"][0][2] = [[k, v] for k, v in pairs if k != "tbl-cap"]


def caption_inlines(doc: ChapterDoc, text: str) -> list[Any]:
    """A caption attribute (``lst-cap="The _query_"``) as Markdown: the inlines the read
    filter (``resources/read.lua``) read it into, else its words as plain text."""
    captions = doc.ast.get("meta", {}).get(CAPTIONS, {})
    read = captions.get("c", {}).get(text) if captions.get("t") == "MetaMap" else None
    if isinstance(read, dict) and read.get("t") == "MetaInlines":
        return copy.deepcopy(read["c"])
    return A.text_inlines(text)


def _alt_text(alt: list[Any]) -> list[Any]:
    """An image's alt text without citations and notes: an image made from a caption would
    otherwise carry the caption's note too (its number in the alt text, and a second note
    in the chapter's list of notes that nothing calls)."""
    def dropped(item: Any) -> bool:
        return isinstance(item, dict) and item.get("t") in ("Cite", "Note")
    if not any(dropped(node) for node in A.iter_nodes(alt)):
        return alt
    kept = A.map_inline_lists(alt, lambda items: [item for item in items if not dropped(item)])
    return A.text_inlines(re.sub(r"\s+(?=[.,;:!?)])", "", A.stringify(kept)))


def word_extents(nodes: list[A.Node], words: dict[str, str]) -> None:
    """How much of an R Markdown paged table is shown ("Shown: rows 1–10 of 175."), from
    the numbers read.lua gives (``rows="10/175"``) in the report's ``words``."""
    for node in nodes:
        if node["t"] != "Div" or "paged-table-extent" not in node["c"][0][1]:
            continue
        parts = []
        for kind, counts in node["c"][0][2]:
            last, total = counts.split("/")
            parts.append(words[f"table-{kind}"].format(first=1, last=last, total=total))
        node["c"][0][2] = []
        text = words["table-shown"].format(extent=", ".join(parts))
        node["c"][1] = [{"t": "Para", "c": A.text_inlines(text)}]
