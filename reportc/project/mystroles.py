"""MyST roles and links in a line of a Jupyter Book chapter, as pandoc Markdown.

``{cite:p}`a,b``` becomes ``[@a; @b]``, ``{cite:t}`a``` the narrative ``@a``;
``{numref}`fig-x``` the cross-reference ``@fig-x`` ("Figure 1.1"), ``{ref}`x``` a link
carrying the target's title, ``{eq}`x``` the equation's number, ``{doc}`file``` a link to
that chapter, ``[](label)`` as ``{ref}``. Labels are the book's, all files at once
(:func:`scan_book`): a reference in one chapter may point into another, and what it prints
depends on what the label names (a heading, a figure, an equation). A role reportc does
not read is a warning at its line and prints its text as code, never its braces.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath

import yaml

from reportc.errors import Diagnostics
from reportc.project.mystdesign import design_role, is_design_role
from reportc.project.mystglue import GLUE_ROLES, Glue, glued, pasted_inline
from reportc.project.mysttext import code_span, escape, label_id, simple_role
from reportc.project.notebook import notebook_text

# a directive's opening line: ```{name} argument or :::{name} argument
DIRECTIVE = re.compile(r"^(\s*)(`{3,}|:{3,})\{([A-Za-z][^}\s]*)\}[ \t]*(.*?)\s*$")
TARGET = re.compile(r"^\s*\(([^()\s]+)\)=\s*$")  # (label)=
_OPTION = re.compile(r"^\s*:(name|label):\s*(\S+)\s*$")
_ANY_OPTION = re.compile(r"^\s*:?[\w-]+:")
_YAML_NAME = re.compile(r"^\s*(name|label):\s*(\S+)\s*$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*(?:\{[^}]*\})?[ \t]*#*[ \t]*$")
_DISPLAY_LABEL = re.compile(r"\$\$[ \t]*\(([^()\s]+)\)\s*$")
_ROLE = re.compile(r"(\{([\w:.+-]+)\})?(`+)(.+?)(?<!`)\3(?!`)")
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)")
_TAIL = re.compile(r"^([^\[]*?)\]\(([^)\s]+)\)")
_IMAGE_SUFFIXES = [".svg", ".png", ".jpg", ".jpeg", ".gif", ".pdf"]
# what pandoc would read as a citation (group 1: a formula, kept as it is)
_AT = re.compile(r"(\$[^$]+\$)|(?<![\w\\])@(?=[\w{])")
_SUBSTITUTION = re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")
_PLACEHOLDER = re.compile(r"%s|\{number\}")
_JINJA = re.compile(r"\{\{(.+?)\}\}")
_IMAGE = re.compile(r"(!\[[^\]]*\]\()([^)\s]+)")
_IMG = re.compile(r"(<img\b[^>]*?\bsrc=[\"'])([^\"']+)", re.I)
_URL = re.compile(r"^(?:https?|mailto|ftp|file|data):", re.I)
_WITH_TARGET = re.compile(r"^(.*?)\s*<([^<>]+)>\s*$", re.S)
_KINDS = {"figure": "fig", "math": "eq", "table": "tbl", "list-table": "tbl",
          "csv-table": "tbl", "prf:theorem": "thm", "prf:lemma": "lem", "prf:corollary": "cor",
          "prf:proposition": "prp", "prf:conjecture": "cnj", "prf:definition": "def",
          "prf:example": "exm", "exercise": "exr", "prf:remark": "rem", "glue:figure": "fig",
          "figure-md": "fig", "glue:math": "eq"}
_NUMBERED = {"fig", "tbl", "eq", *(kind for kind in _KINDS.values())}
_PARENTHETICAL = {"cite", "cite:p", "cite:ps", "cite:alp", "cite:alps", "footcite"}
_NARRATIVE = {"cite:t", "cite:ts", "cite:ct", "cite:cts", "cite:author"}
SUFFIXES = (".md", ".ipynb", ".rst", ".Rmd")


@dataclass
class Book:
    """What a reference needs of the whole book: each label's identifier and title (a
    heading's; ``""`` for a figure or equation), each file's anchor and title."""

    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    docs: dict[str, tuple[str, str]] = field(default_factory=dict)  # "dir/file" -> ...
    root: Path = Path()  # the book's folder
    # {{ name }} values (_config.yml's, a file's front matter's); None: the extension is off
    substitutions: dict[str, str] | None = None
    # Sphinx's MyST (Jupyter Book 1) has no @key citations: "@name" is text; mystmd's
    # (a myst.yml beside _toc.yml) cites and refers with it
    at_is_text: bool = True
    glue: Glue = field(default_factory=dict)  # notebooks' glued outputs (mystglue)


def scan_book(root: Path, names: list[str]) -> Book:
    """The labels and titles of the book's files ``names`` (paths from ``root``)."""
    book = Book(root=root, substitutions=_substitutions(root),
                at_is_text=not (root / "myst.yml").is_file())
    for name in names:
        path = root / name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # (reported where the chapter is read)
        if name.endswith(".ipynb"):
            _glued(text, name, book)
            text = (notebook_text(text, name, Diagnostics()) or ("", []))[0]
        _scan(text.replace("\r\n", "\n").split("\n"), Path(name), book)
    return book


def _glued(text: str, name: str, book: Book) -> None:
    """A notebook's glued outputs into ``book`` (a notebook that does not read is said
    where the chapter is read)."""
    if '"scrapbook"' not in text:
        return
    with contextlib.suppress(ValueError):
        book.glue[name] = glued(json.loads(text))


@dataclass
class _Scan:
    """Reading one file's labels: the ``(label)=`` waiting for its block, the fence of the
    directive or code the line is in (and the kind of thing the directive numbers)."""

    book: Book
    pending: str = ""
    fence: str = ""
    kind: str = ""
    first: tuple[str, str] | None = None  # the first heading's identifier and title
    options: bool = False  # in the options right after a directive's opening line

    def fenced(self, line: str) -> bool:
        """Is ``line`` inside a directive or code (a ``:name:`` among the options of a
        figure, table or formula labels it)?"""
        if not self.fence:
            return False
        stripped = line.strip()
        option = _OPTION.match(line) or _YAML_NAME.match(line) if self.options else None
        self.options = self.options and (_ANY_OPTION.match(line) is not None or
                                         stripped == "---")
        if stripped.startswith(self.fence) and not stripped.strip(self.fence[0]):
            self.fence = ""
        elif self.kind and option:
            self.book.labels.setdefault(option.group(2),
                                        (label_id(option.group(2), self.kind), ""))
        return True

    def block(self, line: str) -> tuple[str, str] | None:
        """The identifier and title a ``(label)=`` before ``line`` takes (``None``: the
        line is no block)."""
        if heading := _HEADING.match(line):
            title = heading.group(2).strip()
            identifier = label_id(self.pending, "sec") if self.pending else ""
            self.first = self.first or (identifier, title)
            return identifier, title
        if directive := DIRECTIVE.match(line):
            self.fence, self.kind = directive.group(2), _KINDS.get(directive.group(3), "")
            self.options = True
            if directive.group(3) == "figure-md" and directive.group(4):  # its label
                self.book.labels[directive.group(4)] = (label_id(directive.group(4), "fig"), "")
            return label_id(self.pending, self.kind), ""
        if line.strip().startswith(("```", "~~~")):
            self.fence, self.kind = line.strip()[:3], ""
        elif display := _DISPLAY_LABEL.search(line):
            self.book.labels[display.group(1)] = (label_id(display.group(1), "eq"), "")
        return (label_id(self.pending, ""), "") if line.strip() else None


def _substitutions(root: Path) -> dict[str, str] | None:
    """``parse: myst_substitutions:`` of ``_config.yml`` when ``myst_enable_extensions``
    has ``substitution`` (without it, ``{{ x }}`` is text in MyST too)."""
    try:
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
        parse = config.get("parse") or {}
        if "substitution" not in (parse.get("myst_enable_extensions") or []):
            return None
        values = parse.get("myst_substitutions") or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError, TypeError):
        return None  # (a broken _config.yml is reported where the project is read)
    return {str(k): str(v) for k, v in values.items()} if isinstance(values, dict) else {}


def _scan(lines: list[str], name: Path, book: Book) -> None:
    """One file's labels into ``book``, and its anchor and title (its first heading)."""
    scan = _Scan(book)
    for line in lines:
        if scan.fenced(line):
            continue
        if target := TARGET.match(line):
            scan.pending = target.group(1)
            continue
        found = scan.block(line)
        if found is not None and scan.pending:
            book.labels[scan.pending] = found
            scan.pending = ""
    anchor, title = scan.first or ("", name.stem)
    book.docs[name.with_suffix("").as_posix()] = (anchor or f"ch-{page_slug(name)}", title)


def page_slug(name: PurePath) -> str:
    """A book page's slug, from its path (``basics/index.md`` -> ``basics-index``): pages
    in different folders share names (``index``), and each chapter's anchor is its own."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name.with_suffix("").as_posix())


@dataclass
class Place:
    """Where a line is: its file (for ``{doc}`` paths) and line (for messages)."""

    rel: str
    number: int
    book: Book
    diag: Diagnostics


def inline(line: str, place: Place) -> str:
    """``line`` with its roles and MyST links written as pandoc Markdown; inline code
    (without a role) is left as it is, also inside a link's text."""
    if "`" not in line and "](" not in line and "{{" not in line and "@" not in line:
        return line
    spans: list[str] = []

    def hold(match: re.Match[str]) -> str:  # a role or code span, out of the links' way
        spans.append(_role(match.group(2), match.group(4), place) if match.group(1)
                     else match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    masked = _ROLE.sub(hold, line)
    if place.book.at_is_text:  # ([@vectorize](url): pandoc read a citation of 'vectorize')
        masked = _AT.sub(lambda m: m.group(1) or "\\@", masked)
    masked = _images(_substitute(_links(masked, place), place), place)
    return re.sub("\x00(\\d+)\x00", lambda m: spans[int(m.group(1))], masked)


def rooted(path: str, place: Place) -> str:
    """An image path written from the page's folder as a path from the book's folder
    (where reportc looks first), so it holds wherever the page's text goes: a section
    file's text is printed in its chapter, which may be in another folder. A path that
    starts with ``/`` is from the book's folder already, as Sphinx reads it."""
    if path.startswith("/") and not path.startswith("//") and \
            (place.book.root / path.lstrip("/")).is_file():
        return path.lstrip("/")  # Sphinx's "absolute" path: from the book's folder
    if not path or _URL.match(path) or path.startswith(("/", "#", "data:")):
        return path
    folder = place.book.root / Path(place.rel).parent
    try:
        found = any(folder.glob(path)) if "*" in path else (folder / path).is_file()
    except (OSError, ValueError):
        return path  # (a name no file system takes: reported where images are checked)
    joined = _normal((Path(place.rel).parent / path).as_posix())
    return joined if found and not joined.startswith("..") else path


def any_suffix(path: str, page: Path) -> str:
    """Sphinx's ``image.*``: the file of that name beside ``page`` (SVG first, then PNG,
    ...; none: PNG, said where images are checked)."""
    if not path.endswith(".*"):
        return path
    found = sorted((p for p in page.parent.glob(path) if p.suffix.lower() in _IMAGE_SUFFIXES),
                   key=lambda p: _IMAGE_SUFFIXES.index(p.suffix.lower()))
    return path[:-2] + found[0].suffix if found else path[:-2] + ".png"


def _images(text: str, place: Place) -> str:
    """Markdown and HTML images' paths :func:`rooted`."""
    if "](" not in text and "<img" not in text:
        return text
    text = _IMAGE.sub(lambda m: m.group(1) + rooted(m.group(2), place), text)
    return _IMG.sub(lambda m: m.group(1) + rooted(m.group(2), place), text)


def _substitute(text: str, place: Place) -> str:
    """``{{ name }}`` as its value (MyST's substitution extension); one it does not have
    is left out, with a warning at its line."""
    values = place.book.substitutions
    if values is None or "{{" not in text:
        return text

    def value(match: re.Match[str]) -> str:
        if match.group(1) in values:
            return values[match.group(1)]
        place.diag.warning(f"MyST substitution '{{{{ {match.group(1)} }}}}' has no value in "
                           "_config.yml or the front matter (left out)", place.rel,
                           place.number, code="myst.role")
        return ""

    def expression(match: re.Match[str]) -> str:
        shown = re.sub("\x00\\d+\x00", "`\u2026`", match.group(1))  # (a code span held)
        place.diag.warning(f"MyST substitution '{{{{{shown}}}}}' is a Jinja "
                           "expression, which reportc does not evaluate (left out)",
                           place.rel, place.number, code="myst.role")
        return ""
    return _JINJA.sub(expression, _SUBSTITUTION.sub(value, text))


def _links(text: str, place: Place) -> str:
    """``[text](label)``, ``[](label)`` and ``[text](file.md)`` (MyST's links to a target
    or a page) as links inside the book; other links as they are. A link whose text began
    on an earlier line is settled by its ``](target)`` (as a span when nothing is linked)."""
    def replace(match: re.Match[str]) -> str:
        words, target = match.group(1), match.group(2)
        if target.removeprefix("#") in place.book.labels:  # [](label), [](#label)
            return _reference(words, target.removeprefix("#"), place)
        if target.split("#")[0].endswith(SUFFIXES) and "://" not in target:
            return _doc(words, target.split("#")[0], place)
        if _unresolved(target, place):
            return words or escape(target)
        if not words and _URL.match(target):  # MyST prints the address
            return f"<{target}>"
        if not words:
            place.diag.warning(f"MyST link to '{target}' has no text and its target is no "
                               "label of the book (the target prints)", place.rel,
                               place.number, code="myst.role")
            return f"[{escape(target)}]({target})"
        return match.group(0)

    def tail(match: re.Match[str]) -> str:
        before, target = match.group(1), match.group(2)
        if target in place.book.labels:
            return f"{before}](#{place.book.labels[target][0]})"
        return before + "]{.myst-link}" if _unresolved(target, place) else match.group(0)

    if "](" not in text:
        return text
    return _TAIL.sub(tail, _LINK.sub(replace, text))


def _unresolved(target: str, place: Place) -> bool:
    """Is ``target`` a MyST reference reportc cannot follow (``inv:sphinx#x``, a label
    that no file of the book has)? Then it is said, at the line, and nothing links."""
    if ":" not in target or _URL.match(target):
        return False
    place.diag.warning(f"MyST link to '{target}': no such label in the book, and other "
                       "projects' inventories are not read (its text prints, without a link)",
                       place.rel, place.number, code="myst.role")
    return True


def _role(name: str, content: str, place: Place) -> str:
    """One role as Markdown (see the module's docstring)."""
    content = content.strip()
    if name in _PARENTHETICAL or name in _NARRATIVE or name == "cite:year":
        return _cite(name, content)
    words, target = _split(content)
    if name in ("ref", "numref", "eq", "prf:ref", "math:numref"):
        return _reference(words, target, place, "eq" if name == "math:numref" else name)
    if name == "doc":
        return _doc(words, target, place)
    if is_design_role(name):
        role, text = design_role(name, content)
        return _role(role, text, place) if role else text
    if name in GLUE_ROLES:
        found = pasted_inline(name, content, place.book.glue, place.rel, place.number,
                              place.diag)
        return escape(content) if found is None else found
    simple = simple_role(name, content, words, target)
    if simple is not None:
        return simple
    place.diag.warning(f"MyST role '{{{name}}}' is not read by reportc: its text prints as "
                       "code", place.rel, place.number, code="myst.role")
    return code_span(content)


def _split(content: str) -> tuple[str, str]:
    """``text <target>`` -> (text, target); ``target`` -> ("", target)."""
    match = _WITH_TARGET.match(content)
    return (match.group(1).strip(), match.group(2).strip()) if match else ("", content)


def _cite(name: str, content: str) -> str:
    keys = [key.strip() for key in content.split(",") if key.strip()]
    if name == "cite:year":
        return "[" + "; ".join(f"-@{key}" for key in keys) + "]"
    if name in _NARRATIVE:
        return ", ".join(f"@{key}" for key in keys)
    return "[" + "; ".join(f"@{key}" for key in keys) + "]"


def _reference(words: str, label: str, place: Place, name: str = "ref") -> str:
    """A reference to a label of the book: ``@fig-x`` where the number is what prints,
    else a link with the author's text or the heading's title."""
    found = place.book.labels.get(label)
    if found is None:
        place.diag.warning(f"{{{name}}} '{label}': no such label in the book (its text "
                           "prints, without a link)", place.rel, place.number,
                           code="myst.role")
        return escape(_PLACEHOLDER.sub("?", words).replace("{name}", label) or label)
    identifier, title = found
    words = words.replace("{name}", title)
    numbered = identifier.split("-")[0] in _NUMBERED
    if name == "eq" and not words:
        return f"([-@{identifier}])"
    if numbered and ("%s" in words or "{number}" in words):
        before, _, after = words.replace("{number}", "%s").partition("%s")
        return f"[{escape(before.strip())} @{identifier}]{escape(after)}" if before.strip() \
            else f"[-@{identifier}]{escape(after)}"
    if numbered and not words:
        return f"@{identifier}"
    return f"[{escape(words or title or label)}](#{identifier})"


def _doc(words: str, target: str, place: Place) -> str:
    """A link to a file of the book: its chapter, under the author's text or its title."""
    path = target.lstrip("/") if target.startswith("/") else \
        (Path(place.rel).parent / target).as_posix()
    key = re.sub(r"\.(md|ipynb|rst|Rmd)$", "", _normal(path))
    found = place.book.docs.get(key)
    if found is None:
        place.diag.warning(f"{{doc}} '{target}': no such file in the book's table of contents"
                           " (its text prints, without a link)", place.rel, place.number,
                           code="myst.role")
        return escape(words or target)
    return f"[{escape(words or found[1])}](#{found[0]})"


def _normal(path: str) -> str:
    """``a/./b/../c`` -> ``a/c``."""
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            parts = parts[:-1]
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)
