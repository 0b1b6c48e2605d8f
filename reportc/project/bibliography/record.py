"""A bibliography as reportc holds it: the records as written (:class:`Record`) and the
files they came from (:class:`Bibliography`). Its own module: the readers (BibTeX in
:mod:`.reader`, CSL in :mod:`.csljson`) and the inheritance they run (:mod:`.inherit`)
all make or read records, and the reader calls the other two."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Record:
    """One entry as written: its own fields (the first value of a repeated field, macros
    expanded) and, once :mod:`.inherit` has run, the fields it has with inheritance."""

    key: str
    type: str  # lower case, without the @
    line: int  # 1-based line of the @type{ opening
    fields: dict[str, str] = field(default_factory=dict)
    repeated: list[tuple[str, int, str]] = field(default_factory=list)  # (name, line, kept)
    resolved: dict[str, str] = field(default_factory=dict)
    inherited_from: dict[str, str] = field(default_factory=dict)  # field -> source key
    broken_links: list[str] = field(default_factory=list)  # crossref/xdata problems
    rel: str = ""  # the file it is written in (messages), when not the first
    csl: dict | None = None  # a CSL JSON or YAML item, passed to citeproc as it is


@dataclass
class Bibliography:
    """What the rest of the build needs: the file, its records and where each is defined."""

    path: Path | None
    rel: str = "references.bib"
    records: dict[str, Record] = field(default_factory=dict)
    paths: list[Path] = field(default_factory=list)  # every file, ``path`` the first

    def rel_of(self, record: Record) -> str:
        """The file a record is written in, as messages name it."""
        return record.rel or self.rel

    @property
    def keys(self) -> set[str]:
        """Keys a chapter may cite (biblatex forbids citing an @xdata entry)."""
        return {key for key, record in self.records.items() if record.type != "xdata"}

    def members(self, key: str) -> list[str]:
        """The entries a @set stands for (``[key]`` for any other entry)."""
        record = self.records.get(key)
        if record is None or record.type != "set":
            return [key]
        return [k for k in split_keys(record.fields.get("entryset", "")) if k in self.records]

    def sets(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Each @set and its members, for citeproc (a cited set cites its members)."""
        return tuple((key, tuple(self.members(key))) for key, record in
                     sorted(self.records.items()) if record.type == "set")

    def expand(self, cited: set[str] | list[str]) -> list[str]:
        """Cited keys with each @set replaced by its members, in a stable order."""
        return sorted({member for key in cited for member in self.members(key)})


def split_keys(value: str) -> list[str]:
    """A comma-separated list of entry keys (``xdata``, ``entryset``)."""
    return [part.strip() for part in value.split(",") if part.strip()]
