"""Hand-written links inside the report: ``[see the methods](#methods)``.

Pandoc gives every heading an identifier made from its words (``## Methods`` is
``#methods``) and pandoc and Quarto authors link to those by hand; reportc names headings
its own way (``ch-02-methods``), so such a link led nowhere, in every edition, without a
word. Here each heading's identifier as pandoc would have made it (and as GitHub makes it)
points at the heading: the link's target becomes reportc's identifier. A pandoc-crossref
label reportc renamed (``#fig:x``, now ``fig-x``) is followed too. A link to an identifier
no element of the report has is a located ``link.target`` warning; its words print, with
no link to nowhere (EPUBCheck refuses one, RSC-012).

What a link may point at is noted among the cross-reference targets under keys of their
own (``#id``: an element's identifier; ``#>id``: another name of a heading's): a chapter
looks them up as it looks up a figure, so the per-chapter cache sees every one it used.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any
from urllib.parse import unquote

from reportc.document.crossref import crossref_key
from reportc.document.model import ChapterDoc, Target
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A

ELEMENT = "#"  # a target's key prefix: an element has this identifier
FILE = "#/"  # a target's key prefix: a chapter file (its path in the report), its anchor
ALIAS = "#>"  # a target's key prefix: another name of a heading's identifier
_ATTR_AT = {"Header": 1, "Div": 0, "Span": 0, "Image": 0, "Figure": 0, "Table": 0,
            "CodeBlock": 0, "Link": 0, "Code": 0}
# where a chapter's text may hold a link to a fragment: [x](#y), [x]: #y, <a href="#y">
_FRAGMENT_LINK = re.compile(r"\]\(\s*<?#|\]:\s*<?#|href\s*=\s*[\"']?#|\.[qR]?md\b|\.html\b")
# a link to a chapter's file, as Quarto books and GitHub pages have them: intro.qmd#sec-x,
# or to the page Quarto makes of it: intro.html#sec-x
_FILE_LINK = re.compile(r"^(?![A-Za-z][A-Za-z0-9+.-]*:)([^#?]+\.(?:[qR]?md|html))(?:#(.*))?$")
PAGE_SOURCES = (".qmd", ".md", ".Rmd", ".rmd", ".ipynb")  # what a Quarto page.html is made from
_ALLOWED = {"pandoc": "_-.", "gfm": "_-"}
# identifiers every edition gives the bibliography it prints (its part's, citeproc's list's)
BIBLIOGRAPHY_IDS = frozenset({"bibliography", "refs"})


def heading_id(inlines: list[Any], style: str = "pandoc") -> str:
    """The identifier pandoc's ``auto_identifiers`` give a heading with these words (its
    manual's rules: no notes or formatting; only letters, digits, ``_ - .``; words joined
    by ``-``; lower case; nothing before the first letter; ``section`` if nothing is left),
    or GitHub's (``gfm``: no ``.``, each space a ``-``, digits may begin it)."""
    allowed = _ALLOWED[style]
    text = "".join(c for c in A.stringify(inlines).lower()
                   if c.isalnum() or c.isspace() or c in allowed)
    if style == "gfm":
        return re.sub(r"\s", "-", text)
    text = "-".join(text.split())
    text = text[next((i for i, c in enumerate(text) if c.isalpha()), len(text)):]
    return text or "section"


def note_heading(doc: ChapterDoc, inlines: list[Any], explicit: str, identifier: str) -> None:
    """Note a heading's pandoc and GitHub identifiers (none when the author gave one:
    pandoc keeps it) beside reportc's, before its number or label join its words."""
    names = ["", ""] if explicit else [heading_id(inlines), heading_id(inlines, "gfm")]
    doc.heading_ids.append([*names, identifier])


def note_elements(doc: ChapterDoc, nodes: list[A.Node], targets: dict[str, Target]) -> None:
    """Every identifier the chapter's elements have (a heading, a figure, a span, a div),
    a target a hand-written link may point at."""
    ids = [doc.anchor] if doc.anchor else []
    ids += [node["c"][_ATTR_AT[node["t"]]][0] for node in nodes if node["t"] in _ATTR_AT]
    for identifier in ids:
        if identifier:
            targets.setdefault(ELEMENT + identifier, Target(identifier, "", ""))
    if doc.anchor:  # (a file that holds several chapters: its first)
        targets.setdefault(FILE + doc.chapter.rel, Target(doc.anchor, "", ""))


def heading_aliases(docs: list[ChapterDoc], targets: dict[str, Target]) -> dict[str, Target]:
    """Each heading's pandoc and GitHub identifiers, made unique as pandoc makes them in
    one document of all the chapters in reading order (a second ``## Results`` is
    ``results-1``), as targets of reportc's; an element's own identifier wins."""
    aliases: dict[str, Target] = {}
    for style in (0, 1):
        used: set[str] = set()
        for doc in docs:
            for names in doc.heading_ids:
                name, identifier = names[style], names[2]
                if not name:  # the author's identifier: pandoc's too
                    used.add(identifier)
                    continue
                unique, n = name, 0
                while unique in used:
                    n += 1
                    unique = f"{name}-{n}"
                used.add(unique)
                if unique != identifier and ELEMENT + unique not in targets:
                    aliases.setdefault(ALIAS + unique, Target(identifier, "", ""))
    return aliases


def resolve_links(doc: ChapterDoc, targets: dict[str, Target], diag: Diagnostics,
                  bib_keys: set[str] | frozenset[str] = frozenset()) -> None:
    """Point the chapter's links to ``#x`` at the element ``x`` names; a link to no
    element warns at its line and prints its words alone. The bibliography's identifiers
    (``#refs``, an entry's ``#ref-key`` of ``bib_keys``) are left as they are."""
    if not _FRAGMENT_LINK.search(doc.chapter.text):
        return  # (most chapters: their tree is not walked)
    seen: dict[str, int] = {}

    def relink(items: list[Any]) -> list[Any]:
        if not any(type(item) is dict and item.get("t") == "Link" for item in items):
            return items
        out: list[Any] = []
        for item in items:
            if type(item) is dict and item.get("t") == "Link":
                _file_to_fragment(item, doc, targets)
            name = _fragment(item) if type(item) is dict and item.get("t") == "Link" else ""
            if name and not _bibliography(name, bib_keys):
                out.extend(_relinked(item, doc, targets, diag, seen))
            else:
                out.append(item)
        return out
    A.map_inline_lists(doc.ast["blocks"], relink)


def _bibliography(name: str, bib_keys: set[str] | frozenset[str]) -> bool:
    """Is ``name`` an identifier of the bibliography's (its list's, an entry's)?"""
    return name in BIBLIOGRAPHY_IDS or (name.startswith("ref-") and name[4:] in bib_keys)


def _file_to_fragment(link: A.Node, doc: ChapterDoc, targets: dict[str, Target]) -> None:
    """A link to a chapter's file (``01-intro.md``, ``methods.qmd#sec-x``, relative to the
    linking chapter's folder), or to the page Quarto makes of it (``methods.html``), made
    one to its place in the report: the identifier after its ``#``, else the chapter's
    anchor. Any other file: left as it is."""
    written = _FILE_LINK.match(link["c"][2][0])
    if not written:
        return
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(doc.rel),
                                            unquote(written.group(1))))
    names = [rel] if not rel.endswith(".html") else [
        rel.removesuffix(".html") + suffix for suffix in PAGE_SOURCES]
    chapter = next((found for name in names if (found := targets.get(FILE + name))), None)
    if chapter is not None:
        link["c"][2][0] = "#" + (written.group(2) or chapter.id)


def _fragment(link: A.Node) -> str:
    """The identifier a hand-written link to ``#x`` names ("" for any other link)."""
    target = link["c"][2][0]
    return target[1:] if target.startswith("#") and len(target) > 1 \
        and "xref" not in link["c"][0][1] else ""


def _relinked(link: A.Node, doc: ChapterDoc, targets: dict[str, Target], diag: Diagnostics,
              seen: dict[str, int]) -> list[A.Node]:
    """The link pointed at its element, or its words alone (with a warning)."""
    name = _fragment(link)
    found = _find(name, targets)
    if found is not None and found.id:
        link["c"][2][0] = "#" + found.id
        return [link]
    line = _nth_line(doc, name, seen)
    if found is not None:
        diag.warning(f"link to '#{name}' points at content for other editions than this "
                     "build's: its words print without the link", doc.rel, line,
                     code="quarto.conditional")
    else:
        diag.warning(f"link to '#{name}': no heading, figure or other element of the report "
                     "has this identifier (its words print without the link); give the "
                     "element {#" + name + "} or link to one it has", doc.rel, line,
                     code="link.target")
    return link["c"][1]


def _find(name: str, targets: dict[str, Target]) -> Target | None:
    """What ``#name`` points at: an element with that identifier, a heading pandoc would
    have named so, a pandoc-crossref label renamed (``fig:x``), a cross-reference target
    (``fig-x`` of content for other editions: no identifier)."""
    renamed = crossref_key(name)  # (the name itself unless pandoc-crossref's)
    renamed = renamed.lower() if renamed != name else name
    for key in dict.fromkeys((ELEMENT + name, ALIAS + name, ELEMENT + renamed, name)):
        if (found := targets.get(key)) is not None:
            return found
    return None


def _nth_line(doc: ChapterDoc, name: str, seen: dict[str, int]) -> int | None:
    """The line of the next link to ``#name`` in the chapter's text."""
    pattern = r"(?:\]\(\s*<?|\]:\s*<?|href\s*=\s*[\"']?)[^\s)\"'#]*#" + re.escape(name) + \
        r"(?![\w.:-])"
    text = doc.chapter.text
    lines = [text.count("\n", 0, match.start()) + 1 for match in re.finditer(pattern, text)]
    nth = seen.get(name, 0)
    seen[name] = nth + 1
    return lines[min(nth, len(lines) - 1)] if lines else doc.chapter.line_of(
        re.compile("#" + re.escape(name)))
