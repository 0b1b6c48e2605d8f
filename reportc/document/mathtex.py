"""TeX math as the print edition's engine reads it, and formulas that only define macros.

The web edition's formulas are pandoc's (texmath); the print edition draws them with
latex2mathml and ziamath (:mod:`reportc.document.math`), which miss a few commands texmath
and LaTeX know. :func:`drawable` writes those in forms the engine draws the same way, so
a formula that reads in one edition reads in the other. Found by putting every command
named in texmath's TeX reader through both engines (``\\operatorname*`` drew a stray star,
``\\dag``, ``\\hdots``, ``\\Alpha``, ``\\symbf`` and ``\\nonumber`` were unknown).
"""

from __future__ import annotations

import re
from typing import Any

from reportc.cache import digest
from reportc.document.model import ChapterDoc
from reportc.pandoc import ast as A
from reportc.project.macros import only_definitions

_END = r"(?![A-Za-z])"
# (pattern, replacement): texmath's and LaTeX's spellings latex2mathml/ziamath do not draw
_REWRITES: tuple[tuple[str, str], ...] = (
    (r"\\(?:nonumber|notag)" + _END + r"|\\label\s*\{[^{}]*\}", ""),
    (r"\\dag" + _END, r"\\dagger"),
    (r"\\ddag" + _END, r"\\ddagger"),
    (r"\\hdots" + _END, r"\\ldots"),
    (r"\\symbf" + _END, r"\\boldsymbol"),
    (r"\\ensuremath" + _END, ""),
    (r"\\(?:si|unit)\s*\{([^{}\\]*)\}", r"\\mathrm{\1}"),
)
_CAPITALS = {"Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z", "Eta": "H", "Iota": "I",
             "Kappa": "K", "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P", "Tau": "T",
             "Chi": "X"}  # Greek capitals written as Latin ones (texmath knows their names)
_CAPITAL = re.compile(r"\\(" + "|".join(_CAPITALS) + ")" + _END)
# \operatorname{..}, and \mathop{\mathrm{..}} (what pandoc makes of \DeclareMathOperator):
# latex2mathml reads the name as one token only if it holds no command (arg\,min)
_OPERATOR = re.compile(r"\\operatorname(\*?)\s*\{([^{}]*)\}|\\mathop\s*\{\s*\\mathrm\s*"
                       r"\{([^{}]*)\}\s*\}")
_SPACES = {"\\,": "\u2009", "\\:": "\u205f", "\\;": " ", "\\ ": " ", "\\!": "", "~": " "}
# A sized delimiter written as a command (\Big\{, \bigl\langle): latex2mathml draws the
# command's name ("\{", "\langle") for the delimiter, or, for the invisible "\big.", a dot.
# It takes the character after the size as it is, so the command becomes its character.
_DELIMITERS = {"{": "{", "}": "}", "|": "‖", "lbrace": "{", "rbrace": "}", "langle": "⟨",
               "rangle": "⟩", "lvert": "|", "rvert": "|", "vert": "|", "Vert": "‖",
               "lVert": "‖", "rVert": "‖", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈",
               "rceil": "⌉", "backslash": "⧵", "lparen": "(", "rparen": ")",
               "lbrack": "[", "rbrack": "]", "uparrow": "↑", "downarrow": "↓",
               "updownarrow": "↕", "Uparrow": "⇑", "Downarrow": "⇓", "Updownarrow": "⇕",
               "lgroup": "⟮", "rgroup": "⟯", "llbracket": "⟦", "rrbracket": "⟧"}
_SIZED = re.compile(r"(\\[bB]igg?[lrm]?)\s*(?:\\([{}|]|[A-Za-z]+" + _END + r")|(\.))")
# \mathbb{1}, the indicator function's one: ziamath draws a double-struck letter but a plain
# digit; the digit's own character (U+1D7D8 and on) draws double-struck
_DOUBLE_STRUCK = re.compile(r"\\mathbb\s*\{\s*(\d+)\s*\}")
# An empty line (\\ \\, or a formula ending in \\): ziamath draws the formula with a
# negative height, which prints nothing at all; the empty line gets a strut's height, and a
# last line break (nothing after it) goes
_EMPTY_LINE = re.compile(r"\\\\(\s*)(?=\\\\)")
_LAST_BREAK = re.compile(r"\\\\\s*$")
# part of the drawings' cache key
REWRITES_VERSION = digest(repr(_REWRITES), _OPERATOR.pattern, repr(_SPACES), repr(_CAPITALS),
                          repr(_DELIMITERS), _SIZED.pattern, _DOUBLE_STRUCK.pattern,
                          _EMPTY_LINE.pattern, _LAST_BREAK.pattern)


def drawable(tex: str) -> str:
    """``tex`` with the commands of :data:`_REWRITES` in forms latex2mathml draws."""
    if "\\" not in tex:
        return tex
    tex = _OPERATOR.sub(_operator, tex)
    for pattern, replacement in _REWRITES:
        tex = re.sub(pattern, replacement, tex)
    tex = _SIZED.sub(_sized, tex)
    tex = _LAST_BREAK.sub("", _EMPTY_LINE.sub(r"\\\\\1\\vphantom{x}", tex))
    tex = _DOUBLE_STRUCK.sub(lambda m: "".join(chr(0x1D7D8 + int(d)) for d in m.group(1)), tex)
    return _CAPITAL.sub(lambda match: "\\mathrm{" + _CAPITALS[match.group(1)] + "}", tex)


def _sized(match: re.Match[str]) -> str:
    """A sized delimiter as latex2mathml draws it: the size and the delimiter's character
    (an invisible one, ``\\big.``, as nothing; a command it has no character for as it was)."""
    size, command, dot = match.groups()
    if dot:
        return ""
    char = _DELIMITERS.get(command)
    return match.group(0) if char is None else f"{size}{char}"


def _operator(match: re.Match[str]) -> str:
    """An operator name with its spacing commands as the characters they stand for."""
    star, name = ("*", match.group(3)) if match.group(3) is not None else match.group(1, 2)
    for command, char in _SPACES.items():
        name = name.replace(command, char)
    return f"\\operatorname{star}{{{name}}}"


def drop_macro_formulas(doc: ChapterDoc) -> None:
    """A ``$$ \\newcommand ... $$`` block (Quarto's advice for macros) prints nothing: its
    definitions reach every chapter's reading (:mod:`reportc.project.macros`); the formula
    goes, and the paragraph it leaves empty."""
    if "$$" not in doc.chapter.text or not any(
            node["t"] == "Math" and only_definitions(node["c"][1])
            for node in A.iter_nodes(doc.ast["blocks"])):
        return
    A.map_inline_lists(doc.ast["blocks"], _without_definitions)
    doc.ast["blocks"] = without_empty(doc.ast["blocks"])


def _without_definitions(items: list[Any]) -> list[Any]:
    return [item for item in items if not (type(item) is dict and item.get("t") == "Math"
                                           and only_definitions(item["c"][1]))]


def without_empty(tree: Any) -> Any:
    """``tree`` without paragraphs that hold only spaces (in every list of blocks)."""
    if isinstance(tree, list):
        return [without_empty(item) for item in tree
                if not (type(item) is dict and item.get("t") in ("Para", "Plain") and
                        all(inline.get("t") in ("Space", "SoftBreak") for inline in item["c"]))]
    if isinstance(tree, dict):
        return {key: without_empty(value) for key, value in tree.items()}
    return tree
