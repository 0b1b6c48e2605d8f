"""The kinds of things a ``@prefix-id`` cross-reference can point at, as Quarto names them.

One table, so that numbering, cross-references, callouts and theorems agree on the words:
the prefix of an identifier says what it is (``#fig-`` a figure, ``#thm-`` a theorem) and
which word labels it ("Figure 2", "Theorem 1").
"""

from __future__ import annotations

import re

# bookdown's equation label, written in the formula: $$ E = mc^2 (\#eq:energy) $$
BOOKDOWN_LABEL = re.compile(r"\s*\(\\#eq:([^()\s]+)\)")

# prefix -> the word that labels it (Quarto's default English titles)
LABELS = {
    "fig": "Figure", "tbl": "Table", "lst": "Listing", "sec": "Section", "eq": "Equation",
    "thm": "Theorem", "lem": "Lemma", "cor": "Corollary", "prp": "Proposition",
    "cnj": "Conjecture", "def": "Definition", "exm": "Example", "exr": "Exercise",
    "rem": "Remark", "sol": "Solution",
    "nte": "Note", "tip": "Tip", "wrn": "Warning", "imp": "Important", "cau": "Caution",
}
DEFAULT_TAKEAWAYS_TITLE = "Key takeaways"  # a takeaway box's title when it has none
XREF_PREFIXES = tuple(f"{prefix}-" for prefix in LABELS)
FLOAT_KINDS = {"fig": "figure", "tbl": "table", "lst": "listing"}
THEOREM_PREFIXES = ("thm", "lem", "cor", "prp", "cnj", "def", "exm", "exr", "rem", "sol")
# callout class suffix -> (id prefix, default title)
CALLOUTS = {"note": ("nte", "Note"), "tip": ("tip", "Tip"), "warning": ("wrn", "Warning"),
            "important": ("imp", "Important"), "caution": ("cau", "Caution")}


def prefix_of(identifier: str) -> str:
    """``"fig"`` for ``"fig-growth"`` (and Quarto's capitalised ``"Fig-growth"``), else ``""``."""
    head, dash, _rest = identifier.partition("-")
    head = head[:1].lower() + head[1:]
    return head if dash and head in LABELS else ""


def is_xref(key: str) -> bool:
    """Whether a ``@key`` is a cross-reference (its prefix is one of :data:`LABELS`)."""
    return bool(prefix_of(key))


def target_id(key: str) -> str:
    """The identifier a key points at: ``@Fig-x`` (capitalised at a sentence start) is ``fig-x``."""
    return key[:1].lower() + key[1:] if is_xref(key) else key
