"""Trust checks: what chapter text may make pandoc, the PDF renderer or a browser do.

Reports are built in CI from chapters many people contribute. Whatever a chapter
says, a build must not read files of the build machine, reach the network, hang,
crash or publish script. pandoc's Markdown reader already has raw HTML and
metadata blocks switched off (:data:`reportc.pandoc.runner.READER`); this module checks
what remains, each problem as ``path:line: message``:

* before pandoc: paragraphs with many unmatched ``[`` (:mod:`reportc.sandbox.brackets`);
* after pandoc: nesting depth (WeasyPrint recurses per level and crashes near
  150), attributes (``{onclick=...}``, ``{style="background:url(...)"}``), link
  targets (``javascript:``, ``file:``), attachments (``rel=attachment``, refused
  unless report.yaml lists the file), images (hidden or non-image files, SVGs
  that script or reference files outside the report);
* after rendering: the HTML of every chapter, as a backstop (:mod:`.rendered`);
* the CSL style: a dependent style would make citeproc download its parent.

The file policy is :mod:`reportc.sandbox.policy`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin

from reportc.cache import BuildCache, digest
from reportc.errors import Diagnostics
from reportc.pandoc import ast as A
from reportc.paths import inside
from reportc.project.chapters import Chapter
from reportc.sandbox.policy import decode_data_url, file_refusal, unreadable_image

MAX_NESTING = 64  # element levels; WeasyPrint 70 overflows Python's stack near 150
MAX_SVG_BYTES = 5 * 1024 * 1024
CSL_CHECKED = "csl-checked"  # the cache's note of a style that passed check_csl
LINK_SCHEMES = {"http", "https", "mailto"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".tif", ".tiff",
                  ".avif"}
# Attributes whose value a browser or WeasyPrint loads or runs.
URL_ATTRIBUTES = {"href", "src", "srcset", "srcdoc", "action", "formaction", "poster",
                  "background", "data", "codebase", "ping", "lowsrc", "dynsrc", "xmlns",
                  "http-equiv", "manifest", "imagesrcset", "attributionsrc"}
UNSAFE_TAGS = {"script", "iframe", "object", "embed", "style", "link", "meta", "base", "form",
               "frame", "frameset", "applet", "svg", "noscript", "template"}
# <math> is allowed: pandoc's --mathml writes it for formulas (raw HTML never reaches the
# page, and its attributes are checked like any other).
_WEIGHT = {"BulletList": 2, "OrderedList": 2, "DefinitionList": 2, "Table": 4, "Figure": 2,
           "CodeBlock": 2}
_LEAVES = {"Str", "Space", "SoftBreak", "LineBreak", "Code", "Math", "RawInline"}
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_ATTR_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
STYLE_LOADS = re.compile(r"url\s*\(|image-set|@import|expression\s*\(|\\|javascript:|"
                          r"behavior\s*:|-moz-binding", re.I)
_SVG_REFERENCE = re.compile(
    r"""(?:\b(?:xlink:)?href|\bsrc)\s*=\s*(["'])(.*?)\1"""
    r"""|url\(\s*(["']?)(.*?)\3\s*\)"""
    r"""|@import\s+(["'])(.*?)\5""", re.I | re.S)
_SVG_SCRIPT = re.compile(r"<script\b|<[^<>]*\son[a-z]+\s*=|javascript:", re.I)
_SVG_LINK_TAG = re.compile(r"<(?:[\w-]+:)?a\s[^<>]*$", re.I)  # a hyperlink: never fetched


# --- after pandoc: the AST -------------------------------------------------------------------

def load_ast(chapter: Chapter, text: str, diag: Diagnostics) -> dict[str, Any] | None:
    """pandoc's JSON for ``chapter``, or ``None`` (and an error) if it nests too deeply."""
    try:
        ast = json.loads(text)
    except RecursionError:
        depth = None
    else:
        depth = nesting_depth(ast)
        if depth <= MAX_NESTING:
            return ast
    levels = f"{depth} levels" if depth else "hundreds of levels"
    diag.error(f"content nests {levels} deep (block quotes, lists or emphasis inside each "
               f"other); the limit is {MAX_NESTING}, because deeper nesting crashes the PDF "
               "renderer", chapter.rel, _deepest_line(chapter.text))
    return None


def nesting_depth(ast: dict[str, Any]) -> int:
    """How many HTML elements deep the chapter's content goes (iterative: no recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(ast.get("blocks", []), 0)]
    while stack:
        tree, depth = stack.pop()
        if isinstance(tree, dict):
            kind = tree.get("t")
            if kind in _LEAVES:
                continue
            if kind is not None:
                depth += _WEIGHT.get(kind, 1)
                deepest = max(deepest, depth)
            stack.extend((value, depth) for value in tree.values() if isinstance(value, list))
        elif isinstance(tree, list):
            stack.extend((item, depth) for item in tree if isinstance(item, (dict, list)))
    return deepest


def _deepest_line(text: str) -> int | None:
    best, best_score = None, 0
    for number, line in enumerate(text.split("\n"), start=1):
        quotes = re.match(r"^[ \t]*((?:>[ \t]*)+)", line)
        score = quotes.group(1).count(">") if quotes else 0
        if not score and re.match(r"^\s*(?:[-*+]|\d+[.)])\s", line):
            score = (len(line) - len(line.lstrip())) // 2
        if score > best_score:
            best, best_score = number, score
    return best if best_score >= 8 else None


def check_chapter(doc: Any, root: Path, attachments: list[str], diag: Diagnostics) -> None:
    """Check every attribute, link and image of a chapter (a :class:`ChapterDoc`)."""
    _Checker(doc, root.resolve(), set(attachments), diag).run()


def check_images(doc: Any, root: Path, attachments: list[str], diag: Diagnostics) -> None:
    """:func:`check_chapter`'s checks of the image files alone, for a chapter whose tree
    passed it before (:meth:`reportc.document.reuse.Reuse.checked`): its files may not
    have."""
    checker = _Checker(doc, root.resolve(), set(attachments), diag)
    for name in doc.images:
        checker.image({"t": "Image", "c": [["", [], []], [], [name, ""]]})


class _Checker:
    def __init__(self, doc: Any, root: Path, attachments: set[str], diag: Diagnostics):
        self.doc, self.root, self.attachments, self.diag = doc, root, attachments, diag
        self.chapter: Chapter = doc.chapter

    def error(self, message: str, *needles: str | re.Pattern[str] | None) -> None:
        line = next((found for needle in needles if needle
                     and (found := self.chapter.line_of(needle)) is not None), None)
        self.diag.error(message, self.chapter.rel, line)

    def run(self) -> None:
        self.walk(self.doc.ast.get("blocks", []))

    def walk(self, tree: Any) -> None:  # a list or a dict of the pandoc AST
        """Every attribute list, link and image, in document order. Recursion is safe:
        the chapter's nesting depth was checked when it was read (``load_ast``)."""
        if type(tree) is list:
            if len(tree) == 3 and _is_attr(tree):
                self.attributes(tree)
                return
            values: Any = tree
        else:
            kind = tree.get("t")
            if kind == "Link":
                self.link(tree)
            elif kind == "Image":
                self.image(tree)
            values = tree.values()
        for value in values:
            if type(value) is list or type(value) is dict:
                self.walk(value)

    def attributes(self, attr: list[Any]) -> None:
        for key, value in attr[2]:
            lowered = key.lower()
            written = re.compile(re.escape(key) + r"\s*=", re.I)
            if not _ATTR_NAME.match(key):
                self.error(f"attribute name '{key}' is not allowed", key)
            elif lowered.startswith("on"):
                self.error(f"event-handler attribute '{key}' is not allowed: a report carries "
                           "no scripts", written)
            elif lowered in URL_ATTRIBUTES:
                self.error(f"attribute '{key}' is not allowed: it would make the reader's "
                           "browser load or run something", written)
            elif lowered == "style" and STYLE_LOADS.search(value):
                self.error("a style attribute may not load anything (url(), @import, "
                           "expression(), escapes)", written)
            elif dangerous_scheme(value):
                self.error(f"attribute '{key}' holds a '{dangerous_scheme(value)}:' address, "
                           "which is never allowed", written)
            elif lowered == "rel" and "attachment" in value.lower().split():
                pass  # checked with the link that carries it

    def link(self, node: A.Node) -> None:
        attr, inlines, (target, _title) = node["c"]
        rel = " ".join(value for key, value in attr[2] if key.lower() == "rel").lower()
        text = A.stringify(inlines)
        if "attachment" in rel.split():
            self.attachment(target, text)
            return
        scheme = url_scheme(target)
        if scheme and scheme not in LINK_SCHEMES:
            self.error(f"link to '{shortened(target)}' is not allowed: links may point to http, "
                       "https or mailto addresses, or to files and sections of the report",
                       target, text)

    def attachment(self, target: str, text: str) -> None:
        where = (target, text)
        if url_scheme(target) or target.startswith("//"):
            self.error(f"attachment '{shortened(target)}' is refused: only files inside the "
                       "report directory can be attached", *where)
            return
        path = _resolved(self.root, unquote(target.split("#")[0].split("?")[0]))
        if path is None:
            self.error(f"attachment '{shortened(target)}' cannot be a file name (too long, or "
                       "it holds a NUL character)", *where)
            return
        if not inside(path, self.root):
            self.error(f"attachment '{shortened(target)}' is refused: it is outside the report "
                       "directory", *where)
            return
        name = path.relative_to(self.root).as_posix()
        if name not in self.attachments:
            self.error(f"attachment '{shortened(target)}' is refused: list '{name}' under "
                       "'attachments:' in report.yaml to attach it to the PDF", *where)
            return
        if not _is_file(path):
            self.error(f"attachment '{shortened(target)}' not found", *where)
            return
        self.doc.images.append(name)  # the web edition ships it beside the page

    def image(self, node: A.Node) -> None:
        """An image is a data: image or a file of the report; remote and missing images
        and PDF figures are xrefs' to report."""
        source = node["c"][2][0]
        if source[:5].lower() == "data:":
            self.data_image(source)
            return
        if url_scheme(source) or source.startswith("//"):
            return  # xrefs._check_image reports remote and absolute URLs
        path = _resolved(self.root, unquote(source.split("#")[0].split("?")[0]))
        if path is None or not inside(path, self.root) or not _is_file(path):
            return  # reported by xrefs._check_image
        if path.relative_to(self.root).as_posix() in self.doc.drawn:
            return  # a PDF figure xrefs could not draw as SVG: reported there, once
        self.image_file(path, source)

    def data_image(self, source: str) -> None:
        """A data: URL must hold an image; an SVG one is checked like an SVG file."""
        if not re.match(r"data:image/", source, re.I):
            self.error(f"image '{shortened(source)}' is not an image (data: URLs must be "
                       "data:image/...)", source[:40])
        elif re.match(r"data:image/svg\+xml", source, re.I):
            self.svg(decode_data_url(source), (self.root / "chapters").as_uri() + "/",
                     shortened(source), source[:40])

    def image_file(self, path: Path, source: str) -> None:
        """An image file of the report: not hidden, of an image type, readable, and an SVG
        neither too large nor scripting nor referring outside the report."""
        parts = path.relative_to(self.root).parts
        if any(part.startswith(".") for part in parts):
            self.error(f"image '{source}' is a hidden file or inside a hidden folder; those "
                       "are never published", source)
        elif path.suffix.lower() not in IMAGE_SUFFIXES:
            self.error(f"image '{source}' is not an image file (use "
                       f"{', '.join(sorted(IMAGE_SUFFIXES))})", source)
        elif path.suffix.lower() == ".svg" and path.stat().st_size > MAX_SVG_BYTES:
            self.error(f"image '{source}' is larger than {MAX_SVG_BYTES // 2**20} MB", source)
        elif path.suffix.lower() == ".svg":
            errors = len(self.diag.errors)
            self.svg(path.read_text(encoding="utf-8", errors="replace"), path.as_uri(), source,
                     source)
            if len(self.diag.errors) == errors and (problem := unreadable_image(path)):
                self.error(f"image '{source}' cannot be read: {problem}", source)
        elif problem := unreadable_image(path):
            self.error(f"image '{source}' cannot be read: {problem}", source)

    def svg(self, text: str, base: str, name: str, needle: str) -> None:
        """An SVG may not script, declare entities or reference files outside the report."""
        if match := _SVG_SCRIPT.search(text):
            found = re.sub(r"^<[^<>]*\s(?=on)", "", match.group(0))
            self.error(f"image '{name}' contains script ('{found}'); SVG figures "
                       "must be plain drawings", needle)
            return
        if re.search(r"<!ENTITY", text, re.I):
            self.error(f"image '{name}' declares XML entities, which are not allowed", needle)
            return
        for match in _SVG_REFERENCE.finditer(text):
            reference = (match.group(2) or match.group(4) or match.group(6) or "").strip()
            if not reference or reference.startswith("#") or reference[:5].lower() == "data:":
                continue
            if match.group(2) is not None and _in_link_tag(text, match.start()):
                continue
            url = urljoin(base, reference)
            _path, reason = file_refusal(url, [self.root])
            if reason:
                self.error(f"image '{name}' refers to '{shortened(reference)}', which will not "
                           f"be loaded: {reason}", needle)


def _in_link_tag(text: str, index: int) -> bool:
    """Whether position ``index`` of an SVG is inside an ``<a ...>`` start tag."""
    opening = text.rfind("<", 0, index)
    return opening >= 0 and _SVG_LINK_TAG.match(text, opening, index) is not None


def _is_attr(tree: list[Any]) -> bool:
    return (len(tree) == 3 and isinstance(tree[0], str) and isinstance(tree[1], list)
            and isinstance(tree[2], list) and all(isinstance(c, str) for c in tree[1])
            and all(isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
                    for p in tree[2]))


def url_scheme(url: str) -> str:
    """The scheme a browser would see (it drops whitespace and control characters)."""
    match = _SCHEME.match(_CONTROL.sub("", url).lower())
    return match.group(1) if match else ""


def dangerous_scheme(value: str) -> str:
    scheme = url_scheme(value)
    return scheme if scheme in ("javascript", "vbscript", "livescript") else ""


def shortened(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _resolved(root: Path, relative: str) -> Path | None:
    """``root / relative`` with links resolved; ``None`` if it cannot name a file (a NUL,
    a name longer than the file system takes)."""
    try:
        return (root / relative).resolve()
    except (OSError, ValueError):
        return None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the file system
        return False


# --- citation style ----------------------------------------------------------------------------

def check_csl(csl: Path | None, line: int | None, diag: Diagnostics,
              cache: BuildCache | None = None) -> None:
    """A dependent CSL style makes citeproc download its parent, even under ``--sandbox``.
    A style that passed is noted in ``cache`` under its bytes' digest, and not parsed
    again: the parse (and importing lxml for it) took 0.02 s of every edit before the
    chapters were read."""
    if csl is None:
        return
    data = csl.read_bytes()
    key = digest(data)
    if cache is not None and cache.get(CSL_CHECKED, key) is not None:
        return  # the same bytes passed (what is checked depends on nothing else)
    errors = len(diag.errors)
    _check_csl(csl, data, line, diag)
    if cache is not None and len(diag.errors) == errors:
        cache.put(CSL_CHECKED, key, "")


def _check_csl(csl: Path, data: bytes, line: int | None, diag: Diagnostics) -> None:
    text = csl.read_text(encoding="utf-8", errors="replace")
    link = re.search(r"<link\b[^>]*\brel\s*=\s*[\"']independent-parent[\"'][^>]*>", text)
    if link:
        href = re.search(r"href\s*=\s*[\"']([^\"']*)", link.group(0))
        parent = f" from {href.group(1)}" if href else ""
        diag.error(f"csl '{csl.name}' is a dependent style: citeproc would download its parent "
                   f"style{parent}; use the parent style itself (a .csl file in the report or a "
                   "style name)", "report.yaml", line)
    elif re.search(r"<!ENTITY", text, re.I):
        diag.error(f"csl '{csl.name}' declares XML entities, which are not allowed",
                   "report.yaml", line)
    elif problem := _xml_problem(data):
        diag.error(f"csl '{csl.name}' is not well-formed XML ({problem}); citeproc cannot "
                   "read it", "report.yaml", line)


def _xml_problem(data: bytes) -> str:
    """Why a style is not well-formed XML (``""`` if it is): citeproc's own message gives
    a Haskell parser state and no file name."""
    from lxml import etree  # here: a rebuild with nothing to do loads no lxml

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return f"line {exc.lineno}: {' '.join(exc.msg.split(', line')[0].split())}"
    return ""
