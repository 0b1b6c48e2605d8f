"""sphinx-design's components (tabs, cards, grids, buttons, badges, icons) as the text a
printed page can hold.

A web page shows tabs one at a time, cards in a grid and buttons as buttons; a report
prints all of it, in order, each in a box of its own (``::: {.myst-card}``) whose title
is a bold line: ``{tab-set}`` its tabs, each ``{tab-item}`` under its label (and
``{tab-set-code}`` its code blocks; sphinx-inline-tabs' ``{tab}`` likewise); ``{grid}``
and ``{card-carousel}`` their items (their argument, a count of columns, left out);
``{card}`` and ``{grid-item-card}`` their title (a link when ``:link:`` gives one), header,
body and footer (the ``^^^`` and ``+++`` lines between them print nothing), an
``:img-top:``/``:img-bottom:`` image of the book (one on the web, a gallery's decoration,
is left out: a build fetches nothing); ``{button-link}`` and ``{button-ref}`` links.
sphinx-panels' (sphinx-design's predecessor) ``{panels}`` (its panels between rules),
``{tabbed}`` (a tab) and ``{link-button}`` (a link) likewise; MyST-parser's
``{figure-md}`` (a Markdown image and its caption) is a ``{figure}``; sphinx-tabs'
``{tabs}``, ``{group-tab}`` and ``{code-tab}`` (code in its language) are tabs too.
Roles: ``{bdg-*}`` badges print their text (``{bdg-link-*}`` and ``{bdg-ref-*}`` as
links), icons (``{octicon}``, ``{fas}``, ...) nothing. What is returned is MyST, read
again by :mod:`reportc.project.myst` (so roles and directives inside a card are read as
anywhere else).
"""

from __future__ import annotations

import re

from reportc.project.mysttext import escape, label_id

Line = tuple[str, int]
DESIGN = {"tab-set", "tab-item", "tab-set-code", "grid", "grid-item", "card",
          "grid-item-card", "card-carousel", "button-link", "button-ref", "tab",
          "tabbed", "panels", "link-button",  # (these three: sphinx-panels')
          "figure-md",  # (MyST-parser's figure of Markdown, read as a {figure})
          "tabs", "group-tab", "code-tab"}  # (sphinx-tabs')
ICONS = {"octicon", "fas", "far", "fab", "fa"}
_TITLED = {"tab-item", "card", "grid-item-card", "tab", "tabbed", "group-tab"}
_SEPARATOR = re.compile(r"^\s*(\^{3,}|\+{3,})\s*$")
_PARTED = {"card", "grid-item-card", "panels"}  # header ^^^, body, +++ footer
_IMAGE = re.compile(r"^\s*!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)[^)]*\)\s*$")  # ![alt](path)
_IMG = re.compile(r"^\s*<img\b[^>]*\bsrc\s*=[^>]*>\s*$", re.I)
_WEB = re.compile(r"^[a-z]+://", re.I)
_LINK_ROLES = {"ref": "ref", "doc": "doc", "any": "ref"}


def is_design_role(name: str) -> bool:
    """A badge or icon role of sphinx-design."""
    return name in ICONS or name.startswith(("bdg-", "material-"))


def design_role(name: str, content: str) -> tuple[str, str]:
    """A badge or icon as (the role it reads as, its content); role ``""``: the content
    is Markdown to print (an icon prints nothing, a badge its text)."""
    if name in ICONS or name.startswith("material-"):
        return "", ""
    if name.startswith("bdg-link-"):
        words, _, target = content.rpartition("<")
        words = words.strip() or target.rstrip(">")
        return "", f"[{escape(words)}]({target.rstrip('>').strip()})" if target else content
    if name.startswith("bdg-ref-"):
        return "ref", content
    return "", escape(content)


def designed(name: str, argument: str, options: dict[str, str], body: list[Line],
             indent: str, lines: tuple[int, int]) -> list[Line]:
    """The component ``name`` as MyST lines (a box around its content, or a link)."""
    opened, closed = lines
    if name == "figure-md":
        return _figure_md({"name": argument, **options} if argument else options, body, lines)
    if name == "code-tab":  # its argument: the language (then a label)
        return [("", opened), (f"{indent}````{(argument.split() or [''])[0]}", opened), *body,
                (indent + "````", closed), ("", closed)]
    if name in ("button-link", "button-ref", "link-button"):
        return [("", opened), (indent + _button(name, argument, options, body), opened),
                ("", closed)]
    title = _title(argument, options) if name in _TITLED else ""
    head = [(indent + f"**{title}**", opened), ("", opened)] if title else []
    return [("", opened), (indent + "::: {.myst-" + name + "}", opened), *head,
            *_inner(name, options, body, lines), ("", closed), (indent + ":::", closed),
            ("", closed)]


def _inner(name: str, options: dict[str, str], body: list[Line], lines: tuple[int, int]
           ) -> list[Line]:
    """A box's content: a card's without its ^^^ and +++ lines, with its images of the
    book; panels with a rule between them."""
    inner = [("", n) if _SEPARATOR.match(t) and name in _PARTED else (t, n) for t, n in body]
    if name == "panels":  # its panels, between --- lines: a rule between them
        inner = [p for t, n in inner for p in (
            [("", n), ("* * *", n), ("", n)] if t.strip() == "---" else [(t, n)])]
    if (image := options.get("img-top", "")) and not _WEB.match(image):
        inner.insert(0, (f"![]({image})", lines[0]))
    if (image := options.get("img-bottom", "")) and not _WEB.match(image):
        inner.append((f"![]({image})", lines[1]))
    return inner


def _figure_md(options: dict[str, str], body: list[Line], lines: tuple[int, int]
               ) -> list[Line]:
    """``{figure-md}``: its image (Markdown's, or an ``<img>``) as a ``{figure}``'s (its
    alt text the figure's), the text after it the caption; without one, a figure's div
    around its content (the last paragraph the caption)."""
    found = next(((i, m) for i, (t, _) in enumerate(body)
                  if (m := _IMAGE.match(t) or _IMG.match(t))), None)
    if found is None:
        identifier = label_id(options.get("name") or f"figure-{lines[0]}", "fig")
        return [("", lines[0]), (f"::: {{#{identifier}}}", lines[0]), *body, ("", lines[1]),
                (":::", lines[1]), ("", lines[1])]
    index, image = found
    alt = image.group("alt") if image.re is _IMAGE else _attribute(image.group(0), "alt")
    src = image.group("src") if image.re is _IMAGE else _attribute(image.group(0), "src")
    width = {} if image.re is _IMAGE else {"width": _attribute(image.group(0), "width")}
    options = {**options, **{k: v for k, v in (("alt", alt), *width.items()) if v}}
    return [(f"````{{figure}} {src}", lines[0]),
            *((f":{k}: {v}", lines[0]) for k, v in options.items()), *body[index + 1:],
            ("````", lines[1])]


def _attribute(tag: str, name: str) -> str:
    found = re.search(rf"\b{name}\s*=\s*[\"']([^\"']*)[\"']", tag, re.I)
    return found.group(1) if found else ""


def _title(argument: str, options: dict[str, str]) -> str:
    """A card's or tab's title, a link when the card has ``:link:``."""
    link = options.get("link", "").strip()
    if not argument or not link:
        return escape(argument)
    role = _LINK_ROLES.get(options.get("link-type", "url"))
    return f"{{{role}}}`{argument} <{link}>`" if role else f"[{escape(argument)}]({link})"


def _button(name: str, argument: str, options: dict[str, str], body: list[Line]) -> str:
    """A button as a link: its content is its text (none: the target)."""
    words = options.get("text") or " ".join(t.strip() for t, _ in body if t.strip())
    if name == "link-button" and options.get("type", "url") != "url":
        name, options = "button-ref", {"ref-type": options.get("type", "ref")}
    if name in ("button-link", "link-button"):
        return f"[{escape(words or argument)}]({argument})"
    role = _LINK_ROLES.get(options.get("ref-type", "any"), "ref")
    return f"{{{role}}}`{words} <{argument}>`" if words else f"{{{role}}}`{argument}`"
