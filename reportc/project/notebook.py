"""A Jupyter notebook chapter of a Jupyter Book (``.ipynb``) as MyST Markdown.

A notebook keeps the outputs its cells printed when it was last run, and reportc prints
those, never running anything: a Markdown cell is its text (MyST, read as a ``.md``
chapter is), a code cell its code, then its stored outputs (an image as an image, HTML
as raw HTML, a pandas DataFrame as its table, text as a block of text, an error as its
message). A code cell never run (no stored output, no execution count) is a
``{code-cell}`` (printed as code, with the ``myst.code-cell`` warning that says its
output is missing). Tags ``remove-cell``, ``remove-input`` and
``remove-output`` leave out what they name, as in Jupyter Book. Every line keeps the line
of the notebook's file where its cell starts, for messages.
"""

from __future__ import annotations

import json
import re
from typing import Any

from reportc.errors import Diagnostics

Line = tuple[str, int]
IMAGES = ("image/svg+xml", "image/png", "image/jpeg", "image/gif")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)
_WRAPPED_TABLE = re.compile(r"^\s*<div\b[^>]*>\s*(<table\b.*</table>)\s*(?:<p>([^<]*)</p>)?\s*"
                            r"</div>\s*$", re.S | re.I)
_CELL = re.compile(r'^\s*"cell_type":', re.M)


def notebook_text(raw: str, rel: str, diag: Diagnostics) -> tuple[str, list[int]] | None:
    """The notebook ``raw`` as MyST Markdown and the file's line each line comes from
    (``None``, with an error, if it is no notebook)."""
    try:
        notebook = json.loads(raw)
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError) as exc:
        diag.error(f"is not a Jupyter notebook reportc can read ({exc})", rel, 1)
        return None
    starts = [raw.count("\n", 0, match.start()) + 1 for match in _CELL.finditer(raw)]
    language = _language(notebook.get("metadata") or {})
    out: list[Line] = []
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        line = starts[index] if index < len(starts) else 1
        out += _cell(cell, language, line) if isinstance(cell, dict) else []
    out = [(part, line) for text, line in out for part in text.split("\n")]  # one line each
    return "\n".join(text for text, _ in out), [line for _, line in out]


def _language(metadata: dict[str, Any]) -> str:
    kernel = metadata.get("kernelspec") or {}
    info = metadata.get("language_info") or {}
    return str(kernel.get("language") or info.get("name") or "python")


def _text(value: Any) -> str:
    """A notebook's multi-line string (a list of lines, or one string)."""
    return "".join(value) if isinstance(value, list) else str(value or "")


def _cell(cell: dict[str, Any], language: str, line: int) -> list[Line]:
    source = _text(cell.get("source")).split("\n")
    tags = (cell.get("metadata") or {}).get("tags") or []
    if "remove-cell" in tags:
        return []
    if cell.get("cell_type") == "markdown":
        return [(text, line) for text in source] + [("", line)]
    if cell.get("cell_type") != "code":
        return []  # a raw cell prints nothing in Jupyter Book's editions either
    return [(text, line) for text in _code_cell(cell, source, tags, language)]


def _code_cell(cell: dict[str, Any], source: list[str], tags: list[str], language: str
               ) -> list[str]:
    """A code cell's code (a ``{code-cell}`` when no output is stored) and its outputs."""
    outputs = [] if "remove-output" in tags else [
        part for output in cell.get("outputs") or [] for part in output_lines(output)]
    code = [] if "remove-input" in tags else source
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", "\n".join(code)))])
    # it ran: it has outputs (glued with display=False they print nothing here) or a count
    ran = cell.get("outputs") or cell.get("execution_count") is not None
    head = f"{fence}{{code-cell}} {language}" if not ran else f"{fence}{language}"
    return [*([head, *code, fence, ""] if code else []), *outputs]


def output_lines(output: dict[str, Any]) -> list[str]:
    """One stored output as Markdown lines."""
    kind = output.get("output_type")
    if kind == "stream":
        return _block(_text(output.get("text")))
    if kind == "error":
        return _block(_ANSI.sub("", "\n".join(output.get("traceback") or [])) or
                      f"{output.get('ename')}: {output.get('evalue')}")
    data = output.get("data") or {}
    image = next((kind for kind in IMAGES if kind in data), None)
    if image:
        payload = _text(data[image]).replace("\n", "")
        if image == "image/svg+xml":
            import base64  # only for a notebook's SVG output

            payload = base64.b64encode(payload.encode("utf-8")).decode("ascii")
        alt = " ".join(_text(data.get("text/plain", "")).split()).replace("]", ")") \
            or "Cell output"  # (one line: a formula's text/plain has several)
        return [f"![{alt}](data:{image};base64,{payload})\\", ""]
    if "text/markdown" in data:
        return [*_text(data["text/markdown"]).split("\n"), ""]
    if "text/html" in data:
        html, size = _table_only(_text(data["text/html"]))
        return ["```{=html}", *html.split("\n"), "```", "", *([size, ""] if size else [])]
    if "text/plain" in data:
        return _block(_text(data["text/plain"]))
    return []


def _table_only(html: str) -> tuple[str, str]:
    """A pandas DataFrame's HTML (``<div><style scoped>...</style><table
    class="dataframe">``) as its table alone, and the size a long one says under it
    ("93 rows × 4 columns"): the web page's style is no table's, and a table is what the
    editions read of raw HTML (the div around it would hide it)."""
    found = _WRAPPED_TABLE.match(_STYLE.sub("", html))
    return (found.group(1), found.group(2) or "") if found else (html, "")


def _block(text: str) -> list[str]:
    """Text an output printed, as a block that prints it as it is."""
    text = text.rstrip("\n")
    if not text:
        return []
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", text))])
    return [f"{fence}text", *text.split("\n"), fence, ""]
