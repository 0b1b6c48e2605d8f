"""Quarto's hidden and conditional content: a ``::: {.hidden}`` block or ``[text]{.hidden}``
span (what Quarto's manual gives for maths macros and notes to self) is in no edition, and
a ``.content-visible``/``.content-hidden`` Div, Span or code block with ``when-format`` /
``unless-format`` is in the editions its condition holds for.

reportc's editions are four kinds of output in Quarto's terms (:data:`EDITION_KINDS`:
the web page and site are ``html``, the PDF and brief ``pdf``, then ``docx`` and
``epub``), and a format name holds for the kinds Quarto's format matching gives it
(:data:`MATCHES`, from quarto-cli's ``_format.lua``): ``html`` for every HTML-based output,
the EPUB too; ``html:js`` not the EPUB; ``latex`` is ``pdf``. A name reportc never makes
(``ipynb``, ``revealjs``) holds for none.

The chapters are read, numbered and rendered once for every edition, so this walk decides
what it can for the whole build (the chapter knows the kinds of the build's editions:
``Chapter.editions``): content for every one of them stays (its wrapper too, as before),
content for none of them leaves the tree (it costs nothing further), and content for some
of them is *marked*: an HTML comment before and after it (:func:`opening`, :func:`closing`)
that each edition's filter (:mod:`reportc.editions.conditional`) cuts at, with what lies
between when the edition is not one it names. Numbered things inside marked content are
numbered in every edition (the others skip their numbers): a located warning says so.

``when-meta="key"`` holds where the front matter (else ``_quarto.yml``) sets ``key`` (dotted:
a mapping's) to the boolean true, ``unless-meta`` where it does not
(:func:`reportc.project.shortcodes.meta_flags`, ``Chapter.flags``), in every edition alike;
``when-profile="advanced"`` holds where ``advanced`` is one of the build's active Quarto
profiles (:mod:`reportc.project.profiles`, ``Chapter.profiles``), ``unless-profile`` where
it is not, in every edition alike too.
"""

from __future__ import annotations

import re
from typing import Any

from reportc.document.kinds import XREF_PREFIXES, target_id
from reportc.document.model import ChapterDoc, Target
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A

EDITION_KINDS = frozenset({"html", "pdf", "docx", "epub"})
_HTML = frozenset({"html", "epub"})  # Quarto: epub is HTML-based output
# each format name an edition of reportc is (Quarto's aliases too), and the kinds it holds
# for; every other name holds for none
MATCHES: dict[str, frozenset[str]] = {
    "html": _HTML, "html4": _HTML, "html5": _HTML, "html:js": frozenset({"html"}),
    "pdf": frozenset({"pdf"}), "latex": frozenset({"pdf"}), "docx": frozenset({"docx"}),
    "epub": frozenset({"epub"}), "epub2": frozenset({"epub"}), "epub3": frozenset({"epub"}),
}
_LABEL = re.compile(r"\{[^}\n]*#([A-Za-z]+-[\w-]+)")  # an attribute block's identifier
MARK = "reportc-only"
# an opening marker: its number in the chapter and the kinds it is for
OPENING = re.compile(rf"<!--{MARK} (\d+) ([a-z ]+)-->")


def absent_targets(texts: list[str], targets: dict[str, Target]) -> dict[str, Target]:
    """The labels written in conditional content (``{#fig-x}`` in a chapter with such
    content) that no target has: content for none of the build's editions held them, left
    out when read. Each is a target without an identifier: a cross-reference to it is a
    warning, not an unknown one's error (Quarto prints ``?@fig-x``)."""
    return {label: Target("", "", "") for text in texts if conditional(text)
            for label in map(target_id, _LABEL.findall(text)) if label not in targets}


def opening(number: int, kinds: frozenset[str]) -> str:
    """The comment before content for ``kinds`` only (number ``number`` in its chapter)."""
    return f"<!--{MARK} {number} {' '.join(sorted(kinds))}-->"


def closing(number: int) -> str:
    """The comment after it."""
    return f"<!--/{MARK} {number}-->"


def conditional(text: str) -> bool:
    """Whether a chapter's text may hold hidden or conditional content (the walk copies the
    whole tree: only then)."""
    return ".hidden" in text or "content-hidden" in text or "content-visible" in text


def drop_hidden(doc: ChapterDoc, diag: Diagnostics | None = None) -> None:
    """Every hidden Div and Span of the chapter, content and all, leaves it, and so does
    content for none of the build's editions; content for some of them is marked."""
    if conditional(doc.chapter.text):
        walk = _Walk(doc, frozenset(doc.chapter.editions), diag)
        doc.ast["blocks"] = walk.tree(doc.ast["blocks"])


class _Walk:
    """One chapter's walk: the kinds of the build's editions, the markers numbered."""

    def __init__(self, doc: ChapterDoc, editions: frozenset[str], diag: Diagnostics | None):
        self.doc, self.editions, self.diag, self.marked = doc, editions, diag, 0
        self.warned: set[str] = set()  # (marked content inside marked content: warned once)

    def tree(self, tree: Any) -> Any:
        if isinstance(tree, list):
            return [kept for item in tree for kept in self._item(item)]
        if isinstance(tree, dict):
            return {key: self.tree(value) for key, value in tree.items()}
        return tree

    def _item(self, node: Any) -> list[Any]:
        """The node as it stays in a list of blocks or inlines: gone, itself, or marked."""
        kinds = _shown_in(node, self.doc.chapter.flags, self.doc.chapter.profiles)
        if kinds is None:
            return [self.tree(node)]
        shown = kinds & self.editions
        if not shown:
            return []
        if shown == self.editions:
            return [self.tree(node)]
        self.marked += 1
        number, kept = self.marked, self.tree(node)
        raw = "RawInline" if node["t"] == "Span" else "RawBlock"
        self._warn_numbered(kept, shown)
        return [{"t": raw, "c": ["html", opening(number, shown)]}, kept,
                {"t": raw, "c": ["html", closing(number)]}]

    def _warn_numbered(self, node: Any, shown: frozenset[str]) -> None:
        """A located warning for a numbered thing in content for some editions only."""
        found = _numbered(node, self.doc.chapter.numbered)
        if found is None or self.diag is None or found[0] in self.warned:
            return
        what, needle = found
        self.warned.add(what)
        self.diag.warning(
            f"{what} is in content for the {_named(shown)} only: "
            "it is numbered in every edition (the others skip its number, and a "
            "cross-reference to it there prints as one to nothing)",
            self.doc.rel, self.doc.chapter.line_of(needle) if needle else None,
            code="quarto.conditional")


def _named(kinds: frozenset[str]) -> str:
    """``"pdf edition"``, ``"docx and pdf editions"``, ``"docx, epub and html editions"``."""
    names = sorted(kinds)
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return listed + (" edition" if len(names) == 1 else " editions")


def _numbered(node: Any, sections: bool) -> tuple[str, str] | None:
    """The first thing inside ``node`` that numbering counts (anything with a
    cross-reference label, a note, a heading when ``sections`` are numbered) and what
    finds its line."""
    for inner in A.iter_nodes(node):
        kind, content = inner["t"], inner.get("c", [])
        identifier = _identifier(kind, content)
        if identifier.lower().startswith(XREF_PREFIXES):
            return f"'{identifier}'", "#" + identifier
        if kind == "Header" and sections and "unnumbered" not in content[1][1]:
            title = A.stringify(content[2])
            return f"the heading '{title}'", title
        if kind == "Note":
            return "a footnote", A.stringify(content)[:40]
    return None


def _identifier(kind: str, content: Any) -> str:
    if kind in ("Div", "Span", "CodeBlock", "Figure", "Table"):
        return str(content[0][0])
    if kind == "Header":
        return str(content[1][0])
    return ""


def _shown_in(node: Any, flags: dict[str, bool], profiles: tuple[str, ...]
              ) -> frozenset[str] | None:
    """The kinds of edition a hidden or conditional node is shown in (none: it is hidden);
    ``None`` for any other node. ``flags``: the metadata keys ``when-meta`` may name, true
    or not; ``profiles``: the active profiles ``when-profile`` may name."""
    if type(node) is not dict or node.get("t") not in ("Div", "Span", "CodeBlock"):
        return None
    _, classes, pairs = node["c"][0]
    if "hidden" in classes and node["t"] != "CodeBlock":
        return frozenset()
    visible = "content-visible" in classes
    if not visible and "content-hidden" not in classes:
        return None
    tests = {"format": lambda name, kind: kind in MATCHES.get(name, ()),
             "meta": lambda name, _kind: flags.get(name, False),
             "profile": lambda name, _kind: name in profiles}
    holds = frozenset(kind for kind in EDITION_KINDS if _holds(pairs, kind, tests))
    return holds if visible else EDITION_KINDS - holds


def _holds(pairs: list[list[str]], kind: str, tests: dict[str, Any]) -> bool:
    """Quarto's match of a condition in an edition of ``kind``: every key given holds, a
    ``when-format`` if any format named (a key may repeat; a value may list names with
    commas) is the edition's, an ``unless-format`` if none is; ``when-meta`` and
    ``unless-meta`` alike with a metadata key that is true, ``when-profile`` and
    ``unless-profile`` with an active profile."""
    for what, test in tests.items():
        for key in (f"when-{what}", f"unless-{what}"):
            names = [name.strip() for value in (v for k, v in pairs if k == key)
                     for name in value.split(",")]
            if names and any(test(name, kind) for name in names) != key.startswith("when"):
                return False
    return True
