"""Mathematics: numbered display equations, and formulas drawn for both editions.

``$$ ... $$ {#eq-x}`` becomes a numbered equation ("(1)", referenced as "Equation 1").
The web edition shows every formula as MathML (pandoc's ``--mathml``). WeasyPrint draws
no MathML, so the print page gets each formula as an SVG image drawn by ziamath (pure
Python: latex2mathml parses the TeX, ziamath sets it in the STIX Two Math font it ships,
as vector outlines) with its TeX as the alt text; :func:`print_formulas` swaps them in.
ziamath is maintained, needs no TeX installation and no network, and its output is the
same bytes for the same formula. A formula that cannot be converted is one error at its
line (:func:`check_formulas`), before pandoc sees it, so no TeX is ever printed raw.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
import warnings
from typing import Any

from reportc.cache import BuildCache, digest
from reportc.document.kinds import BOOKDOWN_LABEL, prefix_of
from reportc.document.mathtex import REWRITES_VERSION, drawable
from reportc.document.model import ChapterDoc
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A

EQUATION_ID = re.compile(r"^\{#(eq-[^\s}]+)\}$")
_MATH = re.compile(r"<math\b([^>]*)>(.*?)</math>", re.S)
_TEX = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)
_UNKNOWN = re.compile(r"<m[io][^>]*>(\\[A-Za-z]+)</m[io]>")
SIZE = 20.0  # ziamath's font size in SVG units; the image is scaled to 1em of the text
_DRAWN: dict[tuple[str, bool], tuple[str, float, float]] = {}  # (tex, display) -> drawing


def plain_text(tree: Any) -> str:
    """:func:`reportc.pandoc.ast.stringify`, with each formula as :func:`math_text`."""
    if not any(node["t"] == "Math" for node in A.iter_nodes(tree)):
        return A.stringify(tree)
    copy = json.loads(json.dumps(tree))
    for node in A.iter_nodes(copy):
        if node["t"] == "Math":
            node["t"], node["c"] = "Str", math_text(node["c"][1])
    return A.stringify(copy)


# the TeX logos MathJax and KaTeX draw in a formula ($\LaTeX$), which texmath and ziamath
# do not know: their names, upright
_LOGOS = re.compile(r"\\(LaTeX|TeX|LaTeXe)(?![A-Za-z])")


def spell_logos(nodes: list[A.Node]) -> None:
    """``$\\LaTeX$`` and ``$\\TeX$`` as the words, upright, in every edition: they were
    "not defined" (an error) though the author's web page (MathJax) draws them."""
    for node in nodes:
        if node["t"] == "Math" and "TeX" in node["c"][1]:
            node["c"][1] = _LOGOS.sub(lambda m: "\\text{" + m.group(1).replace(
                "LaTeXe", "LaTeX2ε") + "}", node["c"][1])


def mark_equations(doc: ChapterDoc, nodes: list[A.Node]) -> None:
    """``$$ ... $$ {#eq-x}`` (or bookdown's ``$$ ... (\\#eq:x) $$``): the formula in a Span
    with the id and class ``equation`` (numbered by :mod:`reportc.document.numbering`).
    ``nodes``: the chapter's nodes, to walk it only if it has display math."""
    if any(node["t"] == "Math" and node["c"][0]["t"] == "DisplayMath" for node in nodes):
        A.map_inline_lists(doc.ast["blocks"], _mark)


def _mark(items: list[Any]) -> list[Any]:
    for index, item in enumerate(items):
        if not (isinstance(item, dict) and item.get("t") == "Math"
                and item["c"][0]["t"] == "DisplayMath"):
            continue
        after = index + 1
        while after < len(items) and items[after].get("t") in ("Space", "SoftBreak"):
            after += 1
        label = items[after] if after < len(items) else None
        match = EQUATION_ID.match(label["c"]) if label and label.get("t") == "Str" else None
        if match and prefix_of(match.group(1)) == "eq":
            items[index] = {"t": "Span", "c": [A.attr(match.group(1), ["equation"]), [item]]}
            del items[index + 1:after + 1]
            return _mark(items)  # the list changed under the loop
        if found := BOOKDOWN_LABEL.search(item["c"][1]):
            item["c"][1] = BOOKDOWN_LABEL.sub("", item["c"][1])
            items[index] = {"t": "Span", "c": [A.attr(f"eq-{found.group(1)}", ["equation"]),
                                               [item]]}
    return items


def check_formulas(doc: ChapterDoc, diag: Diagnostics, nodes: list[A.Node],
                   cache: BuildCache | None = None) -> None:
    """Report, at its line, each formula that cannot be drawn (and so would print as TeX).

    Drawing takes about 15 ms a formula, so the drawings of a chapter's formulas are kept
    in the build cache (one entry per chapter) for the print page and the next build."""
    formulas = [(node["c"][1], node["c"][0]["t"] == "DisplayMath")
                for node in nodes if node["t"] == "Math"]
    if not formulas:
        return
    key = digest(json.dumps(formulas), _ziamath_version(), REWRITES_VERSION)
    if doc.trace is not None:  # a chapter taken whole recalls its drawings by this key
        doc.trace.formulas.append(key)
    cached = recall_formulas(cache, key) if cache else None
    failed = False
    for tex, display in formulas:
        if problem := formula_problem(tex, display):
            line = doc.chapter.line_of(tex.strip()[:40]) or \
                doc.chapter.line_of(tex.strip().split("\n")[0][:40])
            diag.error(f"formula '{_short(tex)}' cannot be typeset: {problem}", doc.rel, line)
            failed = True
    if cache and not cached and not failed:
        drawn = [[tex.strip(), display, *_svg(tex.strip(), display)] for tex, display in formulas]
        cache.put("formulas", key, json.dumps(drawn))


def recall_formulas(cache: BuildCache, key: str) -> str | None:
    """The drawings of a chapter's formulas kept under ``key``, made known to the print
    page's (:func:`print_formulas`); the entry's text, or None."""
    cached = cache.get("formulas", key)
    if cached:
        for tex, display, *drawn in json.loads(cached):
            _DRAWN[(tex, display)] = tuple(drawn)
    return cached


def formula_problem(tex: str, display: bool) -> str:
    """Why ``tex`` cannot be drawn, or ``""``."""
    try:
        mathml = _mathml(tex)
        _drawing, height, _depth = _svg(tex.strip(), display)
    except Exception as exc:  # the converters raise many kinds
        return str(exc) or type(exc).__name__
    if unknown := _UNKNOWN.search(mathml):
        return undefined(unknown.group(1))
    if height <= 0 and tex.strip(" {}\n"):  # drawn at no size: it would print nothing at all
        return "the print engine draws it with no height (write it another way)"
    return ""


def undefined(command: str) -> str:
    """What to say of a command no engine knows: an author's macro defined nowhere."""
    return (f"{command} is not defined: define it with \\newcommand{{{command}}}{{...}} (or "
            f"\\DeclareMathOperator{{{command}}}{{...}}) in a chapter, in its front "
            "matter's header-includes, or in a LaTeX preamble named by report.yaml's "
            "include-in-header")


def _mathml(tex: str) -> str:
    """``tex`` as MathML, by latex2mathml as ziamath extends it (ziamath declares
    operators such as ``\\arg`` when imported: import it first, or a build's first formula
    would not know them)."""
    _ziamath()
    from latex2mathml.converter import convert
    return convert(drawable(tex.strip()))


@functools.cache
def _ziamath() -> Any:
    with warnings.catch_warnings():  # ziamath 0.13 loads its font with a deprecated call
        warnings.simplefilter("ignore", DeprecationWarning)
        import ziamath
    ziamath.config.svg2 = False  # xlink:href, which every SVG reader follows
    return ziamath


def located_math_warning(warning: str, doc: ChapterDoc) -> tuple[str, int | None] | None:
    """pandoc's "Could not convert TeX math X" warning as an error message and a line."""
    match = re.match(r"Could not convert TeX math\s+(.*?),\s*rendering as TeX:?(.*)", warning,
                     re.S)
    if not match:
        return None
    tex = match.group(1)
    detail = next((line.strip() for line in match.group(2).splitlines()
                   if line.strip().startswith("unexpected")), "")
    if command := re.fullmatch(r"unexpected control sequence (\\[A-Za-z]+)", detail):
        detail = undefined(command.group(1))
    message = f"formula '{_short(tex)}' cannot be typeset" + (f": {detail}" if detail else "")
    return message, doc.chapter.line_of(tex.strip().split("\n")[0][:40])


@functools.cache
def _ziamath_version() -> str:
    """ziamath's version (a key of the formulas' drawings). importlib.metadata imported
    only now: with the email and zip modules it brings, a quarter of the time the build
    took to import its stages, for a report that may have no formula."""
    from importlib import metadata

    return metadata.version("ziamath")


def _svg(tex: str, display: bool) -> tuple[str, float, float]:
    """``(svg, height, depth)`` for a formula, heights in em of the surrounding text."""
    if (tex, display) not in _DRAWN:
        if len(_DRAWN) > 20000:  # a long watch session: start afresh
            _DRAWN.clear()
        _DRAWN[(tex, display)] = _draw(tex, display)
    return _DRAWN[(tex, display)]


def _draw(tex: str, display: bool) -> tuple[str, float, float]:
    ziamath = _ziamath()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        svg = ziamath.Latex(drawable(tex), size=SIZE, inline=not display).svg()
    box = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', svg)
    top, height = (float(box.group(2)), float(box.group(4))) if box else (-SIZE, SIZE)
    return svg, height / SIZE, (top + height) / SIZE


_SUPERSCRIPTS = str.maketrans("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ")
_SUBSCRIPTS = str.maketrans("0123456789+-=()aehijklmnoprstuvx",
                            "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SPACED = set("=+-−<>≤≥≈×·")


def math_text(tex: str) -> str:
    """A formula as plain text, for where no formula can be drawn (contents, bookmarks,
    running heads, lists of figures): "\\alpha^2" reads "α²", never as TeX."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(_mathml(tex))
    except Exception:  # reported by check_formulas
        return re.sub(r"\\([A-Za-z]+)|[{}\\]", r"\1", tex).strip()
    return " ".join(_text_of(root).split())


def _text_of(node: Any) -> str:
    tag = node.tag.rsplit("}", 1)[-1]
    parts = [_text_of(child) for child in node]
    if tag in ("msup", "msub", "msubsup") and len(parts) >= 2:
        marks = {"msup": "^", "msub": "_", "msubsup": "_^"}[tag]
        out = parts[0]
        for mark, script in zip(marks, parts[1:], strict=False):
            table = _SUPERSCRIPTS if mark == "^" else _SUBSCRIPTS
            fits = all(ord(ch) in table for ch in script)
            out += script.translate(table) if fits else mark + script
        return out
    if tag == "mfrac" and len(parts) == 2:
        return f"{parts[0]}/{parts[1]}"
    text = (node.text or "").strip()
    if tag == "mo" and text in _SPACED:
        text = f" {text.replace('-', '−')} "
    return text + "".join(parts)


def print_formulas(page: str) -> str:
    """Every MathML formula of the page as an SVG image (the print edition)."""
    return _MATH.sub(_image, page) if "<math" in page else page


def _image(match: re.Match[str]) -> str:
    found = _TEX.search(match.group(2))
    tex = html.unescape(found.group(1)).strip() if found else ""
    display = 'display="block"' in match.group(1)
    try:
        svg, height, depth = _svg(tex, display)
    except Exception:  # reported by check_formulas before rendering
        return f'<span class="math-missing">{html.escape(tex)}</span>'
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    kind = "display" if display else "inline"
    box = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"', svg)
    size = f"height:{height:.3f}em;vertical-align:{-depth:.3f}em"
    if display and box:  # a formula wider than the column is scaled down to fit it
        size = f"width:{float(box.group(1)) / SIZE:.3f}em;max-width:100%;height:auto"
    return (f'<img class="math-{kind}" alt="{html.escape(tex)}" style="{size}" '
            f'src="data:image/svg+xml;base64,{data}">')


def _short(tex: str, limit: int = 60) -> str:
    tex = " ".join(tex.split())
    return tex if len(tex) <= limit else tex[:limit - 1] + "\u2026"
