"""MyST-NB's glue: a notebook's stored output printed elsewhere in the book.

``glue("name", value)`` in a notebook's code cell stores an output whose metadata names it
(``scrapbook: {name: ...}``; with ``display=False`` its MIME types are prefixed, so the
cell itself shows nothing). reportc runs nothing: it reads the outputs the notebook
stored when it last ran (:func:`glued`, while the book's labels are read) and prints one
where a page pastes it:

- roles: ``{glue}`name``` (``{glue:any}``) the output inline (an image, Markdown, a
  formula, else its text), ``{glue:text}`name:.2f``` its text with a Python format spec,
  ``{glue:md}`name``` its Markdown;
- directives: ``{glue}`` the output as the notebook shows it, ``{glue:figure}`` a figure
  (its ``:name:`` numbered, its content the caption), ``{glue:math}`` a display formula
  (numbered with ``:label:``), ``{glue:md}`` its Markdown.

A name is looked for in the page's own notebook, then in the file ``path::name`` names,
then in any notebook of the book (Jupyter Book before MyST-NB 0.14 shared glue across
the book). A name no notebook stored is a ``myst.glue`` warning at its line: the role
prints the name, the directive its caption.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from reportc.errors import Diagnostics
from reportc.project.mysttext import escape
from reportc.project.notebook import IMAGES, output_lines

Glue = dict[str, dict[str, dict[str, Any]]]  # file -> name -> MIME bundle
Line = tuple[str, int]
# the book's glue, the page, its diagnostics, how a label becomes an identifier
Place = tuple[Glue, str, Diagnostics, Callable[[str, str], str]]
PREFIX = "application/papermill.record/"
GLUE_ROLES = {"glue", "glue:", "glue:any", "glue:text", "glue:md"}
GLUE_DIRECTIVES = {"glue", "glue:", "glue:any", "glue:figure", "glue:math", "glue:md"}
_LATEX = re.compile(r"^\s*(?:\$\$|\$|\\\[|\\\()?(.*?)(?:\$\$|\$|\\\]|\\\))?\s*$", re.S)
_CODE = "myst.glue"


def glued(notebook: Any) -> dict[str, dict[str, Any]]:
    """Each glued name of a notebook (its JSON, read) and the MIME bundle stored for it."""
    found: dict[str, dict[str, Any]] = {}
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    for cell in cells if isinstance(cells, list) else []:
        outputs = cell.get("outputs") if isinstance(cell, dict) else None
        for output in outputs if isinstance(outputs, list) else []:
            meta = (output.get("metadata") or {}).get("scrapbook") \
                if isinstance(output, dict) else None
            if isinstance(meta, dict) and meta.get("name"):
                data = output.get("data") or {}
                found[str(meta["name"])] = {key.removeprefix(PREFIX): value
                                            for key, value in data.items()}
    return found


def _find(glue: Glue, rel: str, key: str) -> dict[str, Any] | None:
    """The bundle glued as ``key`` (``path::name``: in that file) seen from page ``rel``."""
    path, _, name = key.rpartition("::")
    if path:
        wanted = (PurePosixPath(rel).parent / path).as_posix()
        files = [f for f in glue if f in (wanted, wanted + ".ipynb", path, path + ".ipynb")]
        return next((glue[f][name] for f in files if name in glue[f]), None)
    if name in glue.get(rel, {}):
        return glue[rel][name]
    return next((names[name] for names in glue.values() if name in names), None)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def formatted(text: str, spec: str) -> str:
    """A stored ``text/plain`` with a format spec, as MyST-NB formats it: the text read as
    a Python literal (so ``'abc'`` loses its quotes), then formatted by its type letter."""
    try:
        value: Any = ast.literal_eval(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        value = text
    if not spec:
        return str(value)
    kind = spec[-1]
    if kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    elif kind == "s":
        value = str(value)
    return format(value, spec)


def pasted_inline(role: str, content: str, glue: Glue, rel: str, line: int,
                  diag: Diagnostics) -> str | None:
    """A glue role's output as inline Markdown; ``None``: not found or not printable
    (said, at ``line``; the caller prints the role's text)."""
    key, spec = content, ""
    if role == "glue:text" and ":" in content.replace("::", ""):
        key, _, spec = content.rpartition(":")
    bundle = _found(glue, rel, key.strip(), line, diag)
    if bundle is None:
        return None
    want = {"glue:text": ("text/plain",), "glue:md": ("text/markdown",)}.get(
        role, (*IMAGES, "text/markdown", "text/latex", "text/plain"))
    kind = next((k for k in want if k in bundle), None)
    if kind is None:
        diag.warning(f"{{{role}}} '{key.strip()}': its stored output has no "
                     f"{' or '.join(want)} (its name prints)", rel, line, code=_CODE)
        return None
    value = _text(bundle[kind])
    if kind in IMAGES:
        data = {kind: value, "text/plain": bundle.get("text/plain", "")}
        return output_lines({"data": data})[0].removesuffix("\\")
    if kind == "text/latex":
        return f"${_LATEX.match(value).group(1).strip()}$"  # type: ignore[union-attr]
    try:
        shown = formatted(value, spec) if role == "glue:text" else value
    except (ValueError, TypeError) as exc:
        diag.warning(f"{{glue:text}} '{content}': {exc} (the stored text prints)", rel, line,
                     code=_CODE)
        shown = value
    return " ".join(shown.split()) if kind == "text/markdown" else escape(shown.strip())


def pasted_block(name: str, argument: str, options: dict[str, str], body: list[Line],
                 line: int, place: Place) -> list[Line]:
    """A glue directive as the MyST lines it stands for (read again by the caller): a
    ``{figure}`` of the stored image (another output in a figure's div), a ``{math}`` of
    its LaTeX, its Markdown or the output as the notebook prints it."""
    glue, rel, diag, label_id = place
    bundle = _found(glue, rel, argument.strip(), line, diag)
    if bundle is None:
        return body
    if name == "glue:figure":
        identifier = label_id(options.get("name") or f"{rel}-{line}", "fig")
        return _figure(bundle, options, body, line, identifier)
    if name == "glue:math" and "text/latex" in bundle:
        return _math(_text(bundle["text/latex"]), options, line)
    if name == "glue:md" or (name == "glue:math" and "text/markdown" in bundle):
        return [(t, line) for t in _text(bundle.get("text/markdown", "")).split("\n")]
    return [(t, line) for t in output_lines({"output_type": "display_data", "data": bundle})]


def _figure(bundle: dict[str, Any], options: dict[str, str], body: list[Line], line: int,
            identifier: str) -> list[Line]:
    """A stored image as a ``{figure}`` (its options and caption the directive's); another
    output (a table, text) a figure's div whose last paragraph, the content, is the
    caption."""
    image = next((k for k in IMAGES if k in bundle), None)
    if image:
        url = output_lines({"data": {image: bundle[image]}})[0]
        return [(f"```{{figure}} {url[url.index('](') + 2:url.rindex(')')]}", line),
                *((f":{k}: {v}", line) for k, v in options.items()), *body, ("```", line)]
    shown = [(t, line) for t in output_lines({"output_type": "display_data", "data": bundle})]
    return [(f"::: {{#{identifier}}}", line), *shown, ("", line), *body, (":::", line)]


def _math(latex: str, options: dict[str, str], line: int) -> list[Line]:
    """A stored LaTeX output (``$...$``, ``\\[...\\]``) as a ``{math}`` directive."""
    tex = _LATEX.match(latex).group(1)  # type: ignore[union-attr]
    label = options.get("label") or options.get("name")
    return [("```{math}", line), *([(f":label: {label}", line)] if label else []),
            *((t, line) for t in tex.strip().split("\n")), ("```", line)]


def _found(glue: Glue, rel: str, key: str, line: int, diag: Diagnostics
           ) -> dict[str, Any] | None:
    """:func:`_find`; a name no notebook stored is said at ``line``."""
    bundle = _find(glue, rel, key)
    if bundle is None:
        diag.warning(f"glue '{key}': no notebook of the book stored an output under that name "
                     "(run the notebook that glues it and save it with its outputs)", rel,
                     line, code=_CODE)
    return bundle
