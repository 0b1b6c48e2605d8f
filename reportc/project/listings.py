"""Quarto listing pages (``listing:`` in a page's front matter), printed as a list.

A Quarto blog's "Blog" page is its front matter alone: Quarto fills it with the list of its
posts (title, date, description, newest first). Without that the report printed an empty
page. The list is written at the end of the page as Markdown, each title a link to its
chapter, from the listed documents' front matter; the files it reads join the page's
cache key like an included file. Listings of inline items or YAML files, and custom
templates, are said rather than guessed.
"""

from __future__ import annotations

import fnmatch
import posixpath
from pathlib import Path
from typing import Any

from reportc.errors import Diagnostics
from reportc.project.frontmatter import front_matter
from reportc.project.website import project_inputs

DEFAULT_SORT = ("date desc", "title")


def add_listing(root: Path, page: tuple[str, str], written: tuple[str, bool],
                meta: dict[str, Any], read_in: list[str], diag: Diagnostics
                ) -> tuple[str, bool]:
    """A page's (``page``: its path and raw text) ``written`` text and whether it was
    expanded, with its listings printed at its end; ``read_in`` gains the files read. The
    added lines are said to be the ``listing:`` line of its front matter."""
    rel, raw = page
    text = written[0]
    if not meta.get("listing"):
        return written
    line = next((n for n, found in enumerate(raw.split("\n"), 1)
                 if found.startswith("listing:")), 1)
    lines, read = listing_lines(root, rel, meta, line, diag)
    if not lines:
        return written
    origins = diag.origins_of(rel, text)
    diag.origins[rel] = origins + [(rel, line)] * len(lines)
    read_in += [name for name in read if name not in read_in]
    return "\n".join([text, *lines]), True


def listing_lines(root: Path, rel: str, meta: dict[str, Any], line: int,
                  diag: Diagnostics) -> tuple[list[str], list[str]]:
    """The Markdown lines that print the page's listings, and the files they were read
    from (``([], [])``: the page lists nothing)."""
    specs = _specs(meta.get("listing"))
    if not specs:
        return [], []
    documents = [name for name in project_inputs(root) if name != rel]
    lines: list[str] = []
    read: list[str] = []
    for spec in specs:
        names = _listed(spec, posixpath.dirname(rel), documents, rel, line, diag)
        items = [item for item in (_item(root, name) for name in names) if item]
        items = _sorted(items, spec.get("sort", DEFAULT_SORT))
        if isinstance(spec.get("max-items"), int):
            items = items[:spec["max-items"]]
        lines += ["", *(_entry(item, posixpath.dirname(rel)) for item in items)]
        read += [item["path"] for item in items]
    return lines, read


def _specs(value: Any) -> list[dict[str, Any]]:
    """``listing:`` as a list of listings (``listing: true`` or a type name lists the
    page's own folder)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return [{}] if value is True or isinstance(value, str) else []


def _listed(spec: dict[str, Any], folder: str, documents: list[str], rel: str, line: int,
            diag: Diagnostics) -> list[str]:
    """The documents a listing's ``contents:`` names (folders, globs, files; default: the
    page's folder), in the order found."""
    contents = spec.get("contents", ".")
    patterns = contents if isinstance(contents, list) else [contents]
    found: list[str] = []
    for pattern in patterns:
        if not isinstance(pattern, str) or pattern.lower().endswith((".yml", ".yaml")):
            diag.warning("a listing of items written in YAML is not printed (reportc lists "
                         "documents of the project): write the items in the page",
                         rel, line, code="quarto.listing")
            continue
        path = posixpath.normpath(posixpath.join(folder, pattern))
        found += [name for name in documents if name == path
                  or name.startswith(f"{path}/".removeprefix("./"))
                  or fnmatch.fnmatch(name, path)]
    if spec.get("template"):
        diag.warning("a listing's own template is not run: its documents print as a list",
                     rel, line, code="quarto.listing")
    return list(dict.fromkeys(found))


def _item(root: Path, name: str) -> dict[str, str] | None:
    """A listed document's fields (``None``: a draft, which Quarto lists nowhere)."""
    meta = front_matter(root, name)[0]
    if meta.get("draft") is True:
        return None
    title = meta.get("title")
    date = meta.get("date")
    text = meta.get("description") or meta.get("subtitle") or ""
    stem = posixpath.splitext(posixpath.basename(name))[0]
    named = posixpath.basename(posixpath.dirname(name)) if stem == "index" else stem
    return {"path": name, "title": str(title).strip() if title else named or stem,
            "date": str(date) if date else "", "description": str(text).strip()}


def _sorted(items: list[dict[str, str]], sort: Any) -> list[dict[str, str]]:
    """Sorted by ``sort:`` ("date desc", "title", a list of them; ``false``: as found),
    the last key first so that the first decides."""
    if sort is False:
        return items
    keys = [sort] if isinstance(sort, str) else sort if isinstance(sort, list) else []
    for key in reversed([str(key).split() for key in keys if str(key).strip()]):
        field = key[0] if key[0] in ("date", "title", "description") else "title"
        items = sorted(items, key=lambda item: item[field].casefold(),
                       reverse=key[-1].lower() == "desc")
    return items


def _entry(item: dict[str, str], folder: str) -> str:
    """One listed document as a Markdown list item: its title a link to its chapter."""
    link = posixpath.relpath(item["path"], folder or ".")
    title = item["title"].replace("[", "\\[").replace("]", "\\]")
    date = f" ({item['date']})" if item["date"] else ""
    words = f": {item['description']}" if item["description"] else ""
    return f"- [{title}]({link}){date}{words}"
