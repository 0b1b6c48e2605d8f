"""biblatex inheritance, resolved the way biber does before any field is judged.

* ``xdata = {a, b}``: every field of the @xdata entries (themselves resolved, so xdata
  may nest) that the entry does not set itself.
* ``crossref = {parent}``: every field of the parent the child does not set, with
  biblatex's default mapping (manual, appendix B): a @book's ``title`` becomes an
  @inbook's ``booktitle``, an @mvbook's ``title`` a @book's ``maintitle``, a @periodical's
  ``title`` an @article's ``journaltitle``, and so on.
* ``@set{key, entryset = {a, b}}``: a container of its members (:meth:`Bibliography.members`).

The resolved fields are what the checks look at and what pandoc is given, so a child
prints with its parent's book title even though pandoc's own crossref code omits it.
"""

from __future__ import annotations

from reportc.project.bibliography.record import Record, split_keys

# Fields an entry never passes on (biblatex: "inherit all except these").
NOT_INHERITED = {"ids", "crossref", "xref", "xdata", "entryset", "entrysubtype", "execute",
                 "label", "options", "presort", "related", "relatedoptions", "relatedstring",
                 "relatedtype", "shorthand", "shorthandintro", "sortkey"}
_DROP_TITLES = {"shorttitle": None, "sorttitle": None, "indextitle": None,
                "indexsorttitle": None}
_MAIN = {"title": "maintitle", "subtitle": "mainsubtitle", "titleaddon": "maintitleaddon",
         **_DROP_TITLES}
_BOOK = {"title": "booktitle", "subtitle": "booksubtitle", "titleaddon": "booktitleaddon",
         **_DROP_TITLES}
_JOURNAL = {"title": "journaltitle", "subtitle": "journalsubtitle", **_DROP_TITLES}
# (parent types, child types, field renames; None: not inherited)
MAPPINGS: list[tuple[set[str], set[str], dict[str, str | None]]] = [
    ({"mvbook"}, {"book", "inbook", "bookinbook", "suppbook"}, _MAIN),
    ({"mvcollection", "mvreference"},
     {"collection", "reference", "incollection", "inreference", "suppcollection"}, _MAIN),
    ({"mvproceedings"}, {"proceedings", "inproceedings"}, _MAIN),
    ({"book"}, {"inbook", "bookinbook", "suppbook"}, _BOOK),
    ({"collection", "reference"}, {"incollection", "inreference", "suppcollection"}, _BOOK),
    ({"proceedings"}, {"inproceedings"}, _BOOK),
    ({"periodical"}, {"article", "suppperiodical"}, _JOURNAL),
]
# An author of a (multi-volume) book is also the bookauthor of a part of it.
BOOKAUTHOR = ({"mvbook", "book"}, {"inbook", "bookinbook", "suppbook"})


def resolve_inheritance(records: dict[str, Record]) -> None:
    """Fill ``resolved`` and ``inherited_from`` of every record (cycles and missing
    targets are noted in ``broken_links`` and otherwise ignored, as biber does)."""
    folded = {key.lower(): key for key in records}
    done: set[str] = set()

    def find(key: str) -> Record | None:
        return records.get(key) or records.get(folded.get(key.lower(), ""))

    def resolve(record: Record, path: tuple[str, ...]) -> dict[str, str]:
        if record.key in done:
            return record.resolved
        record.resolved = dict(record.fields)
        for source in split_keys(record.fields.get("xdata", "")):
            target = find(source)
            if target is None:
                record.broken_links.append(f"its xdata entry '{source}' is not in the file")
            elif target.key in path:
                record.broken_links.append(f"xdata '{source}' leads back to itself")
            elif target.type != "xdata":
                record.broken_links.append(f"xdata '{source}' is a @{target.type}, "
                                           "not an @xdata entry")
            else:
                _inherit(record, target, resolve(target, (*path, target.key)), None)
        parent_key = record.fields.get("crossref", "").strip()
        if parent_key:
            parent = find(parent_key)
            if parent is None:
                record.broken_links.append(f"its crossref '{parent_key}' is not in the file")
            elif parent.key in path:
                record.broken_links.append(f"crossref '{parent_key}' leads back to itself")
            else:
                _inherit(record, parent, resolve(parent, (*path, parent.key)),
                         _mapping(parent.type, record.type))
        done.add(record.key)
        return record.resolved

    for record in records.values():
        resolve(record, (record.key,))


def _mapping(parent: str, child: str) -> dict[str, str | None]:
    renames: dict[str, str | None] = {}
    for parents, children, fields in MAPPINGS:
        if parent in parents and child in children:
            renames.update(fields)
    return renames


def _inherit(record: Record, source: Record, fields: dict[str, str],
             renames: dict[str, str | None] | None) -> None:
    """Copy ``fields`` of ``source`` that ``record`` lacks (after renaming)."""
    targets: list[tuple[str, str]] = []
    for name, value in fields.items():
        if name in NOT_INHERITED:
            continue
        if renames is not None and name in renames:
            if (renamed := renames[name]) is not None:
                targets.append((renamed, value))
            continue
        targets.append((name, value))
        if renames is not None and name == "author" and source.type in BOOKAUTHOR[0] \
                and record.type in BOOKAUTHOR[1]:
            targets.append(("bookauthor", value))
    for name, value in targets:
        if name not in record.resolved:
            record.resolved[name] = value
            record.inherited_from[name] = source.key
