"""Quarto's theorem-type blocks and proofs.

``::: {#thm-x}`` (and lem, cor, prp, cnj, def, exm, exr) is a numbered block titled like
Quarto's: "Theorem 1 (Name)", the name from ``name="..."`` or from the block's first
heading (taken out of the flow: never a numbered section, never in the contents). The
number is given by :mod:`reportc.document.numbering` (:func:`label_theorem`).
``::: {.proof}`` (and remark, solution) opens with its word in italics, unnumbered.
"""

from __future__ import annotations

from reportc.document.kinds import THEOREM_PREFIXES, prefix_of
from reportc.pandoc import ast as A

PROOF_WORDS = {"proof": "Proof", "remark": "Remark", "solution": "Solution"}


def theorem_prefix(node: A.Node) -> str:
    """``"thm"`` for a ``::: {#thm-x}`` Div, ``""`` for anything else."""
    if node.get("t") != "Div":
        return ""
    prefix = prefix_of(node["c"][0][0])
    return prefix if prefix in THEOREM_PREFIXES else ""


def shape_theorems(nodes: list[A.Node], words: dict[str, str] | None = None) -> None:
    """Mark theorem blocks among ``nodes`` and open each with a title span that numbering
    fills in (``words``: "proof", "remark" and "solution" in the report's language)."""
    for node in nodes:
        if prefix := theorem_prefix(node):
            _shape_theorem(node, prefix)
        elif node["t"] == "Div" and (word := next(((words or PROOF_WORDS).get(c, english)
                                                   for c, english in PROOF_WORDS.items()
                                                   if c in node["c"][0][1]), "")):
            _shape_proof(node, word)


def _shape_proof(div: A.Node, word: str) -> None:
    """"Proof." in italics, or "Proof (Name)." with the name from its first heading."""
    blocks = div["c"][1]
    title = [{"t": "Str", "c": word + "."}]
    name = dict(div["c"][0][2]).get("name")
    name_inlines = A.text_inlines(name) if name else []
    if not name_inlines and blocks and blocks[0]["t"] == "Header":
        name_inlines = blocks.pop(0)["c"][2]
    if name_inlines:
        title = [{"t": "Str", "c": word}, {"t": "Space"}, {"t": "Str", "c": "("},
                 *name_inlines, {"t": "Str", "c": ")."}]
    _open_with(blocks, [{"t": "Emph", "c": title}], "proof-title")


def _shape_theorem(div: A.Node, prefix: str) -> None:
    identifier, classes, pairs = div["c"][0]
    blocks = div["c"][1]
    name = dict(pairs).get("name", "")
    name_inlines = A.text_inlines(name) if name else []
    if not name_inlines and blocks and blocks[0]["t"] == "Header":
        name_inlines = blocks.pop(0)["c"][2]
    div["c"][0] = [identifier, [*classes, "theorem", f"theorem-{prefix}"],
                   [[k, v] for k, v in pairs if k != "name"]]
    title = [A.span(name_inlines, ["theorem-name"])] if name_inlines else []
    _open_with(blocks, [{"t": "Strong", "c": title}], "theorem-title")


def _open_with(blocks: list[A.Node], inlines: list[A.Node], cls: str) -> None:
    """Start the block's first paragraph with a title span (or a paragraph of its own)."""
    title = A.span(inlines, [cls])
    if blocks and blocks[0]["t"] in ("Para", "Plain"):
        blocks[0]["c"][:0] = [title, {"t": "Space"}]
    else:
        blocks.insert(0, {"t": "Para", "c": [title]})


def label_theorem(div: A.Node, label: str) -> None:
    """Write "Theorem 1" (and " (Name)") into the title span, as Quarto titles it."""
    for node in A.iter_nodes(div["c"][1][:1]):
        if node["t"] == "Span" and "theorem-title" in node["c"][0][1]:
            strong = node["c"][1][0]
            name = strong["c"]
            words = A.text_inlines(label)
            if name:
                words += [{"t": "Space"}, {"t": "Str", "c": "("}, *name, {"t": "Str", "c": ")"}]
            strong["c"] = words
            return
