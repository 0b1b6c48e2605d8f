"""Nearby cross-references worded while WeasyPrint paginates (see :mod:`reportc.pdf.varioref`).

A link whose ``::after`` content starts with ``target-counter(attr(href url), page,
reportc-where)`` prints one of the alternatives that follow it, chosen by where its target
lies: the first string on the same page, the second on the next page, the third on the
previous page, and everything after the third for any other page (or while a page is not
known yet)::

    content: target-counter(attr(href url), page, reportc-where)
             "" " on the next page" " on the previous page" " on p.\\00a0" attr(data-page);

The theme keeps the words; this module only chooses. The choice is made inside
WeasyPrint's ``compute_content_list``, which WeasyPrint calls again whenever the link's
page or its target's page changes during pagination, and then re-makes only the pages
concerned (``layout.page.make_all_pages``). So a part is laid out once, with a few pages
made again, instead of being laid out again whole until the wording fits.

Two things keep the pages made again few. Until both pages are known a reference keeps
the wording it has, starting from :data:`GUESS` (most references point to something on
their own page). And WeasyPrint marks a page to be made again *before* it computes a
reference's content again; when the wording comes out unchanged, that mark is taken back
(:class:`_Flags`), so a page is made again only when a wording on it changed.

The link's element records the choice its last layout made (:data:`USED`), so the caller
can check it against the final pages. A link whose element has ``data-where`` (one of
:data:`CHOICES`) prints that choice whatever the pages: the way out of a wording that
keeps moving its own link.
"""

from __future__ import annotations

import threading
from typing import Any

from reportc.pdf.varioref import where

MARKER = "reportc-where"  # the counter style that marks a worded reference
USED = "data-reportc-where"  # set on the link's element: the wording chosen last
CHOICES = ("same", "next", "previous", "far")
GUESS = "same"  # the wording before the pages are known
ORIGINAL: dict[str, Any] = {}  # WeasyPrint's own compute_content_list (set by patches.apply)


def compute_content_list(content_list, parent_box, counter_values, css_token, parse_again,
                         target_collector, counter_style, *args, **kwargs):
    """``formatting_structure.build.compute_content_list``, choosing a worded reference's
    alternative first (WeasyPrint's own code does everything else)."""
    original = ORIGINAL["compute_content_list"]
    element = getattr(parent_box, "element", None)
    if not _is_worded(content_list) or element is None:
        _MARKED.flags = None
        return original(content_list, parent_box, counter_values, css_token, parse_again,
                        target_collector, counter_style, *args, **kwargs)
    just_marked, _MARKED.flags = getattr(_MARKED, "flags", None), None
    fixed = element.get("data-where")
    before = element.get(USED)
    choice = fixed if fixed in CHOICES else (
        _choose(element, counter_values, target_collector) or before or GUESS)
    if just_marked is not None and choice == before:
        just_marked.take_back()  # same wording, same page: no need to make it again
    element.set(USED, choice)
    index = CHOICES.index(choice)
    chosen = list(content_list[1 + index:2 + index] if choice != "far" else content_list[4:])
    # Unprinted probes keep WeasyPrint informed: the target's page (it re-makes the link's
    # page when that moves) and the link's own page (it computes the content again there).
    # (The target is named, not ``attr(href)``: WeasyPrint 70 files a page-based
    # dependency on an ``attr()`` target under no name, and never acts on it.)
    target = ("string", element.get("href") or "")
    probes = [] if fixed in CHOICES else [("target-counter()", (target, "page", MARKER)),
                                          ("counter()", ("page", MARKER))]
    return original(probes + chosen, parent_box, counter_values, css_token, parse_again,
                    target_collector, _Unprinted(counter_style), *args, **kwargs)


def printed_wordings(document) -> dict[str, str]:
    """The wording each worded reference of a laid-out ``weasyprint.Document`` printed,
    by the link's id."""
    if document is None or not document.pages:
        return {}
    root = document.pages[0]._page_box.children[0].element
    return {element.get("id"): element.get(USED) for element in root.iter()
            if element.get(USED) and element.get("id")}


def _is_worded(content_list) -> bool:
    if not isinstance(content_list, (list, tuple)) or len(content_list) < 5:
        return False
    kind, value = content_list[0]
    return kind == "target-counter()" and value[-1] == MARKER


def _choose(element, counter_values: dict, target_collector) -> str | None:
    """Where the target is, from the page counters WeasyPrint has so far (none while the
    boxes are built; the link's once its page is made; the target's once that is);
    ``None`` while either page is unknown."""
    link = counter_values.get("page")
    target_id = (element.get("href") or "").removeprefix("#")
    item = target_collector.target_lookup_items.get(target_id)
    target = item.cached_page_counter_values.get("page") if item is not None else None
    return where(link[-1], target[-1]) if link and target else None


# The page marked just now, before a content is computed again; one per thread (a program
# may lay out two documents at once through reportc's API).
_MARKED = threading.local()


class _Flags(dict):
    """A page's ``remake_state`` (``layout.page``) that remembers the last time some page was
    marked to be made again, so that the mark can be taken back."""

    _before: bool = False

    def __setitem__(self, key, value) -> None:
        if key == "content_changed":
            if value:
                self._before = bool(self.get(key))
                _MARKED.flags = self
            elif getattr(_MARKED, "flags", None) is self:
                _MARKED.flags = None
        super().__setitem__(key, value)

    def take_back(self) -> None:
        super().__setitem__("content_changed", self._before)


def forget_mark() -> None:
    """The last mark stays: no content is computed again after it."""
    _MARKED.flags = None


def track(page_maker: list, index: int) -> None:
    """Make page ``index``'s remake state a :class:`_Flags` (before the page is made)."""
    if index < len(page_maker) and not isinstance(page_maker[index][-1], _Flags):
        entry = page_maker[index]
        page_maker[index] = (*entry[:-1], _Flags(entry[-1]))


class _Unprinted:
    """The document's counter styles, with :data:`MARKER` printing nothing."""

    def __init__(self, styles) -> None:
        self._styles = styles

    def render_value(self, value, counter_type=None, *args, **kwargs) -> str:
        if counter_type == MARKER:
            return ""
        return self._styles.render_value(value, counter_type, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._styles, name)
