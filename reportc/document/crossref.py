"""pandoc-crossref's syntax read as Quarto's, and Manubot's identifier citations.

pandoc-crossref writes ``{#fig:x}`` and ``@fig:x`` (``@Fig:x`` at a sentence start) where
Quarto writes ``{#fig-x}`` and ``@fig-x``; a table's label may sit in its caption as an empty
span (``: Caption []{#tbl:x}``) and a listing's caption is ``caption="..."``. Each becomes the
Quarto form here, right after reading, so numbering and cross-references know one syntax.

Manubot papers cite by persistent identifier (``@doi:10.1/x``, ``@arxiv:2101.0001``,
``@pmid:123``, ``@url:https://...``, bare ``@https://...``) and let Manubot look each one up
online. A build never goes online: such a citation, when no bibliography file holds its key,
prints its identifier as a link, with one located warning (:func:`identifier_link`).
"""

from __future__ import annotations

import re
from typing import Any

from reportc.document.model import ChapterDoc
from reportc.document.raw import quarto_id
from reportc.pandoc import ast as A

_CROSSREF = re.compile(r"^([Ff]ig|[Tt]bl|[Tt]ab|[Ss]ec|[Ee]q|[Ll]st):(.+)$")
_EQUATION_LABEL = re.compile(r"^\{#(eq:[^\s}]+)\}$")
_ATTR_AT = {"Header": 1, "Div": 0, "Span": 0, "Image": 0, "Figure": 0, "Table": 0,
            "CodeBlock": 0, "Link": 0, "Code": 0}
IDENTIFIER = re.compile(r"^(?:(doi|arxiv|pmid|pubmed|pmcid|pmc|isbn|wikidata|url):(.+)|"
                        r"(https?://.+))$", re.I)
_RESOLVERS = {"doi": "https://doi.org/", "arxiv": "https://arxiv.org/abs/",
              "pmid": "https://pubmed.ncbi.nlm.nih.gov/",
              "pubmed": "https://pubmed.ncbi.nlm.nih.gov/",
              "pmcid": "https://www.ncbi.nlm.nih.gov/pmc/articles/",
              "pmc": "https://www.ncbi.nlm.nih.gov/pmc/articles/",
              "wikidata": "https://www.wikidata.org/wiki/", "url": ""}
# Manubot's citation alias: a reference definition "[@deep-review]: doi:10.1098/rsif.2017.0387"
_ALIAS = re.compile(r"^ {0,3}\[@([^\]\s]+)\]:\s*(\S+)", re.M)


# Manubot's names for one source: the prefix it writes a key in
_STANDARD_PREFIX = {"pmid": "pubmed", "pmc": "pmcid"}


def standard_key(key: str) -> str | None:
    """A Manubot identifier key in one form (``None`` if it is not one), so that the
    citation ``@doi:10.7554/eLife.1`` finds the entry ``doi:10.7554/elife.1`` Manubot wrote
    (DOIs do not differ by case), ``@https://x.org/a`` the entry ``url:https://x.org/a/``:
    the prefix in lower case and Manubot's name, a DOI in lower case, no slash ending a
    URL."""
    match = IDENTIFIER.match(key)
    if not match:
        return None
    if match.group(3):
        return "url:" + match.group(3).rstrip("/")
    prefix = match.group(1).lower()
    prefix = _STANDARD_PREFIX.get(prefix, prefix)
    value = match.group(2).lower() if prefix == "doi" else match.group(2)
    return f"{prefix}:{value.rstrip('/') if prefix == 'url' else value}"


def crossref_key(key: str) -> str:
    """``fig:x`` -> ``fig-x``; ``Fig:x`` -> ``Fig-x`` (capitalised, as Quarto's); any other
    key unchanged."""
    match = _CROSSREF.match(key)
    if not match:
        return key
    normal = quarto_id(match.group(1).lower() + ":" + match.group(2))
    return normal[:1].upper() + normal[1:] if key[:1].isupper() else normal


def read_crossref(doc: ChapterDoc) -> None:
    """Rewrite pandoc-crossref's identifiers, references and labels as Quarto's."""
    nodes = A.iter_nodes(doc.ast["blocks"])
    if any(node["t"] == "CodeBlock" for node in nodes):
        A.map_inline_lists(doc.ast["blocks"], _caption_paragraphs)
        nodes = A.iter_nodes(doc.ast["blocks"])  # without the captions made attributes
    for node in nodes:
        kind = node["t"]
        if kind in _ATTR_AT:
            attr = node["c"][_ATTR_AT[kind]]
            if _CROSSREF.match(attr[0]):
                attr[0] = crossref_key(attr[0]).lower()
            if kind == "CodeBlock":
                _listing_caption(attr)
            elif kind == "Table":
                _caption_label(node)
        elif kind == "Cite":
            for citation in node["c"][0]:
                citation["citationId"] = crossref_key(citation["citationId"])
        elif kind == "Str" and (match := _EQUATION_LABEL.match(node["c"])):
            node["c"] = "{#" + crossref_key(match.group(1)) + "}"


def _caption_paragraphs(items: list[Any]) -> list[Any]:
    """pandoc-crossref's listing caption, a paragraph ``: Caption {#lst:x}`` just after (or
    before) a code block: the block's identifier and ``lst-cap``."""
    for index, item in enumerate(items):
        if type(item) is not dict or item.get("t") != "CodeBlock" or item["c"][0][0]:
            continue
        for near in (index + 1, index - 1):
            caption = _listing_caption_of(items[near]) if 0 <= near < len(items) else None
            if caption:
                item["c"][0][0], text = caption
                item["c"][0][2].append(["lst-cap", text])
                del items[near]
                return _caption_paragraphs(items)
    return items


def _listing_caption_of(block: Any) -> tuple[str, str] | None:
    inlines = block.get("c") if type(block) is dict and block.get("t") == "Para" else None
    if not inlines or inlines[0] != {"t": "Str", "c": ":"} or inlines[-1].get("t") != "Str":
        return None
    label = re.fullmatch(r"\{#(lst:[^\s}]+)\}", inlines[-1]["c"])
    if not label:
        return None
    return crossref_key(label.group(1)).lower(), A.stringify(inlines[1:-1])


def _listing_caption(attr: list[Any]) -> None:
    """pandoc-crossref's ``caption="..."`` on a listing is Quarto's ``lst-cap``."""
    if attr[0].startswith("lst-"):
        attr[2] = [["lst-cap" if key == "caption" else key, value] for key, value in attr[2]]


def _caption_label(table: A.Node) -> None:
    """``: Caption []{#tbl:x}``: the empty span's identifier is the table's; so is a label
    pandoc left as text at the caption's end (``{#tbl:x}`` on a line of its own)."""
    for block in table["c"][1][1]:
        inlines = block["c"] if block["t"] in ("Plain", "Para") else []
        if _text_label(table, inlines) or _span_label(table, inlines):
            return


def _text_label(table: A.Node, inlines: list[A.Node]) -> bool:
    """A ``{#tbl:x}`` left as text at the end of a caption paragraph names the table (if
    nothing else did) and leaves the caption; whether it did."""
    label = re.search(r"\{#\s*(tbl:\s*[^\s{}]+)\s*\}$", A.stringify(inlines))
    start = next((i for i in range(len(inlines) - 1, -1, -1) if inlines[i]["t"] == "Str"
                  and inlines[i]["c"].startswith("{#")), None)
    if not label or start is None or table["c"][0][0]:
        return False
    table["c"][0][0] = crossref_key(re.sub(r"\s+", "", label.group(1))).lower()
    del inlines[start:]
    _drop_trailing_space(inlines)
    return True


def _span_label(table: A.Node, inlines: list[A.Node]) -> bool:
    """An empty ``[]{#tbl:x}`` span in a caption paragraph names the table (if nothing
    else did) and leaves the caption; whether one did."""
    for index, inline in enumerate(inlines):
        if inline["t"] == "Span" and not inline["c"][1] and \
                inline["c"][0][0].startswith("tbl") and not table["c"][0][0]:
            table["c"][0][0] = crossref_key(inline["c"][0][0]).lower()
            del inlines[index]
            _drop_trailing_space(inlines)
            return True
    return False


def _drop_trailing_space(inlines: list[A.Node]) -> None:
    """A caption ends with its last word, not the space that stood before its label."""
    while inlines and inlines[-1]["t"] in ("Space", "SoftBreak"):
        inlines.pop()


def identifier_url(key: str) -> str | None:
    """The address a Manubot identifier key resolves to, or ``None`` if it is not one
    (``isbn:`` has no address: its text alone is printed)."""
    match = IDENTIFIER.match(key)
    if not match:
        return None
    if match.group(3):
        return match.group(3)
    prefix = _RESOLVERS.get(match.group(1).lower())
    return "" if prefix is None else prefix + match.group(2)


def identifier_link(key: str) -> A.Node:
    """What a Manubot citation no bibliography holds prints: its identifier, linked."""
    url = identifier_url(key) or ""
    text = A.text_inlines(url if key.lower().startswith("url:") else key)
    return A.link(text, url, ["identifier"]) if url else A.span(text, ["identifier"])


def manubot_aliases(text: str) -> dict[str, str]:
    """Manubot's citation aliases defined in ``text``: alias -> identifier."""
    return {match.group(1): match.group(2) for match in _ALIAS.finditer(text)}


def id_line(doc: ChapterDoc, identifier: str) -> int | None:
    """The line where ``#identifier`` is given: as written (``#fig-x``), in pandoc-crossref's
    form (``#fig:x``) or as the LaTeX ``\\label{fig:x}`` (``tab:x`` for ``tbl-x``)."""
    head, _, tail = identifier.partition("-")
    heads = {"tbl": "(?:tbl|tab|table)", "sec": "(?:sec|ch|chap|chapter|section)"}
    spelled = heads.get(head, re.escape(head)) + "[-:]" + re.escape(tail) if tail else \
        re.escape(identifier)
    return doc.chapter.line_of(re.compile(r"#" + spelled + r"(?![\w:.-])|\\label\{" + spelled +
                                          r"\}"))
