"""The MyST roles that print their own text (code, terms, abbreviations, sub- and
superscripts, keys, downloads, the names of a program's objects), the escaping that makes
text print as it is, and the identifier a label becomes: shared by the modules that
write MyST as pandoc Markdown.
"""

from __future__ import annotations

import re
from pathlib import Path

_CODE_ROLES = {"code", "file", "samp", "command", "program", "envvar", "literal"}
_PLAIN_ROLES = {"term", "guilabel", "menuselection", "dfn", "emphasis", "strong", "index"}
# Sphinx's roles naming a program's objects (py:func, ..., or without the domain): their
# name as code, as Sphinx prints it (``~a.b`` shows ``b``), unlinked
_API_ROLES = {"func", "class", "meth", "mod", "attr", "obj", "data", "exc", "const", "any"}
_API_DOMAINS = ("py:", "c:", "cpp:", "js:", "rst:", "std:")


def simple_role(name: str, content: str, words: str, target: str) -> str | None:
    """The roles that print their own text, formatted; ``None`` for another role."""
    if name in _CODE_ROLES:
        return code_span(content)
    if name in _API_ROLES or name.startswith(_API_DOMAINS):
        shown = words or target.lstrip("!")
        return code_span(shown.rsplit(".", 1)[-1] if shown.startswith("~") else shown)
    if name in _PLAIN_ROLES:
        text = escape(words or target).replace("--&gt;", "\u2192").replace("--\\>", "\u2192")
        return {"dfn": f"*{text}*", "emphasis": f"*{text}*", "strong": f"**{text}**"}.get(
            name, text)
    return _formatted(name, content, words, target)


def _formatted(name: str, content: str, words: str, target: str) -> str | None:
    """The roles whose text is formatted: abbreviations, sub- and superscripts, keys,
    formulas, downloads."""
    if name == "abbr":
        short, _, long = content.partition("(")
        title = long.rstrip(")").replace('"', "'")
        return f'[{escape(short.strip())}]{{title="{title}"}}' if title else escape(short)
    if name in ("sub", "sup"):
        mark = "~" if name == "sub" else "^"
        return mark + escape(content).replace(" ", "\\ ") + mark
    if name == "kbd":
        return code_span(content) + "{.kbd}"
    if name == "math":
        return f"${content}$"
    if name == "download":
        return f"[{escape(words or Path(target).name)}]({target})"
    return None


def code_span(text: str) -> str:
    """``text`` as inline code (in double backticks when it holds one)."""
    ticks = "``" if "`" in text else "`"
    return f"{ticks}{text}{ticks}" if ticks == "`" else f"{ticks} {text} {ticks}"


def escape(text: str) -> str:
    """Text pandoc prints as it is (its Markdown characters escaped)."""
    return re.sub(r"([\\`*_{}\[\]<>#+!|~^$@])", r"\\\1", text)


def label_id(label: str, kind: str) -> str:
    """The identifier a MyST label becomes: the kind's prefix (``fig-``, ``eq-``,
    ``sec-``, which number it) before the label, once (``fig-x`` stays ``fig-x``)."""
    clean = re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-") or "label"
    return clean if not kind or clean.startswith(f"{kind}-") else f"{kind}-{clean}"
