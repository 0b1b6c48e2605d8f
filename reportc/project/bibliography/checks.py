"""Judge the entries the report cites; a library's other entries are never judged.

A .bib file is often a whole library (a Zotero or JabRef export) of which a report cites
a few entries. BibTeX and biber only warn about an incomplete record and pandoc prints
what there is, so a missing field is a warning, given only for a cited entry (after
inheritance), and it says what the printed reference will lack. ``--strict`` fails on
those warnings; an entry nobody cites is mentioned but never fails a build.
"""

from __future__ import annotations

from reportc.errors import Diagnostics
from reportc.project.bibliography.record import Bibliography, Record, split_keys

# What an entry of a type needs for its reference to print completely (after
# inheritance); "a|b" means either will do. @misc, @set and @xdata need nothing.
REQUIRED_FIELDS: dict[str, list[str]] = {
    "article": ["author", "title", "journaltitle|journal", "date|year"],
    "book": ["author|editor|translator", "title", "date|year"],
    "mvbook": ["author|editor|translator", "title", "date|year"],
    "collection": ["editor|author", "title", "date|year"],
    "proceedings": ["title", "date|year"],
    "inbook": ["author", "title", "booktitle", "date|year"],
    "bookinbook": ["author", "title", "date|year"],
    "incollection": ["author", "title", "booktitle", "date|year"],
    "inproceedings": ["author", "title", "booktitle", "date|year"],
    "inreference": ["title", "booktitle", "date|year"],
    "online": ["title", "url|doi|eprint"],
    "report": ["author|institution", "title", "date|year"],
    "techreport": ["author|institution", "title", "date|year"],
    "thesis": ["author", "title", "institution|school", "date|year"],
    "phdthesis": ["author", "title", "institution|school", "date|year"],
    "mastersthesis": ["author", "title", "institution|school", "date|year"],
    "unpublished": ["author", "title", "date|year"],
    "misc": [], "set": [], "xdata": [],
}
DEFAULT_REQUIRED = ["title"]
# What the printed reference lacks without a field (named by its first alternative).
LACKS = {
    "author": "an author", "editor": "an author or editor", "title": "a title",
    "journaltitle": "the journal's name", "date": "a date", "booktitle":
    "the title of the book or proceedings it is part of", "url": "a link (url, doi or eprint)",
    "institution": "the institution",
}
UNUSED_LISTED = 10  # more entries nobody cites than this are summed up in one line


def check_citations(bib: Bibliography, cited: set[str], diag: Diagnostics) -> None:
    """Warn about the cited entries' missing and repeated fields and broken links (these
    fail ``--strict``); mention entries nobody cites (these never fail a build)."""
    entries = [bib.records[key] for key in bib.expand(cited) if key in bib.records]
    for record in sorted(entries, key=lambda r: (r.rel, r.line)):
        _check_record(record, bib.rel_of(record), diag)
    used = _used_keys(bib, cited)
    unused = sorted((r for r in bib.records.values()
                     if r.key not in used and r.type not in ("xdata", "set")),
                    key=lambda r: (r.rel, r.line))
    for record in unused[:UNUSED_LISTED]:
        diag.warning(f"entry '{record.key}' is never cited", bib.rel_of(record), record.line,
                     code="bib.unused", fails_strict=False)
    if len(unused) > UNUSED_LISTED:
        diag.warning(f"{len(unused) - UNUSED_LISTED} more entries are never cited (from "
                     f"line {unused[UNUSED_LISTED].line} on)", bib.rel_of(unused[UNUSED_LISTED]),
                     code="bib.unused",
                     fails_strict=False)


def _used_keys(bib: Bibliography, cited: set[str]) -> set[str]:
    """Cited keys, the members of cited sets and everything they inherit from."""
    used: set[str] = set()
    todo = [*cited, *bib.expand(cited)]
    while todo:
        key = todo.pop()
        record = bib.records.get(key)
        if record is None or key in used:
            continue
        used.add(key)
        todo.extend(split_keys(record.fields.get("xdata", "")))
        todo.extend(split_keys(record.fields.get("crossref", "")))
    return used


def _check_record(record: Record, rel: str, diag: Diagnostics) -> None:
    where = f"entry '{record.key}' (@{record.type})"
    for name, line, kept in record.repeated:
        diag.warning(f"{where} repeats field '{name}': the first value "
                     f"'{_short(kept)}' is kept, as BibTeX does", rel, line, code="bib.repeated")
    for problem in record.broken_links:
        diag.warning(f"{where}: {problem}", rel, record.line, code="bib.link")
    for need in missing_fields(record):
        options = need.split("|")
        quoted = [f"'{option}'" for option in options]
        wanted = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
        lacks = LACKS.get(options[0], f"its {options[0]}")
        diag.warning(f"{where} has no {wanted}: its printed reference will lack {lacks}",
                     rel, record.line, code="bib.fields")


def missing_fields(record: Record) -> list[str]:
    """The requirements (``"a|b"``) of the record's type that its fields, with
    inheritance, do not meet."""
    needs = REQUIRED_FIELDS.get(record.type, DEFAULT_REQUIRED)
    return [need for need in needs
            if not any(_has_text(record.resolved.get(option)) for option in need.split("|"))]


def _has_text(value: str | None) -> bool:
    return bool(value and value.replace("{", "").replace("}", "").strip())


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 40 else value[:39] + "\u2026"
