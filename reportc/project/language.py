"""The words reportc prints itself ("Contents", "Figure", "on the next page", the date), in
the report's language.

An author writes the chapters in their language; the words around them (headings of the
contents and notes, labels of figures and chapters, the wording of a reference to a nearby
page, the cover's date) are reportc's, and printing them in English in a German report puts
on the page what the author did not mean. So each word has a key, English is the default
(exactly the words reportc printed before it had translations), and
:data:`reportc.project.words.TRANSLATIONS` gives each key in the languages reports are
written in most. Keys are Quarto's (``crossref-fig-title``, ``toc-title-document``,
``callout-note-title``, ``section-title-footnotes`` ...) where Quarto has the word, so a
Quarto project's ``language:`` settings mean the same here; the others are reportc's own.

A report sets any word under ``language:`` in report.yaml (or ``_quarto.yml``), as a
mapping or as a YAML file in the report; ``crossref: fig-prefix:`` still sets a label's
word and wins over both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from reportc.project.words import ALIASES, ENGLISH, TRANSLATIONS

__all__ = ["ENGLISH", "LINK_KEYS", "Words", "language_of", "words_for"]

# the words of the PDF's link descriptions for screen readers (reportc.pdf.compat.tags)
LINK_KEYS = ("link-title", "link-bibliography", "xref-page", "xref-page-spoken")

# the words reading, numbering and shaping write into a chapter's tree, by the key they
# know them by (kinds.LABELS' prefixes; the chapter's, the appendix's, the proof's, the
# takeaway box's; a paged table's and a chart's data table's words): the per-chapter
# cache keys on all of them
_LABEL_KEYS = {
    "fig": "crossref-fig-title", "tbl": "crossref-tbl-title", "lst": "crossref-lst-title",
    "sec": "crossref-sec-prefix", "eq": "crossref-eq-prefix",
    "thm": "crossref-thm-title", "lem": "crossref-lem-title", "cor": "crossref-cor-title",
    "prp": "crossref-prp-title", "cnj": "crossref-cnj-title", "def": "crossref-def-title",
    "exm": "crossref-exm-title", "exr": "crossref-exr-title",
    "rem": "environment-remark-title", "sol": "environment-solution-title",
    "nte": "callout-note-title", "tip": "callout-tip-title", "wrn": "callout-warning-title",
    "imp": "callout-important-title", "cau": "callout-caution-title",
    "ch": "crossref-ch-prefix", "apx": "crossref-apx-prefix",
    "proof": "environment-proof-title", "remark": "environment-remark-title",
    "solution": "environment-solution-title", "takeaways": "takeaways-title",
    "table-shown": "table-shown", "table-rows": "table-rows", "table-columns": "table-columns",
    "chart-data": "chart-data", "chart-data-shown": "chart-data-shown",
    "chart-row": "chart-row", "chart-rows": "chart-rows",
}


def language_of(lang: str) -> str:
    """The table a BCP 47 tag reads from: ``de-CH`` the German one, ``pt-BR`` the
    Portuguese one; ``""`` for a language without one."""
    tag = lang.replace("_", "-").lower()
    if tag in TRANSLATIONS:
        return tag
    base = tag.split("-")[0]
    return base if base in TRANSLATIONS or base == "en" else ""


@dataclass(frozen=True)
class Words(Mapping[str, str]):
    """Every word reportc prints itself, for one report: English, under the language's
    translation, under the report's own ``language:`` settings; ``missing``: the keys
    that stayed English in a report in another language (a warning names them)."""

    lang: str = "en"
    table: Mapping[str, str] = field(default_factory=lambda: dict(ENGLISH))
    crossref: Mapping[str, str] = field(default_factory=dict)  # crossref: fig-prefix: ...
    missing: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> str:
        return self.table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def labels(self) -> dict[str, str]:
        """The words a chapter's tree is given (``{"fig": "Abbildung", "ch": "Kapitel"}``),
        with the report's ``crossref:`` prefixes over them: what numbering writes."""
        words = {prefix: self.table[key] for prefix, key in _LABEL_KEYS.items()}
        return {**words, **self.crossref}

    def links(self) -> dict[str, str]:
        """The words the PDF's link descriptions for screen readers use, where they are not
        English (the tagging patch's defaults): ``{}`` for an English report."""
        changed = self._changed(*LINK_KEYS)
        return {key: self.table[key] for key in LINK_KEYS} if changed else {}

    def search(self) -> dict[str, str]:
        """The web edition's search words that are not English (its script's defaults)."""
        keys = ("search-no-results-text", "search-result", "search-results", "search-shown",
                "search-unavailable")
        return {key: self.table[key] for key in keys if self._changed(key)}

    def date(self, day: dt.date, us: bool = False) -> str:
        """``day`` as a reader of the language writes it: "7 December 2026" ("December 7,
        2026" in US English, ``us``), "7. Dezember 2026", "7 décembre 2026"."""
        month = self.table["months"].split()[day.month - 1]
        if us:
            return f"{month} {day.day}, {day.year}"
        return self.table["date-format"].format(day=day.day, month=month, year=day.year)

    def month_year(self, day: dt.date) -> str:
        """The month of ``day`` and its year, as a date that names no day is written:
        "January 2024", "Januar 2024"."""
        return f"{self.table['months'].split()[day.month - 1]} {day.year}"

    def css(self) -> str:
        """Print rules that put the theme's English words (the contents' running head and
        bookmark, the page wording of cross-references) in the report's language;
        ``""`` when the words are the theme's. Each selector has ``html`` in front: more
        specific than the theme's rule it replaces, whichever sheet comes last."""
        return "\n".join([*self._contents_css(), *self._xref_css()])

    def brief_css(self) -> str:
        """The brief's running head and page numbers in the report's language (its theme
        says "Policy brief" and "1 of 2"); ``""`` when they are the theme's."""
        if not self._changed("brief-title", "page-of"):
            return ""
        title, of = _css_string(self.table["brief-title"]), _css_string(
            f" {self.table['page-of']} ")
        return (f"@page :left, :right {{ @top-left {{ content: {title}; }} "
                f"@bottom-right {{ content: counter(page) {of} counter(pages); }} }} "
                "@page :first { @top-left { content: none; } }")

    def _changed(self, *keys: str) -> bool:
        return any(self.table[key] != ENGLISH[key] for key in keys)

    def _contents_css(self) -> list[str]:
        if not self._changed("toc-title-document"):
            return []
        title = _css_string(self.table["toc-title-document"])
        return [f"html .toc {{ string-set: chapter-title {title}; }}",
                f"html .toc-title {{ bookmark-label: {title}; }}"]

    def _xref_css(self) -> list[str]:
        if not self._changed("xref-page", "xref-page-next", "xref-page-previous"):
            return []
        page, near = _css_string(f" {self.table['xref-page']}\u00a0"), {
            "next": _css_string(f" {self.table['xref-page-next']}"),
            "previous": _css_string(f" {self.table['xref-page-previous']}")}
        anywhere = f'target-counter(attr(href url), page, reportc-where) "" {near["next"]} ' \
                   f'{near["previous"]} {page}'
        return [
            f"html a.xref::after {{ content: {page} target-counter(attr(href url), page); }}",
            f"html a.xref[data-page]::after {{ content: {page} attr(data-page); }}",
            f"html a.xref[data-varioref]::after {{ content: {anywhere} "
            "target-counter(attr(href url), page); }",
            f"html a.xref[data-varioref][data-page]::after {{ content: {anywhere} "
            "attr(data-page); }",
            *(f'html a.xref[data-where="{where}"]::after, html a.xref[data-page][data-where='
              f'"{where}"]::after {{ content: {words}; }}' for where, words in near.items()),
            'html a.xref[data-where="same"]::after, html a.xref[data-page][data-where="same"]'
            "::after { content: none; }"]


def _css_string(text: str) -> str:
    """``text`` as a CSS string (quotes and backslashes escaped, a no-break space as
    ``\\00a0 ``, ``<`` as ``\\3c `` so that no word can close the style element)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\u00a0", "\\00a0 ")
    escaped = escaped.replace("<", "\\3c ")
    return f'"{escaped}"'


def words_for(lang: str, settings: Mapping[str, str] | None = None,
              crossref: Mapping[str, str] | None = None) -> Words:
    """The words of a report in ``lang``, with its ``language:`` ``settings`` (Quarto's
    older ``-caption`` keys read as the ``-title`` ones) and ``crossref:`` prefixes."""
    own = {ALIASES.get(key, key): text for key, text in (settings or {}).items()}
    translated = TRANSLATIONS.get(language_of(lang), {})
    table = {**ENGLISH, **translated, **{k: v for k, v in own.items() if k in ENGLISH}}
    missing = () if language_of(lang) == "en" else tuple(
        key for key in ENGLISH if key not in translated and key not in own)
    return Words(lang, table, dict(crossref or {}), missing)
